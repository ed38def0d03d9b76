"""Deep digits nets — plain, with BatchNorm, residual — and a side-by-side training comparison.

He et al. (2016, "Deep Residual Learning", Figure 1) found that a deeper *plain* network trains
*worse* than a shallower one (the degradation problem) and that identity shortcuts fix it.
:class:`DeepDigitsNet` builds the same kind of stack at digits size; :func:`compare_training`
trains several configurations on the same data with :func:`~vizkit.train.fit` and returns
their histories for :func:`vizkit.render.comparison.training_comparison_figure`.
"""

from __future__ import annotations

import copy
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

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
from vizkit.train.loop import Callback, TrainHistory, evaluate, fit

__all__ = ["DeepDigitsNet", "NetConfig", "TrainedConfig", "compare_training"]

Norm = Literal["batch"] | None


@dataclass(frozen=True)
class NetConfig:
    """One network of the comparison.

    Attributes:
        depth: 3×3 conv layers after the stem (each conv → [BN] → ReLU).
        norm: ``None`` or ``"batch"`` (BatchNorm after every conv).
        residual: Wrap every two layers in an identity shortcut, ``x + F(x)``.
        width: Channels of every hidden layer.
    """

    depth: int
    norm: Norm = None
    residual: bool = False
    width: int = 16

    def __post_init__(self) -> None:
        check_int("depth", self.depth, minimum=1, maximum=1000, fix="use 1 to 1000 conv layers")
        if self.norm is not None and self.norm != "batch":
            kind = ValueError if isinstance(self.norm, str) else TypeError
            raise kind(f"norm {self.norm!r} must be None or 'batch'")
        check_bool("residual", self.residual)
        check_int("width", self.width, minimum=1, maximum=4096)
        check_memory(
            self.depth * 9 * self.width * self.width * 4 * 4,
            name="width",
            value=self.width,
            what=f"{self.depth} conv layers of {self.width} channels (with gradients and Adam)",
            fix="the lecture's nets have 16 channels",
        )
        if self.residual and self.depth % 2:
            raise ValueError(
                f"depth {self.depth} is odd but residual=True pairs layers into blocks of 2: "
                "use an even depth"
            )

    @property
    def label(self) -> str:
        """A legend label such as ``"20 layers, BN, residual"``."""
        kind = "residual" if self.residual else "plain"
        return f"{self.depth} layers, {kind}" + (", BN" if self.norm == "batch" else "")


class _Layer(nn.Sequential):
    def __init__(self, width: int, norm: Norm) -> None:
        super().__init__(nn.Conv2d(width, width, 3, padding=1, bias=norm is None))
        if norm == "batch":
            self.append(nn.BatchNorm2d(width))


class _Residual(nn.Module):
    """Two conv layers with an identity shortcut (ResNet's basic block): relu(x + F(x))."""

    def __init__(self, width: int, norm: Norm) -> None:
        super().__init__()
        self.body = nn.Sequential(_Layer(width, norm), nn.ReLU(), _Layer(width, norm))
        self.relu = nn.ReLU()

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.relu(x + self.body(x))


