"""Training recipes against torch: the notes' SGD update, ReduceLROnPlateau, label smoothing."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from torch import nn

from tests.support import digits_subset
from vizkit.data.datasets import DatasetSplit
from vizkit.demos.recipes import (
    Recipe,
    compare_recipes,
    small_cnn,
    train_ensemble,
    train_recipe,
)
from vizkit.demos.sgd import sgd_update_check
from vizkit.train import Callback, StopRequest, TrainState

pytestmark = pytest.mark.usefixtures("torch_one_thread")


@pytest.fixture(scope="module")
def tiny_split() -> DatasetSplit:
    return digits_subset(192, 64)


def _notes_vs_torch(lrs: list[float], mu: float = 0.9, lam: float = 0.0005) -> float:
    """Independent of vizkit: a quadratic, the notes' update by hand, torch.optim.SGD."""
    a = torch.tensor([[3.0, 1.0], [1.0, 2.0]], dtype=torch.float64)
    theta_t = torch.tensor([1.0, -2.0], dtype=torch.float64, requires_grad=True)
    theta_n = theta_t.detach().clone()
    v = torch.zeros(2, dtype=torch.float64)
    opt = torch.optim.SGD([theta_t], lr=lrs[0], momentum=mu, weight_decay=lam)
    worst = 0.0
    for lr in lrs:
        opt.param_groups[0]["lr"] = lr
        opt.zero_grad()
        (0.5 * theta_t @ a @ theta_t).backward()
        opt.step()
        g = a @ theta_n
        v = mu * v - lr * g - lam * lr * theta_n
        theta_n = theta_n + v
        worst = max(worst, float((theta_n - theta_t.detach()).abs().max()))
    return worst


def test_notes_update_equals_torch_sgd_for_a_constant_learning_rate() -> None:
    assert _notes_vs_torch([0.01] * 30) < 1e-14
    # and differs once α changes (the notes' v keeps the old step size)
    assert _notes_vs_torch([0.01] * 10 + [0.001] * 10) > 1e-4


def test_sgd_update_check_agrees_then_parts() -> None:
    check = sgd_update_check(steps=20, lr_drop_at=11)
    assert check.max_before_drop < 1e-13
    assert check.max_after_drop > 1e-4
    np.testing.assert_allclose(check.velocity_ratio[:10], 1.0, rtol=1e-9)
    assert check.velocity_ratio[10] > 1.5  # v holds more than −α'·b after the drop
    assert list(check.lrs[:10]) == [0.01] * 10 and list(check.lrs[10:]) == [0.001] * 10
    constant = sgd_update_check(steps=15, lr_drop_at=None)
    assert constant.max_after_drop == 0.0 and constant.max_before_drop < 1e-13
    assert "max |θ_notes − θ_torch|" in check.describe()


def test_label_smoothing_target_is_the_one_the_notebook_states() -> None:
    logits = torch.randn(5, 10, generator=torch.Generator().manual_seed(0))
    y = torch.tensor([0, 3, 9, 1, 1])
    target = torch.full((5, 10), 0.01)
    target[torch.arange(5), y] = 0.9 + 0.01
    by_hand = -(target * logits.log_softmax(1)).sum(1).mean()
    torch.testing.assert_close(nn.CrossEntropyLoss(label_smoothing=0.1)(logits, y), by_hand)


def test_recipe_validates_once() -> None:
    with pytest.raises(ValueError, match="momentum"):
        Recipe("x", momentum=1.0)
    with pytest.raises(ValueError, match="optimizer 'sgdd'"):
        Recipe("x", optimizer="sgdd")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="flip"):
        Recipe("x", flip=1)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="label_smoothing"):
        Recipe("x", label_smoothing=1.0)


def test_small_cnn_same_seed_same_conv_weights_any_activation_and_size() -> None:
    relu, tanh = small_cnn(seed=3), small_cnn(activation="tanh", seed=3)
    torch.testing.assert_close(relu[0].weight, tanh[0].weight)
    assert isinstance(tanh[1], nn.Tanh)
    for side in (14, 16, 28, 32):
        assert relu(torch.zeros(2, 1, side, side)).shape == (2, 10)
    bn = small_cnn(batchnorm=True)
    assert bn[0].bias is None and isinstance(bn[1], nn.BatchNorm2d)


