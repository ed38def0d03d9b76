"""AlexNet (Krizhevsky, Sutskever & Hinton 2012) as in the paper, torchvision's variant, and
ZFNet (Zeiler & Fergus 2014).

The paper's AlexNet: 96 filters of 11×11×3 at stride 4 on a 227×227 input (the paper says 224;
only 227 gives its 55×55 maps), local response normalisation, and ``groups=2`` wherever the two
GPUs did not talk (conv2, conv4, conv5). torchvision's AlexNet has 64 / 192 / 384 / 256 / 256
filters, no LRN, no groups.
"""

from __future__ import annotations

from collections import OrderedDict
from typing import Literal

from torch import nn

from vizkit.zoo.weights import check_num_classes, check_variant, check_weights, load_weights

__all__ = ["alexnet", "zfnet"]


def _lrn() -> nn.LocalResponseNorm:
    # The paper's k=2, n=5, α=1e-4, β=0.75; torch divides α by n, so pass α·n.
    return nn.LocalResponseNorm(size=5, alpha=5e-4, beta=0.75, k=2.0)


def _classifier(num_classes: int) -> nn.Sequential:
    return nn.Sequential(
        OrderedDict(
            drop6=nn.Dropout(0.5),
            fc6=nn.Linear(256 * 6 * 6, 4096),
            relu6=nn.ReLU(inplace=True),
            drop7=nn.Dropout(0.5),
            fc7=nn.Linear(4096, 4096),
            relu7=nn.ReLU(inplace=True),
            fc8=nn.Linear(4096, num_classes),
        )
    )


class _Net(nn.Sequential):
    """``features`` → flatten → ``classifier``."""

    def __init__(self, features: nn.Sequential, classifier: nn.Sequential) -> None:
        super().__init__(
            OrderedDict(features=features, flatten=nn.Flatten(), classifier=classifier)
        )


def alexnet(
    variant: Literal["paper", "torchvision"] = "paper",
    *,
    num_classes: int = 1000,
    weights: object = None,
) -> nn.Module:
    """AlexNet.

    Args:
        variant: ``"paper"`` (input ``(3, 227, 227)``, 60,965,224 parameters) or
            ``"torchvision"`` (input ``(3, 224, 224)``, 61,100,840 parameters).
        num_classes: outputs of the last layer.
        weights: ``"DEFAULT"`` / ``"IMAGENET1K_V1"`` (torchvision variant only) or a ``.pth``
            path; see :func:`vizkit.zoo.weights.load_weights`.

    Returns:
        The network; the paper variant names its layers ``features.conv1`` ... ``classifier.fc8``.

    Raises:
        TypeError: an argument of the wrong kind.
        ValueError: unknown variant, ``num_classes`` below 1 (or above the memory budget),
            or torchvision weights asked for the paper variant.
    """
    check_variant("variant", variant, ("paper", "torchvision"))
    num_classes = check_num_classes(num_classes, 4096)
    if variant == "torchvision":  # torchvision takes seconds to import: only when used
        import torchvision
    check_weights(
        weights,
        name="alexnet" if variant == "torchvision" else "alexnet (paper)",
        torchvision_weights=torchvision.models.AlexNet_Weights
        if variant == "torchvision"
        else None,
        incompatible=None
        if variant == "torchvision"
        else "96 filters and groups=2 differ from torchvision's 64-filter AlexNet",
    )
    if variant == "torchvision":
        model = torchvision.models.alexnet(weights=None, num_classes=num_classes)
        return load_weights(
            model, weights, name="alexnet", torchvision_weights=torchvision.models.AlexNet_Weights
        )
    features = nn.Sequential(
        OrderedDict(
            conv1=nn.Conv2d(3, 96, 11, stride=4),
            relu1=nn.ReLU(inplace=True),
            norm1=_lrn(),
            pool1=nn.MaxPool2d(3, 2),
            conv2=nn.Conv2d(96, 256, 5, padding=2, groups=2),
            relu2=nn.ReLU(inplace=True),
            norm2=_lrn(),
            pool2=nn.MaxPool2d(3, 2),
            conv3=nn.Conv2d(256, 384, 3, padding=1),
            relu3=nn.ReLU(inplace=True),
            conv4=nn.Conv2d(384, 384, 3, padding=1, groups=2),
            relu4=nn.ReLU(inplace=True),
            conv5=nn.Conv2d(384, 256, 3, padding=1, groups=2),
            relu5=nn.ReLU(inplace=True),
            pool5=nn.MaxPool2d(3, 2),
        )
    )
    model = _Net(features, _classifier(num_classes))
    return load_weights(
        model,
        weights,
        name="alexnet (paper)",
        torchvision_weights=None,
        incompatible="96 filters and groups=2 differ from torchvision's 64-filter AlexNet",
    )


def zfnet(*, num_classes: int = 1000, weights: object = None) -> nn.Module:
    """ZFNet for ``(3, 224, 224)``: AlexNet with 7×7 stride-2 first filters and 5×5 stride 2 next.

    Shapes follow Figure 3 of the paper: 110×110×96, 55×55×96, 26×26×256, 13×13×256,
    13×13×384, 13×13×384, 13×13×256, 6×6×256, then 4096, 4096, classes.

    Args:
        num_classes: outputs of the last layer.
        weights: a local ``.pth`` path (torchvision has no ZFNet).

    Raises:
        TypeError, ValueError: ``num_classes`` or ``weights`` of the wrong kind or value.
    """
    num_classes = check_num_classes(num_classes, 4096)
    check_weights(weights, name="zfnet", torchvision_weights=None)
    features = nn.Sequential(
        OrderedDict(
            conv1=nn.Conv2d(3, 96, 7, stride=2, padding=1),
            relu1=nn.ReLU(inplace=True),
            pool1=nn.MaxPool2d(3, 2, padding=1),
            norm1=_lrn(),
            conv2=nn.Conv2d(96, 256, 5, stride=2),
            relu2=nn.ReLU(inplace=True),
            pool2=nn.MaxPool2d(3, 2, padding=1),
            norm2=_lrn(),
            conv3=nn.Conv2d(256, 384, 3, padding=1),
            relu3=nn.ReLU(inplace=True),
            conv4=nn.Conv2d(384, 384, 3, padding=1),
            relu4=nn.ReLU(inplace=True),
            conv5=nn.Conv2d(384, 256, 3, padding=1),
            relu5=nn.ReLU(inplace=True),
            pool5=nn.MaxPool2d(3, 2),
        )
    )
    model = _Net(features, _classifier(num_classes))
    return load_weights(model, weights, name="zfnet", torchvision_weights=None)
