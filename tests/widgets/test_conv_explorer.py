"""ConvExplorer driven in code: move a control, assert the figure and the status line."""

from __future__ import annotations

import html
import re

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from vizkit.render._grid import polygon_cells
from vizkit.render.browser_layers import path_points
from vizkit.widgets.conv_explorer import ConvExplorer


def text(explorer: ConvExplorer) -> str:
    return html.unescape(re.sub(r"<[^>]+>", " ", explorer.status.value))


def shape_cells(explorer: ConvExplorer, name: str) -> list[tuple[int, int]]:
    """The cells outlined by the layout shape ``name`` (the explorer draws outlines as shapes)."""
    (shape,) = [s for s in explorer.figure.layout.shapes if s.name == name]
    return polygon_cells(*path_points(shape.path))


def output_grid(explorer: ConvExplorer) -> np.ndarray:
    z = explorer.figure.data[1].z
    ho, wo = explorer.trace.output.shape[1:]
    return np.array([[z[r][c] for c in range(wo)] for r in range(ho)], float)


def test_initial_figure_is_torch_output():
    e = ConvExplorer(input_height=5, input_width=6, kernel_size=3)
    x, w = torch.tensor(e.trace.input)[None], torch.tensor(e.trace.weight)
    assert np.allclose(output_grid(e), F.conv2d(x, w)[0, 0].numpy())
    assert "H_out = 5 − 3 + 1 = 3" in text(e) and "W_out = 6 − 3 + 1 = 4" in text(e)
    assert e.step.max == 11


def test_stride_changes_output_grid_and_formula_in_place():
    e = ConvExplorer(input_height=7, input_width=7, kernel_size=3)
    figure, before = e.figure, text(e)
    assert output_grid(e).shape == (5, 5)
    e.stride.value = 2
    assert e.figure is figure  # updated in place, not rebuilt
    assert output_grid(e).shape == (3, 3)
    assert "H_out = ⌊(7 − 3) / 2⌋ + 1 = 3" in text(e) and text(e) != before
    assert "nn.Conv2d(1, 1, kernel_size=3, stride=2, bias=False)" in text(e)
    x, w = torch.tensor(e.trace.input)[None], torch.tensor(e.trace.weight)
    assert np.allclose(output_grid(e), F.conv2d(x, w, stride=2)[0, 0].numpy())
    assert e.step.max == 8 and e.play.max == 8


def test_step_slider_moves_the_window():
    e = ConvExplorer(input_height=6, input_width=6, kernel_size=3, stride=1)
    e.step.value = 7
    step = e.trace.steps[7]
    cells = shape_cells(e, "window")
    assert sorted(cells) == sorted((r, c) for r in step.rows for c in step.cols)
    assert e.figure.data[7].visible is False  # the window trace is drawn as a layout shape
    e.play.value = 3  # the play button drives the same slider
    assert e.step.value == 3


def test_padding_kinds_modes_dilation_and_channels():
    e = ConvExplorer(input_height=5, input_width=5, kernel_size=3)
    e.padding_kind.value = "same"
    assert e.trace.output.shape == (1, 5, 5) and e.padding.disabled
    e.padding_kind.value = "full"
    assert e.trace.output.shape == (1, 7, 7)
    e.padding_kind.value = "number"
    e.padding.value = 1
    e.padding_mode.value = "circular"
    assert "padding_mode='circular'" in text(e)
    assert np.array(e.figure.data[0].z, float)[0, 0] == 2  # copied padding colour
    e.dilation.value = 2
    assert e.trace.output.shape == (1, 3, 3)
    e.in_channels.value = 2
    e.out_channels.value = 3
    assert e.trace.output.shape == (3, 3, 3)
    assert "parameters F·F·D·K + K = 57" in text(e)  # 3·3·2·3 + 3
    assert e.step.max == 26


def test_invalid_setting_shows_message_then_recovers():
    e = ConvExplorer(input_height=5, input_width=5, kernel_size=3)
    e.kernel_size.value = 7
    assert e.scene is None
    assert "kernel_size 7 is larger than the padded input 5" in text(e)
    assert "Traceback" not in e.status.value
    e.padding.value = 1
    assert e.error is None and e.trace.output.shape == (1, 1, 1)
    e.padding_kind.value = "same"
    e.stride.value = 2
    assert e.error is not None and "same" in e.error


def test_speed_control_sets_play_interval():
    e = ConvExplorer()
    e.speed.value = "fast"
    assert e.play.interval == 120
    e.speed.value = "slow"
    assert e.play.interval == 900


@pytest.mark.parametrize(
    "kwargs,message",
    [
        ({"stride": 0}, "stride 0 is below 1, the smallest allowed: use stride=1"),
        ({"padding": "half"}, "padding 'half' is not understood"),
        ({"padding_mode": "mirror"}, "padding_mode 'mirror' is not one of 'zeros', 'reflect'"),
    ],
)
def test_bad_start_values_raise(kwargs, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        ConvExplorer(**kwargs)
