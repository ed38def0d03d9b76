"""Paper-faithful architectures: LeNet-5 … ResNet v1, with random or pretrained weights.

Every builder returns a plain ``nn.Module`` with random initialisation; ``weights=`` loads
torchvision's pretrained weights where the architecture is the same, or a local ``.pth`` file.
"""

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
from vizkit.zoo.published import published
from vizkit.zoo.resnet import resnet, resnet18, resnet34, resnet50, resnet101, resnet152
from vizkit.zoo.stacks import conv_stack
from vizkit.zoo.vgg import VGG_CONFIGS, vgg, vgg11, vgg13, vgg16, vgg19
from vizkit.zoo.weights import WeightsUnavailableWarning

__all__ = [
    "CATALOG",
    "GOOGLENET_TABLE",
    "VGG_CONFIGS",
    "Inception",
    "InceptionFig5",
    "InceptionFig6",
    "InceptionFig7",
    "LayerWalk",
    "ModelEntry",
    "WeightsUnavailableWarning",
    "alexnet",
    "allconv",
    "build",
    "conv_stack",
    "googlenet",
    "googlenet_table1",
    "inception_v3",
    "layer_walk",
    "lenet5",
    "nin",
    "published",
    "resnet",
    "resnet18",
    "resnet34",
    "resnet50",
    "resnet101",
    "resnet152",
    "resnet_flops",
    "vgg",
    "vgg11",
    "vgg13",
    "vgg16",
    "vgg19",
    "vgg_table2",
    "zfnet",
]
