"""fit's scheduler, loss_fn and batch_transform, against torch: a hand-written torch loop with
the same seed, optimizer, scheduler, loss and transform ends with the same weights, and every
scheduler leaves the learning rates a hand-stepped copy of it gives."""

from __future__ import annotations

import math
from collections.abc import Callable

import pytest
import torch
from torch import nn
from torch.optim import lr_scheduler as sched
from torch.utils.data import TensorDataset

from tests.support import blobs
from vizkit.train import StopRequest, fit

pytestmark = pytest.mark.usefixtures("torch_one_thread")

N, BATCH = 40, 16  # 3 steps per epoch, the last one short


def _model() -> nn.Module:
    torch.manual_seed(0)
    return nn.Sequential(nn.Flatten(), nn.Linear(64, 2))


def _flip_half(x: torch.Tensor, y: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """Random left-right flips from torch's global RNG (which fit seeds)."""
    flip = torch.rand(len(x)) < 0.5
    return torch.where(flip[:, None, None, None], x.flip(-1), x), y


def _by_hand(
    model: nn.Module,
    data: TensorDataset,
    epochs: int,
    make_sched: Callable[[torch.optim.Optimizer], sched.LRScheduler],
    per_step: bool,
    seed: int = 5,
) -> tuple[list[float], torch.optim.Optimizer]:
    """torch's canonical loop, written out: the ground truth for fit."""
    opt = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9, weight_decay=5e-4)
    scheduler = make_sched(opt)
    loss_fn = nn.CrossEntropyLoss(label_smoothing=0.1)
    torch.manual_seed(seed)
    g = torch.Generator().manual_seed(seed)
    x, y = data.tensors
    lrs = []
    for _ in range(epochs):
        order = torch.randperm(len(x), generator=g)
        for i in range(0, len(x), BATCH):
            xb, yb = _flip_half(x[order[i : i + BATCH]], y[order[i : i + BATCH]])
            opt.zero_grad()
            loss_fn(model(xb), yb).backward()
            lrs.append(opt.param_groups[0]["lr"])
            opt.step()
            if per_step:
                scheduler.step()
        if not per_step:
            scheduler.step()
    return lrs, opt


@pytest.mark.parametrize(
    ("make_sched", "per_step"),
    [
        (lambda o: sched.StepLR(o, step_size=2, gamma=0.5), False),
        (lambda o: sched.CosineAnnealingLR(o, T_max=4), False),
        (lambda o: sched.OneCycleLR(o, max_lr=0.2, total_steps=12), True),
    ],
    ids=["StepLR-epoch", "Cosine-epoch", "OneCycle-step"],
)
def test_fit_equals_the_hand_written_torch_loop(make_sched, per_step) -> None:
    data = blobs(N)
    reference, ref_opt = _by_hand(_model(), data, 4, make_sched, per_step)
    model = _model()
    opt = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9, weight_decay=5e-4)
    result = fit(
        model,
        data,
        epochs=4,
        batch_size=BATCH,
        optimizer=opt,
        scheduler=make_sched(opt),
        scheduler_step="step" if per_step else "epoch",
        loss_fn=nn.CrossEntropyLoss(label_smoothing=0.1),
        batch_transform=_flip_half,
        seed=5,
        progress=False,
        device="cpu",
    )
    assert result.steps == 12 and result.history.lrs == pytest.approx(reference, rel=1e-12)
    assert opt.param_groups[0]["lr"] == pytest.approx(ref_opt.param_groups[0]["lr"], rel=1e-12)
    expected = _model()  # same initial weights, trained by hand
    _by_hand(expected, data, 4, make_sched, per_step)
    for got, want in zip(model.parameters(), expected.parameters(), strict=True):
        torch.testing.assert_close(got, want, rtol=0, atol=0)
    assert len(set(result.history.lrs)) > 1  # the schedule did change the rate


def test_step_lr_leaves_the_lr_of_a_hand_stepped_step_lr() -> None:
    model = _model()
    opt = torch.optim.SGD(model.parameters(), lr=0.1)
    step_lr = sched.StepLR(opt, step_size=2, gamma=0.1)
    fit(model, blobs(N), epochs=5, batch_size=BATCH, optimizer=opt, scheduler=step_lr,
        progress=False, device="cpu")  # fmt: skip
    hand = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=0.1)
    hand_sched = sched.StepLR(hand, step_size=2, gamma=0.1)
    for _ in range(5):
        hand.step()
        hand_sched.step()
    assert opt.param_groups[0]["lr"] == pytest.approx(hand.param_groups[0]["lr"])
    assert opt.param_groups[0]["lr"] == pytest.approx(1e-3)


