"""Which model to look at: a picker's choices, and the pretrained model a notebook studies.

- :func:`model_options` / :func:`load_choice`: the models an explorer offers — the one you
  pass in (e.g. the one just trained), the zoo's paper architectures (random weights), and
  torchvision classifiers loaded by :func:`~vizkit.zoo.pretrained.load_pretrained` (real
  weights when they can be had, random ones with a one-line note when not), each with the
  input preparation it expects.
- :func:`pretrained_or`: the pretrained classifier with its ``weights.transforms()`` when its
  weights loaded, else a fallback (a CNN trained here) with one line saying so.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

import numpy as np
import torch
from torch import nn

from vizkit._validate import (
    check_instance,
    check_names,
    check_sequence,
    check_shape,
    check_str,
    describe,
)
from vizkit.zoo.pretrained import Pretrained, load_pretrained

__all__ = [
    "GIVEN",
    "TORCHVISION_MODELS",
    "ModelChoice",
    "Subject",
    "load_choice",
    "model_options",
    "picker_choice",
    "pretrained_or",
    "transform_images",
]

GIVEN = "given"
"""The picker value of the model passed to an explorer."""

TORCHVISION_MODELS: tuple[str, ...] = (
    "alexnet",
    "vgg16",
    "googlenet",
    "resnet18",
    "resnet50",
    "mobilenet_v3_small",
)
"""torchvision classifiers an explorer offers by default (small enough to build in seconds)."""

Transform = Callable[[torch.Tensor], torch.Tensor]


@dataclass(frozen=True)
class ModelChoice:
    """A model picked by key, with how its input is prepared.

    Attributes:
        key: ``"zoo:<catalog name>"`` or ``"torchvision:<builder name>"``.
        model: The model, in eval mode.
        input_size: ``(C, H, W)`` it was designed for.
        transforms: The weights' ``transforms()`` (torchvision; a callable on a ``(C, H, W)``
            float tensor in [0, 1]), or ``None`` (zoo: resize to ``input_size``).
        mean, std: The input normalisation, or ``None``.
        pretrained: True when trained weights were loaded.
        note: One line on the weights (why they are random), or ``None``.
    """

    key: str
    model: nn.Module
    input_size: tuple[int, int, int]
    transforms: Transform | None
    mean: tuple[float, ...] | None
    std: tuple[float, ...] | None
    pretrained: bool
    note: str | None


def model_options(
    *, given: str | None = None, torchvision_models: Sequence[str] = TORCHVISION_MODELS
) -> list[tuple[str, str]]:
    """``(label, key)`` pairs for a model ``Dropdown``: the given model, the zoo, torchvision.

    Args:
        given: Label of the model passed in (e.g. ``"your model (DigitsCNN)"``); ``None``
            leaves it out.
        torchvision_models: torchvision builder names to offer.

    Returns:
        Options in picker order; keys are :data:`GIVEN`, ``"zoo:…"`` or ``"torchvision:…"``.

    Raises:
        TypeError: ``given`` is not a str, or ``torchvision_models`` is a single str (which
            would be offered letter by letter) or holds non-strings.
    """
    from vizkit.zoo.catalog import CATALOG

    if given is not None:
        check_str("given", given)
    torchvision_models = check_names(
        "torchvision_models", torchvision_models, what="torchvision model name"
    )
    options = [(given, GIVEN)] if given is not None else []
    options += [(f"zoo · {n} ({e.paper}, random weights)", f"zoo:{n}") for n, e in CATALOG.items()]
    options += [
        (f"torchvision · {n} (ImageNet weights if available)", f"torchvision:{n}")
        for n in torchvision_models
    ]
    return options


def picker_choice(
    model: object, *, given: str | None, torchvision_models: Sequence[str] = TORCHVISION_MODELS
) -> tuple[str, list[tuple[str, str]]]:
    """The picker's starting key and its options for a widget's ``model`` argument.

    Args:
        model: An ``nn.Module`` (offered as :data:`GIVEN`, labelled ``given``) or a picker key
            such as ``"zoo:alexnet"``.
        given: Label of the given model (``None`` when ``model`` is a key).
        torchvision_models: torchvision builder names to offer.

    Returns:
        ``(key, options)``, options as :func:`model_options`.

    Raises:
        TypeError: ``model`` is neither a module nor a string.
        ValueError: ``model`` is a string that is not one of the options.
    """
    if isinstance(model, nn.Module):
        key = GIVEN
    elif isinstance(model, str):
        key = model
    else:
        hint = " (a class: call it to build the network)" if isinstance(model, type) else ""
        raise TypeError(
            f"model must be an nn.Module or a picker key such as 'zoo:alexnet', "
            f"got {type(model).__name__}{hint}"
        )
    options = model_options(given=given, torchvision_models=torchvision_models)
    keys = [v for _, v in options]
    if key not in keys:
        raise ValueError(
            f"model {key!r} is not a picker choice: use an nn.Module or one of {keys[:6]} …"
        )
    return key, options


def load_choice(key: str) -> ModelChoice:
    """Build the model behind a picker key.

    Args:
        key: ``"zoo:<name>"`` (a :data:`vizkit.zoo.CATALOG` name, random weights) or
            ``"torchvision:<name>"`` (loaded with :func:`load_pretrained`: trained weights
            when they can be had, otherwise random ones and a ``note``).

    Returns:
        A :class:`ModelChoice`.

    Raises:
        TypeError: ``key`` is not a str.
        ValueError: A key without a known source prefix, or an unknown model name.
    """
    check_str("key", key)
    source, _, name = key.partition(":")
    if source == "zoo":
        from vizkit.zoo.catalog import CATALOG, build

        try:
            model = build(name).eval()  # ValueError with the closest names
        except ValueError as err:
            raise ValueError(f"key {key!r}: {err}") from None
        return ModelChoice(
            key,
            model,
            CATALOG[name].input_size,
            None,
            None,
            None,
            False,
            f"zoo {name}: random weights (the zoo builds architectures untrained)",
        )
    if source == "torchvision":
        try:
            loaded = load_pretrained(name)
        except ValueError as err:
            raise ValueError(f"key {key!r}: {err}") from None
        crop = getattr(loaded.transforms, "crop_size", [224])
        side = int(crop[0] if isinstance(crop, Sequence) else crop)
        return ModelChoice(
            key,
            loaded.model,
            (3, side, side),
            loaded.transforms,
            loaded.mean,
            loaded.std,
            loaded.pretrained,
            loaded.note,
        )
    raise ValueError(
        f"model key {key!r} must start with 'zoo:' or 'torchvision:', e.g. 'zoo:lenet5' or "
        "'torchvision:resnet18'"
    )


def transform_images(
    transforms: Transform, images: np.ndarray | Sequence[np.ndarray]
) -> torch.Tensor:
    """Apply a weights' ``transforms()`` to ``(H, W, 3)`` pictures in [0, 1].

    Args:
        transforms: e.g. ``Pretrained.transforms`` (resize, centre crop, normalise).
        images: One ``(H, W, 3)`` array, or a sequence of them (sizes may differ).

    Returns:
        ``(C, H', W')`` for one picture, ``(N, C, H', W')`` for a sequence.

    Raises:
        TypeError: ``transforms`` is not callable, or ``images`` not arrays.
        ValueError: A picture is not ``(H, W, 3)``, is empty or holds NaN/inf, or no pictures.
    """
    if not callable(transforms):
        raise TypeError(
            f"transforms must be callable (a weights' transforms()), got {describe(transforms)}"
        )
    single = isinstance(images, np.ndarray) and images.ndim == 3
    if isinstance(images, np.ndarray):
        pictures = [images] if single else list(images)
    else:
        pictures = list(check_sequence("images", images, what="(H, W, 3) pictures"))
    if not pictures:
        raise ValueError("images is empty: pass at least one (H, W, 3) picture")
    out = []
    for picture in pictures:
        if not isinstance(picture, np.ndarray) or picture.dtype.kind not in "iuf":
            raise TypeError(
                f"images must be (H, W, 3) numpy arrays of numbers, got {describe(picture)}"
            )
        if picture.ndim != 3 or picture.shape[2] != 3:
            raise ValueError(
                f"images: each picture must be (H, W, 3) in [0, 1], got shape {picture.shape}"
            )
        check_shape("images", picture, ndim=3, layout="(H, W, 3)")
        array = np.asarray(picture, dtype=np.float32)
        out.append(transforms(torch.from_numpy(array.copy()).permute(2, 0, 1)))
    return out[0] if single else torch.stack(out)


@dataclass(frozen=True)
class Subject:
    """The model a notebook section studies, with the images and settings that go with it.

    Attributes:
        model: The classifier, in eval mode.
        images: ``(N, C, H, W)`` inputs, prepared as the model expects.
        layer: A deep layer with a spatial output (for top patches and Grad-CAM).
        classes: Class names, index = logit.
        name: What it is, for titles (``"AlexNet (ImageNet weights)"``).
        mean, std: Input normalisation (for activation maximisation), or ``None``.
        message: One line saying which model is used, and why when it is the fallback.
        pretrained: True when this is the pretrained model.
    """

    model: nn.Module
    images: torch.Tensor
    layer: str
    classes: tuple[str, ...]
    name: str
    mean: tuple[float, ...] | None = None
    std: tuple[float, ...] | None = None
    message: str = ""
    pretrained: bool = False

    @property
    def input_size(self) -> tuple[int, int, int]:
        """``(C, H, W)`` of one image."""
        c, h, w = self.images.shape[1:]
        return (int(c), int(h), int(w))


def pretrained_or(
    pretrained: Pretrained, fallback: Subject, *, layer: str, pictures: Sequence[np.ndarray]
) -> Subject:
    """The pretrained classifier when its weights loaded, else ``fallback``; one line says which.

    With trained weights, ``pictures`` are prepared by the weights' own ``transforms()`` (the
    resize, crop and normalisation the network was trained with). Without them a random
    network would explain nothing, so the fallback — a model trained here, with its own
    images — is returned, its ``message`` giving the reason in one line.

    Args:
        pretrained: From :func:`~vizkit.zoo.pretrained.load_pretrained`.
        fallback: What to study offline, e.g. the digits CNN and its test digits.
        layer: The pretrained model's layer for top patches / Grad-CAM (``"features.10"``).
        pictures: ``(H, W, 3)`` photos in [0, 1] for the pretrained model.

    Returns:
        A :class:`Subject`.

    Raises:
        TypeError: ``pretrained`` or ``fallback`` of the wrong kind, ``layer`` not a str.
        ValueError: ``layer`` is not a module of the pretrained model, or no pictures.
    """
    check_instance(
        "pretrained", pretrained, Pretrained, "a Pretrained", "from vizkit.zoo.load_pretrained()"
    )
    check_instance("fallback", fallback, Subject, "a Subject", "e.g. the digits CNN's Subject")
    check_str("layer", layer)
    arch = type(pretrained.model).__name__
    if not pretrained.pretrained:
        reason = (pretrained.note or "weights not loaded").split(";")[0]
        return replace(fallback, message=f"{fallback.name} stands in for {arch}: {reason}")
    modules = dict(pretrained.model.named_modules())
    if layer not in modules or not layer:
        convs = [n for n, m in modules.items() if isinstance(m, nn.Conv2d)]
        raise ValueError(f"layer {layer!r} is not a module of {arch}; its conv layers: {convs}")
    if isinstance(pictures, str | bytes) or not hasattr(pictures, "__len__"):
        raise TypeError(f"pictures must be a list of (H, W, 3) photos, got {describe(pictures)}")
    if len(pictures) == 0:
        raise ValueError("pictures is empty: pass photos, e.g. vizkit.data.natural_images()")
    return Subject(
        model=pretrained.model.eval(),
        images=transform_images(pretrained.transforms, pictures),
        layer=layer,
        classes=pretrained.categories,
        name=f"{arch} (ImageNet weights)",
        mean=pretrained.mean,
        std=pretrained.std,
        message=f"using {arch} with its ImageNet weights and weights.transforms()",
        pretrained=True,
    )
