"""Loading weights into zoo models: torchvision's pretrained ones, or a local ``.pth`` file.

Pretrained weights come from torchvision's download cache (``$TORCH_HOME/hub/checkpoints``) or
the network. Offline, loading fails fast and the model keeps its random initialisation, with a
one-line :class:`WeightsUnavailableWarning` saying so: never a hang, never a traceback.
"""

from __future__ import annotations

import os
import warnings
from pathlib import Path

import torch
from torch import nn

from vizkit.data.download import Unavailable, fetch

__all__ = ["WeightsUnavailableWarning", "load_weights"]


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
        ValueError: the weights do not exist for this architecture, or do not fit it.
        FileNotFoundError: a path that does not exist.
    """
    if weights is None:
        return model
    if _is_path(weights):
        return _load_file(model, Path(weights))  # type: ignore[arg-type]
    if torchvision_weights is None or incompatible:
        raise ValueError(
            f"weights={weights!r}: torchvision has no pretrained weights for {name}"
            + (f" ({incompatible})" if incompatible else "")
            + "; pass weights=None for random initialisation or a path to a local .pth file"
        )
    try:
        enum = torchvision_weights.verify(weights)  # type: ignore[attr-defined]
    except (ValueError, KeyError, TypeError) as err:
        options = [w.name for w in torchvision_weights] + ["DEFAULT"]  # type: ignore[attr-defined]
        raise ValueError(f"weights={weights!r} is not one of {options} for {name}") from err
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
