"""Convolution vs cross-correlation: the same input and kernel, the kernel flipped, both results.

``F.conv2d`` slides the kernel as it is (cross-correlation); the convolution of mathematics and
signal processing flips it (rows and columns) first. Both results come from
:func:`vizkit.sliding.conv2d_trace` (``flip=False`` and ``flip=True``), whose outputs equal
``F.conv2d(x, w)`` and ``F.conv2d(x, w.flip(-1, -2))``; the test suite checks them against
torch, here we only draw them.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import plotly.graph_objects as go

from vizkit.render import _grid as g
from vizkit.render._args import check_picture
from vizkit.sliding import ConvTrace, conv2d_trace

__all__ = ["CorrelationCheck", "conv_vs_xcorr_animation", "correlation_check"]


@dataclass(frozen=True, eq=False)
class CorrelationCheck:
    """Cross-correlation and convolution of one input with one kernel.

    Attributes:
        cross_correlation: the trace without flipping: what ``F.conv2d(x, w)`` returns.
        convolution: the trace with ``flip=True``: ``Σ x[i − u, j − v] · w[u, v]``.
        flipped_kernel: ``w[::-1, ::-1]`` (``w.flip(-1, -2)`` in torch).
        symmetric: the kernel equals its flip, so the two results agree.
        max_difference: ``max |convolution − cross_correlation|``.
    """

    cross_correlation: ConvTrace
    convolution: ConvTrace
    flipped_kernel: np.ndarray
    symmetric: bool
    max_difference: float


def _as_plane(name: str, value: object) -> np.ndarray:
    a = check_picture(name, value, ndim=(2, 3, 4), layout="(H, W)", finite=False)
    if a.ndim == 3 and a.shape[0] == 1:
        a = a[0]
    if a.ndim == 4 and a.shape[:2] == (1, 1):
        a = a[0, 0]
    if a.ndim != 2:
        raise ValueError(
            f"{name} has shape {a.shape}: pass one 2D plane (H, W) (or (1, H, W) "
            f"for x, (1, 1, kH, kW) for w); for channels use "
            "vizkit.render.conv.conv_animation"
        )
    return a


def correlation_check(x: object, w: object, *, padding: int | str = 0) -> CorrelationCheck:
    """Trace both operations on one plane.

    Args:
        x: input ``(H, W)`` (or ``(1, H, W)``).
        w: kernel ``(kH, kW)`` (or ``(1, 1, kH, kW)``).
        padding: as in :func:`vizkit.sliding.conv2d_trace`.

    Returns:
        A :class:`CorrelationCheck`.

    Raises:
        ValueError: not a single plane; see :func:`vizkit.sliding.conv2d_trace`.

    Example:
        >>> check = correlation_check(np.arange(9.0).reshape(3, 3), [[1.0, 0], [0, -1]])
        >>> check.cross_correlation.output[0], check.convolution.output[0]
        (array([[-4., -4.],
               [-4., -4.]]), array([[4., 4.],
               [4., 4.]]))
    """
    plane, kernel = _as_plane("x", x), _as_plane("w", w)
    xcorr = conv2d_trace(plane[None], kernel[None, None], padding=padding)
    conv = conv2d_trace(plane[None], kernel[None, None], padding=padding, flip=True)
    flipped = kernel[::-1, ::-1].copy()
    diff = float(np.max(np.abs(conv.output - xcorr.output))) if conv.output.size else 0.0
    return CorrelationCheck(
        cross_correlation=xcorr,
        convolution=conv,
        flipped_kernel=flipped,
        symmetric=bool(np.array_equal(kernel, flipped)),
        max_difference=diff,
    )


def conv_vs_xcorr_animation(x: object, w: object, *, padding: int | str = 0) -> go.Figure:
    """Cross-correlation (top row) and convolution (bottom row) of the same input and kernel.

    Each row: the (padded) input with the window of the current output cell, the kernel as
    applied (``w`` on top, ``w`` flipped below) and the output; frame ``k`` moves both windows
    to output cell ``k``. The caption says which one ``F.conv2d`` computes and how far the two
    results are apart.

    Args:
        x: input ``(H, W)``.
        w: kernel ``(kH, kW)``.
        padding: as in :func:`vizkit.sliding.conv2d_trace`.

    Returns:
        A ``go.Figure`` with one frame per output cell. Traces: 0 inputs, 1 kernels, 2 outputs,
        3 headings, 4 windows, 5 current output cells. ``layout.meta`` holds
        ``cross_correlation``, ``convolution`` (nested lists) and ``max_difference``.

    Raises:
        ValueError: see :func:`correlation_check`.

    Example:
        >>> fig = conv_vs_xcorr_animation(np.arange(16.0).reshape(4, 4), [[1.0, 2], [0, 0]])
        >>> len(fig.frames), fig.layout.meta["max_difference"]
        (9, 11.0)
    """
    check = correlation_check(x, w, padding=padding)
    xc, cv = check.cross_correlation, check.convolution
    hp, wp = xc.geometry.padded_size
    kh, kw = xc.weight.shape[2:]
    ho, wo = xc.geometry.output_size
    row_h = max(hp, kh, ho) + 3
    x_kernel, x_out = wp + 2.0, wp + kw + 5.0
    rows = (xc, cv)
    padded = xc.padded[0]

    def stack(planes: list[np.ndarray], h: int, w_: int) -> np.ndarray:
        out = np.full((row_h + h, w_), np.nan)
        out[:h], out[row_h : row_h + h] = planes[0], planes[1]
        return out

    vmax = float(np.nanmax(np.abs(padded))) or 1.0
    kmax = float(np.nanmax(np.abs(xc.weight))) or 1.0
    outs = stack([xc.output[0], cv.output[0]], ho, wo)
    omax = float(np.nanmax(np.abs(outs))) or 1.0
    inputs = stack([padded, padded], hp, wp)
    kernels = stack([xc.weight[0, 0], cv.weight[0, 0]], kh, kw)
    traces: list[g.Trace] = [
        g.heatmap(
            np.where(np.isnan(inputs), np.nan, np.abs(inputs)),
            x0=0,
            y0=0,
            name="input",
            colorscale=g.SEQUENTIAL,
            zmin=0,
            zmax=vmax,
            text=g.fmt_grid(inputs),
        ),
        g.heatmap(
            kernels,
            x0=x_kernel,
            y0=0,
            name="kernel",
            colorscale=g.DIVERGING,
            zmin=-kmax,
            zmax=kmax,
            text=g.fmt_grid(kernels),
        ),
        g.heatmap(
            outs,
            x0=x_out,
            y0=0,
            name="output",
            colorscale=g.DIVERGING,
            zmin=-omax,
            zmax=omax,
            text=g.fmt_grid(outs),
        ),
    ]
    heads = [
        (-0.5, -1.0, "cross-correlation = F.conv2d(x, w): slide w as it is"),
        (-0.5, row_h - 1.0, "convolution = F.conv2d(x, w.flip(-1, -2)): flip w, then slide"),
        (x_kernel - 0.5, kh + 0.3, "w"),
        (x_kernel - 0.5, row_h + kh + 0.3, "w flipped"),
        (x_out - 0.5, ho + 0.3, "output"),
        (x_out - 0.5, row_h + ho + 0.3, "output"),
    ]
    traces.append(g.labels("headings", heads, size=12, anchor="middle right"))
    traces[-1]["textposition"] = "middle right"

    def dynamic(k: int) -> list[g.Trace]:
        windows, currents = [], []
        for i, trace in enumerate(rows):
            step = trace.steps[k]
            windows += [(i * row_h + r, c) for r in step.rows for c in step.cols]
            r, c = step.out_index
            currents.append((i * row_h + r, x_out + c))
        wx, wy = g.cell_polygons(windows)
        cx, cy = g.cell_polygons(currents)
        return [
            {**g.outline("window", g.WINDOW_COLOR, g.WINDOW_FILL), "x": wx, "y": wy},
            {**g.outline("current", g.OUTPUT_COLOR, width=3.5), "x": cx, "y": cy},
        ]

    n = ho * wo
    frames = [{"name": str(k), "data": dynamic(k), "traces": [4, 5]} for k in range(n)]
    verdict = (
        "the kernel is symmetric, so both are equal"
        if check.symmetric
        else f"they differ by up to {g.fmt(check.max_difference)}: the kernel is not symmetric"
    )
    title = (
        "convolution vs cross-correlation: PyTorch's Conv2d computes the "
        f"<b>cross-correlation</b><br>{verdict};<br>a true convolution is "
        "F.conv2d with the flipped kernel"
    )
    layout = g.axes_layout(x_out + wo, row_h + max(hp, kh, ho) + 0.5, title)
    layout["width"] = max(layout["width"], 720)
    layout["meta"] = {
        "cross_correlation": xc.output[0].tolist(),
        "convolution": cv.output[0].tolist(),
        "max_difference": check.max_difference,
    }
    layout |= g.animation_controls([f["name"] for f in frames], "output cell")
    return g.build_figure(traces + dynamic(0), layout, frames)
