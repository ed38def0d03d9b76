"""The files that make `make lab`, Binder and a JupyterHub image the same JupyterLab, checked
without a browser (this module runs in the unit stage): jupyter/overrides.json names real
settings of the installed JupyterLab with valid values, the installer merges and is
idempotent, postBuild and scripts/lab.sh are executable, strict bash that does what the
README says, and nothing hides the root environment.yml from repo2docker."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
OVERRIDES = ROOT / "jupyter" / "overrides.json"
INSTALLER = ROOT / "scripts" / "install_lab_settings.py"
WANTED = {
    "@jupyterlab/apputils-extension:notification": {"fetchNews": "false", "checkForUpdates": False},
    "@jupyterlab/notebook-extension:tracker": {"autoStartDefaultKernel": True},
}


def installer(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(INSTALLER), *args], capture_output=True, text=True, check=False
    )


def test_overrides_switch_news_off_and_start_the_kernel() -> None:
    assert json.loads(OVERRIDES.read_text()) == WANTED


@pytest.mark.parametrize("plugin", sorted(WANTED))
def test_overrides_are_valid_settings_of_the_installed_jupyterlab(plugin: str) -> None:
    # A JupyterLab upgrade that renames a setting makes an override silently do nothing.
    schemas = Path(sys.prefix) / "share" / "jupyter" / "lab" / "schemas"
    if not schemas.is_dir():
        pytest.skip(f"no JupyterLab schemas in {schemas}")
    package, name = plugin.split(":")
    schema = json.loads((schemas / package / f"{name}.json").read_text())
    for key, value in WANTED[plugin].items():
        spec = schema["properties"].get(key)
        assert spec is not None, f"{plugin} has no setting {key!r} in this JupyterLab"
        allowed = [c["const"] for c in spec.get("oneOf", [])] or spec.get("enum")
        if allowed:
            assert value in allowed, f"{plugin}:{key} = {value!r}, allowed {allowed}"
        else:
            assert spec["type"] == {bool: "boolean", str: "string"}[type(value)]


def test_installer_installs_merges_and_is_idempotent(tmp_path: Path) -> None:
    target = tmp_path / "share" / "jupyter" / "lab" / "settings" / "overrides.json"
    assert installer("--prefix", str(tmp_path), "--check").returncode == 1
    assert not target.exists()  # --check never writes

    target.parent.mkdir(parents=True)
    mine = {
        "@jupyterlab/apputils-extension:themes": {"theme": "JupyterLab Dark"},
        "@jupyterlab/notebook-extension:tracker": {
            "autoStartDefaultKernel": False,
            "kernelShutdown": True,
        },
    }
    target.write_text(json.dumps(mine))
    done = installer("--prefix", str(tmp_path))
    assert done.returncode == 0, done.stderr
    installed = json.loads(target.read_text())
    assert installed["@jupyterlab/apputils-extension:themes"] == {"theme": "JupyterLab Dark"}
    assert installed["@jupyterlab/notebook-extension:tracker"] == {
        "autoStartDefaultKernel": True,
        "kernelShutdown": True,
    }
    assert (
        installed["@jupyterlab/apputils-extension:notification"]
        == WANTED["@jupyterlab/apputils-extension:notification"]
    )

    stamp = target.stat().st_mtime_ns
    again = installer("--prefix", str(tmp_path), "--quiet")
    assert again.returncode == 0 and again.stdout == ""
    assert target.stat().st_mtime_ns == stamp  # nothing rewritten
    assert installer("--prefix", str(tmp_path), "--check").returncode == 0


def test_installer_refuses_a_broken_overrides_file(tmp_path: Path) -> None:
    target = tmp_path / "share" / "jupyter" / "lab" / "settings" / "overrides.json"
    target.parent.mkdir(parents=True)
    target.write_text("{not json")
    done = installer("--prefix", str(tmp_path))
    assert done.returncode == 1
    assert "not valid JSON" in done.stderr and target.read_text() == "{not json"


@pytest.mark.parametrize("script", ["postBuild", "scripts/lab.sh"])
def test_scripts_are_executable_strict_bash(script: str) -> None:
    path = ROOT / script
    assert os.access(path, os.X_OK), f"chmod +x {script}"
    text = path.read_text()
    assert re.match(r"#!(/usr/bin/env bash|/bin/bash)\n", text)
    assert "set -euo pipefail" in text
    subprocess.run(["bash", "-n", str(path)], check=True)


def test_postbuild_installs_vizkit_and_the_settings() -> None:
    text = (ROOT / "postBuild").read_text()
    assert re.search(r"pip install .*-e \.", text)
    assert "python scripts/install_lab_settings.py" in text


def test_repo2docker_reads_the_root_environment_yml() -> None:
    # A binder/ or .binder/ folder makes repo2docker ignore every config file at the root.
    assert not (ROOT / "binder").exists() and not (ROOT / ".binder").exists()
    assert (ROOT / "environment.yml").is_file() and (ROOT / "postBuild").is_file()


def test_make_lab_and_the_browser_tests_start_the_same_script() -> None:
    makefile = (ROOT / "Makefile").read_text()
    recipe = re.search(r"^lab:.*\n((?:\t.*\n)+)", makefile, re.MULTILINE)
    assert recipe and "scripts/lab.sh" in recipe.group(1)
    assert "jupyter lab" not in recipe.group(1)  # the flags live in the script only
    conftest = (ROOT / "tests" / "browser" / "conftest.py").read_text()
    assert 'ROOT / "scripts" / "lab.sh"' in conftest
    script = (ROOT / "scripts" / "lab.sh").read_text()
    for flag in (
        "--ServerApp.ip=127.0.0.1",
        "--ServerApp.port_retries=0",
        "--allow-root",
        "--no-browser",
        "install_lab_settings.py",
    ):
        assert flag in script
