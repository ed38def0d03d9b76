"""Measured receptive field of one unit, by autograd, beside the analytic one.

The analytic field (:func:`vizkit.summary.receptive_field`) is the square of input pixels that *can*
influence one unit; the measured ("true") field is ``|∂ unit / ∂ input|``: which pixels *do*
influence it, and how strongly, for the model's actual weights. For a chain of convolutions and
average pools with positive weights the two have the same extent; max pooling, ReLU and trained
weights make the measured one smaller and centre-weighted (Luo et al. 2016, "effective receptive
field").
"""

from __future__ import annotations

import copy
import math
from dataclasses import dataclass

import numpy as np
import torch
from torch import nn

from vizkit._suggest import did_you_mean
from vizkit._validate import (
    check_int,
    check_memory,
    check_optional_int,
    check_shape,
    check_str,
    describe,
)
from vizkit.inspect._args import run_model
from vizkit.summary.prepare import check_model

__all__ = ["GradientField", "gradient_receptive_field"]


@dataclass(frozen=True)
class GradientField:
    """Measured receptive field of one unit.

    Attributes:
        map: ``|∂ unit / ∂ input|`` summed over input channels, shape ``(H, W)``.
        unit: ``(channel, row, col)`` of the unit in the layer's output; channel -1 = all.
        box: ``(top, left, bottom, right)`` inclusive bounds of the nonzero gradient, or None
            when the gradient is zero everywhere.
    """

    map: np.ndarray
    unit: tuple[int, int, int]
    box: tuple[int, int, int, int] | None

    @property
    def size(self) -> tuple[int, int]:
        """Extent ``(h, w)`` of :attr:`box` (``(0, 0)`` when empty)."""
        if self.box is None:
            return (0, 0)
        top, left, bottom, right = self.box
        return (bottom - top + 1, right - left + 1)


class _Stop(Exception):
    """Raised by the capture hook to skip the layers after the one of interest."""


def gradient_receptive_field(
    model: nn.Module,
    image: torch.Tensor | tuple[int, ...],
    layer: str,
    *,
    channel: int | None = None,
    position: tuple[int, int] | None = None,
) -> GradientField:
    """Measure which input pixels influence one unit of ``layer``, by autograd.

    A copy of the model runs in eval mode on ``image``; the forward stops at ``layer``.

    Args:
        model: any ``nn.Module``; not modified (a deep copy is used).
        image: input ``(C, H, W)`` tensor, or an input size ``(C, H, W)`` for a uniform-random
            image (seed 0).
        layer: dotted module name whose output is ``(1, C', H', W')``.
        channel: output channel of the unit; None sums all channels at that position.
        position: ``(row, col)`` in the layer's output; None is the centre.

    Returns:
        A :class:`GradientField` with the ``(H, W)`` map.

    Raises:
        TypeError: ``model`` is not a module, or an argument has the wrong kind.
        ValueError: unknown layer (closest names suggested), non-spatial output,
            ``channel`` / ``position`` outside the output, an empty image or one holding
            NaN/inf, a model that cannot run on it, or a size above the memory budget.
    """
    check_model(model)
    if isinstance(image, torch.Tensor):
        check_shape("image", image, ndim=3, layout="(C, H, W)")
        if image.is_complex() or image.dtype == torch.bool:
            raise TypeError(f"image must hold real numbers, got dtype {image.dtype}")
        x = image.detach().clone().float()
    elif isinstance(image, tuple | list):
        if len(image) != 3:
            raise ValueError(
                f"image size {tuple(image)} must be (C, H, W), three numbers: e.g. (3, 64, 64)"
            )
        shape = tuple(check_int("image", s, minimum=1, fix="every size is ≥ 1") for s in image)
        check_memory(
            8 * math.prod(shape) * 4,
            name="image",
            value=tuple(image),
            what="a random image of that size, its gradient and the model's activations",
            fix="use a smaller (C, H, W) size",
        )
        x = torch.rand(shape, generator=torch.Generator().manual_seed(0))
    else:
        raise TypeError(
            f"image must be a (C, H, W) tensor or a size (C, H, W) such as (3, 64, 64), got "
            f"{describe(image)}"
        )
    check_str("layer", layer)
    channel = check_optional_int("channel", channel, minimum=0, fix="channels count from 0")
    if position is not None:
        if not isinstance(position, tuple | list) or len(position) != 2:
            raise TypeError(
                f"position must be a (row, col) pair of ints or None, got {describe(position)}"
            )
        position = (
            check_int("position", position[0], minimum=0),
            check_int("position", position[1], minimum=0),
        )
    modules = dict(model.named_modules())
    if layer not in modules or layer == "":
        raise ValueError(
            did_you_mean(
                layer, modules, what="layer", where="names come from model.named_modules()"
            )
        )
    clone = copy.deepcopy(model).eval()
    modules = dict(clone.named_modules())
    device = next((p.device for p in clone.parameters()), torch.device("cpu"))
    x = x.to(device)[None].requires_grad_(True)
    captured: list[torch.Tensor] = []

    def hook(_module: nn.Module, _args: object, output: object) -> None:
        if isinstance(output, tuple | list) and output:
            output = output[0]
        if isinstance(output, torch.Tensor):
            captured.append(output)
        raise _Stop

    handle = modules[layer].register_forward_hook(hook)
    try:
        with torch.enable_grad():
            run_model(clone, x, "image")
    except _Stop:
        pass
    finally:
        handle.remove()
    if not captured or captured[0].dim() != 4:
        raise ValueError(f"layer {layer!r} must give a (N, C, H, W) output to pick a unit")
    out = captured[0]
    _, c_out, h_out, w_out = out.shape
    row, col = position if position is not None else (h_out // 2, w_out // 2)
    if not (0 <= row < h_out and 0 <= col < w_out):
        raise ValueError(
            f"position {(row, col)} is outside the {h_out}×{w_out} output of {layer!r}"
        )
    if channel is not None and not 0 <= channel < c_out:
        raise ValueError(f"channel {channel} is outside 0..{c_out - 1} of {layer!r}")
    unit = out[0, :, row, col].sum() if channel is None else out[0, channel, row, col]
    if not unit.requires_grad:
        raise ValueError(
            f"layer {layer!r}'s output does not depend on the image through autograd (it is "
            "detached or computed without gradients): pick another layer"
        )
    (grad,) = torch.autograd.grad(unit, x)
    grad_map = grad[0].abs().sum(0).cpu().numpy()
    rows, cols = np.nonzero(grad_map)
    box = None
    if rows.size:
        box = (int(rows.min()), int(cols.min()), int(rows.max()), int(cols.max()))
    return GradientField(grad_map, (-1 if channel is None else channel, row, col), box)
