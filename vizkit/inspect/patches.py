"""Top-k activating patches: which parts of which images make one channel fire most.

Each channel's strongest unit per image is found with :func:`capture_activations`; the input
region that unit sees (its receptive field) is cropped from the image. The field is the layer
table's (:func:`vizkit.inspect.summarize`), propagated tensor by tensor on the meta device, so
parallel branches (Inception) and shortcut paths (ResNet's downsample convs) are joined as the
union of what each branch sees, not stacked in series.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import torch
from torch import nn

from vizkit._validate import check_int, check_memory, check_shape, describe
from vizkit.inspect._args import check_layer, check_model, model_device, run_model
from vizkit.inspect.activations import capture_activations, resolve_layers
from vizkit.inspect.modes import eval_mode
from vizkit.summary.summarize import summarize

if TYPE_CHECKING:
    from vizkit.summary.table import BlockRow, LayerRow

__all__ = ["LayerField", "TopPatches", "layer_field", "top_patches"]


@dataclass(frozen=True)
class LayerField:
    """Receptive field of a layer's units: ``size``, ``jump`` and ``start`` per axis ``(h, w)``.

    ``start`` is the input coordinate of the centre of unit ``(0, 0)`` (pixel ``i`` has centre
    ``i``); unit ``(row, col)`` is centred at ``start + (row, col) · jump``. ``exact`` is False
    where an op on the way was approximated (``size`` is then an upper bound).
    """

    size: tuple[int, int]
    jump: tuple[float, float]
    start: tuple[float, float]
    exact: bool = True

    def centre(self, row: int, col: int) -> tuple[float, float]:
        """Input coordinate ``(y, x)`` of the centre of unit ``(row, col)``'s field."""
        return (self.start[0] + row * self.jump[0], self.start[1] + col * self.jump[1])

    def box(self, row: int, col: int) -> tuple[int, int, int, int]:
        """Input box ``(top, left, bottom, right)`` (bottom/right exclusive) of unit ``(row, col)``;
        may extend past the image where the field reaches into the padding."""
        y, x = self.centre(row, col)
        top = round(y - (self.size[0] - 1) / 2)
        left = round(x - (self.size[1] - 1) / 2)
        return top, left, top + self.size[0], left + self.size[1]


def layer_field(
    model: nn.Module, layer: str, example: torch.Tensor | tuple[int, ...]
) -> LayerField:
    """Receptive field of ``layer``'s units, branch-aware, from :func:`summarize`.

    Where branches meet (a residual addition, an inception concatenation) the field is the
    union of the branches' fields, as in the layer table: ResNet-18's ``layer2`` sees 99×99
    pixels with jump 8, not the 131 / 16 of chaining every window in call order.

    Args:
        model: The model (not modified: the table runs on a meta-device copy).
        layer: Dotted module name, a leaf (``"layer2.0.conv1"``) or a block (``"layer2"``).
        example: One input batch ``(1, C, H, W)``, or one sample's size ``(C, H, W)``.

    Returns:
        A :class:`LayerField`.

    Raises:
        ValueError: Unknown layer (closest names suggested), it did not run, or its output has
            no spatial grid.
    """
    resolve_layers(model, layer)  # unknown names: the same message as capture_activations
    size = tuple(example.shape[1:]) if isinstance(example, torch.Tensor) else tuple(example)
    table = summarize(model, size)
    # a block's own field (its output's), else the leaf's first call; resolve_layers above
    # has already rejected names the model does not have
    entry: LayerRow | BlockRow | None = None
    if any(b.name == layer for b in table.blocks):
        entry = table.block(layer)
    elif any(r.name == layer for r in table.all_rows):
        entry = table.row(layer)
    if entry is None or entry.output_shape is None:
        raise ValueError(f"layer {layer!r} did not run in the forward pass")
    rf = entry.receptive_field
    if rf is None:
        raise ValueError(
            f"layer {layer!r} outputs {entry.output_shape}, not (N, C, H, W): it has no "
            "receptive field to crop; pick a conv or pooling layer before the flatten"
        )
    return LayerField(rf.int_size, rf.jump, rf.start, rf.exact)


@dataclass(frozen=True)
class TopPatches:
    """The ``k`` strongest responses of one channel, with the input patches behind them.

    Attributes:
        layer, channel: Which channel.
        patches: ``(k, fh, fw, 3)`` float32 crops in [0, 1] (grey where the field leaves the
            image).
        scores: ``(k,)`` activation values, strongest first.
        image_index: ``(k,)`` index into the images.
        position: ``(k, 2)`` unit ``(row, col)`` in the layer's output.
        boxes: ``(k, 4)`` ``(top, left, bottom, right)`` in image pixels (may reach outside).
        field_size: ``(fh, fw)``.
    """

    layer: str
    channel: int
    patches: np.ndarray
    scores: np.ndarray
    image_index: np.ndarray
    position: np.ndarray
    boxes: np.ndarray
    field_size: tuple[int, int]


