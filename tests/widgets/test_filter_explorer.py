"""FilterExplorer driven in code."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from torch import nn

from vizkit.widgets.filter_explorer import FilterExplorer


def _model() -> nn.Module:
    torch.manual_seed(0)
    return nn.Sequential(nn.Conv2d(3, 4, 5), nn.ReLU(), nn.Conv2d(4, 6, 3))


def test_controls_update_the_figure():
    explorer = FilterExplorer(_model())
    first = np.asarray(explorer.figure.data[0].z).copy()
    assert explorer.grid.mode == "rgb" and explorer.grid.n_filters == 4
    explorer.normalize.value = "symmetric"
    assert not np.array_equal(first, np.asarray(explorer.figure.data[0].z))
    assert "symmetric" in explorer.figure.layout.annotations[0].text
    explorer.layer.value = "2"
    assert explorer.grid.n_filters == 6 and explorer.grid.mode == "channel_sum"
    explorer.mode.value = "per_channel"
    assert explorer.grid.tiles_per_filter == 4


def test_impossible_choice_shows_in_the_status_line():
    explorer = FilterExplorer(_model(), layer="2")
    explorer.mode.value = "rgb"
    assert "needs 3 input channels" in explorer.status.value
    with pytest.raises(ValueError, match="is not a conv layer"):
        FilterExplorer(_model(), layer="1")
