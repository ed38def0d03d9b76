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
import math
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
    from vizkit.inspect._args import run_model

    model.zero_grad(set_to_none=True)
    with torch.enable_grad():
        out = run_model(model, x, "input_shape's random input")
        if not isinstance(out, torch.Tensor) or not out.requires_grad:
            raise ValueError(
                "model must return a tensor that depends on its weights (a gradient to "
                "compare): pass a model with parameters, e.g. a Conv2d"
            )
        out.square().mean().backward()
    grads = [p.grad.reshape(-1) for p in model.parameters() if p.grad is not None]
    if not grads:
        raise ValueError(
            "model has no parameter that receives a gradient: nothing to compare (pass a model "
            "with weights)"
        )
    return torch.cat(grads)


def _setup(
    model: object, input_shape: object, device: object, ndim: tuple[int, ...]
) -> tuple[torch.device, tuple[int, ...]]:
    """Check the common arguments: a module, a small enough input shape, a device."""
    from vizkit._validate import check_int, check_memory, describe
    from vizkit.device.pick import pick_device
    from vizkit.inspect._args import check_model

    check_model(model)
    if isinstance(input_shape, torch.Size):
        input_shape = tuple(input_shape)
    if not isinstance(input_shape, tuple | list):
        raise TypeError(
            "input_shape must be a tuple of ints such as (1, 3, 32, 32), got "
            f"{describe(input_shape)}"
        )
    if len(input_shape) not in ndim:
        raise ValueError(
            f"input_shape {tuple(input_shape)} must have {' or '.join(map(str, ndim))} sizes, "
            "e.g. (N, C, H, W)"
        )
    shape = tuple(check_int("input_shape", s, minimum=1) for s in input_shape)
    check_memory(
        math.prod(shape) * 4 * 16,
        name="input_shape",
        value=shape,
        what="the random input and the model's activations and gradients (~16 copies)",
        fix="use a small batch, e.g. (2, 3, 64, 64)",
    )
    try:
        dev = pick_device(device)  # type: ignore[arg-type]
    except (TypeError, ValueError) as err:
        raise type(err)(f"device: {err}") from None
    return dev, shape


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

    Raises:
        TypeError, ValueError: ``model`` is not a module, ``input_shape`` not a small shape
            the model runs on, an unknown or unavailable device, or a negative seed.
    """
    from vizkit._validate import check_seed

    dev, shape = _setup(model, input_shape, device, tuple(range(1, 7)))
    seed = check_seed(seed)
    net = copy.deepcopy(model).to(dev)
    g = torch.Generator().manual_seed(seed)
    x = torch.randn(shape, generator=g).to(dev)
    a, b = _grads(net, x), _grads(net, x)
    return DeterminismReport(
        device=str(dev),
        cudnn_deterministic=bool(torch.backends.cudnn.deterministic),
        cudnn_benchmark=bool(torch.backends.cudnn.benchmark),
        deterministic_algorithms=torch.are_deterministic_algorithms_enabled(),
        identical=bool(torch.equal(a, b)),
        max_difference=float((a - b).abs().max()),
    )
