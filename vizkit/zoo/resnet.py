"""ResNet-18 … 152 as in the paper (He et al. 2016, v1) and as in torchvision (v1.5).

The two differ only in the bottleneck blocks that halve the grid: v1 strides its first 1×1
convolution (as the paper's Table 1 counts), v1.5 strides the 3×3 convolution (slightly more
accurate, ~5 % more operations). ResNet-18/34 use basic blocks and are the same in both.
Parameter names match torchvision, so its weights load (trained for v1.5).
"""

from __future__ import annotations

from torch import nn
from torchvision.models import resnet as tv

from vizkit._validate import check_int
from vizkit.zoo.weights import check_flag, check_num_classes, check_weights, load_weights

__all__ = ["BottleneckV1", "resnet", "resnet18", "resnet34", "resnet50", "resnet101", "resnet152"]

_LAYERS = {
    18: [2, 2, 2, 2],
    34: [3, 4, 6, 3],
    50: [3, 4, 6, 3],
    101: [3, 4, 23, 3],
    152: [3, 8, 36, 3],
}


class BottleneckV1(tv.Bottleneck):
    """torchvision's bottleneck with the stride moved to the first 1×1 convolution (paper v1)."""

    def __init__(
        self, inplanes: int, planes: int, stride: int = 1, *args: object, **kwargs: object
    ) -> None:
        super().__init__(inplanes, planes, stride, *args, **kwargs)  # type: ignore[arg-type]
        width = self.conv1.out_channels
        self.conv1 = tv.conv1x1(inplanes, width, stride)
        self.conv2 = tv.conv3x3(width, width, 1, self.conv2.groups, self.conv2.dilation[0])


def resnet(
    depth: int, *, v1_5: bool = False, num_classes: int = 1000, weights: object = None
) -> nn.Module:
    """A residual network of Table 1 for ``(3, 224, 224)`` inputs.

    Multiply-adds at 224×224 (the paper's "FLOPs"): 1.8, 3.6, 3.8, 7.6, 11.3 G for depth 18,
    34, 50, 101, 152 (v1); v1.5 costs 4.1, 7.8, 11.5 G for 50, 101, 152.

    Args:
        depth: 18, 34, 50, 101 or 152.
        v1_5: torchvision's variant (stride on the 3×3 convolution of bottlenecks).
        num_classes: outputs of the classifier.
        weights: torchvision weights (``"DEFAULT"``, ``"IMAGENET1K_V1"`` ...) or a ``.pth`` path.
            torchvision trained v1.5; for depth ≥ 50 they need ``v1_5=True``.

    Raises:
        TypeError: an argument of the wrong kind.
        ValueError: unknown depth; ``num_classes`` below 1 or above the memory budget;
            torchvision weights with v1 bottlenecks.
    """
    depth = check_int("depth", depth)
    if depth not in _LAYERS:
        raise ValueError(f"depth {depth} is not one of {sorted(_LAYERS)}")
    v1_5 = check_flag("v1_5", v1_5)
    num_classes = check_num_classes(num_classes, 2048)
    incompatible = None
    if depth >= 50 and not v1_5:
        incompatible = "torchvision trained v1.5 bottlenecks; pass v1_5=True to load them"
    name = f"resnet{depth}" + ("" if depth < 50 else " v1.5" if v1_5 else " v1")
    check_weights(
        weights,
        name=name,
        torchvision_weights=getattr(tv, f"ResNet{depth}_Weights"),
        incompatible=incompatible,
    )
    block = tv.BasicBlock if depth < 50 else (tv.Bottleneck if v1_5 else BottleneckV1)
    model = tv.ResNet(block, _LAYERS[depth], num_classes=num_classes)
    return load_weights(
        model,
        weights,
        name=name,
        torchvision_weights=getattr(tv, f"ResNet{depth}_Weights"),
        incompatible=incompatible,
    )


def resnet18(**kwargs: object) -> nn.Module:
    """ResNet-18; keyword arguments as :func:`resnet`."""
    return resnet(18, **kwargs)  # type: ignore[arg-type]


def resnet34(**kwargs: object) -> nn.Module:
    """ResNet-34; keyword arguments as :func:`resnet`."""
    return resnet(34, **kwargs)  # type: ignore[arg-type]


def resnet50(**kwargs: object) -> nn.Module:
    """ResNet-50 (v1 unless ``v1_5=True``); keyword arguments as :func:`resnet`."""
    return resnet(50, **kwargs)  # type: ignore[arg-type]


def resnet101(**kwargs: object) -> nn.Module:
    """ResNet-101 (v1 unless ``v1_5=True``); keyword arguments as :func:`resnet`."""
    return resnet(101, **kwargs)  # type: ignore[arg-type]


def resnet152(**kwargs: object) -> nn.Module:
    """ResNet-152 (v1 unless ``v1_5=True``); keyword arguments as :func:`resnet`."""
    return resnet(152, **kwargs)  # type: ignore[arg-type]
