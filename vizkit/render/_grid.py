"""Drawing helpers shared by the animations: cell grids, window outlines, controls, layout.

Every vizkit animation lives on **one** pair of axes measured in cells: a panel is a heatmap
placed with ``x0``/``y0`` offsets, the y axis points down (row 0 on top, as in an array), and
one unit is one cell. Keeping to heatmaps, filled scatter polygons and text scatters on a
single axis is what lets :mod:`vizkit.render.raster` redraw any animation as GIF frames
without a browser.

Sizes and text colours are read from :func:`vizkit.render.theme.current_theme` when a trace
or layout is built, so ``vk.theme("lecture")`` enlarges every animation built after it.

Traces are plain dicts (plotly's JSON schema); :func:`build_figure` turns them into a
``go.Figure`` without per-attribute validation, because an animation of a 32×32 input has
hundreds of frames and validating each would cost seconds.
"""

from __future__ import annotations

import math
import re
import textwrap
from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np

from vizkit.render._plotly_internals import build_figure as build_figure  # re-exported
from vizkit.render.theme import THEMES, current_theme

Trace = dict[str, Any]

# Cell categories of an input grid, drawn with the discrete CATEGORY_SCALE.
INPUT, ZERO_PAD, COPY_PAD, UNREAD = 0, 1, 2, 3
CATEGORY_COLORS = ("#d4e5f7", "#f0f0f0", "#fdd0a2", "#bdbdbd")
CATEGORY_NAMES = ("input", "zero padding", "padding (copied)", "never read")
WINDOW_COLOR = "rgba(214, 39, 40, 0.9)"
WINDOW_FILL = "rgba(214, 39, 40, 0.18)"
OUTPUT_COLOR = "rgba(44, 160, 44, 0.95)"
DIVERGING = [[0.0, "#4575b4"], [0.5, "#f7f7f7"], [1.0, "#d73027"]]
SEQUENTIAL = [[0.0, "#f7fbff"], [1.0, "#6baed6"]]
# The notebook theme's cell-number font; builders take the current theme's (Theme.font).
TEXT_FONT = THEMES["notebook"].font(11)


def category_scale() -> list[list[Any]]:
    """A step colorscale mapping categories 0…3 (zmin −0.5, zmax 3.5) to CATEGORY_COLORS."""
    n = len(CATEGORY_COLORS)
    scale: list[list[Any]] = []
    for i, color in enumerate(CATEGORY_COLORS):
        scale += [[i / n, color], [(i + 1) / n, color]]
    return scale


def fmt(value: float, digits: int = 3) -> str:
    """A cell label: integers without a decimal point, others with ``digits`` significant.

    Example:
        >>> fmt(3.0), fmt(-0.333333), fmt(12.5), fmt(float("nan"))
        ('3', '-0.333', '12.5', 'nan')
    """
    if math.isnan(value):
        return "nan"
    if math.isinf(value):
        return "∞" if value > 0 else "-∞"
    if float(value).is_integer() and abs(value) < 1e6:
        return str(int(value))
    return f"{value:.{digits}g}"


def fmt_grid(values: np.ndarray, digits: int = 3) -> list[list[str]]:
    """:func:`fmt` over a 2D array; NaN cells (gaps between panels) get an empty label."""
    a = np.asarray(values, dtype=float)
    labels = fmt_array(a, digits)
    labels[np.isnan(a)] = ""
    return labels.tolist()


def fmt_array(values: np.ndarray, digits: int = 3) -> np.ndarray:
    """:func:`fmt` over an array of any shape, as an object array of strings.

    Each distinct value is formatted once (integer-valued inputs repeat a lot), integers in
    one ``astype(str)``, the rest with ``format``; labelling every product of a 900-frame
    animation takes a few milliseconds.

    Example:
        >>> fmt_array(np.array([[3.0, -0.333333], [3.0, 12.5]])).tolist()
        [['3', '-0.333'], ['3', '12.5']]
        >>> fmt_array(np.array([np.nan, np.inf, -np.inf, -0.0, 2e6])).tolist()
        ['nan', '∞', '-∞', '0', '2e+06']
    """
    a = np.asarray(values, dtype=float)
    if a.size == 0:
        return np.empty(a.shape, dtype=object)
    unique, inverse = np.unique(a, return_inverse=True)
    labels = np.empty(unique.shape, dtype=object)
    finite = np.isfinite(unique)
    whole = finite & (unique == np.round(unique)) & (np.abs(unique) < 1e6)
    other = finite & ~whole
    labels[whole] = unique[whole].astype(np.int64).astype(str).astype(object)
    spec = f".{digits}g"
    labels[other] = [format(v, spec) for v in unique[other].tolist()]
    labels[np.isnan(unique)] = "nan"
    labels[unique == np.inf] = "∞"
    labels[unique == -np.inf] = "-∞"
    return labels[inverse.reshape(a.shape)]


