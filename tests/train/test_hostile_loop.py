"""The training loop and its callbacks refuse hostile arguments before any work
(``fit(steps=nan)`` used to hang, ``fit(optimizer="adam")`` to end in an AttributeError), and
``evaluate`` gives every submodule its own train/eval mode back, also when the forward raises."""

from __future__ import annotations

import math

import pytest
import torch
from hypothesis import strategies as st
from torch import nn
from torch.utils.data import TensorDataset

from tests.hostile import (
    Entry,
    bad_bool,
    bad_choice,
    bad_int,
    bad_module,
    bad_number,
    bad_seed,
    hostile_test,
)
from vizkit.train import Callback, EarlyStopping, FilterSnapshots, TrainState, evaluate, fit

pytestmark = pytest.mark.usefixtures("torch_one_thread")


def _other_scheduler() -> torch.optim.lr_scheduler.LRScheduler:
    opt = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=0.1)
    return torch.optim.lr_scheduler.StepLR(opt, step_size=1)


DEVICES = st.sampled_from(["gpu9000", 3, ["cpu"], "cuda:99"])
# a scheduler class, one over an optimizer fit does not use (fit builds its own Adam here)
SCHEDULERS = st.sampled_from(
    ["steplr", 3, torch.optim.lr_scheduler.StepLR, _other_scheduler(), torch.optim.SGD]
)
CALLABLES = st.sampled_from([3, "flip", nn.CrossEntropyLoss, [print], 0.1, b"x"])
CALLBACKS = st.sampled_from([[3], "monitor", [print], None, 3, [EarlyStopping], {"a": 1}])


def _data(n: int = 4) -> TensorDataset:
    g = torch.Generator().manual_seed(0)
    return TensorDataset(torch.rand(n, 1, 4, 4, generator=g), torch.arange(n) % 2)


def _model() -> nn.Module:
    torch.manual_seed(0)
    return nn.Sequential(nn.Flatten(), nn.Linear(16, 2))


DATASETS = st.sampled_from(
    [
        [(torch.zeros(1, 4, 4), 0)],
        "digits",
        torch.zeros(4, 1, 4, 4),
        TensorDataset(torch.zeros(0, 1, 4, 4), torch.zeros(0, dtype=torch.long)),  # empty
        TensorDataset(torch.zeros(4, 1, 4, 4)),  # no labels
        3,
    ]
)

TABLE = {
    "fit": Entry(
        fit,
        lambda: {
            "model": _model(),
            "train": _data(),
            "steps": 1,
            "progress": False,
            "device": "cpu",
        },
        {
            "model": bad_module(),
            "train": st.one_of(DATASETS, st.none()),
            "val": DATASETS,
            "epochs": bad_int(1, optional=True),
            "steps": bad_int(1, optional=True),
            "seconds": bad_number(above=0.0, maximum=86_400.0, optional=True),
            "batch_size": bad_int(1),
            "lr": bad_number(above=0.0),
            "weight_decay": bad_number(minimum=0.0),
            "optimizer": st.sampled_from(["adam", 3, torch.optim.Adam, nn.Linear(2, 2), [1]]),
            "scheduler": SCHEDULERS,
            "scheduler_step": bad_choice(["epoch", "step"]),
            "loss_fn": CALLABLES,
            "batch_transform": CALLABLES,
            "eval_every": bad_int(1),
            "callbacks": CALLBACKS,
            "seed": bad_seed(),
            "device": DEVICES,
            "progress": bad_bool(),
            "restore_best": bad_bool(),
            "cpu_threads": bad_int(1, optional=True, huge=True),
        },
    ),
    "evaluate": Entry(
        evaluate,
        lambda: {"model": _model(), "dataset": _data()},
        {
            "model": bad_module(),
            "dataset": st.one_of(DATASETS, st.none()),
            "batch_size": bad_int(1),
            "device": DEVICES,
        },
    ),
    "FilterSnapshots": Entry(
        FilterSnapshots,
        lambda: {"layers": ["0"]},
        {
            "layers": st.sampled_from([3, None, [3], [], b"conv", [None], ("0", 2.5)]),
            "every": bad_int(1),
        },
    ),
    "EarlyStopping": Entry(
        EarlyStopping,
        lambda: {},
        {
            "patience": bad_int(1),
            "target": bad_number(minimum=0.0, maximum=1.0, optional=True),
        },
    ),
}

test_refuses_bad_arguments = hostile_test(TABLE)