@pytest.mark.parametrize("with_val", [True, False])
def test_plateau_steps_on_the_validation_loss_or_the_epoch_training_loss(with_val) -> None:
    model = _model()
    opt = torch.optim.SGD(model.parameters(), lr=0.5)
    val = blobs(32, seed=1) if with_val else None
    plateau = sched.ReduceLROnPlateau(opt, factor=0.1, patience=0, threshold=0.9)
    steps_per_epoch = math.ceil(N / BATCH)
    result = fit(model, blobs(N), val=val, epochs=4, batch_size=BATCH, optimizer=opt,
                 scheduler=plateau, eval_every=steps_per_epoch, progress=False,
                 device="cpu")  # fmt: skip
    h = result.history
    if with_val:
        metrics = h.eval_losses
    else:
        metrics = [
            sum(h.losses[e : e + steps_per_epoch]) / steps_per_epoch
            for e in range(0, len(h.losses), steps_per_epoch)
        ]
    replay = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=0.5)
    replay_plateau = sched.ReduceLROnPlateau(replay, factor=0.1, patience=0, threshold=0.9)
    expected = []
    for metric in metrics:
        expected += [replay.param_groups[0]["lr"]] * steps_per_epoch
        replay_plateau.step(metric)
    assert h.lrs == pytest.approx(expected) and len(set(h.lrs)) > 1  # threshold 0.9: drops


def test_batch_transform_sees_training_batches_only_and_loss_fn_the_logits() -> None:
    seen: list[tuple[int, ...]] = []
    logits_seen: list[tuple[int, ...]] = []

    def transform(x: torch.Tensor, y: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        seen.append(tuple(x.shape))
        return x, y

    def loss_fn(logits: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        logits_seen.append(tuple(logits.shape))
        return nn.functional.cross_entropy(logits, y)

    fit(_model(), blobs(N), val=blobs(8), epochs=1, batch_size=BATCH, batch_transform=transform,
        loss_fn=loss_fn, eval_every=1, progress=False, device="cpu")  # fmt: skip
    assert seen == [(16, 1, 8, 8), (16, 1, 8, 8), (8, 1, 8, 8)]  # never the 8 val images
    assert logits_seen == [(16, 2), (16, 2), (8, 2)]


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"batch_transform": lambda x, y: x}, TypeError,
         r"batch_transform must return \(images, labels\), two tensors, got a Tensor"),
        ({"loss_fn": lambda logits, y: 0.5}, TypeError,
         r"loss_fn must return a scalar tensor computed from the logits, got 0\.5"),
        ({"loss_fn": lambda logits, y: logits.detach().sum()}, TypeError,
         "loss_fn must return a scalar tensor"),
    ],
)  # fmt: skip
def test_wrong_returns_are_refused_at_the_first_step_and_threads_come_back(
    kwargs, error, message
) -> None:
    before = torch.get_num_threads()
    model = _model()
    weights = [p.detach().clone() for p in model.parameters()]
    with pytest.raises(error, match=message):
        fit(model, blobs(N), steps=3, cpu_threads=1, progress=False, device="cpu", **kwargs)
    assert torch.get_num_threads() == before
    for p, w in zip(model.parameters(), weights, strict=True):
        assert torch.equal(p, w)  # no step was taken


def _opt() -> torch.optim.Optimizer:
    return torch.optim.SGD(_model().parameters(), lr=0.1)


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"scheduler": "step"}, TypeError,
         r"scheduler must be a torch\.optim\.lr_scheduler scheduler, or None, got"),
        ({"scheduler": sched.StepLR}, TypeError, r"\(a class: call it to build one\)"),
        ({"scheduler": sched.StepLR(_opt(), 1)}, ValueError,
         "scheduler steps an optimizer that fit does not use"),
        ({"scheduler_step": "batch"}, ValueError,
         "scheduler_step 'batch' is not one of 'epoch', 'step'"),
        ({"loss_fn": nn.CrossEntropyLoss}, TypeError, r"loss_fn must be a function.*a class"),
        ({"loss_fn": 0.1}, TypeError, r"loss_fn must be a function \(logits, labels\)"),
        ({"batch_transform": "flip"}, TypeError, "batch_transform must be a function"),
    ],
)  # fmt: skip
def test_bad_new_arguments_name_themselves(kwargs, error, message) -> None:
    with pytest.raises(error, match=message):
        fit(_model(), blobs(N), steps=1, progress=False, device="cpu", **kwargs)


def test_scheduler_needs_its_optimizer_and_plateau_steps_per_evaluation() -> None:
    model = _model()
    opt = torch.optim.SGD(model.parameters(), lr=0.1)
    with pytest.raises(ValueError, match="build the optimizer, then the scheduler on it"):
        fit(model, blobs(N), steps=1, scheduler=sched.StepLR(opt, 1), progress=False)
    with pytest.raises(ValueError, match="scheduler_step 'step' does not fit ReduceLROnPlateau"):
        fit(model, blobs(N), steps=1, optimizer=opt, scheduler=sched.ReduceLROnPlateau(opt),
            scheduler_step="step", progress=False)  # fmt: skip


def test_a_stop_mid_epoch_skips_the_epoch_scheduler_step() -> None:
    model = _model()
    opt = torch.optim.SGD(model.parameters(), lr=0.1)
    stopper = StopRequest()

    class StopAt4(StopRequest):
        def on_step_end(self, state):  # type: ignore[no-untyped-def]
            if state.step == 4:
                stopper.request()

    result = fit(model, blobs(N), epochs=10, batch_size=BATCH, optimizer=opt,
                 scheduler=sched.StepLR(opt, step_size=1, gamma=0.5),
                 callbacks=[StopAt4(), stopper], progress=False, device="cpu")  # fmt: skip
    assert result.stop_reason == "stopped" and result.steps == 4
    assert result.history.lrs == [0.1, 0.1, 0.1, 0.05]  # one epoch completed: one halving
    assert opt.param_groups[0]["lr"] == 0.05
