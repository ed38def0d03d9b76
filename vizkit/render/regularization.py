"""Gradient clipping (by norm vs by value) and Dropout vs Dropout2d masks, drawn.

Data in: a :class:`vizkit.demos.clipping.GradientClipping` and a
:class:`vizkit.demos.dropout.DropoutMasks` (numpy arrays; no torch here).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from vizkit._validate import check_int
from vizkit.render._args import check_data

if TYPE_CHECKING:
    from vizkit.demos.clipping import GradientClipping
    from vizkit.demos.dropout import DropoutMasks

__all__ = ["dropout_masks_figure", "gradient_clipping_figure"]


def gradient_clipping_figure(clip: GradientClipping, *, max_points: int = 4000) -> go.Figure:
    """Every gradient entry after clipping against before: by norm (left) and by value (right).

    By norm, the points lie on one line through the origin of slope ``min(1, c/‖g‖)`` —
    the direction is kept. By value, the line bends flat at ``±c`` — big entries are cut,
    small ones kept, so the direction turns.

    Args:
        clip: From :func:`vizkit.demos.clipping.clip_comparison`.
        max_points: Draw at most this many entries (evenly strided) to keep the figure light.

    Returns:
        ``go.Figure`` with two scatter traces (``by norm``, ``by value``) plus dotted
        ``y = x`` references.

    Raises:
        ValueError: ``max_points`` < 1.
    """
    check_data(
        "clip",
        clip,
        ("before", "by_norm", "by_value", "max_norm", "clip_value", "total_norm"),
        "a GradientClipping from vizkit.demos.clip_comparison",
    )
    max_points = check_int("max_points", max_points, minimum=1, maximum=1_000_000)
    stride = max(1, int(np.ceil(clip.before.size / max_points)))
    b = clip.before[::stride]
    fig = make_subplots(
        rows=1,
        cols=2,
        subplot_titles=(
            f"by norm (c = {clip.max_norm:g}): ‖g‖ {clip.total_norm:.3g} → "
            f"{clip.norm_after_norm:.3g}, cos = {clip.cosine_by_norm:.3f}",
            f"by value (c = {clip.clip_value:g}): {clip.clipped_entries} of {clip.before.size} "
            f"cut, cos = {clip.cosine_by_value:.3f}",
        ),
    )
    lim = float(np.abs(b).max()) if b.size else 1.0
    for col, (name, after) in enumerate(
        (("by norm", clip.by_norm[::stride]), ("by value", clip.by_value[::stride])), start=1
    ):
        fig.add_trace(
            go.Scatter(
                x=[-lim, lim],
                y=[-lim, lim],
                mode="lines",
                line={"dash": "dot", "color": "#999999"},
                name="unclipped",
                showlegend=col == 1,
                hoverinfo="skip",
            ),
            1,
            col,
        )
        fig.add_trace(
            go.Scatter(
                x=b.tolist(),
                y=after.tolist(),
                mode="markers",
                marker={"size": 4, "opacity": 0.6},
                name=name,
            ),
            1,
            col,
        )
    fig.update_xaxes(title_text="gradient entry before")
    fig.update_yaxes(title_text="after clipping", col=1)
    fig.update_layout(
        title={"text": "Gradient clipping on one real backward pass", "x": 0.01, "xanchor": "left"},
        height=420,
        width=980,
        margin={"t": 90, "b": 50},
    )
    return fig


def dropout_masks_figure(masks: DropoutMasks, *, sample: int = 0) -> go.Figure:
    """One sample's feature maps after Dropout (top) and Dropout2d (bottom); black = zeroed.

    Args:
        masks: From :func:`vizkit.demos.dropout.dropout_masks`.
        sample: Which sample ``n`` to draw.

    Returns:
        ``go.Figure`` with ``2·C`` heatmaps: row 1 ``nn.Dropout``, row 2 ``nn.Dropout2d``, one
        column per channel (values 0 or ``1/(1−p)``).

    Raises:
        ValueError: ``sample`` outside ``[0, N)``.
    """
    check_data(
        "masks",
        masks,
        ("dropout", "dropout2d", "p"),
        "DropoutMasks from vizkit.demos.dropout_masks",
    )
    n_, c_ = masks.dropout.shape[:2]
    sample = check_int("sample", sample)
    if not 0 <= sample < n_:
        raise ValueError(f"sample {sample} is outside [0, {n_}): pick a sample index")
    fa, fb = masks.dropped_fraction
    fig = make_subplots(
        rows=2,
        cols=c_,
        horizontal_spacing=0.01,
        vertical_spacing=0.08,
        column_titles=[f"c{c}" for c in range(c_)],
    )
    scale = 1.0 / (1.0 - masks.p) if masks.p < 1 else 1.0
    for row, arr in enumerate((masks.dropout, masks.dropout2d), start=1):
        for c in range(c_):
            fig.add_trace(
                go.Heatmap(
                    z=arr[sample, c].tolist(),
                    zmin=0,
                    zmax=scale,
                    colorscale=[[0, "black"], [1, "#f6dfa6"]],
                    showscale=False,
                    xgap=1,
                    ygap=1,
                    hovertemplate="×%{z:.2f}<extra></extra>",
                ),
                row,
                c + 1,
            )
    for y, text in (
        (0.78, f"nn.Dropout<br>{fa:.0%} zeroed"),
        (0.22, f"nn.Dropout2d<br>{fb:.0%} zeroed"),
    ):
        fig.add_annotation(
            x=0,
            y=y,
            xref="paper",
            yref="paper",
            xanchor="right",
            text=text,
            showarrow=False,
            xshift=-8,
        )
    fig.update_xaxes(visible=False)
    fig.update_yaxes(visible=False, autorange="reversed")
    fig.update_layout(
        title={
            "text": f"Dropout vs Dropout2d, p = {masks.p:g}: cells vs whole channels",
            "x": 0.01,
            "xanchor": "left",
        },
        height=290,
        width=max(420, 90 * c_ + 150),
        margin={"t": 80, "b": 20, "l": 130, "r": 20},
    )
    return fig
