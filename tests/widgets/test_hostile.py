"""Every explorer refuses hostile starting values with a TypeError/ValueError naming the
parameter (the same messages its status line shows later), quickly and within the budget:
``OutputSizeCalculator(input_size=10**9)`` used to hang, explorers of size 10⁹ to allocate.
The ActivationExplorer gives a model back with every submodule in its own mode."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from hypothesis import strategies as st
from torch import nn

from tests.hostile import (
    Entry,
    bad_array,
    bad_bool,
    bad_choice,
    bad_int,
    bad_module,
    bad_seed,
    hostile_test,
)
from vizkit.widgets import (
    ActivationExplorer,
    ArchitecturePicker,
    ConvExplorer,
    FilterExplorer,
    KernelPlayground,
    MaskEditor,
    OutputSizeCalculator,
    PoolExplorer,
    TransposedConvExplorer,
)

pytestmark = pytest.mark.usefixtures("torch_one_thread")

SIZES = bad_int(1, huge=True)


def _net() -> nn.Module:
    torch.manual_seed(0)
    return nn.Sequential(
        nn.Conv2d(3, 4, 3, padding=1), nn.BatchNorm2d(4), nn.ReLU(), nn.Conv2d(4, 4, 3)
    )


def _picture() -> np.ndarray:
    return np.random.default_rng(0).random((24, 24, 3)).astype(np.float32)


TABLE = {
    "OutputSizeCalculator": Entry(
        OutputSizeCalculator,
        lambda: {},
        {
            "input_size": SIZES,
            "kernel_size": SIZES,
            "stride": SIZES,
            "padding": st.one_of(bad_int(0, huge=True), st.just("sometimes")),
            "dilation": SIZES,
        },
    ),
    "ConvExplorer": Entry(
        ConvExplorer,
        lambda: {},
        {
            "input_height": SIZES,
            "input_width": SIZES,
            "kernel_size": SIZES,
            "stride": SIZES,
            "padding": st.one_of(bad_int(0, huge=True), st.just("sometimes")),
            "dilation": SIZES,
            "padding_mode": bad_choice(["zeros", "reflect", "replicate", "circular"]),
            "in_channels": SIZES,
            "out_channels": SIZES,
            "seed": bad_seed(),
        },
    ),
    "PoolExplorer": Entry(
        PoolExplorer,
        lambda: {},
        {
            "input_height": SIZES,
            "input_width": SIZES,
            "kernel_size": SIZES,
            "stride": bad_int(1, optional=True, huge=True),
            "padding": bad_int(0, huge=True),
            "dilation": SIZES,
            "ceil_mode": bad_bool(),
            "kind": bad_choice(["max", "avg", "lp"]),
            "seed": bad_seed(),
        },
    ),
    "TransposedConvExplorer": Entry(
        TransposedConvExplorer,
        lambda: {},
        {
            "input_height": SIZES,
            "input_width": SIZES,
            "kernel_size": SIZES,
            "stride": SIZES,
            "padding": bad_int(0, huge=True),
            "output_padding": bad_int(0, huge=True),
            "dilation": SIZES,
            "in_channels": SIZES,
            "out_channels": SIZES,
            "seed": bad_seed(),
        },
    ),
    "KernelPlayground": Entry(
        KernelPlayground,
        lambda: {"image": _picture()},
        {
            "image": st.one_of(
                bad_array((24, 24, 3), wrong_shapes=[(24, 24, 5)], tensor_ok=True).filter(
                    lambda v: not isinstance(v, str | list) and v is not None
                ),
                st.sampled_from(["nonexistent", 3, None]),
            ),
            "kernel": st.sampled_from(["nonsense", 3, None]),
            "padding": st.sampled_from([-1, "sometimes", 2.5, 10**9]),
            "padding_mode": bad_choice(["zeros", "reflect", "replicate", "circular"]),
            "stride": bad_int(1, huge=True),
            "size": bad_int(8, optional=True, huge=True),
        },
    ),
    "MaskEditor": Entry(
        MaskEditor,
        lambda: {"image": _picture(), "size": 16},
        {
            "image": bad_array((24, 24, 3), wrong_shapes=[(24, 24, 4)], tensor_ok=False).filter(
                lambda v: v is not None
            ),
            "size": bad_int(8, huge=True),
            "max_size": bad_int(8, optional=True, huge=True),
            "display_size": bad_int(64, huge=True),
        },
    ),
    "ActivationExplorer": Entry(
        ActivationExplorer,
        lambda: {"model": _net(), "image": _picture(), "size": 16},
        {
            "model": st.one_of(bad_module(), st.just("zoo:nope")),
            "image": bad_array((24, 24, 3), wrong_shapes=[(24, 24, 5)]),
            "size": bad_int(1, optional=True, huge=True),
            "channels": st.sampled_from([2, 0, "3", 3.0]),
            "mean": st.sampled_from([[0.5, 0.5], [float("nan")], "0.5", [None]]),
            "std": st.sampled_from([[0.0], [-1.0], [float("inf")], "1"]),
            "transforms": st.sampled_from([3, "resize"]),
            "max_maps": bad_int(1, huge=True),
            "model_name": st.sampled_from([3, ["a"]]),
            "torchvision_models": st.sampled_from(["alexnet", [3], 3]),
        },
    ),
    "FilterExplorer": Entry(
        FilterExplorer,
        lambda: {"model": _net()},
        {
            "model": st.one_of(bad_module(), st.just("zoo:nope")),
            "layer": st.sampled_from(["nope", "1", 3]),
            "max_filters": bad_int(1),
            "model_name": st.sampled_from([3, ["a"]]),
            "torchvision_models": st.sampled_from(["alexnet", [3], 3]),
        },
    ),
    "ArchitecturePicker": Entry(
        ArchitecturePicker,
        lambda: {"model": "lenet5"},
        {
            "model": st.sampled_from(["nope", 3, None, nn.Linear]),
            "resolution": bad_int(16, optional=True, huge=True),
            "batch_size": bad_int(1, huge=True),
        },
    ),
}

test_refuses_bad_arguments = hostile_test(TABLE, examples=15)


def test_activation_explorer_gives_every_submodule_its_own_mode_back() -> None:
    model = _net().train()
    model[1].eval()  # a frozen BatchNorm inside a model in training mode
    before = {name: m.training for name, m in model.named_modules()}
    explorer = ActivationExplorer(model, _picture(), size=16)
    explorer.layer.value = explorer.layer.options[-1][1]  # refresh on another layer
    assert {name: m.training for name, m in model.named_modules()} == before
