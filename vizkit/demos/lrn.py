"""Local Response Normalisation (Krizhevsky et al. 2012, Section 3.3), used by the paper's AlexNet
(``vk.zoo.alexnet()``, after conv1 and conv2), ZFNet, GoogLeNet and VGG's A-LRN.

Each activation is divided by a power of the summed squares of its ``n`` neighbouring channels
at the same pixel:

    b[i] = a[i] / (k + α · Σ_{j=max(0, i−n/2)}^{min(N−1, i+n/2)} a[j]²)^β

with the paper's ``k = 2, n = 5, α = 10⁻⁴, β = 0.75``. ``torch.nn.LocalResponseNorm`` divides
``α`` by ``n`` (Caffe's convention), so the paper's layer is ``LocalResponseNorm(5, α·n, β, k)``.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import nn

from vizkit._validate import check_instance, check_int, check_number, check_seed

__all__ = ["LRNCheck", "local_response_norm", "lrn_check"]


def local_response_norm(
    x: torch.Tensor, size: int = 5, alpha: float = 1e-4, beta: float = 0.75, k: float = 2.0
) -> torch.Tensor:
    """The paper's formula, written out channel by channel (a teaching reference, not fast).

    Args:
        x: ``(N, C, H, W)`` activations.
        size: ``n``, channels in the window (odd, 1 … 99).
        alpha, beta, k: the paper's constants (α is *not* divided by ``n``).

    Returns:
        ``(N, C, H, W)``, equal to ``nn.LocalResponseNorm(size, alpha * size, beta, k)(x)``.

    Raises:
        TypeError, ValueError: an argument of the wrong kind or value.
    """
    check_instance("x", x, torch.Tensor, "a torch.Tensor", "x = torch.rand(1, 8, 4, 4)")
    if x.dim() != 4 or x.numel() == 0:
        raise ValueError(f"x has shape {tuple(x.shape)}: pass a non-empty (N, C, H, W) tensor")
    size = check_int("size", size, minimum=1, maximum=99)
    if size % 2 == 0:
        raise ValueError(f"size {size} is even: the paper's window is centred, use an odd n")
    alpha = check_number("alpha", alpha, minimum=0.0)
    beta = check_number("beta", beta, minimum=0.0, maximum=10.0)
    k = check_number("k", k, above=0.0)
    channels = x.shape[1]
    half = size // 2
    out = torch.empty_like(x)
    for i in range(channels):
        lo, hi = max(0, i - half), min(channels - 1, i + half)
        energy = (x[:, lo : hi + 1] ** 2).sum(1)
        out[:, i] = x[:, i] / (k + alpha * energy) ** beta
    return out


@dataclass(frozen=True)
class LRNCheck:
    """The paper's formula against ``torch.nn.LocalResponseNorm`` on one activation tensor.

    Attributes:
        shape: of the activations, ``(N, C, H, W)``.
        error_scaled: largest ``|paper − torch(α·n)|``: rounding only.
        error_unscaled: largest ``|paper − torch(α)|``: passing the paper's α unchanged to
            torch normalises ``n`` times too weakly.
        mean_ratio: mean of ``b / a`` where ``a > 0``: how much the layer shrinks activations.
        zoo_alpha: the α the zoo's AlexNet passes to torch (``10⁻⁴ · 5``).
    """

    shape: tuple[int, ...]
    error_scaled: float
    error_unscaled: float
    mean_ratio: float
    zoo_alpha: float

    def _repr_html_(self) -> str:
        from vizkit.demos._table import html_table

        return html_table(
            ["comparison", "max |difference|"],
            [
                (
                    "paper's formula vs nn.LocalResponseNorm(5, α·n = 5e-4, 0.75, 2)",
                    self.error_scaled,
                ),
                (
                    "paper's formula vs nn.LocalResponseNorm(5, α = 1e-4, 0.75, 2)",
                    self.error_unscaled,
                ),
            ],
            css="lrn-check",
        )


def lrn_check(x: torch.Tensor | None = None, *, seed: int = 0) -> LRNCheck:
    """Compare :func:`local_response_norm` (paper constants) with torch, both ways of passing α.

    Args:
        x: ``(N, C, H, W)`` activations; ``None`` uses AlexNet-sized ReLU outputs
            (``(1, 96, 27, 27)``, values up to ~50, where the normalisation bites).
        seed: for the default activations.

    Raises:
        TypeError, ValueError: ``x`` not a finite non-empty 4-D tensor.
    """
    if x is None:
        g = torch.Generator().manual_seed(check_seed(seed))
        x = (torch.randn(1, 96, 27, 27, generator=g) * 20).relu()
    check_instance("x", x, torch.Tensor, "a torch.Tensor or None", "x = torch.rand(1, 8, 4, 4)")
    if x.dim() != 4 or x.numel() == 0 or not torch.isfinite(x).all():
        raise ValueError(
            f"x has shape {tuple(x.shape)}: pass a finite, non-empty (N, C, H, W) tensor"
        )
    x = x.double()
    by_hand = local_response_norm(x)
    scaled = nn.LocalResponseNorm(5, alpha=5e-4, beta=0.75, k=2.0)(x)
    unscaled = nn.LocalResponseNorm(5, alpha=1e-4, beta=0.75, k=2.0)(x)
    positive = x > 0
    ratio = float((by_hand[positive] / x[positive]).mean()) if positive.any() else 1.0
    from vizkit.zoo.alexnet import _lrn

    return LRNCheck(
        tuple(x.shape),
        float((by_hand - scaled).abs().max()),
        float((by_hand - unscaled).abs().max()),
        ratio,
        float(_lrn().alpha),
    )
