"""Corruptions to restore: Gaussian noise, masks (text, random pixels, holes, your own), and
antialiased Lanczos down-sampling.

Masks are ``(H, W)`` float32 arrays with **1 = known pixel, 0 = hole**. The down-sampler is
one definition used twice: to make the low-resolution input, and inside the
super-resolution loss (so the network is asked to explain exactly what was observed).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import torch
import torch.nn.functional as F

from vizkit._validate import (
    check_int,
    check_memory,
    check_number,
    check_optional_int,
    check_pair,
    check_seed,
    check_shape,
    describe,
)
from vizkit.data.transforms import image_to_tensor, tensor_to_image
from vizkit.dip.framing import as_image

#: The largest down-sampling factor accepted (the paper uses 4 and 8; the 2-D Lanczos kernel
#: of factor f has (6f)² taps, so 1024 is already 150 MB).
MAX_FACTOR = 1024

__all__ = [
    "Downsampler",
    "add_noise",
    "downsample",
    "hole_mask",
    "lanczos_weights",
    "mask_from_image",
    "random_mask",
    "text_mask",
]


def _check_size(name: str, size: Any, bytes_per_pixel: int = 12) -> tuple[int, int]:
    """``size`` as ``(H, W)``, each ≥ 1, and a mask of it within the memory budget."""
    if isinstance(size, tuple | list) and len(size) == 3:
        size = tuple(size[:2])  # image.shape of a colour image: (H, W, C)
    h, w = check_pair(name, size, minimum=1)
    check_memory(
        h * w * bytes_per_pixel,
        name=name,
        value=size,
        what=f"a {h}×{w} mask",
        fix="pass the image's own size, e.g. image.shape[:2]",
    )
    return h, w


def _check_fraction(name: str, value: Any) -> float:
    return check_number(
        name, value, minimum=0.0, maximum=1.0, fix="it is a fraction in [0, 1] (0.5 = half)"
    )


def add_noise(image: Any, sigma: float, seed: int = 0) -> np.ndarray:
    """Add white Gaussian noise of standard deviation ``sigma / 255`` and clip to ``[0, 1]``.

    As in the paper's denoising experiments (σ = 25 on 0–255 images).

    Args:
        image: ``(H, W, 3)`` or ``(H, W)`` image in ``[0, 1]`` (or uint8 / PIL).
        sigma: Noise standard deviation in 0–255 units (≥ 0).
        seed: Seed of the noise (same seed → same noise).

    Returns:
        A new float32 ``(H, W, C)`` array in ``[0, 1]``.

    Raises:
        TypeError: ``sigma`` is not a number, ``seed`` not an int, or ``image`` not an image.
        ValueError: ``sigma`` is negative or not finite, or ``seed`` negative.
    """
    sigma = check_number("sigma", sigma, minimum=0.0, fix="it is in 0–255 units, e.g. 25")
    seed = check_seed(seed)
    clean = as_image(image)
    noise = np.random.default_rng(seed).normal(0.0, sigma / 255.0, clean.shape)
    return np.clip(clean + noise, 0.0, 1.0).astype(np.float32)


def random_mask(size: Any, drop: float = 0.5, seed: int = 0) -> np.ndarray:
    """Drop each pixel independently with probability ``drop``.

    Args:
        size: ``(H, W)`` or an int for a square.
        drop: Fraction of pixels to drop (0–1); the paper's restoration uses 0.5 and 0.98.
        seed: Random seed.

    Returns:
        ``(H, W)`` float32 mask, 1 = known, 0 = dropped.

    Raises:
        TypeError, ValueError: a size, fraction or seed of the wrong kind or value (a size
            whose mask would exceed the memory budget included).
    """
    h, w = _check_size("size", size)
    drop = _check_fraction("drop", drop)
    seed = check_seed(seed)
    return (np.random.default_rng(seed).random((h, w)) >= drop).astype(np.float32)


def hole_mask(size: Any, box: tuple[int, int, int, int] | None = None) -> np.ndarray:
    """A rectangular hole.

    Args:
        size: ``(H, W)`` or an int for a square.
        box: ``(top, left, height, width)`` of the hole; default: the central quarter
            (half the height × half the width).

    Returns:
        ``(H, W)`` float32 mask, 0 inside the box.

    Raises:
        ValueError: The box does not lie inside the image.
    """
    h, w = _check_size("size", size)
    if box is None:
        box = (h // 4, w // 4, h // 2, w // 2)
    if not isinstance(box, tuple | list) or len(box) != 4:
        raise TypeError(
            f"box must be four ints (top, left, height, width), got {describe(box)}: e.g. "
            f"box=({h // 4}, {w // 4}, {h // 2}, {w // 2})"
        )
    top, left, bh, bw = (check_int("box", v) for v in box)
    if top < 0 or left < 0 or bh < 1 or bw < 1 or top + bh > h or left + bw > w:
        raise ValueError(
            f"box {box} (top, left, height, width) does not fit inside {h}×{w}: "
            "keep top + height ≤ H and left + width ≤ W"
        )
    mask = np.ones((h, w), np.float32)
    mask[top : top + bh, left : left + bw] = 0.0
    return mask


def text_mask(
    size: Any, text: str | None = None, *, font_size: int | None = None, stroke: int = 0
) -> np.ndarray:
    """Text drawn over the image, as in the paper's text-inpainting example.

    Rendered with Pillow's built-in font (no font files needed), repeated line after line.

    Args:
        size: ``(H, W)`` or an int for a square.
        text: The words; default a lorem-ipsum line.
        font_size: Glyph height in pixels; default ``H // 12``.
        stroke: Extra stroke width in pixels (thicker letters hide more; 0 hides ~14%).

    Returns:
        ``(H, W)`` float32 mask, 0 where text covers the image.

    Raises:
        TypeError, ValueError: a size, text, ``font_size`` (1 … H) or ``stroke`` (0 … 64) of
            the wrong kind or value.
    """
    from PIL import Image, ImageDraw, ImageFont

    h, w = _check_size("size", size)
    if text is not None and not isinstance(text, str):
        raise TypeError(f"text must be a str or None, got {describe(text)}")
    font_size = check_optional_int("font_size", font_size, minimum=1, maximum=max(h, 8))
    stroke = check_int("stroke", stroke, minimum=0, maximum=64, fix="use 0 to 64 pixels")
    text = text or "Deep image prior fills what the text hides. "
    font_size = font_size or max(8, h // 12)
    font = ImageFont.load_default(size=font_size)
    canvas = Image.new("L", (w, h), 255)
    draw = ImageDraw.Draw(canvas)
    line = (text + " ") * (1 + 4 * w // max(1, font_size * len(text) // 2))
    for i, y in enumerate(range(font_size // 3, h, int(font_size * 1.6))):
        draw.text(
            (-(i * font_size) % (3 * font_size) - 2 * font_size, y),
            line,
            fill=0,
            font=font,
            stroke_width=stroke,
            stroke_fill=0,
        )
    return (np.asarray(canvas) > 127).astype(np.float32)


def mask_from_image(mask: Any, size: Any | None = None) -> np.ndarray:
    """Read a user mask: white / nonzero = known, black / zero = hole (threshold 0.5).

    Args:
        mask: PIL image or array, ``(H, W)`` or ``(H, W, C)`` (channels averaged), bool,
            uint8 or float in ``[0, 1]``.
        size: Expected ``(H, W)``; a mismatch raises instead of resizing silently.

    Returns:
        ``(H, W)`` float32 array of 0s and 1s.

    Raises:
        TypeError: ``mask`` is not an array or PIL image, or ``size`` not a size.
        ValueError: The size differs from ``size``, or the mask is not an image in [0, 1].
    """
    expected = None if size is None else _check_size("size", size, bytes_per_pixel=0)
    if isinstance(mask, np.ndarray) and mask.dtype == bool:
        mask = mask.astype(np.float32)
    arr = as_image(mask, "mask").mean(axis=2)
    if expected is not None and arr.shape != expected:
        raise ValueError(
            f"mask is {arr.shape[0]}×{arr.shape[1]} but the image is "
            f"{expected[0]}×{expected[1]}: resize the mask (nearest) to the image size"
        )
    return (arr >= 0.5).astype(np.float32)


def lanczos_weights(factor: int, a: int = 3) -> np.ndarray:
    """1-D Lanczos-``a`` anti-aliasing kernel for down-sampling by ``factor``.

    Tap ``j`` sits at offset ``d_j = (j + 0.5 - a·factor) / factor`` output pixels from the
    output pixel's centre and weighs ``sinc(d)·sinc(d / a)``; the ``2·a·factor`` taps are
    normalised to sum to 1. Pillow's ``Image.LANCZOS`` resize uses the same kernel.

    Args:
        factor: Integer down-sampling factor (≥ 2).
        a: Lanczos lobes (3 = Pillow's).

    Returns:
        ``(2·a·factor,)`` float64 weights.

    Raises:
        TypeError: ``factor`` or ``a`` is not an int.
        ValueError: ``factor`` below 1 or above 1024, ``a`` outside 1 … 16.
    """
    factor = check_int("factor", factor, minimum=1, maximum=MAX_FACTOR)
    a = check_int("a", a, minimum=1, maximum=16, fix="Pillow uses a=3")
    d = (np.arange(2 * a * factor) + 0.5 - a * factor) / factor
    w = np.sinc(d) * np.sinc(d / a)
    return w / w.sum()


class Downsampler(torch.nn.Module):
    """Antialiased ``factor``× down-sampling, ``(N, C, H, W)`` → ``(N, C, H/f, W/f)``.

    A separable Lanczos-3 filter (:func:`lanczos_weights`) applied with stride ``factor``.
    At the borders the taps that fall outside the image are dropped and the rest
    renormalised (dividing by the filtered all-ones image), exactly as Pillow does: output
    equals ``PIL.Image.resize((W/f, H/f), Image.LANCZOS)`` of a float image. Differentiable.

    Args:
        factor: Integer factor ≥ 2; ``H`` and ``W`` must be multiples of it.
    """

    def __init__(self, factor: int) -> None:
        super().__init__()
        factor = check_int(
            "factor", factor, minimum=2, maximum=MAX_FACTOR, fix="4 and 8 are the paper's"
        )
        self.factor = factor
        w = torch.from_numpy(lanczos_weights(factor)).float()
        self.register_buffer("kernel", torch.outer(w, w)[None, None], persistent=False)
        self.pad = (len(w) - factor) // 2

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if not isinstance(x, torch.Tensor):
            raise TypeError(f"x must be a (N, C, H, W) tensor, got {describe(x)}")
        check_shape("x", x, ndim=4, layout="(N, C, H, W)", finite=False)
        n, c, h, w = x.shape
        f = self.factor
        if h % f or w % f:
            raise ValueError(
                f"x: image of {h}×{w} is not a multiple of factor {f}: crop or pad it "
                f"to {h // f * f}×{w // f * f}"
            )
        k = self.kernel.to(x.dtype)
        flat = x.reshape(n * c, 1, h, w)
        num = F.conv2d(F.pad(flat, [self.pad] * 4), k, stride=f)
        ones = torch.ones(1, 1, h, w, device=x.device, dtype=x.dtype)
        den = F.conv2d(F.pad(ones, [self.pad] * 4), k, stride=f)
        return (num / den).reshape(n, c, h // f, w // f)


def downsample(image: Any, factor: int = 4) -> np.ndarray:
    """Make the low-resolution image for super-resolution (Lanczos, :class:`Downsampler`).

    Args:
        image: ``(H, W, C)`` image in ``[0, 1]``; ``H`` and ``W`` multiples of ``factor``.
        factor: Down-sampling factor.

    Returns:
        ``(H/factor, W/factor, C)`` float32 array, clipped to ``[0, 1]`` (Lanczos rings).

    Raises:
        TypeError, ValueError: not an image, a factor that is not an int from 2 to 1024, or
            sides that are not multiples of ``factor``.
    """
    factor = check_int("factor", factor, minimum=2, maximum=MAX_FACTOR, fix="use 2, 4 or 8")
    arr = as_image(image)
    with torch.no_grad():
        low = Downsampler(factor)(image_to_tensor(arr, channels=None, batch=True))
    return np.clip(tensor_to_image(low, rescale=False), 0.0, 1.0)
