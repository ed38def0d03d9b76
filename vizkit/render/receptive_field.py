"""The receptive-field figure: the autograd-measured field over an image, beside the analytic box.

Data in, ``go.Figure`` out (no torch): an image and ``|∂ unit / ∂ input|`` from
:func:`vizkit.inspect.gradient_receptive_field`, and a field from :func:`vizkit.summarize`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np
import plotly.graph_objects as go

from vizkit._validate import check_int, check_number, describe
from vizkit.render._args import check_data, check_picture, check_text

if TYPE_CHECKING:
    from vizkit.geometry.receptive import ReceptiveField

__all__ = ["field_box", "receptive_field_figure"]


def field_box(field: ReceptiveField, position: tuple[int, int]) -> tuple[float, ...]:
    """Input box ``(top, left, bottom, right)`` (inclusive) of one unit's analytic field.

    The unit at ``position = (row, col)`` is centred at ``start + position · jump`` and sees
    ``size`` pixels around it; the box may reach outside the image (into the padding).

    >>> from types import SimpleNamespace as F
    >>> field_box(F(size=(7, 7), jump=(2, 2), start=(0, 0)), (3, 1))
    (3.0, -1.0, 9.0, 5.0)
    """
    check_data("field", field, ("size", "jump", "start"), "a receptive field (size, jump, start)")
    if (
        isinstance(position, str | bytes)
        or not isinstance(position, tuple | list)
        or (len(position) != 2)
    ):
        raise TypeError(f"position must be a (row, col) pair of ints, got {describe(position)}")
    position = (check_int("position", position[0]), check_int("position", position[1]))
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
    image = check_picture("image", image, ndim=(2, 3))
    grad = check_picture("gradient_map", gradient_map, ndim=(2,), layout="(H, W)")
    check_text("title", title)
    if grad.ndim != 2 or image.shape[:2] != grad.shape or image.ndim not in (2, 3):
        raise ValueError(
            f"image {image.shape} and gradient_map {grad.shape} must be (H, W[, 3]) "
            "and (H, W) of the same H, W: pass the image the gradient was taken of"
        )
    if isinstance(theoretical_box, str | bytes) or not isinstance(theoretical_box, Sequence):
        raise TypeError(
            f"theoretical_box must be four numbers (top, left, bottom, right), got "
            f"{describe(theoretical_box)}"
        )
    if len(theoretical_box) != 4:
        raise ValueError(f"theoretical_box {theoretical_box!r} must be (top, left, bottom, right)")
    theoretical_box = [check_number("theoretical_box", v) for v in theoretical_box]
    rows, cols = np.nonzero(grad)
    measured = (
        None
        if rows.size == 0
        else (int(rows.min()), int(cols.min()), int(rows.max()), int(cols.max()))
    )
    rgb = image if image.ndim == 3 else np.repeat(image[..., None], 3, axis=2)
    fig = go.Figure(go.Image(z=np.clip(rgb * 255, 0, 255).astype(np.uint8), hoverinfo="skip"))
    overlay = np.where(grad > 0, grad / (grad.max() or 1), np.nan)
    fig.add_trace(
        go.Heatmap(
            z=overlay,
            colorscale="Hot",
            opacity=0.65,
            zmin=0,
            zmax=1,
            colorbar={"title": "|∂unit/∂x|"},
            hovertemplate="%{z:.2f}",
        )
    )
    t, left, b, r = theoretical_box
    fig.add_shape(
        type="rect",
        x0=left - 0.5,
        x1=r + 0.5,
        y0=t - 0.5,
        y1=b + 0.5,
        line={"color": "#00bfff", "dash": "dash", "width": 2},
    )
    if measured is not None:
        mt, ml, mb, mr = measured
        fig.add_shape(
            type="rect",
            x0=ml - 0.5,
            x1=mr + 0.5,
            y0=mt - 0.5,
            y1=mb + 0.5,
            line={"color": "#ffd700", "width": 2},
        )
    size = (b - t + 1, r - left + 1)
    msize = (
        (0, 0)
        if measured is None
        else (measured[2] - measured[0] + 1, measured[3] - measured[1] + 1)
    )
    fig.update_layout(
        title=title
        or f"analytic field {size[0]:g}×{size[1]:g} (dashed) vs nonzero gradient "
        f"{msize[0]}×{msize[1]} (solid)",
        height=520,
        width=600,
        xaxis={"range": [min(-0.5, left - 1), max(grad.shape[1] - 0.5, r + 1)], "visible": False},
        yaxis={
            "range": [max(grad.shape[0] - 0.5, b + 1), min(-0.5, t - 1)],
            "visible": False,
            "scaleanchor": "x",
        },
        meta={"measured_box": measured, "theoretical_box": [t, left, b, r]},
    )
    return fig