def heatmap(
    z: np.ndarray,
    *,
    x0: float,
    y0: float,
    name: str,
    colorscale: Any,
    zmin: float,
    zmax: float,
    text: list[list[str]] | None = None,
    hovertext: list[list[str]] | None = None,
    font_size: int = 11,
) -> Trace:
    """A panel: ``z`` drawn with its top-left cell centred at ``(x0, y0)``."""
    trace: Trace = {
        "type": "heatmap",
        "name": name,
        "z": np.where(np.isnan(z), None, z).tolist() if np.isnan(z).any() else z.tolist(),
        "x0": x0,
        "dx": 1,
        "y0": y0,
        "dy": 1,
        "colorscale": colorscale,
        "zmin": zmin,
        "zmax": zmax,
        "showscale": False,
        "xgap": 1,
        "ygap": 1,
        "hoverongaps": False,
    }
    # Every key is always present (None when unused), so a FigureWidget trace updated in
    # place with this dict loses what the previous configuration had set.
    trace["text"] = text
    trace["texttemplate"] = "%{text}" if text is not None else None
    trace["textfont"] = current_theme().font(font_size)
    trace["hovertext"] = hovertext
    trace["hoverinfo"] = "text" if hovertext is not None else "skip"
    return trace


def cell_polygons(cells: Iterable[tuple[float, float]], inset: float = 0.04) -> tuple[list, list]:
    """x and y lists of closed squares around cell centres ``(row, col)``, None-separated."""
    xs: list[float | None] = []
    ys: list[float | None] = []
    lo, hi = -0.5 + inset, 0.5 - inset
    for r, c in cells:
        xs += [c + lo, c + hi, c + hi, c + lo, c + lo, None]
        ys += [r + lo, r + lo, r + hi, r + hi, r + lo, None]
    return xs, ys


def polygons_array(
    rows: np.ndarray, cols: np.ndarray, inset: float = 0.04
) -> tuple[list[list], list[list]]:
    """:func:`cell_polygons` for many frames at once: ``rows``/``cols`` are ``(frames, cells)``.

    Returns per frame the x and y lists, identical to ``cell_polygons(zip(rows[i], cols[i]))``.

    Example:
        >>> xs, ys = polygons_array(np.array([[2, 4]]), np.array([[3, 5]]))
        >>> (xs[0], ys[0]) == cell_polygons([(2, 3), (4, 5)])
        True
    """
    lo, hi = -0.5 + inset, 0.5 - inset
    dx = np.array([lo, hi, hi, lo, lo])
    dy = np.array([lo, lo, hi, hi, lo])
    n, cells = np.shape(rows)
    xs = np.empty((n, cells, 6), dtype=object)
    ys = np.empty((n, cells, 6), dtype=object)
    xs[..., :5] = np.asarray(cols, dtype=float)[..., None] + dx
    ys[..., :5] = np.asarray(rows, dtype=float)[..., None] + dy
    return xs.reshape(n, -1).tolist(), ys.reshape(n, -1).tolist()


def polygon_cells(xs: Sequence[float | None], ys: Sequence[float | None]) -> list[tuple[int, int]]:
    """Inverse of :func:`cell_polygons`: the ``(row, col)`` centre of every square drawn.

    Example:
        >>> xs, ys = cell_polygons([(2, 3), (4, 5)])
        >>> polygon_cells(xs, ys)
        [(2, 3), (4, 5)]
    """
    cells = []
    for start in range(0, len(xs), 6):
        x = [v for v in xs[start : start + 5] if v is not None]
        y = [v for v in ys[start : start + 5] if v is not None]
        if x:
            cells.append((round(sum(y) / len(y)), round(sum(x) / len(x))))
    return cells


def outline(name: str, color: str, fill: str | None = None, width: float = 3.0) -> Trace:
    """An empty polygon trace (cells are set per frame with :func:`cell_polygons`).

    ``width`` is the notebook theme's; the current theme scales it.
    """
    width = current_theme().line_width(width)
    trace: Trace = {
        "type": "scatter",
        "name": name,
        "x": [],
        "y": [],
        "mode": "lines",
        "line": {"color": color, "width": width},
        "hoverinfo": "skip",
        "showlegend": False,
    }
    if fill is not None:
        trace["fill"] = "toself"
        trace["fillcolor"] = fill
    return trace


