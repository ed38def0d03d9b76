"""Convolution vs cross-correlation: torch's F.conv2d is the cross-correlation."""

from __future__ import annotations

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from scipy.signal import convolve2d, correlate2d

from vizkit.render._grid import polygon_cells
from vizkit.render.correlation import conv_vs_xcorr_animation, correlation_check


@pytest.mark.parametrize("padding", [0, 1])
def test_torch_conv2d_is_cross_correlation(rng, padding):
    x = rng.integers(-3, 4, (5, 6)).astype(float)
    w = rng.integers(-2, 3, (3, 3)).astype(float)
    w[0, 0] = 5.0  # surely not symmetric
    check = correlation_check(x, w, padding=padding)
    xt, wt = torch.tensor(x)[None, None], torch.tensor(w)[None, None]
    by_torch = F.conv2d(xt, wt, padding=padding)[0].numpy()
    flipped_by_torch = F.conv2d(xt, wt.flip(-1, -2), padding=padding)[0].numpy()
    assert np.allclose(check.cross_correlation.output, by_torch)
    assert np.allclose(check.convolution.output, flipped_by_torch)
    # the definitions of signal processing, independently of vizkit and torch
    xp = np.pad(x, padding)
    assert np.allclose(check.convolution.output[0], convolve2d(xp, w, mode="valid"))
    assert np.allclose(check.cross_correlation.output[0], correlate2d(xp, w, mode="valid"))
    assert not check.symmetric
    assert check.max_difference == pytest.approx(np.abs(by_torch - flipped_by_torch).max())
    assert check.max_difference > 0
    assert np.array_equal(check.flipped_kernel, w[::-1, ::-1])


def test_symmetric_kernel_gives_equal_results(rng):
    check = correlation_check(rng.normal(size=(5, 5)), [[1.0, 2, 1], [2, 4, 2], [1, 2, 1]])
    assert check.symmetric and check.max_difference == 0.0


def test_figure_as_data(rng):
    x = rng.integers(0, 4, (5, 5)).astype(float)
    w = np.array([[0.0, 1, 2], [2, 2, 0], [0, 1, 2]])
    fig = conv_vs_xcorr_animation(x, w)
    xt, wt = torch.tensor(x)[None, None], torch.tensor(w)[None, None]
    assert np.allclose(fig.layout.meta["cross_correlation"], F.conv2d(xt, wt)[0, 0].numpy())
    assert np.allclose(fig.layout.meta["convolution"], F.conv2d(xt, wt.flip(-1, -2))[0, 0].numpy())
    assert len(fig.frames) == 9 == len(fig.layout.sliders[0].steps)
    kernels = np.array(fig.data[1].z, dtype=float)
    row_h = 8  # max(5, 3, 3) + 3
    assert np.array_equal(kernels[:3], w) and np.array_equal(
        kernels[row_h : row_h + 3], w[::-1, ::-1]
    )
    assert "cross-correlation" in fig.layout.title.text and "differ" in fig.layout.title.text
    for k in (0, 4, 8):
        frame = fig.frames[k].to_plotly_json()
        data = dict(zip(frame["traces"], frame["data"], strict=True))
        r, c = divmod(k, 3)
        window = {(rr, cc) for rr in range(r, r + 3) for cc in range(c, c + 3)}
        expected = window | {(row_h + rr, cc) for rr, cc in window}
        assert set(polygon_cells(data[4]["x"], data[4]["y"])) == expected


def test_not_a_plane_is_refused():
    with pytest.raises(ValueError, match=r"x has shape \(2, 3, 3\): pass one 2D plane"):
        correlation_check(np.zeros((2, 3, 3)), np.ones((2, 2)))
