"""The training-the-classics figures refuse what is not their data with a TypeError/ValueError
naming the parameter (not an AttributeError from inside plotly)."""

from __future__ import annotations

from functools import cache

import numpy as np
import pytest
from hypothesis import strategies as st

from tests.hostile import Entry, hostile_test
from vizkit.demos.cliff import cliff_descent
from vizkit.demos.sgd import sgd_update_check
from vizkit.render import recipes

pytestmark = pytest.mark.usefixtures("torch_one_thread")

NOT_DATA = st.sampled_from([None, "trace", 3, [1, 2], {"a": 1}, np.zeros(3)])


@cache
def _cliff():  # type: ignore[no-untyped-def]
    return cliff_descent(steps=3, grid=10)


@cache
def _sgd():  # type: ignore[no-untyped-def]
    return sgd_update_check(steps=3, lr_drop_at=2)


TABLE = {
    "recipe_curves_figure": Entry(
        recipes.recipe_curves_figure,
        lambda: {"runs": []},
        {"runs": st.sampled_from([None, "runs", 3, [], [3], [None], np.zeros(3)])},
    ),
    "sgd_check_figure": Entry(
        recipes.sgd_check_figure, lambda: {"check": _sgd()}, {"check": NOT_DATA}
    ),
    "activation_speed_figure": Entry(
        recipes.activation_speed_figure, lambda: {"speed": None}, {"speed": NOT_DATA}
    ),
    "clip_scopes_figure": Entry(
        recipes.clip_scopes_figure, lambda: {"scopes": None}, {"scopes": NOT_DATA}
    ),
    "cliff_figure": Entry(recipes.cliff_figure, lambda: {"cliff": _cliff()}, {"cliff": NOT_DATA}),
}

test_refuses_bad_arguments = hostile_test(TABLE)
