"""Draw vizkit animations as RGB images with Pillow, frame by frame, without a browser.

Static export through kaleido needs a Chrome process and ~0.3 s per frame; a GIF of a
lecture animation would take tens of seconds. vizkit's animations use a small subset of
plotly (one pair of axes in cell units, heatmaps with text, filled polygons, text and line
scatters; see :mod:`vizkit.render._grid`), and that subset is quick to draw directly: the
traces no frame touches are drawn once, and each frame redraws only what it changes.

Plotly's draw order is kept: heatmaps below scatters, each group in trace order.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache
from typing import Any

import numpy as np
import plotly.graph_objects as go
from PIL import Image, ImageDraw, ImageFont

from vizkit._validate import check_int, check_memory, check_number, describe
from vizkit.render._grid import plain_text as _plain

__all__ = ["figure_frames"]

_ANCHORS = {
    "middle right": "lm",
    "middle left": "rm",
    "middle center": "mm",
    "top center": "md",
    "bottom center": "ma",
    "top right": "ld",
    "top left": "rd",
}


# Fonts with the maths glyphs the captions use (⌊ ⌋ − Σ ⊙ →); Pillow's bundled font lacks them.
_FONT_FILES = (
    "DejaVuSans.ttf",
    "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
    "/usr/share/fonts/TTF/DejaVuSans.ttf",
    "/Library/Fonts/Arial Unicode.ttf",
)


@lru_cache(maxsize=32)
def _font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    for name in _FONT_FILES:
        try:
            return ImageFont.truetype(name, max(int(size), 6))
        except OSError:
            continue
    return ImageFont.load_default(size=max(int(size), 6))  # some symbols may show as boxes


@lru_cache(maxsize=256)
def _color(spec: str) -> tuple[int, int, int, int]:
    spec = spec.strip()
    if spec.startswith("#"):
        h = spec[1:]
        if len(h) == 3:
            h = "".join(c * 2 for c in h)
        return (int(h[0:2], 16), int(h[2:4], 16), int(h[4:6], 16), 255)
    match = re.match(r"rgba?\(([^)]*)\)", spec)
    if match:
        parts = [float(p) for p in match.group(1).split(",")]
        alpha = parts[3] if len(parts) > 3 else 1.0
        return (int(parts[0]), int(parts[1]), int(parts[2]), round(alpha * 255))
    from PIL import ImageColor

    r, g, b = ImageColor.getrgb(spec)[:3]
    return (r, g, b, 255)


def _colormap(
    values: np.ndarray, scale: Sequence[Sequence[Any]], zmin: float, zmax: float
) -> np.ndarray:
    """RGBA per value, interpolating the colorscale as plotly does (steps where repeated)."""
    if isinstance(scale, str):
        import plotly.colors

        scale = plotly.colors.get_colorscale(scale)
    pos = np.array([float(p) for p, _ in scale])
    cols = np.array([_color(c) if not isinstance(c, (list, tuple)) else c for _, c in scale], float)
    u = np.clip((values - zmin) / ((zmax - zmin) or 1.0), 0.0, 1.0)
    i = np.clip(np.searchsorted(pos, u, side="right") - 1, 0, len(pos) - 2)
    span = pos[i + 1] - pos[i]
    f = np.where(span > 0, (u - pos[i]) / np.where(span > 0, span, 1.0), 1.0)[..., None]
    return (cols[i] * (1 - f) + cols[i + 1] * f).round().astype(np.uint8)


class _Canvas:
    """Maps axis coordinates to pixels for one figure layout."""

    def __init__(self, layout: dict[str, Any], cell_px: float) -> None:
        self.x0, self.x1 = layout["xaxis"]["range"]
        y0, y1 = layout["yaxis"]["range"]
        self.reversed = y0 > y1
        self.ytop = y1 if self.reversed else y0
        self.ybottom = y0 if self.reversed else y1
        self.title = _plain(layout.get("title", {}).get("text", "") or "")
        cells_w, cells_h = self.x1 - self.x0, abs(y1 - y0)
        if layout["yaxis"].get("scaleanchor") == "x":
            self.sx = self.sy = float(cell_px)
        else:  # free aspect (line plots): a fixed 900 × 420 plot area
            self.sx, self.sy = 900 / cells_w, 420 / cells_h
        self.top = 16 + 18 * (self.title.count("\n") + 1)
        self.left = 12
        self.size = (
            int(cells_w * self.sx) + 2 * self.left + 160,  # room for labels
            int(cells_h * self.sy) + self.top + 12,
        )

    def xy(self, x: float, y: float) -> tuple[float, float]:
        px = self.left + (x - self.x0) * self.sx
        if self.reversed:
            py = self.top + (y - self.ytop) * self.sy
        else:
            py = self.top + (self.ybottom - y) * self.sy
        return px, py


def _heatmap(draw: ImageDraw.ImageDraw, t: dict[str, Any], cv: _Canvas) -> None:
    z = np.array([[np.nan if v is None else v for v in row] for row in t.get("z") or []], float)
    if z.size == 0:
        return
    rgba = _colormap(
        np.nan_to_num(z), t["colorscale"], t.get("zmin", np.nanmin(z)), t.get("zmax", np.nanmax(z))
    )
    x0, y0 = t.get("x0", 0), t.get("y0", 0)
    gap = 1 if t.get("xgap") else 0
    text = t.get("text") if t.get("texttemplate") else None
    font = _font(min(t.get("textfont", {}).get("size", 11) * cv.sx / 30, cv.sx * 0.45))
    for r, c in zip(*np.nonzero(~np.isnan(z)), strict=True):
        color = tuple(int(v) for v in rgba[r, c])
        if color[3] == 0:
            continue
        ax, ay = cv.xy(x0 + c - 0.5, y0 + r - 0.5)
        bx, by = cv.xy(x0 + c + 0.5, y0 + r + 0.5)
        draw.rectangle([min(ax, bx), min(ay, by), max(ax, bx) - gap, max(ay, by) - gap], fill=color)
        if text is not None and text[r][c]:
            draw.multiline_text(
                ((ax + bx) / 2, (ay + by) / 2),
                _plain(text[r][c]),
                fill=(34, 34, 34),
                font=font,
                anchor="mm",
                align="center",
                spacing=0,
            )


def _segments(xs: Sequence[Any], ys: Sequence[Any]) -> list[list[tuple[float, float]]]:
    parts: list[list[tuple[float, float]]] = [[]]
    for x, y in zip(xs, ys, strict=True):
        if x is None or y is None:
            parts.append([])
        else:
            parts[-1].append((float(x), float(y)))
    return [p for p in parts if p]


def _scatter(draw: ImageDraw.ImageDraw, t: dict[str, Any], cv: _Canvas) -> None:
    xs, ys = list(t.get("x") or []), list(t.get("y") or [])
    mode = t.get("mode", "lines")
    if "text" in mode:
        font = _font(t.get("textfont", {}).get("size", 12) * max(cv.sx, 20) / 30)
        anchor = _ANCHORS.get(t.get("textposition", "middle center"), "mm")
        for x, y, s in zip(xs, ys, t.get("text") or [], strict=False):
            draw.multiline_text(
                cv.xy(x, y),
                _plain(s),
                fill=(34, 34, 34),
                font=font,
                anchor=anchor if "\n" not in _plain(s) else anchor[0] + "m",
            )
    if "lines" in mode:
        line = t.get("line", {})
        color = _color(line.get("color", "#1f77b4"))
        width = max(1, round(line.get("width", 2)))
        for seg in _segments(xs, ys):
            pts = [cv.xy(x, y) for x, y in seg]
            if t.get("fill") == "toself" and len(pts) > 2:
                draw.polygon(pts, fill=_color(t.get("fillcolor", "rgba(0,0,0,0.2)")))
            if len(pts) > 1:
                draw.line(pts, fill=color, width=width)


def _draw(image: Image.Image, traces: Sequence[dict[str, Any]], cv: _Canvas) -> None:
    draw = ImageDraw.Draw(image, "RGBA")
    for kind in ("heatmap", "scatter"):
        for t in traces:
            if t.get("type", "scatter") == kind and t.get("visible", True) is not False:
                (_heatmap if kind == "heatmap" else _scatter)(draw, t, cv)


def figure_frames(
    fig: go.Figure, *, frames: Sequence[int] | None = None, cell_px: float = 28
) -> list[np.ndarray]:
    """Draw a vizkit animation (or still figure) as RGB arrays, one per frame.

    Args:
        fig: a figure from a vizkit ``*_animation`` / ``*_figure`` function (one pair of
            axes; heatmaps, polygons, text and lines).
        frames: indices of the frames to draw (default all; a still figure gives one image).
        cell_px: pixels per cell for cell-grid figures.

    Returns:
        ``(H, W, 3)`` uint8 arrays.

    Raises:
        TypeError: ``fig`` is not a figure, ``frames`` not a list of ints, ``cell_px`` not a
            number.
        ValueError: the figure uses something this drawer does not know (a second pair of
            axes, a trace type other than heatmap / scatter), a frame index out of range,
            ``cell_px`` outside 4 … 256, or frames above vizkit's memory budget.
    """
    if not isinstance(fig, go.Figure):
        raise TypeError(f"fig must be a plotly go.Figure, got {describe(fig)}")
    cell_px = check_number("cell_px", cell_px, minimum=4.0, maximum=256.0, fix="use e.g. 28")
    layout = fig.layout.to_plotly_json()
    extra_axes = [k for k in layout if re.fullmatch(r"[xy]axis\d+", k)]
    base = [t.to_plotly_json() for t in fig.data]
    unknown = {t.get("type") for t in base} - {"heatmap", "scatter"}
    if extra_axes or unknown or "range" not in layout.get("xaxis", {}):
        raise ValueError(
            "figure_frames draws vizkit's one-axis cell figures (heatmaps and scatters with "
            f"fixed axis ranges); this figure has axes {extra_axes or ['xaxis']} and trace "
            f"types {sorted(map(str, unknown)) or 'heatmap/scatter'}: export it as HTML "
            "instead (vizkit.export.write_html)"
        )
    cv = _Canvas(layout, cell_px)
    all_frames = [f.to_plotly_json() for f in fig.frames]
    if frames is None:
        chosen: Sequence[int] = range(len(all_frames))
    else:
        if isinstance(frames, str | bytes) or not isinstance(frames, Sequence | range):
            raise TypeError(f"frames must be a list of frame indices, got {describe(frames)}")
        count = max(len(all_frames), 1)
        chosen = [
            check_int(
                "frames",
                k,
                minimum=0,
                maximum=count - 1,
                fix=f"the figure has {count} frame(s): use indices 0 … {count - 1}",
            )
            for k in frames
        ]
        if not chosen:
            raise ValueError("frames is empty: pass at least one frame index, or None for all")
        if not all_frames:
            chosen = []  # a still figure: its one image
    width_px, height_px = cv.size
    check_memory(
        width_px * height_px * 3 * max(len(chosen), 1) * 2,
        name="frames" if len(chosen) > 64 else "cell_px",
        value=len(chosen) if len(chosen) > 64 else cell_px,
        what=f"{max(len(chosen), 1)} RGB frames of {width_px}×{height_px} pixels",
        fix="draw fewer frames or use a smaller cell_px",
    )
    dynamic = {i for f in all_frames for i in (f.get("traces") or range(len(base)))}
    heat = [i for i, t in enumerate(base) if t.get("type") == "heatmap"]
    first_dynamic = min([heat.index(i) for i in heat if i in dynamic], default=len(heat))
    still = heat[:first_dynamic]  # heatmaps below every changing trace: draw once
    background = Image.new("RGB", cv.size, "white")
    _draw(background, [base[i] for i in still], cv)
    if cv.title:
        ImageDraw.Draw(background).multiline_text(
            (cv.left, 8), cv.title, fill=(20, 20, 20), font=_font(13), spacing=4
        )
    images = []
    current = [dict(t) for t in base]
    for k in chosen if all_frames else [None]:
        if k is not None:
            f = all_frames[k]
            for index, new in zip(f.get("traces") or range(len(base)), f["data"], strict=False):
                current[index] = {**current[index], **new}
        image = background.copy()
        _draw(image, [t for i, t in enumerate(current) if i not in still], cv)
        images.append(np.asarray(image))
    return images
