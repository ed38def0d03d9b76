"""Every public inspect function refuses hostile arguments clearly, quickly, within the budget;
and every function that switches a model to eval mode gives each submodule its own mode back
(a frozen BatchNorm inside a training model stays frozen), also when the forward raises."""

from __future__ import annotations

import pytest
import torch
from hypothesis import strategies as st
from torch import nn

from tests.hostile import (
    Entry,
    bad_bool,
    bad_choice,
    bad_int,
    bad_layer,
    bad_module,
    bad_number,
    bad_seed,
    bad_str,
    bad_tensor,
    hostile_test,
)
from vizkit.inspect import (
    capture_activations,
    conv_weight,
    feature_maps,
    filter_evolution,
    filter_grid,
    grad_cam,
    gradient_receptive_field,
    layer_tree,
    maximize_activation,
    saliency_map,
    top_patches,
)
from vizkit.inspect.modes import eval_mode

pytestmark = pytest.mark.usefixtures("torch_one_thread")


def _net() -> nn.Module:
    """Conv(1→4) → BN → ReLU → MaxPool → Conv(4→6) → ReLU → pool → flatten → Linear(6→5)."""
    torch.manual_seed(0)
    return nn.Sequential(
        nn.Conv2d(1, 4, 3, padding=1),
        nn.BatchNorm2d(4),
        nn.ReLU(),
        nn.MaxPool2d(2),
        nn.Conv2d(4, 6, 3, padding=1),
        nn.ReLU(),
        nn.AdaptiveAvgPool2d(1),
        nn.Flatten(),
        nn.Linear(6, 5),
    )


def _image() -> torch.Tensor:
    return torch.rand(1, 12, 12, generator=torch.Generator().manual_seed(1))


def _capture(model: object, layers: object) -> object:
    with capture_activations(model, layers):  # type: ignore[arg-type]
        pass
    return None


IMAGE = bad_tensor((1, 12, 12), wrong_shapes=[(3, 12, 12), (2, 1, 12, 12), (1, 1, 1)])
TARGET = bad_int(0, optional=True)
TARGET_HIGH = st.sampled_from([5, 10**9])  # the model has 5 classes

TABLE = {
    "capture_activations": Entry(
        _capture,
        lambda: {"model": _net(), "layers": ["0", "4"]},
        {"model": bad_module(), "layers": st.one_of(bad_layer(), st.sampled_from([[], [3]]))},
    ),
    "feature_maps": Entry(
        feature_maps,
        lambda: {"model": _net(), "image": _image(), "layer": "0"},
        {"model": bad_module(), "image": IMAGE, "layer": st.one_of(bad_layer(), st.just("8"))},
    ),
    "layer_tree": Entry(
        layer_tree,
        lambda: {"model": _net(), "example": _image()[None]},
        {
            "model": bad_module(),
            "example": bad_tensor((1, 1, 12, 12), wrong_shapes=[(1, 3, 12, 12)]),
        },
    ),
    "conv_weight": Entry(
        conv_weight,
        lambda: {"model": _net(), "layer": "0"},
        {"model": bad_module(), "layer": st.one_of(bad_layer(), st.just("2"))},
    ),
    "filter_grid": Entry(
        filter_grid,
        lambda: {"source": _net(), "layer": "4"},
        {
            "source": st.one_of(
                bad_tensor((6, 4, 3, 3), kinds=False), st.sampled_from([None, "0", 3, [1.0]])
            ),
            "layer": bad_layer(),
            "normalize": bad_choice(["per_filter", "per_layer", "symmetric"]),
            "mode": bad_choice(["auto", "rgb", "per_channel", "channel_sum"]),
            "max_filters": bad_int(1, optional=True),
            "nrow": bad_int(1, optional=True),
            "padding": bad_int(0, huge=True),
        },
    ),
    "filter_evolution": Entry(
        filter_evolution,
        lambda: {"snapshots": [torch.zeros(4, 1, 3, 3), torch.ones(4, 1, 3, 3)]},
        {
            "snapshots": st.one_of(
                bad_tensor((2, 4, 1, 3, 3), kinds=False),
                st.sampled_from(
                    [[], [torch.zeros(4, 1, 3, 3), torch.zeros(2, 1, 3, 3)], "w", None, [3]]
                ),
            ),
            "normalize": bad_choice(["per_filter", "per_layer", "symmetric"]),
            "mode": bad_choice(["auto", "rgb", "per_channel", "channel_sum"]),
            "max_filters": bad_int(1, optional=True),
            "layer": bad_str(),
        },
    ),
    "gradient_receptive_field": Entry(
        gradient_receptive_field,
        lambda: {"model": _net(), "image": _image(), "layer": "4"},
        {
            "model": bad_module(),
            "image": st.one_of(
                bad_tensor((1, 12, 12), wrong_shapes=[(3, 12, 12)]),
                st.sampled_from([(1, 10**9, 10**9), (1, 0, 12), (12, 12), (1, 2.5, 12)]),
            ),
            "layer": st.one_of(bad_layer(), st.just("")),
            "channel": st.one_of(bad_int(0, optional=True), st.just(6)),
            "position": st.sampled_from([(99, 0), (-1, 0), (1,), "centre", (1.5, 2), 3]),
        },
    ),
    "maximize_activation": Entry(
        maximize_activation,
        lambda: {
            "model": _net(),
            "layer": "4",
            "channel": 0,
            "size": 16,
            "in_channels": 1,
            "steps": 1,
        },
        {
            "model": bad_module(),
            "layer": st.one_of(bad_layer(), st.just("8")),
            "channel": st.one_of(bad_int(0), st.just(6)),
            "size": bad_int(8, huge=True),
            "in_channels": st.one_of(bad_choice([1, 3]), st.just(3)),
            "steps": bad_int(1, huge=True),
            "lr": bad_number(above=0),
            "jitter": bad_int(0, huge=True),
            "blur_every": bad_int(0),
            "decorrelate": bad_bool(),
            "mean": st.sampled_from([[0.5, 0.5], [float("nan")], "0.5", [None], 0.5]),
            "std": st.sampled_from([[0.0], [-1.0], [float("inf")], [1.0, 1.0], "1"]),
            "seed": bad_seed(),
        },
    ),
    "top_patches": Entry(
        top_patches,
        lambda: {
            "model": _net(),
            "layer": "4",
            "images": torch.rand(3, 1, 12, 12, generator=torch.Generator().manual_seed(2)),
            "channel": 0,
        },
        {
            "model": bad_module(),
            "layer": st.one_of(bad_layer(), st.just("8")),
            "images": bad_tensor((3, 1, 12, 12), wrong_shapes=[(3, 3, 12, 12), (1, 12, 12)]),
            "channel": st.one_of(bad_int(0), st.just(6)),
            "k": bad_int(1),
            "batch_size": bad_int(1),
            "display": st.sampled_from(
                [torch.zeros(2, 12, 12, 3).numpy(), torch.zeros(3, 12, 12).numpy(), "x", 3]
            ),
        },
    ),
    "saliency_map": Entry(
        saliency_map,
        lambda: {"model": _net(), "image": _image()},
        {"model": bad_module(), "image": IMAGE, "target": st.one_of(TARGET, TARGET_HIGH)},
    ),
    "grad_cam": Entry(
        grad_cam,
        lambda: {"model": _net(), "image": _image(), "layer": "4"},
        {
            "model": bad_module(),
            "image": IMAGE,
            "layer": st.one_of(bad_layer(), st.just("8")),
            "target": st.one_of(TARGET, TARGET_HIGH),
        },
    ),
}

