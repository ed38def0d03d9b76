"""One namespace for notebooks: every public name resolves, lazily, with one loader's behaviour."""

from __future__ import annotations

import importlib

import pytest

import vizkit as vk

NAMESPACES = (
    "vizkit",
    "vizkit.inspect",
    "vizkit.demos",
    "vizkit.device",
    "vizkit.widgets",
)


@pytest.mark.parametrize("package", NAMESPACES)
def test_every_public_name_resolves_and_is_cached(package: str) -> None:
    module = importlib.import_module(package)
    for name in module.__all__:
        value = getattr(module, name)
        assert value is not None, f"{package}.{name}"
        assert name in vars(module), f"{package}.{name} was not cached after first use"
        assert name in dir(module)


@pytest.mark.parametrize("package", NAMESPACES)
def test_unknown_names_get_the_same_suggestion(package: str) -> None:
    module = importlib.import_module(package)
    target = module.__all__[0]
    typo = target[:-1] + ("x" if target[-1] != "x" else "y")
    with pytest.raises(AttributeError) as info:
        getattr(module, typo)
    assert str(info.value).startswith(
        f"module {package!r} has no attribute {typo!r}; did you mean {target!r}"
    )


def test_fixed_public_api_names() -> None:
    # ../shared/DESIGN.md "Fixed public API": acceptance checks call these.
    for name in (
        "conv_output_size",
        "conv_transpose_output_size",
        "pool_output_size",
        "GeometryError",
        "conv2d_trace",
        "summarize",
        "receptive_field",
    ):
        assert callable(getattr(vk, name)), name
    assert issubclass(vk.GeometryError, ValueError)
    from vizkit.data import load_image
    from vizkit.inspect import capture_activations
    from vizkit.train import train_digits

    assert callable(load_image) and callable(capture_activations) and callable(train_digits)
    for name in ("lenet5", "alexnet", "zfnet", "vgg", "nin", "allconv", "googlenet"):
        assert callable(getattr(vk.zoo, name))
    for name in ("inception_v3", "resnet18", "resnet152"):
        assert callable(getattr(vk.zoo, name))
    for name in ("add_noise", "denoise", "inpaint", "super_resolve"):
        assert callable(getattr(vk.dip, name))


def test_topics_one_level_down_are_the_subpackages() -> None:
    for sub in ("dip", "train", "zoo", "data", "device", "summary", "inspect", "demos"):
        assert getattr(vk, sub) is importlib.import_module(f"vizkit.{sub}")
