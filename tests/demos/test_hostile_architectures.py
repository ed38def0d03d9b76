"""Notebook 10's public demos refuse hostile arguments clearly, quickly and within the budget."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from hypothesis import strategies as st
from torch import nn

from tests.hostile import Entry, bad_choice, bad_int, bad_number, bad_seed, hostile_test
from vizkit import demos

pytestmark = pytest.mark.usefixtures("torch_one_thread")

IMAGES = st.sampled_from(
    [
        "camera",
        None,
        3,
        np.zeros((4, 4)),
        np.zeros((2, 3, 4, 5)),
        np.full((20, 20), np.nan),
        np.zeros((5000, 2)),
    ]
)


def _image() -> np.ndarray:
    return np.random.default_rng(0).random((48, 48))


class _Tiny(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.features = nn.Sequential(nn.Conv2d(3, 2, 3, padding=1), nn.MaxPool2d(32))
        self.classifier = nn.Sequential(nn.Linear(2 * 49, 3))


TABLE = {
    "factorization_costs": Entry(
        demos.factorization_costs,
        lambda: {"channels": 4, "grid": 8},
        {"channels": bad_int(1, 2048), "grid": bad_int(3, 512)},
    ),
    "grid_reduction_costs": Entry(
        demos.grid_reduction_costs,
        lambda: {"grid": 9, "channels": 4},
        {"grid": bad_int(7, 512), "channels": bad_int(1, 1024)},
    ),
    "block_costs": Entry(demos.block_costs, lambda: {"grid": 4}, {"grid": bad_int(1, 512)}),
    "shortcut_costs": Entry(
        demos.shortcut_costs,
        lambda: {"in_channels": 4, "out_channels": 8, "grid": 6, "stride": 2},
        {
            "in_channels": bad_int(1, 1024),
            "out_channels": st.one_of(bad_int(1, 1024), st.just(2)),
            "grid": bad_int(1, 512),
            "stride": bad_int(1, 4),
        },
    ),
    "identity_check": Entry(
        demos.identity_check,
        lambda: {"channels": 4, "grid": 3, "seed": 0},
        {"channels": bad_int(4, 512), "grid": bad_int(1, 64), "seed": bad_seed()},
    ),
    "auxiliary_heads": Entry(
        demos.auxiliary_heads,
        lambda: {"batch_size": 1, "weight": 0.3, "seed": 0},
        {
            "batch_size": bad_int(1, 16),
            "weight": bad_number(minimum=0.0, maximum=1.0),
            "seed": bad_seed(),
        },
    ),
    "allconv_variants": Entry(
        demos.allconv_variants, lambda: {"model": "C"}, {"model": bad_choice(["A", "B", "C"])}
    ),
    "fc_to_conv": Entry(
        demos.fc_to_conv,
        lambda: {"classifier": nn.Sequential(nn.Linear(8, 2)), "in_channels": 2, "kernel_size": 2},
        {
            "classifier": st.sampled_from(
                [nn.Linear(8, 2), nn.Sequential(nn.ReLU()), nn.Sequential(nn.Linear(9, 2)), "x"]
            ),
            "in_channels": bad_int(1, 65536),
            "kernel_size": bad_int(1, 64),
        },
    ),
    "dense_evaluation": Entry(
        demos.dense_evaluation,
        lambda: {"model": _Tiny(), "image": torch.rand(3, 224, 224), "max_crops": 0},
        {
            "model": st.sampled_from([nn.Linear(2, 2), "vgg", None, nn.Module]),
            "image": st.sampled_from(
                [
                    torch.rand(3, 100, 100),
                    torch.rand(1, 224, 224),
                    torch.rand(224, 224),
                    torch.full((3, 224, 224), float("nan")),
                    np.zeros((3, 224, 224)),
                    None,
                ]
            ),
            "max_crops": bad_int(0, 4),
        },
    ),
    "shift_equivariance": Entry(
        demos.shift_equivariance,
        lambda: {"image": _image(), "shift": (1, 2), "kernel_size": 3, "seed": 0},
        {
            "image": IMAGES,
            "shift": st.sampled_from([(1,), (100, 0), (0, -40), "12", (1.5, 2), None]),
            "kernel_size": st.one_of(bad_int(1, 15), st.just(4)),
            "seed": bad_seed(),
        },
    ),
    "pooling_invariance": Entry(
        demos.pooling_invariance,
        lambda: {"image": _image(), "kernel_size": 2, "stride": 2, "max_shift": 2},
        {
            "image": IMAGES,
            "kernel_size": bad_int(2, 8),
            "stride": st.sampled_from([0, 3, -1, 2.5, "2"]),
            "max_shift": bad_int(1, 16),
        },
    ),
    "locally_connected_costs": Entry(
        demos.locally_connected_costs,
        lambda: {"in_channels": 1, "out_channels": 2, "kernel_size": 3, "input_size": 8},
        {
            "in_channels": bad_int(1, 4096),
            "out_channels": bad_int(1, 4096),
            "kernel_size": bad_int(1, 64),
            "input_size": st.one_of(bad_int(1, 4096), st.just(2)),
            "stride": bad_int(1, 64),
        },
    ),
    "LocallyConnected2d": Entry(
        demos.LocallyConnected2d,
        lambda: {"in_channels": 1, "out_channels": 2, "kernel_size": 3, "input_size": 8},
        {
            "in_channels": bad_int(1, 4096),
            "out_channels": bad_int(1, 4096),
            "kernel_size": bad_int(1, 64),
            "input_size": st.sampled_from([2, 0, 4097, 2.5, "8", 4096]),
        },
    ),
    "position_dependent_fit": Entry(
        demos.position_dependent_fit,
        lambda: {"image": _image(), "size": 8, "train_images": 12, "seed": 0},
        {
            "image": IMAGES,
            "size": st.one_of(bad_int(8, 64), st.just(40)),
            "train_images": bad_int(12, 400),
            "seed": bad_seed(),
        },
    ),
    "local_response_norm": Entry(
        demos.local_response_norm,
        lambda: {"x": torch.rand(1, 4, 2, 2)},
        {
            "x": st.sampled_from([torch.rand(4, 2, 2), torch.empty(0, 4, 2, 2), "x", None]),
            "size": st.one_of(bad_int(1, 99), st.just(4)),
            "alpha": bad_number(minimum=0.0),
            "beta": bad_number(minimum=0.0, maximum=10.0),
            "k": bad_number(above=0.0),
        },
    ),
    "lrn_check": Entry(
        demos.lrn_check,
        lambda: {"x": torch.rand(1, 4, 2, 2)},
        {"x": st.sampled_from([torch.rand(4, 2), torch.full((1, 4, 2, 2), float("inf")), "x"])},
    ),
}

test_refuses_bad_arguments = hostile_test(TABLE)
