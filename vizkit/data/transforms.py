"""From a picture to a model input: ``image_to_tensor``."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import torch
import torch.nn.functional as F

from vizkit._validate import (
    check_bool,
    check_memory,
    check_number,
    check_pair,
    check_sequence,
    check_shape,
    describe,
)

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
        TypeError: ``image`` is not a numpy array of numbers, or an option of the wrong kind.
        ValueError: Wrong image shape, empty, NaN/inf, ``channels`` not 1, 3 or None, a size
            below 1 or above the memory budget, ``std`` ≤ 0, ``mean``/``std`` of the wrong
            length, or an unknown device.
    """
    if isinstance(image, torch.Tensor):
        raise TypeError(
            f"image must be a numpy array (H, W, 3), got a torch tensor of shape "
            f"{tuple(image.shape)}: it is already a tensor (use it as it is, or "
            "vizkit.data.tensor_to_image to get a picture back)"
        )
    if not isinstance(image, np.ndarray):
        if hasattr(image, "mode") and hasattr(image, "convert"):  # a PIL image
            raise TypeError(
                "image must be a numpy array (H, W, 3) in [0, 1], got a PIL image: load it "
                "with vizkit.data.load_image, which handles every mode"
            )
        raise TypeError(f"image must be a numpy array (H, W, 3) in [0, 1], got {describe(image)}")
    if image.dtype.kind not in "iuf":
        raise TypeError(
            f"image must hold real numbers, got dtype {image.dtype}: e.g. image.astype(float)"
        )
    check_shape("image", image, ndim=(2, 3), layout="(H, W, 3) or (H, W)")
    if channels is not None and (isinstance(channels, bool) or not isinstance(channels, int)):
        raise TypeError(f"channels must be 1, 3 or None, got {describe(channels)}")
    if channels not in (1, 3, None):
        raise ValueError(f"channels must be 1, 3 or None (keep the image's), got {channels}")
    batch = check_bool("batch", batch)
    hw = None if size is None else check_pair("size", size, minimum=1)
    out_h, out_w = hw or image.shape[:2]
    c_out = channels or (image.shape[2] if image.ndim == 3 else 1)
    check_memory(
        (image.size + 2 * c_out * out_h * out_w) * 4,
        name="size" if hw is not None else "image",
        value=size if hw is not None else f"<array {image.shape}>",
        what=f"a ({c_out}, {out_h}, {out_w}) float32 tensor",
        fix="use a smaller size",
    )
    stats = {}
    for name, values in (("mean", mean), ("std", std)):
        if values is None:
            continue
        if isinstance(values, (int, float)) and not isinstance(values, bool):
            values = [values]
        entries = check_sequence(name, values, what="numbers, one per channel")
        if len(entries) not in (1, c_out):
            raise ValueError(
                f"{name} has {len(entries)} values but the tensor has {c_out} channel(s): "
                "give one value per channel, or one for all"
            )
        stats[name] = [
            check_number(
                name,
                v,
                above=0.0 if name == "std" else None,
                fix="a standard deviation is positive, e.g. 0.229" if name == "std" else None,
            )
            for v in entries
        ]
    target = None if device is None else _device(device)
    array = np.asarray(image, dtype=np.float32)
    if array.ndim == 2:
        array = array[..., None] if channels is None else np.repeat(array[..., None], 3, axis=2)
    if channels is None:
        if array.ndim != 3 or array.shape[2] not in (1, 3):
            raise ValueError(f"image must be (H, W, 1), (H, W, 3) or (H, W), got {array.shape}")
    elif array.ndim != 3 or array.shape[2] != 3:
        raise ValueError(f"image must be (H, W, 3) or (H, W), got shape {array.shape}")
    if not np.isfinite(array).all():
        raise ValueError("image contains NaN or infinite values: clean them first")
    x = torch.from_numpy(np.ascontiguousarray(array.transpose(2, 0, 1)))
    if channels == 1:
        x = x.mean(dim=0, keepdim=True)
    if hw is not None:
        x = F.interpolate(x[None], size=hw, mode="bilinear", antialias=True, align_corners=False)[0]
    if "mean" in stats:
        x = x - torch.tensor(stats["mean"], dtype=x.dtype).view(-1, 1, 1)
    if "std" in stats:
        x = x / torch.tensor(stats["std"], dtype=x.dtype).view(-1, 1, 1)
    x = x.contiguous()
    if batch:
        x = x[None]
    return x if target is None else x.to(target)


def _device(device: object) -> torch.device:
    """``device`` as a ``torch.device`` ("cpu", "cuda:0", a torch.device)."""
    if not isinstance(device, str | torch.device):
        raise TypeError(
            f"device must be a str such as 'cpu' or a torch.device, got {describe(device)}"
        )
    try:
        return torch.device(device)
    except RuntimeError as err:
        raise ValueError(
            f"device {device!r} is not a device torch knows ({err}): use 'cpu', 'cuda' or 'mps'"
        ) from None


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
        TypeError: ``x`` is not a tensor of real numbers, or ``rescale`` not a bool.
        ValueError: Wrong shape, empty, or NaN/inf values.
    """
    if not isinstance(x, torch.Tensor):
        raise TypeError(f"x must be a torch.Tensor (C, H, W), got {describe(x)}")
    check_shape("x", x, ndim=(3, 4), layout="(C, H, W) or (1, C, H, W)")
    rescale = check_bool("rescale", rescale)
    if x.is_complex() or x.dtype == torch.bool:
        raise TypeError(f"x must hold real numbers, got dtype {x.dtype}")
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
