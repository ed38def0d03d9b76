#!/usr/bin/env bash
# Start JupyterLab on notebooks/ — the one definition of how vizkit's JupyterLab runs.
# `make lab` calls this, and so do the browser tests (tests/browser/conftest.py), so what
# the tests see is what a user gets.
#
#   scripts/lab.sh                    # what `make lab` runs
#   PORT=8890 scripts/lab.sh          # another port
#
# Environment (all optional):
#   PORT          port on 127.0.0.1 (default 8888). A busy port fails loudly instead of
#                 moving to the next one, so the URL printed below is always the real one.
#   TOKEN         the login token (default: a fresh random one)
#   NOTEBOOK_DIR  the folder JupyterLab serves (default: notebooks/ of this repository)
#   VIZKIT_VENV   the environment whose jupyter runs (default: .venv of this repository)
# Arguments after the script name go to `jupyter lab` unchanged.
#
# The settings (no "get notified about Jupyter news?" prompt, the notebook's kernel starts
# without a "Select Kernel" dialog) are not flags here: they are jupyter/overrides.json,
# installed into the environment, which is where a Binder or JupyterHub image has them too.
set -euo pipefail

# repo, venv, python, server (= $venv/bin/jupyter), port, token, root_dir — shared with
# present.sh, so both read PORT, TOKEN, NOTEBOOK_DIR and VIZKIT_VENV the same way.
source "$(dirname "${BASH_SOURCE[0]}")/_lab_common.sh" jupyter JupyterLab 8888

# Idempotent and quick: keeps an older .venv (set up before the settings existed) in step.
"$python" "$repo/scripts/install_lab_settings.py" --quiet

flags=(
  --no-browser
  --ServerApp.ip=127.0.0.1
  "--ServerApp.port=$port"
  --ServerApp.port_retries=0
  "--IdentityProvider.token=$token"
  "--ServerApp.root_dir=$root_dir"
)
if [[ "$(id -u)" == 0 ]]; then
  flags+=(--allow-root)  # Jupyter refuses to run as root without it (containers, CI)
fi

echo
echo "  JupyterLab is starting on $root_dir. Open this URL in your browser:"
echo "    http://127.0.0.1:$port/lab/tree/00_start_here.ipynb?token=$token"
echo "  (port busy? make lab PORT=8890)   Stop with Ctrl-C."
echo
exec "$server" lab "${flags[@]}" "$@"
