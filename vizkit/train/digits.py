"""The small digits CNN and :func:`train_digits`, which trains it on the offline digits."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import torch
from torch import nn
from torch.utils.data import TensorDataset

from vizkit._validate import (
    check_bool,
    check_instance,
    check_int,
    check_memory,
    check_number,
    check_optional_int,
    check_seed,
    check_sequence,
)
from vizkit.train.loop import Callback, StopReason, TrainHistory, evaluate, fit

__all__ = ["DigitsCNN", "DigitsResult", "train_digits"]


class DigitsCNN(nn.Sequential):
    """A LeNet-style CNN for ``(N, in_channels, 32, 32)`` digit images.

    ``conv1`` (5×5, ``width`` filters) → ReLU → max-pool → ``conv2`` (5×5, 2·width) → ReLU →
    max-pool → ``fc1`` (64) → ReLU → ``fc2`` (10 logits). With ``width=8``: 29,738 parameters.

    Args:
        in_channels: 1 for grey digits, 3 for RGB input.
        width: Filters in ``conv1`` (``conv2`` has twice as many).
        num_classes: Number of logits.
        image_size: Input side length (a multiple of 4, at least 16).

    Raises:
        TypeError: an argument that is not an int.
        ValueError: a count below 1, ``image_size`` not a multiple of 4 from 16 on, or
            weights above vizkit's memory budget.
    """

    def __init__(
        self, in_channels: int = 1, width: int = 8, num_classes: int = 10, image_size: int = 32
    ) -> None:
        in_channels = check_int("in_channels", in_channels, minimum=1)
        width = check_int("width", width, minimum=1)
        num_classes = check_int("num_classes", num_classes, minimum=1)
        image_size = check_int(
            "image_size", image_size, minimum=16, fix="use a multiple of 4, at least 16"
        )
        if image_size % 4:
            raise ValueError(f"image_size {image_size} must be a multiple of 4, at least 16")
        side = ((image_size - 4) // 2 - 4) // 2
        terms = {  # weights each argument is responsible for, to name the largest
            "in_channels": 25 * width * in_channels,
            "width": 25 * 2 * width * width + 64 * 2 * width,
            "image_size": 64 * 2 * width * side * side,
            "num_classes": 64 * num_classes,
        }
        weights = sum(terms.values())
        blame = max(terms, key=lambda name: terms[name])
        check_memory(
            weights * 4 * 4,
            name=blame,
            value={"in_channels": in_channels, "width": width, "image_size": image_size}.get(
                blame, num_classes
            ),
            what=f"a digits CNN of ~{weights:,} weights (with gradients and Adam's moments)",
            fix="width=8 and 32×32 images are the lecture's",
        )
        super().__init__()
        self.conv1 = nn.Conv2d(in_channels, width, kernel_size=5)
        self.relu1 = nn.ReLU()
        self.pool1 = nn.MaxPool2d(2)
        self.conv2 = nn.Conv2d(width, 2 * width, kernel_size=5)
        self.relu2 = nn.ReLU()
        self.pool2 = nn.MaxPool2d(2)
        self.flatten = nn.Flatten()
        self.fc1 = nn.Linear(2 * width * side * side, 64)
        self.relu3 = nn.ReLU()
        self.fc2 = nn.Linear(64, num_classes)


@dataclass
class DigitsResult:
    """What :func:`train_digits` returns.

    Attributes:
        model: The trained :class:`DigitsCNN` (best validation weights), in eval mode.
        test_accuracy: Accuracy on the 450 held-out digits, 0–1.
        seconds: Training wall-clock seconds.
        steps: Optimiser steps taken.
        history: The :class:`~vizkit.train.TrainHistory` (evaluations on the validation set).
        stop_reason: Why training stopped.
        device: Where it ran.
    """

    model: DigitsCNN
    test_accuracy: float
    seconds: float
    steps: int
    history: TrainHistory
    stop_reason: StopReason
    device: torch.device


def train_digits(
    *,
    seconds: float = 60,
    seed: int = 0,
    device: str | torch.device | None = None,
    epochs: int = 10,
    width: int = 8,
    callbacks: Sequence[Callback] = (),
    progress: bool = False,
    cpu_threads: int | None = 1,
) -> DigitsResult:
    """Train :class:`DigitsCNN` on scikit-learn's digits (upsampled to 32×32), offline.

    Training stops after ``epochs`` passes or ``seconds`` of wall-clock time, whichever comes
    first, and keeps the weights with the best accuracy on a validation set (15% of the
    training images, seeded). The 450 test digits are used once, at the end, so
    ``test_accuracy`` is an honest held-out figure.

    Args:
        seconds: Time budget in seconds.
        seed: Seeds the split, the initial weights and the batch order (CPU runs repeat).
        device: ``None`` picks cuda → mps → cpu.
        epochs: Passes over the 1,347 training images.
        width: ``conv1`` filters.
        callbacks: Extra :class:`~vizkit.train.Callback` objects (live plot, snapshots).
        progress: Show a progress bar.
        cpu_threads: Torch threads while training on the CPU (restored afterwards); one is
            fastest for this 30k-parameter net (see :func:`~vizkit.train.fit`). ``None``:
            torch's current setting.

    Returns:
        A :class:`DigitsResult` with ``.test_accuracy`` and ``.seconds``.

    Raises:
        TypeError: an argument of the wrong kind (a callback that is not a
            :class:`~vizkit.train.Callback` included).
        ValueError: ``seconds`` not a positive finite number (at most a day), ``epochs``
            outside 1 … 10000, ``width`` below 1, ``cpu_threads`` below 1, a negative seed,
            or an unknown or unavailable device.
    """
    from vizkit.data import load_digits_split
    from vizkit.device import pick_device

    seconds = check_number(
        "seconds", seconds, above=0.0, maximum=86_400.0, fix="a time budget, e.g. seconds=60"
    )
    seed = check_seed(seed)
    epochs = check_int("epochs", epochs, minimum=1, maximum=10_000)
    width = check_int("width", width, minimum=1, maximum=1024)
    progress = check_bool("progress", progress)
    cpu_threads = check_optional_int(
        "cpu_threads", cpu_threads, minimum=1, maximum=1024, fix="use 1 (fastest here) or None"
    )
    items = check_sequence("callbacks", callbacks, what="Callback objects")
    for callback in items:
        check_instance(
            "callbacks",
            callback,
            Callback,
            "a list of vizkit.train.Callback objects",
            "e.g. [FilterSnapshots(['conv1'])]",
        )
    try:
        pick_device(device)
    except (TypeError, ValueError) as err:  # pick_device calls it `preferred`; here: device
        raise type(err)(f"device: {err}") from None

    split = load_digits_split(size=32, seed=seed)
    images, labels = split.train.tensors
    order = torch.randperm(len(images), generator=torch.Generator().manual_seed(seed))
    n_val = len(images) * 15 // 100
    val = TensorDataset(images[order[:n_val]], labels[order[:n_val]])
    train = TensorDataset(images[order[n_val:]], labels[order[n_val:]])
    torch.manual_seed(seed)
    model = DigitsCNN(width=width)
    result = fit(
        model,
        train,
        val=val,
        epochs=epochs,
        seconds=seconds,
        batch_size=32,
        lr=2e-3,
        eval_every=36,
        callbacks=callbacks,
        seed=seed,
        device=device,
        progress=progress,
        cpu_threads=cpu_threads,
    )
    model.eval()  # fit gives the fresh model its training mode back; it is ready to predict
    _, accuracy = evaluate(result.model, split.test)
    return DigitsResult(
        model=model,
        test_accuracy=accuracy,
        seconds=result.seconds,
        steps=result.steps,
        history=result.history,
        stop_reason=result.stop_reason,
        device=result.device,
    )
