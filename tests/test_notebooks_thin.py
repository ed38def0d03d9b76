"""The notebooks stay thin: one namespace, no decisions, lectures cited by author and title.

Read as text (json + ``ast``), not executed: ``pytest --nbmake`` runs them. Every code cell must
parse; vizkit is imported on at most three lines per notebook; code cells hold no ``def``,
``class``, loop, comprehension, ``lambda`` or ``x if c else y`` (that logic belongs in the
package, with a test); every ``vk.<name>`` (and ``vk.<topic>.<name>``) a cell uses exists;
markdown never cites a lecture by its seed file name, which a learner cannot open.
"""

from __future__ import annotations

import ast
import json
import re
from pathlib import Path
from types import ModuleType

import pytest

import vizkit

NOTEBOOKS = sorted((Path(__file__).resolve().parents[1] / "notebooks").glob("[0-9][0-9]_*.ipynb"))

FORBIDDEN: dict[type[ast.AST], str] = {
    ast.FunctionDef: "def",
    ast.AsyncFunctionDef: "async def",
    ast.ClassDef: "class",
    ast.For: "for loop",
    ast.AsyncFor: "async for loop",
    ast.While: "while loop",
    ast.ListComp: "list comprehension",
    ast.SetComp: "set comprehension",
    ast.DictComp: "dict comprehension",
    ast.GeneratorExp: "generator expression",
    ast.Lambda: "lambda",
    ast.IfExp: "conditional expression",
    ast.If: "if statement",
}

# "000_ff85c973a1afb225.txt", "seed `003`", "seeds `000`, `004`", "…/seeds/README"
SEED_NAME = re.compile(
    r"\b\d{3}_[0-9a-f]{6,}|\.txt\b|\bseeds?\s*`?\d{3}\b|\bseeds?/", re.IGNORECASE
)


def _cells(path: Path, kind: str) -> list[tuple[str, str]]:
    nb = json.loads(path.read_text(encoding="utf-8"))
    return [
        (str(cell.get("id")), "".join(cell["source"]))
        for cell in nb["cells"]
        if cell["cell_type"] == kind
    ]


def _trees(path: Path) -> list[tuple[str, ast.Module]]:
    out = []
    for cid, src in _cells(path, "code"):
        # IPython magics and shell escapes are not Python; the notebooks use none, keep it so
        assert not re.search(r"^\s*[%!]", src, re.MULTILINE), f"cell {cid}: magic or shell line"
        out.append((cid, ast.parse(src, filename=f"{path.name}[{cid}]")))
    return out


def _vizkit_import_lines(tree: ast.Module) -> set[int]:
    lines = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import) and any(
            a.name == "vizkit" or a.name.startswith("vizkit.") for a in node.names
        ):
            lines.add(node.lineno)
        if isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] == "vizkit":
            lines.add(node.lineno)
    return lines


def _vk_aliases(tree: ast.Module) -> set[str]:
    return {
        a.asname or a.name
        for node in ast.walk(tree)
        if isinstance(node, ast.Import)
        for a in node.names
        if a.name == "vizkit"
    }


def _vk_attributes(tree: ast.Module, aliases: set[str]) -> list[tuple[str, ...]]:
    """Every ``vk.a`` and ``vk.a.b`` chain, outermost first: ``("dip", "denoise")``."""
    chains = []
    for node in ast.walk(tree):
        parts: list[str] = []
        inner: ast.AST = node
        while isinstance(inner, ast.Attribute):
            parts.append(inner.attr)
            inner = inner.value
        if parts and isinstance(inner, ast.Name) and inner.id in aliases:
            chains.append(tuple(reversed(parts)))
    return chains


