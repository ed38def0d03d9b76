"""From a picture to a model input: ``image_to_tensor``."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import torch
import torch.nn.functional as F

__all__ = ["image_to_tensor", "tensor_to_image"]


def image_to_tensor(
    image: np.ndarray,
    *,
    size: int | tuple[int, int] | None = None,
    channels: int = 3,
    mean: Sequence[float] | None = None,
    std: Sequence[float] | None = None,
) -> torch.Tensor:
    """Turn an ``(H, W, 3)`` image in [0, 1] into a ``(C, H', W')`` float tensor for a model.

    Args:
        image: ``(H, W, 3)`` (or ``(H, W)``) array in [0, 1], e.g. from
            :func:`vizkit.data.load_image`; not modified.
        size: Resize (bilinear, antialiased) to ``size × size`` or ``(h, w)``; ``None`` keeps it.
        channels: 3 (RGB) or 1 (the mean of R, G, B).
        mean, std: Per-channel normalisation ``(x - mean) / std`` (e.g. ImageNet's); ``None``:
            none. A single value applies to every channel.

    Returns:
        ``(channels, H', W')`` float32 tensor.

    Raises:
        ValueError: Wrong image shape or ``channels`` not 1 or 3.
    """
    array = np.asarray(image, dtype=np.float32)
    if array.ndim == 2:
        array = np.repeat(array[..., None], 3, axis=2)
    if array.ndim != 3 or array.shape[2] != 3:
        raise ValueError(f"image must be (H, W, 3) or (H, W), got shape {array.shape}")
    if channels not in (1, 3):
        raise ValueError(f"channels must be 1 or 3, got {channels}")
    x = torch.from_numpy(array.copy()).permute(2, 0, 1)
    if channels == 1:
        x = x.mean(dim=0, keepdim=True)
    if size is not None:
        hw = (size, size) if isinstance(size, int) else tuple(size)
        x = F.interpolate(x[None], size=hw, mode="bilinear", antialias=True, align_corners=False)[0]
    if mean is not None:
        x = x - torch.tensor(list(mean), dtype=x.dtype).view(-1, 1, 1)
    if std is not None:
        x = x / torch.tensor(list(std), dtype=x.dtype).view(-1, 1, 1)
    return x.contiguous()


def tensor_to_image(x: torch.Tensor) -> np.ndarray:
    """A model input ``(C, H, W)`` or ``(1, C, H, W)`` back to a displayable ``(H, W, 3)`` image.

    The values are min-max scaled to [0, 1] (undoing any normalisation up to an affine
    map, which is all a picture needs); one channel is repeated to three.

    Args:
        x: Tensor with 1 or 3 channels (not modified).

    Returns:
        ``(H, W, 3)`` float32 array in [0, 1].

    Raises:
        ValueError: Wrong shape.
    """
    t = x.detach().float().cpu()
    if t.dim() == 4 and t.shape[0] == 1:
        t = t[0]
    if t.dim() != 3 or t.shape[0] not in (1, 3):
        raise ValueError(f"x must be (C, H, W) with C in (1, 3), got {tuple(x.shape)}")
    t = (t - t.min()) / (t.max() - t.min()).clamp_min(1e-12)
    if t.shape[0] == 1:
        t = t.expand(3, -1, -1)
    return np.ascontiguousarray(t.permute(1, 2, 0).numpy(), dtype=np.float32)
