"""torchvision classifiers with their real weights when they can be had, random ones if not.

The real loading code runs — ``torchvision.models.get_model(name, weights=...)`` and the
weights' own ``transforms()`` — so on a machine with network (or a filled torch hub cache)
the learner gets the trained network. Offline, it fails fast; :func:`load_pretrained` then
returns the same architecture with random weights and a one-line ``note`` saying so, and
the notebook continues with its offline stand-ins (a CNN trained live, ICA filters).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from torch import nn

from vizkit._validate import check_str
from vizkit.data.download import Unavailable, fetch

__all__ = ["Pretrained", "load_pretrained"]


@dataclass(frozen=True)
class Pretrained:
    """A torchvision model and how it was obtained.

    Attributes:
        model: The model, in eval mode.
        transforms: The weights' preprocessing (``weights.transforms()``): resize, crop,
            ImageNet normalisation; a callable on a PIL image or ``(C, H, W)`` tensor.
        pretrained: True when the trained weights were loaded.
        categories: Class names from the weights' metadata (empty when unknown).
        mean, std: The normalisation the transforms apply.
        note: ``None``, or one line saying why the weights are random.
        name: The torchvision builder name (``"alexnet"``).
    """

    model: nn.Module
    transforms: Any
    pretrained: bool
    categories: tuple[str, ...]
    mean: tuple[float, ...]
    std: tuple[float, ...]
    note: str | None
    name: str = "model"

    @property
    def status(self) -> str:
        """One line for a notebook: the ``note`` when the weights are random, else that the
        trained weights were loaded."""
        if self.note is not None:
            return self.note
        return f"{self.name}: trained ImageNet weights loaded"


def load_pretrained(name: str = "alexnet", *, weights: str = "DEFAULT") -> Pretrained:
    """Load a torchvision classifier with trained weights, or random ones when offline.

    Args:
        name: A ``torchvision.models`` builder name (``"alexnet"``, ``"vgg16"``,
            ``"resnet18"``, ...).
        weights: A member of the model's weights enum (``"DEFAULT"``, ``"IMAGENET1K_V1"``).

    Returns:
        A :class:`Pretrained`; check ``.pretrained`` / print ``.note``.

    Raises:
        TypeError: ``name`` or ``weights`` is not a str.
        ValueError: ``name`` is not a torchvision model, or ``weights`` is not one of its
            weights (the message lists them).
    """
    import torchvision

    check_str("name", name)
    check_str("weights", weights)
    try:
        enum = torchvision.models.get_model_weights(name)
    except (ValueError, KeyError):
        raise ValueError(
            f"name {name!r} is not a torchvision model: try 'alexnet', 'vgg16' or 'resnet18'"
        ) from None
    try:
        chosen = enum[weights] if weights != "DEFAULT" else enum.DEFAULT
    except KeyError:
        raise ValueError(
            f"weights {weights!r} is not one of {[w.name for w in enum]} for {name}"
        ) from None
    transforms = chosen.transforms()
    meta = chosen.meta
    common = {
        "transforms": transforms,
        "categories": tuple(meta.get("categories", ())),
        "mean": tuple(transforms.mean),
        "std": tuple(transforms.std),
        "name": name,
    }
    model = fetch(lambda: torchvision.models.get_model(name, weights=chosen))
    if isinstance(model, Unavailable):
        note = (
            f"{name} weights ({chosen}) could not be loaded ({model}); "
            "using random weights — the offline examples below stand in for trained filters"
        )
        model = torchvision.models.get_model(name, weights=None)
        return Pretrained(model=model.eval(), pretrained=False, note=note, **common)
    return Pretrained(model=model.eval(), pretrained=True, note=None, **common)
