"""Charts of published figures: accuracy vs operations, and the ILSVRC top-5 history.

Data in, ``go.Figure`` out (no torch): the plain data of :mod:`vizkit.zoo.published`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import plotly.graph_objects as go

from vizkit._validate import describe
from vizkit.render._args import check_text
from vizkit.render._grid import wrap_lines
from vizkit.render.theme import current_theme

__all__ = ["accuracy_bubble_figure", "ilsvrc_history_figure"]


def accuracy_bubble_figure(
    rows: Sequence[Mapping[str, Any]], *, title: str | None = None
) -> go.Figure:
    """Top-1 accuracy against operations, bubble area ∝ parameters (Canziani et al. 2016).

    Args:
        rows: dicts with ``name``, ``top1`` (%), ``gmacs`` (G multiply-adds per image) and
            ``params``, e.g. :func:`vizkit.zoo.published.accuracy_table`.
        title: figure title.

    Returns:
        A ``go.Figure`` with one ``go.Scatter`` (one marker per model, ``marker.size`` the
        diameter, ``customdata`` the parameters).

    Raises:
        ValueError: ``rows`` is empty or a row lacks a key.
    """
    need = ("name", "top1", "gmacs", "params")
    check_text("title", title)
    if isinstance(rows, str | bytes) or not isinstance(rows, Sequence):
        raise TypeError(f"rows must be a list of dicts (accuracy_table()), got {describe(rows)}")
    if not rows:
        raise ValueError("rows is empty: pass vizkit.zoo.published.accuracy_table()")
    for r in rows:
        if not isinstance(r, Mapping):
            raise TypeError(f"rows must hold dicts with {list(need)}, got {describe(r)}")
        missing = [k for k in need if k not in r]
        if missing:
            raise ValueError(f"rows: row {dict(r)!r} lacks {missing}; each row needs {list(need)}")
    params = np.array([float(r["params"]) for r in rows])
    size = 12 + 48 * np.sqrt(params / params.max())  # area ∝ parameters
    fig = go.Figure(
        go.Scatter(
            x=[r["gmacs"] for r in rows],
            y=[r["top1"] for r in rows],
            mode="markers+text",
            text=[r["name"] for r in rows],
            textposition=_label_positions(
                [float(r["gmacs"]) for r in rows], [float(r["top1"]) for r in rows]
            ),
            customdata=params / 1e6,
            marker={
                "size": size,
                "sizemode": "diameter",
                "opacity": 0.6,
                "color": np.log10(params),
                "colorscale": "Viridis",
            },
            hovertemplate="%{text}<br>%{x:.2f} G MACs · top-1 %{y:.1f}%<br>"
            "%{customdata:.1f} M params<extra></extra>",
        )
    )
    fig.update_layout(
        title=title
        or "ImageNet top-1 accuracy vs operations (bubble area = parameters)<br>"
        "<sup>after Canziani et al. 2016</sup>",
        xaxis={"title": "G multiply-adds per 224×224 image", "type": "log"},
        yaxis={"title": "top-1 accuracy (%)"},
        height=520,
        width=900,
    )
    return fig


def _label_positions(x: Sequence[float], y: Sequence[float]) -> list[str]:
    """Above each bubble, or below it where a bubble near it (in log x and in y) already has
    its name above: neighbours' names would overlap.

    >>> _label_positions([1.8, 1.5, 4.1], [69.8, 69.8, 76.1])
    ['bottom center', 'top center', 'top center']
    """
    logs = np.log10(np.maximum(np.asarray(x, dtype=float), 1e-9))
    positions = [""] * len(logs)
    for i in np.argsort(logs, kind="stable"):
        crowded = any(
            positions[j] == "top center" and abs(logs[i] - logs[j]) < 0.2 and abs(y[i] - y[j]) < 3
            for j in range(len(logs))
            if positions[j]
        )
        positions[i] = "bottom center" if crowded else "top center"
    return positions


def ilsvrc_history_figure(
    history: Mapping[str, Any] | Sequence[Mapping[str, Any]], *, title: str | None = None
) -> go.Figure:
    """ILSVRC classification winners' top-5 error by year, as bars.

    Args:
        history: ``vizkit.zoo.published("ilsvrc_top5")`` (a dict with ``entries`` and
            ``source``) or its list of entries (``year``, ``model``, ``top5_error``).
        title: figure title; default cites the source.

    Returns:
        A ``go.Figure`` with one ``go.Bar`` (one bar per entry, in the given order).

    Raises:
        ValueError: no entries, or an entry lacks a key.
    """
    check_text("title", title)
    if isinstance(history, str | bytes) or not isinstance(history, Mapping | Sequence):
        raise TypeError(
            f"history must be published('ilsvrc_top5') or its list of entries, got "
            f"{describe(history)}"
        )
    entries = history.get("entries", []) if isinstance(history, Mapping) else list(history)
    for e in entries:
        if not isinstance(e, Mapping):
            raise TypeError(f"history entries must be dicts, got {describe(e)}")
    source = history.get("source", "") if isinstance(history, Mapping) else ""
    if not entries:
        raise ValueError("history has no entries: pass vizkit.zoo.published('ilsvrc_top5')")
    for e in entries:
        if not all(k in e for k in ("year", "model", "top5_error")):
            raise ValueError(f"history: entry {dict(e)!r} needs 'year', 'model' and 'top5_error'")
    # wrapped to the figure's width: plotly cuts a long line off at its edge
    source_lines = (
        wrap_lines(f"source: {source}", 760 - 100, current_theme().font_size(9)) if source else []
    )
    fig = go.Figure(
        go.Bar(
            x=[f"{e['year']}<br>{e['model'].split(' (')[0]}" for e in entries],
            y=[e["top5_error"] for e in entries],
            text=[f"{e['top5_error']}%" for e in entries],
            textposition="outside",
            marker={"color": ["#1f77b4" if e["year"] >= 2012 else "#aaaaaa" for e in entries]},
            hovertext=[e["model"] for e in entries],
            hovertemplate="%{hovertext}<extra></extra>",
        )
    )
    fig.update_layout(
        title=title or "ILSVRC top-5 error of the winning entry (grey: before CNNs)",
        yaxis={"title": "top-5 error (%)"},
        height=440 + 12 * len(source_lines),
        width=760,
        margin={"b": 90 + 12 * len(source_lines)},
        annotations=[
            {
                "text": "<br>".join(source_lines),
                "yanchor": "top",
                "align": "left",
                "showarrow": False,
                "xref": "paper",
                "yref": "paper",
                "x": 0,
                "y": -0.22,
                "font": current_theme().font(9),
                "xanchor": "left",
            }
        ]
        if source
        else [],
    )
    return fig
