"""GoogLeNet (Szegedy et al. 2015, "Going deeper with convolutions") as in Table 1 of the paper.

Unlike torchvision's GoogLeNet, the "5×5" branch really uses 5×5 filters, there is no batch
normalisation, and local response normalisation follows the stem as in the paper. The
auxiliary classifiers (after 4a and 4d) are optional and only run in training mode.
"""

from __future__ import annotations

from collections import OrderedDict
from typing import NamedTuple

import torch
from torch import nn

from vizkit.zoo.weights import (
    check_channels,
    check_flag,
    check_num_classes,
    check_weights,
    load_weights,
)

__all__ = ["GOOGLENET_TABLE", "GoogLeNet", "Inception", "googlenet"]

#: Table 1: block → (in, #1×1, #3×3 reduce, #3×3, #5×5 reduce, #5×5, pool proj).
GOOGLENET_TABLE: dict[str, tuple[int, int, int, int, int, int, int]] = {
    "inception3a": (192, 64, 96, 128, 16, 32, 32),
    "inception3b": (256, 128, 128, 192, 32, 96, 64),
    "inception4a": (480, 192, 96, 208, 16, 48, 64),
    "inception4b": (512, 160, 112, 224, 24, 64, 64),
    "inception4c": (512, 128, 128, 256, 24, 64, 64),
    "inception4d": (512, 112, 144, 288, 32, 64, 64),
    "inception4e": (528, 256, 160, 320, 32, 128, 128),
    "inception5a": (832, 256, 160, 320, 32, 128, 128),
    "inception5b": (832, 384, 192, 384, 48, 128, 128),
}


def _conv(c_in: int, c_out: int, k: int, **kw: int) -> nn.Sequential:
    return nn.Sequential(
        OrderedDict(conv=nn.Conv2d(c_in, c_out, k, **kw), relu=nn.ReLU(inplace=True))
    )


