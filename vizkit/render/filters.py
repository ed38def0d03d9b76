"""Figures of conv filters: one grid, its evolution during training, banks side by side.

Input is data from :mod:`vizkit.inspect.filters` (``FilterGrid``: an RGB image plus what it
shows and how it was normalised); the normalisation caption is printed under every grid,
because the same weights look very different under different normalisations.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from vizkit._validate import check_int, describe
from vizkit.render._args import check_data, check_mapping, check_picture, check_text
from vizkit.render._grid import animation_controls, wrap_lines
from vizkit.render.theme import current_theme

if TYPE_CHECKING:
    from vizkit.inspect.filters import FilterGrid

__all__ = ["filter_banks_figure", "filter_evolution_figure", "filter_grid_figure", "image_trace"]


def image_trace(image: np.ndarray, **kwargs: Any) -> go.Image:
    """An ``(H, W, 3)`` float image in [0, 1] as a ``go.Image`` (uint8, pixel-exact)."""
    array = check_picture("image", image)
    if array.ndim == 2:
        array = np.repeat(array[..., None], 3, axis=2)
    if array.ndim != 3 or array.shape[2] != 3:
        raise ValueError(f"image must be (H, W) or (H, W, 3), got shape {array.shape}")
    return go.Image(z=(np.clip(array, 0, 1) * 255).round().astype(np.uint8), **kwargs)


def _size(grid_shape: tuple[int, ...], max_px: int = 620) -> tuple[int, int]:
    h, w = grid_shape[:2]
    scale = max(1.0, min(max_px / max(h, w), 24.0))
    return int(w * scale) + 40, int(h * scale) + 130


def _hover(grid: FilterGrid) -> str:
    """Hover text: which filter (and input channel) a pixel belongs to."""
    return "x %{x}, y %{y}<extra></extra>"


def _check_grid(name: str, grid: object) -> None:
    check_data(
        name,
        grid,
        ("image", "title", "caption", "n_filters", "kernel_size"),
        "a FilterGrid from vizkit.inspect.filter_grid" + ("s" if name.endswith("s") else ""),
    )


def filter_grid_figure(grid: FilterGrid, *, title: str | None = None) -> go.Figure:
    """One grid of filters, with its normalisation stated under it.

    Args:
        grid: A :class:`~vizkit.inspect.filters.FilterGrid`.
        title: Replaces ``grid.title``.

    Returns:
        ``go.Figure`` with one ``go.Image`` trace; the caption is an annotation.
    """
    _check_grid("grid", grid)
    check_text("title", title)
    width, height = _size(grid.image.shape)
    caption, caption_px = _caption(grid.caption, width)
    fig = go.Figure(image_trace(grid.image, hovertemplate=_hover(grid)))
    fig.update_layout(
        title={"text": title or grid.title, "x": 0.01, "xanchor": "left"},
        width=width,
        height=height + max(caption_px - 40, 0),
        margin={"l": 20, "r": 20, "t": 50, "b": 20 + caption_px},
        xaxis={"visible": False},
        yaxis={"visible": False, "scaleanchor": "x"},
        annotations=[caption],
    )
    return fig


def _caption(text: str, width_px: float, *, above: bool = False) -> tuple[dict[str, Any], int]:
    """The normalisation caption as an annotation, its lines wrapped to fit ``width_px``
    (plotly cuts a long line off at the figure's edge), under the plot or ``above`` it
    (where the animation's buttons sit under it); and the pixels its lines take."""
    theme = current_theme()
    lines = wrap_lines(text, width_px - 40, theme.font_size(11))
    annotation = {
        "text": "<i>" + "<br>".join(lines) + "</i>",
        "xref": "paper",
        "yref": "paper",
        "x": 0,
        "y": 1.0 if above else -0.02,
        "xanchor": "left",
        "yanchor": "bottom" if above else "top",
        "showarrow": False,
        "font": theme.font(11),
    }
    return annotation, round(len(lines) * 1.35 * theme.font_size(11)) + 6


def filter_evolution_figure(
    grids: Sequence[FilterGrid], steps: Sequence[int], *, title: str | None = None
) -> go.Figure:
    """Filters through training: a slider over snapshots and play/pause buttons.

    Args:
        grids: One grid per snapshot (:func:`vizkit.inspect.filters.filter_evolution`).
        steps: The training step of each snapshot (same length).
        title: Title prefix (default: the first grid's title).

    Returns:
        ``go.Figure`` showing the first snapshot, with one frame per snapshot named by its
        step and a slider step per frame.

    Raises:
        ValueError: ``grids`` is empty or the lengths differ.
    """
    for name, value, what in (("grids", grids, "FilterGrid objects"), ("steps", steps, "ints")):
        if isinstance(value, str | bytes) or not isinstance(value, Sequence):
            raise TypeError(f"{name} must be a list of {what}, got {describe(value)}")
    for grid in grids:
        _check_grid("grids", grid)
    for step in steps:
        check_int("steps", step)
    check_text("title", title)
    if not grids or len(grids) != len(steps):
        raise ValueError(
            f"need one step per grid and at least one grid, got {len(grids)} grids and "
            f"{len(steps)} steps"
        )
    names = [str(s) for s in steps]
    head = title or grids[0].title
    fig = filter_grid_figure(grids[0], title=f"{head} — step {names[0]}")
    fig.frames = [
        go.Frame(
            data=[image_trace(g.image, hovertemplate=_hover(g))],
            name=name,
            layout={"title": {"text": f"{head} — step {name}"}},
        )
        for g, name in zip(grids, names, strict=True)
    ]
    width, height = _size(grids[0].image.shape)
    # the caption above the grid: the play buttons and the slider take the space under it
    caption, caption_px = _caption(grids[0].caption, width, above=True)
    fig.update_layout(
        **animation_controls(names, label="step"),
        height=height + 90 + caption_px,
        margin={"t": 50 + caption_px, "b": 150},
        annotations=[caption],
    )
    fig.layout.title.update(y=1, yref="container", yanchor="top", pad={"t": 12})
    return fig


def filter_banks_figure(
    grids: Mapping[str, FilterGrid], *, title: str = "Filter banks"
) -> go.Figure:
    """Several filter grids side by side (e.g. learned conv1, ICA, Gabor), each captioned.

    Args:
        grids: Panel title → grid, in display order.
        title: Figure title.

    Returns:
        ``go.Figure`` with one image subplot per grid.

    Raises:
        ValueError: ``grids`` is empty.
    """
    check_mapping("grids", grids, "FilterGrid")
    for grid in grids.values():
        _check_grid("grids", grid)
    check_text("title", title)
    names = list(grids)
    fig = make_subplots(rows=1, cols=len(names), subplot_titles=names, horizontal_spacing=0.04)
    for i, name in enumerate(names, start=1):
        fig.add_trace(image_trace(grids[name].image, hovertemplate=_hover(grids[name])), 1, i)
        fig.update_xaxes(visible=False, row=1, col=i)
        fig.update_yaxes(visible=False, scaleanchor=f"x{'' if i == 1 else i}", row=1, col=i)
    captions = "<br>".join(f"{n}: {grids[n].caption}" for n in names)
    width = 300 * len(names) + 40  # three panels fit a notebook (about 1000 px)
    caption, caption_px = _caption(captions, width)
    fig.update_layout(
        title={"text": title, "x": 0.01, "xanchor": "left"},
        width=width,
        height=400 + caption_px,
        margin={"l": 20, "r": 20, "t": 70, "b": 30 + caption_px},
    )
    fig.add_annotation(caption | {"y": -0.04})
    return fig
