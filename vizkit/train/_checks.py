"""The training loop's argument checks, and the checks of what user functions return.

Kept apart from :mod:`vizkit.train.loop` so the loop reads in one screen; every message names
the parameter, the value, what is allowed and a fix (:mod:`vizkit._validate`).
"""

from __future__ import annotations

from typing import cast

import torch
from torch.optim.lr_scheduler import LRScheduler, ReduceLROnPlateau
from torch.utils.data import TensorDataset

from vizkit._validate import check_choice, check_instance, describe

__all__ = [
    "check_callable",
    "check_dataset",
    "check_scheduler",
    "checked_batch",
    "checked_loss",
    "device_named",
]


def check_dataset(name: str, data: object) -> TensorDataset:
    """A non-empty ``TensorDataset`` of (images, labels) with as many labels as images."""
    check_instance(
        name,
        data,
        TensorDataset,
        "a torch.utils.data.TensorDataset",
        "wrap tensors as TensorDataset(images, labels)",
    )
    tensors = data.tensors  # type: ignore[attr-defined]
    if len(tensors) < 2:
        raise ValueError(
            f"{name} holds {len(tensors)} tensor(s): pass TensorDataset(images, labels)"
        )
    if len(tensors[0]) == 0:
        raise ValueError(f"{name} is empty (0 examples): pass at least one (image, label)")
    return data  # type: ignore[return-value]


def device_named(device: object) -> torch.device:
    """``pick_device`` with its errors naming ``device`` (it calls the argument ``preferred``)."""
    from vizkit.device.pick import pick_device

    try:
        return pick_device(device)  # type: ignore[arg-type]
    except (TypeError, ValueError) as err:
        raise type(err)(f"device: {err}") from None


def check_callable(name: str, value: object, expected: str, fix: str) -> None:
    """A function or callable object; a class (``nn.CrossEntropyLoss`` unbuilt) is refused."""
    if value is None:
        return
    if isinstance(value, type) or not callable(value):
        hint = " (a class: build one first)" if isinstance(value, type) else ""
        raise TypeError(f"{name} must be {expected}, got {describe(value)}{hint}: {fix}")


def check_scheduler(
    scheduler: object, scheduler_step: object, optimizer: torch.optim.Optimizer | None
) -> LRScheduler | None:
    """A scheduler over the ``optimizer`` that :func:`fit` steps, and a possible cadence."""
    check_choice("scheduler_step", scheduler_step, ("epoch", "step"))
    if scheduler is None:
        return None
    check_instance(
        "scheduler",
        scheduler,
        LRScheduler,
        "a torch.optim.lr_scheduler scheduler, or None",
        "e.g. torch.optim.lr_scheduler.StepLR(optimizer, step_size=5, gamma=0.1)",
    )
    sched = cast(LRScheduler, scheduler)
    if optimizer is None or sched.optimizer is not optimizer:
        raise ValueError(
            "scheduler steps an optimizer that fit does not use: build the optimizer, then the "
            "scheduler on it, and pass both (optimizer=opt, scheduler=StepLR(opt, ...))"
        )
    if isinstance(sched, ReduceLROnPlateau) and scheduler_step == "step":
        raise ValueError(
            "scheduler_step 'step' does not fit ReduceLROnPlateau: it steps after every "
            "evaluation with the validation loss; use scheduler_step='epoch'"
        )
    return sched


def checked_batch(out: object) -> tuple[torch.Tensor, torch.Tensor]:
    """What ``batch_transform`` returned, if it is an ``(images, labels)`` pair of tensors."""
    if not (
        isinstance(out, (tuple, list))
        and len(out) == 2
        and all(isinstance(t, torch.Tensor) for t in out)
    ):
        raise TypeError(
            f"batch_transform must return (images, labels), two tensors, got {describe(out)}: "
            "e.g. lambda x, y: (x.flip(-1), y)"
        )
    return out[0], out[1]


def checked_loss(loss: object) -> torch.Tensor:
    """What ``loss_fn`` returned, if it is a one-element tensor that can be back-propagated."""
    if not (isinstance(loss, torch.Tensor) and loss.numel() == 1 and loss.requires_grad):
        raise TypeError(
            f"loss_fn must return a scalar tensor computed from the logits, got "
            f"{describe(loss)}: e.g. nn.CrossEntropyLoss(label_smoothing=0.1)"
        )
    return loss