test_refuses_bad_arguments = hostile_test(TABLE)


# --- mode restore ---------------------------------------------------------------------------


def _modes(model: nn.Module) -> dict[str, bool]:
    return {name: m.training for name, m in model.named_modules()}


def _mixed() -> nn.Module:
    model = _net().train()
    model[1].eval()  # a frozen BatchNorm inside a model in training mode
    return model


class _Boom(nn.Module):
    def forward(self, x: torch.Tensor) -> torch.Tensor:
        raise RuntimeError("boom")


CALLS = {
    "feature_maps": lambda m: feature_maps(m, _image(), "4"),
    "layer_tree": lambda m: layer_tree(m, _image()[None]),
    "saliency_map": lambda m: saliency_map(m, _image()),
    "grad_cam": lambda m: grad_cam(m, _image(), "4"),
    "top_patches": lambda m: top_patches(m, "4", torch.rand(2, 1, 12, 12), channel=0, k=1),
    "maximize_activation": lambda m: maximize_activation(
        m, "4", 0, size=16, in_channels=1, steps=1
    ),
    "gradient_receptive_field": lambda m: gradient_receptive_field(m, _image(), "4"),
}


@pytest.mark.parametrize("name", sorted(CALLS))
def test_every_submodule_keeps_its_own_mode(name: str) -> None:
    model = _mixed()
    before = _modes(model)
    assert before["1"] is False and before[""] is True
    CALLS[name](model)
    assert _modes(model) == before


@pytest.mark.parametrize("name", sorted(set(CALLS) - {"gradient_receptive_field"}))
def test_modes_are_restored_when_the_forward_raises(name: str) -> None:
    model = _mixed()
    model.insert(5, _Boom())  # after the first conv block: the forward raises mid-way
    before = _modes(model)
    with pytest.raises(ValueError, match=r"could not run on .*boom"):
        CALLS[name](model)
    assert _modes(model) == before


def test_eval_mode_restores_each_module_also_on_error() -> None:
    model = _mixed()
    before = _modes(model)
    with pytest.raises(KeyError), eval_mode(model):
        assert not any(_modes(model).values())
        raise KeyError("inside the block")
    assert _modes(model) == before
