"""The DIP comparison panel, the keyboard control and the Stepper refuse hostile starting
values with a TypeError/ValueError naming the parameter, before building anything."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
import pytest
from hypothesis import strategies as st

from tests.hostile import (
    Entry,
    bad_array,
    bad_choice,
    bad_int,
    bad_number,
    bad_seed,
    hostile_test,
)
from vizkit.widgets import DIPComparePanel, KeyboardControl, Stepper

pytestmark = pytest.mark.usefixtures("torch_one_thread")


def _picture() -> np.ndarray:
    return np.random.default_rng(0).random((32, 32, 3)).astype(np.float32)


def _mask() -> np.ndarray:
    mask = np.ones((32, 32), np.float32)
    mask[8:16, 8:16] = 0
    return mask


def _animation() -> go.Figure:
    return go.Figure(
        data=[go.Scatter(x=[0], y=[0])],
        frames=[go.Frame(data=[go.Scatter(x=[i], y=[i])], name=str(i)) for i in range(3)],
    )


TABLE = {
    "DIPComparePanel": Entry(
        DIPComparePanel,
        lambda: {"experiment": "seeds", "image": _picture(), "mask": _mask(), "seeds": (0, 1)},
        {
            "experiment": bad_choice(["seeds", "networks"]),
            "image": bad_array((32, 32, 3), wrong_shapes=[(32, 32, 5)]),
            "mask": st.one_of(
                bad_array((32, 32), wrong_shapes=[(16, 16)]),
                st.just(np.zeros((32, 32), np.float32)),  # no known pixel
            ),
            "seeds": st.sampled_from(
                [[], [2.5], [-1], ["0"], None, 3, "0123", range(10**9), [0, 0], [None]]
            ),
            "size": bad_int(32, 2048, huge=True),
            "before": st.sampled_from([3, "masked", [_picture()], {3: _picture()}]),
            # **options for inpaint and fit, checked when the panel is made
            "steps": bad_int(1, optional=True, huge=True),
            "lr": bad_number(above=0.0),
            "snapshot_every": bad_int(1, optional=True),
        },
    ),
    "DIPComparePanel(networks)": Entry(
        DIPComparePanel,
        lambda: {"experiment": "networks", "image": _picture(), "mask": _mask()},
        {
            "networks": st.sampled_from(
                [{}, [1, 2], "hourglass", 3, {"a": 3}, {"a": "hourglass"}, {3: None}]
            ),
            "seed": bad_seed(),
        },
    ),
    "KeyboardControl": Entry(
        KeyboardControl,
        lambda: {"on_action": lambda action: None},
        {"on_action": st.sampled_from([None, 3, "print", [print], object()])},
    ),
    "Stepper": Entry(
        Stepper,
        lambda: {"figure": _animation()},
        {
            "figure": st.sampled_from([None, 3, "figure", go.Figure(), {"data": []}, [1]]),
            "step": st.one_of(bad_int(0, 2, huge=True), st.just(3)),
            "speed": bad_choice(["slow", "normal", "fast"]),
        },
    ),
}

test_refuses_bad_arguments = hostile_test(TABLE, examples=30)
