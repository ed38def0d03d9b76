"""Images in and out of Deep Image Prior: validation, PSNR, and fitting sizes to the network.

Images are ``(H, W, 3)`` (or ``(H, W)`` grey) float arrays in ``[0, 1]``; ``uint8`` arrays are
accepted and converted (``/ 255``), PIL images go through :func:`vizkit.data.load_image`'s
conversion (the package has one: 16-bit, alpha, palette transparency, EXIF orientation, a
bounded downscale of huge pictures). Inputs are never modified.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import torch

from vizkit._validate import check_memory, check_shape, describe

__all__ = [
    "Framing",
    "SizeNotice",
    "apply_frame",
    "as_image",
    "frame",
    "psnr",
]


class SizeNotice(UserWarning):
    """Warned when an image is padded or cropped to fit the network (never done silently)."""


def as_image(image: Any, name: str = "image", *, channels: int | None = None) -> np.ndarray:
    """Validate an image and return a new float32 ``(H, W, C)`` array in ``[0, 1]``.

    Args:
        image: ``(H, W, 3)``, ``(H, W, 1)`` or ``(H, W)`` array (float in ``[0, 1]`` or
            ``uint8``), or a PIL image (converted exactly as :func:`vizkit.data.load_image`
            converts a file: always three channels, transparency on white, EXIF orientation,
            16-bit / 65535, longest side at most 2048 with a warning).
        name: The parameter name to quote in error messages.
        channels: Required channel count, or ``None`` for any of 1 or 3.

    Returns:
        A fresh ``float32`` array of shape ``(H, W, C)`` (never a view of the input).

    Raises:
        TypeError: Not an array or PIL image, or a non-numeric dtype.
        ValueError: Wrong number of dimensions or channels, an empty image, non-finite values,
            float values outside ``[0, 1]``, or an array whose float32 copy would exceed the
            memory budget.
    """
    if hasattr(image, "mode") and hasattr(image, "convert"):  # a PIL image, without importing PIL
        from vizkit.data.images import load_image

        # The package's one picture conversion (as load_image for a file): 16-bit → /65535,
        # alpha and palette transparency composited on white, EXIF orientation applied.
        image = load_image(image)
    if isinstance(image, torch.Tensor):
        raise TypeError(
            f"{name} must be a numpy array or PIL image (H, W, 3), got a torch "
            f"tensor of shape {tuple(image.shape)}: pass tensor.cpu().numpy() in "
            "(H, W, 3) layout"
        )
    if not isinstance(image, np.ndarray):
        raise TypeError(
            f"{name} must be a numpy array or PIL image of shape (H, W, 3), got "
            f"{type(image).__name__}: load it with skimage.io.imread or PIL.Image.open"
        )
    if (
        image.dtype == bool
        or not np.issubdtype(image.dtype, np.number)
        or (np.issubdtype(image.dtype, np.complexfloating))
    ):
        raise TypeError(f"{name} has dtype {image.dtype}; use floats in [0, 1] or uint8 0–255")
    if image.ndim not in (2, 3) or 0 in image.shape:
        raise ValueError(
            f"{name} has shape {image.shape}; expected (H, W, 3) colour or (H, W) "
            "grey (channels last) with at least one pixel"
        )
    check_memory(
        image.size * 4 * 2,
        name=name,
        value=f"<array {image.shape}>",
        what="its float32 copy",
        fix="downscale the picture first (e.g. vizkit.data.load_image(path, max_size=1024))",
    )
    if image.dtype == np.uint8:
        arr = image.astype(np.float32) / 255.0
    else:
        arr = image.astype(np.float32)  # astype copies, so the caller's array is untouched
    if arr.ndim == 2:
        arr = arr[:, :, None]
    channels_first = arr.ndim == 3 and arr.shape[0] in (1, 3) and arr.shape[2] not in (1, 3)
    if arr.ndim != 3 or arr.shape[2] not in (1, 3, 4) or channels_first:
        raise ValueError(
            f"{name} has shape {image.shape}; expected (H, W, 3) colour or (H, W) "
            "grey (channels last): transpose a (3, H, W) array with "
            ".transpose(1, 2, 0)"
        )
    if arr.shape[2] == 4:
        raise ValueError(f"{name} has 4 channels (RGBA); drop alpha with {name}[..., :3]")
    if channels is not None and arr.shape[2] != channels:
        raise ValueError(
            f"{name} has {arr.shape[2]} channel(s) but channels={channels} are needed here: "
            "convert it (e.g. skimage.color.gray2rgb) to match the other image"
        )
    if not np.isfinite(arr).all():
        raise ValueError(f"{name} contains NaN or infinite values: clean them first")
    lo, hi = float(arr.min()), float(arr.max())
    if lo < 0.0 or hi > 1.0:
        raise ValueError(
            f"{name} values span [{lo:.3g}, {hi:.3g}] but must lie in [0, 1]: "
            "divide 0–255 values by 255 (or pass uint8), or clip"
        )
    return arr


def psnr(image: torch.Tensor | np.ndarray, reference: torch.Tensor | np.ndarray) -> float:
    """Peak signal-to-noise ratio in dB with data range 1: ``10·log10(1 / MSE)``.

    Equals ``skimage.metrics.peak_signal_noise_ratio(reference, image, data_range=1)``
    (computed in float64 so they agree to ~1e-6 dB), but runs on the tensors' device.
    Numpy arrays (the ``(H, W, 3)`` images a notebook holds) are accepted as well.

    Args:
        image: Estimate, any shape (tensor or array).
        reference: Ground truth, same shape.

    Returns:
        PSNR in dB (``inf`` for identical images).

    Raises:
        TypeError: not a tensor or array of real numbers.
        ValueError: the shapes differ, an empty image, or NaN/inf values.
    """
    for name, value in (("image", image), ("reference", reference)):
        if not isinstance(value, torch.Tensor | np.ndarray):
            raise TypeError(f"{name} must be a tensor or numpy array, got {describe(value)}")
        if value.dtype == bool or str(value.dtype).startswith(("torch.bool", "torch.complex")):
            raise TypeError(f"{name} must hold real numbers, got dtype {value.dtype}")
        if isinstance(value, np.ndarray) and value.dtype.kind not in "iuf":
            raise TypeError(f"{name} must hold real numbers, got dtype {value.dtype}")
        check_shape(name, value, ndim=tuple(range(1, 6)), layout="(H, W, C) or (N, C, H, W)")
    image_t, reference_t = torch.as_tensor(image), torch.as_tensor(reference)
    if image_t.shape != reference_t.shape:
        raise ValueError(
            f"image shape {tuple(image_t.shape)} differs from reference shape "
            f"{tuple(reference_t.shape)}: compare images of the same size"
        )
    mse = torch.mean((image_t.detach().double() - reference_t.detach().double()) ** 2).item()
    return math.inf if mse == 0 else 10.0 * math.log10(1.0 / mse)


@dataclass(frozen=True)
class Framing:
    """How an ``(H, W)`` image was fitted to a network's multiple.

    Attributes:
        height, width: Original size.
        top, left: Offset of the kept region inside the original (crop mode), else 0.
        fitted_height, fitted_width: Size the network sees.
        mode: ``"pad"`` (the network draws a larger canvas, extended at the bottom/right; the
            loss sees only the original pixels and the result is cropped back to ``(H, W)``)
            or ``"crop"`` (centre crop; the result has the fitted size).
    """

    height: int
    width: int
    top: int
    left: int
    fitted_height: int
    fitted_width: int
    mode: Literal["pad", "crop"]

    @property
    def changed(self) -> bool:
        return (self.height, self.width) != (self.fitted_height, self.fitted_width)

    @property
    def out_height(self) -> int:
        return self.height if self.mode == "pad" else self.fitted_height

    @property
    def out_width(self) -> int:
        return self.width if self.mode == "pad" else self.fitted_width


def frame(
    height: int,
    width: int,
    multiple: int,
    min_size: int,
    *,
    mode: Literal["pad", "crop"] = "pad",
    what: str = "image",
) -> Framing:
    """Fit a size to a network whose input sides must be multiples of ``multiple``.

    Warns a :class:`SizeNotice` when the size changes (never a silent misalignment).

    Args:
        height, width: Image size.
        multiple: The network's multiple (``2**scales``).
        min_size: The network's smallest side.
        mode: ``"pad"`` up to the next multiple, or ``"crop"`` down (centred).
        what: How to call the image in messages.

    Returns:
        The :class:`Framing`.

    Raises:
        ValueError: The image is smaller than ``min_size``, or ``mode`` is unknown.
    """
    if mode not in ("pad", "crop"):
        raise ValueError(f"resize {mode!r} is not 'pad' or 'crop'")
    if min(height, width) < min_size:
        raise ValueError(
            f"{what} of {height}×{width} is too small for this network: each side needs at "
            f"least {min_size} pixels (the network halves the image down to 1/{multiple} and "
            f"the coarsest map must stay larger than its padding). Use a larger {what}, or a "
            "network with fewer scales (e.g. network=hourglass(scales=3))"
        )
    if mode == "pad":
        fh, fw = -(-height // multiple) * multiple, -(-width // multiple) * multiple
        top = left = 0
    else:
        fh, fw = height // multiple * multiple, width // multiple * multiple
        top, left = (height - fh) // 2, (width - fw) // 2
    framing = Framing(height, width, top, left, fh, fw, mode)
    if framing.changed:
        how = "extended at the bottom/right to" if mode == "pad" else "centre-cropped to"
        back = (
            "the network draws the larger canvas, the loss sees only the original "
            f"{height}×{width} pixels and the result is cropped back to them"
            if mode == "pad"
            else "the result has the cropped size"
        )
        warnings.warn(
            f"{what} of {height}×{width} {how} {fh}×{fw} (a multiple of {multiple} "
            f"for this network); {back}",
            SizeNotice,
            stacklevel=3,
        )
    return framing


def apply_frame(image: np.ndarray, framing: Framing) -> np.ndarray:
    """Pad or crop an ``(H, W, C)`` array as ``framing`` says (returns a new array)."""
    if framing.mode == "crop":
        return image[
            framing.top : framing.top + framing.fitted_height,
            framing.left : framing.left + framing.fitted_width,
        ].copy()
    ph, pw = framing.fitted_height - framing.height, framing.fitted_width - framing.width
    mode = "reflect" if ph < framing.height and pw < framing.width else "symmetric"
    return np.pad(image, ((0, ph), (0, pw), (0, 0)), mode=mode)
