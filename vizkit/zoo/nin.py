"""Network in Network (Lin, Chen & Yan 2014) and the All-Convolutional Net family
(Springenberg, Dosovitskiy, Brox & Riedmiller 2015, "Striving for simplicity").

NIN replaces each convolution by an "mlpconv": a convolution followed by two 1×1 convolutions
(a tiny MLP slid over the image), and the fully connected head by global average pooling.
All-CNN goes further and replaces max pooling by strided convolution.
"""

from __future__ import annotations

from collections import OrderedDict
from typing import Literal

from torch import nn

from vizkit.zoo.weights import check_num_classes, check_variant, check_weights, load_weights

__all__ = ["allconv", "nin"]


def _mlpconv(
    c_in: int, widths: tuple[int, int, int], kernel: int, stride: int = 1
) -> nn.Sequential:
    c1, c2, c3 = widths
    return nn.Sequential(
        OrderedDict(
            conv=nn.Conv2d(
                c_in, c1, kernel, stride=stride, padding=kernel // 2 if stride == 1 else 0
            ),
            relu=nn.ReLU(inplace=True),
            cccp1=nn.Conv2d(c1, c2, 1),
            relu1=nn.ReLU(inplace=True),
            cccp2=nn.Conv2d(c2, c3, 1),
            relu2=nn.ReLU(inplace=True),
        )
    )


def nin(
    dataset: Literal["cifar10", "imagenet"] = "cifar10", *, weights: object = None
) -> nn.Module:
    """Network in Network as released with the paper (Caffe model zoo definitions).

    Args:
        dataset: ``"cifar10"`` (input ``(3, 32, 32)``, 3 mlpconv blocks, 10 classes) or
            ``"imagenet"`` (input ``(3, 224, 224)``, 4 blocks, 1000 classes).
        weights: a local ``.pth`` path (torchvision has no NIN).

    Raises:
        TypeError, ValueError: unknown dataset, or ``weights`` of the wrong kind or value.
    """
    check_variant("dataset", dataset, ("cifar10", "imagenet"))
    check_weights(weights, name="nin", torchvision_weights=None)
    if dataset == "cifar10":
        layers = OrderedDict(
            block1=_mlpconv(3, (192, 160, 96), 5),
            pool1=nn.MaxPool2d(3, 2, ceil_mode=True),
            drop1=nn.Dropout(0.5),
            block2=_mlpconv(96, (192, 192, 192), 5),
            pool2=nn.AvgPool2d(3, 2, ceil_mode=True),
            drop2=nn.Dropout(0.5),
            block3=_mlpconv(192, (192, 192, 10), 3),
            pool3=nn.AdaptiveAvgPool2d(1),
            flatten=nn.Flatten(),
        )
    elif dataset == "imagenet":
        layers = OrderedDict(
            block1=_mlpconv(3, (96, 96, 96), 11, stride=4),
            pool1=nn.MaxPool2d(3, 2, ceil_mode=True),
            block2=_mlpconv(96, (256, 256, 256), 5),
            pool2=nn.MaxPool2d(3, 2, ceil_mode=True),
            block3=_mlpconv(256, (384, 384, 384), 3),
            pool3=nn.MaxPool2d(3, 2, ceil_mode=True),
            drop=nn.Dropout(0.5),
            block4=_mlpconv(384, (1024, 1024, 1000), 3),
            pool4=nn.AdaptiveAvgPool2d(1),
            flatten=nn.Flatten(),
        )
    else:
        raise ValueError(f"dataset {dataset!r} is not 'cifar10' or 'imagenet'")
    return load_weights(nn.Sequential(layers), weights, name="nin", torchvision_weights=None)


_STAGES = {  # (filters, kernel) of the convolutions before each subsampling, Table 1
    "A": [[(96, 5)], [(192, 5)]],
    "B": [[(96, 5), (96, 1)], [(192, 5), (192, 1)]],
    "C": [[(96, 3), (96, 3)], [(192, 3), (192, 3)]],
}


def allconv(
    model: Literal["A", "B", "C"] = "C",
    variant: Literal["base", "strided", "convpool", "all"] = "all",
    *,
    num_classes: int = 10,
    weights: object = None,
) -> nn.Module:
    """A network of Tables 1 and 2 of Springenberg et al. for ``(3, 32, 32)`` CIFAR images.

    Variants of each base model: ``"base"`` (3×3 max pooling, stride 2), ``"strided"`` (pooling
    removed, the preceding convolution gets stride 2), ``"convpool"`` (an extra 3×3
    convolution before each pooling: the control), ``"all"`` (pooling replaced by a 3×3
    convolution with stride 2: All-CNN). The top is 3×3 conv 192 (valid), 1×1 conv 192, 1×1 conv
    ``num_classes``, global average over 6×6. Parameters: ≈0.9 / 1 / 1.3 M for base A / B / C,
    ≈1.28 / 1.35 / 1.4 M for ConvPool and All-CNN (Table 3).

    Raises:
        TypeError, ValueError: unknown model or variant, ``num_classes`` or ``weights`` of the
            wrong kind or value.
    """
    check_variant("model", model, tuple(_STAGES))
    check_variant("variant", variant, ("base", "strided", "convpool", "all"))
    num_classes = check_num_classes(num_classes, 192)
    check_weights(weights, name="allconv", torchvision_weights=None)
    layers: OrderedDict[str, nn.Module] = OrderedDict()
    c_in, n = 3, 0

    def conv(c_out: int, k: int, stride: int = 1, padding: int | None = None) -> None:
        nonlocal c_in, n
        n += 1
        pad = k // 2 if padding is None else padding
        layers[f"conv{n}"] = nn.Conv2d(c_in, c_out, k, stride=stride, padding=pad)
        layers[f"relu{n}"] = nn.ReLU(inplace=True)
        c_in = c_out

    for s, stage in enumerate(_STAGES[model], start=1):
        for i, (c, k) in enumerate(stage):
            last = i == len(stage) - 1
            conv(c, k, stride=2 if variant == "strided" and last else 1)
        c = stage[-1][0]
        if variant in ("base", "convpool"):
            if variant == "convpool":
                conv(c, 3)
            layers[f"pool{s}"] = nn.MaxPool2d(3, 2, padding=1)
        elif variant == "all":
            conv(c, 3, stride=2)
    conv(192, 3, padding=0)
    conv(192, 1)
    conv(num_classes, 1)
    layers["pool"] = nn.AdaptiveAvgPool2d(1)
    layers["flatten"] = nn.Flatten()
    return load_weights(nn.Sequential(layers), weights, name="allconv", torchvision_weights=None)