def _display(images: torch.Tensor) -> np.ndarray:
    """Model-normalised images → ``(N, H, W, 3)`` in [0, 1], min-max per image."""
    x = images.detach().float().cpu()
    low = x.amin(dim=(1, 2, 3), keepdim=True)
    high = x.amax(dim=(1, 2, 3), keepdim=True)
    x = (x - low) / (high - low).clamp_min(1e-12)
    if x.shape[1] == 1:
        x = x.expand(-1, 3, -1, -1)
    return x[:, :3].permute(0, 2, 3, 1).numpy()


@torch.no_grad()
def top_patches(
    model: nn.Module,
    layer: str,
    images: torch.Tensor,
    *,
    channel: int,
    k: int = 9,
    display: np.ndarray | None = None,
    batch_size: int = 64,
) -> TopPatches:
    """Find the ``k`` images where ``channel`` of ``layer`` responds most, and crop the field.

    One patch per image (its strongest unit), so the ``k`` patches come from ``k`` images.

    Args:
        model: The model (evaluated in eval mode; every submodule's own mode is restored
            afterwards, also when the forward raises).
        layer: Dotted name of a layer with 4-D output.
        images: ``(N, C, H, W)`` batch, normalised as the model expects.
        channel: Output channel of ``layer``.
        k: Patches to return (at most ``N``).
        display: ``(N, H, W, 3)`` images in [0, 1] to crop from; default: ``images``
            min-max scaled per image.
        batch_size: Images per forward pass.

    Returns:
        A :class:`TopPatches`.

    Raises:
        TypeError: an argument of the wrong kind (``images`` not a tensor, ``k`` not an int …).
        ValueError: Unknown layer, output not 4-D, ``channel`` out of range, ``k`` or
            ``batch_size`` < 1, empty images or NaN/inf in them, ``display`` of another shape.
    """
    check_model(model)
    check_layer(model, layer)
    if not isinstance(images, torch.Tensor):
        raise TypeError(
            f"images must be a torch.Tensor (N, C, H, W), got {describe(images)}: stack "
            "pictures with vizkit.data.image_to_tensor(..., batch=True) and torch.cat"
        )
    check_shape("images", images, ndim=4, layout="(N, C, H, W)")
    if images.is_complex() or images.dtype == torch.bool:
        raise TypeError(f"images must hold real numbers, got dtype {images.dtype}: use .float()")
    channel = check_int("channel", channel, minimum=0, fix="channels count from 0")
    k = check_int("k", k, minimum=1, fix="ask for k=1 or more patches")
    batch_size = check_int("batch_size", batch_size, minimum=1)
    n = images.shape[0]
    pictures = None
    if display is not None:
        check_shape("display", display, ndim=4, layout="(N, H, W, 3)")
        pictures = np.asarray(display, dtype=np.float32)
        if pictures.shape[0] != n or pictures.shape[3] != 3:
            raise ValueError(
                f"display must be (N, H, W, 3) with N = {n} (one picture per image), got shape "
                f"{pictures.shape}: pass the pictures the images were made from, or None"
            )
    device = model_device(model)
    best_values, best_flat = [], []
    with eval_mode(model):
        for start in range(0, n, batch_size):
            with capture_activations(model, layer) as acts:
                run_model(model, images[start : start + batch_size].to(device), "images")
            out = acts.get(layer)
            if out is None or out.dim() != 4:
                shape = None if out is None else tuple(out.shape)
                raise ValueError(
                    f"layer {layer!r} outputs {shape}, not (N, C, H, W): pick a convolution or "
                    "pooling layer before the flatten"
                )
            if not 0 <= channel < out.shape[1]:
                raise ValueError(
                    f"channel {channel} is out of range: {layer!r} has {out.shape[1]} channels "
                    f"(0..{out.shape[1] - 1})"
                )
            maps = out[:, channel].flatten(1).float().cpu()
            values, flat = maps.max(dim=1)
            best_values.append(values)
            best_flat.append(flat)
        out_w = out.shape[-1]
        field = layer_field(model, layer, tuple(images.shape[1:]))
    fh, fw = field.size
    check_memory(
        min(k, n) * fh * fw * 3 * 4,
        name="layer",
        value=layer,
        what=f"{min(k, n)} patches of its {fh}×{fw} receptive field",
        fix="pick an earlier layer or a smaller k",
    )
    values, flat = torch.cat(best_values), torch.cat(best_flat)
    order = torch.argsort(values, descending=True)[: min(k, len(values))]
    if pictures is None:
        pictures = _display(images)
    crops, boxes, positions = [], [], []
    for idx in order.tolist():
        row, col = divmod(int(flat[idx]), out_w)
        top, left, bottom, right = field.box(row, col)
        picture = pictures[idx]
        crop = np.full((fh, fw, 3), 0.5, dtype=np.float32)
        h, w = picture.shape[:2]
        t, lft, b, r = max(top, 0), max(left, 0), min(bottom, h), min(right, w)
        if t < b and lft < r:
            crop[t - top : b - top, lft - left : r - left] = picture[t:b, lft:r]
        crops.append(crop)
        boxes.append((top, left, bottom, right))
        positions.append((row, col))
    return TopPatches(
        layer=layer,
        channel=channel,
        patches=np.stack(crops),
        scores=values[order].numpy(),
        image_index=order.numpy(),
        position=np.array(positions, dtype=np.int64),
        boxes=np.array(boxes, dtype=np.int64),
        field_size=(fh, fw),
    )
