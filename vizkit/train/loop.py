"""A small, readable training loop with callbacks.

:func:`fit` is the whole loop in one screen: pick the device, shuffle with a seeded generator,
transform each batch (crops, flips), step the optimiser and its learning-rate scheduler,
evaluate every ``eval_every`` steps, keep the best weights, stop on a time budget, a step
budget, a callback's request (e.g. ``TrainingMonitor``'s Stop button) or a keyboard interrupt
(Jupyter's ■ button) — and in every case hand back the best model so far. Callbacks see a
:class:`TrainState` and may set ``state.stop = True`` (optionally with their own
``state.stop_reason``); the live plot, filter snapshots and progress bar are callbacks.
Every training loop of vizkit's classifiers runs here (``vizkit.demos.train_recipe`` too).
"""

from __future__ import annotations

import copy
import math
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Literal

import torch
from torch import nn
from torch.optim.lr_scheduler import LRScheduler, ReduceLROnPlateau
from torch.utils.data import TensorDataset

from vizkit._validate import (
    check_bool,
    check_instance,
    check_int,
    check_number,
    check_optional_int,
    check_seed,
    check_sequence,
)
from vizkit.device.threads import MAX_THREADS, torch_threads
from vizkit.inspect.modes import eval_mode, restored_modes
from vizkit.train._checks import (
    check_callable,
    check_dataset,
    check_scheduler,
    checked_batch,
    checked_loss,
    device_named,
)

__all__ = [
    "BatchTransform",
    "Callback",
    "LossFn",
    "TrainHistory",
    "TrainResult",
    "TrainState",
    "evaluate",
    "fit",
]

BatchTransform = Callable[[torch.Tensor, torch.Tensor], tuple[torch.Tensor, torch.Tensor]]
"""``(images, labels) -> (images, labels)``, applied to every training batch (not to ``val``).
torchvision's ``transforms.v2`` objects have this form (``v2.RandomHorizontalFlip()``,
``v2.CutMix(num_classes=10)``)."""

LossFn = Callable[[torch.Tensor, torch.Tensor], torch.Tensor]
"""``(logits, labels) -> scalar loss``, e.g. ``nn.CrossEntropyLoss(label_smoothing=0.1)``."""

SchedulerStep = Literal["epoch", "step"]
"""When a (non-plateau) learning-rate scheduler steps: after every epoch or every step."""


StopReason = Literal["", "steps", "epochs", "seconds", "callback", "stopped", "interrupted"]
"""Why :func:`fit` stopped (``""`` while it runs)."""


@dataclass
class TrainHistory:
    """What happened, step by step.

    Attributes:
        steps, losses: training loss after each optimiser step (``losses[i]`` at ``steps[i]``).
        eval_steps, eval_losses, eval_accuracies: validation loss and accuracy (0–1) at each
            evaluation.
        lrs: the learning rate (of the first parameter group) that each step used.
    """

    steps: list[int] = field(default_factory=list)
    losses: list[float] = field(default_factory=list)
    eval_steps: list[int] = field(default_factory=list)
    eval_losses: list[float] = field(default_factory=list)
    eval_accuracies: list[float] = field(default_factory=list)
    lrs: list[float] = field(default_factory=list)  # last: positional construction still works


@dataclass
class TrainState:
    """The loop's state, passed to every callback.

    Attributes:
        model: The model being trained (on ``device``).
        optimizer: Its optimiser.
        device: Where the computation runs.
        step: Optimiser steps taken so far.
        epoch: Passes over the training set started so far.
        loss: The last training loss.
        history: A :class:`TrainHistory`.
        best_accuracy: Best validation accuracy so far (``-inf`` before the first evaluation).
        best_step: Step at which it was reached.
        elapsed: Seconds since training started.
        stop: Set it to ``True`` in a callback to stop after this step.
        stop_reason: Why the loop stopped (filled at the end). A callback that sets ``stop``
            may name its reason here (``"stopped"`` for a Stop button); default ``"callback"``.
        scheduler: The learning-rate scheduler, or ``None``.
    """

    model: nn.Module
    optimizer: torch.optim.Optimizer
    device: torch.device
    step: int = 0
    epoch: int = 0
    loss: float = math.nan
    history: TrainHistory = field(default_factory=TrainHistory)
    best_accuracy: float = -math.inf
    best_step: int = 0
    elapsed: float = 0.0
    stop: bool = False
    stop_reason: StopReason = ""
    scheduler: LRScheduler | None = None


