"""Parts of a cell drawing moved out of plotly's traces, for a faster redraw in the browser.

plotly.js redraws every trace of a figure whenever any trace changes, and it removes and
re-creates every heatmap label (one SVG ``<text>`` per cell) each time. At about 0.15 ms a
label, the 256 numbers of a 16×16 input and the 144 of its output cost more than the rest of
an explorer's redraw together (``benchmarks/bench_browser.py``). The explorers therefore draw

* the numbers of heatmap panels as one transparent PNG each, laid over the heatmap
  (:func:`label_layers`: a layout image, redrawn by reference with no per-label work; the
  heatmap keeps the colours and the hover text), together with the thin white lines
  between the cells, so plotly.js draws the heatmap itself on its quick path (a
  cell-per-pixel image scaled up, instead of a canvas the size of the plot painted cell by
  cell and encoded as a PNG on every redraw). A panel that a step changes (the products of
  the current window, a second filter) gets a new picture at that step: drawing one from
  cached glyphs costs about a millisecond in Python, less than plotly spends on its SVG labels;
* the texts of text-only scatters (the panel headings) as one PNG too (:func:`text_image`),
  unless one would reach outside the axes, where a layout image is clipped;
* the white cover that hides the output cells not computed yet, and the window and cell
  outlines, as layout shapes above those pictures (:func:`traces_as_shapes`), so the
  numbers can be a picture too and the outlines stay on top.

The scenes of :mod:`vizkit.render` stay pure traces (the animations and the GIF rasteriser
use them); only the live explorers apply these steps to the figure they show.

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

from vizkit.render._grid import plain_text, revealed_count
from vizkit.render.raster import _ANCHORS, _color, _font

__all__ = [
    "cell_px",
    "cover_shape",
    "label_image",
    "label_layers",
    "labels_as_images",
    "outline_shape",
    "path_points",
    "strip_labels",
    "text_image",
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
def _glyph(text: str, size: int, color: str, anchor: str = "mm") -> tuple[Image.Image, int, int]:
    """One label drawn once (integer grids repeat a handful of values): the tile and the
    offset of its top-left corner from the point it is anchored at (Pillow's text anchors:
    ``"mm"`` centred, ``"lm"`` starting at the point, vertically centred)."""
    font = _font(size)
    probe = ImageDraw.Draw(Image.new("RGBA", (1, 1)))
    if "\n" in text:  # Pillow anchors multi-line text by its first line's a/m/d only
        anchor = anchor[0] + "m"
    left, top, right, bottom = probe.multiline_textbbox(
        (0, 0), text, font=font, anchor=anchor, align="center", spacing=0
    )
    left, top = math.floor(left), math.floor(top)
    tile = Image.new("RGBA", (max(1, math.ceil(right) - left), max(1, math.ceil(bottom) - top)))
    ImageDraw.Draw(tile).multiline_text(
        (-left, -top), text, fill=_color(color), font=font, anchor=anchor, align="center", spacing=0
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
            tile, left, top = _glyph(plain_text(text), round(size * SCALE), color)
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
    return _data_uri(image, color), rows, cols


def _data_uri(image: Image.Image, color: str) -> str:
    red, green, blue, _ = _color(color)
    if red == green == blue:  # grey text (on white gaps): luminance + alpha, half the bytes
        image = image.convert("LA")
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", compress_level=1)
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


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


def strip_labels(trace: dict[str, Any]) -> dict[str, Any]:
    """A heatmap trace without its labels and cell gaps (its label picture draws both)."""
    return {**trace, "text": None, "texttemplate": None, "xgap": 0, "ygap": 0}


def _is_text_scatter(trace: dict[str, Any]) -> bool:
    return (
        trace.get("type") == "scatter"
        and trace.get("mode") == "text"
        and trace.get("visible", True) is not False
    )


def label_layers(
    traces: Sequence[dict[str, Any]], layout: dict[str, Any], names: Sequence[str]
) -> tuple[list[dict[str, Any]], dict[str, Any], dict[int, int]]:
    """Move the labels of the heatmaps named ``names`` into layout images, and the texts of
    the text-only scatters named ``names`` too (:func:`text_image`; one that would reach
    outside the axes stays a trace, as plotly draws it unclipped).

    Returns new trace and layout dicts (the inputs are not changed) and, by trace index,
    the index of its picture in ``layout["images"]`` (an empty list when none moved): the
    heatmaps without ``text`` and without gaps, the scatters hidden (``visible: False``,
    so trace indices are unchanged).
    """
    px = cell_px(layout)
    out: list[dict[str, Any]] = []
    images: list[dict[str, Any]] = []
    slots: dict[int, int] = {}
    for index, trace in enumerate(traces):
        if trace.get("name") in names:
            if trace.get("type") == "heatmap" and trace.get("text"):
                slots[index] = len(images)
                images.append(label_image(trace, px))
                trace = strip_labels(trace)
            elif _is_text_scatter(trace) and (image := text_image(trace, layout)) is not None:
                slots[index] = len(images)
                images.append(image)
                trace = {**trace, "visible": False}
        out.append(trace)
    return out, {**layout, "images": images}, slots


def labels_as_images(
    traces: Sequence[dict[str, Any]], layout: dict[str, Any], names: Sequence[str]
) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """:func:`label_layers` without the slots."""
    out, layout, _ = label_layers(traces, layout, names)
    return out, layout


@lru_cache(maxsize=64)
def _text_png(
    items: tuple[tuple[float, float, str], ...], px: float, size: float, color: str, anchor: str
) -> tuple[str, float, float, float, float]:
    step = px * SCALE
    placed = []
    for x, y, text in items:
        tile, left, top = _glyph(text, round(size * SCALE), color, anchor)
        placed.append((tile, round(x * step) + left, round(y * step) + top))
    x0 = min(p[1] for p in placed)
    y0 = min(p[2] for p in placed)
    x1 = max(p[1] + p[0].width for p in placed)
    y1 = max(p[2] + p[0].height for p in placed)
    image = Image.new("RGBA", (x1 - x0, y1 - y0))
    for tile, x, y in placed:
        image.alpha_composite(tile, (x - x0, y - y0))
    return _data_uri(image, color), x0 / step, y0 / step, (x1 - x0) / step, (y1 - y0) / step


def text_image(trace: dict[str, Any], layout: dict[str, Any]) -> dict[str, Any] | None:
    """A text-only scatter (headings, captions) as one layout image of its texts, or None
    when a text would reach outside the axis ranges (a layout image is clipped to them;
    plotly draws ``cliponaxis=False`` text unclipped) or there is nothing to draw.

    Example:
        >>> from vizkit.render._grid import axes_layout
        >>> layout = axes_layout(10, 5, "t")
        >>> heading = {"type": "scatter", "mode": "text", "x": [0], "y": [1], "text": ["in"],
        ...            "textposition": "middle right", "textfont": {"size": 12}}
        >>> image = text_image(heading, layout)
        >>> image["x"] >= 0 and image["xanchor"] == "left" and image["yanchor"] == "top"
        True
    """
    items = tuple(
        (float(x), float(y), plain_text(text))
        for x, y, text in zip(
            trace.get("x") or [], trace.get("y") or [], trace.get("text") or [], strict=False
        )
        if x is not None and y is not None and text
    )
    if not items:
        return None
    font = trace.get("textfont") or {}
    source, x, y, sizex, sizey = _text_png(
        items,
        round(cell_px(layout), 3),
        float(font.get("size", 12)),
        font.get("color", "#222222"),
        _ANCHORS.get(str(trace.get("textposition", "middle center")), "mm"),
    )
    (xa, xb), (ya, yb) = layout["xaxis"]["range"], layout["yaxis"]["range"]
    if ya < yb:  # y up: the cell canvases all have y down
        return None
    if x < min(xa, xb) or x + sizex > max(xa, xb) or y < min(ya, yb) or y + sizey > max(ya, yb):
        return None
    return {
        "source": source,
        "name": f"{trace.get('name', 'text')} texts",
        "xref": "x",
        "yref": "y",
        "x": x,
        "y": y,
        "sizex": sizex,
        "sizey": sizey,
        "xanchor": "left",
        "yanchor": "top",
        "sizing": "stretch",
        "layer": "above",
    }


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
