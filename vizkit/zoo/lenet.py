"""LeNet-5 (LeCun, Bottou, Bengio & Haffner 1998, "Gradient-based learning applied to document
recognition"): the paper's network, and the simplified version most courses teach.
"""

from __future__ import annotations

from collections import OrderedDict
from typing import Literal

import torch
import torch.nn.functional as F
from torch import nn

from vizkit.zoo.weights import check_num_classes, check_variant

__all__ = ["C3_TABLE", "EuclideanRBF", "LeNetC3", "LeNetSubsampling", "ScaledTanh", "lenet5"]

#: Table I of the paper: which of the 6 S2 maps each of the 16 C3 maps reads.
C3_TABLE: tuple[tuple[int, ...], ...] = (
    (0, 1, 2),
    (1, 2, 3),
    (2, 3, 4),
    (3, 4, 5),
    (0, 4, 5),
    (0, 1, 5),
    (0, 1, 2, 3),
    (1, 2, 3, 4),
    (2, 3, 4, 5),
    (0, 3, 4, 5),
    (0, 1, 4, 5),
    (0, 1, 2, 5),
    (0, 1, 3, 4),
    (1, 2, 4, 5),
    (0, 2, 3, 5),
    (0, 1, 2, 3, 4, 5),
)


class ScaledTanh(nn.Module):
    """The paper's squashing function ``f(a) = 1.7159 · tanh(2a / 3)``."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Apply elementwise; any shape."""
        return 1.7159 * torch.tanh(x * (2.0 / 3.0))


class LeNetSubsampling(nn.Module):
    """S2 / S4: the sum of each 2×2 window times a trainable coefficient, plus a bias, per map.

    Args:
        channels: number of feature maps; 2 parameters each.
    """

    def __init__(self, channels: int) -> None:
        super().__init__()
        self.weight = nn.Parameter(torch.full((channels,), 0.25))
        self.bias = nn.Parameter(torch.zeros(channels))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """``(N, C, H, W)`` → ``(N, C, H/2, W/2)``."""
        summed = F.avg_pool2d(x, 2) * 4
        return summed * self.weight.view(1, -1, 1, 1) + self.bias.view(1, -1, 1, 1)


class LeNetC3(nn.Module):
    """C3 with the paper's sparse connections (Table I): 1,516 parameters instead of 2,416.

    One 5×5 convolution per output map, over the S2 maps that :data:`C3_TABLE` lists for it.
    """

    def __init__(self, table: tuple[tuple[int, ...], ...] = C3_TABLE) -> None:
        super().__init__()
        self.table = table
        self.maps = nn.ModuleList(nn.Conv2d(len(inputs), 1, 5) for inputs in table)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """``(N, 6, 14, 14)`` → ``(N, 16, 10, 10)``."""
        return torch.cat(
            [conv(x[:, list(idx)]) for conv, idx in zip(self.maps, self.table, strict=True)], 1
        )


class EuclideanRBF(nn.Module):
    """The paper's output layer: ``y_i = Σ_j (x_j − w_ij)²`` (a distance: lower = more likely)."""

    def __init__(self, in_features: int, out_features: int) -> None:
        super().__init__()
        self.weight = nn.Parameter(torch.randn(out_features, in_features))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """``(N, in)`` → ``(N, out)``."""
        return ((x[:, None, :] - self.weight[None]) ** 2).sum(-1)


def lenet5(variant: Literal["paper", "modern"] = "paper", *, num_classes: int = 10) -> nn.Module:
    """LeNet-5 for ``(1, 32, 32)`` inputs (MNIST's 28×28 digits padded by 2).

    Args:
        variant: ``"paper"``: scaled tanh, trainable subsampling, sparse C3, RBF output —
            60,840 parameters (the paper's "60,000"); ``"modern"``: ReLU, max pooling, full C3,
            linear output — 61,706 parameters.
        num_classes: outputs of the last layer.

    Returns:
        An ``nn.Sequential`` with named layers (``c1``, ``s2``, ``c3`` ...).

    Raises:
        TypeError, ValueError: unknown variant, or ``num_classes`` of the wrong kind or value.
    """
    check_variant("variant", variant, ("paper", "modern"))
    num_classes = check_num_classes(num_classes, 84)
    if variant == "paper":
        layers = OrderedDict(
            c1=nn.Conv2d(1, 6, 5),
            act1=ScaledTanh(),
            s2=LeNetSubsampling(6),
            act2=ScaledTanh(),
            c3=LeNetC3(),
            act3=ScaledTanh(),
            s4=LeNetSubsampling(16),
            act4=ScaledTanh(),
            c5=nn.Conv2d(16, 120, 5),
            act5=ScaledTanh(),
            flatten=nn.Flatten(),
            f6=nn.Linear(120, 84),
            act6=ScaledTanh(),
            output=EuclideanRBF(84, num_classes),
        )
    elif variant == "modern":
        layers = OrderedDict(
            c1=nn.Conv2d(1, 6, 5),
            act1=nn.ReLU(),
            s2=nn.MaxPool2d(2),
            c3=nn.Conv2d(6, 16, 5),
            act3=nn.ReLU(),
            s4=nn.MaxPool2d(2),
            c5=nn.Conv2d(16, 120, 5),
            act5=nn.ReLU(),
            flatten=nn.Flatten(),
            f6=nn.Linear(120, 84),
            act6=nn.ReLU(),
            output=nn.Linear(84, num_classes),
        )
    else:
        raise ValueError(f"variant {variant!r} is not 'paper' or 'modern'")
    return nn.Sequential(layers)
