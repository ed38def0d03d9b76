"""Shift equivariance of convolution and the partial shift invariance of max pooling, drawn.

Data in: a :class:`vizkit.demos.equivariance.ShiftEquivariance` and a
:class:`vizkit.demos.equivariance.PoolingInvariance` (numpy arrays; no torch here).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from vizkit._validate import check_int
from vizkit.render._args import check_data
from vizkit.render._grid import animation_controls

if TYPE_CHECKING:
    from vizkit.demos.equivariance import PoolingInvariance, ShiftEquivariance

__all__ = ["pooling_invariance_figure", "pooling_shift_animation", "shift_equivariance_figure"]


def shift_equivariance_figure(result: ShiftEquivariance, *, max_side: int = 256) -> go.Figure:
    """Three panels: the image, its response, and the response of the shifted image.

    The third panel is the second moved by ``shift`` (the title says by how much and the
    largest difference torch measured once it is shifted back).

    Args:
        result: from :func:`vizkit.demos.shift_equivariance`.
        max_side: panels larger than this are subsampled (every k-th pixel) to keep the figure
            light (16 … 2048).

    Returns:
        ``go.Figure`` with three heatmap traces (``image``, ``conv(x)``, ``conv(shift(x))``).
    """
    check_data(
        "result",
        result,
        ("image", "response", "response_of_shifted", "shift", "circular_error"),
        "a ShiftEquivariance from vizkit.demos.shift_equivariance",
    )
    max_side = check_int("max_side", max_side, minimum=16, maximum=2048)
    step = max(1, -(-max(np.asarray(result.image).shape) // max_side))
    dy, dx = result.shift
    fig = make_subplots(
        rows=1,
        cols=3,
        subplot_titles=("image x", "conv(x)", f"conv(shift(x)), shift ({dy}, {dx})"),
        horizontal_spacing=0.03,
    )
    panels = (
        ("image", result.image, "gray"),
        ("conv(x)", result.response, "RdBu"),
        ("conv(shift(x))", result.response_of_shifted, "RdBu"),
    )
    for col, (name, data, scale) in enumerate(panels, start=1):
        z = np.asarray(data)[::step, ::step][::-1]  # row 0 at the top
        fig.add_trace(
            go.Heatmap(z=z, name=name, colorscale=scale, showscale=False, hoverinfo="skip"),
            row=1,
            col=col,
        )
        fig.update_xaxes(visible=False, row=1, col=col)
        fig.update_yaxes(visible=False, scaleanchor=f"x{col if col > 1 else ''}", row=1, col=col)
    fig.update_layout(
        title=f"shift, then convolve = convolve, then shift (max difference "
        f"{result.circular_error:.1e})",
        height=330,
        margin={"t": 70, "b": 10, "l": 10, "r": 10},
    )
    return fig


def pooling_invariance_figure(result: PoolingInvariance) -> go.Figure:
    """Per shift, the share of max-pooled values that stayed put (invariance) and, at multiples
    of the stride, the share that moved with the coarse grid (equivariance).

    Args:
        result: from :func:`vizkit.demos.pooling_invariance`.

    Returns:
        ``go.Figure`` with two bar traces (``unchanged``, ``moved with the grid``).
    """
    check_data(
        "result",
        result,
        ("shifts", "unchanged", "moved", "kernel_size", "stride"),
        "a PoolingInvariance from vizkit.demos.pooling_invariance",
    )
    shifts = list(result.shifts)
    moved = [None if m != m else m for m in result.moved]
    fig = go.Figure(
        [
            go.Bar(x=shifts, y=list(result.unchanged), name="unchanged"),
            go.Bar(x=shifts, y=moved, name="moved with the grid"),
        ]
    )
    fig.update_layout(
        title=f"max pooling {result.kernel_size}×{result.kernel_size}, stride {result.stride}: "
        "shifted images",
        xaxis_title="shift (pixels)",
        yaxis={"title": "share of pooled values", "tickformat": ".0%", "range": [0, 1.05]},
        barmode="group",
        height=360,
    )
    return fig


def pooling_shift_animation(result: PoolingInvariance, *, crop: int = 48) -> go.Figure:
    """One frame per shift: the shifted image (left) and which max-pooled values stayed the
    same as without the shift (right: light = unchanged, dark = changed).

    Args:
        result: from :func:`vizkit.demos.pooling_invariance`.
        crop: side of the top-left image region shown, in pixels (8 … 256; the pooled panel
            shows the matching cells).

    Returns:
        ``go.Figure`` with two heatmap traces and one frame per shift (``"shift 0"`` …), with
        play buttons and a slider; ``vk.Stepper(fig)`` steps it from the keyboard.
    """
    check_data(
        "result",
        result,
        ("shifts", "unchanged", "image", "pooled", "pooled_shifted", "stride"),
        "a PoolingInvariance from vizkit.demos.pooling_invariance",
    )
    crop = check_int("crop", crop, minimum=8, maximum=256)
    cells = max(1, crop // result.stride)
    image = np.asarray(result.image)
    base = np.asarray(result.pooled)[:cells, :cells]

    def panels(i: int) -> list[go.Heatmap]:
        s = result.shifts[i]
        shifted = np.roll(image, s, axis=1)[:crop, :crop]
        same = (np.asarray(result.pooled_shifted[i])[:cells, :cells] == base).astype(float)
        return [
            go.Heatmap(z=shifted[::-1], colorscale="gray", showscale=False, name="image",
                       hoverinfo="skip", xaxis="x", yaxis="y"),
            go.Heatmap(z=same[::-1], zmin=0, zmax=1, colorscale=[[0, "#2b3a67"], [1, "#f6d365"]],
                       showscale=False, name="unchanged", xaxis="x2", yaxis="y2"),
        ]  # fmt: skip

    names = [f"shift {s}" for s in result.shifts]
    frames = [
        go.Frame(
            data=panels(i),
            name=name,
            layout={
                "title": {
                    "text": f"{name} px: {result.unchanged[i]:.0%} of the pooled values unchanged"
                }
            },
        )
        for i, name in enumerate(names)
    ]
    fig = make_subplots(
        rows=1,
        cols=2,
        subplot_titles=("shifted image", f"max pool {result.kernel_size}×{result.kernel_size}: "
                        "same as unshifted?"),
    )  # fmt: skip
    for col, trace in enumerate(panels(0), start=1):
        fig.add_trace(trace, row=1, col=col)
        fig.update_xaxes(visible=False, row=1, col=col)
        fig.update_yaxes(visible=False, scaleanchor=f"x{col if col > 1 else ''}", row=1, col=col)
    fig.frames = frames
    fig.update_layout(
        title=frames[0].layout.title.text,
        height=420,
        **animation_controls(names, label="shift"),
    )
    for step, shift in zip(fig.layout.sliders[0].steps, result.shifts, strict=True):
        step.label = f"{shift} px"  # the slider reads "shift 3 px", not "shift shift 3"
    return fig
