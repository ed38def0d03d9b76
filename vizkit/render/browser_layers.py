"""Parts of a cell drawing moved out of plotly's traces, for a faster redraw in the browser.

plotly.js redraws every trace of a figure whenever any trace changes, and it removes and
re-creates every heatmap label (one SVG ``<text>`` per cell) each time. At about 0.15 ms a
label, the 256 numbers of a 16×16 input and the 144 of its output cost more than the rest of
an explorer's redraw together (``benchmarks/bench_browser.py``). The explorers therefore draw

* the numbers of panels that no step changes as one transparent PNG laid over the heatmap
  (:func:`labels_as_images`: a layout image, redrawn by reference with no per-label work;
  the heatmap keeps the colours and the hover text), and
  together with the thin white lines between the cells, so plotly.js draws the heatmap
  itself on its quick path (a cell-per-pixel image scaled up, instead of a canvas the size
  of the plot painted cell by cell and encoded as a PNG on every redraw);
* the white cover that hides the output cells not computed yet, and the window and cell
  outlines, as layout shapes above those pictures (:func:`traces_as_shapes`), so the
  numbers can be a picture too and the outlines stay on top.

The scenes of :mod:`vizkit.render` stay pure traces (the animations and the GIF rasteriser
use them); only the live explorers apply these two steps to the figure they show.

The PNG is drawn at twice the on-screen size (sharp on a HiDPI screen or a projector) with
the DejaVu Sans font that :mod:`vizkit.render.raster` uses for GIF frames.
"""

from __future__ import annotations

import base64
import io
import math
import re
from collections.abc import Sequence
from functools import lru_cache
from typing import Any

from PIL import Image, ImageDraw

from vizkit.render._grid import revealed_count
from vizkit.render.raster import _color, _font, _plain

__all__ = [
    "cell_px",
    "cover_shape",
    "label_image",
    "labels_as_images",
    "outline_shape",
    "path_points",
    "trace_shape",
    "traces_as_shapes",
]

SCALE = 2.0  # PNG pixels per screen pixel


def cell_px(layout: dict[str, Any]) -> float:
    """Screen pixels per cell of a one-axis cell canvas (:func:`vizkit.render._grid.axes_layout`).

    Example:
        >>> from vizkit.render._grid import axes_layout
        >>> round(cell_px(axes_layout(10, 5, "t")), 6)
        34.0
    """
    x0, x1 = layout["xaxis"]["range"]
    margin = layout.get("margin", {})
    plot_width = layout["width"] - margin.get("l", 0) - margin.get("r", 0)
    return float(plot_width) / float(x1 - x0)


@lru_cache(maxsize=512)
def _glyph(text: str, size: int, color: str) -> tuple[Image.Image, int, int]:
    """One label drawn once (integer grids repeat a handful of values): the tile and the
    offset of its top-left corner from the point it is centred on."""
    font = _font(size)
    probe = ImageDraw.Draw(Image.new("RGBA", (1, 1)))
    left, top, right, bottom = probe.multiline_textbbox(
        (0, 0), text, font=font, anchor="mm", align="center", spacing=0
    )
    left, top = math.floor(left), math.floor(top)
    tile = Image.new("RGBA", (max(1, math.ceil(right) - left), max(1, math.ceil(bottom) - top)))
    ImageDraw.Draw(tile).multiline_text(
        (-left, -top), text, fill=_color(color), font=font, anchor="mm", align="center", spacing=0
    )
    return tile, left, top


