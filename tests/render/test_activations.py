"""Activation figures as data."""

from __future__ import annotations

import numpy as np
import pytest

from vizkit.inspect.maximize import Maximization
from vizkit.inspect.saliency import Attribution
from vizkit.render.activations import (
    attribution_figure,
    feature_maps_figure,
    map_mosaic,
    maximization_figure,
)


def test_mosaic_layout_and_normalisation():
    maps = np.stack([np.full((2, 3), 1.0), np.arange(6.0).reshape(2, 3), np.zeros((2, 3))])
    mosaic = map_mosaic(maps, normalize="per_layer")
    assert mosaic.shape == (2 * 3 - 1, 2 * 4 - 1)  # 2×2 tiles of 2×3 with 1-px NaN gaps
    assert np.isnan(mosaic[2]).all() and np.isnan(mosaic[:, 3]).all()
    np.testing.assert_allclose(mosaic[:2, 4:7], maps[1] / 5)
    per_map = map_mosaic(maps)
    np.testing.assert_allclose(per_map[:2, :3], 0.0)  # a constant map → 0, not NaN
    with pytest.raises(ValueError, match="must have shape \\(C, H, W\\)"):
        map_mosaic(np.zeros((2, 2)))


def test_feature_maps_figure_hover_names_channels():
    fig = feature_maps_figure(np.random.default_rng(0).random((5, 4, 4)), title="conv1")
    custom = np.asarray(fig.data[0].customdata)
    assert custom[0, 0] == 0 and custom[0, 5] == 1 and custom[5, 0] == 3
    assert custom[4, 0] == -1  # gap
    assert "own min→max" in fig.layout.annotations[0].text


def test_attribution_and_maximization_figures():
    image = np.zeros((6, 6, 3))
    heat = Attribution(np.ones((6, 6), np.float32), 2, 1.0, 0.9, "saliency")
    fig = attribution_figure(image, heat, classes=list("abc"))
    assert len(fig.data) == 3 and "class c" in fig.layout.annotations[1].text
    with pytest.raises(ValueError, match="differ"):
        attribution_figure(np.zeros((5, 5, 3)), heat)
    failed = Maximization(
        np.full((4, 4, 3), 0.5, np.float32),
        [0.0, 0.0],
        False,
        "the image stayed flat grey",
        "conv1",
        0,
    )
    assert "⚠ the image stayed flat grey" in maximization_figure(failed).layout.title.text
