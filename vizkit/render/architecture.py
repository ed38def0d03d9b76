"""Architecture figures: per-layer bars, the dataflow diagram, the published-figures charts.

Data in, ``go.Figure`` out; this module never imports torch. The layer figures take a
:class:`vizkit.inspect.LayerTable` (from :func:`vizkit.summarize`) or its ``records()``; the
history charts take the plain data of :mod:`vizkit.zoo.published`; the receptive-field figure
takes numpy arrays (an image and ``|∂ unit / ∂ input|`` from
:func:`vizkit.inspect.gradient_receptive_field`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

if TYPE_CHECKING:
    from vizkit.inspect.receptive import ReceptiveField2d
    from vizkit.inspect.table import LayerTable

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
ELEMENTWISE_TYPES = ("ReLU", "ReLU6", "LeakyReLU", "GELU", "SiLU", "Hardswish", "Sigmoid",
                     "Tanh", "BatchNorm1d", "BatchNorm2d", "Dropout", "Dropout2d", "Identity")
_COLORS = {"conv": "#1f77b4", "pool": "#2ca02c", "linear": "#9467bd", "add": "#d62728",
           "cat": "#ff7f0e", "input": "#333333", "other": "#8c8c8c"}


def _records(table: LayerTable | Sequence[Mapping[str, Any]]) -> list[Mapping[str, Any]]:
    if hasattr(table, "records"):
        return list(table.records())
    if isinstance(table, Sequence) and all(isinstance(r, Mapping) for r in table):
        return list(table)
    raise TypeError(f"table must be a LayerTable (from vizkit.summarize) or its records(), "
                    f"got {type(table).__name__}: pass vk.summarize(model, input_size)")


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
    rows = _records(table)
    metrics = list(metrics)
    known = set(rows[0]) if rows else set(BAR_METRICS)
    bad = [m for m in metrics if m not in known]
    if bad or not metrics:
        raise ValueError(f"metrics {bad or metrics!r} not understood; allowed: "
                         f"{sorted(BAR_METRICS)} (or any numeric key of records())")

    def value(r: Mapping[str, Any], m: str) -> float:
        if m == "activation_bytes" and r.get("inplace"):
            return 0.0
        return float(r.get(m) or 0)

    rows = [r for r in rows if r.get("output_shape") is not None]
    if skip_empty:
        rows = [r for r in rows if any(value(r, m) for m in metrics)]
    if not rows:
        raise ValueError("no layer with a nonzero metric to draw: pass skip_empty=False or a "
                         "table whose model ran (summarize(model, input_size))")
    names = [str(r.get("label") or r["name"]) for r in rows]  # own rows: "layer1.0 (own)"
    hover = [f"{n} ({r['type']})<br>output {tuple(r['output_shape'])}"
             for n, r in zip(names, rows, strict=True)]
    fig = make_subplots(rows=len(metrics), cols=1, shared_xaxes=True, vertical_spacing=0.04,
                        subplot_titles=[BAR_METRICS.get(m, m) for m in metrics])
    totals = {}
    for i, m in enumerate(metrics):
        ys = [value(r, m) for r in rows]
        totals[m] = sum(ys)
        fig.add_trace(go.Bar(x=names, y=ys, name=BAR_METRICS.get(m, m), hovertext=hover,
                             hovertemplate="%{hovertext}<br>%{y:,.0f}<extra></extra>"),
                      row=i + 1, col=1)
    default = " · ".join(f"{BAR_METRICS.get(m, m).split(' (')[0]} "
                         f"{_count(t, 'B' if m.endswith('bytes') else '')}"
                         for m, t in totals.items())
    fig.update_layout(title=title or default, showlegend=False, bargap=0.15,
                      height=180 + 200 * len(metrics), margin={"l": 60, "r": 20, "t": 70},
                      meta={"layers": names, "totals": totals})
    fig.update_xaxes(tickangle=-60, tickfont={"size": 9})
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


def _fold(nodes: Sequence[Any], edges: Iterable[tuple[int, int]], hide: Sequence[str]
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
        raise TypeError(f"table must be a LayerTable from vizkit.summarize, got "
                        f"{type(table).__name__}")
    if not table.nodes:
        raise ValueError("the table has no dataflow graph (nodes is empty): build it with "
                         "vk.summarize(model, input_size)")
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
    skips = [(a, b) for a, b in edges
             if by_id[b].kind == "merge" and depth[b] - depth[a] > 1 and lane[a] == lane[b]]
    plain = [e for e in edges if e not in skips]
    fig = go.Figure()
    xs: list[float | None] = []
    ys: list[float | None] = []
    for a, b in plain:
        xs += [lane[a], lane[b], None]
        ys += [-depth[a], -depth[b], None]
    fig.add_trace(go.Scatter(x=xs, y=ys, mode="lines", name="dataflow", hoverinfo="skip",
                             line={"color": "#b0b0b0", "width": 1.5}))
    xs, ys = [], []
    for a, b in skips:
        bow = lane[a] + 0.6
        xs += [lane[a], bow, bow, lane[b], None]
        ys += [-depth[a], -depth[a] - 0.6, -depth[b] + 0.6, -depth[b], None]
    fig.add_trace(go.Scatter(x=xs, y=ys, mode="lines", name="skip connection",
                             hoverinfo="skip", line={"color": _COLORS["add"], "dash": "dot"}))
    for cat, color in _COLORS.items():
        group = [n for n in nodes if _category(n) == cat]
        if not group:
            continue
        fig.add_trace(go.Scatter(
            x=[lane[n.id] for n in group], y=[-depth[n.id] for n in group], mode="markers",
            name=cat, marker={"color": color, "size": 11 if cat in ("add", "cat") else 9,
                              "symbol": "diamond" if cat in ("add", "cat") else "circle"},
            hovertext=[f"{n.name} ({n.type})<br>output {n.output_shape}" for n in group],
            hovertemplate="%{hovertext}<extra></extra>"))
    seen: set[str] = set()
    for n in nodes:  # one label per top-level block, at its first node
        head = n.name.split(".")[0]
        if head not in seen and n.kind != "input":
            seen.add(head)
            fig.add_annotation(x=min(lane.values()) - 0.5, y=-depth[n.id], text=head,
                               showarrow=False, xanchor="right", font={"size": 10})
    levels = max(depth.values()) + 1
    merges = sum(n.kind == "merge" for n in nodes)
    fig.update_layout(
        title=title or f"dataflow: {len(nodes)} nodes, {merges} merges, "
        f"{len(skips)} identity skips",
        height=max(320, 120 + 24 * levels), width=620, plot_bgcolor="white",
        xaxis={"visible": False, "range": [min(lane.values()) - 2.2, max(lane.values()) + 1.2]},
        yaxis={"visible": False}, legend={"orientation": "h", "y": 1.02, "yanchor": "bottom"},
        meta={"positions": {n.id: [lane[n.id], depth[n.id]] for n in nodes},
              "edges": [list(e) for e in edges], "skips": [list(e) for e in skips]})
    return fig


def accuracy_bubble_figure(rows: Sequence[Mapping[str, Any]], *, title: str | None = None
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
    if not rows:
        raise ValueError("rows is empty: pass vizkit.zoo.published.accuracy_table()")
    for r in rows:
        missing = [k for k in need if k not in r]
        if missing:
            raise ValueError(f"row {dict(r)!r} lacks {missing}; each row needs {list(need)}")
    params = np.array([float(r["params"]) for r in rows])
    size = 12 + 48 * np.sqrt(params / params.max())  # area ∝ parameters
    fig = go.Figure(go.Scatter(
        x=[r["gmacs"] for r in rows], y=[r["top1"] for r in rows], mode="markers+text",
        text=[r["name"] for r in rows], textposition="top center",
        customdata=params / 1e6, marker={"size": size, "sizemode": "diameter", "opacity": 0.6,
                                         "color": np.log10(params), "colorscale": "Viridis"},
        hovertemplate="%{text}<br>%{x:.2f} G MACs · top-1 %{y:.1f}%<br>"
                      "%{customdata:.1f} M params<extra></extra>"))
    fig.update_layout(title=title or "ImageNet top-1 accuracy vs operations (bubble area = "
                      "parameters), after Canziani et al. 2016",
                      xaxis={"title": "G multiply-adds per 224×224 image", "type": "log"},
                      yaxis={"title": "top-1 accuracy (%)"}, height=520, width=760)
    return fig


def ilsvrc_history_figure(history: Mapping[str, Any] | Sequence[Mapping[str, Any]], *,
                          title: str | None = None) -> go.Figure:
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
    entries = history.get("entries", []) if isinstance(history, Mapping) else list(history)
    source = history.get("source", "") if isinstance(history, Mapping) else ""
    if not entries:
        raise ValueError("history has no entries: pass vizkit.zoo.published('ilsvrc_top5')")
    for e in entries:
        if not all(k in e for k in ("year", "model", "top5_error")):
            raise ValueError(f"entry {dict(e)!r} needs 'year', 'model' and 'top5_error'")
    fig = go.Figure(go.Bar(
        x=[f"{e['year']}<br>{e['model'].split(' (')[0]}" for e in entries],
        y=[e["top5_error"] for e in entries], text=[f"{e['top5_error']}%" for e in entries],
        textposition="outside", marker={"color": ["#1f77b4" if e["year"] >= 2012 else "#aaaaaa"
                                                  for e in entries]},
        hovertext=[e["model"] for e in entries], hovertemplate="%{hovertext}<extra></extra>"))
    fig.update_layout(title=title or "ILSVRC top-5 error of the winning entry (grey: before "
                      "CNNs)", yaxis={"title": "top-5 error (%)"}, height=440, width=760,
                      annotations=[{"text": f"source: {source}", "showarrow": False,
                                    "xref": "paper", "yref": "paper", "x": 0, "y": -0.22,
                                    "font": {"size": 9}, "xanchor": "left"}] if source else [])
    return fig


def field_box(field: ReceptiveField2d, position: tuple[int, int]) -> tuple[float, ...]:
    """Input box ``(top, left, bottom, right)`` (inclusive) of one unit's analytic field.

    The unit at ``position = (row, col)`` is centred at ``start + position · jump`` and sees
    ``size`` pixels around it; the box may reach outside the image (into the padding).

    >>> from types import SimpleNamespace as F
    >>> field_box(F(size=(7, 7), jump=(2, 2), start=(0, 0)), (3, 1))
    (3.0, -1.0, 9.0, 5.0)
    """
    box = []
    for a in range(2):
        centre = field.start[a] + position[a] * field.jump[a]
        box.append((centre - (field.size[a] - 1) / 2, centre + (field.size[a] - 1) / 2))
    return (float(box[0][0]), float(box[1][0]), float(box[0][1]), float(box[1][1]))


def receptive_field_figure(
    image: np.ndarray,
    gradient_map: np.ndarray,
    theoretical_box: Sequence[float],
    *,
    title: str | None = None,
) -> go.Figure:
    """The measured (autograd) field as a heat overlay on the image, beside the analytic box.

    Args:
        image: ``(H, W)`` grey or ``(H, W, 3)`` RGB picture in [0, 1].
        gradient_map: ``|∂ unit / ∂ input|`` of shape ``(H, W)`` (``GradientField.map``).
        theoretical_box: ``(top, left, bottom, right)`` inclusive, e.g. from :func:`field_box`.
        title: figure title; default names both extents.

    Returns:
        A ``go.Figure``: trace 0 the image, trace 1 the gradient overlay (zeros transparent);
        shapes 0 the analytic box (dashed) and 1 the box of the nonzero gradient (solid).
        ``layout.meta`` holds ``measured_box`` and ``theoretical_box``.

    Raises:
        ValueError: shapes that do not match, or a box that is not four numbers.
    """
    image, grad = np.asarray(image, dtype=float), np.asarray(gradient_map, dtype=float)
    if grad.ndim != 2 or image.shape[:2] != grad.shape or image.ndim not in (2, 3):
        raise ValueError(f"image {image.shape} and gradient_map {grad.shape} must be (H, W[, 3]) "
                         "and (H, W) of the same H, W: pass the image the gradient was taken of")
    if len(theoretical_box) != 4:
        raise ValueError(f"theoretical_box {theoretical_box!r} must be (top, left, bottom, right)")
    rows, cols = np.nonzero(grad)
    measured = (None if rows.size == 0 else
                (int(rows.min()), int(cols.min()), int(rows.max()), int(cols.max())))
    rgb = image if image.ndim == 3 else np.repeat(image[..., None], 3, axis=2)
    fig = go.Figure(go.Image(z=np.clip(rgb * 255, 0, 255).astype(np.uint8), hoverinfo="skip"))
    overlay = np.where(grad > 0, grad / (grad.max() or 1), np.nan)
    fig.add_trace(go.Heatmap(z=overlay, colorscale="Hot", opacity=0.65, zmin=0, zmax=1,
                             colorbar={"title": "|∂unit/∂x|"}, hovertemplate="%{z:.2f}"))
    t, left, b, r = theoretical_box
    fig.add_shape(type="rect", x0=left - 0.5, x1=r + 0.5, y0=t - 0.5, y1=b + 0.5,
                  line={"color": "#00bfff", "dash": "dash", "width": 2})
    if measured is not None:
        mt, ml, mb, mr = measured
        fig.add_shape(type="rect", x0=ml - 0.5, x1=mr + 0.5, y0=mt - 0.5, y1=mb + 0.5,
                      line={"color": "#ffd700", "width": 2})
    size = (b - t + 1, r - left + 1)
    msize = (0, 0) if measured is None else (measured[2] - measured[0] + 1,
                                              measured[3] - measured[1] + 1)
    fig.update_layout(
        title=title or f"analytic field {size[0]:g}×{size[1]:g} (dashed) vs nonzero gradient "
        f"{msize[0]}×{msize[1]} (solid)", height=520, width=600,
        xaxis={"range": [min(-0.5, left - 1), max(grad.shape[1] - 0.5, r + 1)], "visible": False},
        yaxis={"range": [max(grad.shape[0] - 0.5, b + 1), min(-0.5, t - 1)], "visible": False,
               "scaleanchor": "x"},
        meta={"measured_box": measured, "theoretical_box": [t, left, b, r]})
    return fig
