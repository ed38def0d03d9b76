"""The house rules, checked on every module: who may import whom, and no cycles.

Two checks:

* **AST scan of every module** under ``vizkit/`` (not only package roots): each file belongs
  to a room (``geometry``, ``sliding``, ``render`` …), and each room has a list of what it may
  import — third-party packages and other vizkit rooms — anywhere in the file, including
  imports inside functions. Imports under ``if TYPE_CHECKING:`` are for annotations and do not
  count. A file in no known room fails the test, so a new or renamed module cannot slip past.
  The module-level vizkit imports form a graph that must have no cycle.
* **Fresh-interpreter probes** of the namespaces users import first (``import vizkit`` loads no
  torch, numpy or plotly; ``import vizkit.geometry`` only the standard library …), since an
  AST scan cannot see what a third-party package drags in.

``geometry`` ← ``sliding`` ← ``render`` ← ``widgets``; the torch rooms (``summary``,
``inspect``, ``demos``, ``zoo``, ``train``, ``dip``, ``data``, ``device``) return data and never
import ``render``, ``widgets`` or ``exercises``, nor plotly or ipywidgets.
"""

from __future__ import annotations

import ast
import importlib.util
import json
import subprocess
import sys
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "vizkit"

BASE = ("_lazy", "_suggest", "_validate", "quick")  # private stdlib helpers, the quick switch
TORCH_ROOMS = ("summary", "inspect", "demos", "zoo", "train", "dip", "data", "device", "lectures")
SCIENCE = ("numpy", "scipy", "skimage", "sklearn", "PIL", "imageio", "tqdm")
TORCH = ("torch", "torchvision")
UI = ("plotly", "ipywidgets", "anywidget", "IPython", "kaleido")

# room → (third-party top-level packages it may import, vizkit rooms it may import)
RULES: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "_lazy": ((), ("_suggest",)),
    "_suggest": ((), ()),
    "_validate": ((), ("_suggest",)),
    "quick": ((), ()),
    "geometry": ((), ("geometry", "_suggest", "_validate")),
    "sliding": (("numpy", "skimage"), ("geometry", "sliding", *BASE)),
    "render": (
        # _plotly_utils: plotly's own helpers (same distribution), for render/_plotly_internals
        ("numpy", "plotly", "_plotly_utils", "PIL", "imageio", "kaleido"),
        ("geometry", "sliding", "render", *BASE),
    ),
    "export": (
        ("numpy", "plotly", "PIL", "imageio", "imageio_ffmpeg"),
        ("render", "geometry", *BASE),
    ),
    "cli": (("numpy",), ("render", "export", "sliding", "geometry", "", *BASE)),
    **{
        room: ((*SCIENCE, *TORCH), ("geometry", "sliding", *TORCH_ROOMS, *BASE))
        for room in TORCH_ROOMS
    },
    "exercises": (
        (*SCIENCE, *TORCH, "ipywidgets", "IPython"),
        ("geometry", "sliding", *TORCH_ROOMS, "exercises", *BASE),
    ),
    "widgets": (
        # traitlets: the trait types of ipywidgets/anywidget; ipykernel: only
        # widgets/_kernel_clicks.py (a Stop click during a running cell), imported lazily
        (*SCIENCE, *TORCH, *UI, "traitlets", "ipykernel"),
        ("geometry", "sliding", "render", "widgets", *TORCH_ROOMS, *BASE),
    ),
    "": ((), ("geometry", *BASE)),  # vizkit/__init__.py: eager imports only of the light layers
}  # fmt: skip


