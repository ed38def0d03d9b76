"""Paper-faithful architectures: LeNet-5 … ResNet v1, with random or pretrained weights.

Every builder returns a plain ``nn.Module`` with random initialisation; ``weights=`` loads
torchvision's pretrained weights where the architecture is the same, or a local ``.pth`` file.

Names load on first use (PEP 562), each with only the module that defines it: ``vk.zoo.published``
costs no torch, ``vk.zoo.conv_stack`` or ``vk.zoo.layer_walk`` cost torch but not torchvision or
the whole :data:`CATALOG` (which builds nothing, but imports every architecture's module).
"""

from __future__ import annotations

import sys
import types
from typing import TYPE_CHECKING

from vizkit._lazy import lazy_exports

if TYPE_CHECKING:
    from vizkit.zoo.alexnet import alexnet, zfnet
    from vizkit.zoo.catalog import CATALOG, ModelEntry, build
    from vizkit.zoo.googlenet import GOOGLENET_TABLE, Inception, googlenet
    from vizkit.zoo.inception import InceptionFig5, InceptionFig6, InceptionFig7, inception_v3
    from vizkit.zoo.lenet import lenet5
    from vizkit.zoo.nin import allconv, nin
    from vizkit.zoo.paper_tables import (
        LayerWalk,
        googlenet_table1,
        layer_walk,
        resnet_flops,
        vgg_table2,
    )
    from vizkit.zoo.published import accuracy_table, published
    from vizkit.zoo.resnet import resnet, resnet18, resnet34, resnet50, resnet101, resnet152
    from vizkit.zoo.stacks import conv_stack
    from vizkit.zoo.vgg import VGG_CONFIGS, vgg, vgg11, vgg13, vgg16, vgg19
    from vizkit.zoo.weights import WeightsUnavailableWarning

_NAMES = {
    "alexnet": ".alexnet", "zfnet": ".alexnet",
    "CATALOG": ".catalog", "ModelEntry": ".catalog", "build": ".catalog",
    "GOOGLENET_TABLE": ".googlenet", "Inception": ".googlenet", "googlenet": ".googlenet",
    "InceptionFig5": ".inception", "InceptionFig6": ".inception",
    "InceptionFig7": ".inception", "inception_v3": ".inception",
    "lenet5": ".lenet",
    "allconv": ".nin", "nin": ".nin",
    "LayerWalk": ".paper_tables", "googlenet_table1": ".paper_tables",
    "layer_walk": ".paper_tables", "resnet_flops": ".paper_tables",
    "vgg_table2": ".paper_tables",
    "accuracy_table": ".published", "published": ".published",
    "resnet": ".resnet", "resnet18": ".resnet", "resnet34": ".resnet", "resnet50": ".resnet",
    "resnet101": ".resnet", "resnet152": ".resnet",
    "conv_stack": ".stacks",
    "VGG_CONFIGS": ".vgg", "vgg": ".vgg", "vgg11": ".vgg", "vgg13": ".vgg", "vgg16": ".vgg",
    "vgg19": ".vgg",
    "WeightsUnavailableWarning": ".weights",
}  # fmt: skip

__all__ = sorted(_NAMES)
__getattr__, __dir__ = lazy_exports(__name__, globals(), _NAMES)

# Builders named like the module that defines them (``vizkit.zoo.vgg.vgg``).
_SHADOWED = frozenset(name for name, module in _NAMES.items() if module == f".{name}")


class _ZooModule(types.ModuleType):
    """``vizkit.zoo`` itself: ``zoo.vgg`` stays the builder after ``vizkit.zoo.vgg`` is imported.

    Importing a submodule binds it on its package (``setattr(zoo, "vgg", <module>)``), which
    would hide the lazily exported builder of the same name; the eager imports this package
    had bound the builder over it, so keep doing that.
    """

    def __setattr__(self, name: str, value: object) -> None:
        if (
            name in _SHADOWED
            and isinstance(value, types.ModuleType)
            and value.__name__ == f"{__name__}.{name}"
        ):
            value = getattr(value, name)
        super().__setattr__(name, value)


sys.modules[__name__].__class__ = _ZooModule