def labels(
    name: str,
    items: Sequence[tuple[float, float, str]],
    size: int = 13,
    anchor: str = "middle right",
) -> Trace:
    """A text-only scatter: ``(x, y, text)`` items (``size`` scaled by the current theme)."""
    return {
        "type": "scatter",
        "name": name,
        "mode": "text",
        "x": [i[0] for i in items],
        "y": [i[1] for i in items],
        "text": [i[2] for i in items],
        "textposition": anchor,
        "textfont": current_theme().font(size),
        "hoverinfo": "skip",
        "showlegend": False,
        "cliponaxis": False,
    }


def reveal_scale(shown: int, total: int) -> list[list[Any]]:
    """Colorscale of a cover heatmap whose z is the step index (zmin −0.5, zmax total − 0.5).

    Cells with index < ``shown`` are transparent (the value underneath shows), the rest white.
    """
    t = min(max(shown / total, 0.0), 1.0)
    clear, white = "rgba(255,255,255,0)", "rgba(255,255,255,1)"
    return [[0.0, clear], [t, clear], [t, white], [1.0, white]]


def revealed_count(colorscale: Sequence[Sequence[Any]], total: int) -> int:
    """How many cells a :func:`reveal_scale` colorscale shows (for tests and the rasteriser)."""
    return round(float(colorscale[1][0]) * total)


def canvas_cell_px(width_cells: float, cell_px: float = 34) -> float:
    """Screen pixels per cell of an :func:`axes_layout` canvas ``width_cells`` wide: the
    theme's cell size, smaller where the canvas would grow wider than the theme allows.

    Example:
        >>> canvas_cell_px(10), canvas_cell_px(60) < 34
        (34.0, True)
    """
    theme = current_theme()
    grow = theme.cell_px / THEMES["notebook"].cell_px
    return float(max(12.0, min(cell_px * grow, theme.max_width_px / max(width_cells, 1))))


def label_em(text: str) -> float:
    """Width of a cell label in em, as plotly's sans-serif fonts draw it: digits and
    letters about 0.6 em, ``-``, ``.`` and spaces about 0.35 em.

    Example:
        >>> label_em("-0.153")
        3.1
    """
    return round(sum(0.35 if ch in "-. " else 0.6 for ch in text), 6)


def fitting_font(widest_em: float, cell_px: float, preferred: float, smallest: float = 7) -> int:
    """The font size (px) at which a label ``widest_em`` wide (:func:`label_em`) fits a cell
    ``cell_px`` wide: ``preferred`` when it fits, smaller down to ``smallest`` (a label that
    still overflows then overlaps its neighbours; the hover text keeps the full value).

    Example:
        >>> fitting_font(1.2, 34, 11), fitting_font(2.75, 26, 11), fitting_font(5.0, 12, 11)
        (11, 8, 7)
    """
    if widest_em <= 0:
        return int(preferred)
    fits = math.floor((cell_px - 2) / widest_em)
    return int(max(smallest, min(preferred, fits)))


_TAG = re.compile(r"<[^>]+>")


def plain_text(text: str) -> str:
    r"""A plotly label or caption as plain text: ``<br>`` a line break, other tags dropped.

    >>> plain_text("<b>2D</b> conv<br>H_out = 3")
    '2D conv\nH_out = 3'
    """
    return _TAG.sub("", str(text).replace("<br>", "\n"))


def headline(name: str, code: str) -> str:
    """A caption's first line: ``name`` in bold, then the torch line in monospace; the
    torch line on a line of its own where both would not fit the widest canvas.

    Example:
        >>> headline("max pooling", "nn.MaxPool2d(2)")
        "<b>max pooling</b>   <span style='font-family:monospace'>nn.MaxPool2d(2)</span>"
    """
    theme = current_theme()
    size = theme.font_size(14)
    width = (label_em(name) * 1.1 + 2 + 0.6 * len(code)) * size  # bold; monospace 0.6 em
    gap = "<br>" if width + 40 > theme.max_width_px else "   "
    return f"<b>{name}</b>{gap}<span style='font-family:monospace'>{code}</span>"


def wrap_lines(text: str, width_px: float, font_px: float) -> list[str]:
    """``text`` (lines joined by ``<br>``) wrapped to fit ``width_px`` at ``font_px``, for a
    plotly annotation (plotly cuts a long line off at the figure's edge). 0.66 em a
    character: room for italics and wide letters.

    >>> wrap_lines("one two three four five six seven eight nine ten", 150, 11)
    ['one two three four', 'five six seven eight', 'nine ten']
    """
    chars = max(20, int(width_px / (0.66 * font_px)))
    return [part for line in text.split("<br>") for part in textwrap.wrap(line, chars) or [""]]


