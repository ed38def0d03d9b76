"""transposed_animation as data, against F.conv_transpose2d."""

from __future__ import annotations

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from vizkit.render._grid import polygon_cells
from vizkit.render.transpose import TransposedScene, transposed_animation
from vizkit.sliding import conv_transpose2d_trace


def grid(z):
    return np.array([[np.nan if v is None else v for v in row] for row in z], float)


@pytest.mark.parametrize(
    "cfg", [dict(stride=1), dict(stride=2, padding=1, output_padding=1), dict(stride=2, dilation=2)]
)
def test_stamps_canvas_and_direct_view(rng, cfg):
    x = rng.integers(1, 4, (1, 3, 3)).astype(float)
    w = rng.integers(-1, 3, (1, 1, 3, 3)).astype(float)
    trace = conv_transpose2d_trace(x, w, **cfg)
    fig = transposed_animation(trace)
    expected = F.conv_transpose2d(torch.tensor(x)[None], torch.tensor(w), **cfg)[0, 0].numpy()
    assert len(fig.frames) == x.size
    assert np.allclose(grid(fig.data[4].z), expected)  # the direct view's output
    scene = TransposedScene(trace)
    last = fig.frames[-1].to_plotly_json()["data"][0]
    canvas = grid(last["z"])
    (ph, pw), (ho, wo) = trace.geometry.padding, expected.shape
    assert np.allclose(canvas[ph : ph + ho, pw : pw + wo], expected)  # crop of the full canvas
    for k, frame in enumerate(fig.frames):
        data = frame.to_plotly_json()["data"]
        step = trace.steps[k]
        assert polygon_cells(data[2]["x"], data[2]["y"]) == [step.in_index]
        stamp = polygon_cells(data[3]["x"], data[3]["y"])
        assert sorted(stamp) == sorted(
            (r, scene.x_canvas + c) for r in step.rows for c in step.cols
        )
    title = fig.layout.title.text
    a, b = (float(v) for v in title.split("⟨conv(x), y⟩ = ")[1].split(" = ⟨x, convᵀ(y)⟩ = "))
    assert np.isclose(a, b)


def test_one_channel_only():
    trace = conv_transpose2d_trace(np.ones((2, 2, 2)), np.ones((2, 1, 2, 2)))
    with pytest.raises(ValueError, match="one input and one output channel"):
        transposed_animation(trace)