@lru_cache(maxsize=64)
def _png(
    labels: tuple[tuple[str, ...], ...], px: float, size: float, color: str, gaps: bool
) -> tuple[str, int, int]:
    rows, cols = len(labels), max((len(r) for r in labels), default=0)
    step = px * SCALE
    image = Image.new("RGBA", (max(1, round(cols * step)), max(1, round(rows * step))))
    for r, row in enumerate(labels):
        for c, text in enumerate(row):
            if not text:
                continue
            tile, left, top = _glyph(_plain(text), round(size * SCALE), color)
            x, y = round((c + 0.5) * step) + left, round((r + 0.5) * step) + top
            # clip to the picture (a label wider than its cell at the edge)
            box = (
                max(0, -x),
                max(0, -y),
                min(tile.width, image.width - x),
                min(tile.height, image.height - y),
            )
            if box[0] < box[2] and box[1] < box[3]:
                image.alpha_composite(tile, (x + box[0], y + box[1]), box)
    if gaps:  # the heatmap's 1-pixel cell gaps (xgap / ygap), centred on the cell borders
        draw = ImageDraw.Draw(image)
        white, half = (255, 255, 255, 255), SCALE / 2
        for c in range(cols + 1):
            draw.rectangle([c * step - half, 0, c * step + half - 1, image.height], fill=white)
        for r in range(rows + 1):
            draw.rectangle([0, r * step - half, image.width, r * step + half - 1], fill=white)
    red, green, blue, _ = _color(color)
    if red == green == blue:  # grey text on white gaps: luminance + alpha, half the bytes
        image = image.convert("LA")
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", compress_level=1)
    source = "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")
    return source, rows, cols


def label_image(trace: dict[str, Any], px: float) -> dict[str, Any]:
    """A plotly layout image with ``trace``'s cell labels, placed over its cells (and white
    lines between the cells when the heatmap has gaps: plotly then draws it without).

    Args:
        trace: a heatmap trace dict of :mod:`vizkit.render._grid` (``x0``/``y0`` of its
            top-left cell, one unit per cell, ``text`` a grid of labels).
        px: screen pixels per cell (:func:`cell_px` of the figure's layout).
    """
    labels = tuple(tuple("" if t is None else str(t) for t in row) for row in trace["text"])
    font = trace.get("textfont") or {}
    source, rows, cols = _png(
        labels,
        round(float(px), 3),
        float(font.get("size", 11)),
        font.get("color", "#222222"),
        bool(trace.get("xgap") or trace.get("ygap")),
    )
    return {
        "source": source,
        "name": f"{trace.get('name', 'heatmap')} labels",
        "xref": "x",
        "yref": "y",
        "x": float(trace["x0"]) - 0.5,
        "y": float(trace["y0"]) - 0.5,
        "sizex": cols,
        "sizey": rows,
        "xanchor": "left",
        "yanchor": "top",
        "sizing": "stretch",
        "layer": "above",
    }


def labels_as_images(
    traces: Sequence[dict[str, Any]], layout: dict[str, Any], names: Sequence[str]
) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """Move the labels of the heatmaps named ``names`` into layout images.

    Returns new trace and layout dicts (the inputs are not changed): those heatmaps without
    ``text`` and without gaps (the image draws them), the layout with one image per heatmap
    that had labels (``layout["images"]``, an empty list when none had).
    """
    px = cell_px(layout)
    out: list[dict[str, Any]] = []
    images: list[dict[str, Any]] = []
    for trace in traces:
        if trace.get("type") == "heatmap" and trace.get("name") in names and trace.get("text"):
            images.append(label_image(trace, px))
            trace = {**trace, "text": None, "texttemplate": None, "xgap": 0, "ygap": 0}
        out.append(trace)
    return out, {**layout, "images": images}


def cover_shape(trace: dict[str, Any]) -> dict[str, Any]:
    """The white cover of a reveal heatmap (:func:`vizkit.render._grid.reveal_scale`) as one
    layout path shape over the cells not shown yet (drawn above the layout images).

    Example:
        >>> from vizkit.render import _grid as g
        >>> cover = {"z": [[0, 1], [2, None]], "x0": 0, "y0": 0, "zmax": 2.5,
        ...          "colorscale": g.reveal_scale(2, 3)}
        >>> cover_shape(cover)["path"]
        'M-0.5,0.5H0.5V1.5H-0.5Z'
    """
    total = round(float(trace["zmax"]) + 0.5)
    shown = revealed_count(trace["colorscale"], total)
    x0, y0 = float(trace["x0"]), float(trace["y0"])
    parts: list[str] = []
    for r, row in enumerate(trace["z"]):
        c = 0
        while c < len(row):
            if row[c] is None or row[c] < shown:
                c += 1
                continue
            start = c
            while c < len(row) and row[c] is not None and row[c] >= shown:
                c += 1
            left, right = x0 + start - 0.5, x0 + c - 0.5
            parts.append(f"M{left:g},{y0 + r - 0.5:g}H{right:g}V{y0 + r + 0.5:g}H{left:g}Z")
    return {
        "type": "path",
        "name": f"{trace.get('name', 'cover')} (not computed yet)",
        "xref": "x",
        "yref": "y",
        "path": "".join(parts) or "M0,0Z",
        "visible": bool(parts),
        "fillcolor": "white",
        "line": {"color": "white", "width": 2},  # hides the anti-aliased edge underneath
        "layer": "above",
    }


