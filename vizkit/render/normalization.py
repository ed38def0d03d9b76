"""Normalisation figures: BatchNorm's statistics step by step, and the four normalisations' axes.

Data in: a :class:`vizkit.demos.batchnorm.BatchNormTrace`, and label arrays from
:func:`vizkit.demos.normalization.normalization_sets` (this module never imports torch).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from vizkit._validate import check_int, check_memory, check_number, describe
from vizkit.render._args import check_data, check_picture
from vizkit.render.theme import current_theme

if TYPE_CHECKING:
    from vizkit.demos.batchnorm import BatchNormTrace

__all__ = [
    "batchnorm_figure",
    "batchnorm_modes_figure",
    "normalization_axes_figure",
    "reduced_axes_from_labels",
]

COLORS = ("#4c78a8", "#f58518", "#54a24b", "#e45756", "#72b7b2", "#b279a2", "#ff9da6", "#9d755d")
TITLES = {
    "batch": "Batch Norm",
    "layer": "Layer Norm",
    "instance": "Instance Norm",
    "group": "Group Norm",
}


def _check_trace(trace: object) -> None:
    check_data(
        "trace",
        trace,
        ("steps", "num_channels", "momentum", "train_output_mean", "eval_output_mean"),
        "a BatchNormTrace from vizkit.demos.batchnorm_trace",
    )


def batchnorm_figure(trace: BatchNormTrace, *, max_channels: int = 4) -> go.Figure:
    """Per-channel batch mean/variance at each step, the running EMA by hand, and torch's.

    Markers: the batch statistic of each step (mean over ``N·H·W``; unbiased variance, the
    one torch averages). Lines: the running average computed by hand. Open circles: torch's
    ``running_mean`` / ``running_var`` buffers — they sit on the lines.

    Args:
        trace: From :func:`vizkit.demos.batchnorm.batchnorm_trace`.
        max_channels: Draw at most this many channels (the first ones).

    Returns:
        ``go.Figure`` with two panels (mean, variance) and, per channel, three traces per
        panel: ``batch``, ``running (by hand)``, ``running (torch)``.

    Raises:
        ValueError: ``max_channels`` < 1.
    """
    _check_trace(trace)
    max_channels = check_int("max_channels", max_channels, minimum=1)
    steps = list(range(1, len(trace.steps) + 1))
    momentum = "cumulative average" if trace.momentum is None else f"momentum={trace.momentum}"
    fig = make_subplots(
        rows=1, cols=2, subplot_titles=("mean per channel", "variance per channel (unbiased)")
    )
    for c in range(min(max_channels, trace.num_channels)):
        color = COLORS[c % len(COLORS)]
        for col, (batch, hand, torch_) in enumerate(
            (
                ("batch_mean", "running_mean", "torch_running_mean"),
                ("batch_var_unbiased", "running_var", "torch_running_var"),
            ),
            start=1,
        ):
            show = col == 1
            fig.add_trace(
                go.Scatter(
                    x=steps,
                    y=[float(getattr(s, batch)[c]) for s in trace.steps],
                    mode="markers",
                    marker={"color": color, "size": 7},
                    name=f"c{c} batch",
                    legendgroup=f"c{c}",
                    showlegend=show,
                ),
                1,
                col,
            )
            fig.add_trace(
                go.Scatter(
                    x=steps,
                    y=[float(getattr(s, hand)[c]) for s in trace.steps],
                    mode="lines",
                    line={"color": color},
                    name=f"c{c} running (by hand)",
                    legendgroup=f"c{c}",
                    showlegend=show,
                ),
                1,
                col,
            )
            fig.add_trace(
                go.Scatter(
                    x=steps,
                    y=[float(getattr(s, torch_)[c]) for s in trace.steps],
                    mode="markers",
                    marker={"color": color, "size": 12, "symbol": "circle-open"},
                    name=f"c{c} running (torch)",
                    legendgroup=f"c{c}",
                    showlegend=show,
                ),
                1,
                col,
            )
    worst = max(s.output_error for s in trace.steps)
    fig.update_xaxes(title_text="step (batch)")
    fig.update_layout(
        title={
            "text": f"BatchNorm2d, {momentum}, {trace.count} values per channel per batch "
            f"(N·H·W); by hand vs torch: max |Δ| = {worst:.1e}",
            "x": 0.01,
            "xanchor": "left",
            "font": current_theme().font(14),
        },
        height=380,
        width=960,
        margin={"t": 80, "b": 50},
    )
    return fig


def batchnorm_modes_figure(trace: BatchNormTrace) -> go.Figure:
    """The same batch normalised in training mode (batch statistics) and eval mode (running).

    Args:
        trace: From :func:`vizkit.demos.batchnorm.batchnorm_trace`.

    Returns:
        ``go.Figure``: per-channel output mean (left) and standard deviation (right), one bar
        series per mode (``train`` then ``eval``). Training mode gives 0 and 1 exactly; eval
        mode gives them only once the running averages have converged.
    """
    _check_trace(trace)
    channels = [f"c{c}" for c in range(trace.num_channels)]
    fig = make_subplots(rows=1, cols=2, subplot_titles=("output mean", "output std"))
    for name, mean, std, color in (
        ("train (batch statistics)", trace.train_output_mean, trace.train_output_std, COLORS[0]),
        ("eval (running statistics)", trace.eval_output_mean, trace.eval_output_std, COLORS[1]),
    ):
        fig.add_trace(
            go.Bar(
                x=channels,
                y=np.asarray(mean).tolist(),
                name=name,
                marker_color=color,
                legendgroup=name,
            ),
            1,
            1,
        )
        fig.add_trace(
            go.Bar(
                x=channels,
                y=np.asarray(std).tolist(),
                name=name,
                marker_color=color,
                legendgroup=name,
                showlegend=False,
            ),
            1,
            2,
        )
    fig.add_hline(y=0, line_dash="dot", row=1, col=1)
    fig.add_hline(y=1, line_dash="dot", row=1, col=2)
    fig.update_layout(
        title={
            "text": f"train vs eval mode after {len(trace.steps)} steps",
            "x": 0.01,
            "xanchor": "left",
        },
        barmode="group",
        height=340,
        width=900,
        margin={"t": 70, "b": 40},
    )
    return fig


def reduced_axes_from_labels(labels: np.ndarray) -> list[str]:
    """Which of ``N, C, H, W`` one set of labels spans: the axes a normalisation averages over.

    An axis is reduced when the label does not change along it; ``C`` spanned only within
    blocks of channels (GroupNorm) is reported as ``"C/G"``.

    Args:
        labels: ``(N, C, H, W)`` integer set ids.

    Returns:
        Axis names, e.g. ``["N", "H", "W"]`` for BatchNorm.

    Raises:
        ValueError: ``labels`` is not 4-D.

    Example:
        >>> reduced_axes_from_labels(np.arange(3)[None, :, None, None] * np.ones((2, 3, 2, 2)))
        ['N', 'H', 'W']
    """
    labels = check_picture("labels", labels, ndim=(4,), layout="(N, C, H, W)", finite=False)
    names = []
    for axis, name in enumerate("NCHW"):
        first = np.take(labels, [0], axis=axis)
        if np.all(labels == first):
            names.append(name)
        elif name == "C" and labels.shape[1] > 1 and np.any(labels[:, 1] == labels[:, 0]):
            names.append("C/G")
    return names


def _cell(
    x0: float, y0: float, ux: tuple[float, float], uy: tuple[float, float]
) -> list[float | None]:
    """Corners of a parallelogram from (x0, y0) spanned by ux, uy, closed, then a gap."""
    xs = [x0, x0 + ux[0], x0 + ux[0] + uy[0], x0 + uy[0], x0, None]
    ys = [y0, y0 + ux[1], y0 + ux[1] + uy[1], y0 + uy[1], y0, None]
    return [*xs, *ys]


def normalization_axes_figure(
    sets: Mapping[str, np.ndarray],
    *,
    highlight: tuple[int, int, int, int] = (0, 0, 0, 0),
    depth: tuple[float, float] = (0.55, 0.45),
) -> go.Figure:
    """The cube picture of Wu & He's Figure 2: which values share one mean and variance.

    Each panel draws an ``(N, C, H·W)`` tensor as a cube — ``N`` to the right, ``H·W`` up,
    ``C`` into the page — and colours the set containing the element ``highlight``: its
    values are normalised together. The visible faces are the front (``c = 0``), the top
    (last ``H·W`` index) and the right side (``n = N − 1``).

    Args:
        sets: Panel title key (``"batch"``, ``"layer"``, ``"instance"``, ``"group"`` or any
            name) → ``(N, C, H, W)`` integer labels from
            :func:`vizkit.demos.normalization.normalization_sets`.
        highlight: ``(n, c, h, w)`` of the element whose set is coloured.
        depth: Screen offset of one step along ``C`` (oblique projection).

    Returns:
        ``go.Figure`` with one panel per entry, two traces each (``other`` cells, then
        ``normalised together``). ``layout.meta`` holds per panel the ``name``, the
        ``reduced`` axes and the ``highlighted`` visible cells as ``[n, c, s]`` triples
        (``s = h·W + w``).

    Raises:
        ValueError: ``sets`` is empty, a label array is not 4-D, shapes differ, or
            ``highlight`` lies outside the shape.
    """
    if not isinstance(sets, Mapping):
        raise TypeError(
            f"sets must be a dict name → (N, C, H, W) labels, got {describe(sets)}: e.g. "
            "vizkit.demos.normalization_sets_by_kind(shape)"
        )
    if not sets:
        raise ValueError("sets is empty: pass {'batch': normalization_sets('batch', shape)}")
    arrays = {}
    for k, v in sets.items():
        if not isinstance(v, np.ndarray) or v.dtype.kind not in "iu":
            raise TypeError(f"sets must hold integer label arrays, got {describe(v)} for {k!r}")
        arrays[k] = v
    shapes = {a.shape for a in arrays.values()}
    if len(shapes) != 1 or len(next(iter(shapes))) != 4:
        raise ValueError(f"sets: all label arrays must share one (N, C, H, W) shape, got {shapes}")
    n_, c_, h_, w_ = next(iter(shapes))
    check_memory(
        n_ * c_ * h_ * w_ * 200,
        name="sets",
        value=f"<labels of shape {(n_, c_, h_, w_)}>",
        what="a cube of that many cells",
        fix="draw a small shape such as (2, 4, 3, 3)",
    )
    if isinstance(highlight, str | bytes) or not isinstance(highlight, Sequence):
        raise TypeError(f"highlight must be four ints (n, c, h, w), got {describe(highlight)}")
    highlight = tuple(check_int("highlight", i) for i in highlight)
    if len(highlight) != 4 or not all(
        0 <= i < s for i, s in zip(highlight, (n_, c_, h_, w_), strict=True)
    ):
        raise ValueError(f"highlight {highlight} lies outside the shape {(n_, c_, h_, w_)}")
    s_ = h_ * w_
    if isinstance(depth, str | bytes) or not isinstance(depth, Sequence) or len(depth) != 2:
        raise TypeError(f"depth must be two numbers (dx, dy), got {describe(depth)}")
    dx, dy = (check_number("depth", d) for d in depth)
    titles = []
    for k, a in arrays.items():
        reduced = reduced_axes_from_labels(a)
        titles.append(f"{TITLES.get(k, k)}<br><sub>mean over {', '.join(reduced)}</sub>")
    fig = make_subplots(rows=1, cols=len(arrays), subplot_titles=titles, horizontal_spacing=0.03)
    meta: list[dict[str, Any]] = []
    for i, (key, a) in enumerate(arrays.items(), start=1):
        flat = a.reshape(n_, c_, s_)
        target = a[highlight]
        polys: dict[bool, tuple[list[float | None], list[float | None]]] = {
            False: ([], []),
            True: ([], []),
        }
        cells = []
        faces = []  # (n, c, s, x0, y0, ux, uy)
        for n in range(n_):  # front face, c = 0
            for s in range(s_):
                faces.append((n, 0, s, n, s, (1, 0), (0, 1)))
        for n in range(n_):  # top face, s = S - 1
            for c in range(c_):
                faces.append((n, c, s_ - 1, n + c * dx, s_ + c * dy, (1, 0), (dx, dy)))
        for c in range(c_):  # right face, n = N - 1
            for s in range(s_):
                faces.append((n_ - 1, c, s, n_ + c * dx, s + c * dy, (dx, dy), (0, 1)))
        for n, c, s, x0, y0, ux, uy in faces:
            hit = bool(flat[n, c, s] == target)
            pts = _cell(x0, y0, ux, uy)
            polys[hit][0].extend(pts[:6])
            polys[hit][1].extend(pts[6:])
            if hit and [n, c, s] not in cells:
                cells.append([n, c, s])
        for hit, name, color in (
            (False, "other values", "#eeeeee"),
            (True, "normalised together", "#4c78a8"),
        ):
            xs, ys = polys[hit]
            fig.add_trace(
                go.Scatter(
                    x=xs,
                    y=ys,
                    mode="lines",
                    fill="toself",
                    fillcolor=color,
                    line={"color": "#555555", "width": 1},
                    name=name,
                    legendgroup=name,
                    showlegend=i == 1,
                    hoverinfo="skip",
                ),
                1,
                i,
            )
        right, top = n_ + c_ * dx, s_ + c_ * dy
        fig.add_annotation(x=n_ / 2, y=-0.6, text="N", showarrow=False, row=1, col=i)
        fig.add_annotation(
            x=-0.6, y=s_ / 2, text="H,W", showarrow=False, textangle=-90, row=1, col=i
        )
        fig.add_annotation(
            x=n_ + c_ * dx / 2 + 0.5, y=c_ * dy / 2 - 0.4, text="C", showarrow=False, row=1, col=i
        )
        fig.update_xaxes(visible=False, range=[-1.2, right + 0.6], row=1, col=i)
        fig.update_yaxes(
            visible=False,
            range=[-1.2, top + 0.6],
            row=1,
            col=i,
            scaleanchor=f"x{'' if i == 1 else i}",
            scaleratio=1,
        )
        meta.append({"name": key, "reduced": reduced_axes_from_labels(a), "highlighted": cells})
    fig.update_layout(
        title={
            "text": "Which values share one mean and variance (after Wu & He 2018, Fig. 2)",
            "x": 0.01,
            "xanchor": "left",
        },
        height=350,
        width=215 * len(arrays) + 80,  # four panels fit a notebook (about 950 px)
        margin={"t": 110, "b": 20, "l": 20, "r": 20},
        plot_bgcolor="white",
        meta={"panels": meta},
        legend={"orientation": "h", "y": -0.05},
    )
    return fig