def test_train_recipe_learns_and_replays_the_plateau_schedule(tiny_split) -> None:
    recipe = Recipe("plateau", lr=0.05, plateau=True, patience=0, crop=14, flip=True)
    run = train_recipe(recipe, tiny_split, epochs=4, progress=False)
    assert run.epochs == [1, 2, 3, 4] and len(run.test_accuracies) == 4
    assert run.train_losses[-1] < run.train_losses[0]
    # replay torch's scheduler on the recorded test losses: the same learning rates
    p = torch.zeros(1, requires_grad=True)
    opt = torch.optim.SGD([p], lr=0.05)
    sched = torch.optim.lr_scheduler.ReduceLROnPlateau(opt, factor=0.1, patience=0)
    expected = []
    for loss in run.test_losses:
        expected.append(opt.param_groups[0]["lr"])
        sched.step(loss)
    np.testing.assert_allclose(run.lrs, expected)
    # the reported final accuracy is the model's on centre crops
    x, y = tiny_split.test.tensors
    from torchvision.transforms.v2 import functional as TF

    with torch.no_grad():
        acc = float((run.model(TF.center_crop(x, [14, 14])).argmax(1) == y).float().mean())
    assert acc == pytest.approx(run.final_accuracy)


def test_train_recipe_repeats_with_a_seed_and_refuses_a_crop_too_large(tiny_split) -> None:
    a = train_recipe(Recipe("a"), tiny_split, epochs=1, progress=False)
    b = train_recipe(Recipe("a"), tiny_split, epochs=1, progress=False)
    assert a.train_losses == b.train_losses
    with pytest.raises(ValueError, match=r"recipe\.crop 20 is larger than the 16-pixel images"):
        train_recipe(Recipe("big", crop=20), tiny_split, epochs=1, progress=False)


def test_compare_and_ensemble(tiny_split) -> None:
    runs = compare_recipes(
        [Recipe("a"), Recipe("b", batchnorm=True)], tiny_split, epochs=1, progress=False
    )
    assert [r.recipe.name for r in runs] == ["a", "b"]
    with pytest.raises(ValueError, match="repeated names"):
        compare_recipes([Recipe("a"), Recipe("a")], tiny_split, epochs=1, progress=False)
    members = train_ensemble(Recipe("a"), tiny_split, members=2, epochs=1, progress=False)
    assert members[0].train_losses != members[1].train_losses  # different seeds


class _StopAt(StopRequest):
    """A Stop button pressed after ``step`` optimiser steps."""

    def __init__(self, step: int) -> None:
        super().__init__()
        self.at = step

    def on_step_end(self, state: TrainState) -> None:
        if state.step == self.at:
            self.request()
        super().on_step_end(state)


def test_a_stop_button_ends_the_run_and_the_comparison_keeping_what_was_done(tiny_split) -> None:
    # 192 images / 64 = 3 steps per epoch: a stop after step 4 is inside epoch 2
    run = train_recipe(Recipe("a"), tiny_split, epochs=5, progress=False, callbacks=[_StopAt(4)])
    assert run.stop_reason == "stopped" and run.epochs == [1, 2]
    full = train_recipe(Recipe("a"), tiny_split, epochs=1, progress=False)
    assert run.train_losses[0] == full.train_losses[0]  # epoch 1 as in an uninterrupted run
    assert full.stop_reason == "epochs" and run.model.training is False
    runs = compare_recipes(
        [Recipe("a"), Recipe("b")], tiny_split, epochs=3, progress=False, callbacks=[_StopAt(2)]
    )
    assert [r.recipe.name for r in runs] == ["a"] and runs[0].epochs == [1]
    members = train_ensemble(
        Recipe("a"), tiny_split, members=3, epochs=1, progress=False, callbacks=[_StopAt(1)]
    )
    assert len(members) == 1 and members[0].stop_reason == "stopped"


def test_recipe_lrs_and_losses_are_fits_history_per_epoch(tiny_split) -> None:
    class Spy(Callback):
        def on_train_end(self, state: TrainState) -> None:
            self.history = state.history

    spy = Spy()
    run = train_recipe(
        Recipe("p", plateau=True, patience=0, label_smoothing=0.1),
        tiny_split, epochs=3, progress=False, callbacks=[spy],
    )  # fmt: skip
    h = spy.history
    assert run.lrs == h.lrs[::3] and run.test_losses == h.eval_losses and h.eval_steps == [3, 6, 9]
    np.testing.assert_allclose(run.train_losses, np.reshape(h.losses, (3, 3)).mean(1))
