"""Is training repeatable here? cuDNN's flags and a run-twice check.

cuDNN picks a convolution algorithm at run time, and several GPU algorithms add floating-point
numbers in a non-fixed order, so two identical runs can differ in the last bits — which then
grow over training (Raschka, STAT 479 L13). ``torch.backends.cudnn.deterministic = True`` (and
``benchmark = False``) asks for repeatable algorithms; ``torch.use_deterministic_algorithms``
makes torch raise where none exists. :func:`determinism_report` says what is set and runs the
same backward pass twice to see whether the gradients match bit for bit.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass

import torch
from torch import nn

__all__ = ["DeterminismReport", "determinism_report"]


@dataclass(frozen=True)
class DeterminismReport:
    """Settings and a measured repeat check.

    Attributes:
        device: Where the check ran.
        cudnn_deterministic, cudnn_benchmark: ``torch.backends.cudnn`` flags (only matter on
            CUDA).
        deterministic_algorithms: ``torch.are_deterministic_algorithms_enabled()``.
        identical: Two backward passes from the same weights and input gave bitwise-equal
            gradients.
        max_difference: Largest absolute gradient difference between the two passes.
    """

    device: str
    cudnn_deterministic: bool
    cudnn_benchmark: bool
    deterministic_algorithms: bool
    identical: bool
    max_difference: float

    def __str__(self) -> str:
        verdict = (
            "bitwise identical"
            if self.identical
            else (f"different (max |Δ| = {self.max_difference:.2e})")
        )
        return (
            f"{self.device}: cudnn.deterministic={self.cudnn_deterministic}, "
            f"cudnn.benchmark={self.cudnn_benchmark}, "
            f"deterministic algorithms={self.deterministic_algorithms}; "
            f"two identical backward passes → {verdict}"
        )


def _grads(model: nn.Module, x: torch.Tensor) -> torch.Tensor:
    model.zero_grad(set_to_none=True)
    model(x).square().mean().backward()
    return torch.cat([p.grad.reshape(-1) for p in model.parameters() if p.grad is not None])


def determinism_report(
    model: nn.Module,
    input_shape: tuple[int, ...],
    *,
    device: str | torch.device | None = None,
    seed: int = 0,
) -> DeterminismReport:
    """Report the determinism flags and run one backward pass twice on the same data.

    The model is copied; the original is untouched.

    Args:
        model: Any module.
        input_shape: Shape of a random input batch.
        device: ``None`` picks cuda → mps → cpu.
        seed: Seeds the input.

    Returns:
        A :class:`DeterminismReport`.
    """
    from vizkit.device import pick_device

    dev = pick_device(device)
    net = copy.deepcopy(model).to(dev)
    g = torch.Generator().manual_seed(seed)
    x = torch.randn(tuple(input_shape), generator=g).to(dev)
    a, b = _grads(net, x), _grads(net, x)
    return DeterminismReport(
        device=str(dev),
        cudnn_deterministic=bool(torch.backends.cudnn.deterministic),
        cudnn_benchmark=bool(torch.backends.cudnn.benchmark),
        deterministic_algorithms=torch.are_deterministic_algorithms_enabled(),
        identical=bool(torch.equal(a, b)),
        max_difference=float((a - b).abs().max()),
    )
