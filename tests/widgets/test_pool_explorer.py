"""PoolExplorer and TransposedConvExplorer driven in code."""

from __future__ import annotations

import html
import re

import numpy as np
import torch
import torch.nn.functional as F

from vizkit.widgets.pool_explorer import PoolExplorer
from vizkit.widgets.transposed_explorer import TransposedConvExplorer


def text(e) -> str:
    return html.unescape(re.sub(r"<[^>]+>", " ", e.status.value))


def grid(z):
    return np.array([[np.nan if v is None else v for v in row] for row in z], float)


def test_pool_explorer_kind_ceil_and_errors():
    e = PoolExplorer(input_height=6, input_width=6, kernel_size=3, stride=2)
    figure = e.figure
    x = torch.tensor(e.trace.input)[None]
    assert np.allclose(grid(e.figure.data[1].z), F.max_pool2d(x, 3, 2)[0, 0].numpy())
    e.ceil_mode.value = True
    assert e.figure is figure and grid(e.figure.data[1].z).shape == (3, 3)
    assert "⌈(6 − 3) / 2⌉ + 1 = 3" in text(e)
    e.kind.value = "avg"
    assert np.allclose(
        grid(e.figure.data[1].z), F.avg_pool2d(x, 3, 2, ceil_mode=True)[0, 0].numpy()
    )
    assert "nn.AvgPool2d(kernel_size=3, stride=2, ceil_mode=True)" in text(e)
    e.dilation.value = 2
    assert e.error is not None and "dilation" in e.error and "Traceback" not in e.status.value
    e.dilation.value = 1
    e.padding.value = 2
    assert "padding 2 is more than half the pooling window" in text(e)


def test_transposed_explorer_stride_and_output_padding():
    e = TransposedConvExplorer(input_height=2, input_width=3, kernel_size=3)
    e.stride.value = 2
    e.output_padding.value = 1
    x, w = torch.tensor(e.trace.input)[None], torch.tensor(e.trace.weight)
    expected = F.conv_transpose2d(x, w, stride=2, output_padding=1)[0, 0].numpy()
    assert np.allclose(grid(e.figure.data[4].z), expected)
    assert "output_padding=1" in text(e) and e.step.max == 5
    e.stride.value = 1
    assert e.error is not None and "output_padding" in e.error


def test_transposed_explorer_channels_sum_per_output_channel():
    e = TransposedConvExplorer(
        input_height=2, input_width=2, kernel_size=3, stride=2, in_channels=2, out_channels=3
    )
    figure = e.figure
    x, w = torch.tensor(e.trace.input), torch.tensor(e.trace.weight)
    assert x.shape == (2, 2, 2) and w.shape == (2, 3, 3, 3)
    assert np.allclose(e.trace.output, F.conv_transpose2d(x[None], w, stride=2)[0].numpy())
    assert "output: 3 × 5 × 5" in text(e)
    assert "2·3·3² + 3 = 57" in text(
        e
    ) and "nn.ConvTranspose2d(2, 3, kernel_size=3, stride=2)" in text(e)
    # The drawn pair is input channel 1 → output channel 2: its stamps alone.
    e.show_in.value, e.show_out.value = 1, 2
    pair = F.conv_transpose2d(x[None, 1:2], w[1:2, 2:3], stride=2)[0, 0].numpy()
    assert e.figure is figure and np.allclose(grid(e.figure.data[4].z), pair)
    assert "input channel 1 → output channel 2" in text(e)
    # Fewer channels pull the pickers back inside the range (never an out-of-range pair).
    e.in_channels.value = 1
    assert e.show_in.value == 0 and e.show_in.max == 0 and e.error is None
    assert e.trace.output.shape == (3, 5, 5)
    assert "output: 3 × 5 × 5" in text(e)
