"""BatchNorm step by step: batch statistics by hand beside ``nn.BatchNorm2d``'s own numbers.

:func:`batchnorm_trace` feeds batches through a fresh ``nn.BatchNorm2d`` in training mode and,
next to it, does the same arithmetic by hand — the mean and variance of every channel over the
``N·H·W`` values it holds, the normalisation with those batch statistics, and the exponential
moving average (EMA) of them that inference uses. It returns plain numpy numbers
(:class:`BatchNormTrace`) for :func:`vizkit.render.normalization.batchnorm_figure` to draw.

Torch's ``momentum`` is the weight of the *new* batch: ``running ← (1 − momentum)·running +
momentum·batch``. The lecture's τ (Keras' momentum, default 0.99) is the weight of the *old*
value, so torch's default ``momentum=0.1`` is τ = 0.9.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import torch
from torch import nn

from vizkit._validate import (
    check_memory,
    check_number,
    check_optional_int,
    check_sequence,
    check_shape,
    describe,
)

__all__ = ["BatchNormStep", "BatchNormTrace", "batchnorm_trace"]


@dataclass(frozen=True)
class BatchNormStep:
    """One training-mode forward pass through the BatchNorm layer.

    Attributes:
        batch_mean: ``(C,)`` mean of each channel over the batch's ``N·H·W`` values.
        batch_var: ``(C,)`` biased variance (divide by ``N·H·W``): what normalises the batch.
        batch_var_unbiased: ``(C,)`` unbiased variance (divide by ``N·H·W − 1``): what torch
            feeds into the running average.
        running_mean, running_var: ``(C,)`` the EMA after this step, computed by hand.
        torch_running_mean, torch_running_var: ``(C,)`` the layer's buffers after this step.
        output_error: Largest ``|by hand − torch|`` over the normalised batch.
    """

    batch_mean: np.ndarray
    batch_var: np.ndarray
    batch_var_unbiased: np.ndarray
    running_mean: np.ndarray
    running_var: np.ndarray
    torch_running_mean: np.ndarray
    torch_running_var: np.ndarray
    output_error: float

    def describe(self) -> str:
        """The step's numbers, one line per channel, by hand beside torch's buffers.

        Returns:
            ``C`` lines ``"c0: batch mean … var … → running_mean … (torch …)  running_var …
            (torch …)"`` and a last line with the largest difference of the normalised batch.
        """
        lines = [
            f"c{c}: batch mean {self.batch_mean[c]:+.4f}  var {self.batch_var[c]:.4f}  "
            f"→ running_mean {self.running_mean[c]:+.5f} (torch {self.torch_running_mean[c]:+.5f})"
            f"  running_var {self.running_var[c]:.5f} (torch {self.torch_running_var[c]:.5f})"
            for c in range(len(self.batch_mean))
        ]
        lines.append(f"normalised batch, by hand vs torch: max |Δ| = {self.output_error:.1e}")
        return "\n".join(lines)


@dataclass(frozen=True)
class BatchNormTrace:
    """What :func:`batchnorm_trace` returns.

    Attributes:
        steps: One :class:`BatchNormStep` per batch, in order.
        momentum: Torch's momentum (weight of the new batch); ``None``: cumulative average.
        eps: The ε added to the variance.
        count: Values per channel in one batch, ``N·H·W``.
        train_output_mean, train_output_std: ``(C,)`` per-channel mean and std of the probe
            batch normalised in training mode (batch statistics): ≈ 0 and ≈ 1.
        eval_output_mean, eval_output_std: ``(C,)`` the same batch normalised in eval mode
            (running statistics): off 0 and 1 as long as the EMA has not caught up.
        eval_output_error: Largest ``|by hand − torch|`` of the eval-mode output.
    """

    steps: list[BatchNormStep]
    momentum: float | None
    eps: float
    count: int
    train_output_mean: np.ndarray
    train_output_std: np.ndarray
    eval_output_mean: np.ndarray
    eval_output_std: np.ndarray
    eval_output_error: float

    @property
    def num_channels(self) -> int:
        """Channels ``C`` of the traced layer."""
        return len(self.steps[0].batch_mean)


def _check_batches(
    batches: torch.Tensor | Sequence[torch.Tensor], batch_size: int | None
) -> list[torch.Tensor]:
    batch_size = check_optional_int(
        "batch_size", batch_size, minimum=2, fix="a variance needs at least 2 values per batch"
    )
    if isinstance(batches, torch.Tensor):
        if batch_size is None:
            raise ValueError(
                "batch_size None with a single tensor: pass batch_size= to split it into "
                "batches, or pass a list of (N, C, H, W) batches"
            )
        check_shape("batches", batches, ndim=4, layout="(N, C, H, W)")
        batches = list(torch.split(batches, batch_size))
        if len(batches) > 1 and len(batches[-1]) < batch_size:
            batches = batches[:-1]  # a short last batch would have different statistics
    batches = list(check_sequence("batches", batches, what="(N, C, H, W) tensors"))
    if not batches:
        raise ValueError("batches is empty: pass at least one (N, C, H, W) tensor")
    channels = None
    for i, b in enumerate(batches):
        if not isinstance(b, torch.Tensor):
            raise TypeError(f"batches[{i}] is a {type(b).__name__}, expected a torch.Tensor")
        if b.dim() != 4:
            raise ValueError(
                f"batches[{i}] has shape {tuple(b.shape)}; BatchNorm2d needs (N, C, H, W): "
                "add the missing batch/channel dimensions"
            )
        if b.is_complex() or b.dtype == torch.bool:
            raise TypeError(f"batches[{i}] must hold real numbers, got dtype {b.dtype}")
        check_shape(f"batches[{i}]", b, ndim=4, layout="(N, C, H, W)")
        if channels is not None and b.shape[1] != channels:
            raise ValueError(
                f"batches[{i}] has {b.shape[1]} channels, batches[0] has {channels}: "
                "all batches must have the same C"
            )
        if b.shape[0] * b.shape[2] * b.shape[3] < 2:
            raise ValueError(f"batches[{i}] has a single value per channel: N·H·W must be >= 2")
        channels = b.shape[1]
    return batches


@torch.no_grad()
def batchnorm_trace(
    batches: torch.Tensor | Sequence[torch.Tensor],
    *,
    batch_size: int | None = None,
    momentum: float | None = 0.1,
    eps: float = 1e-5,
    probe: torch.Tensor | None = None,
) -> BatchNormTrace:
    """Run batches through a fresh ``nn.BatchNorm2d`` and redo its arithmetic by hand.

    For every batch ``x`` of shape ``(N, C, H, W)`` and every channel ``c``::

        μ_c  = mean of x[:, c, :, :]                       (N·H·W values)
        σ²_c = mean of (x[:, c, :, :] − μ_c)²              (biased: normalises the batch)
        y    = (x − μ_c) / sqrt(σ²_c + eps)                (γ = 1, β = 0 at initialisation)
        running_mean ← (1 − momentum)·running_mean + momentum·μ_c
        running_var  ← (1 − momentum)·running_var  + momentum·σ²_c · n/(n − 1)   (n = N·H·W)

    starting from ``running_mean = 0`` and ``running_var = 1``. In eval mode the layer uses the
    running statistics instead of the batch's. The input is not modified.

    Args:
        batches: A list of ``(N, C, H, W)`` tensors, or one tensor split by ``batch_size``
            (a short last batch is dropped).
        batch_size: Images per batch when ``batches`` is one tensor.
        momentum: Torch's momentum in ``(0, 1]`` (weight of the new batch; the lecture's
            τ = 1 − momentum), or ``None`` for the cumulative average of all batches.
        eps: Added to the variance before the square root.
        probe: Batch normalised at the end in both modes; default: the last batch.

    Returns:
        A :class:`BatchNormTrace`.

    Raises:
        TypeError: A batch (or ``probe``) is not a tensor of real numbers, or an option of
            the wrong kind.
        ValueError: Wrong shapes, mixed channel counts, no ``batch_size`` for a single tensor,
            ``batch_size`` < 2, empty batches or NaN/inf in them, ``momentum`` outside
            ``(0, 1]``, ``eps`` ≤ 0, or batches above the memory budget.
    """
    if momentum is not None:
        momentum_fix = (
            f"momentum {momentum!r} must lie in (0, 1] (torch's convention: weight of the new "
            "batch; 0.1 is the default) or be None for a cumulative average"
        )
        check_number("momentum", momentum, above=0.0, maximum=1.0, fix=momentum_fix)
    eps = check_number("eps", eps, above=0.0, fix="eps must be positive (torch's default is 1e-5)")
    checked = _check_batches(batches, batch_size)
    check_memory(
        sum(b.numel() for b in checked) * 8 * 4,
        name="batches",
        value=f"<{len(checked)} tensors>",
        what="the batches in float64 with the outputs by hand and by torch",
        fix="pass fewer or smaller batches",
    )
    if probe is not None:
        if not isinstance(probe, torch.Tensor):
            raise TypeError(f"probe must be a (N, C, H, W) tensor or None, got {describe(probe)}")
        check_shape("probe", probe, ndim=4, layout="(N, C, H, W)")
        if probe.shape[1] != checked[0].shape[1]:
            raise ValueError(
                f"probe has {probe.shape[1]} channels but the batches have "
                f"{checked[0].shape[1]}: pass a batch of the same kind"
            )
    xs = [b.detach().to(torch.float64) for b in checked]
    channels = xs[0].shape[1]
    layer = nn.BatchNorm2d(
        channels, eps=eps, momentum=momentum, affine=False, dtype=torch.float64
    ).train()
    run_mean = torch.zeros(channels, dtype=torch.float64)
    run_var = torch.ones(channels, dtype=torch.float64)
    dims = (0, 2, 3)
    steps: list[BatchNormStep] = []
    for k, x in enumerate(xs, start=1):
        n = x.shape[0] * x.shape[2] * x.shape[3]
        mean = x.mean(dim=dims)
        var = ((x - mean[None, :, None, None]) ** 2).mean(dim=dims)
        var_unbiased = var * n / (n - 1)
        by_hand = (x - mean[None, :, None, None]) / torch.sqrt(var[None, :, None, None] + eps)
        w = momentum if momentum is not None else 1.0 / k  # cumulative average: weight 1/k
        run_mean = (1 - w) * run_mean + w * mean
        run_var = (1 - w) * run_var + w * var_unbiased
        out = layer(x)
        steps.append(
            BatchNormStep(
                batch_mean=mean.numpy(),
                batch_var=var.numpy(),
                batch_var_unbiased=var_unbiased.numpy(),
                running_mean=run_mean.numpy().copy(),
                running_var=run_var.numpy().copy(),
                torch_running_mean=layer.running_mean.numpy().copy(),
                torch_running_var=layer.running_var.numpy().copy(),
                output_error=float((by_hand - out).abs().max()),
            )
        )
    p = xs[-1] if probe is None else probe.detach().to(torch.float64)
    train_out = (p - p.mean(dim=dims, keepdim=True)) / torch.sqrt(
        p.var(dim=dims, unbiased=False, keepdim=True) + eps
    )
    layer.eval()
    eval_out = layer(p)
    eval_by_hand = (p - run_mean[None, :, None, None]) / torch.sqrt(
        run_var[None, :, None, None] + eps
    )
    return BatchNormTrace(
        steps=steps,
        momentum=momentum,
        eps=eps,
        count=xs[0].shape[0] * xs[0].shape[2] * xs[0].shape[3],
        train_output_mean=train_out.mean(dim=dims).numpy(),
        train_output_std=train_out.std(dim=dims, unbiased=False).numpy(),
        eval_output_mean=eval_out.mean(dim=dims).numpy(),
        eval_output_std=eval_out.std(dim=dims, unbiased=False).numpy(),
        eval_output_error=float((eval_by_hand - eval_out).abs().max()),
    )
