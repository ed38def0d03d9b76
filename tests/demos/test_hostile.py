"""Every public lecture demo refuses hostile arguments clearly, quickly and within the budget
(``gabor_bank(n_orientations=10**9)`` used to loop for ever)."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from hypothesis import strategies as st
from torch import nn

from tests.hostile import (
    Entry,
    bad_array,
    bad_choice,
    bad_int,
    bad_module,
    bad_number,
    bad_seed,
    bad_tensor,
    hostile_test,
)
from vizkit.demos import (
    batchnorm_trace,
    check_relationships,
    clip_comparison,
    dropout_masks,
    gabor_bank,
    ica_filters,
    normalization_sets,
    normalization_sets_by_kind,
    normalize_by_sets,
    sample_patches,
)
from vizkit.geometry.relationships import RELATIONSHIPS

pytestmark = pytest.mark.usefixtures("torch_one_thread")

SHAPES = st.sampled_from(
    [(2, 3), (2, 3, 4, 0), (2, 3, 4, -1), (2, 3, 4, 2.5), "2344", 4, None, (10**5,) * 4]
)


def _batches() -> list[torch.Tensor]:
    g = torch.Generator().manual_seed(0)
    return [torch.randn(4, 2, 3, 3, generator=g) for _ in range(2)]


def _pictures() -> list[np.ndarray]:
    return [np.random.default_rng(0).random((12, 12, 3))]


TABLE = {
    "batchnorm_trace": Entry(
        batchnorm_trace,
        lambda: {"batches": _batches()},
        {
            "batches": st.one_of(
                bad_tensor((4, 2, 3, 3), kinds=False),
                st.sampled_from(
                    [[], "x", 3, None, [torch.zeros(4, 2, 3, 3), torch.zeros(4, 3, 3, 3)]]
                ),
            ),
            "batch_size": st.sampled_from([1, 0, -3, 2.5, "4", True]),
            "momentum": bad_number(above=0.0, maximum=1.0, optional=True),
            "eps": bad_number(above=0.0),
            "probe": st.sampled_from([torch.zeros(4, 3, 3, 3), torch.zeros(3, 3), "p", 3]),
        },
    ),
    "clip_comparison": Entry(
        clip_comparison,
        lambda: {
            "model": nn.Sequential(nn.Flatten(), nn.Linear(4, 3)),
            "inputs": torch.rand(5, 4),
            "targets": torch.tensor([0, 1, 2, 0, 1]),
            "max_norm": 1.0,
            "clip_value": 0.1,
        },
        {
            "model": bad_module(),
            "inputs": bad_tensor((5, 4), wrong_shapes=[(5, 7)]),
            "targets": st.sampled_from(
                [
                    torch.tensor([0, 1, 2, 0, 3]),
                    torch.tensor([0.0] * 5),
                    torch.tensor([0, 1]),
                    torch.tensor([-1, 0, 0, 0, 0]),
                    [0, 1, 2, 0, 1],
                    None,
                ]
            ),
            "max_norm": bad_number(above=0.0),
            "clip_value": bad_number(above=0.0),
        },
    ),
    "dropout_masks": Entry(
        dropout_masks,
        lambda: {"shape": (2, 3, 4, 4)},
        {"shape": SHAPES, "p": bad_number(minimum=0.0, below=1.0), "seed": bad_seed()},
    ),
    "gabor_bank": Entry(
        gabor_bank,
        lambda: {},
        {
            "frequencies": st.sampled_from(
                [(), (0.0,), (0.7,), (float("nan"),), "0.1", 0.1, [None]]
            ),
            "n_orientations": bad_int(1, huge=True),
            "size": bad_int(1, huge=True),
        },
    ),
    "ica_filters": Entry(
        ica_filters,
        lambda: {"images": _pictures(), "n_components": 4, "patch_size": 3, "n_patches": 50},
        {
            "images": st.sampled_from(
                [
                    [],
                    [np.zeros((12, 12))],
                    [np.full((12, 12, 3), np.nan)],
                    "x",
                    3,
                    [np.zeros((2, 2, 3))],
                ]
            ),
            "n_components": st.one_of(bad_int(1), st.just(28), st.just(10**9)),
            "patch_size": bad_int(1, huge=True),
            "n_patches": bad_int(1, huge=True),
            "max_iter": bad_int(1, huge=True),
            "seed": bad_seed(),
        },
    ),
    "sample_patches": Entry(
        sample_patches,
        lambda: {"images": _pictures(), "patch_size": 3, "n_patches": 10},
        {
            "images": st.sampled_from([[], [np.zeros((12, 12))], "x", None, [np.zeros((2, 2, 3))]]),
            "patch_size": bad_int(1, huge=True),
            "n_patches": bad_int(1, huge=True),
            "seed": bad_seed(),
        },
    ),
    "normalization_sets": Entry(
        normalization_sets,
        lambda: {"kind": "group", "shape": (2, 4, 3, 3)},
        {
            "kind": bad_choice(["batch", "layer", "instance", "group"]),
            "shape": SHAPES,
            "num_groups": st.one_of(bad_int(1), st.just(3)),
        },
    ),
    "normalization_sets_by_kind": Entry(
        normalization_sets_by_kind,
        lambda: {"shape": (2, 4, 3, 3)},
        {"shape": SHAPES, "num_groups": st.one_of(bad_int(1), st.just(3))},
    ),
    "normalize_by_sets": Entry(
        normalize_by_sets,
        lambda: {"x": np.ones((2, 4, 3, 3)), "labels": np.zeros((2, 4, 3, 3), np.int64)},
        {
            "x": bad_array((2, 4, 3, 3), wrong_shapes=[(2, 4, 3)]),
            "labels": st.sampled_from(
                [np.zeros((2, 4, 3)), np.full((2, 4, 3, 3), -1), np.zeros((2, 4, 3, 3)), "x", None]
            ),
            "eps": bad_number(above=0.0),
        },
    ),
    "check_relationships": Entry(
        check_relationships,
        lambda: {"cases": [(RELATIONSHIPS[0], RELATIONSHIPS[0].example)]},
        {
            "cases": st.sampled_from(
                [
                    "x",
                    3,
                    [RELATIONSHIPS[0]],
                    [(RELATIONSHIPS[0], 5)],
                    [("rel", RELATIONSHIPS[0].example)],
                ]
            ),
        },
    ),
}

test_refuses_bad_arguments = hostile_test(TABLE)
