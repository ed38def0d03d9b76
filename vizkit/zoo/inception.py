"""Inception-v2/v3 modules (Szegedy et al. 2016, "Rethinking the Inception Architecture"):
factorising large filters into small and asymmetric ones.

- :class:`InceptionFig5`: each 5×5 replaced by two 3×3 (principle 3; 25 → 18 weights per pair);
- :class:`InceptionFig6`: each n×n replaced by 1×n then n×1 (n = 7 on the 17×17 grid);
- :class:`InceptionFig7`: expanded filter bank outputs on the 8×8 grid (1×3 and 3×1 side by
  side).

Every convolution is followed by batch norm and ReLU, as in Inception-v3. The full network is
torchvision's ``inception_v3`` (same architecture as the paper, so its weights load).
"""

from __future__ import annotations

from collections import OrderedDict

import torch
from torch import nn

from vizkit.zoo.weights import (
    check_channels,
    check_flag,
    check_num_classes,
    check_weights,
    load_weights,
)

__all__ = ["ConvBN", "InceptionFig5", "InceptionFig6", "InceptionFig7", "inception_v3"]


class ConvBN(nn.Sequential):
    """Convolution (no bias) → BatchNorm → ReLU; ``kernel_size`` may be ``(h, w)``."""

    def __init__(
        self, c_in: int, c_out: int, kernel_size: int | tuple[int, int], **kw: object
    ) -> None:
        k = (kernel_size, kernel_size) if isinstance(kernel_size, int) else kernel_size
        padding = kw.pop("padding", (k[0] // 2, k[1] // 2))
        super().__init__(
            OrderedDict(
                conv=nn.Conv2d(c_in, c_out, k, padding=padding, bias=False, **kw),  # type: ignore[arg-type]
                bn=nn.BatchNorm2d(c_out, eps=1e-3),
                relu=nn.ReLU(inplace=True),
            )
        )


def _pool_branch(c_in: int, c_out: int) -> nn.Sequential:
    return nn.Sequential(
        OrderedDict(pool=nn.AvgPool2d(3, 1, padding=1), proj=ConvBN(c_in, c_out, 1))
    )


class InceptionFig5(nn.Module):
    """Figure 5 (35×35 grid): 1×1 | 1×1→3×3 | 1×1→3×3→3×3 | pool→1×1."""

    def __init__(self, in_channels: int, width: int = 64, pool_features: int = 32) -> None:
        check_channels(
            "InceptionFig5",
            lambda in_channels, width, pool_features: (
                in_channels * (2 * width + 48 + pool_features) + 9 * width * 144 + 9 * 96 * 96
            ),
            in_channels=in_channels,
            width=width,
            pool_features=pool_features,
        )
        super().__init__()
        self.branch1 = ConvBN(in_channels, width, 1)
        self.branch3 = nn.Sequential(ConvBN(in_channels, 48, 1), ConvBN(48, width, 3))
        self.branch3dbl = nn.Sequential(
            ConvBN(in_channels, width, 1), ConvBN(width, 96, 3), ConvBN(96, 96, 3)
        )
        self.branch_pool = _pool_branch(in_channels, pool_features)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """``(N, C, H, W)`` → ``(N, 2·width + 96 + pool_features, H, W)``."""
        return torch.cat(
            [self.branch1(x), self.branch3(x), self.branch3dbl(x), self.branch_pool(x)], 1
        )


class InceptionFig6(nn.Module):
    """Figure 6 (17×17 grid): n×n factorised into 1×n and n×1 convolutions."""

    def __init__(self, in_channels: int, mid: int = 128, n: int = 7, out: int = 192) -> None:
        check_channels(
            "InceptionFig6",
            lambda in_channels, mid, n, out: (
                in_channels * (2 * out + 2 * mid) + 6 * n * mid * max(mid, out)
            ),
            in_channels=in_channels,
            mid=mid,
            n=n,
            out=out,
        )
        super().__init__()
        self.branch1 = ConvBN(in_channels, out, 1)
        self.branch7 = nn.Sequential(
            ConvBN(in_channels, mid, 1), ConvBN(mid, mid, (1, n)), ConvBN(mid, out, (n, 1))
        )
        self.branch7dbl = nn.Sequential(
            ConvBN(in_channels, mid, 1),
            ConvBN(mid, mid, (n, 1)),
            ConvBN(mid, mid, (1, n)),
            ConvBN(mid, mid, (n, 1)),
            ConvBN(mid, out, (1, n)),
        )
        self.branch_pool = _pool_branch(in_channels, out)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """``(N, C, H, W)`` → ``(N, 4·out, H, W)``."""
        return torch.cat(
            [self.branch1(x), self.branch7(x), self.branch7dbl(x), self.branch_pool(x)], 1
        )


class InceptionFig7(nn.Module):
    """Figure 7 (8×8 grid): 3×3 outputs split into parallel 1×3 and 3×1 convolutions."""

    def __init__(self, in_channels: int) -> None:
        check_channels(
            "InceptionFig7",
            lambda in_channels: in_channels * 1344 + 4 * 3 * 384 * 384 + 9 * 448 * 384,
            in_channels=in_channels,
        )
        super().__init__()
        self.branch1 = ConvBN(in_channels, 320, 1)
        self.branch3_reduce = ConvBN(in_channels, 384, 1)
        self.branch3_a, self.branch3_b = ConvBN(384, 384, (1, 3)), ConvBN(384, 384, (3, 1))
        self.branch3dbl_reduce = nn.Sequential(ConvBN(in_channels, 448, 1), ConvBN(448, 384, 3))
        self.branch3dbl_a, self.branch3dbl_b = ConvBN(384, 384, (1, 3)), ConvBN(384, 384, (3, 1))
        self.branch_pool = _pool_branch(in_channels, 192)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """``(N, C, H, W)`` → ``(N, 2048, H, W)``."""
        b3 = self.branch3_reduce(x)
        b3d = self.branch3dbl_reduce(x)
        return torch.cat(
            [
                self.branch1(x),
                self.branch3_a(b3),
                self.branch3_b(b3),
                self.branch3dbl_a(b3d),
                self.branch3dbl_b(b3d),
                self.branch_pool(x),
            ],
            1,
        )


def inception_v3(
    *, num_classes: int = 1000, aux_logits: bool = False, weights: object = None
) -> nn.Module:
    """torchvision's Inception-v3 for ``(3, 299, 299)`` inputs (the paper's architecture).

    Args:
        num_classes: outputs of the classifier.
        aux_logits: keep the auxiliary classifier (runs in training mode only).
        weights: ``"DEFAULT"`` / ``"IMAGENET1K_V1"`` or a local ``.pth`` path.

    Raises:
        TypeError, ValueError: an argument of the wrong kind or value.
    """
    import torchvision

    num_classes = check_num_classes(num_classes, 2048 + 768)
    aux_logits = check_flag("aux_logits", aux_logits)
    check_weights(
        weights, name="inception_v3", torchvision_weights=torchvision.models.Inception_V3_Weights
    )

    model = torchvision.models.inception_v3(
        weights=None, num_classes=num_classes, aux_logits=True, init_weights=False
    )
    model = load_weights(
        model,
        weights,
        name="inception_v3",
        torchvision_weights=torchvision.models.Inception_V3_Weights,
    )
    if not aux_logits:
        model.aux_logits, model.AuxLogits = False, None
    return model
