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
    channels: int | None = 3,
    mean: Sequence[float] | None = None,
    std: Sequence[float] | None = None,
    batch: bool = False,
    device: torch.device | str | None = None,
) -> torch.Tensor:
    """Turn an ``(H, W, 3)`` image in [0, 1] into a ``(C, H', W')`` float tensor for a model.

    The one image → tensor conversion of vizkit (the model inputs of the inspect notebooks and
    the Deep Image Prior targets and masks alike).

    Args:
        image: ``(H, W, 3)`` (or ``(H, W)``) array in [0, 1], e.g. from
            :func:`vizkit.data.load_image`; not modified.
        size: Resize (bilinear, antialiased) to ``size × size`` or ``(h, w)``; ``None`` keeps it.
        channels: 3 (RGB; grey is repeated), 1 (the mean of R, G, B), or None to keep the
            image's own channels (``(H, W)`` → 1, ``(H, W, C)`` → C).
        mean, std: Per-channel normalisation ``(x - mean) / std`` (e.g. ImageNet's); ``None``:
            none. A single value applies to every channel.
        batch: add a leading batch dimension: ``(1, C, H', W')``.
        device: move the result there (default: the CPU).

    Returns:
        ``(channels, H', W')`` float32 tensor (``(1, channels, H', W')`` with ``batch``).

    Raises:
        ValueError: Wrong image shape or ``channels`` not 1 or 3.
    """
    array = np.asarray(image, dtype=np.float32)
    if array.ndim == 2:
        array = array[..., None] if channels is None else np.repeat(array[..., None], 3, axis=2)
    if channels is None:
        if array.ndim != 3 or array.shape[2] not in (1, 3):
            raise ValueError(f"image must be (H, W, 1), (H, W, 3) or (H, W), got {array.shape}")
    elif array.ndim != 3 or array.shape[2] != 3:
        raise ValueError(f"image must be (H, W, 3) or (H, W), got shape {array.shape}")
    if channels not in (1, 3, None):
        raise ValueError(f"channels must be 1, 3 or None (keep the image's), got {channels}")
    x = torch.from_numpy(np.ascontiguousarray(array.transpose(2, 0, 1)))
    if channels == 1:
        x = x.mean(dim=0, keepdim=True)
    if size is not None:
        hw = (size, size) if isinstance(size, int) else tuple(size)
        x = F.interpolate(x[None], size=hw, mode="bilinear", antialias=True, align_corners=False)[0]
    if mean is not None:
        x = x - torch.tensor(list(mean), dtype=x.dtype).view(-1, 1, 1)
    if std is not None:
        x = x / torch.tensor(list(std), dtype=x.dtype).view(-1, 1, 1)
    x = x.contiguous()
    if batch:
        x = x[None]
    return x if device is None else x.to(device)


def tensor_to_image(x: torch.Tensor, *, rescale: bool = True) -> np.ndarray:
    """A model input ``(C, H, W)`` or ``(1, C, H, W)`` back to a displayable ``(H, W, 3)`` image.

    With ``rescale`` (default) the values are min-max scaled to [0, 1] (undoing any
    normalisation up to an affine map, which is all a picture needs) and one channel is
    repeated to three. Without it the values and channels are kept as they are
    (``(H, W, C)``), e.g. a Deep Image Prior output that already lies in [0, 1].

    Args:
        x: Tensor with 1 or 3 channels (not modified); any device.
        rescale: min-max scale and make three channels.

    Returns:
        ``(H, W, 3)`` float32 array in [0, 1] (``(H, W, C)`` as is without ``rescale``); a
        copy on the CPU.

    Raises:
        ValueError: Wrong shape.
    """
    t = x.detach().float().cpu()
    if t.dim() == 4 and t.shape[0] == 1:
        t = t[0]
    if t.dim() != 3 or t.shape[0] not in (1, 3):
        raise ValueError(f"x must be (C, H, W) with C in (1, 3), got {tuple(x.shape)}")
    if not rescale:
        return np.ascontiguousarray(t.permute(1, 2, 0).numpy(), dtype=np.float32).copy()
    t = (t - t.min()) / (t.max() - t.min()).clamp_min(1e-12)
    if t.shape[0] == 1:
        t = t.expand(3, -1, -1)
    return np.ascontiguousarray(t.permute(1, 2, 0).numpy(), dtype=np.float32)
