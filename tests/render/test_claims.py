"""The claim figures as data: one table row per claim, disagreements highlighted and explained."""

from __future__ import annotations

import plotly.graph_objects as go
import pytest

from vizkit.lectures import ClaimTable, claims, recompute_claims
from vizkit.render.claims import (
    AGREE_FILL,
    DISAGREE_FILL,
    KIND_COLORS,
    claims_summary_figure,
    claims_table_figure,
    seed_errors_figure,
)


@pytest.fixture(scope="module")
def small() -> ClaimTable:
    """Bakhshi's claims that need no zoo model, and two Raschka rows: a few of each outcome."""
    picked = [c for c in claims("bakhshi") if not c.computation.recipe.startswith(("zoo", "maj"))]
    picked += [c for c in claims("raschka_stat479") if c.computation.recipe == "pool_overlap"]
    return recompute_claims(claims=picked)


def test_table_figure_has_one_row_per_claim_and_marks_disagreements(small: ClaimTable) -> None:
    fig = claims_table_figure(small)
    (table,) = fig.data
    assert isinstance(table, go.Table)
    cells = table.cells.values
    assert len(cells) == 6 and all(len(col) == len(small) for col in cells)
    assert list(cells[2]) == [r.claim.stated for r in small]
    assert list(cells[3]) == [r.shown for r in small]
    marks = list(cells[4])
    assert marks.count("✗") == len(small.seed_errors()) >= 2
    fills = table.cells.fill.color[0]
    for row, mark, fill, why in zip(small, marks, fills, cells[5], strict=True):
        assert (mark == "✓") is row.agrees
        assert fill == (AGREE_FILL if row.agrees else DISAGREE_FILL)
        if not row.agrees:
            assert row.claim.error_kind in why and row.explanation in why
    assert "disagree" in fig.layout.title.text


def test_title_names_the_note(small: ClaimTable) -> None:
    fig = claims_table_figure(small.note("bakhshi"))
    assert fig.layout.title.text.startswith(  # the Markdown italics as plotly's
        "Bakhshi, <i>Convolutional Neural Networks</i> lecture notes (2021)<br>"
    )
    assert "*" not in fig.layout.title.text
    assert claims_table_figure(small).layout.title.text.startswith("All five notes")
    assert claims_table_figure(small, title="T", height=300).layout.height == 300


def test_seed_errors_figure_lists_only_disagreements_coloured_by_kind(small: ClaimTable) -> None:
    fig = seed_errors_figure(small)
    (table,) = fig.data
    bad = small.seed_errors()
    kinds = list(table.cells.values[5])
    assert kinds == [r.claim.error_kind for r in bad]
    assert list(table.cells.fill.color[5]) == [KIND_COLORS[k] for k in kinds]
    assert list(table.cells.values[6]) == [r.explanation for r in bad]
    assert f"{len(bad)} numbers" in fig.layout.title.text


def test_summary_figure_counts_agreements_and_kinds(small: ClaimTable) -> None:
    fig = claims_summary_figure(small)
    totals: dict[str, int] = {}
    for bar in fig.data:
        for label, x in zip(bar.y, bar.x, strict=True):
            totals[label] = totals.get(label, 0) + x
    assert sum(totals.values()) == len(small)
    agrees = next(b for b in fig.data if b.name == "agrees")
    assert sum(agrees.x) == sum(r.agrees for r in small)
    assert {b.name for b in fig.data} - {"agrees"} == {
        r.claim.error_kind for r in small.seed_errors()
    }
    assert fig.layout.barmode == "stack"


def test_wrong_inputs_are_refused(small: ClaimTable) -> None:
    with pytest.raises(TypeError, match="expected a ClaimTable"):
        claims_table_figure("bakhshi")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="is not a claim row"):
        claims_table_figure([1, 2])  # type: ignore[list-item]
    with pytest.raises(ValueError, match="the table has no rows"):
        claims_table_figure(ClaimTable(()))
    agreeing = ClaimTable(tuple(r for r in small if r.agrees))
    with pytest.raises(ValueError, match="no claim disagrees"):
        seed_errors_figure(agreeing)
    with pytest.raises(ValueError, match="the table has no rows"):
        claims_summary_figure([])
