"""Architecture figures: per-layer bars and the dataflow diagram.

Data in, ``go.Figure`` out; this module never imports torch. The figures take a
:class:`vizkit.inspect.LayerTable` (from :func:`vizkit.summarize`) or its ``records()``. The
published-figures charts (:mod:`vizkit.render.history`) and the receptive-field figure
(:mod:`vizkit.render.receptive_field`) are importable from here too.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from vizkit._validate import check_bool, check_names
from vizkit.render._args import check_text
from vizkit.render.history import accuracy_bubble_figure, ilsvrc_history_figure
from vizkit.render.receptive_field import field_box, receptive_field_figure
from vizkit.render.theme import current_theme

if TYPE_CHECKING:
    from vizkit.summary.table import LayerTable

__all__ = [
    "BAR_METRICS",
    "ELEMENTWISE_TYPES",
    "accuracy_bubble_figure",
    "architecture_figure",
    "field_box",
    "ilsvrc_history_figure",
    "layer_bars_figure",
    "receptive_field_figure",
]

#: Bar panels: record key → panel title.
BAR_METRICS: Mapping[str, str] = {
    "params": "parameters",
    "macs": "multiply-accumulates (MACs)",
    "activation_bytes": "activation memory (bytes)",
}
#: Layers the diagram folds into their neighbours by default (they keep the shape).
ELEMENTWISE_TYPES = (
    "ReLU",
    "ReLU6",
    "LeakyReLU",
    "GELU",
    "SiLU",
    "Hardswish",
    "Sigmoid",
    "Tanh",
    "BatchNorm1d",
    "BatchNorm2d",
    "Dropout",
    "Dropout2d",
    "Identity",
)
_COLORS = {
    "conv": "#1f77b4",
    "pool": "#2ca02c",
    "linear": "#9467bd",
    "add": "#d62728",
    "cat": "#ff7f0e",
    "input": "#333333",
    "other": "#8c8c8c",
}


def _records(table: LayerTable | Sequence[Mapping[str, Any]]) -> list[Mapping[str, Any]]:
    if hasattr(table, "records"):
        return list(table.records())
    if isinstance(table, Sequence) and all(isinstance(r, Mapping) for r in table):
        return list(table)
    raise TypeError(
        f"table must be a LayerTable (from vizkit.summarize) or its records(), "
        f"got {type(table).__name__}: pass vk.summarize(model, input_size)"
    )


def _count(n: float, unit: str = "") -> str:
    if unit == "B":
        for factor, name in ((2**30, "GiB"), (2**20, "MiB"), (2**10, "KiB")):
            if abs(n) >= factor:
                return f"{n / factor:.1f} {name}"
        return f"{n:g} B"
    for factor, prefix in ((1e9, "G"), (1e6, "M"), (1e3, "k")):
        if abs(n) >= factor:
            return f"{n / factor:.2f} {prefix}"
    return f"{n:g}"


def layer_bars_figure(
    table: LayerTable | Sequence[Mapping[str, Any]],
    *,
    metrics: Sequence[str] = tuple(BAR_METRICS),
    skip_empty: bool = True,
    title: str | None = None,
) -> go.Figure:
    """One bar per layer for each metric, panels stacked with a shared layer axis.

    In-place layers (``ReLU(inplace=True)``) get no activation-memory bar: their output
    overwrites their input, as in the table's ``activation_bytes`` total.

    Args:
        table: a ``LayerTable`` or its ``records()`` (dicts with ``name``, ``type``,
            ``output_shape`` and the metric keys).
        metrics: keys of :data:`BAR_METRICS` (or any numeric record key), one panel each.
        skip_empty: leave out layers that are zero in every metric (ReLU, flatten).
        title: figure title; default names the totals.

    Returns:
        A ``go.Figure`` with one ``go.Bar`` per metric (trace ``i`` in panel ``i + 1``);
        ``layout.meta`` holds ``{"layers": [...], "totals": {metric: sum}}``.

    Raises:
        TypeError: ``table`` is neither a LayerTable nor a list of records.
        ValueError: an unknown metric, or no layer left to draw.
    """
    check_text("title", title)
    check_bool("skip_empty", skip_empty)
    rows = _records(table)
    metrics = list(check_names("metrics", metrics, what="metric"))
    known = set(rows[0]) if rows else set(BAR_METRICS)
    bad = [m for m in metrics if m not in known]
    if bad or not metrics:
        raise ValueError(
            f"metrics {bad or metrics!r} not understood; allowed: "
            f"{sorted(BAR_METRICS)} (or any numeric key of records())"
        )

    def value(r: Mapping[str, Any], m: str) -> float:
        if m == "activation_bytes" and r.get("inplace"):
            return 0.0
        return float(r.get(m) or 0)

    rows = [r for r in rows if r.get("output_shape") is not None]
    if skip_empty:
        rows = [r for r in rows if any(value(r, m) for m in metrics)]
    if not rows:
        raise ValueError(
            "no layer with a nonzero metric to draw: pass skip_empty=False or a "
            "table whose model ran (summarize(model, input_size))"
        )
    names = [str(r.get("label") or r["name"]) for r in rows]  # own rows: "layer1.0 (own)"
    hover = [
        f"{n} ({r['type']})<br>output {tuple(r['output_shape'])}"
        for n, r in zip(names, rows, strict=True)
    ]
    fig = make_subplots(
        rows=len(metrics),
        cols=1,
        shared_xaxes=True,
        vertical_spacing=0.04,
        subplot_titles=[BAR_METRICS.get(m, m) for m in metrics],
    )
    totals = {}
    for i, m in enumerate(metrics):
        ys = [value(r, m) for r in rows]
        totals[m] = sum(ys)
        fig.add_trace(
            go.Bar(
                x=names,
                y=ys,
                name=BAR_METRICS.get(m, m),
                hovertext=hover,
                hovertemplate="%{hovertext}<br>%{y:,.0f}<extra></extra>",
            ),
            row=i + 1,
            col=1,
        )
    default = " · ".join(
        f"{BAR_METRICS.get(m, m).split(' (')[0]} {_count(t, 'B' if m.endswith('bytes') else '')}"
        for m, t in totals.items()
    )
    fig.update_layout(
        title=title or default,
        showlegend=False,
        bargap=0.15,
        height=180 + 200 * len(metrics),
        margin={"l": 60, "r": 20, "t": 70},
        meta={"layers": names, "totals": totals},
    )
    fig.update_xaxes(tickangle=-60, tickfont=current_theme().font(9))
    return fig


def _category(node: Any) -> str:
    if node.kind == "input":
        return "input"
    if node.kind == "merge":
        return "add" if node.type == "add" else "cat"
    t = node.type.lower()
    for key in ("conv", "pool", "linear"):
        if key in t:
            return key
    return "other"


def _fold(
    nodes: Sequence[Any], edges: Iterable[tuple[int, int]], hide: Sequence[str]
) -> tuple[list[Any], list[tuple[int, int]]]:
    """Drop nodes of the ``hide`` types, joining each one's parents to its children."""
    kept = [n for n in nodes if not (n.kind == "module" and n.type in hide)]
    keep = {n.id for n in kept}
    parents: dict[int, list[int]] = {n.id: [] for n in nodes}
    for a, b in edges:
        parents[b].append(a)

    def visible(i: int) -> list[int]:
        return [i] if i in keep else [v for p in parents[i] for v in visible(p)]

    folded = {(v, n.id) for n in kept for p in parents[n.id] for v in visible(p)}
    return kept, sorted(folded, key=lambda e: (e[1], e[0]))


