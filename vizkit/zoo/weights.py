"""Loading weights into zoo models: torchvision's pretrained ones, or a local ``.pth`` file.

Pretrained weights come from torchvision's download cache (``$TORCH_HOME/hub/checkpoints``) or
the network. Offline, loading fails fast and the model keeps its random initialisation, with a
one-line :class:`WeightsUnavailableWarning` saying so: never a hang, never a traceback.
"""

from __future__ import annotations

import os
import warnings
from collections.abc import Callable
from pathlib import Path

import torch
from torch import nn

from vizkit._validate import check_bool, check_choice, check_int, check_memory, describe
from vizkit.data.download import Unavailable, fetch

__all__ = [
    "WeightsUnavailableWarning",
    "check_channels",
    "check_num_classes",
    "check_weights",
    "load_weights",
]


class WeightsUnavailableWarning(UserWarning):
    """Pretrained weights could not be fetched; the model keeps its random initialisation."""


def _is_path(weights: object) -> bool:
    if isinstance(weights, Path):
        return True
    return isinstance(weights, str) and (
        weights.endswith((".pth", ".pt", ".bin")) or os.sep in weights or Path(weights).exists()
    )


def _load_file(model: nn.Module, path: Path) -> nn.Module:
    if not path.is_file():
        raise FileNotFoundError(f"weights file {str(path)!r} does not exist")
    state = torch.load(path, map_location="cpu", weights_only=True)
    if isinstance(state, dict) and "state_dict" in state and isinstance(state["state_dict"], dict):
        state = state["state_dict"]
    try:
        model.load_state_dict(state)
    except RuntimeError as err:
        raise ValueError(
            f"weights file {str(path)!r} does not fit this architecture: "
            f"{str(err).splitlines()[1] if len(str(err).splitlines()) > 1 else err}"
        ) from err
    return model


def check_num_classes(num_classes: object, in_features: int) -> int:
    """``num_classes`` as an int ≥ 1 whose classifier (``in_features`` inputs) fits the budget.

    Raises:
        TypeError: not an int.
        ValueError: below 1, or a last layer whose weights, gradients and Adam's moments would
            exceed vizkit's memory budget.
    """
    n = check_int("num_classes", num_classes, minimum=1, fix="a classifier has at least 1 class")
    check_memory(
        (in_features + 1) * n * 4 * 4,
        name="num_classes",
        value=n,
        what=f"a {in_features}→{n} last layer (weights, gradients, Adam's moments)",
        fix="ImageNet has 1000 classes; use at most a few hundred thousand",
    )
    return n


def check_channels(what: str, parameters: Callable[..., int], **channels: object) -> None:
    """Channel counts of a block: each an int ≥ 1, the block's weights within the budget.

    Args:
        what: the block, for the message (``"Inception"``).
        parameters: the weight count from the channels (called with them as keywords).
        **channels: parameter name → value.
    """
    counts = {name: check_int(name, v, minimum=1) for name, v in channels.items()}
    widest = max(counts, key=lambda n: counts[n])
    check_memory(
        parameters(**counts) * 4 * 4,
        name=widest,
        value=counts[widest],
        what=f"an {what} block of ~{parameters(**counts):,} weights (with gradients and Adam)",
        fix="use channel counts like the paper's (tens to hundreds)",
    )


def check_flag(name: str, value: object) -> bool:
    """A builder's True/False option (``aux_logits``, ``v1_5`` …)."""
    return check_bool(name, value)


def check_variant(name: str, value: object, choices: tuple[str, ...]) -> str:
    """A builder's closed choice (``variant``, ``config``, ``dataset`` …)."""
    return check_choice(name, value, choices)


def check_weights(
    weights: object,
    *,
    name: str,
    torchvision_weights: type | None,
    incompatible: str | None = None,
) -> None:
    """Check ``weights`` before the model is built (the build costs seconds for VGG).

    Raises:
        TypeError: not None, a path, a str or a torchvision weights enum member.
        ValueError: torchvision has no weights for this architecture, or no such name.
        FileNotFoundError: a path that does not exist.
    """
    if weights is None:
        return
    if not isinstance(weights, str | os.PathLike) and type(weights).__module__.split(".")[0] != (
        "torchvision"
    ):
        raise TypeError(
            f"weights must be None, a torchvision weights name such as 'DEFAULT', a weights "
            f"enum or a path to a .pth file, got {describe(weights)}"
        )
    if _is_path(weights):
        path = Path(weights)  # type: ignore[arg-type]
        if not path.is_file():
            raise FileNotFoundError(f"weights file {str(path)!r} does not exist")
        return
    if torchvision_weights is None or incompatible:
        raise ValueError(
            f"weights={weights!r}: torchvision has no pretrained weights for {name}"
            + (f" ({incompatible})" if incompatible else "")
            + "; pass weights=None for random initialisation or a path to a local .pth file"
        )
    try:
        torchvision_weights.verify(weights)  # type: ignore[attr-defined]
    except (ValueError, KeyError, TypeError) as err:
        options = [w.name for w in torchvision_weights] + ["DEFAULT"]  # type: ignore[attr-defined]
        raise ValueError(f"weights={weights!r} is not one of {options} for {name}") from err


def load_weights(
    model: nn.Module,
    weights: object,
    *,
    name: str,
    torchvision_weights: type | None,
    incompatible: str | None = None,
) -> nn.Module:
    """Load ``weights`` into ``model`` (in place) and return it.

    Args:
        model: freshly built zoo model.
        weights: None (keep random init); a path to a ``.pth`` state dict (loaded with
            ``torch.load(weights_only=True)``); or torchvision weights: an enum member or its
            name, e.g. ``"DEFAULT"`` or ``"IMAGENET1K_V1"``.
        name: model name for messages, e.g. ``"vgg16"``.
        torchvision_weights: the torchvision ``WeightsEnum`` class for this architecture, or
            None when torchvision has none.
        incompatible: set when torchvision's weights do not fit this architecture: the reason.

    Returns:
        ``model`` with the weights loaded, or unchanged (random init) when the download failed.

    Raises:
        TypeError: ``weights`` of another kind.
        ValueError: the weights do not exist for this architecture, or do not fit it.
        FileNotFoundError: a path that does not exist.
    """
    check_weights(
        weights, name=name, torchvision_weights=torchvision_weights, incompatible=incompatible
    )
    if weights is None:
        return model
    if _is_path(weights):
        return _load_file(model, Path(weights))  # type: ignore[arg-type]
    assert torchvision_weights is not None
    enum = torchvision_weights.verify(weights)  # type: ignore[attr-defined]
    state = fetch(lambda: enum.get_state_dict(progress=False, check_hash=True))
    if isinstance(state, Unavailable):
        warnings.warn(
            f"{name}: pretrained weights {enum} unavailable ({state}); "
            "continuing with random weights - download them once online or pass a local .pth",
            WeightsUnavailableWarning,
            stacklevel=3,
        )
        return model
    model.load_state_dict(state)
    return model
