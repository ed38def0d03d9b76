"""Kernels on real photos, and padding modes compared on a photo.

Every filtered image is the ``output`` of :func:`vizkit.sliding.conv2d_trace` (equal to
``F.conv2d``; the steps are lazy, so a photo-sized trace costs one vectorised convolution).
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from vizkit._validate import check_int
from vizkit.geometry import PADDING_MODES
from vizkit.render._args import check_mapping, check_picture
from vizkit.sliding import conv2d_trace

__all__ = ["kernel_gallery_figure", "padding_modes_figure", "to_grey"]


def to_grey(image: np.ndarray) -> np.ndarray:
    """``(H, W)`` or ``(H, W, 3)`` image → ``(H, W)`` float64 luminance (ITU-R 601 weights).

    Raises:
        ValueError: another shape.
    """
    a = check_picture("image", image, ndim=(2, 3), layout="(H, W) or (H, W, 3)")
    if a.ndim == 2:
        return a
    if a.ndim == 3 and a.shape[2] in (3, 4):
        return a[..., :3] @ np.array([0.299, 0.587, 0.114])
    raise ValueError(
        f"image of shape {a.shape} is not (H, W) or (H, W, 3): pass a grey or RGB image"
    )


def _grey_trace(z: np.ndarray, name: str, diverging: bool) -> dict:
    lim = float(np.abs(z).max()) or 1.0
    return {
        "type": "heatmap",
        "z": z,
        "name": name,
        "showscale": False,
        "hoverinfo": "skip",
        "colorscale": "RdBu_r" if diverging else "gray",
        "zmin": -lim if diverging else float(z.min()),
        "zmax": lim if diverging else float(z.max()),
    }


def kernel_gallery_figure(
    image: np.ndarray,
    kernels: Mapping[str, np.ndarray],
    *,
    padding: int | str = "same",
    columns: int = 3,
) -> go.Figure:
    """The photo, then one feature map per kernel (``F.conv2d`` via the trace).

    Args:
        image: ``(H, W)`` or ``(H, W, 3)`` (converted to grey).
        kernels: name → 2D kernel (e.g. :func:`vizkit.sliding.kernels.classic_kernels`).
        padding: passed to :func:`vizkit.sliding.conv2d_trace` (``"same"`` keeps the size).
        columns: panels per row.

    Returns:
        A figure with ``1 + len(kernels)`` image panels; each feature map's ``z`` is the
        trace's output (zero-mean kernels drawn blue–red around 0).
    """
    grey = to_grey(image)
    check_mapping("kernels", kernels, "2D kernel")
    checked = {
        str(name): check_picture("kernels", k, ndim=(2,), layout="(kH, kW)")
        for name, k in kernels.items()
    }
    columns = check_int("columns", columns, minimum=1, maximum=12)
    names = ["input (grey)", *checked]
    rows = -(-len(names) // columns)
    fig = make_subplots(
        rows=rows,
        cols=columns,
        subplot_titles=names,
        horizontal_spacing=0.02,
        vertical_spacing=0.06,
    )
    panels = [_grey_trace(grey, "input", False)]
    for name, k in checked.items():
        out = conv2d_trace(grey[None], k[None, None], padding=padding).output[0]
        panels.append(_grey_trace(out, name, diverging=abs(float(k.sum())) < 1e-9))
    for i, panel in enumerate(panels):
        fig.add_trace(go.Heatmap(panel), row=i // columns + 1, col=i % columns + 1)
    fig.update_yaxes(autorange="reversed", visible=False, scaleanchor="x")
    fig.update_xaxes(visible=False)
    fig.update_layout(
        height=280 * rows + 60,
        width=300 * columns,
        margin={"t": 60},
        title="classic kernels on a photo (F.conv2d = cross-correlation)",
    )
    return fig


def padding_modes_figure(image: np.ndarray, padding: int = 32) -> go.Figure:
    """The photo padded by ``padding`` pixels with zeros / reflect / replicate / circular.

    The panels are the traces' ``padded`` inputs, so they are exactly what ``nn.Conv2d``'s
    ``padding_mode`` feeds the kernel; the original image is outlined.
    """
    grey = to_grey(image)
    padding = check_int("padding", padding, minimum=0, fix="pad by 0 or more pixels, e.g. 32")
    modes = PADDING_MODES
    fig = make_subplots(
        rows=1,
        cols=4,
        subplot_titles=[f"padding_mode='{m}'" for m in modes],
        horizontal_spacing=0.02,
    )
    h, w = grey.shape
    for i, mode in enumerate(modes):
        trace = conv2d_trace(grey[None], np.ones((1, 1, 1, 1)), padding=padding, padding_mode=mode)
        fig.add_trace(go.Heatmap(_grey_trace(trace.padded[0], mode, False)), row=1, col=i + 1)
        fig.add_shape(
            type="rect",
            x0=padding - 0.5,
            y0=padding - 0.5,
            x1=padding + w - 0.5,
            y1=padding + h - 0.5,
            line={"color": "#d62728", "width": 2},
            row=1,
            col=i + 1,
        )
    fig.update_yaxes(autorange="reversed", visible=False, scaleanchor="x")
    fig.update_xaxes(visible=False)
    fig.update_layout(
        height=330,
        width=1100,
        margin={"t": 60},
        title=f"padding {padding} on each side (red: the original image)",
    )
    return fig
