"""VGG configurations A, A-LRN, B, C, D, E (Simonyan & Zisserman 2015, Table 1).

Layer indices match torchvision's ``vgg11/13/16/19`` (``features.N``, ``classifier.0/3/6``), so
its pretrained weights load into configurations A, B, D, E. There is no adaptive pooling: as in
the paper, a 224×224 input reaches the classifier as 7×7×512.
"""

from __future__ import annotations

from typing import Literal

from torch import nn

from vizkit.zoo.weights import check_num_classes, check_weights, load_weights

__all__ = ["VGG_CONFIGS", "vgg", "vgg11", "vgg13", "vgg16", "vgg19"]

Config = Literal["A", "A-LRN", "B", "C", "D", "E"]
# ints: 3×3 convolutions with that many filters; "1x1-N": a 1×1 convolution; "M": 2×2 max pool;
# "LRN": local response normalisation.
VGG_CONFIGS: dict[str, list[int | str]] = {
    "A": [64, "M", 128, "M", 256, 256, "M", 512, 512, "M", 512, 512, "M"],
    "A-LRN": [64, "LRN", "M", 128, "M", 256, 256, "M", 512, 512, "M", 512, 512, "M"],
    "B": [64, 64, "M", 128, 128, "M", 256, 256, "M", 512, 512, "M", 512, 512, "M"],
    "C": [
        64,
        64,
        "M",
        128,
        128,
        "M",
        256,
        256,
        "1x1-256",
        "M",
        512,
        512,
        "1x1-512",
        "M",
        512,
        512,
        "1x1-512",
        "M",
    ],
    "D": [64, 64, "M", 128, 128, "M", 256, 256, 256, "M", 512, 512, 512, "M", 512, 512, 512, "M"],
    "E": [
        64,
        64,
        "M",
        128,
        128,
        "M",
        256,
        256,
        256,
        256,
        "M",
        512,
        512,
        512,
        512,
        "M",
        512,
        512,
        512,
        512,
        "M",
    ],
}
_TORCHVISION = {
    "A": "VGG11_Weights",
    "B": "VGG13_Weights",
    "D": "VGG16_Weights",
    "E": "VGG19_Weights",
}


class VGG(nn.Module):
    """``features`` (convolutions and pools) → flatten → ``classifier`` (three linear layers)."""

    def __init__(self, features: nn.Sequential, num_classes: int) -> None:
        super().__init__()
        self.features = features
        self.classifier = nn.Sequential(
            nn.Linear(512 * 7 * 7, 4096),
            nn.ReLU(inplace=True),
            nn.Dropout(),
            nn.Linear(4096, 4096),
            nn.ReLU(inplace=True),
            nn.Dropout(),
            nn.Linear(4096, num_classes),
        )

    def forward(self, x):
        return self.classifier(self.features(x).flatten(1))


def vgg(config: Config = "D", *, num_classes: int = 1000, weights: object = None) -> nn.Module:
    """A VGG network of Table 1 for ``(3, 224, 224)`` inputs.

    Parameters (Table 2: 133, 133, 133, 134, 138, 144 M): A 132,863,336; A-LRN the same;
    B 133,047,848; C 133,638,952; D 138,357,544; E 143,667,240.

    Args:
        config: ``"A"`` (VGG-11), ``"A-LRN"``, ``"B"`` (VGG-13), ``"C"`` (16 layers, three of
            them 1×1), ``"D"`` (VGG-16), ``"E"`` (VGG-19).
        num_classes: outputs of the last layer.
        weights: torchvision weights (``"DEFAULT"``, ``"IMAGENET1K_V1"``) for A, B, D, E, or a
            local ``.pth`` path.

    Raises:
        TypeError: an argument of the wrong kind.
        ValueError: unknown config; ``num_classes`` below 1 or above the memory budget;
            torchvision weights for A-LRN or C.
    """
    if not isinstance(config, str) or config not in VGG_CONFIGS:
        kind = ValueError if isinstance(config, str) else TypeError
        raise kind(f"config {config!r} is not one of {list(VGG_CONFIGS)} (Table 1 of the paper)")
    num_classes = check_num_classes(num_classes, 4096)
    enum = None
    if weights is not None:  # torchvision (seconds to import) only to look up its weights
        import torchvision

        enum = getattr(torchvision.models, _TORCHVISION.get(config, ""), None)
    incompatible = None if enum else "torchvision trains only configurations A, B, D and E"
    check_weights(
        weights, name=f"VGG {config}", torchvision_weights=enum, incompatible=incompatible
    )
    layers: list[nn.Module] = []
    channels = 3
    for item in VGG_CONFIGS[config]:
        if item == "M":
            layers.append(nn.MaxPool2d(2, 2))
        elif item == "LRN":
            layers.append(nn.LocalResponseNorm(5, alpha=5e-4, beta=0.75, k=2.0))
        else:
            kernel, out = (1, int(item.split("-")[1])) if isinstance(item, str) else (3, item)
            layers += [nn.Conv2d(channels, out, kernel, padding=kernel // 2), nn.ReLU(inplace=True)]
            channels = out
    model = VGG(nn.Sequential(*layers), num_classes)
    return load_weights(
        model, weights, name=f"VGG {config}", torchvision_weights=enum, incompatible=incompatible
    )


def vgg11(**kwargs: object) -> nn.Module:
    """VGG configuration A; keyword arguments as :func:`vgg`."""
    return vgg("A", **kwargs)  # type: ignore[arg-type]


def vgg13(**kwargs: object) -> nn.Module:
    """VGG configuration B; keyword arguments as :func:`vgg`."""
    return vgg("B", **kwargs)  # type: ignore[arg-type]


def vgg16(**kwargs: object) -> nn.Module:
    """VGG configuration D: 138,357,544 parameters, 15.47 G MACs at 224×224."""
    return vgg("D", **kwargs)  # type: ignore[arg-type]


def vgg19(**kwargs: object) -> nn.Module:
    """VGG configuration E; keyword arguments as :func:`vgg`."""
    return vgg("E", **kwargs)  # type: ignore[arg-type]