def test_nan_and_inf_step_budgets_are_refused_at_once() -> None:
    # steps=nan used to hang: `state.step >= nan` is never true
    for value in (math.nan, math.inf):
        with pytest.raises(TypeError, match="steps must be an int"):
            fit(_model(), _data(), steps=value, progress=False, device="cpu")  # type: ignore[arg-type]


def _frozen_bn_net() -> nn.Sequential:
    """A training model holding a BatchNorm the user froze with ``.eval()``."""
    torch.manual_seed(0)
    net = nn.Sequential(
        nn.Conv2d(1, 2, 3, padding=1), nn.BatchNorm2d(2), nn.Flatten(), nn.Linear(32, 2)
    ).train()
    net[1].eval()
    return net


def _modes(net: nn.Module) -> dict[str, bool]:
    return {name: m.training for name, m in net.named_modules()}


def test_evaluate_restores_every_submodules_mode() -> None:
    net = _frozen_bn_net()
    before = _modes(net)
    stats = net[1].running_mean.clone()
    evaluate(net, _data(6), batch_size=4)
    assert _modes(net) == before
    assert before[""] and not before["1"]  # the case that `model.train(was)` got wrong
    # the frozen BatchNorm stays frozen: a training forward leaves its statistics alone
    net(torch.rand(3, 1, 4, 4))
    assert torch.equal(net[1].running_mean, stats)
    # and the other way round: an eval model with one module left in training mode
    net.eval()
    net[3].train()
    before = _modes(net)
    evaluate(net, _data(6))
    assert _modes(net) == before


def test_evaluate_restores_modes_when_the_forward_raises() -> None:
    net = _frozen_bn_net()
    before = _modes(net)
    wrong = TensorDataset(torch.rand(2, 1, 5, 5), torch.zeros(2, dtype=torch.long))  # 50 ≠ 32
    with pytest.raises(RuntimeError):
        evaluate(net, wrong)
    assert _modes(net) == before


def test_fit_keeps_a_frozen_batchnorm_frozen_and_restores_every_mode() -> None:
    net = _frozen_bn_net()
    before = _modes(net)
    mean, var = net[1].running_mean.clone(), net[1].running_var.clone()
    seen: list[dict[str, bool]] = []

    class Spy(Callback):
        def on_step_end(self, state: TrainState) -> None:
            seen.append(_modes(state.model))

    result = fit(
        net,
        _data(6),
        val=_data(4),
        steps=3,
        eval_every=2,
        callbacks=[Spy()],
        progress=False,
        device="cpu",
    )
    assert result.steps == 3 and seen
    for modes in seen:  # during training: everything trains except the frozen BatchNorm
        assert modes == before
    # the frozen BatchNorm's running statistics did not move
    assert torch.equal(net[1].running_mean, mean) and torch.equal(net[1].running_var, var)
    assert _modes(net) == before


def test_fit_trains_a_model_wholly_in_eval_mode_and_gives_eval_back() -> None:
    net = _frozen_bn_net().eval()
    mean = net[1].running_mean.clone()
    seen: list[bool] = []

    class Spy(Callback):
        def on_step_end(self, state: TrainState) -> None:
            seen.append(all(m.training for m in state.model.modules()))

    fit(net, _data(6), steps=2, callbacks=[Spy()], progress=False, device="cpu")
    assert seen == [True, True]  # nothing singled out: all of it trains (BN statistics move)
    assert not torch.equal(net[1].running_mean, mean)
    assert not any(m.training for m in net.modules())


class _Boom(Callback):
    def __init__(self, error: BaseException) -> None:
        self.error = error

    def on_step_end(self, state: TrainState) -> None:
        raise self.error


def test_fit_restores_modes_after_an_error_and_an_interrupt() -> None:
    net = _frozen_bn_net()
    net[3].eval()  # and a frozen head
    before = _modes(net)
    with pytest.raises(ZeroDivisionError):
        fit(
            net,
            _data(6),
            steps=3,
            callbacks=[_Boom(ZeroDivisionError())],
            progress=False,
            device="cpu",
        )
    assert _modes(net) == before
    result = fit(
        net, _data(6), steps=3, callbacks=[_Boom(KeyboardInterrupt())], progress=False, device="cpu"
    )
    assert result.stop_reason == "interrupted"
    assert _modes(net) == before
    wrong = TensorDataset(torch.rand(2, 1, 5, 5), torch.zeros(2, dtype=torch.long))  # 50 ≠ 32
    with pytest.raises(RuntimeError):
        fit(net, wrong, steps=1, progress=False, device="cpu")
    assert _modes(net) == before