def outline_shape(trace: dict[str, Any]) -> dict[str, Any]:
    """A scatter of None-separated polygons (:func:`vizkit.render._grid.outline`) as one
    layout path shape with the same line and fill.

    Example:
        >>> xs, ys = [0, 1, 1, None, 3, 4, 4], [0, 0, 1, None, 0, 0, 1]
        >>> outline_shape({"name": "w", "x": xs, "y": ys, "line": {"width": 2}})["path"]
        'M0,0L1,0L1,1ZM3,0L4,0L4,1Z'
    """
    parts: list[str] = []
    points: list[str] = []
    for x, y in zip([*(trace.get("x") or []), None], [*(trace.get("y") or []), None], strict=True):
        if x is None or y is None:
            if points:
                parts.append("M" + "L".join(points) + "Z")
            points = []
        else:
            points.append(f"{float(x):g},{float(y):g}")
    line, clear = trace.get("line") or {}, "rgba(0,0,0,0)"
    return {
        "type": "path",
        "name": str(trace.get("name", "outline")),
        "xref": "x",
        "yref": "y",
        "path": "".join(parts) or "M0,0Z",
        "visible": bool(parts) and trace.get("visible", True) is not False,
        "fillcolor": trace.get("fillcolor", clear) if trace.get("fill") else clear,
        "line": {"color": line.get("color", "#444"), "width": line.get("width", 2)}
        | ({"dash": line["dash"]} if line.get("dash") else {}),
        "layer": "above",
    }


def path_points(path: str) -> tuple[list[float | None], list[float | None]]:
    """The x and y lists (None between polygons) of an :func:`outline_shape` path: its inverse.

    Example:
        >>> path_points("M0,0L1,0L1,1ZM3,0L4,0Z")
        ([0.0, 1.0, 1.0, None, 3.0, 4.0, None], [0.0, 0.0, 1.0, None, 0.0, 0.0, None])
    """
    xs: list[float | None] = []
    ys: list[float | None] = []
    for polygon in re.findall(r"M([^Z]*)Z", path):
        for point in polygon.split("L"):
            x, y = point.split(",")
            xs.append(float(x))
            ys.append(float(y))
        xs.append(None)
        ys.append(None)
    return xs, ys


def trace_shape(trace: dict[str, Any]) -> dict[str, Any]:
    """:func:`cover_shape` for a heatmap, :func:`outline_shape` for a scatter."""
    return cover_shape(trace) if trace.get("type") == "heatmap" else outline_shape(trace)


def traces_as_shapes(
    traces: Sequence[dict[str, Any]], layout: dict[str, Any], names: Sequence[str]
) -> tuple[list[dict[str, Any]], dict[str, Any], dict[int, dict[str, Any]]]:
    """Hide the traces named ``names`` and draw them as the layout's last shapes, in order.

    Returns new trace and layout dicts and, by trace index, the hidden traces as they were
    (to redraw a shape when a frame updates its trace). The traces stay in the list
    (``visible: False``), so trace indices, and the frames that update them, are unchanged.
    """
    out = list(traces)
    moved: dict[int, dict[str, Any]] = {}
    for name in names:
        for i, trace in enumerate(out):
            if trace.get("name") == name and i not in moved:
                moved[i] = trace
                out[i] = {**trace, "visible": False}
    shapes = [*(layout.get("shapes") or []), *(trace_shape(t) for t in moved.values())]
    return out, {**layout, "shapes": shapes}, moved
