"""The repo2docker build (mybinder.org, a JupyterHub image) checked statically: no Docker here.

repo2docker reads ``environment.yml`` (conda) and then runs ``postBuild`` from the repository's
folder. What can be checked without building: both files parse, the environment pins what the
notebooks need in a form repo2docker understands, ``postBuild`` is an executable bash script
without syntax errors that installs vizkit and the JupyterLab settings, and nothing in the
repository would make repo2docker ignore these files. ``postBuild`` itself was run in a fresh
venv by hand (README, "A whole class").
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml
from packaging.specifiers import SpecifierSet

ROOT = Path(__file__).resolve().parents[1]
POST_BUILD = ROOT / "postBuild"
# The torch releases installed here (offline wheels); the environment must allow them.
INSTALLED = {"pytorch": "2.14.1", "torchvision": "0.29.1"}
# conda MatchSpec as written in environment files: name, then an optional version spec.
CONDA_SPEC = re.compile(r"[A-Za-z0-9_.\-]+(=[^\s=<>!]+|[<>=!]=?[^\s]+)?")


def environment() -> dict[str, Any]:
    data = yaml.safe_load((ROOT / "environment.yml").read_text())
    assert isinstance(data, dict), "environment.yml must be a YAML mapping"
    return data


def conda_entries() -> list[str]:
    return [d for d in environment()["dependencies"] if isinstance(d, str)]


def pip_entries() -> list[str]:
    pips = [d["pip"] for d in environment()["dependencies"] if isinstance(d, dict)]
    assert len(pips) == 1, "environment.yml needs exactly one `pip:` section"
    return list(pips[0])


def test_environment_is_a_conda_environment_file() -> None:
    env = environment()
    assert set(env) <= {"name", "channels", "dependencies"}, f"unexpected keys {set(env)}"
    assert env["channels"] == ["conda-forge"]
    for entry in env["dependencies"]:
        if isinstance(entry, dict):
            assert set(entry) == {"pip"}, f"only a pip section may be a mapping, got {entry}"
        else:
            assert isinstance(entry, str) and CONDA_SPEC.fullmatch(entry), (
                f"{entry!r} is not a conda spec (name, optionally =version or a comparison)"
            )
    assert "pip" in conda_entries(), "list pip itself before a pip: section"


def test_python_is_pinned_as_repo2docker_reads_it() -> None:
    # repo2docker reads the Python version only from an exact `python=X.Y`.
    pythons = [e for e in conda_entries() if e.split("=")[0].split("<")[0] == "python"]
    assert len(pythons) == 1 and re.fullmatch(r"python=3\.\d+", pythons[0]), pythons


@pytest.mark.parametrize("name", sorted(INSTALLED))
def test_environment_allows_the_torch_installed_here(name: str) -> None:
    specs = dict(re.fullmatch(r"([A-Za-z0-9_.\-]+)(.*)", e).groups() for e in conda_entries())  # type: ignore[union-attr]
    assert name in specs, f"environment.yml must list {name}"
    spec = SpecifierSet(specs[name])
    assert spec.contains(INSTALLED[name]), f"{name}{specs[name]} must allow {INSTALLED[name]}"


def test_pip_section_installs_vizkit_from_this_folder() -> None:
    assert "-e ." in pip_entries()


def test_post_build_is_an_executable_bash_script() -> None:
    assert POST_BUILD.is_file(), "repo2docker runs ./postBuild; it is missing"
    assert os.access(POST_BUILD, os.X_OK), "postBuild must be executable (chmod +x; git mode 755)"
    text = POST_BUILD.read_text()
    assert text.startswith("#!/bin/bash\n") or text.startswith("#!/usr/bin/env bash\n")
    assert "set -euo pipefail" in text, "a failing step must fail the image build"
    bash = shutil.which("bash")
    if bash is None:
        pytest.skip("no bash to syntax-check postBuild")
    checked = subprocess.run([bash, "-n", str(POST_BUILD)], capture_output=True, text=True)
    assert checked.returncode == 0, checked.stderr


def test_post_build_installs_vizkit_and_the_lab_settings() -> None:
    commands = [
        line.strip()
        for line in POST_BUILD.read_text().splitlines()
        if line.strip() and not line.lstrip().startswith("#")
    ]
    assert any(re.search(r"pip install .*-e \.$", c) for c in commands), commands
    scripts = [c for c in commands if "install_lab_settings.py" in c]
    assert scripts and "--check" not in scripts[0], "install first, then check"
    assert any("--check" in c for c in scripts), "postBuild should verify the install"
    for command in scripts:
        path = ROOT / command.split()[1]
        assert path.is_file(), f"postBuild runs {path}, which is missing"
    overrides = json.loads((ROOT / "jupyter" / "overrides.json").read_text())
    assert overrides, "jupyter/overrides.json (the settings postBuild installs) is empty"


def test_nothing_makes_repo2docker_skip_these_files() -> None:
    # A Dockerfile wins over every other file; a binder/ or .binder/ folder makes repo2docker
    # read only that folder's files.
    for path in ("Dockerfile", "binder", ".binder"):
        assert not (ROOT / path).exists(), f"{path} would make repo2docker ignore environment.yml"


def test_readme_says_how_to_serve_a_class() -> None:
    readme = (ROOT / "README.md").read_text()
    for needed in ("repo2docker", "singleuser", "nvidia.com/gpu", "postBuild"):
        assert needed in readme, f"README.md should explain the JupyterHub set-up ({needed})"