def _lines(html_text: str) -> list[str]:
    """The plain text lines of a plotly caption (``<br>`` breaks, tags dropped)."""
    return plain_text(html_text).split("\n")


def axes_layout(
    width_cells: float,
    height_cells: float,
    title: str,
    *,
    cell_px: float = 34,
    extra_top: int = 0,
    texts: Sequence[tuple[float, str, float]] = (),
) -> dict[str, Any]:
    """Layout of a one-axis cell canvas: equal aspect, y down, no ticks, sized to the cells.

    ``cell_px`` is the notebook theme's cell size; the current theme scales it (and the
    widest the canvas may grow, the caption font and the margins).

    The canvas grows to the right, cells keeping their size, until the caption's longest
    line and every ``texts`` label — ``(x, text, font px)``, drawn from ``x`` (in cells)
    rightwards like a "middle right" scatter label — fit in the figure (plotly would cut
    them off at its edge), up to the theme's widest canvas.

    Example:
        >>> narrow = axes_layout(3, 3, "a caption far longer than three cells of 34 px")
        >>> narrow["width"] >= 14 * 0.6 * 40 and narrow["xaxis"]["range"][1] > 3
        True
    """
    theme = current_theme()
    px = canvas_cell_px(width_cells, cell_px)
    font = theme.font(14)
    right = float(width_cells)
    for x, text, size in texts:
        right = max(right, x + max(label_em(line) for line in _lines(text)) * size / px + 0.3)
    # 10 % more than label_em: bold and monospace parts are wider
    title_px = max(label_em(line) for line in _lines(title)) * 1.1 * float(font["size"]) + 16
    right = max(right, (title_px - 40) / px - 1)
    widest = max(theme.max_width_px + 40, px * (width_cells + 1) + 40)
    right = min(right, (widest - 40) / px - 1)
    top = round((70 + 18 * title.count("<br>")) * theme.font_scale) + extra_top
    bottom = round(100 * theme.font_scale)
    return {
        "title": {"text": title, "x": 0.01, "xanchor": "left", "font": font},
        "xaxis": {"visible": False, "range": [-1.0, right], "fixedrange": True},
        "yaxis": {
            "visible": False,
            "range": [height_cells, -1.5],
            "scaleanchor": "x",
            "fixedrange": True,
        },
        "width": int(px * (right + 1) + 40),
        "height": int(px * (height_cells + 2.5) + top + bottom + 10),
        "margin": {"l": 20, "r": 20, "t": top, "b": bottom},
        "plot_bgcolor": "white",
        "paper_bgcolor": "white",
        "showlegend": False,
    }


SPEEDS = (("slow", 900), ("normal", 400), ("fast", 120))


def animation_controls(frame_names: Sequence[str], label: str = "step") -> dict[str, Any]:
    """Play buttons (one per speed), pause, and a step slider with one step per frame.

    ``vizkit.widgets.Stepper`` drives the same frames from the keyboard.
    """
    theme = current_theme()
    buttons = [
        {
            "label": f"▶ {name}",
            "method": "animate",
            "args": [
                None,
                {
                    "frame": {"duration": ms, "redraw": True},
                    "fromcurrent": True,
                    "transition": {"duration": 0},
                    "mode": "immediate",
                },
            ],
        }
        for name, ms in SPEEDS
    ]
    buttons.append(
        {
            "label": "❚❚ pause",
            "method": "animate",
            "args": [
                [None],
                {
                    "frame": {"duration": 0, "redraw": False},
                    "mode": "immediate",
                    "transition": {"duration": 0},
                },
            ],
        }
    )
    # One options dict shared by every step: serialised the same, but plotly's deepcopy of
    # the layout copies it once instead of once per frame.
    jump = {
        "frame": {"duration": 0, "redraw": True},
        "mode": "immediate",
        "transition": {"duration": 0},
    }
    steps = [{"label": name, "method": "animate", "args": [[name], jump]} for name in frame_names]
    return {
        "updatemenus": [
            {
                "type": "buttons",
                "direction": "left",
                "showactive": False,
                "x": 0.0,
                "y": -0.02,
                "xanchor": "left",
                "yanchor": "top",
                "buttons": buttons,
                "font": theme.font(12),
                "pad": {"t": 0, "r": 4},
            }
        ],
        "sliders": [
            {
                "active": 0,
                "steps": steps,
                "x": 0.0,
                "len": 1.0,
                "y": -0.12,
                "yanchor": "top",
                "currentvalue": {"prefix": f"{label} ", "font": theme.font(12)},
                "font": theme.font(11),
                "pad": {"t": 10, "b": 0},
                "transition": {"duration": 0},
            }
        ],
    }
