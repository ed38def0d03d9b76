"""The lecture notes' numbers against torch's: tables and a summary chart.

Data in (a :class:`vizkit.lectures.ClaimTable`, or anything with ``.rows`` of rows that have
``claim`` — with ``note``, ``section``, ``what``, ``stated``, ``remark``, ``error_kind`` —
``shown``, ``how``, ``agrees``, ``explanation`` and ``citation``), ``go.Figure`` out. Rows where
the note and torch disagree are highlighted and carry their explanation.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import plotly.graph_objects as go

from vizkit._validate import check_optional_int
from vizkit.render._args import check_text
from vizkit.render.theme import current_theme

if TYPE_CHECKING:
    from vizkit.lectures import ClaimRow, ClaimTable

__all__ = ["claims_summary_figure", "claims_table_figure", "seed_errors_figure"]

AGREE_FILL = "#ffffff"
DISAGREE_FILL = "#fde2e1"
HEADER_FILL = "#34495e"
KIND_COLORS = {
    "typo": "#d55e00",
    "arithmetic": "#cc79a7",
    "rounding": "#e69f00",
    "convention": "#0072b2",
    "variant": "#009e73",
    "inconsistent": "#8e44ad",
    "terminology": "#56b4e9",
}
"""A colour per kind of disagreement (Okabe & Ito's palette, plus purple)."""


def _rows(table: ClaimTable | Sequence[ClaimRow]) -> list[Any]:
    rows = getattr(table, "rows", table)
    if isinstance(rows, str) or not isinstance(rows, Sequence):
        raise TypeError(
            f"table: expected a ClaimTable (vk.recompute_claims()) or a list of its rows, "
            f"got {type(table).__name__}"
        )
    for r in rows:
        if not all(hasattr(r, a) for a in ("claim", "shown", "agrees", "explanation", "how")):
            raise TypeError(
                f"table holds {r!r}, which is not a claim row: it needs claim, shown, agrees, "
                "explanation and how (see vizkit.lectures.ClaimRow)"
            )
    return list(rows)


def _check_options(title: object, height: object) -> None:
    """The title (a str or None) and the height in pixels (100 … 5000, or None)."""
    check_text("title", title)
    check_optional_int("height", height, minimum=100, maximum=5000, fix="use e.g. height=600")


def _italics(text: str) -> str:
    """A citation's Markdown ``*title*`` as plotly's ``<i>title</i>`` (a title shows the
    asterisks otherwise).

    >>> _italics("Straka, NPFL114 lecture 4 *Convolutional Neural Networks* (2019)")
    'Straka, NPFL114 lecture 4 <i>Convolutional Neural Networks</i> (2019)'
    """
    return re.sub(r"\*([^*]+)\*", r"<i>\1</i>", text)


def _height(n: int, per_row: float, *, most: int = 900) -> int:
    return int(min(most, 150 + per_row * n))


def claims_table_figure(
    table: ClaimTable | Sequence[ClaimRow], *, title: str | None = None, height: int | None = None
) -> go.Figure:
    """Every claim of a table: what the note says, what torch computes, whether they agree.

    Args:
        table: ``vk.recompute_claims()`` or one note of it (``.note("bakhshi")``).
        title: figure title; default: the note's citation (or "All five notes") and the counts.
        height: pixels; default grows with the rows up to 900 (the table scrolls inside).

    Returns:
        A ``go.Figure`` with one ``go.Table``: columns section, claim, the note says, torch
        computes, agrees (✓ / ✗), and why (the explanation where they disagree, else how torch
        computed it). Disagreeing rows are filled with :data:`DISAGREE_FILL`.

    Raises:
        TypeError: ``table`` is not a claim table or a list of its rows.
        ValueError: it has no rows.
    """
    _check_options(title, height)
    rows = _rows(table)
    if not rows:
        raise ValueError("the table has no rows: pass vk.recompute_claims() or one note of it")
    theme = current_theme()
    fills = [AGREE_FILL if r.agrees else DISAGREE_FILL for r in rows]
    why = [
        r.claim.remark or r.how
        if r.agrees
        else f"<b>{r.claim.error_kind or 'unexplained'}</b>: {r.explanation}"
        for r in rows
    ]
    columns = [
        [r.claim.section for r in rows],
        [r.claim.what for r in rows],
        [r.claim.stated for r in rows],
        [r.shown for r in rows],
        ["✓" if r.agrees else "✗" for r in rows],
        why,
    ]
    fig = go.Figure(
        go.Table(
            columnwidth=[1.4, 2.4, 1.5, 1.1, 0.6, 3.6],
            header={
                "values": [
                    "section",
                    "claim",
                    "the note says",
                    "torch computes",
                    "agrees",
                    "why it differs / how torch computed it",
                ],
                "fill_color": HEADER_FILL,
                "font": {"color": "white", "size": theme.font_size(12)},
                "align": "left",
            },
            cells={
                "values": columns,
                "fill_color": [fills] * len(columns),
                "font": {"size": theme.font_size(11), "color": theme.text_color},
                "align": "left",
                "height": 26,
            },
        )
    )
    citations = sorted({r.citation for r in rows})
    bad = sum(not r.agrees for r in rows)
    who = citations[0] if len(citations) == 1 else "All five notes"
    fig.update_layout(
        title=title
        or f"{_italics(who)}<br><sup>{len(rows)} numbers recomputed with torch, "
        f"{bad} disagree</sup>",
        height=height or _height(len(rows), 34),
        margin={"l": 10, "r": 10, "t": 60, "b": 10},
    )
    return fig


def seed_errors_figure(
    table: ClaimTable | Sequence[ClaimRow], *, title: str | None = None, height: int | None = None
) -> go.Figure:
    """The seed-error gallery: every claim torch disagrees with, and why.

    Args:
        table: ``vk.recompute_claims()`` (the agreeing rows are left out here).
        title: figure title.
        height: pixels; default grows with the rows up to 900.

    Returns:
        A ``go.Figure`` with one ``go.Table`` (note, section, claim, the note says, torch
        computes, kind, explanation); the kind cell is coloured by :data:`KIND_COLORS`.

    Raises:
        TypeError: ``table`` is not a claim table or a list of its rows.
        ValueError: no row disagrees.
    """
    _check_options(title, height)
    rows = [r for r in _rows(table) if not r.agrees]
    if not rows:
        raise ValueError("no claim disagrees with torch in this table: nothing to show")
    theme = current_theme()
    kinds = [r.claim.error_kind or "unexplained" for r in rows]
    plain = ["white"] * len(rows)
    fig = go.Figure(
        go.Table(
            columnwidth=[1.6, 1.3, 2.2, 1.3, 1.1, 1.25, 4.0],
            header={
                "values": [
                    "note",
                    "section",
                    "claim",
                    "the note says",
                    "torch computes",
                    "kind",
                    "explanation",
                ],
                "fill_color": HEADER_FILL,
                "font": {"color": "white", "size": theme.font_size(12)},
                "align": "left",
            },
            cells={
                "values": [
                    [r.citation.replace("*", "") for r in rows],
                    [r.claim.section for r in rows],
                    [r.claim.what for r in rows],
                    [r.claim.stated for r in rows],
                    [r.shown for r in rows],
                    kinds,
                    [r.explanation for r in rows],
                ],
                "fill_color": [plain] * 5 + [[KIND_COLORS.get(k, "#999") for k in kinds], plain],
                "font": {"size": theme.font_size(11), "color": theme.text_color},
                "align": "left",
                "height": 26,
            },
        )
    )
    fig.update_layout(
        title=title
        or f"Seed-error gallery: {len(rows)} numbers the notes state that torch "
        "computes differently",
        height=height or _height(len(rows), 60),
        margin={"l": 10, "r": 10, "t": 60, "b": 10},
    )
    return fig


def claims_summary_figure(
    table: ClaimTable | Sequence[ClaimRow], *, title: str | None = None
) -> go.Figure:
    """Per note: how many stated numbers torch confirms, and how many it does not, by kind.

    Args:
        table: ``vk.recompute_claims()``.
        title: figure title.

    Returns:
        A ``go.Figure`` of horizontal stacked bars: one bar per note, an "agrees" trace and one
        trace per kind of disagreement (:data:`KIND_COLORS`).

    Raises:
        TypeError: ``table`` is not a claim table or a list of its rows.
        ValueError: it has no rows.
    """
    _check_options(title, None)
    rows = _rows(table)
    if not rows:
        raise ValueError("the table has no rows: pass vk.recompute_claims()")
    notes = list(dict.fromkeys(r.citation for r in rows))
    labels = [n.split(" (")[0].replace("*", "") for n in notes]
    fig = go.Figure()
    fig.add_bar(
        y=labels,
        x=[sum(r.agrees for r in rows if r.citation == n) for n in notes],
        name="agrees",
        orientation="h",
        marker={"color": "#b8d8b8"},
    )
    for kind, color in KIND_COLORS.items():
        counts = [
            sum(not r.agrees and r.claim.error_kind == kind for r in rows if r.citation == n)
            for n in notes
        ]
        if any(counts):
            fig.add_bar(y=labels, x=counts, name=kind, orientation="h", marker={"color": color})
    fig.update_layout(
        barmode="stack",
        title=title or "Every number the notes state, recomputed with torch",
        xaxis={"title": "claims"},
        yaxis={"autorange": "reversed"},
        height=120 + 60 * len(notes),
        legend={"orientation": "h", "y": -0.25},
        margin={"l": 10, "r": 10, "t": 60, "b": 10},
    )
    return fig
