"""The last demos entry points (residual blocks, crops, the cliff loss, small_cnn and the
ensemble) refuse hostile arguments clearly, quickly and within the budget."""

from __future__ import annotations

import pytest
import torch
from hypothesis import strategies as st
from torch.utils.data import TensorDataset

from tests.hostile import (
    Entry,
    bad_bool,
    bad_choice,
    bad_int,
    bad_module,
    bad_number,
    bad_seed,
    bad_tensor,
    hostile_test,
)
from tests.support import tiny_model, tiny_split
from vizkit import demos
from vizkit.demos.recipes import Recipe
from vizkit.train import StopRequest

pytestmark = pytest.mark.usefixtures("torch_one_thread")


GRID = torch.linspace(-1, 2, 5)
TENSORS = st.one_of(
    bad_tensor((5,), wrong_shapes=[(4,)]).filter(lambda t: not _finite_real(t)),
    st.sampled_from([torch.zeros(5, dtype=torch.long), torch.zeros(5, dtype=torch.bool)]),
)


def _finite_real(value: object) -> bool:
    """A finite real tensor of a shape that broadcasts with (5,): cliff_loss may accept it."""
    return (
        isinstance(value, torch.Tensor)
        and value.is_floating_point()
        and value.shape == (5,)
        and bool(torch.isfinite(value).all())
    )


TABLE = {
    "PreActBlock": Entry(
        demos.PreActBlock, lambda: {"channels": 4}, {"channels": bad_int(1, 4096, huge=True)}
    ),
    "ZeroPadShortcut": Entry(
        demos.ZeroPadShortcut,
        lambda: {"in_channels": 4, "out_channels": 8},
        {
            "in_channels": bad_int(1, 4096, huge=True),
            "out_channels": st.one_of(bad_int(4, 4096, huge=True), st.just(2)),
            "stride": bad_int(1, 8, huge=True),
        },
    ),
    "center_crop": Entry(
        demos.center_crop,
        lambda: {"images": torch.rand(4, 1, 8, 8), "size": 5},
        {
            "images": bad_tensor((4, 1, 8, 8)),
            "size": st.one_of(bad_int(1, huge=True), st.just(9)),
        },
    ),
    "cliff_loss": Entry(
        demos.cliff_loss,
        lambda: {"w": GRID.clone(), "b": GRID.clone()},
        {
            "w": TENSORS,
            "b": TENSORS,
            "height": bad_number(),
            "sharpness": bad_number(above=0.0),
        },
    ),
    "crop_accuracies": Entry(
        demos.crop_accuracies,
        lambda: {
            "model": tiny_model(),
            "data": TensorDataset(torch.rand(4, 1, 8, 8), torch.arange(4) % 3),
            "size": 4,
            "kinds": ("center",),
        },
        {
            "model": bad_module(),
            "data": st.sampled_from([None, torch.zeros(4, 1, 8, 8), "test", 3]),
            "size": st.one_of(bad_int(1, huge=True), st.just(9)),
            "kinds": st.sampled_from(["center", [], ["nope"], [3], None, 3, ("center", "x")]),
            "scales": st.sampled_from(["256", [2.5], [10**9], 3]),
            "limit": bad_int(1, optional=True),
        },
    ),
    "multi_crop_count": Entry(
        demos.multi_crop_count,
        lambda: {},
        {
            "scales": bad_int(1, 1000, huge=True),
            "squares": bad_int(1, 1000, huge=True),
            "crops": bad_int(1, 1000, huge=True),
            "flips": bad_int(1, 1000, huge=True),
        },
    ),
    "small_cnn": Entry(
        demos.small_cnn,
        lambda: {},
        {
            "in_channels": bad_int(1, 64, huge=True),
            "width": bad_int(1, 256, huge=True),
            "activation": bad_choice(["relu", "tanh"]),
            "batchnorm": bad_bool(),
            "seed": bad_seed(),
        },
    ),
    "train_ensemble": Entry(
        demos.train_ensemble,
        lambda: {"recipe": Recipe("r"), "split": tiny_split(), "epochs": 1, "progress": False},
        {
            "recipe": st.sampled_from([None, "sgd", 3, {"name": "x"}]),
            "split": st.sampled_from([None, "digits", 3, TensorDataset(torch.zeros(2, 1, 8, 8))]),
            "members": bad_int(2, 20, huge=True),
            "epochs": bad_int(1, maximum=1000, huge=True),
            "batch_size": bad_int(1, maximum=100_000, huge=True),
            "width": bad_int(1, maximum=256, huge=True),
            "seed": bad_seed(),
            "progress": bad_bool(),
            "callbacks": st.sampled_from([[3], "stop", None, 3, [StopRequest], {"a": 1}]),
        },
    ),
}

test_refuses_bad_arguments = hostile_test(TABLE)
