"""The training-the-classics demos refuse hostile arguments clearly, quickly, within budget."""

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
from vizkit.demos.activations_speed import relu_vs_tanh
from vizkit.demos.augment import (
    crop_accuracy,
    ensemble_accuracy,
    eval_crops,
    random_crop_flip,
)
from vizkit.demos.bn_block import bias_before_bn, bn_placement
from vizkit.demos.cliff import cliff_descent
from vizkit.demos.clipping import clip_scopes
from vizkit.demos.cudnn import cudnn_benchmark
from vizkit.demos.recipes import Recipe, compare_recipes, train_recipe
from vizkit.demos.sgd import sgd_update_check
from vizkit.train import StopRequest

pytestmark = pytest.mark.usefixtures("torch_one_thread")


NOT_SPLIT = st.sampled_from([None, "digits", 3, TensorDataset(torch.zeros(2, 1, 8, 8))])
NOT_RECIPE = st.sampled_from([None, "sgd", 3, {"name": "x"}])
NOT_CALLBACKS = st.sampled_from([[3], "monitor", [print], None, 3, [StopRequest], {"a": 1}])
IMAGES = bad_tensor((4, 1, 8, 8))

TABLE = {
    "sgd_update_check": Entry(
        sgd_update_check,
        lambda: {"steps": 3, "lr_drop_at": 2},
        {
            "steps": bad_int(1, maximum=10_000, huge=True),
            "lr": bad_number(above=0.0),
            "momentum": bad_number(minimum=0.0, below=1.0),
            "weight_decay": bad_number(minimum=0.0),
            "lr_drop_at": st.sampled_from([1, 0, 4, 2.5, "2", True, 10**9]),
            "seed": bad_seed(),
        },
    ),
    "Recipe": Entry(
        Recipe,
        lambda: {"name": "r"},
        {
            "name": st.sampled_from(["", 3, None, b"r"]),
            "optimizer": bad_choice(["sgd", "adam"]),
            "lr": bad_number(above=0.0, maximum=10.0),
            "momentum": bad_number(minimum=0.0, below=1.0),
            "weight_decay": bad_number(minimum=0.0, maximum=1.0),
            "plateau": bad_bool(),
            "patience": bad_int(0, maximum=1000),
            "crop": bad_int(4, maximum=512, optional=True),
            "flip": bad_bool(),
            "label_smoothing": bad_number(minimum=0.0, below=1.0),
            "activation": bad_choice(["relu", "tanh"]),
            "batchnorm": bad_bool(),
        },
    ),
    "train_recipe": Entry(
        train_recipe,
        lambda: {"recipe": Recipe("r"), "split": tiny_split(), "epochs": 1, "progress": False},
        {
            "recipe": NOT_RECIPE,
            "split": NOT_SPLIT,
            "epochs": bad_int(1, maximum=1000, huge=True),
            "batch_size": bad_int(1, maximum=100_000, huge=True),
            "width": bad_int(1, maximum=256, huge=True),
            "seed": bad_seed(),
            "progress": bad_bool(),
            "callbacks": NOT_CALLBACKS,
        },
    ),
    "compare_recipes": Entry(
        compare_recipes,
        lambda: {"recipes": [Recipe("r")], "split": tiny_split(), "epochs": 1, "progress": False},
        {
            "recipes": st.sampled_from([[], "r", None, [3], [Recipe("a"), Recipe("a")]]),
            "split": NOT_SPLIT,
            "epochs": bad_int(1, maximum=1000, huge=True),
            "callbacks": NOT_CALLBACKS,
        },
    ),
    "random_crop_flip": Entry(
        random_crop_flip,
        lambda: {"images": torch.rand(4, 1, 8, 8), "size": 5},
        {
            "images": IMAGES,
            "size": st.one_of(bad_int(1, huge=True), st.just(9)),
            "flip": bad_bool(),
            "generator": st.sampled_from([3, "g", torch.zeros(2)]),
        },
    ),
    "eval_crops": Entry(
        eval_crops,
        lambda: {"images": torch.rand(4, 1, 8, 8), "size": 5, "kind": "multi"},
        {
            "images": IMAGES,
            "size": st.one_of(bad_int(1, huge=True), st.just(9)),
            "kind": bad_choice(["center", "ten", "multi"]),
            "scales": st.sampled_from(["256", [2], [10**9], [2.5], list(range(8, 30)), None]),
        },
    ),
    "crop_accuracy": Entry(
        crop_accuracy,
        lambda: {
            "model": tiny_model(),
            "data": TensorDataset(torch.rand(4, 1, 8, 8), torch.arange(4) % 3),
            "size": 4,
        },
        {
            "model": bad_module(),
            "data": st.sampled_from([None, torch.zeros(4, 1, 8, 8), "test", 3]),
            "size": st.one_of(bad_int(1, huge=True), st.just(9)),
            "kind": bad_choice(["center", "ten", "multi"]),
            "limit": bad_int(1, optional=True),
        },
    ),
    "ensemble_accuracy": Entry(
        ensemble_accuracy,
        lambda: {
            "models": [tiny_model(), tiny_model()],
            "data": TensorDataset(torch.rand(4, 1, 4, 4), torch.arange(4) % 3),
        },
        {
            "models": st.sampled_from([[], [tiny_model()], None, "m", [3, 4], [tiny_model(), "m"]]),
            "data": st.sampled_from([None, torch.zeros(4, 1, 4, 4), "test"]),
            "size": st.sampled_from([0, -1, 2.5, "4", 99, 10**9]),
        },
    ),
    "relu_vs_tanh": Entry(
        relu_vs_tanh,
        lambda: {"split": tiny_split(), "max_steps": 2, "eval_every": 1, "progress": False},
        {
            "split": NOT_SPLIT,
            "target_error": bad_number(above=0.0, below=1.0),
            "max_steps": bad_int(1, maximum=100_000, huge=True),
            "eval_every": bad_int(1),
            "lr": bad_number(above=0.0, maximum=10.0),
            "momentum": bad_number(minimum=0.0, below=1.0),
            "eval_images": bad_int(1),
            "seed": bad_seed(),
            "progress": bad_bool(),
        },
    ),
    "bias_before_bn": Entry(
        bias_before_bn,
        lambda: {"x": torch.rand(4, 1, 8, 8)},
        {
            "x": st.one_of(IMAGES, st.just(torch.zeros(1, 1, 1, 1))),
            "out_channels": bad_int(1, maximum=512, huge=True),
            "kernel_size": st.one_of(bad_int(1, huge=True), st.just(9)),
            "seed": bad_seed(),
        },
    ),
    "bn_placement": Entry(
        bn_placement,
        lambda: {"x": torch.rand(4, 1, 8, 8)},
        {
            "x": st.one_of(IMAGES, st.just(torch.zeros(4, 1, 2, 2))),
            "out_channels": bad_int(1, maximum=512, huge=True),
            "seed": bad_seed(),
        },
    ),
    "clip_scopes": Entry(
        clip_scopes,
        lambda: {
            "model": tiny_model(),
            "inputs": torch.rand(5, 16),
            "targets": torch.tensor([0, 1, 2, 0, 1]),
            "max_norm": 1.0,
        },
        {
            "model": bad_module(),
            "inputs": bad_tensor((5, 16), wrong_shapes=[(5, 7)]),
            "targets": st.sampled_from([torch.tensor([0, 1, 2, 0, 3]), [0, 1], None]),
            "max_norm": bad_number(above=0.0),
        },
    ),
    "cliff_descent": Entry(
        cliff_descent,
        lambda: {"steps": 2, "grid": 10},
        {
            "start": st.sampled_from([(1.0,), (1.0, 2.0, 3.0), "ab", None, (100.0, 0.0)]),
            "lr": bad_number(above=0.0, maximum=100.0),
            "steps": bad_int(1, maximum=10_000, huge=True),
            "max_norm": bad_number(above=0.0),
            "height": bad_number(above=0.0, maximum=1e3),
            "sharpness": bad_number(above=0.0, maximum=1e3),
            "grid": bad_int(10, maximum=501, huge=True),
        },
    ),
    "cudnn_benchmark": Entry(
        cudnn_benchmark,
        lambda: {"device": "cpu"},
        {
            "device": st.sampled_from([3, 2.5, ["cuda"], object()]),
            "shape": st.sampled_from([(1, 2, 3), (1, 3, 4, 4), "shape", None, (10**9, 3, 64, 64)]),
            "repeats": bad_int(1, maximum=1000, huge=True),
        },
    ),
}

test_refuses_bad_arguments = hostile_test(TABLE)