class Inception(nn.Module):
    """Inception module with dimension reduction (Figure 2b): four branches, concatenated.

    Args:
        in_channels: input channels.
        ch1x1, ch3x3red, ch3x3, ch5x5red, ch5x5, pool_proj: filters per branch (Table 1).
    """

    def __init__(
        self,
        in_channels: int,
        ch1x1: int,
        ch3x3red: int,
        ch3x3: int,
        ch5x5red: int,
        ch5x5: int,
        pool_proj: int,
    ) -> None:
        check_channels(
            "Inception",
            lambda in_channels, ch1x1, ch3x3red, ch3x3, ch5x5red, ch5x5, pool_proj: (
                in_channels * (ch1x1 + ch3x3red + ch5x5red + pool_proj)
                + 9 * ch3x3red * ch3x3
                + 25 * ch5x5red * ch5x5
            ),
            in_channels=in_channels,
            ch1x1=ch1x1,
            ch3x3red=ch3x3red,
            ch3x3=ch3x3,
            ch5x5red=ch5x5red,
            ch5x5=ch5x5,
            pool_proj=pool_proj,
        )
        super().__init__()
        self.branch1 = _conv(in_channels, ch1x1, 1)
        self.branch2 = nn.Sequential(
            OrderedDict(
                reduce=_conv(in_channels, ch3x3red, 1), conv3x3=_conv(ch3x3red, ch3x3, 3, padding=1)
            )
        )
        self.branch3 = nn.Sequential(
            OrderedDict(
                reduce=_conv(in_channels, ch5x5red, 1), conv5x5=_conv(ch5x5red, ch5x5, 5, padding=2)
            )
        )
        self.branch4 = nn.Sequential(
            OrderedDict(pool=nn.MaxPool2d(3, 1, padding=1), proj=_conv(in_channels, pool_proj, 1))
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """``(N, C_in, H, W)`` → ``(N, ch1x1 + ch3x3 + ch5x5 + pool_proj, H, W)``."""
        return torch.cat([self.branch1(x), self.branch2(x), self.branch3(x), self.branch4(x)], 1)


class _Aux(nn.Module):
    """Auxiliary classifier: 5×5/3 average pool, 1×1 conv 128, FC 1024, dropout 70 %, linear."""

    def __init__(self, in_channels: int, num_classes: int) -> None:
        super().__init__()
        self.pool = nn.AvgPool2d(5, 3)
        self.conv = _conv(in_channels, 128, 1)
        self.fc = nn.Sequential(nn.Flatten(), nn.Linear(128 * 4 * 4, 1024), nn.ReLU(inplace=True))
        self.dropout = nn.Dropout(0.7)
        self.classifier = nn.Linear(1024, num_classes)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """``(N, C, 14, 14)`` → ``(N, num_classes)``."""
        return self.classifier(self.dropout(self.fc(self.conv(self.pool(x)))))


class GoogLeNetOutputs(NamedTuple):
    """Training-mode output when auxiliary heads are on."""

    logits: torch.Tensor
    aux2: torch.Tensor
    aux1: torch.Tensor


class GoogLeNet(nn.Module):
    """The 22-layer network of Table 1 for ``(3, 224, 224)`` inputs."""

    def __init__(self, num_classes: int = 1000, aux_logits: bool = False) -> None:
        super().__init__()
        self.conv1 = _conv(3, 64, 7, stride=2, padding=3)
        self.maxpool1 = nn.MaxPool2d(3, 2, ceil_mode=True)
        self.norm1 = nn.LocalResponseNorm(5, alpha=5e-4, beta=0.75, k=2.0)
        self.conv2 = _conv(64, 64, 1)
        self.conv3 = _conv(64, 192, 3, padding=1)
        self.norm2 = nn.LocalResponseNorm(5, alpha=5e-4, beta=0.75, k=2.0)
        self.maxpool2 = nn.MaxPool2d(3, 2, ceil_mode=True)
        blocks = {name: Inception(*cfg) for name, cfg in GOOGLENET_TABLE.items()}
        self.inception3a, self.inception3b = blocks["inception3a"], blocks["inception3b"]
        self.maxpool3 = nn.MaxPool2d(3, 2, ceil_mode=True)
        self.inception4a, self.inception4b = blocks["inception4a"], blocks["inception4b"]
        self.inception4c, self.inception4d = blocks["inception4c"], blocks["inception4d"]
        self.inception4e = blocks["inception4e"]
        self.maxpool4 = nn.MaxPool2d(3, 2, ceil_mode=True)
        self.inception5a, self.inception5b = blocks["inception5a"], blocks["inception5b"]
        self.avgpool = nn.AvgPool2d(7, 1)
        self.dropout = nn.Dropout(0.4)
        self.fc = nn.Linear(1024, num_classes)
        self.aux1 = _Aux(512, num_classes) if aux_logits else None
        self.aux2 = _Aux(528, num_classes) if aux_logits else None

    def forward(self, x: torch.Tensor) -> torch.Tensor | GoogLeNetOutputs:
        """``(N, 3, 224, 224)`` → logits ``(N, classes)``; with aux heads in training a triple."""
        x = self.maxpool2(
            self.norm2(self.conv3(self.conv2(self.norm1(self.maxpool1(self.conv1(x))))))
        )
        x = self.maxpool3(self.inception3b(self.inception3a(x)))
        x = self.inception4a(x)
        aux1 = self.aux1(x) if self.aux1 is not None and self.training else None
        x = self.inception4d(self.inception4c(self.inception4b(x)))
        aux2 = self.aux2(x) if self.aux2 is not None and self.training else None
        x = self.maxpool4(self.inception4e(x))
        x = self.avgpool(self.inception5b(self.inception5a(x)))
        logits = self.fc(self.dropout(torch.flatten(x, 1)))
        if aux1 is not None and aux2 is not None:
            return GoogLeNetOutputs(logits, aux2, aux1)
        return logits


def googlenet(
    *, num_classes: int = 1000, aux_logits: bool = False, weights: object = None
) -> nn.Module:
    """GoogLeNet as in the paper: 6,998,552 parameters (without auxiliary heads), 1.58 G MACs.

    Args:
        num_classes: outputs of the classifier(s).
        aux_logits: add the two auxiliary classifiers (they run in training mode only).
        weights: a local ``.pth`` path; torchvision's weights belong to a different
            architecture (batch norm, 3×3 instead of 5×5) and are refused.

    Raises:
        TypeError, ValueError: an argument of the wrong kind or value.
    """
    num_classes = check_num_classes(num_classes, 1024 + 2 * 1024)
    aux_logits = check_flag("aux_logits", aux_logits)
    incompatible = (
        "torchvision's GoogLeNet uses batch norm and 3×3 in the '5×5' branch; "
        "use torchvision.models.googlenet for its weights"
    )
    check_weights(
        weights, name="googlenet (paper)", torchvision_weights=None, incompatible=incompatible
    )
    model = GoogLeNet(num_classes, aux_logits)
    return load_weights(
        model,
        weights,
        name="googlenet (paper)",
        torchvision_weights=None,
        incompatible=incompatible,
    )
