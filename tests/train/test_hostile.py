"""The digits trainers and nets refuse hostile arguments before training
(``train_digits(cpu_threads=0)`` used to end in a RuntimeError from inside torch)."""

from __future__ import annotations

import pytest
from hypothesis import strategies as st

from tests.hostile import Entry, bad_bool, bad_int, bad_number, bad_seed, hostile_test
from vizkit.train import DigitsCNN, train_digits
from vizkit.train.deepnets import DeepDigitsNet, NetConfig, compare_training

pytestmark = pytest.mark.usefixtures("torch_one_thread")

DEVICES = st.sampled_from(["gpu9000", 3, ["cpu"], "cuda:99"])
CALLBACKS = st.sampled_from([[3], "monitor", [print], None, 3])

TABLE = {
    "train_digits": Entry(
        train_digits,
        lambda: {"seconds": 0.01, "epochs": 1},
        {
            "seconds": bad_number(above=0.0, maximum=86_400.0),
            "seed": bad_seed(),
            "device": DEVICES,
            "epochs": bad_int(1, huge=True),
            "width": bad_int(1, huge=True),
            "callbacks": CALLBACKS,
            "progress": bad_bool(),
            "cpu_threads": bad_int(1, optional=True, huge=True),
        },
    ),
    "DigitsCNN": Entry(
        DigitsCNN,
        lambda: {},
        {
            "in_channels": bad_int(1, huge=True),
            "width": bad_int(1, huge=True),
            "num_classes": bad_int(1, huge=True),
            "image_size": st.one_of(bad_int(16, huge=True), st.just(18)),
        },
    ),
    "NetConfig": Entry(
        NetConfig,
        lambda: {"depth": 2},
        {
            "depth": bad_int(1, huge=True),
            "norm": st.sampled_from(["layer", 3, "BATCH"]),
            "residual": bad_bool(),
            "width": bad_int(1, huge=True),
        },
    ),
    "DeepDigitsNet": Entry(
        DeepDigitsNet,
        lambda: {"config": NetConfig(2)},
        {
            "config": st.sampled_from([None, 4, {"depth": 4}, "plain"]),
            "in_channels": bad_int(1, huge=True),
            "num_classes": bad_int(1, huge=True),
        },
    ),
    "compare_training": Entry(
        compare_training,
        lambda: {"configs": [NetConfig(2)], "steps": 1, "seconds": None},
        {
            "configs": st.sampled_from([[], [3], "deep", None, [NetConfig(2), "x"]]),
            "seconds": bad_number(above=0.0, maximum=86_400.0, optional=True),
            "steps": bad_int(1, huge=True),
            "seed": bad_seed(),
            "lr": bad_number(above=0.0),
            "batch_size": bad_int(1, huge=True),
            "eval_every": bad_int(1),
            "image_size": bad_int(8, huge=True),
            "device": DEVICES,
            "progress": bad_bool(),
            "callbacks": CALLBACKS,
            "cpu_threads": bad_int(1, optional=True, huge=True),
        },
    ),
}

test_refuses_bad_arguments = hostile_test(TABLE)