class Callback:
    """Base class: override the hooks you need; each receives the :class:`TrainState`."""

    def on_train_start(self, state: TrainState) -> None:
        """Called once, before the first step."""

    def on_step_end(self, state: TrainState) -> None:
        """Called after every optimiser step."""

    def on_eval_end(self, state: TrainState) -> None:
        """Called after every evaluation (``state.history.eval_*`` has the new values)."""

    def on_train_end(self, state: TrainState) -> None:
        """Called once, after the best weights were restored."""


@dataclass
class TrainResult:
    """What :func:`fit` returns.

    Attributes:
        model: The trained model, holding the best weights seen (by validation accuracy).
        history: The :class:`TrainHistory`.
        steps: Optimiser steps taken.
        seconds: Wall-clock seconds of training (evaluations included).
        best_accuracy: Validation accuracy of the returned weights (``nan`` without validation).
        best_step: The step those weights come from.
        stop_reason: ``"steps"``, ``"epochs"``, ``"seconds"``, ``"callback"``,
            ``"interrupted"``, or the reason a callback gave (``"stopped"``: a Stop button).
        device: The device used.
    """

    model: nn.Module
    history: TrainHistory
    steps: int
    seconds: float
    best_accuracy: float
    best_step: int
    stop_reason: StopReason
    device: torch.device


def _batches(
    dataset: TensorDataset, batch_size: int, generator: torch.Generator, device: torch.device
) -> Iterator[tuple[torch.Tensor, torch.Tensor]]:
    """One shuffled epoch of a tensor dataset: indexing beats a DataLoader for small data."""
    x, y = dataset.tensors[0], dataset.tensors[1]
    order = torch.randperm(len(x), generator=generator)
    for start in range(0, len(x), batch_size):
        idx = order[start : start + batch_size]
        yield x[idx].to(device, non_blocking=True), y[idx].to(device, non_blocking=True)


@torch.no_grad()
def evaluate(
    model: nn.Module,
    dataset: TensorDataset,
    *,
    batch_size: int = 512,
    device: torch.device | None = None,
) -> tuple[float, float]:
    """Mean cross-entropy loss and accuracy (0–1) of ``model`` on a tensor dataset.

    The model is put in eval mode for the pass; afterwards every submodule has its own
    train/eval mode back (a BatchNorm frozen with ``.eval()`` inside a training model stays
    frozen), also when the forward raises.

    Args:
        model: A classifier returning ``(N, classes)`` logits.
        dataset: ``TensorDataset`` of images and int64 labels.
        batch_size: Images per forward pass.
        device: Where to compute; default: where the model's parameters are.

    Returns:
        ``(loss, accuracy)``.

    Raises:
        TypeError: ``model`` is not an ``nn.Module``, ``dataset`` not a ``TensorDataset``.
        ValueError: an empty dataset, or ``batch_size`` below 1.
    """
    check_instance("model", model, nn.Module, "a torch.nn.Module (a classifier)")
    check_dataset("dataset", dataset)
    batch_size = check_int("batch_size", batch_size, minimum=1, fix="use e.g. batch_size=512")
    if device is None:
        device = next(iter(model.parameters()), torch.empty(0)).device
    else:
        device = device_named(device)
    total_loss, correct, count = 0.0, 0, 0
    x, y = dataset.tensors[0], dataset.tensors[1]
    with eval_mode(model):  # every submodule gets its own mode back, also on error
        for start in range(0, len(x), batch_size):
            xb = x[start : start + batch_size].to(device)
            yb = y[start : start + batch_size].to(device)
            logits = model(xb)
            total_loss += float(nn.functional.cross_entropy(logits, yb, reduction="sum"))
            correct += int((logits.argmax(1) == yb).sum())
            count += len(yb)
    return total_loss / max(count, 1), correct / max(count, 1)


