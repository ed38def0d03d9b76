"""Gradient-clipping and dropout-mask figures, as data."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from vizkit.demos.clipping import clip_comparison
from vizkit.demos.dropout import dropout_masks
from vizkit.render.regularization import dropout_masks_figure, gradient_clipping_figure


def test_clipping_figure_points_are_the_gradients(tiny_cnn):
    g = torch.Generator().manual_seed(0)
    x, y = torch.randn(4, 1, 16, 16, generator=g) * 5, torch.arange(4)
    clip = clip_comparison(tiny_cnn, x, y, max_norm=0.05, clip_value=0.01)
    fig = gradient_clipping_figure(clip)
    by_norm, by_value = fig.data[1], fig.data[3]
    np.testing.assert_allclose(by_norm.x, clip.before)
    np.testing.assert_allclose(by_norm.y, clip.by_norm)
    assert max(by_value.y) <= 0.01 + 1e-12 and min(by_value.y) >= -0.01 - 1e-12
    assert "cos = 1.000" in fig.layout.annotations[0].text
    small = gradient_clipping_figure(clip, max_points=10)
    assert len(small.data[1].x) <= 10
    with pytest.raises(ValueError, match="max_points 0 is below 1"):
        gradient_clipping_figure(clip, max_points=0)


def test_dropout_figure_rows_show_the_masks():
    masks = dropout_masks((2, 3, 4, 4), p=0.5, seed=1)
    fig = dropout_masks_figure(masks, sample=1)
    assert len(fig.data) == 6
    np.testing.assert_array_equal(fig.data[0].z, masks.dropout[1, 0])
    np.testing.assert_array_equal(fig.data[3].z, masks.dropout2d[1, 0])
    with pytest.raises(ValueError, match=r"sample 2 is outside \[0, 2\)"):
        dropout_masks_figure(masks, sample=2)
