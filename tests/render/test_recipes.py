"""Training-the-classics figures, as data (the traces hold the numbers the demos computed)."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from torch import nn

from tests.support import digits_subset
from vizkit.data.datasets import DatasetSplit
from vizkit.demos.activations_speed import relu_vs_tanh
from vizkit.demos.cliff import cliff_descent
from vizkit.demos.clipping import clip_scopes
from vizkit.demos.recipes import Recipe, compare_recipes
from vizkit.demos.sgd import sgd_update_check
from vizkit.render.recipes import (
    activation_speed_figure,
    cliff_figure,
    clip_scopes_figure,
    recipe_curves_figure,
    sgd_check_figure,
)

pytestmark = pytest.mark.usefixtures("torch_one_thread")


def _split() -> DatasetSplit:
    return digits_subset(128, 32)


def test_recipe_curves_hold_accuracy_and_lr() -> None:
    runs = compare_recipes(
        [Recipe("a"), Recipe("b", plateau=True, patience=0)], _split(), epochs=2, progress=False
    )
    fig = recipe_curves_figure(runs)
    assert len(fig.data) == 4
    assert list(fig.data[0].y) == runs[0].test_accuracies
    assert list(fig.data[3].y) == runs[1].lrs
    assert fig.data[2].name.startswith("b (")
    with pytest.raises(ValueError, match="runs is empty"):
        recipe_curves_figure([])
    with pytest.raises(TypeError, match="runs\\[0\\] must be a RecipeRun"):
        recipe_curves_figure([3])
    assert recipe_curves_figure(runs, title="BN").layout.title.text == "BN"
    assert fig.layout.title.text.startswith("Training recipes")
    with pytest.raises(TypeError, match="title"):
        recipe_curves_figure(runs, title=3)  # type: ignore[arg-type]


def test_sgd_check_figure_marks_the_drop() -> None:
    check = sgd_update_check(steps=12, lr_drop_at=6)
    fig = sgd_check_figure(check)
    assert len(fig.data[0].y) == 12
    np.testing.assert_allclose(fig.data[0].y[5:], check.max_difference[5:])
    assert any("step 6" in a.text for a in fig.layout.annotations)


def test_activation_speed_figure() -> None:
    speed = relu_vs_tanh(_split(), max_steps=10, eval_every=5, target_error=0.9, progress=False)
    fig = activation_speed_figure(speed)
    assert [t.name.split()[0] for t in fig.data] == ["relu", "tanh"]
    np.testing.assert_allclose(fig.data[1].y, speed.errors["tanh"])


def test_clip_and_cliff_figures() -> None:
    torch.manual_seed(0)
    model = nn.Sequential(nn.Flatten(), nn.Linear(4, 3))
    scopes = clip_scopes(model, torch.randn(6, 4) * 9, torch.arange(6) % 3, max_norm=0.1)
    fig = clip_scopes_figure(scopes)
    assert [t.name for t in fig.data] == ["before", "per variable", "global"]
    np.testing.assert_allclose(fig.data[2].y, scopes.norms_global)
    cliff = cliff_descent(steps=20, grid=20)
    fig = cliff_figure(cliff)
    assert fig.data[0].z.shape == (20, 20)
    np.testing.assert_allclose(fig.data[1].x, cliff.path_plain[:, 0])
    np.testing.assert_allclose(fig.data[2].y, cliff.path_clipped[:, 1])
    with pytest.raises(TypeError, match="cliff must be a CliffDescent"):
        cliff_figure(scopes)
