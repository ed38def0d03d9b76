"""A plain HTML table for the demos' result objects (their ``_repr_html_``), nothing else.

Why not :func:`vizkit.summary.table_html.table_html` (layering would allow the import): that
draws one ``LayerTable`` — fixed columns, classes for unused and "own" rows, SI-prefixed MACs,
a notes list — and takes no headers or rows; this takes any headers and rows and formats each
cell by its type. Either serving the other would need options only the other uses.
"""

from __future__ import annotations

import html
from collections.abc import Sequence

__all__ = ["html_table"]


def _cell(value: object) -> str:
    if isinstance(value, bool):
        return "✓" if value else "✗"
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float):
        return f"{value:.3g}" if abs(value) < 1e-2 and value != 0 else f"{value:,.4g}"
    if isinstance(value, tuple):
        return html.escape(" × ".join(map(str, value))) if value else "—"
    return html.escape(str(value))


def html_table(headers: Sequence[str], rows: Sequence[Sequence[object]], *, css: str) -> str:
    """``<table class="vizkit-{css}">`` with one header row and one row per item of ``rows``.

    ints get thousands separators, tuples print as shapes (``35 × 35 × 288``), bools as ✓/✗.
    """
    head = "".join(f"<th>{html.escape(h)}</th>" for h in headers)
    body = "".join("<tr>" + "".join(f"<td>{_cell(v)}</td>" for v in row) + "</tr>" for row in rows)
    return f"<table class='vizkit-{css}'><tr>{head}</tr>{body}</table>"
