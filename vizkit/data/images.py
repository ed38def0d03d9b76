"""``load_image``: the pictures people actually have, as one predictable float array.

Whatever arrives — a path, raw bytes, an open file; RGB, RGBA, grey, palette, 16-bit, a phone
photo with an EXIF rotation — comes out as an ``(H, W, 3)`` ``float32`` array in ``[0, 1]``.
Everything that changes the picture beyond that conversion (compositing transparency on a
background, downscaling a huge photo) is reported, never done silently.
"""

from __future__ import annotations

import io
import os
import warnings
from pathlib import Path
from typing import IO

import numpy as np
from PIL import Image, ImageOps, UnidentifiedImageError

__all__ = ["ImageLoadError", "ImageSource", "load_image"]

ImageSource = str | os.PathLike[str] | bytes | bytearray | memoryview | IO[bytes]

_SIXTEEN_BIT_MODES = frozenset({"I;16", "I;16B", "I;16L", "I;16N", "I"})


class ImageLoadError(ValueError):
    """The data is not a readable image (not an image at all, truncated, or unsupported)."""


def _open(source: ImageSource) -> tuple[Image.Image, str]:
    """Open ``source`` with Pillow; returns the image and a name for messages."""
    if isinstance(source, (bytes, bytearray, memoryview)):
        data, name = bytes(source), f"<{len(source)} bytes>"
        if not data:
            raise ImageLoadError(
                "the bytes given to load_image are empty: pass an image file's bytes"
            )
        fp: IO[bytes] = io.BytesIO(data)
    elif isinstance(source, (str, os.PathLike)):
        path = Path(source)
        name = str(path)
        if not path.exists():
            raise FileNotFoundError(
                f"no image file at {name!r}: check the path (the working folder is {os.getcwd()})"
            )
        if path.is_dir():
            raise IsADirectoryError(f"{name!r} is a folder, not an image file: pass one file")
        fp = io.BytesIO(path.read_bytes())
    elif hasattr(source, "read"):
        name = str(getattr(source, "name", "<file object>"))
        data = source.read()
        if isinstance(data, str):
            raise TypeError(
                f"the file object {name!r} is open in text mode: open it with 'rb' (binary)"
            )
        fp = io.BytesIO(data)
    else:
        raise TypeError(
            f"source must be a path, bytes or a binary file object, got {type(source).__name__}: "
            "pass e.g. 'photo.jpg', Path('photo.jpg'), open('photo.jpg', 'rb') or its bytes"
        )
    try:
        image = Image.open(fp)
        image.load()  # decode now, so truncation surfaces here and not later
    except UnidentifiedImageError:
        raise ImageLoadError(
            f"{name} is not an image Pillow can read (PNG, JPEG, GIF, BMP, TIFF, WebP, ...): "
            "check that the file really is a picture"
        ) from None
    except Image.DecompressionBombError as err:
        raise ImageLoadError(
            f"{name} is too large to decode safely ({err}): shrink it with an image editor first"
        ) from None
    except (OSError, SyntaxError, ValueError) as err:
        raise ImageLoadError(
            f"{name} could not be decoded: it looks truncated or corrupt ({err}); "
            "re-download or re-export the file"
        ) from None
    return image, name


def _to_float_rgb(
    image: Image.Image, background: tuple[float, float, float], integer_scale: float
) -> np.ndarray:
    """Convert any Pillow mode to ``(H, W, 3)`` float32 in [0, 1]."""
    mode = image.mode
    if integer_scale != 1.0:  # 16-bit (or 32-bit integer) grey, possibly resized as "F"
        grey = np.asarray(image, dtype=np.float64) / integer_scale
        return np.repeat(grey[..., None], 3, axis=2).astype(np.float32)
    if mode == "F":
        grey = np.asarray(image, dtype=np.float64)
        low, high = float(grey.min(initial=0)), float(grey.max(initial=0))
        if low < 0 or high > 1:
            warnings.warn(
                f"floating-point image with values in [{low:.3g}, {high:.3g}] was rescaled "
                "to [0, 1]",
                stacklevel=3,
            )
            grey = (grey - low) / (high - low) if high > low else np.zeros_like(grey)
        return np.repeat(grey[..., None], 3, axis=2).astype(np.float32)
    if mode == "P":
        image = image.convert("RGBA" if "transparency" in image.info else "RGB")
    elif mode in ("LA", "PA", "La", "RGBa"):
        image = image.convert("RGBA")
    if image.mode == "RGBA":
        rgba = np.asarray(image, dtype=np.float32) / 255.0
        alpha = rgba[..., 3:4]
        bg = np.asarray(background, dtype=np.float32)
        # Transparent pixels hide arbitrary colours; compositing shows what a viewer shows.
        return (rgba[..., :3] * alpha + bg * (1.0 - alpha)).astype(np.float32)
    if image.mode != "RGB":
        image = image.convert("RGB")  # L, 1, CMYK, YCbCr, LAB, HSV
    return np.asarray(image, dtype=np.float32) / 255.0


