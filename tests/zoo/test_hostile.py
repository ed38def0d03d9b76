"""Every public zoo builder and helper refuses hostile arguments before building anything:
``num_classes=10**9`` (a 16 TB last layer), an unknown weights name or a weights value of the
wrong kind are refused in microseconds, not after seconds of building VGG."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from hypothesis import strategies as st
from torch import nn

from tests.hostile import Entry, bad_bool, bad_choice, bad_int, bad_str, hostile_test
from vizkit import zoo
from vizkit.zoo.choice import (
    Subject,
    load_choice,
    model_options,
    picker_choice,
    pretrained_or,
    transform_images,
)
from vizkit.zoo.pretrained import Pretrained, load_pretrained
from vizkit.zoo.published import accuracy_table

pytestmark = pytest.mark.usefixtures("torch_one_thread")

NUM_CLASSES = bad_int(1, huge=True)
WEIGHTS = st.sampled_from([3, 2.5, ["DEFAULT"], {"a": 1}, object(), b"x.pth", "NOT_A_WEIGHT"])
NAMES = st.sampled_from(["alexnet", 3, None, ["alexnet", 3], [None]])


def _subject() -> Subject:
    return Subject(nn.Linear(2, 2), torch.zeros(1, 2), "", ("a", "b"), "toy")


def _pretrained(loaded: bool) -> Pretrained:
    model = nn.Sequential(nn.Conv2d(3, 2, 3))
    return Pretrained(model, lambda t: t, loaded, ("a",), (0.5,) * 3, (0.5,) * 3, None)


def _table() -> object:
    from vizkit.summary import summarize

    return summarize(zoo.lenet5(), (1, 32, 32))


TABLE = {
    "alexnet": Entry(
        zoo.alexnet,
        lambda: {},
        {
            "variant": bad_choice(["paper", "torchvision"]),
            "num_classes": NUM_CLASSES,
            "weights": WEIGHTS,
        },
    ),
    "zfnet": Entry(zoo.zfnet, lambda: {}, {"num_classes": NUM_CLASSES, "weights": WEIGHTS}),
    "googlenet": Entry(
        zoo.googlenet,
        lambda: {},
        {"num_classes": NUM_CLASSES, "aux_logits": bad_bool(), "weights": WEIGHTS},
    ),
    "inception_v3": Entry(
        zoo.inception_v3,
        lambda: {},
        {"num_classes": NUM_CLASSES, "aux_logits": bad_bool(), "weights": WEIGHTS},
    ),
    "lenet5": Entry(
        zoo.lenet5,
        lambda: {},
        {"variant": bad_choice(["paper", "modern"]), "num_classes": NUM_CLASSES},
    ),
    "nin": Entry(
        zoo.nin, lambda: {}, {"dataset": bad_choice(["cifar10", "imagenet"]), "weights": WEIGHTS}
    ),
    "allconv": Entry(
        zoo.allconv,
        lambda: {},
        {
            "model": bad_choice(["A", "B", "C"]),
            "variant": bad_choice(["base", "strided", "convpool", "all"]),
            "num_classes": NUM_CLASSES,
            "weights": WEIGHTS,
        },
    ),
    "resnet": Entry(
        zoo.resnet,
        lambda: {"depth": 18},
        {
            "depth": st.one_of(bad_int(1, huge=True), st.sampled_from([19, 200])),
            "v1_5": bad_bool(),
            "num_classes": NUM_CLASSES,
            "weights": WEIGHTS,
        },
    ),
    "resnet50": Entry(zoo.resnet50, lambda: {}, {"num_classes": NUM_CLASSES, "v1_5": bad_bool()}),
    "vgg": Entry(
        zoo.vgg,
        lambda: {},
        {"config": bad_choice(["A", "B", "D"]), "num_classes": NUM_CLASSES, "weights": WEIGHTS},
    ),
    "vgg16": Entry(zoo.vgg16, lambda: {}, {"num_classes": NUM_CLASSES, "weights": WEIGHTS}),
    **{
        f"resnet{depth}": Entry(
            getattr(zoo, f"resnet{depth}"),
            lambda: {},
            {
                "v1_5": bad_bool(),
                "num_classes": NUM_CLASSES,
                "weights": WEIGHTS,
                "depth": st.sampled_from([18, 50, "34"]),  # fixed by the name: not a keyword
                "width": st.sampled_from([64, 2.5]),  # no such keyword
            },
        )
        for depth in (18, 34, 101, 152)
    },
    **{
        name: Entry(
            getattr(zoo, name),
            lambda: {},
            {
                "num_classes": NUM_CLASSES,
                "weights": WEIGHTS,
                "config": st.sampled_from(["A", "E", 3]),  # fixed by the name: not a keyword
            },
        )
        for name in ("vgg11", "vgg13", "vgg19")
    },
    "conv_stack": Entry(
        zoo.conv_stack,
        lambda: {"channels": 4},
        {
            "channels": bad_int(1, huge=True),
            "kernel_sizes": st.sampled_from([(), (2,), (3, 0), "3", 3, (3.0,), (10**5,)]),
            "bias": bad_bool(),
            "relu": bad_bool(),
        },
    ),
    "Inception": Entry(
        zoo.Inception,
        lambda: dict(in_channels=4, ch1x1=2, ch3x3red=2, ch3x3=2, ch5x5red=2, ch5x5=2, pool_proj=2),
        {"in_channels": bad_int(1, huge=True), "ch3x3": bad_int(1, huge=True)},
    ),
    "InceptionFig5": Entry(
        zoo.InceptionFig5,
        lambda: {"in_channels": 4},
        {"in_channels": bad_int(1, huge=True), "width": bad_int(1, huge=True)},
    ),
    "InceptionFig6": Entry(
        zoo.InceptionFig6,
        lambda: {"in_channels": 4, "mid": 4, "out": 4},
        {"in_channels": bad_int(1, huge=True), "n": bad_int(1, huge=True)},
    ),
    "InceptionFig7": Entry(
        zoo.InceptionFig7, lambda: {"in_channels": 4}, {"in_channels": bad_int(1, huge=True)}
    ),
    "build": Entry(zoo.build, lambda: {"name": "lenet5"}, {"name": bad_str()}),
    "published": Entry(
        zoo.published, lambda: {}, {"key": st.sampled_from(["nope", "_comment", 3, ["a"]])}
    ),
    "accuracy_table": Entry(accuracy_table, lambda: {}, {"names": NAMES}),
    "layer_walk": Entry(
        zoo.layer_walk,
        lambda: {"table": _table()},
        {
            "table": st.sampled_from([None, "table", 3, nn.Linear(2, 2)]),
            "types": st.sampled_from(["Conv2d", [3], ["NoSuchLayer"], 3]),
            "first": bad_int(1, optional=True),
        },
    ),
    "vgg_table2": Entry(
        zoo.vgg_table2, lambda: {}, {"configs": st.sampled_from(["D", ["Z"], [3], None, 3])}
    ),
    "googlenet_table1": Entry(
        zoo.googlenet_table1,
        lambda: {},
        {"table": st.sampled_from([3, "table", nn.Linear(2, 2)])},
    ),
    "googlenet_table1[other model]": Entry(
        zoo.googlenet_table1, lambda: {}, {"table": st.builds(_table)}
    ),
    "resnet_flops": Entry(
        zoo.resnet_flops, lambda: {}, {"depths": st.sampled_from([[19], "18", 18, [18.0], None])}
    ),
    "load_pretrained": Entry(
        load_pretrained,
        lambda: {"name": "alexnet"},
        {"name": st.sampled_from(["nope", 3, None]), "weights": bad_str()},
    ),
    "model_options": Entry(
        model_options,
        lambda: {},
        {
            "torchvision_models": st.sampled_from(["alexnet", [3], 3, None]),
            "given": bad_str(optional=True),
        },
    ),
    "picker_choice": Entry(
        picker_choice,
        lambda: {"model": "zoo:lenet5", "given": None},
        {
            "model": st.sampled_from(["zoo:nope", "nope", 3, None, nn.Linear]),
            "torchvision_models": st.sampled_from(["alexnet", [3], 3]),
        },
    ),
    "load_choice": Entry(
        load_choice,
        lambda: {"key": "zoo:lenet5"},
        {"key": st.sampled_from(["zoo:nope", "nope", "torchvision:nope", 3, None])},
    ),
    "transform_images": Entry(
        transform_images,
        lambda: {"transforms": lambda t: t, "images": np.zeros((4, 4, 3))},
        {
            "transforms": st.sampled_from([None, 3, "resize"]),
            "images": st.sampled_from(
                [
                    [],
                    [np.zeros((4, 4))],
                    [np.full((4, 4, 3), np.nan)],
                    "x",
                    3,
                    [np.zeros((0, 4, 3))],
                ]
            ),
        },
    ),
    "pretrained_or": Entry(
        pretrained_or,
        lambda: {
            "pretrained": _pretrained(True),
            "fallback": _subject(),
            "layer": "0",
            "pictures": [np.zeros((8, 8, 3))],
        },
        {
            "pretrained": st.sampled_from([None, "alexnet", nn.Linear(2, 2)]),
            "fallback": st.sampled_from([None, "digits", 3]),
            "layer": st.sampled_from(["nope", 3, None]),
            "pictures": st.sampled_from([[], "x", 3]),
        },
    ),
}

test_refuses_bad_arguments = hostile_test(TABLE)
