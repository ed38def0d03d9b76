"""Captions, headings and running texts fit their figure: plotly cuts off anything past the
figure's edge, so the cell canvas grows to the right (cells keeping their size) to hold them."""

from __future__ import annotations

import re

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from vizkit.render._grid import _lines, axes_layout, canvas_cell_px, label_em
from vizkit.render.browser_layers import cell_px
from vizkit.render.pool import max_pool_backward_figure
from vizkit.render.theme import use_theme
from vizkit.render.transpose import TransposedScene
from vizkit.sliding import conv_transpose2d_trace, pool2d_trace


def _caption_em(line: str) -> float:
    """A caption line's width in em: monospace parts 0.6 em a character, the rest
    label_em + 10 % (bold)."""
    mono = re.findall(r"<span style='font-family:monospace'>(.*?)</span>", line)
    rest = re.sub(r"<span style='font-family:monospace'>.*?</span>", "", line)
    return 0.6 * sum(len(m) for m in mono) + 1.1 * label_em(re.sub(r"<[^>]+>", "", rest))


def _fits(layout: dict, texts: list[tuple[float, str, float]]) -> None:
    px = cell_px(layout)
    right = layout["xaxis"]["range"][1]
    for x, text, size in texts:
        end = x + max(label_em(line) for line in _lines(text)) * size / px
        assert end <= right + 1e-6, (text, end, right)
    title = layout["title"]
    longest = max(_caption_em(line) for line in title["text"].split("<br>")) * title["font"]["size"]
    assert longest + 16 <= layout["width"] + 1, (title["text"], longest, layout["width"])


def test_a_long_caption_widens_a_small_canvas_without_changing_its_cells() -> None:
    title = "a caption far longer than the few cells of this canvas<br>and a second line"
    layout = axes_layout(3, 2, title)
    assert cell_px(layout) == pytest.approx(canvas_cell_px(3), rel=0.02)  # cells unchanged
    assert layout["xaxis"]["range"][0] == -1.0 and layout["xaxis"]["range"][1] > 3
    _fits(layout, [])
    assert axes_layout(3, 2, "short")["xaxis"]["range"] == [-1.0, 3]  # nothing to grow for


def test_the_growth_stops_at_the_themes_widest_canvas() -> None:
    layout = axes_layout(4, 2, "x" * 400)  # no canvas can hold this line
    assert layout["width"] <= 900 + 40 + 1  # the notebook theme's widest canvas


def test_max_pool_backward_caption_fits() -> None:
    """Notebook 03: its three-line caption was cut off at a 7-cell-wide figure."""
    x = torch.arange(49.0).reshape(1, 1, 7, 7).requires_grad_()
    out = F.max_pool2d(x, 3, 2)
    upstream = torch.arange(1.0, 10.0).reshape(out.shape)
    out.backward(upstream)
    trace = pool2d_trace(x.detach()[0].numpy(), 3, 2)
    fig = max_pool_backward_figure(trace, upstream[0].numpy(), grad_input=x.grad[0].numpy())
    _fits(fig.layout.to_plotly_json(), [])


@pytest.mark.parametrize("theme", ["notebook", "lecture"])
@pytest.mark.parametrize(("size", "stride", "padding"), [(2, 1, 0), (2, 2, 1), (3, 2, 0)])
def test_transposed_headings_and_stamp_lines_fit(
    size: int, stride: int, padding: int, theme: str
) -> None:
    """The transposed drawing's long captions ran off the figure, and the stamp line ran
    across the canvas."""
    rng = np.random.default_rng(size)
    x, w = rng.integers(-2, 3, (1, size, size)), rng.integers(-1, 2, (1, 1, 3, 3))
    use_theme(theme)
    try:
        trace = conv_transpose2d_trace(
            x, w, stride=stride, padding=padding, output_padding=padding
        )  # notebook 02's: its torch line is as long as the canvas is wide
        scene = TransposedScene(trace)
        layout = scene.layout()
        texts = []
        for step in range(scene.n_steps):
            for t in scene.traces(step):
                if t["type"] == "scatter" and t.get("mode") == "text":
                    size_px = t["textfont"]["size"]
                    texts += [(x0, s, size_px) for x0, s in zip(t["x"], t["text"], strict=True)]
                    if t["name"] == "stamp":  # below the canvas, not across it
                        assert t["y"][0] > scene.hc - 0.5
        _fits(layout, texts)
    finally:
        use_theme("notebook")


