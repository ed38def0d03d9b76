"""Draw ``channels_first`` vs ``channels_last``: one tensor, two orders in memory.

Data in: a :class:`vizkit.device.strides.MemoryLayout` (strides and memory order, taken from
torch by :func:`vizkit.device.strides.memory_layout`; this module never imports torch). For
each memory format the figure shows the tensor as it is indexed, ``(N, C, H, W)``, one ``H×W`` plane
per channel, each cell labelled with its memory offset ``Σ index · stride``, and below it the memory
itself: one strip of cells, slot 0 first, each labelled with the index stored there. Colour =
channel, so NCHW shows long runs of one colour (a whole plane at a time) and NHWC the colours
interleaved (all channels of a pixel together).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import plotly.graph_objects as go

from vizkit.render import _grid as g
from vizkit.render._args import check_data
from vizkit.render.theme import current_theme

if TYPE_CHECKING:
    from vizkit.device.strides import MemoryLayout

__all__ = ["memory_layout_figure"]

CHANNEL_COLORS = (
    "#f6b3b3",
    "#b5e0b5",
    "#b3cdf6",
    "#f6dfa6",
    "#d9b8f0",
    "#a6e6e0",
    "#f0c0a0",
    "#cccccc",
)


def _channel_scale(channels: int) -> list[list[object]]:
    scale: list[list[object]] = []
    for i in range(channels):
        color = CHANNEL_COLORS[i % len(CHANNEL_COLORS)]
        scale += [[i / channels, color], [(i + 1) / channels, color]]
    return scale


def memory_layout_figure(layout: MemoryLayout, *, per_row: int = 24) -> go.Figure:
    """The same ``(N, C, H, W)`` tensor laid out NCHW (``channels_first``) and NHWC.

    Args:
        layout: from :func:`vizkit.device.strides.memory_layout` (anything with ``shape``,
            ``strides_first``, ``strides_last``, ``order_first`` and ``order_last``).
        per_row: memory slots per strip row before wrapping.

    Returns:
        A ``go.Figure``. Traces: 0 and 1 the tensor planes (``channels_first``,
        ``channels_last``) with memory offsets as text, 2 and 3 the memory strips with the
        stored index as text, 4 headings. ``layout.meta`` holds both stride tuples.

    Raises:
        ValueError: ``per_row`` below 1, or more than 8 channels or 64 planes to draw.
    """
    if isinstance(per_row, bool) or not isinstance(per_row, int) or per_row < 1:
        raise ValueError(f"per_row {per_row!r} must be an int ≥ 1: e.g. per_row=24")
    check_data(
        "layout",
        layout,
        ("shape", "strides_first", "strides_last", "order_first", "order_last"),
        "a MemoryLayout from vizkit.device.memory_layout",
    )
    n, c, h, w = layout.shape
    if c > len(CHANNEL_COLORS) or n * c > 64:
        raise ValueError(
            f"shape {layout.shape} has {n}·{c} = {n * c} planes; the drawing "
            f"allows up to {len(CHANNEL_COLORS)} channels and 64 planes: use a "
            "small example such as (1, 3, 4, 4)"
        )
    numel = n * c * h * w
    per_row = min(per_row, numel)
    strip_rows = -(-numel // per_row)
    planes_w = n * c * (w + 1) + (n - 1)
    section_h = h + strip_rows + 5.0
    width = max(planes_w, per_row) + 1
    index = np.indices((n, c, h, w)).reshape(4, -1).T  # C order over (n, c, h, w)
    traces, heads = [], []
    strips = []
    for part, (name, strides, order) in enumerate(
        [
            (
                "channels_first: torch.contiguous_format, NCHW",
                layout.strides_first,
                layout.order_first,
            ),
            ("channels_last: torch.channels_last, NHWC", layout.strides_last, layout.order_last),
        ]
    ):
        y0 = part * section_h
        offsets = index @ np.asarray(strides)
        z = np.full((h, planes_w), np.nan)
        text = [[""] * planes_w for _ in range(h)]
        for (ni, ci, hi, wi), off in zip(index.tolist(), offsets.tolist(), strict=True):
            col = (ni * c + ci) * (w + 1) + ni + wi
            z[hi, col] = ci
            text[hi][col] = str(off)
        traces.append(
            g.heatmap(
                z,
                x0=0,
                y0=y0 + 1,
                name=f"tensor {part}",
                colorscale=_channel_scale(c),
                zmin=-0.5,
                zmax=c - 0.5,
                text=text,
                font_size=11,
            )
        )
        sz = np.full((strip_rows, per_row), np.nan)
        stext = [[""] * per_row for _ in range(strip_rows)]
        for slot, (ni, ci, hi, wi) in enumerate(order):
            r, col = divmod(slot, per_row)
            sz[r, col] = ci
            stext[r][col] = f"{ni},{ci},{hi},{wi}" if n > 1 else f"{ci},{hi},{wi}"
        strips.append(
            g.heatmap(
                sz,
                x0=0,
                y0=y0 + h + 3,
                name=f"memory {part}",
                colorscale=_channel_scale(c),
                zmin=-0.5,
                zmax=c - 0.5,
                text=stext,
                font_size=8 if n > 1 else 9,
            )
        )
        heads.append(
            (
                -0.5,
                y0,
                f"<b>{name}</b>: strides {tuple(strides)}, "
                f"offset = n·{strides[0]} + c·{strides[1]} + h·{strides[2]} "
                f"+ w·{strides[3]}",
            )
        )
        heads.append(
            (
                -0.5,
                y0 + h + 2,
                f"memory, slot 0 first (label: {'n,' if n > 1 else ''}c,h,w stored there)",
            )
        )
        for ni in range(n):
            for ci in range(c):
                x = (ni * c + ci) * (w + 1) + ni + (w - 1) / 2
                heads.append((x, y0 + h + 1.1, f"{'n' + str(ni) + ' ' if n > 1 else ''}c{ci}"))
    traces += strips
    label = g.labels("headings", heads, size=12, anchor="middle right")
    label["textposition"] = [
        "middle right" if t[2].startswith(("<b>", "memory")) else "middle center" for t in heads
    ]
    traces.append(label)
    title = (
        f"one tensor of shape (N, C, H, W) = {tuple(layout.shape)}, two memory orders: "
        "same indices, different strides<br>"
        f"<span style='font-size:{current_theme().font_size(12)}px'>x.contiguous() vs "
        "x.contiguous(memory_format=torch.channels_last); colour = channel; "
        "number in a cell = its memory offset</span>"
    )
    fig_layout = g.axes_layout(width, 2 * section_h - 1, title, cell_px=40)
    fig_layout["width"] = max(fig_layout["width"], 820)
    fig_layout["meta"] = {
        "strides_first": list(layout.strides_first),
        "strides_last": list(layout.strides_last),
    }
    return g.build_figure(traces, fig_layout)
