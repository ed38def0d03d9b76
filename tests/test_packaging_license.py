"""pyproject.toml declares its licence the PEP 639 way: an SPDX expression string, built by a
setuptools that understands it. The ``{ text = "MIT" }`` table is deprecated by setuptools
(builds stop being supported after 2027-02-18) and PyPI rejects a ``License ::`` classifier
next to an SPDX ``license``."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

from packaging.requirements import Requirement
from packaging.version import Version

ROOT = Path(__file__).resolve().parents[1]
SPDX_SETUPTOOLS = Version("77")  # first setuptools that reads `license = "<SPDX>"`


def _pyproject() -> dict:
    with (ROOT / "pyproject.toml").open("rb") as f:
        return tomllib.load(f)


def test_license_is_an_spdx_expression_string() -> None:
    project = _pyproject()["project"]
    assert isinstance(project["license"], str), (
        f'project.license is {project["license"]!r}: write license = "MIT" (SPDX), not a table'
    )
    assert re.fullmatch(r"[A-Za-z0-9.+-]+(?: (?:AND|OR|WITH) [A-Za-z0-9.+-]+)*", project["license"])
    assert not [c for c in project.get("classifiers", []) if c.startswith("License ::")]


def test_build_system_requires_a_setuptools_that_reads_spdx() -> None:
    build = _pyproject()["build-system"]
    assert build["build-backend"] == "setuptools.build_meta"
    (setuptools,) = (Requirement(r) for r in build["requires"] if r.startswith("setuptools"))
    older = [v for v in ("68", "70.1", "76.1") if setuptools.specifier.contains(v)]
    assert older == [], f"[build-system] requires {setuptools}: allows {older}, raise it to >=77"
    assert setuptools.specifier.contains(SPDX_SETUPTOOLS)


def test_the_license_file_ships_with_the_package() -> None:
    project = _pyproject()["project"]
    files = project.get("license-files", [])
    assert "LICENSE" in files, "MIT asks for its notice in every copy: license-files = ['LICENSE']"
    text = (ROOT / "LICENSE").read_text()
    assert text.startswith(f"{project['license']} License") and "Copyright (c)" in text
