"""ReLU vs tanh: how many steps each needs to reach a training error (AlexNet's Figure 1).

Krizhevsky et al. (2012), Figure 1: a four-layer CNN with ReLUs reached 25 % training error on
CIFAR-10 six times faster than the same network with tanh units. :func:`relu_vs_tanh` repeats
the experiment live on the offline digits: the same :func:`~vizkit.demos.recipes.small_cnn`
(same initial weights) with each activation, the same SGD and batches, and the training error
on the whole training set measured every few steps.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import torch
from torch import nn

from vizkit._validate import check_bool, check_int, check_number, check_seed
from vizkit.demos._threads import one_thread
from vizkit.demos.recipes import _check_split, small_cnn

__all__ = ["ActivationSpeed", "relu_vs_tanh"]


@dataclass(frozen=True)
class ActivationSpeed:
    """Training-error curves of the same CNN with ReLU and with tanh.

    Attributes:
        steps: ``(E,)`` steps at which the training error was measured (same for both).
        errors: activation name → ``(E,)`` training error (0–1) at those steps.
        target_error: The error both runs race to.
        steps_to_target: activation name → first measured step at or below the target
            (``None``: not reached within the budget).
        lr: SGD learning rate used for both.
    """

    steps: np.ndarray
    errors: dict[str, np.ndarray]
    target_error: float
    steps_to_target: dict[str, int | None]
    lr: float

    @property
    def speedup(self) -> float:
        """tanh's steps to the target over ReLU's (``nan`` unless both reached it)."""
        relu, tanh = self.steps_to_target["relu"], self.steps_to_target["tanh"]
        return tanh / relu if relu and tanh else math.nan

    def describe(self) -> str:
        """One line per activation and the ratio."""
        lines = []
        for name, steps in self.steps_to_target.items():
            reached = f"after {steps} steps" if steps else f"not within {int(self.steps[-1])} steps"
            lines.append(f"{name}: {self.target_error:.0%} training error {reached}")
        ratio = self.speedup
        relu, tanh = self.steps_to_target["relu"], self.steps_to_target["tanh"]
        if not math.isnan(ratio):
            lines.append(f"tanh needs {ratio:.2f}× ReLU's steps (AlexNet's paper: 6× on CIFAR-10)")
        elif relu and not tanh:
            lines.append("only ReLU reached the target within the budget")
        elif tanh and not relu:
            lines.append("only tanh reached the target within the budget")
        else:
            lines.append("neither reached the target: raise max_steps")
        return "\n".join(lines)


@torch.no_grad()
def _error(model: nn.Module, x: torch.Tensor, y: torch.Tensor) -> float:
    model.eval()
    wrong = (model(x).argmax(1) != y).float().mean()
    model.train()
    return float(wrong)


@one_thread()
def relu_vs_tanh(
    split: object,
    *,
    target_error: float = 0.25,
    max_steps: int = 400,
    eval_every: int = 10,
    lr: float = 0.05,
    momentum: float = 0.9,
    batch_size: int = 64,
    width: int = 8,
    eval_images: int = 512,
    seed: int = 0,
    progress: bool = True,
) -> ActivationSpeed:
    """Train the same CNN with ReLU and with tanh; record the training error as it falls.

    Both runs start from the same weights (:func:`~vizkit.demos.recipes.small_cnn` with the
    same seed), see the same batches and use ``SGD(lr, momentum)``; each stops at
    ``max_steps``. The training error is measured every ``eval_every`` steps on the first
    ``eval_images`` training images (the same ones for both runs).

    Args:
        split: A :class:`vizkit.data.DatasetSplit` (``vk.load_digits_split(size=16)``).
        target_error: Training error to reach, in ``(0, 1)`` (AlexNet's figure: 0.25).
        max_steps: Step budget of each run (1…100,000).
        eval_every: Steps between measurements (≥ 1).
        lr, momentum: SGD's hyper-parameters (same for both).
        batch_size: Images per step.
        width: Filters of the first conv.
        eval_images: Training images the error is measured on (≥ 1; all if fewer).
        seed: Seeds weights and batch order.
        progress: Show a ``tqdm.auto`` bar.

    Returns:
        An :class:`ActivationSpeed`.

    Raises:
        TypeError, ValueError: an argument of the wrong kind or out of range.
    """
    train, _ = _check_split("split", split)
    target_error = check_number("target_error", target_error, above=0.0, below=1.0)
    max_steps = check_int("max_steps", max_steps, minimum=1, maximum=100_000)
    eval_every = check_int("eval_every", eval_every, minimum=1, maximum=max(1, max_steps))
    lr = check_number("lr", lr, above=0.0, maximum=10.0)
    momentum = check_number("momentum", momentum, minimum=0.0, below=1.0)
    batch_size = check_int("batch_size", batch_size, minimum=1, maximum=100_000)
    width = check_int("width", width, minimum=1, maximum=256)
    eval_images = check_int("eval_images", eval_images, minimum=1)
    seed = check_seed(seed)
    progress = check_bool("progress", progress)
    x, y = train.tensors
    x_eval, y_eval = x[:eval_images], y[:eval_images]
    bar = None
    if progress:
        from tqdm.auto import tqdm

        bar = tqdm(total=2 * max_steps, desc="ReLU vs tanh", unit="step", leave=False)
    steps_seen: list[int] = []
    errors: dict[str, list[float]] = {}
    reached: dict[str, int | None] = {}
    try:
        for name in ("relu", "tanh"):
            model = small_cnn(in_channels=x.shape[1], width=width, activation=name, seed=seed)
            opt = torch.optim.SGD(model.parameters(), lr=lr, momentum=momentum)
            generator = torch.Generator().manual_seed(seed)
            curve, hit, step = [_error(model, x_eval, y_eval)], None, 0
            measured = [0]
            while step < max_steps:
                idx = torch.randint(0, len(x), (batch_size,), generator=generator)
                opt.zero_grad(set_to_none=True)
                nn.functional.cross_entropy(model(x[idx]), y[idx]).backward()
                opt.step()
                step += 1
                if bar is not None:
                    bar.update(1)
                if step % eval_every == 0 or step == max_steps:
                    curve.append(_error(model, x_eval, y_eval))
                    measured.append(step)
                    if hit is None and curve[-1] <= target_error:
                        hit = step
            errors[name] = curve
            reached[name] = hit
            steps_seen = measured
    finally:
        if bar is not None:
            bar.close()
    return ActivationSpeed(
        steps=np.array(steps_seen),
        errors={k: np.array(v) for k, v in errors.items()},
        target_error=target_error,
        steps_to_target=reached,
        lr=lr,
    )