def architecture_figure(
    table: LayerTable,
    *,
    hide_types: Sequence[str] = ELEMENTWISE_TYPES,
    title: str | None = None,
) -> go.Figure:
    """The dataflow graph, top to bottom: inception branches side by side, skips as arcs.

    Each node is a layer call or a merge (residual ``add``, inception ``cat``) from the table's
    ``nodes`` / ``edges``. Depth is the longest path from the input; a node whose parent feeds
    several layers starts a lane of its own (an inception branch, a projection shortcut); a
    merge sits between its inputs. An edge that jumps straight from a layer to a merge further
    down the same lane is an identity skip connection, drawn as an arc.

    Args:
        table: a ``LayerTable`` (anything with ``nodes`` and ``edges``).
        hide_types: layer types folded into their neighbours (default the element-wise ones).
        title: figure title.

    Returns:
        A ``go.Figure``. Traces: 0 the plain edges, 1 the skip arcs, then one marker trace per
        node category (conv, pool, linear, add, cat, input, other) present. ``layout.meta``
        holds ``positions`` (node id → ``[lane, depth]``), ``edges`` and ``skips``.

    Raises:
        TypeError: ``table`` has no ``nodes`` / ``edges``.
        ValueError: the graph is empty (the table was built without a recorded graph).
    """
    if not hasattr(table, "nodes") or not hasattr(table, "edges"):
        raise TypeError(
            f"table must be a LayerTable from vizkit.summarize, got {type(table).__name__}"
        )
    check_names("hide_types", hide_types, what="layer class name")
    check_text("title", title)
    if not table.nodes:
        raise ValueError(
            "the table has no dataflow graph (nodes is empty): build it with "
            "vk.summarize(model, input_size)"
        )
    nodes, edges = _fold(table.nodes, table.edges, tuple(hide_types))
    parents: dict[int, list[int]] = {n.id: [] for n in nodes}
    children: dict[int, list[int]] = {n.id: [] for n in nodes}
    for a, b in edges:
        parents[b].append(a)
        children[a].append(b)
    by_id = {n.id: n for n in nodes}
    depth: dict[int, int] = {}
    lane: dict[int, float] = {}
    for n in nodes:  # nodes come in execution order, so parents are placed first
        ps = parents[n.id]
        depth[n.id] = 1 + max((depth[p] for p in ps), default=-1)
        if not ps:
            lane[n.id] = 0.0
        elif n.kind == "merge":
            lane[n.id] = float(np.mean([lane[p] for p in ps]))
        else:
            p = ps[0]
            starts = [c for c in children[p] if by_id[c].kind != "merge"]
            k = starts.index(n.id) if n.id in starts else 0
            lane[n.id] = lane[p] + 0.8 * (k - (len(starts) - 1) / 2)
    skips = [
        (a, b)
        for a, b in edges
        if by_id[b].kind == "merge" and depth[b] - depth[a] > 1 and lane[a] == lane[b]
    ]
    plain = [e for e in edges if e not in skips]
    fig = go.Figure()
    xs: list[float | None] = []
    ys: list[float | None] = []
    for a, b in plain:
        xs += [lane[a], lane[b], None]
        ys += [-depth[a], -depth[b], None]
    fig.add_trace(
        go.Scatter(
            x=xs,
            y=ys,
            mode="lines",
            name="dataflow",
            hoverinfo="skip",
            line={"color": "#b0b0b0", "width": current_theme().line_width(1.5)},
        )
    )
    xs, ys = [], []
    for a, b in skips:
        bow = lane[a] + 0.6
        xs += [lane[a], bow, bow, lane[b], None]
        ys += [-depth[a], -depth[a] - 0.6, -depth[b] + 0.6, -depth[b], None]
    fig.add_trace(
        go.Scatter(
            x=xs,
            y=ys,
            mode="lines",
            name="skip connection",
            hoverinfo="skip",
            line={"color": _COLORS["add"], "dash": "dot"},
        )
    )
    for cat, color in _COLORS.items():
        group = [n for n in nodes if _category(n) == cat]
        if not group:
            continue
        fig.add_trace(
            go.Scatter(
                x=[lane[n.id] for n in group],
                y=[-depth[n.id] for n in group],
                mode="markers",
                name=cat,
                marker={
                    "color": color,
                    "size": current_theme().font_size(11 if cat in ("add", "cat") else 9),
                    "symbol": "diamond" if cat in ("add", "cat") else "circle",
                },
                hovertext=[f"{n.name} ({n.type})<br>output {n.output_shape}" for n in group],
                hovertemplate="%{hovertext}<extra></extra>",
            )
        )
    seen: set[str] = set()
    for n in nodes:  # one label per top-level block, at its first node
        head = n.name.split(".")[0]
        if head not in seen and n.kind != "input":
            seen.add(head)
            fig.add_annotation(
                x=min(lane.values()) - 0.5,
                y=-depth[n.id],
                text=head,
                showarrow=False,
                xanchor="right",
                font=current_theme().font(10),
            )
    levels = max(depth.values()) + 1
    merges = sum(n.kind == "merge" for n in nodes)
    fig.update_layout(
        title=title
        or f"dataflow: {len(nodes)} nodes, {merges} merges, {len(skips)} identity skips",
        height=max(320, 120 + 24 * levels),
        width=620,
        plot_bgcolor="white",
        xaxis={"visible": False, "range": [min(lane.values()) - 2.2, max(lane.values()) + 1.2]},
        yaxis={"visible": False},
        legend={"orientation": "h", "y": 1.02, "yanchor": "bottom"},
        meta={
            "positions": {n.id: [lane[n.id], depth[n.id]] for n in nodes},
            "edges": [list(e) for e in edges],
            "skips": [list(e) for e in skips],
        },
    )
    return fig