def _annotation_lines_fit(fig) -> None:
    """Every line of every paper-anchored annotation ends inside the figure."""
    layout = fig.layout
    for ann in layout.annotations:
        if ann.xref != "paper" or ann.x is None:
            continue
        size = (ann.font.size if ann.font and ann.font.size else 12) * 1.1  # italic/bold
        margin_l = 80 if layout.margin.l is None else layout.margin.l  # plotly's defaults
        margin_r = 80 if layout.margin.r is None else layout.margin.r
        left = margin_l + ann.x * (layout.width - margin_l - margin_r)
        for line in _lines(ann.text):
            assert left + label_em(line) * size <= layout.width + 1, (line, layout.width)


def test_filter_captions_are_wrapped_to_their_figure() -> None:
    """The normalisation caption ran past a narrow grid's edge, and under the filter
    evolution's play buttons."""
    from vizkit.inspect.filters import filter_evolution, filter_grid
    from vizkit.render.filters import (
        filter_banks_figure,
        filter_evolution_figure,
        filter_grid_figure,
    )

    small = filter_grid(torch.randn(8, 1, 5, 5), normalize="symmetric")  # notebook 06's
    _annotation_lines_fit(filter_grid_figure(small))
    _annotation_lines_fit(filter_banks_figure({"a": small, "b": small}))
    snaps = filter_evolution([torch.randn(8, 1, 5, 5) for _ in range(3)], layer="conv1")
    evolution = filter_evolution_figure(snaps, [0, 10, 20])
    _annotation_lines_fit(evolution)
    (caption,) = evolution.layout.annotations
    buttons = evolution.layout.updatemenus[0]
    assert caption.y >= 1 and caption.yanchor == "bottom"  # above the grid
    assert buttons.y <= 0  # the buttons under it


def test_ilsvrc_source_is_wrapped() -> None:
    from vizkit.render.history import ilsvrc_history_figure
    from vizkit.zoo.published import published

    fig = ilsvrc_history_figure(published("ilsvrc_top5"))
    _annotation_lines_fit(fig)
    assert "Russakovsky" in fig.layout.annotations[0].text


NOTEBOOK_COLUMN_PX = 960  # JupyterLab's notebook column in a 1,400 px window: ~970 px


def test_wide_figures_fit_a_notebook_column() -> None:
    """The filter banks (1,030 px) and the normalisation cubes (1,040 px) scrolled sideways
    in JupyterLab's notebook column."""
    from vizkit.demos.normalization import NORMALIZATIONS, normalization_sets
    from vizkit.inspect.filters import filter_grid
    from vizkit.render.filters import filter_banks_figure
    from vizkit.render.normalization import normalization_axes_figure

    grid = filter_grid(torch.randn(8, 1, 5, 5))
    banks = filter_banks_figure({"ICA": grid, "Gabor": grid, "CNN": grid})  # notebook 06
    sets = {k: normalization_sets(k, (2, 4, 3, 3), num_groups=2) for k in NORMALIZATIONS}
    cubes = normalization_axes_figure(sets)  # notebook 05: all four
    for fig in (banks, cubes):
        assert fig.layout.width <= NOTEBOOK_COLUMN_PX


def test_log_axes_label_1_2_5_not_every_digit() -> None:
    from vizkit.render.training import training_curves_figure

    assert training_curves_figure().layout.yaxis.dtick == "D2"
