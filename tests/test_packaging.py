"""Packaging checks: pyproject.toml and environment.yml agree, torch stays installable here,
and the entry points a newcomer uses (Makefile targets, .ci/run, README) exist."""

from __future__ import annotations

import os
import re
import tomllib
from pathlib import Path
from typing import Any

import pytest
import yaml
from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet

ROOT = Path(__file__).resolve().parents[1]

# conda-forge name → PyPI name, where they differ.
CONDA_TO_PIP = {"pytorch": "torch"}
# Conda entries that are tooling, not packages pyproject could name.
CONDA_ONLY = {"python", "pip"}
# Newest releases that install on the machines here (offline wheels); never require newer.
CAPS = {"torch": "2.14.1", "torchvision": "0.29.1"}


def normalise(name: str) -> str:
    """PEP 503 normalisation plus the conda→pip renames."""
    name = re.sub(r"[-_.]+", "-", name).lower()
    return CONDA_TO_PIP.get(name, name)


def load_pyproject() -> dict[str, Any]:
    with (ROOT / "pyproject.toml").open("rb") as f:
        return tomllib.load(f)


def pyproject_requirements() -> list[Requirement]:
    project = load_pyproject()["project"]
    reqs = [Requirement(r) for r in project["dependencies"]]
    reqs += [Requirement(r) for r in project["optional-dependencies"]["dev"]]
    return reqs


def load_environment() -> dict[str, Any]:
    with (ROOT / "environment.yml").open() as f:
        data = yaml.safe_load(f)
    assert isinstance(data, dict), "environment.yml must be a mapping"
    return data


def split_conda_spec(spec: str) -> tuple[str, str]:
    """'pytorch>=2.2,<=2.14.1' → ('pytorch', '>=2.2,<=2.14.1')."""
    match = re.fullmatch(r"\s*([A-Za-z0-9_.\-]+)\s*(.*?)\s*", spec)
    assert match, f"cannot read conda spec {spec!r}"
    return match.group(1), match.group(2)


def environment_entries() -> tuple[list[str], list[str]]:
    """(conda specs, pip specs) from environment.yml."""
    conda: list[str] = []
    pip: list[str] = []
    for entry in load_environment()["dependencies"]:
        if isinstance(entry, dict):
            pip.extend(entry["pip"])
        else:
            conda.append(entry)
    return conda, pip


def environment_package_names() -> set[str]:
    conda, pip = environment_entries()
    names = {normalise(split_conda_spec(s)[0]) for s in conda}
    names |= {normalise(Requirement(s).name) for s in pip if not s.startswith("-")}
    return names - CONDA_ONLY


def test_environment_uses_conda_forge_and_python_311() -> None:
    env = load_environment()
    assert env["channels"] == ["conda-forge"]
    conda, pip = environment_entries()
    assert "python=3.11" in conda
    assert "-e ." in pip, "environment.yml must install vizkit itself (pip: -e .)"
    requires_python = SpecifierSet(load_pyproject()["project"]["requires-python"])
    assert requires_python.contains("3.11")


def test_environment_and_pyproject_name_the_same_packages() -> None:
    in_pyproject = {normalise(r.name) for r in pyproject_requirements()}
    in_environment = environment_package_names()
    assert in_environment - in_pyproject == set(), "only in environment.yml"
    assert in_pyproject - in_environment == set(), "only in pyproject.toml"


def test_normalise_maps_conda_names() -> None:
    assert normalise("pytorch") == "torch"
    assert normalise("Scikit_Image") == "scikit-image"
    assert normalise("torchvision") == "torchvision"


@pytest.mark.parametrize("package", sorted(CAPS))
def test_pyproject_never_requires_newer_torch(package: str) -> None:
    reqs = {normalise(r.name): r for r in pyproject_requirements()}
    assert package in reqs, f"pyproject.toml must depend on {package}"
    spec = reqs[package].specifier
    cap = CAPS[package]
    assert spec.contains(cap), f"{package} {spec} must allow {cap}, the release installed here"
    major, minor, patch = (int(p) for p in cap.split("."))
    for newer in (f"{major}.{minor}.{patch + 1}", f"{major}.{minor + 1}.0", f"{major + 1}.0.0"):
        assert not spec.contains(newer), f"{package} {spec} allows {newer}; cap it at <={cap}"


@pytest.mark.parametrize(
    "conda_name,package", [("pytorch", "torch"), ("torchvision", "torchvision")]
)
def test_environment_caps_torch_like_pyproject(conda_name: str, package: str) -> None:
    conda, _ = environment_entries()
    specs = dict(split_conda_spec(s) for s in conda)
    spec = SpecifierSet(specs[conda_name])
    reqs = {normalise(r.name): r for r in pyproject_requirements()}
    assert spec == reqs[package].specifier


def test_py_typed_is_shipped() -> None:
    assert (ROOT / "vizkit" / "py.typed").is_file()
    assert "py.typed" in load_pyproject()["tool"]["setuptools"]["package-data"]["vizkit"]


def test_ci_script_is_executable_and_strict() -> None:
    script = ROOT / ".ci" / "run"
    assert os.access(script, os.X_OK), ".ci/run must be executable (chmod +x .ci/run)"
    text = script.read_text()
    assert text.startswith("#!/usr/bin/env bash") or text.startswith("#!/bin/bash")
    assert "set -euo pipefail" in text
    assert "make test" in text


def test_makefile_has_the_documented_targets() -> None:
    makefile = (ROOT / "Makefile").read_text()
    for target in ("lab", "test", "lint", "bench", "clean"):
        assert re.search(rf"^{target}:", makefile, re.MULTILINE), f"Makefile lacks `{target}`"


def test_readme_names_the_two_commands() -> None:
    readme = (ROOT / "README.md").read_text()
    assert "make lab" in readme and "make test" in readme
    assert "VIZKIT_QUICK=1" in readme
