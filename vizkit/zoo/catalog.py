"""The zoo's models by name, with the input size each was designed for (for pickers and loops)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from torch import nn

from vizkit.zoo.alexnet import alexnet, zfnet
from vizkit.zoo.googlenet import googlenet
from vizkit.zoo.inception import inception_v3
from vizkit.zoo.lenet import lenet5
from vizkit.zoo.nin import allconv, nin
from vizkit.zoo.resnet import resnet
from vizkit.zoo.vgg import VGG_CONFIGS, vgg

__all__ = ["CATALOG", "ModelEntry", "build"]


@dataclass(frozen=True)
class ModelEntry:
    """A zoo model: how to build it and what it eats.

    Attributes:
        name: key in :data:`CATALOG`, e.g. ``"vgg16"``.
        builder: zero-argument function returning a randomly initialised model.
        input_size: ``(C, H, W)`` of the paper.
        year: year of the paper.
        paper: short citation.
    """

    name: str
    builder: Callable[[], nn.Module]
    input_size: tuple[int, int, int]
    year: int
    paper: str


_E = ModelEntry
CATALOG: dict[str, ModelEntry] = {
    e.name: e
    for e in [
        _E("lenet5", lenet5, (1, 32, 32), 1998, "LeCun et al. 1998"),
        _E("alexnet", alexnet, (3, 227, 227), 2012, "Krizhevsky et al. 2012"),
        _E(
            "alexnet (torchvision)",
            lambda: alexnet("torchvision"),
            (3, 224, 224),
            2014,
            "Krizhevsky 2014, torchvision",
        ),
        _E("zfnet", zfnet, (3, 224, 224), 2014, "Zeiler & Fergus 2014"),
        _E("nin", lambda: nin("imagenet"), (3, 224, 224), 2014, "Lin et al. 2014"),
        _E("all-cnn-c", allconv, (3, 32, 32), 2015, "Springenberg et al. 2015"),
        *(
            _E(f"vgg-{c}", (lambda c=c: vgg(c)), (3, 224, 224), 2015, "Simonyan & Zisserman 2015")
            for c in VGG_CONFIGS
        ),
        _E("googlenet", googlenet, (3, 224, 224), 2015, "Szegedy et al. 2015"),
        _E("inception-v3", inception_v3, (3, 299, 299), 2016, "Szegedy et al. 2016"),
        *(
            _E(f"resnet{d}", (lambda d=d: resnet(d)), (3, 224, 224), 2016, "He et al. 2016")
            for d in (18, 34, 50, 101, 152)
        ),
    ]
}


def build(name: str) -> nn.Module:
    """Build the catalog model ``name`` with random weights.

    Raises:
        TypeError: ``name`` is not a str.
        ValueError: unknown name (closest names suggested).
    """
    from vizkit._validate import check_str

    check_str("name", name)
    if name not in CATALOG:
        from vizkit._suggest import did_you_mean

        raise ValueError(
            "name: " + did_you_mean(name, CATALOG, what="zoo model", where="see vizkit.zoo.CATALOG")
        )
    return CATALOG[name].builder()
