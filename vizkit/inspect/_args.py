"""Argument checks shared by the inspect functions (models, images, layer names, units).

The generic checks (ints, numbers, choices, the memory budget) are :mod:`vizkit._validate`;
here are the torch-specific ones, with the same sentence shapes.
"""

from __future__ import annotations

import torch
from torch import nn

from vizkit._suggest import suggestion
from vizkit._validate import check_instance, check_shape, check_str, describe

__all__ = [
    "check_image",
    "check_layer",
    "check_model",
    "check_unit_index",
    "model_device",
    "run_model",
]


def check_model(model: object, name: str = "model") -> nn.Module:
    """Return ``model`` if it is an ``nn.Module`` (a class gets "call it to build one")."""
    return check_instance(
        name, model, nn.Module, "a torch.nn.Module", "e.g. vizkit.zoo.lenet5() or your network"
    )


def check_layer(model: nn.Module, layer: object, name: str = "layer") -> str:
    """Return ``layer`` if it names a module of ``model`` (close names suggested otherwise)."""
    check_str(name, layer, empty=True)
    assert isinstance(layer, str)
    modules = dict(model.named_modules())
    if layer not in modules:
        raise ValueError(
            f"{name} {layer!r} is not a module of {type(model).__name__}: "
            f"{suggestion(layer, modules, what='layer')}; names come from model.named_modules()"
        )
    return layer


def check_image(
    image: object,
    name: str = "image",
    *,
    batched: bool = False,
) -> torch.Tensor:
    """A finite, non-empty image tensor as ``(1, C, H, W)``.

    Args:
        image: ``(C, H, W)`` or ``(1, C, H, W)`` tensor (``(N, C, H, W)`` with ``batched``).
        name: the parameter's name for messages.
        batched: accept any batch size ``N``.

    Raises:
        TypeError: not a tensor (a numpy array gets the conversion to use).
        ValueError: wrong rank, more than one image, empty, NaN or inf.
    """
    if not isinstance(image, torch.Tensor):
        hint = (
            "convert a picture with vizkit.data.image_to_tensor(picture)"
            if hasattr(image, "shape")
            else "e.g. vizkit.data.image_to_tensor(vizkit.data.natural_image())"
        )
        raise TypeError(f"{name} must be a torch.Tensor, got {describe(image)}: {hint}")
    layout = "(N, C, H, W)" if batched else "(C, H, W) or (1, C, H, W)"
    check_shape(name, image, ndim=(4,) if batched else (3, 4), layout=layout)
    if image.is_complex() or image.dtype == torch.bool:
        raise TypeError(f"{name} must hold real numbers, got dtype {image.dtype}: use .float()")
    if image.dim() == 3:
        image = image.unsqueeze(0)
    if not batched and image.shape[0] != 1:
        raise ValueError(
            f"{name} must be one image, (C, H, W) or (1, C, H, W), got shape "
            f"{tuple(image.shape)}: pass {name}[0] or loop over the images"
        )
    return image


def model_device(model: nn.Module) -> torch.device:
    """The device of the model's first parameter or buffer (the CPU for a parameterless one)."""
    for tensor in model.parameters():
        return tensor.device
    for tensor in model.buffers():
        return tensor.device
    return torch.device("cpu")


def run_model(model: nn.Module, x: torch.Tensor, name: str = "image") -> object:
    """``model(x)``, with torch's shape errors turned into a ``ValueError`` naming ``name``.

    A model that cannot run on the input (3 channels into a grey model, an image smaller than
    the network's windows) raises a ``RuntimeError`` from deep inside torch; the learner needs
    to hear which argument was wrong and what the model expected.
    """
    try:
        return model(x)
    except (RuntimeError, ValueError) as err:  # torch's shape checks raise either
        first = str(err).strip().splitlines()[0] if str(err).strip() else type(err).__name__
        raise ValueError(
            f"{type(model).__name__} could not run on {name} of shape {tuple(x.shape)} "
            f"({first}): check that {name} has the channels and size the model expects"
        ) from err


def check_unit_index(name: str, value: int, count: int, what: str) -> int:
    """Refuse an index outside ``0 … count − 1`` with the range in the message."""
    if not 0 <= value < count:
        raise ValueError(f"{name} {value} is out of range: {what} has {count} (0..{count - 1})")
    return value
