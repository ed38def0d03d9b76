"""BatchNorm inside a block: the bias before BN is redundant, and where BN goes.

Ioffe & Szegedy (2015), as Straka's NPFL138 notes put it: "Batch normalization is added just
before a nonlinearity f, and it is useless to add bias before it (because it will cancel out).
Therefore, we replace f(Wx + b) by f(BN(Wx))". In training mode BN subtracts each channel's
batch mean, and a per-channel bias only moves that mean.

- :func:`bias_before_bn`: the same conv with and without its bias, each followed by the same
  ``BatchNorm2d`` in training mode: the outputs agree to rounding, and the bias's gradient is 0.
- :func:`bn_placement`: what the next layer receives from ``conv → BN → ReLU`` (the paper's
  order) and from ``conv → ReLU → BN``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch
from torch import nn

from vizkit._validate import check_int, check_seed, check_shape, describe

__all__ = ["BNPlacement", "BiasBeforeBN", "bias_before_bn", "bn_placement"]


def _check_input(x: object) -> torch.Tensor:
    if not isinstance(x, torch.Tensor):
        raise TypeError(f"x must be a (N, C, H, W) tensor, got {describe(x)}")
    if x.is_complex() or x.dtype == torch.bool:
        raise TypeError(f"x must hold real numbers, got dtype {x.dtype}")
    check_shape("x", x, ndim=4, layout="(N, C, H, W)")
    if x.shape[0] * x.shape[2] * x.shape[3] < 2:
        raise ValueError(f"x {tuple(x.shape)} has one value per channel: N·H·W must be ≥ 2")
    if x.numel() > 50_000_000:
        raise ValueError(f"x has {x.numel():,} values: pass a smaller batch (≤ 50 M values)")
    return x.detach().to(torch.float64)


@dataclass(frozen=True)
class BiasBeforeBN:
    """Conv + BN with and without the conv's bias, in training mode (float64).

    Attributes:
        bias: ``(C,)`` the bias that was added (and cancelled).
        max_output_difference: Largest ``|y_with − y_without|``.
        max_pre_bn_difference: Largest difference before BN (= ``max |bias|``).
        bias_grad_norm: ‖∂L/∂b‖ for a random loss on the output: ~0, the bias never learns.
        weight_grad_difference: Largest difference of ∂L/∂W between the two.
        bias_params: Parameters the bias costs: ``C``.
    """

    bias: np.ndarray
    max_output_difference: float
    max_pre_bn_difference: float
    bias_grad_norm: float
    weight_grad_difference: float
    bias_params: int

    def describe(self) -> str:
        """The three numbers in three lines."""
        return (
            f"before BN the outputs differ by up to {self.max_pre_bn_difference:.3f} (the bias)\n"
            f"after BN (training mode): max |Δ| = {self.max_output_difference:.1e}; ∂L/∂W "
            f"differs by {self.weight_grad_difference:.1e}\n"
            f"‖∂L/∂b‖ = {self.bias_grad_norm:.1e}: the {self.bias_params} bias parameters "
            "never learn"
        )


def bias_before_bn(
    x: torch.Tensor, *, out_channels: int = 8, kernel_size: int = 3, seed: int = 0
) -> BiasBeforeBN:
    """Show numerically that a conv bias before BatchNorm cancels out.

    Builds ``conv = nn.Conv2d(C, out_channels, kernel_size, bias=True)`` and a copy without
    the bias (same weights), each followed by a fresh ``nn.BatchNorm2d`` in training mode,
    runs ``x`` through both and backpropagates the same random projection of the output.

    Args:
        x: ``(N, C, H, W)`` input (not modified; computed in float64).
        out_channels: Filters of the conv (1…512).
        kernel_size: Conv kernel side, at most the input side.
        seed: Seeds the weights, bias and the loss's projection.

    Returns:
        A :class:`BiasBeforeBN`.

    Raises:
        TypeError, ValueError: bad input or options.
    """
    x = _check_input(x)
    out_channels = check_int("out_channels", out_channels, minimum=1, maximum=512)
    kernel_size = check_int(
        "kernel_size", kernel_size, minimum=1, maximum=min(x.shape[-2:]),
        fix=f"the kernel must fit the {tuple(x.shape[-2:])} input",
    )  # fmt: skip
    seed = check_seed(seed)
    g = torch.Generator().manual_seed(seed)
    with_bias = nn.Conv2d(x.shape[1], out_channels, kernel_size, dtype=torch.float64)
    with torch.no_grad():
        with_bias.weight.copy_(
            torch.randn(with_bias.weight.shape, generator=g, dtype=torch.float64)
        )
        with_bias.bias.copy_(3 * torch.randn(out_channels, generator=g, dtype=torch.float64))
    without = nn.Conv2d(x.shape[1], out_channels, kernel_size, bias=False, dtype=torch.float64)
    with torch.no_grad():
        without.weight.copy_(with_bias.weight)
    bn_a = nn.BatchNorm2d(out_channels, dtype=torch.float64).train()
    bn_b = nn.BatchNorm2d(out_channels, dtype=torch.float64).train()
    pre_a, pre_b = with_bias(x), without(x)
    y_a, y_b = bn_a(pre_a), bn_b(pre_b)
    probe = torch.randn(y_a.shape, generator=g, dtype=torch.float64)
    (y_a * probe).sum().backward()
    (y_b * probe).sum().backward()
    pre_a, pre_b, y_a, y_b = pre_a.detach(), pre_b.detach(), y_a.detach(), y_b.detach()
    return BiasBeforeBN(
        bias=with_bias.bias.detach().numpy().copy(),
        max_output_difference=float((y_a - y_b).abs().max()),
        max_pre_bn_difference=float((pre_a - pre_b).abs().max()),
        bias_grad_norm=float(with_bias.bias.grad.norm()),
        weight_grad_difference=float((with_bias.weight.grad - without.weight.grad).abs().max()),
        bias_params=out_channels,
    )


@dataclass(frozen=True)
class BNPlacement:
    """Statistics of what a block hands to the next layer, for two orders of BN and ReLU.

    Attributes:
        orders: ``("conv → BN → ReLU", "conv → ReLU → BN")``.
        means, stds: ``(2,)`` mean and std of the block's output.
        zero_fractions: ``(2,)`` share of exact zeros.
        negative_fractions: ``(2,)`` share of negative values.
    """

    orders: tuple[str, str]
    means: np.ndarray
    stds: np.ndarray
    zero_fractions: np.ndarray
    negative_fractions: np.ndarray

    def describe(self) -> str:
        """One line per order."""
        return "\n".join(
            f"{o}: mean {m:+.3f}, std {s:.3f}, zeros {z:.0%}, negative {n:.0%}"
            for o, m, s, z, n in zip(
                self.orders,
                self.means,
                self.stds,
                self.zero_fractions,
                self.negative_fractions,
                strict=True,
            )
        )


@torch.no_grad()
def bn_placement(x: torch.Tensor, *, out_channels: int = 8, seed: int = 0) -> BNPlacement:
    """Run ``x`` through ``conv → BN → ReLU`` and ``conv → ReLU → BN`` (same conv weights).

    ``conv → BN → ReLU`` (Ioffe & Szegedy; ResNet) hands on non-negative values, half of them
    zero, mean ≈ 1/√(2π) ≈ 0.40 for a Gaussian pre-activation; ``conv → ReLU → BN`` hands on
    zero-mean, unit-variance values with a negative part.

    Args:
        x: ``(N, C, H, W)`` input.
        out_channels: Filters of the 3×3 conv.
        seed: Seeds the conv weights.

    Returns:
        A :class:`BNPlacement`.
    """
    x = _check_input(x)
    out_channels = check_int("out_channels", out_channels, minimum=1, maximum=512)
    seed = check_seed(seed)
    if min(x.shape[-2:]) < 3:
        raise ValueError(f"x {tuple(x.shape)} is smaller than the 3×3 conv: use H, W ≥ 3")
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        conv = nn.Conv2d(x.shape[1], out_channels, 3, bias=False, dtype=torch.float64)
    bn = nn.BatchNorm2d(out_channels, dtype=torch.float64).train()
    pre = conv(x)
    outs = (torch.relu(bn(pre)), nn.BatchNorm2d(out_channels, dtype=torch.float64)(torch.relu(pre)))
    return BNPlacement(
        orders=("conv → BN → ReLU", "conv → ReLU → BN"),
        means=np.array([float(o.mean()) for o in outs]),
        stds=np.array([float(o.std()) for o in outs]),
        zero_fractions=np.array([float((o == 0).double().mean()) for o in outs]),
        negative_fractions=np.array([float((o < 0).double().mean()) for o in outs]),
    )
