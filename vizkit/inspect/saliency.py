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

from vizkit.inspect.activations import resolve_layers

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


def _prepare(model: nn.Module, image: torch.Tensor) -> torch.Tensor:
    if image.dim() == 3:
        image = image.unsqueeze(0)
    if image.dim() != 4 or image.shape[0] != 1:
        raise ValueError(f"image must be (C, H, W) or (1, C, H, W), got {tuple(image.shape)}")
    device = next(model.parameters()).device
    return image.detach().to(device).clone().requires_grad_(True)


def _score(logits: torch.Tensor, target: int | None) -> tuple[torch.Tensor, int, float]:
    if logits.dim() != 2:
        raise ValueError(f"the model must return (1, classes) logits, got {tuple(logits.shape)}")
    if target is None:
        target = int(logits.argmax(1))
    if not 0 <= target < logits.shape[1]:
        raise ValueError(
            f"target {target} is out of range: the model has {logits.shape[1]} classes"
        )
    prob = float(logits.detach().softmax(1)[0, target])
    return logits[0, target], target, prob


@contextlib.contextmanager
def _eval(model: nn.Module) -> Iterator[None]:
    was = model.training
    model.eval()
    try:
        with torch.enable_grad():
            yield
    finally:
        model.train(was)


def saliency_map(
    model: nn.Module, image: torch.Tensor, *, target: int | None = None
) -> Attribution:
    """Input-gradient saliency: how much each pixel's change would move the class score.

    Args:
        model: A classifier returning ``(1, classes)`` logits (evaluated in eval mode).
        image: ``(C, H, W)`` or ``(1, C, H, W)``, normalised as the model expects.
        target: Class to explain; default: the predicted class.

    Returns:
        An :class:`Attribution` with an ``(H, W)`` map (max over channels of ``|gradient|``).

    Raises:
        ValueError: Wrong image shape, or ``target`` out of range.
    """
    x = _prepare(model, image)
    with _eval(model):
        score, target, prob = _score(model(x), target)
        (grad,) = torch.autograd.grad(score, x)
    heat = grad[0].abs().amax(dim=0).cpu().numpy().astype(np.float32)
    return Attribution(heat, target, float(score.detach()), prob, "saliency")


def grad_cam(
    model: nn.Module, image: torch.Tensor, layer: str, *, target: int | None = None
) -> Attribution:
    """Grad-CAM for ``target`` at ``layer``, upsampled (bilinear) to the image size.

    Args:
        model: A classifier returning ``(1, classes)`` logits (evaluated in eval mode).
        image: ``(C, H, W)`` or ``(1, C, H, W)``, normalised as the model expects.
        layer: Dotted name of a layer with 4-D output (usually the last conv block).
        target: Class to explain; default: the predicted class.

    Returns:
        An :class:`Attribution` with an ``(H, W)`` map in [0, 1] (all zeros when no
        feature map has positive evidence).

    Raises:
        ValueError: Wrong image shape, unknown layer or non-4-D output, ``target`` out of range.
    """
    module = resolve_layers(model, layer)[layer]
    x = _prepare(model, image)
    stored: list[torch.Tensor] = []

    def hook(mod: nn.Module, args: object, output: torch.Tensor) -> torch.Tensor:
        stored.append(output)
        return output.clone()  # a later in-place op (ReLU) must not rewrite what we hold

    handle = module.register_forward_hook(hook)
    try:
        with _eval(model):
            logits = model(x)
            if not stored or stored[-1].dim() != 4:
                shape = tuple(stored[-1].shape) if stored else None
                raise ValueError(f"layer {layer!r} outputs {shape}, not (N, C, H, W)")
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