def fit(
    model: nn.Module,
    train: TensorDataset,
    *,
    val: TensorDataset | None = None,
    epochs: int | None = None,
    steps: int | None = None,
    seconds: float | None = None,
    batch_size: int = 64,
    lr: float = 1e-3,
    weight_decay: float = 0.0,
    optimizer: torch.optim.Optimizer | None = None,
    scheduler: LRScheduler | None = None,
    scheduler_step: SchedulerStep = "epoch",
    loss_fn: LossFn | None = None,
    batch_transform: BatchTransform | None = None,
    eval_every: int = 50,
    callbacks: Sequence[Callback] = (),
    seed: int = 0,
    device: str | torch.device | None = None,
    progress: bool | str = True,
    restore_best: bool = True,
    cpu_threads: int | None = None,
) -> TrainResult:
    """Train a classifier (cross-entropy by default); stop on the first budget reached.

    The model is moved to ``device`` and trained in place (pass ``copy.deepcopy(model)`` to
    keep the original). With ``val``, the weights with the best validation accuracy are kept
    and put back at the end (``restore_best``), also when training is interrupted.

    Train/eval modes: the model trains in training mode, except the parts you froze — when
    ``model`` itself is in training mode, every submodule you put in ``eval()`` (a frozen
    BatchNorm keeps its running statistics, a frozen Dropout stays off) stays in eval mode.
    A model wholly in eval mode trains wholly. At the end, also after an error or an
    interrupt, every submodule has exactly the mode it had on entry (a fresh model comes back
    in training mode: call ``model.eval()`` before using it for predictions; vizkit's
    inspection functions do that for you and give the modes back).

    One step: ``batch_transform`` → ``optimizer.step()`` on ``loss_fn(model(x), y)`` → a
    per-step scheduler → callbacks → an evaluation every ``eval_every`` steps → at the end of
    an epoch a per-epoch scheduler. Schedulers step as in torch's own examples:

    - ``ReduceLROnPlateau`` after every evaluation, with the validation loss (plain
      cross-entropy); without ``val``, after every epoch with the epoch's mean training loss;
    - any other scheduler after every epoch (``scheduler_step="epoch"``: ``StepLR``,
      ``MultiStepLR``, ``CosineAnnealingLR`` with ``T_max`` in epochs) or after every optimiser
      step (``"step"``: ``OneCycleLR``, warm-ups counted in steps).

    ``history.lrs`` records the learning rate each step used.

    Args:
        model: Any ``nn.Module`` mapping ``(N, C, H, W)`` images to ``(N, classes)`` logits.
        train: Training ``TensorDataset`` (images, int64 labels).
        val: Validation set for evaluations and for choosing the best weights.
        epochs: Stop after this many passes over ``train``.
        steps: Stop after this many optimiser steps.
        seconds: Stop once this much wall-clock time has passed.
        batch_size: Images per step.
        lr: Adam's learning rate (ignored when ``optimizer`` is given).
        weight_decay: Adam's weight decay.
        optimizer: Your own optimiser over ``model``'s parameters (default: Adam).
        scheduler: A ``torch.optim.lr_scheduler`` scheduler built on ``optimizer`` (so it
            needs ``optimizer=``), stepped as described above.
        scheduler_step: ``"epoch"`` or ``"step"``: when a non-plateau scheduler steps.
        loss_fn: ``(logits, labels) -> scalar loss`` for training (default: cross-entropy),
            e.g. ``nn.CrossEntropyLoss(label_smoothing=0.1)``. Evaluations always report plain
            cross-entropy, so runs with different losses compare.
        batch_transform: ``(images, labels) -> (images, labels)`` applied to every training
            batch on ``device`` (random crops, flips, mixing; ``val`` is left alone). Its random
            draws come from torch's global generator, which ``seed`` seeds.
        eval_every: Evaluate on ``val`` every this many steps (and at the end).
        callbacks: :class:`Callback` objects (live plot, snapshots, early stopping, ...).
        seed: Seeds the batch order and torch's global RNG (dropout, augmentation), so runs
            on the CPU repeat exactly.
        device: ``None`` picks cuda → mps → cpu (:func:`vizkit.device.pick_device`).
        progress: Show a ``tqdm.auto`` progress bar; a string shows it with that label
            (default label ``"training"``).
        restore_best: Put the best validation weights back at the end.
        cpu_threads: On the CPU, run with this many torch threads for the duration of the
            call (:class:`vizkit.device.torch_threads`; the previous setting is restored
            afterwards); ``None`` leaves it alone. Tiny models train fastest on one thread: on
            a busy 2-core machine two OpenMP threads were measured 15× slower
            (``benchmarks/bench_train.py``).

    Returns:
        A :class:`TrainResult`.

    Raises:
        ValueError: No budget given (``epochs``, ``steps`` and ``seconds`` all ``None``), a
            budget below 1 step/epoch or not a positive number of seconds (at most a day),
            ``batch_size``/``eval_every`` < 1, ``lr`` not positive, a negative
            ``weight_decay``, an empty dataset, ``cpu_threads`` outside 1 … 1024, an unknown
            or unavailable device, a ``scheduler`` not built on ``optimizer``, or
            ``scheduler_step="step"`` with ``ReduceLROnPlateau``. Every argument is checked
            before any work.
        TypeError: ``model`` is not an ``nn.Module``, ``train`` or ``val`` not a
            ``TensorDataset``, ``optimizer`` not an optimizer, ``scheduler`` not a scheduler,
            ``loss_fn``/``batch_transform`` not callable (or, at the first step, returning
            something other than a scalar loss / an ``(images, labels)`` pair), a callback not
            a :class:`Callback`, or an argument of the wrong kind (e.g. ``steps=2.5``).
    """
    check_instance("model", model, nn.Module, "a torch.nn.Module", "e.g. vizkit.train.DigitsCNN()")
    check_dataset("train", train)
    if val is not None:
        check_dataset("val", val)
    if epochs is None and steps is None and seconds is None:
        raise ValueError("fit needs a budget: pass epochs=, steps= or seconds= (or several)")
    epochs = check_optional_int("epochs", epochs, minimum=1, fix="use epochs=1 or more, or None")
    steps = check_optional_int("steps", steps, minimum=1, fix="use steps=1 or more, or None")
    if seconds is not None:
        seconds = check_number(
            "seconds", seconds, above=0.0, maximum=86_400.0, fix="a time budget, e.g. seconds=60"
        )
    batch_size = check_int("batch_size", batch_size, minimum=1, fix="use e.g. batch_size=64")
    lr = check_number("lr", lr, above=0.0, fix="Adam's usual rate is lr=1e-3")
    weight_decay = check_number("weight_decay", weight_decay, minimum=0.0, fix="use e.g. 1e-4")
    if optimizer is not None:
        check_instance(
            "optimizer",
            optimizer,
            torch.optim.Optimizer,
            "a torch.optim.Optimizer over the model's parameters, or None (Adam)",
            "e.g. torch.optim.SGD(model.parameters(), lr=0.1)",
        )
    scheduler = check_scheduler(scheduler, scheduler_step, optimizer)
    check_callable(
        "loss_fn",
        loss_fn,
        "a function (logits, labels) -> scalar loss, or None (cross-entropy)",
        "e.g. nn.CrossEntropyLoss(label_smoothing=0.1)",
    )
    check_callable(
        "batch_transform",
        batch_transform,
        "a function (images, labels) -> (images, labels), or None",
        "e.g. lambda x, y: (x.flip(-1), y)",
    )
    eval_every = check_int("eval_every", eval_every, minimum=1, fix="use e.g. eval_every=50")
    items = check_sequence("callbacks", callbacks, what="Callback objects")
    for callback in items:
        check_instance(
            "callbacks",
            callback,
            Callback,
            "a list of vizkit.train.Callback objects",
            "e.g. [EarlyStopping(patience=3)]",
        )
    callbacks = items
    seed = check_seed(seed)
    label = progress if isinstance(progress, str) and progress else "training"
    progress = True if isinstance(progress, str) else check_bool("progress", progress)
    restore_best = check_bool("restore_best", restore_best)
    cpu_threads = check_optional_int(
        "cpu_threads",
        cpu_threads,
        minimum=1,
        maximum=MAX_THREADS,
        fix="use 1 (fastest here) or None",
    )
    device = device_named(device)
    torch.manual_seed(seed)
    generator = torch.Generator().manual_seed(seed)
    model.to(device)
    opt = optimizer or torch.optim.Adam(model.parameters(), lr=lr, weight_decay=weight_decay)
    criterion: LossFn = loss_fn or nn.functional.cross_entropy
    plateau = scheduler if isinstance(scheduler, ReduceLROnPlateau) else None
    per_step = scheduler is not None and plateau is None and scheduler_step == "step"
    per_epoch = scheduler is not None and plateau is None and scheduler_step == "epoch"
    state = TrainState(model=model, optimizer=opt, device=device, scheduler=scheduler)
    best_weights: dict[str, torch.Tensor] | None = None
    steps_per_epoch = math.ceil(len(train) / batch_size)
    total = steps or (epochs * steps_per_epoch if epochs else None)
    bar = None
    if progress:
        from tqdm.auto import tqdm  # type: ignore[import-untyped]

        bar = tqdm(total=total, desc=label, unit="step", leave=False)

    def run_eval() -> None:
        nonlocal best_weights
        if val is None:
            return
        loss, acc = evaluate(model, val, device=device)
        h = state.history
        h.eval_steps.append(state.step)
        h.eval_losses.append(loss)
        h.eval_accuracies.append(acc)
        if plateau is not None:
            plateau.step(loss)
        if acc > state.best_accuracy:
            state.best_accuracy, state.best_step = acc, state.step
            if restore_best:  # only then are the weights needed
                best_weights = copy.deepcopy(model.state_dict())
        for cb in callbacks:
            cb.on_eval_end(state)

    def end_epoch() -> None:
        if per_epoch and scheduler is not None:
            scheduler.step()
        elif plateau is not None and val is None:
            plateau.step(sum(state.history.losses[-steps_per_epoch:]) / steps_per_epoch)

    def run_steps() -> None:
        while not state.stop_reason:
            if epochs is not None and state.epoch >= epochs:
                state.stop_reason = "epochs"
                return
            state.epoch += 1
            for xb, yb in _batches(train, batch_size, generator, device):
                if batch_transform is not None:
                    xb, yb = checked_batch(batch_transform(xb, yb))
                opt.zero_grad(set_to_none=True)
                loss = checked_loss(criterion(model(xb), yb))
                torch.autograd.backward(loss)  # loss.backward(), typed
                state.history.lrs.append(float(opt.param_groups[0]["lr"]))
                opt.step()
                if per_step and scheduler is not None:
                    scheduler.step()
                state.step += 1
                state.loss = loss.detach().item()
                state.history.steps.append(state.step)
                state.history.losses.append(state.loss)
                state.elapsed = time.perf_counter() - start
                if bar is not None:
                    bar.update(1)
                    bar.set_postfix(loss=f"{state.loss:.3f}", refresh=False)
                for cb in callbacks:
                    cb.on_step_end(state)
                if state.step % eval_every == 0:
                    run_eval()
                if state.step % steps_per_epoch == 0:  # every epoch has exactly this many
                    end_epoch()
                if state.stop:
                    state.stop_reason = state.stop_reason or "callback"
                elif steps is not None and state.step >= steps:
                    state.stop_reason = "steps"
                elif seconds is not None and time.perf_counter() - start >= seconds:
                    state.stop_reason = "seconds"
                if state.stop_reason:
                    return

    start = time.perf_counter()
    # torch's thread count and every submodule's mode come back, also on error
    with torch_threads(cpu_threads, device=device), restored_modes(model):
        _train_modes(model)
        try:
            for cb in callbacks:
                cb.on_train_start(state)
            run_steps()
        except KeyboardInterrupt:
            state.stop_reason = "interrupted"  # Jupyter's stop button: keep what we have
        finally:
            if bar is not None:
                bar.close()
        last = state.history.eval_steps[-1] if state.history.eval_steps else None
        if val is not None and last != state.step:
            run_eval()
        if restore_best and best_weights is not None:
            model.load_state_dict(best_weights)
    state.elapsed = time.perf_counter() - start
    for cb in callbacks:
        cb.on_train_end(state)
    return TrainResult(
        model=model,
        history=state.history,
        steps=state.step,
        seconds=state.elapsed,
        best_accuracy=state.best_accuracy if val is not None else math.nan,
        best_step=state.best_step,
        stop_reason=state.stop_reason,
        device=device,
    )


def _train_modes(model: nn.Module) -> None:
    """Put ``model`` in training mode, keeping the parts the user froze frozen.

    When the model itself is in training mode, a submodule the user put in ``eval()`` (a
    frozen BatchNorm, a frozen backbone) is a deliberate choice: it stays in eval mode, so its
    running statistics do not move. A model wholly in eval mode (e.g. after an earlier
    :func:`fit` or :func:`evaluate`) has nothing singled out: all of it trains.
    """
    frozen = [m for m in model.modules() if not m.training] if model.training else []
    model.train()
    for module in frozen:
        module.training = False  # not .eval(): only this module's own flag
