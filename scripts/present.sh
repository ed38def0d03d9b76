#!/usr/bin/env bash
# Serve the notebooks as clean pages with Voilà — the lecture mode (no code cells, no
# toolbars, widgets live; the same kernel and the same vizkit as JupyterLab). `make present`
# calls this, and so do the browser tests (tests/browser/test_lecture_mode.py), so what the
# tests see is what a lecturer gets.
#
#   scripts/present.sh                 # what `make present` runs: the index of notebooks/
#   PORT=8867 scripts/present.sh       # another port
#
# Environment (all optional):
#   PORT          port on 127.0.0.1 (default 8866). A busy port fails loudly instead of
#                 moving to the next one, so the URL printed below is always the real one.
#   TOKEN         the login token (default: a fresh random one)
#   NOTEBOOK_DIR  the folder whose notebooks are served (default: notebooks/ of this repository)
#   VIZKIT_VENV   the environment whose voila runs (default: .venv of this repository)
#   VIZKIT_THEME  the theme of a notebook's `vk.theme()` call (default here: lecture — larger,
#                 high-contrast figures and widgets for a projector; "notebook" for normal)
# Arguments after the script name go to `voila` unchanged.
#
# Unlike `jupyter lab`, voila runs as root without an --allow-root flag (it has none).
set -euo pipefail

# repo, venv, python, server (= $venv/bin/voila), port, token, root_dir — shared with lab.sh,
# so both read PORT, TOKEN, NOTEBOOK_DIR and VIZKIT_VENV the same way.
source "$(dirname "${BASH_SOURCE[0]}")/_lab_common.sh" voila voila 8866
# The kernels Voilà starts inherit it: vk.theme() in a notebook picks the projector theme.
export VIZKIT_THEME="${VIZKIT_THEME:-lecture}"

flags=(
  --no-browser
  --Voila.ip=127.0.0.1
  "--Voila.port=$port"
  --Voila.port_retries=0
  "--Voila.token=$token"
  "--Voila.root_dir=$root_dir"
  # a failing cell shows its message on the page instead of "There was an error"
  --show_tracebacks=True
)

echo
echo "  Voilà is starting on $root_dir. Open this URL in your browser (the index of notebooks):"
echo "    http://127.0.0.1:$port/?token=$token"
echo "  Click a notebook to present it; click an animation, then ← → step, space plays."
echo "  (port busy? make present PORT=8867)   Stop with Ctrl-C."
echo
exec "$server" "${flags[@]}" "$@" "$root_dir"