def test_there_are_notebooks() -> None:
    assert len(NOTEBOOKS) >= 9, [p.name for p in NOTEBOOKS]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_vizkit_is_imported_on_at_most_three_lines(path: Path) -> None:
    found = [
        f"cell {cid}, line {line}"
        for cid, tree in _trees(path)
        for line in sorted(_vizkit_import_lines(tree))
    ]
    assert 1 <= len(found) <= 3, f"{path.name} imports vizkit on {len(found)} lines: {found}"
    aliases = set().union(*(_vk_aliases(tree) for _, tree in _trees(path)))
    assert aliases == {"vk"}, f"{path.name}: use `import vizkit as vk`, found {aliases or None}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_code_cells_hold_no_decisions(path: Path) -> None:
    found = [
        f"cell {cid}, line {node.lineno}: {FORBIDDEN[type(node)]}"
        for cid, tree in _trees(path)
        for node in ast.walk(tree)
        if type(node) in FORBIDDEN
    ]
    assert found == [], (
        f"{path.name} holds logic that belongs in vizkit (with a test): " + "; ".join(found)
    )


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_every_vk_name_exists(path: Path) -> None:
    missing = []
    for cid, tree in _trees(path):
        for chain in _vk_attributes(tree, _vk_aliases(tree) or {"vk"}):
            top = chain[0]
            if not hasattr(vizkit, top):
                missing.append(f"cell {cid}: vk.{top}")
                continue
            value = getattr(vizkit, top)
            # a module is only ever a topic (vk.dip), never a function's namesake module
            if isinstance(value, ModuleType) and value.__name__ != f"vizkit.{top}":
                missing.append(f"cell {cid}: vk.{top} is the module {value.__name__}")
            if len(chain) < 2:
                continue
            # one level down (vk.dip.denoise, vk.ConvGeometry.create) must exist there too
            if not hasattr(value, chain[1]):
                missing.append(f"cell {cid}: vk.{top}.{chain[1]}")
            elif isinstance(getattr(value, chain[1]), ModuleType):
                missing.append(f"cell {cid}: vk.{top}.{chain[1]} is a module, not a name")
    assert missing == [], f"{path.name} uses names vizkit does not have: {missing}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_markdown_cites_lectures_not_seed_files(path: Path) -> None:
    found = [
        f"cell {cid}: {m.group(0)!r}"
        for cid, src in _cells(path, "markdown")
        for m in SEED_NAME.finditer(src)
    ]
    assert found == [], (
        f"{path.name} cites a seed file a learner cannot open ({found}); cite the lecture by "
        "author and title, e.g. Straka, NPFL138 *Convolutional Neural Networks*"
    )


def test_the_checks_catch_what_they_forbid(tmp_path: Path) -> None:
    # A test that cannot fail is a defect: a notebook breaking every rule fails every check.
    bad = {
        "cells": [
            {"cell_type": "markdown", "id": "a", "metadata": {},
             "source": ["Straka (seed `000`, 000_ff85c973a1afb225.txt)"]},
            {"cell_type": "code", "id": "b", "metadata": {}, "outputs": [],
             "execution_count": None,
             "source": ["import vizkit as vk\nfrom vizkit.dip import denoise\n"
                        "from vizkit import zoo\nimport vizkit.train as vt\n"
                        "x = [i for i in range(3)] if vk.is_quick() else None\n"
                        "vk.no_such_name\nvk.dip.no_such_function\n"]},
        ],
        "metadata": {}, "nbformat": 4, "nbformat_minor": 5,
    }  # fmt: skip
    path = tmp_path / "99_bad.ipynb"
    path.write_text(json.dumps(bad), encoding="utf-8")
    checks = (
        test_vizkit_is_imported_on_at_most_three_lines,
        test_code_cells_hold_no_decisions,
        test_every_vk_name_exists,
        test_markdown_cites_lectures_not_seed_files,
    )
    for check in checks:
        with pytest.raises(AssertionError):
            check(path)
    with pytest.raises(AssertionError, match=r"vk\.no_such_name.*vk\.dip\.no_such_function"):
        test_every_vk_name_exists(path)
    with pytest.raises(AssertionError) as decisions:
        test_code_cells_hold_no_decisions(path)
    assert "list comprehension" in str(decisions.value)
    assert "conditional expression" in str(decisions.value)
