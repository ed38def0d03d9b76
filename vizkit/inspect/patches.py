"""Top-k activating patches: which parts of which images make one channel fire most.

Each channel's strongest unit per image is found with :func:`capture_activations`; the input
region that unit sees (its receptive field) is cropped from the image. The field comes from
the chain of sliding windows (``Conv2d``, ``MaxPool2d``, ``AvgPool2d``) that ran before the
layer, in call order, via :func:`vizkit.geometry.receptive_field_chain` — exact for chains
(LeNet, AlexNet, VGG), an upper bound where branches merge (ResNet, Inception).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch
from torch import nn

from vizkit.geometry import Window, receptive_field_chain
from vizkit.inspect.activations import capture_activations, resolve_layers

__all__ = ["TopPatches", "layer_field", "top_patches"]

_WINDOWS = (nn.Conv2d, nn.MaxPool2d, nn.AvgPool2d)


@dataclass(frozen=True)
class LayerField:
    """Receptive field of a layer's units: ``size``, ``jump`` and ``start`` per axis ``(h, w)``."""

    size: tuple[int, int]
    jump: tuple[int, int]
    start: tuple[float, float]

    def box(self, row: int, col: int) -> tuple[int, int, int, int]:
        """Input box ``(top, left, bottom, right)`` (bottom/right exclusive) of unit ``(row, col)``;
        may extend past the image where the field reaches into the padding."""
        top = round(self.start[0] + row * self.jump[0] - (self.size[0] - 1) / 2)
        left = round(self.start[1] + col * self.jump[1] - (self.size[1] - 1) / 2)
        return top, left, top + self.size[0], left + self.size[1]


def layer_field(model: nn.Module, layer: str, example: torch.Tensor) -> LayerField:
    """Receptive field of ``layer``'s units, from the windows that run before it.

    Args:
        model: The model (run once, no gradients, in its current mode).
        layer: Dotted module name.
        example: One input batch ``(1, C, H, W)``.

    Returns:
        A :class:`LayerField`.

    Raises:
        ValueError: Unknown layer, or it did not run.
    """
    target = resolve_layers(model, layer)[layer]
    order: list[nn.Module] = []
    handles = []
    done = [False]

    def record(module: nn.Module, args: object, output: object) -> None:
        if not done[0] and isinstance(module, _WINDOWS):
            order.append(module)

    def stop(module: nn.Module, args: object, output: object) -> None:
        done[0] = True

    try:
        for module in model.modules():
            handles.append(module.register_forward_hook(record))
        handles.append(target.register_forward_hook(stop))
        with torch.no_grad():
            model(example)
    finally:
        for h in handles:
            h.remove()
    if not done[0]:
        raise ValueError(f"layer {layer!r} did not run in the forward pass")
    windows = []
    for m in order:
        padding = m.padding if not isinstance(m.padding, str) else 0
        if isinstance(m, nn.Conv2d) and m.padding == "same":
            padding = tuple(d * (k - 1) // 2 for k, d in zip(m.kernel_size, m.dilation,
                                                             strict=True))
        dilation = getattr(m, "dilation", 1)
        windows.append(Window(m.kernel_size, m.stride or m.kernel_size, padding, dilation))
    if not windows:
        return LayerField((1, 1), (1, 1), (0.0, 0.0))
    rf = receptive_field_chain(windows)[-1]
    return LayerField(rf.size, rf.jump, rf.start)


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
        model: The model (evaluated in eval mode; its mode is restored).
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
        ValueError: Unknown layer, output not 4-D, ``channel`` out of range, ``k`` < 1.
    """
    if k < 1:
        raise ValueError(f"k {k} must be at least 1")
    if images.dim() != 4:
        raise ValueError(f"images must be (N, C, H, W), got {tuple(images.shape)}")
    device = next(model.parameters()).device
    was_training = model.training
    model.eval()
    best_values, best_flat = [], []
    try:
        for start in range(0, len(images), batch_size):
            with capture_activations(model, layer) as acts:
                model(images[start : start + batch_size].to(device))
            out = acts[layer]
            if out.dim() != 4:
                raise ValueError(f"layer {layer!r} outputs {tuple(out.shape)}, not (N, C, H, W)")
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
        field = layer_field(model, layer, images[:1].to(device))
    finally:
        model.train(was_training)
    values, flat = torch.cat(best_values), torch.cat(best_flat)
    order = torch.argsort(values, descending=True)[: min(k, len(values))]
    pictures = _display(images) if display is None else np.asarray(display, dtype=np.float32)
    fh, fw = field.size
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
