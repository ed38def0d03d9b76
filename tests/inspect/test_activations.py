"""capture_activations: equals a manual forward, copies, removes hooks, warns, suggests names."""

from __future__ import annotations

import warnings

import pytest
import torch
from torch import nn

from vizkit.inspect.activations import capture_activations, feature_maps, layer_tree


def _hook_count(model: nn.Module) -> int:
    return sum(len(m._forward_hooks) + len(m._forward_pre_hooks) for m in model.modules())


def test_activations_equal_a_manual_forward(tiny_cnn):
    x = torch.randn(2, 1, 16, 16)
    with capture_activations(tiny_cnn, ["0", "3", "7"]) as acts:
        out = tiny_cnn(x)
    first = tiny_cnn[0](x)
    torch.testing.assert_close(acts["0"], first)
    torch.testing.assert_close(acts["3"], tiny_cnn[3](tiny_cnn[2](tiny_cnn[1](first))))
    torch.testing.assert_close(acts["7"], out)
    assert not acts["0"].requires_grad


def test_in_place_relu_cannot_change_captured_conv_output():
    torch.manual_seed(0)
    model = nn.Sequential(nn.Conv2d(1, 3, 3), nn.ReLU(inplace=True))
    x = torch.randn(1, 1, 8, 8)
    with capture_activations(model, "0") as acts:
        model(x)
    assert (acts["0"] < 0).any()  # without the copy the ReLU would have zeroed these
    torch.testing.assert_close(acts["0"], model[0](x))


def test_hooks_are_removed_on_exit_and_on_exceptions(tiny_cnn):
    before = _hook_count(tiny_cnn)
    with capture_activations(tiny_cnn, ["0", "4"]):
        assert _hook_count(tiny_cnn) > before
        tiny_cnn(torch.zeros(1, 1, 16, 16))
    assert _hook_count(tiny_cnn) == before
    with pytest.raises(RuntimeError, match="boom"), capture_activations(tiny_cnn, "0"):
        raise RuntimeError("boom")
    assert _hook_count(tiny_cnn) == before
    with pytest.raises(RuntimeError), capture_activations(tiny_cnn, "0"):
        tiny_cnn(torch.zeros(1, 3, 16, 16))  # wrong channels: the forward raises
    assert _hook_count(tiny_cnn) == before


def test_rerunning_a_cell_does_not_stack_hooks(tiny_cnn):
    for _ in range(3):  # what re-running a notebook cell does
        with capture_activations(tiny_cnn, "0") as acts:
            tiny_cnn(torch.zeros(1, 1, 16, 16))
    assert _hook_count(tiny_cnn) == 0 and acts["0"].shape == (1, 4, 16, 16)


def test_reused_module_warns_but_several_passes_do_not():
    relu = nn.ReLU()
    model = nn.Sequential(nn.Conv2d(1, 2, 3), relu, nn.Conv2d(2, 2, 3), relu)
    x = torch.randn(1, 1, 9, 9)
    with (
        pytest.warns(UserWarning, match=r"layer '1' \(ReLU\) ran more than once"),
        capture_activations(model, "1") as acts,
    ):
        out = model(x)
    torch.testing.assert_close(acts["1"], out)  # last call wins
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with capture_activations(model, "0") as acts:
            model(x)
            model(2 * x)
    torch.testing.assert_close(acts["0"], model[0](2 * x))


def test_unknown_names_suggest_close_ones(tiny_cnn):
    model = nn.Sequential()
    model.add_module("features", nn.Sequential(nn.Conv2d(1, 2, 3), nn.ReLU()))
    with pytest.raises(ValueError, match=r"no layer named 'feature.0'.*did you mean 'features.0'"):
        with capture_activations(model, ["feature.0"]):
            pass
    with pytest.raises(TypeError, match=r"must be a torch\.nn\.Module"):
        with capture_activations("model", "0"):  # type: ignore[arg-type]
            pass
    with pytest.raises(ValueError, match="layers is empty"):
        with capture_activations(tiny_cnn, []):
            pass
    assert _hook_count(model) == 0


def test_feature_maps_and_layer_tree_do_not_change_the_model(tiny_cnn):
    tiny_cnn.train()
    maps = feature_maps(tiny_cnn, torch.randn(1, 16, 16), "2")
    assert maps.shape == (4, 8, 8)
    assert tiny_cnn.training  # mode restored
    tree = layer_tree(tiny_cnn, torch.zeros(1, 1, 16, 16))
    assert [t.name for t in tree] == [str(i) for i in range(8)]
    assert tree[3].output_shape == (8, 3, 3) and tree[7].output_shape == (10,)
    assert tree[0].label == "0  Conv2d  (4, 16, 16)"
    with pytest.raises(ValueError, match="not \\(N, C, H, W\\)"):
        feature_maps(tiny_cnn, torch.randn(1, 16, 16), "6")
    assert _hook_count(tiny_cnn) == 0
