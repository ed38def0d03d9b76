# shellcheck shell=bash
# The preamble scripts/lab.sh and scripts/present.sh share: which environment runs the
# server, on which port, with which token, serving which folder. Sourced, not run:
#
#   source "$(dirname "${BASH_SOURCE[0]}")/_lab_common.sh" EXECUTABLE LABEL DEFAULT_PORT
#
#   EXECUTABLE    the program in the environment's bin/ (jupyter, voila)
#   LABEL         how the "not installed" message names it (JupyterLab, voila)
#   DEFAULT_PORT  the port when PORT is unset (8888 for JupyterLab, 8866 for Voilà)
#
# Sets, for the script that sources it: repo, venv, python, server (the executable's path),
# port, token, root_dir. Exits 1, with the fix, when the executable is missing. Reads PORT,
# TOKEN, NOTEBOOK_DIR and VIZKIT_VENV, as the two scripts' headers describe. The caller has
# `set -euo pipefail` already; the flags themselves stay in each script (they differ).

if [[ $# -ne 3 ]]; then
  echo "_lab_common.sh: expected EXECUTABLE LABEL DEFAULT_PORT, got $# argument(s)" >&2
  exit 2
fi

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
venv="${VIZKIT_VENV:-$repo/.venv}"
python="$venv/bin/python"
server="$venv/bin/$1"
if [[ ! -x "$server" ]]; then
  echo "no $2 in $venv: run \`make venv\` first (or set VIZKIT_VENV)" >&2
  exit 1
fi
port="${PORT:-$3}"
token="${TOKEN:-$("$python" -c 'import secrets; print(secrets.token_hex(16))')}"
root_dir="${NOTEBOOK_DIR:-$repo/notebooks}"
