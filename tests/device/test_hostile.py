"""Every public device function refuses hostile arguments clearly, quickly and within the
memory budget (a 10⁹-element random input is refused before it is drawn)."""

from __future__ import annotations

import pytest
from hypothesis import strategies as st
from torch import nn

from tests.hostile import Entry, bad_bool, bad_int, bad_module, bad_seed, hostile_test
from vizkit.device import describe_device, determinism_report, pick_device, time_memory_formats
from vizkit.device.strides import memory_layout  # vizkit.device.strides: the module
from vizkit.device.threads import torch_threads

pytestmark = pytest.mark.usefixtures("torch_one_thread")

DEVICES = st.sampled_from(["gpu9000", "", 3, ["cpu"], "cuda:99", "meta:x", 2.5])
SHAPES = st.sampled_from(
    [(2, 3), (1, 0, 4, 4), (1, 2, 4, -1), (1, 2.5, 4, 4), "1244", 4, None, (10**4,) * 4]
)


def _net() -> nn.Module:
    return nn.Sequential(nn.Conv2d(2, 3, 3), nn.ReLU())


TABLE = {
    "pick_device": Entry(pick_device, lambda: {}, {"preferred": DEVICES}),
    "describe_device": Entry(describe_device, lambda: {}, {"device": DEVICES}),
    "determinism_report": Entry(
        determinism_report,
        lambda: {"model": _net(), "input_shape": (1, 2, 6, 6), "device": "cpu"},
        {
            "model": st.one_of(bad_module(), st.just(nn.ReLU())),
            "input_shape": st.one_of(SHAPES, st.just((1, 3, 6, 6))),
            "device": DEVICES,
            "seed": bad_seed(),
        },
    ),
    "time_memory_formats": Entry(
        time_memory_formats,
        lambda: {"model": _net(), "input_shape": (1, 2, 6, 6), "device": "cpu", "repeats": 1},
        {
            "model": bad_module(),
            "input_shape": st.one_of(SHAPES, st.just((1, 3, 6, 6))),
            "device": DEVICES,
            "repeats": bad_int(1, huge=True),
            "warmup": bad_int(0, huge=True),
            "backward": bad_bool(),
        },
    ),
    "memory_layout": Entry(memory_layout, lambda: {}, {"shape": SHAPES}),
    "torch_threads": Entry(
        torch_threads,
        lambda: {"count": 1},
        {"count": bad_int(1, optional=True, huge=True), "device": DEVICES},
    ),
}

test_refuses_bad_arguments = hostile_test(TABLE)
