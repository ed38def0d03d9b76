"""FilterExplorer driven in code: model picker, layer, filter (channel), scale and mode."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from torch import nn

import vizkit.widgets.filter_explorer as module
from vizkit.inspect.filters import filter_grid
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


def test_channel_control_shows_one_filter_large():
    model = _model()
    explorer = FilterExplorer(model, layer="2")
    assert explorer.channel.max == 5  # 6 filters
    explorer.channel.value = 4
    assert explorer.single.layout.title.text == "2 filter 4"
    expected = filter_grid(model[2].weight[4:5], mode="per_channel", nrow=4)
    np.testing.assert_array_equal(
        np.asarray(explorer.single.data[0].z), (expected.image * 255).round().astype(np.uint8)
    )
    assert "Filter 4:" in explorer.status.value
    explorer.layer.value = "0"  # 4 filters: the slider shrinks, filter 3 is shown
    assert explorer.channel.max == 3 and explorer.single.layout.title.text == "0 filter 3"


def test_model_picker_switches_models():
    model = _model()
    explorer = FilterExplorer(model, model_name="the one just trained")
    assert explorer.model_picker.options[0] == ("the one just trained", "given")
    explorer.model_picker.value = "zoo:lenet5"
    assert explorer.model is not model and explorer.layer.value == "c1"
    assert explorer.grid.title == "c1: 6 filters 5×5"
    assert explorer.figure.layout.title.text == "c1: 6 filters 5×5"
    assert "random weights" in explorer.status.value
    explorer.model_picker.value = "torchvision:alexnet"  # real loading code; offline: random
    assert explorer.layer.value == "features.0" and explorer.grid.n_filters == 64
    assert explorer.grid.mode == "rgb"
    explorer.model_picker.value = "given"
    assert explorer.model is model and explorer.grid.n_filters == 4


def test_impossible_choice_shows_in_the_status_line(monkeypatch):
    explorer = FilterExplorer(_model(), layer="2")
    explorer.mode.value = "rgb"
    assert "needs 3 input channels" in explorer.status.value
    with pytest.raises(ValueError, match="is not a conv layer"):
        FilterExplorer(_model(), layer="1")
    monkeypatch.setattr(
        module, "load_choice", lambda key: (_ for _ in ()).throw(OSError("No space left on device"))
    )
    explorer.model_picker.value = "zoo:vgg-D"
    assert "⚠ No space left on device" in explorer.status.value


def test_starting_from_a_picker_key():
    explorer = FilterExplorer("zoo:lenet5")
    assert explorer.model_picker.value == "zoo:lenet5" and explorer.grid.n_filters == 6
    assert all(v != "given" for _, v in explorer.model_picker.options)
    with pytest.raises(ValueError, match="model 'lenet5' is not a picker choice"):
        FilterExplorer("lenet5")
