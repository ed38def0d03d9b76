"""``make present`` (lecture mode): the Makefile target runs scripts/present.sh, and the
script starts Voilà on notebooks/ the way the README says. Checked with a stand-in ``voila``
that prints its arguments; tests/browser/test_lecture_mode.py starts the real one."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = ROOT / "scripts" / "present.sh"


@pytest.fixture
def fake_venv(tmp_path: Path) -> Path:
    """A venv whose ``voila`` prints one argument per line instead of serving."""
    bin_dir = tmp_path / "venv" / "bin"
    bin_dir.mkdir(parents=True)
    (bin_dir / "python").symlink_to(sys.executable)
    voila = bin_dir / "voila"
    voila.write_text('#!/usr/bin/env bash\necho "THEME $VIZKIT_THEME"\nprintf "ARG %s\\n" "$@"\n')
    voila.chmod(0o755)
    return tmp_path / "venv"


def _clean_env() -> dict[str, str]:
    """This process's environment without what the script reads (a developer's own)."""
    drop = ("PORT", "TOKEN", "NOTEBOOK_DIR", "VIZKIT_THEME")
    return {k: v for k, v in os.environ.items() if k not in drop}


def _run(venv: Path, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(SCRIPT)],
        env={**_clean_env(), "VIZKIT_VENV": str(venv), **env},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_present_starts_voila_on_localhost_with_a_fixed_port_and_token(
    fake_venv: Path, tmp_path: Path
) -> None:
    run = _run(fake_venv, PORT="8871", TOKEN="abc123", NOTEBOOK_DIR=str(tmp_path))
    assert run.returncode == 0, run.stderr
    args = re.findall(r"^ARG (.*)$", run.stdout, re.MULTILINE)
    assert args == [
        "--no-browser",
        "--Voila.ip=127.0.0.1",
        "--Voila.port=8871",
        "--Voila.port_retries=0",
        "--Voila.token=abc123",
        f"--Voila.root_dir={tmp_path}",
        "--show_tracebacks=True",
        str(tmp_path),  # the folder: Voilà's index of its notebooks
    ]
    assert "--allow-root" not in args  # voila has no such flag, and needs none as root
    assert "http://127.0.0.1:8871/?token=abc123" in run.stdout
    assert "THEME lecture" in run.stdout  # the kernels' vk.theme() picks the projector theme
    kept = _run(
        fake_venv, PORT="8871", TOKEN="t", NOTEBOOK_DIR=str(tmp_path), VIZKIT_THEME="notebook"
    )
    assert "THEME notebook" in kept.stdout


def test_present_defaults_serve_notebooks_on_8866_with_a_fresh_token(fake_venv: Path) -> None:
    run = subprocess.run(
        [str(SCRIPT), "--debug"],
        env={**_clean_env(), "VIZKIT_VENV": str(fake_venv)},
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    args = re.findall(r"^ARG (.*)$", run.stdout, re.MULTILINE)
    assert "--Voila.port=8866" in args and "--debug" in args  # extra arguments pass through
    assert args[-1] == str(ROOT / "notebooks")
    token = re.search(r"--Voila.token=([0-9a-f]{32})$", "\n".join(args), re.MULTILINE)
    assert token, args
    assert f"http://127.0.0.1:8866/?token={token.group(1)}" in run.stdout  # printed = served


def test_present_without_voila_says_how_to_install(tmp_path: Path) -> None:
    run = _run(tmp_path / "nowhere")
    assert run.returncode == 1
    assert "no voila in" in run.stderr and "make venv" in run.stderr


def test_makefile_present_target_runs_the_script() -> None:
    makefile = (ROOT / "Makefile").read_text()
    target = re.search(r"^present: .*\n((?:\t.*\n)+)", makefile, re.MULTILINE)
    assert target, "Makefile lacks `present`"
    assert "scripts/present.sh" in target.group(1)
    assert "make present" in makefile  # make help lists it
    readme = (ROOT / "README.md").read_text()
    assert "make present" in readme and "Lecture mode" in readme and 'vk.theme("lecture")' in readme
