"""Model choices: picker keys, weights.transforms(), and the pretrained-or-fallback subject."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
import torch
from torch import nn

from vizkit.zoo.choice import (
    GIVEN,
    Subject,
    load_choice,
    model_options,
    pretrained_or,
    transform_images,
)
from vizkit.zoo.pretrained import Pretrained, load_pretrained

torchvision = pytest.importorskip("torchvision")


def _pictures() -> list[np.ndarray]:
    rng = np.random.default_rng(0)
    return [
        rng.random((300, 400, 3)).astype(np.float32),
        rng.random((240, 240, 3)).astype(np.float32),
    ]


def _fallback(tiny_cnn: nn.Module) -> Subject:
    return Subject(
        tiny_cnn,
        torch.rand(5, 1, 16, 16),
        layer="3",
        classes=tuple("0123456789"),
        name="the digits CNN",
    )


def _fake_pretrained(loaded: bool) -> Pretrained:
    """The AlexNet weights' real transforms and metadata, random weights, loaded or not."""
    weights = torchvision.models.AlexNet_Weights.DEFAULT
    tf = weights.transforms()
    return Pretrained(
        model=torchvision.models.alexnet(weights=None).eval(),
        transforms=tf,
        pretrained=loaded,
        categories=tuple(weights.meta["categories"]),
        mean=tuple(tf.mean),
        std=tuple(tf.std),
        note=None
        if loaded
        else "alexnet weights (AlexNet_Weights.IMAGENET1K_V1) could not be "
        "loaded (URLError: offline); using random weights — the offline examples stand in",
    )


def test_model_options_order_and_keys():
    options = model_options(given="your model (DigitsCNN)", torchvision_models=("resnet18",))
    assert options[0] == ("your model (DigitsCNN)", GIVEN)
    assert options[1] == ("zoo · lenet5 (LeCun et al. 1998, random weights)", "zoo:lenet5")
    assert options[-1] == (
        "torchvision · resnet18 (ImageNet weights if available)",
        "torchvision:resnet18",
    )
    assert all(v != GIVEN for _, v in model_options())


def test_load_choice_zoo_and_errors():
    choice = load_choice("zoo:lenet5")
    assert choice.input_size == (1, 32, 32) and choice.transforms is None
    assert not choice.pretrained and not choice.model.training
    with pytest.raises(ValueError, match="model key 'lenet5' must start with 'zoo:' or "):
        load_choice("lenet5")
    with pytest.raises(ValueError, match="no zoo model named 'lenet': did you mean 'lenet5'"):
        load_choice("zoo:lenet")


def test_load_choice_torchvision_runs_the_real_loading_code():
    choice = load_choice("torchvision:resnet18")
    assert choice.input_size == (3, 224, 224)
    assert choice.pretrained == (choice.note is None)  # offline: random weights and a note
    assert choice.mean == (0.485, 0.456, 0.406)


def test_transform_images_matches_the_weights_transforms():
    tf = torchvision.models.ResNet18_Weights.DEFAULT.transforms()
    pictures = _pictures()
    batch = transform_images(tf, pictures)
    assert batch.shape == (2, 3, 224, 224)
    torch.testing.assert_close(batch[0], tf(torch.from_numpy(pictures[0]).permute(2, 0, 1)))
    one = transform_images(tf, pictures[1])
    torch.testing.assert_close(one, batch[1])
    with pytest.raises(ValueError, match=r"each picture must be \(H, W, 3\) in \[0, 1\], got"):
        transform_images(tf, [np.zeros((4, 4))])


def test_pretrained_or_uses_the_pretrained_model_and_its_transforms(tiny_cnn):
    pretrained = _fake_pretrained(loaded=True)
    pictures = _pictures()
    subject = pretrained_or(pretrained, _fallback(tiny_cnn), layer="features.10", pictures=pictures)
    assert subject.pretrained and subject.model is pretrained.model
    assert subject.message == "using AlexNet with its ImageNet weights and weights.transforms()"
    torch.testing.assert_close(subject.images, transform_images(pretrained.transforms, pictures))
    assert subject.input_size == (3, 224, 224) and len(subject.classes) == 1000
    assert subject.layer == "features.10" and subject.mean == (0.485, 0.456, 0.406)
    with pytest.raises(ValueError, match=r"layer 'features\.99' is not a module of AlexNet"):
        pretrained_or(pretrained, _fallback(tiny_cnn), layer="features.99", pictures=pictures)


def test_pretrained_or_falls_back_with_one_line(tiny_cnn):
    fallback = _fallback(tiny_cnn)
    subject = pretrained_or(
        _fake_pretrained(loaded=False), fallback, layer="features.10", pictures=_pictures()
    )
    assert subject.model is tiny_cnn and subject.images is fallback.images
    assert not subject.pretrained and subject.layer == "3"
    assert subject.message == (
        "the digits CNN stands in for AlexNet: alexnet weights (AlexNet_Weights.IMAGENET1K_V1) "
        "could not be loaded (URLError: offline)"
    )
    assert "\n" not in subject.message
    assert dataclasses.replace(subject, message="") == dataclasses.replace(fallback, message="")


def test_pretrained_or_with_the_real_loader(tiny_cnn):
    """Whatever this machine can load: the subject agrees with what was loaded."""
    pretrained = load_pretrained("alexnet")
    subject = pretrained_or(
        pretrained, _fallback(tiny_cnn), layer="features.10", pictures=_pictures()
    )
    assert subject.pretrained == pretrained.pretrained
    assert (subject.model is pretrained.model) == pretrained.pretrained


def test_picker_choice_keys_and_errors():
    from torch import nn

    from vizkit.zoo.choice import GIVEN, picker_choice

    key, options = picker_choice(nn.Conv2d(1, 2, 3), given="mine", torchvision_models=())
    assert key == GIVEN and options[0] == ("mine", GIVEN)
    key, options = picker_choice("zoo:alexnet", given=None, torchvision_models=("resnet18",))
    assert key == "zoo:alexnet" and options[-1][1] == "torchvision:resnet18"
    assert all(v != GIVEN for _, v in options)
    with pytest.raises(
        TypeError,
        match=r"^model must be an nn.Module or a picker key such as "
        r"'zoo:alexnet', got int$",
    ):
        picker_choice(3, given=None)
    with pytest.raises(
        ValueError,
        match=r"^model 'zoo:nope' is not a picker choice: use an "
        r"nn.Module or one of \['zoo:",
    ):
        picker_choice("zoo:nope", given=None)