class DeepDigitsNet(nn.Sequential):
    """A deep, narrow CNN for ``(N, 1, 16, 16)`` digits.

    ``stem`` (3×3 conv to ``width``, [BN], ReLU, 2×2 max-pool → 8×8) → ``body`` (``depth``
    3×3 conv layers, plain or in residual pairs) → global average pool → ``head`` (linear).

    Args:
        config: A :class:`NetConfig` (depth, norm, residual, width).
        in_channels: Input channels.
        num_classes: Logits.
    """

    def __init__(self, config: NetConfig, *, in_channels: int = 1, num_classes: int = 10) -> None:
        if not isinstance(config, NetConfig):
            raise TypeError(
                f"config must be a NetConfig, got {type(config).__name__}: "
                "e.g. NetConfig(depth=8, norm='batch')"
            )
        in_channels = check_int("in_channels", in_channels, minimum=1, maximum=4096)
        num_classes = check_int("num_classes", num_classes, minimum=1, maximum=1_000_000)
        w, norm = config.width, config.norm
        super().__init__()
        self.stem = nn.Sequential(
            nn.Conv2d(in_channels, w, 3, padding=1, bias=norm is None),
            *([nn.BatchNorm2d(w)] if norm == "batch" else []),
            nn.ReLU(),
            nn.MaxPool2d(2),
        )
        if config.residual:
            self.body = nn.Sequential(*(_Residual(w, norm) for _ in range(config.depth // 2)))
        else:
            self.body = nn.Sequential(
                *(m for _ in range(config.depth) for m in (_Layer(w, norm), nn.ReLU()))
            )
        self.pool = nn.Sequential(nn.AdaptiveAvgPool2d(1), nn.Flatten())
        self.head = nn.Linear(w, num_classes)


@dataclass
class TrainedConfig:
    """One trained configuration of :func:`compare_training`.

    Attributes:
        config: The :class:`NetConfig`.
        label: Its legend label.
        history: Training loss per step and validation loss/accuracy per evaluation.
        test_accuracy: Accuracy of the best weights on the held-out test digits.
        params: Trainable parameters.
        steps: Optimiser steps taken.
        seconds: Training wall-clock time.
        model: The trained model (best validation weights), in eval mode.
    """

    config: NetConfig
    label: str
    history: TrainHistory
    test_accuracy: float
    params: int
    steps: int
    seconds: float
    model: nn.Module


def compare_training(
    configs: Sequence[NetConfig],
    *,
    seconds: float | None = 10.0,
    steps: int | None = None,
    seed: int = 0,
    lr: float = 1e-3,
    batch_size: int = 64,
    eval_every: int = 10,
    image_size: int = 16,
    device: str | torch.device | None = None,
    progress: bool = False,
    callbacks: Sequence[Callback] = (),
    cpu_threads: int | None = 1,
) -> list[TrainedConfig]:
    """Train each configuration on the same digits, same seed, same budget; collect histories.

    Every net starts from the seed (same initialisation rule, same batch order) and trains
    with Adam until ``seconds`` or ``steps`` runs out. With a time budget a slower (deeper) net
    takes fewer steps; pass ``steps`` for an equal-steps comparison. A Stop (a
    ``TrainingMonitor``'s button or any callback that stops with reason ``"stopped"``) or an
    interrupt (Jupyter's ■ button) stops the net in training — its best weights so far are
    kept — and skips the remaining configurations: the runs finished so far are returned.

    Args:
        configs: The nets to compare.
        seconds: Time budget per net (``None``: no time limit).
        steps: Step budget per net (``None``: no step limit).
        seed: Seeds the split, initialisation and batch order.
        lr: Adam's learning rate.
        batch_size: Images per step.
        eval_every: Steps between evaluations on the validation set.
        image_size: Side length the 8×8 digits are resized to.
        device: ``None`` picks cuda → mps → cpu.
        progress: Show a progress bar per net.
        callbacks: Passed to every :func:`~vizkit.train.fit` call (e.g. a live
            ``TrainingMonitor``, which clears itself at the start of each net).
        cpu_threads: Torch threads on the CPU while training (see :func:`~vizkit.train.fit`).

    Returns:
        One :class:`TrainedConfig` per configuration, in order.

    Raises:
        ValueError: ``configs`` is empty, neither budget is given, or a budget, rate, size or
            count out of range (``lr`` ≤ 0, ``seconds`` NaN …).
        TypeError: An entry of ``configs`` is not a :class:`NetConfig`, or an option of the
            wrong kind.
    """
    from vizkit.data import load_digits_split
    from vizkit.device import pick_device

    configs = list(check_sequence("configs", configs, what="NetConfig objects"))
    if not configs:
        raise ValueError("configs is empty: pass NetConfig objects, e.g. [NetConfig(depth=4)]")
    for i, c in enumerate(configs):
        if not isinstance(c, NetConfig):
            raise TypeError(f"configs[{i}] is a {type(c).__name__}, expected a NetConfig")
    if seconds is None and steps is None:
        raise ValueError("compare_training needs a budget: pass seconds= or steps= (or both)")
    if seconds is not None:
        check_number("seconds", seconds, above=0.0, maximum=86_400.0, fix="e.g. seconds=10")
    check_optional_int("steps", steps, minimum=1, maximum=1_000_000)
    check_seed(seed)
    check_number("lr", lr, above=0.0, fix="Adam's usual rate is lr=1e-3")
    check_int("batch_size", batch_size, minimum=1, maximum=4096)
    check_int("eval_every", eval_every, minimum=1)
    check_int("image_size", image_size, minimum=8, maximum=256, fix="the lecture uses 16")
    check_bool("progress", progress)
    check_optional_int("cpu_threads", cpu_threads, minimum=1, maximum=1024)
    for callback in check_sequence("callbacks", callbacks, what="Callback objects"):
        check_instance("callbacks", callback, Callback, "a list of vizkit.train.Callback objects")
    try:
        pick_device(device)
    except (TypeError, ValueError) as err:  # pick_device calls it `preferred`; here: device
        raise type(err)(f"device: {err}") from None
    split = load_digits_split(size=image_size, seed=seed)
    images, labels = split.train.tensors
    order = torch.randperm(len(images), generator=torch.Generator().manual_seed(seed))
    n_val = len(images) * 15 // 100
    val = TensorDataset(images[order[:n_val]], labels[order[:n_val]])
    train = TensorDataset(images[order[n_val:]], labels[order[n_val:]])
    results = []
    for config in configs:
        torch.manual_seed(seed)
        model = DeepDigitsNet(config, in_channels=images.shape[1])
        params = sum(p.numel() for p in model.parameters() if p.requires_grad)
        result = fit(
            model,
            train,
            val=val,
            seconds=seconds,
            steps=steps,
            batch_size=batch_size,
            lr=lr,
            eval_every=eval_every,
            callbacks=callbacks,
            seed=seed,
            device=device,
            progress=progress,
            cpu_threads=cpu_threads,
        )
        model.eval()  # fit gives the fresh model its training mode back; ready to predict
        _, test_acc = evaluate(result.model, split.test)
        results.append(
            TrainedConfig(
                config=config,
                label=config.label,
                history=copy.deepcopy(result.history),
                test_accuracy=test_acc,
                params=params,
                steps=result.steps,
                seconds=result.seconds,
                model=result.model,
            )
        )
        if result.stop_reason in ("stopped", "interrupted"):
            break  # the user pressed Stop or ■: keep what we have, skip the rest
    return results
