"""Where does the evidence for a class come from? Input-gradient saliency and Grad-CAM.

- Saliency (Simonyan et al. 2014): ``|∂ score / ∂ input|``, the largest over colour channels.
- Grad-CAM (Selvaraju et al. 2017): a layer's feature maps weighted by the spatially averaged
  gradient of the score, summed, ReLU'd, and upsampled to the input.

Gradients are taken with ``torch.autograd.grad`` on the input (or the captured feature maps)
only, so the model's ``.grad`` fields are never touched.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from vizkit._validate import check_optional_int
from vizkit.inspect._args import check_image, check_layer, check_model, model_device, run_model
from vizkit.inspect.activations import resolve_layers
from vizkit.inspect.modes import eval_mode

__all__ = ["Attribution", "grad_cam", "saliency_map"]


@dataclass(frozen=True)
class Attribution:
    """A heat map over the input for one class.

    Attributes:
        heatmap: ``(H, W)`` float32, non-negative; Grad-CAM is scaled to [0, 1].
        target: The class explained.
        score: The model's logit for ``target``.
        probability: Its softmax probability.
        method: ``"saliency"`` or ``"grad_cam"``.
        layer: The Grad-CAM layer (``None`` for saliency).
    """

    heatmap: np.ndarray
    target: int
    score: float
    probability: float
    method: str
    layer: str | None = None


def _prepare(model: object, image: object, target: object) -> torch.Tensor:
    check_model(model)
    x = check_image(image)
    check_optional_int("target", target, minimum=0, fix="pass a class index 0, 1, … or None")
    assert isinstance(model, nn.Module)
    return x.detach().to(model_device(model)).clone().requires_grad_(True)


def _score(logits: object, target: int | None) -> tuple[torch.Tensor, int, float]:
    if not isinstance(logits, torch.Tensor) or logits.dim() != 2 or logits.shape[0] != 1:
        shape = tuple(logits.shape) if isinstance(logits, torch.Tensor) else type(logits).__name__
        raise ValueError(
            f"model must return (1, classes) logits to explain a class, got {shape}: pass a "
            "classifier (its last layer a Linear), or the logits' part of its output"
        )
    if target is None:
        target = int(logits.argmax(1))
    if not 0 <= target < logits.shape[1]:
        raise ValueError(
            f"target {target} is out of range: the model has {logits.shape[1]} classes "
            f"(0..{logits.shape[1] - 1})"
        )
    prob = float(logits.detach().softmax(1)[0, target])
    return logits[0, target], target, prob


@contextlib.contextmanager
def _eval(model: nn.Module) -> Iterator[None]:
    with eval_mode(model), torch.enable_grad():
        yield


def saliency_map(
    model: nn.Module, image: torch.Tensor, *, target: int | None = None
) -> Attribution:
    """Input-gradient saliency: how much each pixel's change would move the class score.

    Args:
        model: A classifier returning ``(1, classes)`` logits (evaluated in eval mode; every
            submodule's own mode is restored afterwards, also when the forward raises).
        image: ``(C, H, W)`` or ``(1, C, H, W)``, normalised as the model expects.
        target: Class to explain; default: the predicted class.

    Returns:
        An :class:`Attribution` with an ``(H, W)`` map (max over channels of ``|gradient|``).

    Raises:
        TypeError: ``model`` not a module, ``image`` not a tensor, ``target`` not an int.
        ValueError: Wrong image shape, NaN/inf in it, a model that cannot run on it or does
            not return ``(1, classes)`` logits, or ``target`` out of range.
    """
    x = _prepare(model, image, target)
    with _eval(model):
        score, target, prob = _score(run_model(model, x), target)
        (grad,) = torch.autograd.grad(score, x)
    heat = grad[0].abs().amax(dim=0).cpu().numpy().astype(np.float32)
    return Attribution(heat, target, float(score.detach()), prob, "saliency")


def grad_cam(
    model: nn.Module, image: torch.Tensor, layer: str, *, target: int | None = None
) -> Attribution:
    """Grad-CAM for ``target`` at ``layer``, upsampled (bilinear) to the image size.

    Args:
        model: A classifier returning ``(1, classes)`` logits (evaluated in eval mode; every
            submodule's own mode is restored afterwards, also when the forward raises).
        image: ``(C, H, W)`` or ``(1, C, H, W)``, normalised as the model expects.
        layer: Dotted name of a layer with 4-D output (usually the last conv block).
        target: Class to explain; default: the predicted class.

    Returns:
        An :class:`Attribution` with an ``(H, W)`` map in [0, 1] (all zeros when no
        feature map has positive evidence).

    Raises:
        TypeError: ``model``, ``image``, ``layer`` or ``target`` of the wrong kind.
        ValueError: Wrong image shape, unknown layer or non-4-D output, ``target`` out of range.
    """
    x = _prepare(model, image, target)
    module = resolve_layers(model, check_layer(model, layer))[layer]
    stored: list[torch.Tensor] = []

    def hook(mod: nn.Module, args: object, output: object) -> object:
        stored.append(output)  # type: ignore[arg-type]
        if isinstance(output, torch.Tensor):
            return output.clone()  # a later in-place op (ReLU) must not rewrite what we hold
        return None

    handle = module.register_forward_hook(hook)
    try:
        with _eval(model):
            logits = run_model(model, x)
            if not stored or not isinstance(stored[-1], torch.Tensor) or stored[-1].dim() != 4:
                shape = tuple(stored[-1].shape) if stored else None
                raise ValueError(
                    f"layer {layer!r} outputs {shape}, not (N, C, H, W): pick a convolution "
                    "or pooling layer before the flatten (usually the last conv block)"
                )
            score, target, prob = _score(logits, target)
            (grads,) = torch.autograd.grad(score, stored[-1])
    finally:
        handle.remove()
    maps = stored[-1].detach()
    weights = grads.mean(dim=(2, 3), keepdim=True)
    cam = F.relu((weights * maps).sum(dim=1, keepdim=True))
    cam = F.interpolate(cam, size=x.shape[-2:], mode="bilinear", align_corners=False)[0, 0]
    high = float(cam.max())
    cam = cam / high if high > 0 else cam
    return Attribution(
        cam.cpu().numpy().astype(np.float32), target, float(score.detach()), prob, "grad_cam", layer
    )
