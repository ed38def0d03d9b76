"""Memory layout: strides and memory order as torch has them, and the figure drawing them."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest
import torch

from vizkit.device.strides import memory_layout
from vizkit.render.memory_layout import memory_layout_figure

SHAPES = [(1, 3, 2, 2), (2, 3, 4, 5), (1, 1, 3, 3), (2, 4, 1, 3)]


@pytest.mark.parametrize("shape", SHAPES)
def test_strides_equal_torch(shape):
    layout = memory_layout(shape)
    x = torch.randn(shape)
    assert layout.strides_first == x.contiguous().stride()
    assert layout.strides_last == x.contiguous(memory_format=torch.channels_last).stride()
    _, c, h, w = shape
    if c > 1 and h * w > 1:  # where the two formats differ, channels_last is NHWC
        assert layout.strides_last == (c * h * w, 1, w * c, c)
        assert layout.strides_first == (c * h * w, h * w, w, 1)


@pytest.mark.parametrize("shape", SHAPES)
def test_memory_order_is_the_storage_order(shape):
    layout = memory_layout(shape)
    x = torch.randn(shape)
    for order, tensor, last in (
        (layout.order_first, x.contiguous(), False),
        (layout.order_last, x.contiguous(memory_format=torch.channels_last), True),
    ):
        storage = tensor.as_strided((tensor.numel(),), (1,))
        assert torch.equal(storage, torch.stack([tensor[i] for i in order]))
        assert [layout.offset(i, channels_last=last) for i in order] == list(range(x.numel()))


def test_channels_last_interleaves_channels():
    layout = memory_layout((1, 3, 2, 2))
    assert [i[1] for i in layout.order_first[:4]] == [0, 0, 0, 0]
    assert [i[1] for i in layout.order_last[:6]] == [0, 1, 2, 0, 1, 2]


@pytest.mark.parametrize(
    ("shape", "error", "message"),
    [
        ((1, 3, 2), TypeError, "shape must be four ints (N, C, H, W), got (1, 3, 2)"),
        ((1, 0, 2, 2), ValueError, "shape (1, 0, 2, 2) has a size below 1"),
        ((64, 3, 8, 8), ValueError, "has 12288 elements, more than the 4096"),
    ],
)
def test_bad_shapes(shape, error, message):
    with pytest.raises(error) as err:
        memory_layout(shape)
    assert message in str(err.value)


def test_figure_as_data():
    layout = memory_layout((1, 3, 2, 2))
    fig = memory_layout_figure(layout)
    assert fig.layout.meta["strides_first"] == [12, 4, 2, 1]
    assert fig.layout.meta["strides_last"] == [12, 1, 6, 3]
    first, last = (np.array(fig.data[i].text) for i in (0, 1))
    # channel 1 plane (columns 3-4): offsets 4 5 / 6 7 in NCHW, 1 4 / 7 10 in NHWC
    assert first[:, 3:5].tolist() == [["4", "5"], ["6", "7"]]
    assert last[:, 3:5].tolist() == [["1", "4"], ["7", "10"]]
    strip_first, strip_last = list(fig.data[2].text[0]), list(fig.data[3].text[0])
    assert strip_first[:5] == ["0,0,0", "0,0,1", "0,1,0", "0,1,1", "1,0,0"]
    assert strip_last[:4] == ["0,0,0", "1,0,0", "2,0,0", "0,0,1"]
    assert "strides (12, 1, 6, 3)" in " ".join(fig.data[4].text)


def test_torch_side_loads_no_plotly():
    code = (
        "import sys, vizkit.device.strides; "
        "print('plotly' in sys.modules, 'ipywidgets' in sys.modules)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout.split()
    assert out == ["False", "False"]
