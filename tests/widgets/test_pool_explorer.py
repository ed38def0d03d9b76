"""PoolExplorer driven in code."""

from __future__ import annotations

import html
import re

import numpy as np
import torch
import torch.nn.functional as F

from vizkit.widgets.pool_explorer import PoolExplorer


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