def load_image(
    source: ImageSource,
    *,
    max_size: int | None = 2048,
    background: tuple[float, float, float] = (1.0, 1.0, 1.0),
) -> np.ndarray:
    """Load a user's image as an ``(H, W, 3)`` float32 array with values in ``[0, 1]``.

    Handles RGB, RGBA and LA (composited on ``background``), grey (repeated to three
    channels), palette (with or without transparency), 16-bit grey (divided by 65535), CMYK,
    and EXIF orientation (the picture is turned the way a phone shows it).

    Args:
        source: A path (``str`` or ``os.PathLike``), the file's bytes, or a binary file
            object (e.g. ``open(path, "rb")`` or an upload widget's ``io.BytesIO``).
        max_size: Longest side allowed, in pixels; a larger image is downscaled (aspect
            ratio kept) with a ``UserWarning`` saying so. ``None`` keeps the full size.
        background: RGB colour in ``[0, 1]`` that transparent pixels are composited on.

    Returns:
        ``(H, W, 3)`` ``float32`` array in ``[0, 1]`` (a new array; the source is not changed).

    Raises:
        TypeError: ``source`` is of another kind, or a file object is open in text mode.
        FileNotFoundError: The path does not exist.
        IsADirectoryError: The path is a folder.
        ImageLoadError: (a ``ValueError``) the data is not an image, or is truncated/corrupt.
        ValueError: ``max_size`` below 1 or ``background`` outside ``[0, 1]``.
    """
    if max_size is not None and (isinstance(max_size, bool) or not isinstance(max_size, int)):
        raise TypeError(f"max_size must be an int or None, got {max_size!r}")
    if max_size is not None and max_size < 1:
        raise ValueError(f"max_size {max_size} is below 1: pass a positive size or None")
    if len(background) != 3 or not all(0.0 <= float(c) <= 1.0 for c in background):
        raise ValueError(
            f"background {background!r} must be three numbers in [0, 1], e.g. (1.0, 1.0, 1.0)"
        )
    image, name = _open(source)
    image = ImageOps.exif_transpose(image) or image
    integer_scale = 1.0
    if image.mode in _SIXTEEN_BIT_MODES:
        # Mode "I" also holds 8-bit data promoted by some writers; judge by the values.
        high = image.getextrema()[1]
        integer_scale = 65535.0 if image.mode != "I" or float(high) > 255 else 255.0
    width, height = image.size
    if max_size is not None and max(width, height) > max_size:
        scale = max_size / max(width, height)
        new = (max(1, round(width * scale)), max(1, round(height * scale)))
        if image.mode in _SIXTEEN_BIT_MODES or image.mode == "F":
            image = image.convert("F").resize(new, Image.Resampling.LANCZOS)
        else:
            image = image.resize(new, Image.Resampling.LANCZOS)
        warnings.warn(
            f"{name} is {width}×{height} pixels; downscaled to {new[0]}×{new[1]} "
            f"(max_size={max_size}); pass max_size=None to keep the full size",
            stacklevel=2,
        )
    array = _to_float_rgb(image, background, integer_scale)
    # Only rounding (compositing, Lanczos overshoot) can leave [0, 1] here.
    return np.ascontiguousarray(np.clip(array, 0.0, 1.0).astype(np.float32, copy=False))