def room_of(module: str) -> str:
    """``vizkit.render.conv`` → ``render``; ``vizkit`` → ``""``."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else ""


def module_name(path: Path) -> str:
    rel = path.relative_to(PACKAGE.parent).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def all_modules() -> dict[str, Path]:
    return {module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def imports_of(path: Path, module: str) -> list[tuple[str, bool, int]]:
    """``(imported module, at module level?, line)`` for every import outside TYPE_CHECKING."""
    tree = ast.parse(path.read_text(), filename=str(path))
    found: list[tuple[str, bool, int]] = []
    is_package = path.name == "__init__.py"

    def visit(node: ast.AST, top: bool) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.If) and _is_type_checking(child.test):
                for sub in child.orelse:
                    visit(sub, top)
                continue
            if isinstance(child, ast.Import):
                found.extend((alias.name, top, child.lineno) for alias in child.names)
            elif isinstance(child, ast.ImportFrom):
                if child.level:
                    base = module.split(".")
                    base = base if is_package else base[:-1]
                    base = base[: len(base) - (child.level - 1)]
                    target = ".".join([*base, child.module] if child.module else base)
                else:
                    target = child.module or ""
                found.append((target, top, child.lineno))
                for alias in child.names:  # `from vizkit.render import _grid` names a module
                    candidate = f"{target}.{alias.name}"
                    if target.startswith("vizkit") and candidate in MODULES:
                        found.append((candidate, top, child.lineno))
            inner = top and not isinstance(
                child, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda
            )
            visit(child, inner)

    visit(tree, True)
    return found


MODULES = all_modules()


def test_every_module_is_in_a_known_room() -> None:
    unknown = sorted(m for m in MODULES if room_of(m) not in RULES)
    assert unknown == [], (
        f"modules in no known room: {unknown}; add the room and its import rules to "
        "tests/test_layering.py"
    )
    assert len(MODULES) > 100  # the scan really walked the package


@pytest.mark.parametrize("module", sorted(MODULES))
def test_module_imports_only_what_its_room_allows(module: str) -> None:
    third_party, rooms = RULES[room_of(module)]
    bad = []
    for target, _top, line in imports_of(MODULES[module], module):
        top_name = target.split(".")[0]
        if top_name == "vizkit":
            if room_of(target) not in rooms and room_of(target) != room_of(module):
                bad.append(f"line {line}: {target}")
        elif top_name not in sys.stdlib_module_names and top_name not in third_party:
            bad.append(f"line {line}: {target}")
    assert bad == [], f"{module} ({room_of(module) or 'vizkit'} room) may not import {bad}"


def test_no_import_cycles_at_module_level() -> None:
    graph: dict[str, set[str]] = {
        module: {
            target
            for target, top, _ in imports_of(path, module)
            if top and target in MODULES and target != module
        }
        for module, path in MODULES.items()
    }
    cycles = [sorted(c) for c in _strongly_connected(graph) if len(c) > 1]
    assert cycles == [], f"import cycles: {cycles}"


def _strongly_connected(graph: dict[str, set[str]]) -> list[set[str]]:
    """Tarjan's algorithm, iterative enough for a package of a few hundred modules."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    result: list[set[str]] = []

    def connect(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in graph.get(v, ()):
            if w not in index:
                connect(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = set()
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.add(w)
                if w == v:
                    break
            result.append(component)

    for v in graph:
        if v not in index:
            connect(v)
    return result


def test_the_scanner_sees_violations(tmp_path: Path) -> None:
    # Guards the harness: a forbidden import inside a function, a relative import and a
    # TYPE_CHECKING-only import are each classified as they should be.
    source = tmp_path / "probe.py"
    source.write_text(
        "from typing import TYPE_CHECKING\n"
        "if TYPE_CHECKING:\n    import torch\n"
        "from . import _grid\n"
        "def f():\n    import plotly.graph_objects\n"
    )
    found = imports_of(source, "vizkit.render.probe")
    assert ("torch", True, 3) not in found
    assert ("vizkit.render._grid", True, 4) in found
    assert ("plotly.graph_objects", False, 6) in found
    components = _strongly_connected({"a": {"b"}, "b": {"a"}, "c": set()})
    assert [sorted(c) for c in components if len(c) > 1] == [["a", "b"]]


# --- what a fresh interpreter loads -------------------------------------------------------

PROBE = """
import importlib, json, sys
before = set(sys.modules)
importlib.import_module({name!r})
print(json.dumps(sorted(set(sys.modules) - before)))
"""

LOADS_NOTHING_HEAVY = ("numpy", *TORCH, "vizkit.render", "vizkit.widgets", *UI)
FORBIDDEN: dict[str, tuple[str, ...]] = {
    "vizkit": LOADS_NOTHING_HEAVY,
    "vizkit.geometry": LOADS_NOTHING_HEAVY,
    "vizkit.quick": LOADS_NOTHING_HEAVY,
    "vizkit.exercises": (*TORCH, *UI),
    "vizkit.sliding": (*TORCH, *UI),
    "vizkit.render": ("ipywidgets", "anywidget", "vizkit.widgets", *TORCH),
    # The package imports its explorers lazily; only the light calculator comes eagerly.
    "vizkit.widgets": (*TORCH, "plotly"),
    **{f"vizkit.{room}": UI for room in TORCH_ROOMS},
}
STDLIB_ONLY = ("vizkit", "vizkit.geometry", "vizkit.quick")


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


@pytest.mark.parametrize("module", sorted(FORBIDDEN))
def test_namespace_does_not_load_heavier_layers(module: str) -> None:
    assert importlib.util.find_spec(module) is not None, f"{module} is missing"
    bad = offenders(newly_loaded(module), FORBIDDEN[module])
    assert bad == [], f"`import {module}` loads {bad}; import them lazily inside functions"


@pytest.mark.parametrize("module", STDLIB_ONLY)
def test_pure_layers_use_only_the_standard_library(module: str) -> None:
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
    loaded = newly_loaded("vizkit.device.pick")
    assert "torch" in loaded
    assert offenders(loaded, ("torch",)) == ["torch"]
    assert offenders(["torchvision.models"], ("torch",)) == []
    assert offenders(["plotly.graph_objects"], ("plotly",)) == ["plotly"]
