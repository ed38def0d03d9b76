"""Filter grids as data: tile placement, the three normalisations, modes, evolution."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from torch import nn

from vizkit.inspect.filters import conv_weight, filter_evolution, filter_grid


def _rgb_weights() -> torch.Tensor:
    w = torch.zeros(4, 3, 3, 3)
    w[0, 0] = 1.0  # pure red filter
    w[1] = -0.5  # uniform negative
    w[2, :, 1, :] = 2.0  # horizontal bar, the strongest
    w[3, 2, 0, 0] = 0.1  # weak blue dot
    return w


def test_rgb_grid_places_tiles_like_make_grid():
    w = _rgb_weights()
    grid = filter_grid(w, normalize="symmetric")
    assert grid.mode == "rgb" and grid.nrow == 2 and grid.kernel_size == (3, 3)
    assert grid.image.shape == (2 * 4 + 1, 2 * 4 + 1, 3)
    assert grid.value_range == (-2.0, 2.0)
    np.testing.assert_allclose(grid.tile(0)[0, 0], [0.75, 0.5, 0.5])  # +1 red → 0.5 + 1/4
    np.testing.assert_allclose(grid.tile(1), 0.5 - 0.5 / 4)
    np.testing.assert_allclose(grid.tile(2)[1], 1.0)  # the bar is the layer's max: white
    np.testing.assert_allclose(grid.image[0], 1.0)  # padding is white
    assert "symmetric" in grid.caption and "colour" in grid.caption
    assert not torch.equal(w, torch.zeros_like(w))  # input untouched (sanity)


def test_normalisations_differ_as_documented():
    w = _rgb_weights()
    per_filter = filter_grid(w, normalize="per_filter")
    per_layer = filter_grid(w, normalize="per_layer")
    # the weak blue dot is stretched to full brightness per filter, but faint per layer
    assert per_filter.tile(3)[0, 0, 2] == pytest.approx(1.0)
    assert per_layer.tile(3)[0, 0, 2] < 0.3
    assert per_filter.value_range is None and per_layer.value_range == (-0.5, 2.0)
    assert "own min→max" in per_filter.caption and "one min→max" in per_layer.caption


def test_deeper_layers_per_channel_and_channel_sum():
    w = torch.randn(5, 7, 3, 3, generator=torch.Generator().manual_seed(0))
    summed = filter_grid(w)  # auto → channel_sum
    assert summed.mode == "channel_sum" and summed.tiles_per_filter == 1
    tile = summed.tile(0)[..., 0]
    s = w[0].sum(0)
    np.testing.assert_allclose(tile, ((s - s.min()) / (s.max() - s.min())).numpy(), atol=1e-6)
    per_channel = filter_grid(w, mode="per_channel")
    assert per_channel.nrow == 7 and per_channel.tiles_per_filter == 7
    assert per_channel.image.shape[:2] == (5 * 4 + 1, 7 * 4 + 1)
    grey = filter_grid(torch.randn(3, 1, 5, 5))
    assert grey.mode == "grey"


def test_filter_grid_from_a_model_and_errors():
    model = nn.Sequential(nn.Conv2d(3, 6, 5), nn.ReLU(), nn.Conv2d(6, 2, 3))
    grid = filter_grid(model, "0", max_filters=4)
    assert grid.n_filters == 4 and grid.title == "0: 4 filters 5×5×3"
    assert torch.equal(conv_weight(model, "2"), model[2].weight.detach())
    with pytest.raises(ValueError, match=r"no layer '5'; the conv layers are \['0', '2'\]"):
        conv_weight(model, "5")
    with pytest.raises(ValueError, match="ReLU has no 4-D weight"):
        conv_weight(model, "1")
    with pytest.raises(ValueError, match="mode='rgb' needs 3 input channels, the filters have 6"):
        filter_grid(model, "2", mode="rgb")
    with pytest.raises(ValueError, match="normalize 'minmax' is not one of"):
        filter_grid(model, "0", normalize="minmax")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="too many to draw"):
        filter_grid(torch.zeros(100, 64, 1, 1), mode="per_channel")
    with pytest.raises(TypeError, match="pass layer="):
        filter_grid(model)


def test_filter_evolution_shares_one_scale():
    early = torch.full((2, 1, 3, 3), 0.1)
    late = torch.full((2, 1, 3, 3), 1.0)
    late[0, 0, 0, 0] = -1.0
    grids = filter_evolution([early, late], layer="conv1")
    assert len(grids) == 2 and grids[0].title.startswith("conv1:")
    assert grids[0].value_range == grids[1].value_range == (-1.0, 1.0)
    assert grids[0].tile(0)[1, 1, 0] == pytest.approx(0.55)  # small weights stay near grey
    assert "one scale for all snapshots" in grids[0].caption
    with pytest.raises(ValueError, match="must have shape \\(T, out, in, kH, kW\\)"):
        filter_evolution(torch.zeros(2, 3, 3))
