"""The dependency direction, checked in a fresh interpreter per module.

``geometry`` ← ``sliding`` ← ``render`` ← ``widgets``; the torch side (``inspect``, ``zoo``,
``train``, ``dip``, ``device``) never imports ``render``/``widgets``. A module that drags in a
heavier library than its layer allows fails here, naming the module that got loaded.
Modules that do not exist yet are skipped, so this file grows with the package.
"""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys

import pytest

# The code run in the fresh interpreter: which modules does importing `name` add?
PROBE = """
import importlib, json, sys
before = set(sys.modules)
importlib.import_module({name!r})
print(json.dumps(sorted(set(sys.modules) - before)))
"""

UI = ("plotly", "ipywidgets", "anywidget", "vizkit.render", "vizkit.widgets")

# module → packages that importing it must not load
FORBIDDEN: dict[str, tuple[str, ...]] = {
    "vizkit": ("torch", "torchvision", "numpy", *UI),
    "vizkit.geometry": ("numpy", "torch", "torchvision", *UI),
    "vizkit.quick": ("numpy", "torch", *UI),
    "vizkit.sliding": ("torch", "torchvision", *UI),
    "vizkit.render": ("ipywidgets", "anywidget", "vizkit.widgets"),
    # The package imports its explorers lazily; only the light calculator comes eagerly.
    "vizkit.widgets": ("torch", "torchvision", "plotly"),
}
# The torch side returns data; it never imports plotly or the widgets.
TORCH_SIDE = (
    "vizkit.device",
    "vizkit.inspect",
    "vizkit.zoo",
    "vizkit.train",
    "vizkit.dip",
    "vizkit.data",
    "vizkit.layout",
)
FORBIDDEN.update({module: UI for module in TORCH_SIDE})

# Pure layers: nothing but the standard library (and vizkit itself).
STDLIB_ONLY = ("vizkit.geometry", "vizkit.quick")


def exists(module: str) -> bool:
    try:
        return importlib.util.find_spec(module) is not None
    except ModuleNotFoundError:  # a parent package is missing
        return False


def newly_loaded(module: str) -> list[str]:
    """Modules that `import module` adds to sys.modules in a fresh interpreter."""
    result = subprocess.run(
        [sys.executable, "-c", PROBE.format(name=module)],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, f"`import {module}` failed:\n{result.stderr}"
    loaded = json.loads(result.stdout.strip().splitlines()[-1])
    assert isinstance(loaded, list)
    return loaded


def offenders(loaded: list[str], forbidden: tuple[str, ...]) -> list[str]:
    return sorted({f for f in forbidden for m in loaded if m == f or m.startswith(f + ".")})


def skip_if_missing(module: str) -> None:
    if not exists(module):
        pytest.skip(f"{module} does not exist yet")


@pytest.mark.parametrize("module", sorted(FORBIDDEN))
def test_module_does_not_load_heavier_layers(module: str) -> None:
    skip_if_missing(module)
    bad = offenders(newly_loaded(module), FORBIDDEN[module])
    assert bad == [], f"`import {module}` loads {bad}; import them lazily inside functions"


@pytest.mark.parametrize("module", STDLIB_ONLY)
def test_pure_layers_use_only_the_standard_library(module: str) -> None:
    skip_if_missing(module)
    third_party = sorted(
        {
            m.split(".")[0]
            for m in newly_loaded(module)
            if m.split(".")[0] not in sys.stdlib_module_names and m.split(".")[0] != "vizkit"
        }
    )
    assert third_party == [], f"`import {module}` loads non-stdlib packages {third_party}"


def test_probe_sees_what_an_import_loads() -> None:
    # Guards the harness itself: if the probe reported nothing, every check above would pass.
    loaded = newly_loaded("vizkit.device")
    assert "torch" in loaded
    assert offenders(loaded, ("torch",)) == ["torch"]
    assert offenders(["torchvision.models"], ("torch",)) == []
    assert offenders(["plotly.graph_objects"], ("plotly",)) == ["plotly"]


def test_core_modules_exist() -> None:
    # The layers every notebook needs; the others are skipped above until they land.
    missing = [m for m in ("vizkit.geometry", "vizkit.quick", "vizkit.device") if not exists(m)]
    assert missing == []
