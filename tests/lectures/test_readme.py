"""``notebooks/README.md`` maps every section of every note to notebook sections that exist."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from vizkit.lectures import NOTES

ROOT = Path(__file__).resolve().parents[2] / "notebooks"
README = (ROOT / "README.md").read_text(encoding="utf-8")
REFERENCE = re.compile(r"^(\d\d) · (.+)$")


def _note_table(citation: str) -> dict[str, str]:
    """Rows (section → "shown in" cell) of the table under the heading ``### citation``."""
    _, found, rest = README.partition(f"### {citation}\n")
    assert found, f"README has no heading '### {citation}'"
    rows = {}
    for line in rest.split("\n### ")[0].splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if line.startswith("|") and len(cells) == 2 and not set(cells[0]) <= {"-"}:
            rows[cells[0]] = cells[1]
    rows.pop("Section of the note", None)
    return rows


def _headings(number: str) -> list[str]:
    (path,) = ROOT.glob(f"{number}_*.ipynb")
    nb = json.loads(path.read_text(encoding="utf-8"))
    return [
        line.lstrip("#").strip()
        for cell in nb["cells"]
        if cell["cell_type"] == "markdown"
        for line in "".join(cell["source"]).splitlines()
        if line.startswith("#")
    ]


@pytest.mark.parametrize("key", list(NOTES))
def test_every_section_of_the_note_is_mapped(key: str) -> None:
    note = NOTES[key]
    rows = _note_table(note.citation)
    assert list(rows) == list(note.sections)
    assert all(rows.values())


@pytest.mark.parametrize("key", list(NOTES))
def test_every_reference_names_an_existing_notebook_section(key: str) -> None:
    missing, checked = [], 0
    for section, shown in _note_table(NOTES[key].citation).items():
        for item in (i.strip() for i in shown.split(";")):
            if "**planned**" in item:
                continue
            match = REFERENCE.match(item)
            assert match, f"{section}: {item!r} is neither 'NN · heading' nor planned"
            number, title = match.groups()
            title = re.sub(r" \([^()]*\)$", "", title)  # a trailing "(what it shows)"
            checked += 1
            if not any(h.startswith(title) for h in _headings(number)):
                missing.append(f"{section}: {number} · {title}")
    assert missing == [], f"README names notebook sections that do not exist: {missing}"
    assert checked >= 15


def test_the_checker_sees_a_wrong_reference() -> None:
    assert not any(h.startswith("No such section") for h in _headings("04"))
    assert any(h.startswith("GoogLeNet: the paper's Table 1") for h in _headings("04"))
