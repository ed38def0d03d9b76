"""The training monitor and the Deep Image Prior panel refuse hostile constructor arguments
with the shared validators' messages (``TrainingMonitor(every=...)`` validated nothing), and
the panel checks its ``**options`` when it is made rather than when a run starts."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import strategies as st

from tests.hostile import (
    Entry,
    bad_array,
    bad_choice,
    bad_int,
    bad_number,
    bad_seed,
    bad_str,
    hostile_test,
)
from vizkit.widgets import DIPPanel, TrainingMonitor

pytestmark = pytest.mark.usefixtures("torch_one_thread")


def _picture() -> np.ndarray:
    return np.random.default_rng(0).random((32, 32, 3)).astype(np.float32)


IMAGE = bad_array((32, 32, 3), wrong_shapes=[(32, 32, 4), (3, 32, 32)])

TABLE = {
    "TrainingMonitor": Entry(
        TrainingMonitor,
        lambda: {},
        {"every": bad_int(1), "title": bad_str()},
    ),
    "DIPPanel": Entry(
        DIPPanel,
        lambda: {"task": "denoise", "corrupted": _picture()},
        {
            "task": bad_choice(["denoise", "inpaint", "super_resolve"]),
            "corrupted": IMAGE,
            "clean": st.sampled_from(["x", 3, np.zeros((0, 32, 3)), np.full((32, 32, 3), np.nan)]),
            "factor": bad_int(2, maximum=32),
            "every": bad_int(1),
            # **options, checked when the panel is made
            "lr": bad_number(above=0.0),
            "reg_noise_std": bad_number(minimum=0.0),
            "steps": bad_int(1, optional=True, huge=True),
            "seed": bad_seed(),
        },
    ),
}

test_refuses_bad_arguments = hostile_test(TABLE, examples=20)


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"learning_rate": 0.01}, "learning_rate is not an option of denoise"),
        ({"stpes": 10}, "did you mean 'steps'"),
        ({"stop": None}, "stop is set by the panel itself"),
        ({"callback": print}, "callback is set by the panel itself"),
    ],
)
def test_unknown_or_panel_owned_options_are_refused_when_made(
    options: dict[str, object], message: str
) -> None:
    with pytest.raises(TypeError, match=message):
        DIPPanel("denoise", _picture(), **options)
