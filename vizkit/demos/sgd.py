"""The notes' SGD update (AlexNet's) beside ``torch.optim.SGD``, step by step.

Straka's NPFL138 notes write AlexNet's update (Krizhevsky et al. 2012) as

    v ← 0.9·v − α·∂L/∂θ − 0.0005·α·θ,      θ ← θ + v.

:func:`sgd_update_check` runs it by hand beside ``torch.optim.SGD`` and reports how far the two
trajectories are apart after every step: identical while α is constant, apart once α changes
(torch keeps ``b = v / (−α)``, so a ÷10 acts at once; the notes' ``v`` still carries the old
step size).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch
from torch import nn

from vizkit._validate import check_int, check_number, check_optional_int, check_seed

__all__ = ["SGDCheck", "sgd_update_check"]


@dataclass(frozen=True)
class SGDCheck:
    """The notes' SGD update by hand beside ``torch.optim.SGD``, step by step.

    Attributes:
        lrs: ``(steps,)`` learning rate of each step.
        max_difference: ``(steps,)`` largest ``|θ_notes − θ_torch|`` after each step.
        velocity_ratio: ``(steps,)`` ``v / (−α·b)`` for torch's momentum buffer ``b``
            (1 while α is constant).
        lr_drop_at: The step from which α was divided by 10 (``None``: never).
        momentum, weight_decay: The hyper-parameters used.
    """

    lrs: np.ndarray
    max_difference: np.ndarray
    velocity_ratio: np.ndarray
    lr_drop_at: int | None
    momentum: float
    weight_decay: float

    @property
    def max_before_drop(self) -> float:
        """Largest difference over the steps with the initial α."""
        end = len(self.lrs) if self.lr_drop_at is None else self.lr_drop_at - 1
        return float(self.max_difference[:end].max()) if end > 0 else 0.0

    @property
    def max_after_drop(self) -> float:
        """Largest difference once α was divided (0 without a drop)."""
        if self.lr_drop_at is None:
            return 0.0
        return float(self.max_difference[self.lr_drop_at - 1 :].max())

    def describe(self) -> str:
        """One line per phase: how far the notes' update and torch's are apart."""
        lines = [
            f"steps with α = {self.lrs[0]:g}: max |θ_notes − θ_torch| = {self.max_before_drop:.1e}"
        ]
        if self.lr_drop_at is not None:
            lines.append(
                f"steps {self.lr_drop_at}… with α = {self.lrs[-1]:g}: max difference "
                f"{self.max_after_drop:.1e} — the notes' v still carries the old α"
            )
        return "\n".join(lines)


def sgd_update_check(
    *,
    steps: int = 20,
    lr: float = 0.01,
    momentum: float = 0.9,
    weight_decay: float = 0.0005,
    lr_drop_at: int | None = 11,
    seed: int = 0,
) -> SGDCheck:
    """Train a linear classifier twice: the notes' SGD update by hand, and ``torch.optim.SGD``.

    Notes (Krizhevsky et al. 2012)::

        v ← μ·v − α·g − λ·α·θ,   θ ← θ + v

    ``torch.optim.SGD(lr=α, momentum=μ, weight_decay=λ)``::

        b ← μ·b + (g + λ·θ),     θ ← θ − α·b

    With a constant α, ``v = −α·b`` at every step and the trajectories are the same (float64,
    so the difference is rounding, ~1e-16). From ``lr_drop_at`` on both use α/10: torch's next
    step is ten times smaller at once, the notes' keeps ``μ·v`` of the old size.

    Args:
        steps: Optimiser steps (full-batch cross-entropy gradient on 256 seeded random
            points in 64 dimensions, labelled by a random linear teacher).
        lr: The initial learning rate α (> 0).
        momentum: μ in ``[0, 1)``.
        weight_decay: λ ≥ 0.
        lr_drop_at: 1-based step from which α is divided by 10, or ``None``.
        seed: Seeds the initial weights.

    Returns:
        An :class:`SGDCheck`.

    Raises:
        TypeError: an argument of the wrong kind.
        ValueError: ``steps`` outside 1…10,000, ``lr`` ≤ 0, ``momentum`` outside ``[0, 1)``,
            ``weight_decay`` < 0, or ``lr_drop_at`` outside 2…steps.
    """
    steps = check_int("steps", steps, minimum=1, maximum=10_000)
    lr = check_number("lr", lr, above=0.0, fix="the learning rate α must be positive, e.g. 0.01")
    momentum = check_number(
        "momentum", momentum, minimum=0.0, below=1.0, fix="μ must lie in [0, 1), e.g. 0.9"
    )
    weight_decay = check_number(
        "weight_decay", weight_decay, minimum=0.0, fix="λ must be ≥ 0, e.g. 0.0005"
    )
    lr_drop_at = check_optional_int(
        "lr_drop_at",
        lr_drop_at,
        minimum=2,
        maximum=max(2, steps),
        fix=f"pass a step in 2…{steps}, or None for a constant α",
    )
    if lr_drop_at is not None and lr_drop_at > steps:
        raise ValueError(f"lr_drop_at {lr_drop_at} is after the last step {steps}: lower it")
    seed = check_seed(seed)
    g = torch.Generator().manual_seed(seed)
    # a seeded 10-class problem (256 points, 64 features, labels from a random linear teacher):
    # the update rule, not the data, is under test, and no dataset needs loading
    x = torch.randn(256, 64, generator=g, dtype=torch.float64)
    y = (x @ torch.randn(64, 10, generator=g, dtype=torch.float64)).argmax(1)
    w0 = torch.randn(10, 64, generator=g, dtype=torch.float64) * 0.1
    b0 = torch.zeros(10, dtype=torch.float64)
    torch_params = [w0.clone().requires_grad_(), b0.clone().requires_grad_()]
    notes_params = [w0.clone().requires_grad_(), b0.clone().requires_grad_()]
    velocity = [torch.zeros_like(p) for p in notes_params]
    opt = torch.optim.SGD(torch_params, lr=lr, momentum=momentum, weight_decay=weight_decay)

    def grads(params: list[torch.Tensor]) -> tuple[torch.Tensor, ...]:
        loss = nn.functional.cross_entropy(x @ params[0].T + params[1], y)
        return torch.autograd.grad(loss, params)

    lrs, diffs, ratios = [], [], []
    for step in range(1, steps + 1):
        alpha = lr / 10 if lr_drop_at is not None and step >= lr_drop_at else lr
        for group in opt.param_groups:
            group["lr"] = alpha
        opt.zero_grad()
        for p, gp in zip(torch_params, grads(torch_params), strict=True):
            p.grad = gp
        opt.step()
        notes_grads = grads(notes_params)
        with torch.no_grad():
            for p, v, gp in zip(notes_params, velocity, notes_grads, strict=True):
                v.mul_(momentum).sub_(alpha * gp).sub_(weight_decay * alpha * p)
                p.add_(v)
            diff = max(
                float((a - b).abs().max()) for a, b in zip(notes_params, torch_params, strict=True)
            )
            buf = opt.state[torch_params[0]]["momentum_buffer"]
            ratio = float((velocity[0] * (-alpha * buf)).sum() / (alpha * buf).pow(2).sum())
        lrs.append(alpha)
        diffs.append(diff)
        ratios.append(ratio)
    return SGDCheck(
        lrs=np.array(lrs),
        max_difference=np.array(diffs),
        velocity_ratio=np.array(ratios),
        lr_drop_at=lr_drop_at,
        momentum=momentum,
        weight_decay=weight_decay,
    )
