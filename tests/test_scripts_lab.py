"""``make lab`` (scripts/lab.sh) and the preamble it shares with ``make present``
(scripts/_lab_common.sh), checked with a stand-in ``jupyter`` that prints its arguments.

The stand-in environment is a real (empty) venv layout — ``bin/python`` plus ``pyvenv.cfg`` —
so the script's own ``install_lab_settings.py`` call writes into it, not into this machine's
Python. tests/browser/ starts the real JupyterLab through the same script; tests/test_present.py
checks present.sh's flags.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SCRIPTS = ROOT / "scripts"
LAB = SCRIPTS / "lab.sh"
COMMON = SCRIPTS / "_lab_common.sh"


@pytest.fixture
def fake_venv(tmp_path: Path) -> Path:
    """A venv whose ``jupyter`` prints one argument per line instead of serving."""
    venv = tmp_path / "venv"
    bin_dir = venv / "bin"
    bin_dir.mkdir(parents=True)
    base = Path(getattr(sys, "_base_executable", sys.executable))
    (bin_dir / "python").symlink_to(base)
    # pyvenv.cfg makes sys.prefix this folder: the settings installer writes here.
    (venv / "pyvenv.cfg").write_text(
        f"home = {base.parent}\ninclude-system-site-packages = false\n"
    )
    jupyter = bin_dir / "jupyter"
    jupyter.write_text('#!/usr/bin/env bash\nprintf "ARG %s\\n" "$@"\n')
    jupyter.chmod(0o755)
    return venv


def _clean_env() -> dict[str, str]:
    """This process's environment without what the scripts read (a developer's own)."""
    drop = ("PORT", "TOKEN", "NOTEBOOK_DIR", "VIZKIT_VENV", "VIZKIT_THEME")
    return {k: v for k, v in os.environ.items() if k not in drop}


def _run(venv: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(LAB), *args],
        env={**_clean_env(), "VIZKIT_VENV": str(venv), **env},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def _args(run: subprocess.CompletedProcess[str]) -> list[str]:
    return re.findall(r"^ARG (.*)$", run.stdout, re.MULTILINE)


def test_lab_starts_jupyterlab_on_localhost_with_a_fixed_port_and_token(
    fake_venv: Path, tmp_path: Path
) -> None:
    run = _run(fake_venv, PORT="8891", TOKEN="abc123", NOTEBOOK_DIR=str(tmp_path))
    assert run.returncode == 0, run.stderr
    expected = [
        "lab",
        "--no-browser",
        "--ServerApp.ip=127.0.0.1",
        "--ServerApp.port=8891",
        "--ServerApp.port_retries=0",
        "--IdentityProvider.token=abc123",
        f"--ServerApp.root_dir={tmp_path}",
    ]
    if os.geteuid() == 0:
        expected.append("--allow-root")  # jupyter refuses root without it
    assert _args(run) == expected
    assert "http://127.0.0.1:8891/lab/tree/00_start_here.ipynb?token=abc123" in run.stdout
    # the settings (no news prompt, no "Select Kernel" dialog) went into the venv it runs
    overrides = fake_venv / "share" / "jupyter" / "lab" / "settings" / "overrides.json"
    shipped = json.loads((ROOT / "jupyter" / "overrides.json").read_text())
    assert json.loads(overrides.read_text()) == shipped


def test_lab_defaults_serve_notebooks_on_8888_with_a_fresh_token(fake_venv: Path) -> None:
    first, second = _run(fake_venv, "--debug"), _run(fake_venv)
    assert first.returncode == 0, first.stderr
    args = _args(first)
    assert "--ServerApp.port=8888" in args and args[-1] == "--debug"  # extra args pass through
    assert f"--ServerApp.root_dir={ROOT / 'notebooks'}" in args
    tokens = [
        re.search(r"--IdentityProvider.token=([0-9a-f]{32})\n", run.stdout + "\n")
        for run in (first, second)
    ]
    assert tokens[0] and tokens[1], first.stdout
    assert tokens[0].group(1) != tokens[1].group(1)  # a fresh one each start
    printed = f"http://127.0.0.1:8888/lab/tree/00_start_here.ipynb?token={tokens[0].group(1)}"
    assert printed in first.stdout  # the URL printed is the one served


def test_lab_without_jupyter_says_how_to_install(tmp_path: Path) -> None:
    run = _run(tmp_path / "nowhere")
    assert run.returncode == 1
    assert f"no JupyterLab in {tmp_path / 'nowhere'}" in run.stderr and "make venv" in run.stderr


@pytest.mark.parametrize("script", ["lab.sh", "present.sh"])
def test_both_scripts_source_the_one_preamble(script: str) -> None:
    path = SCRIPTS / script
    assert os.access(path, os.X_OK), f"chmod +x scripts/{script}"
    text = path.read_text()
    assert re.match(r"#!/usr/bin/env bash\n", text) and "set -euo pipefail" in text
    assert re.search(
        r'^source "\$\(dirname "\$\{BASH_SOURCE\[0\]\}"\)/_lab_common\.sh" ', text, re.M
    )
    for duplicated in ('token="${TOKEN', 'port="${PORT', 'venv="${VIZKIT_VENV', "make venv"):
        assert duplicated not in text, (
            f"scripts/{script} repeats {duplicated!r}: it is in _lab_common.sh"
        )
    subprocess.run(["bash", "-n", str(path)], check=True)


def test_the_preamble_is_sourced_not_run_and_checks_its_arguments() -> None:
    assert not os.access(COMMON, os.X_OK), "scripts/_lab_common.sh is sourced: chmod -x it"
    subprocess.run(["bash", "-n", str(COMMON)], check=True)
    run = subprocess.run(
        ["bash", "-c", f'set -euo pipefail; source "{COMMON}" jupyter; echo unreachable'],
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    assert run.returncode == 2 and "unreachable" not in run.stdout
    assert "expected EXECUTABLE LABEL DEFAULT_PORT, got 1 argument(s)" in run.stderr
