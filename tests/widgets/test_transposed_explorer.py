"""TransposedConvExplorer driven in code."""

from __future__ import annotations

import html
import re

import numpy as np
import torch
import torch.nn.functional as F

from vizkit.widgets.transposed_explorer import TransposedConvExplorer


def text(e) -> str:
    return html.unescape(re.sub(r"<[^>]+>", " ", e.status.value))


def grid(z):
    return np.array([[np.nan if v is None else v for v in row] for row in z], float)


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
