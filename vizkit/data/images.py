"""``load_image``: the pictures people actually have, as one predictable float array.

Whatever arrives — a path, raw bytes, an open file, a PIL image; RGB, RGBA, grey, palette,
16-bit, a phone photo with an EXIF rotation — comes out as an ``(H, W, 3)`` ``float32`` array in
``[0, 1]``. This is the one picture conversion of the package: :func:`vizkit.dip.as_image` sends
PIL images through it too. Everything that changes the picture beyond that conversion
(compositing transparency on a background, downscaling a huge photo) is reported, never done
silently.

Memory stays bounded: a large JPEG is decoded already reduced (Pillow's ``draft``: the decoder
skips to 1/2, 1/4 or 1/8 scale, so a 12000×12000 photo never exists at full size), other
formats are downscaled with ``reducing_gap`` (a cheap box reduction first), the EXIF rotation
is applied after downscaling, and a result that would not fit vizkit's memory budget is
refused before it is allocated.
"""

from __future__ import annotations

import contextlib
import io
import os
import struct
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import IO

import numpy as np
from PIL import Image, UnidentifiedImageError

from vizkit._validate import MEMORY_BUDGET_BYTES, check_int, check_number, describe, human_bytes

__all__ = ["ImageLoadError", "ImageSource", "load_image"]

ImageSource = str | os.PathLike[str] | bytes | bytearray | memoryview | IO[bytes] | Image.Image

# EXIF orientation → the transpose that shows the picture upright (as ImageOps.exif_transpose).
_ORIENTATION = {
    2: Image.Transpose.FLIP_LEFT_RIGHT,
    3: Image.Transpose.ROTATE_180,
    4: Image.Transpose.FLIP_TOP_BOTTOM,
    5: Image.Transpose.TRANSPOSE,
    6: Image.Transpose.ROTATE_270,
    7: Image.Transpose.TRANSVERSE,
    8: Image.Transpose.ROTATE_90,
}

_SIXTEEN_BIT_MODES = frozenset({"I;16", "I;16B", "I;16L", "I;16N", "I"})


class ImageLoadError(ValueError):
    """The data is not a readable image (not an image at all, truncated, or unsupported)."""


def _open(source: ImageSource) -> tuple[Image.Image, str, bool]:
    """Open ``source`` with Pillow (not decoded yet); the image, a name for messages, and
    whether vizkit opened it (so it may decode it reduced)."""
    if isinstance(source, Image.Image):
        return source, f"<PIL image {source.mode} {source.width}×{source.height}>", False
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
                f"source: the file object {name!r} is open in text mode: open it with 'rb' (binary)"
            )
        fp = io.BytesIO(data)
    else:
        raise TypeError(
            f"source must be a path, bytes, a binary file object or a PIL image, got "
            f"{type(source).__name__}: pass e.g. 'photo.jpg', Path('photo.jpg'), "
            "open('photo.jpg', 'rb') or its bytes"
        )
    with _decode_errors(name), warnings.catch_warnings():
        # Pillow warns from 89 M pixels on; the memory here is bounded by decoding reduced and
        # by the budget check in _convert, and a downscale is reported by load_image itself.
        warnings.simplefilter("ignore", Image.DecompressionBombWarning)
        image = Image.open(fp)
    return image, name, True


@contextlib.contextmanager
def _decode_errors(name: str) -> Iterator[None]:
    """Turn Pillow's decoding errors into :class:`ImageLoadError` naming the file."""
    try:
        yield
    except ImageLoadError:
        raise
    except UnidentifiedImageError:
        raise ImageLoadError(
            f"{name} is not an image Pillow can read (PNG, JPEG, GIF, BMP, TIFF, WebP, ...): "
            "check that the file really is a picture"
        ) from None
    except Image.DecompressionBombError as err:
        raise ImageLoadError(
            f"{name} is too large to decode safely ({err}): shrink it with an image editor first"
        ) from None
    except (OSError, SyntaxError, ValueError, EOFError, IndexError, struct.error) as err:
        raise ImageLoadError(
            f"{name} could not be decoded: it looks truncated or corrupt ({err}); "
            "re-download or re-export the file"
        ) from None


def _to_float_rgb(
    image: Image.Image, background: tuple[float, float, float], integer_scale: float
) -> np.ndarray:
    """Convert any Pillow mode to ``(H, W, 3)`` float32 in [0, 1]."""
    mode = image.mode
    if integer_scale != 1.0:  # 16-bit (or 32-bit integer) grey, possibly resized as "F"
        grey = np.asarray(image, dtype=np.float32) / np.float32(integer_scale)
        return np.repeat(grey[..., None], 3, axis=2)
    if mode == "F":
        grey = np.asarray(image, dtype=np.float32)
        low, high = float(grey.min(initial=0)), float(grey.max(initial=0))
        if low < 0 or high > 1:
            warnings.warn(
                f"floating-point image with values in [{low:.3g}, {high:.3g}] was rescaled "
                "to [0, 1]",
                stacklevel=3,
            )
            grey = (grey - low) / (high - low) if high > low else np.zeros_like(grey)
        return np.repeat(grey[..., None], 3, axis=2)
    if mode == "P":
        image = image.convert("RGBA" if "transparency" in image.info else "RGB")
    elif mode in ("LA", "PA", "La", "RGBa"):
        image = image.convert("RGBA")
    if image.mode == "RGBA":
        rgba = np.asarray(image, dtype=np.float32) / np.float32(255.0)
        alpha = rgba[..., 3:4]
        bg = np.asarray(background, dtype=np.float32)
        # Transparent pixels hide arbitrary colours; compositing shows what a viewer shows.
        return rgba[..., :3] * alpha + bg * (np.float32(1.0) - alpha)
    if image.mode != "RGB":
        image = image.convert("RGB")  # L, 1, CMYK, YCbCr, LAB, HSV
    return np.asarray(image, dtype=np.float32) / np.float32(255.0)


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
        source: A path (``str`` or ``os.PathLike``), the file's bytes, a binary file
            object (e.g. ``open(path, "rb")`` or an upload widget's ``io.BytesIO``), or a
            PIL image (converted the same way; :func:`vizkit.dip.as_image` relies on it).
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
    if max_size is not None:
        max_size = check_int("max_size", max_size, minimum=1, fix="pass a positive size or None")
    if isinstance(background, (str, bytes)) or not hasattr(background, "__len__"):
        raise TypeError(
            f"background must be three numbers in [0, 1] such as (1.0, 1.0, 1.0), got "
            f"{describe(background)}"
        )
    if len(background) != 3:
        raise ValueError(
            f"background {background!r} must be three numbers in [0, 1], e.g. (1.0, 1.0, 1.0)"
        )
    bg = tuple(check_number("background", c, minimum=0.0, maximum=1.0) for c in background)
    image, name, ours = _open(source)
    return _convert(image, name, max_size, bg, reduce_on_decode=ours)


def _convert(
    image: Image.Image,
    name: str,
    max_size: int | None,
    background: tuple[float, ...],
    *,
    reduce_on_decode: bool,
) -> np.ndarray:
    """The one conversion: Pillow image → ``(H, W, 3)`` float32 in [0, 1], memory-bounded."""
    with _decode_errors(name):
        orientation = _orientation(image)
        width, height = image.size
        if width < 1 or height < 1:
            raise ImageLoadError(f"{name} has no pixels ({width}×{height}): pass a real picture")
        new = None
        if max_size is not None and max(width, height) > max_size:
            scale = max_size / max(width, height)
            new = (max(1, round(width * scale)), max(1, round(height * scale)))
            if reduce_on_decode and image.format == "JPEG":
                # The JPEG decoder can decode at 1/2, 1/4 or 1/8 scale directly: the
                # full-size picture is never in memory. It keeps at least `new` pixels.
                image.draft(None, new)  # type: ignore[arg-type]
        out = new or (width, height)
        decoded_w, decoded_h = image.size  # after draft: what the decoder will produce
        sample = 4 if image.mode in (*_SIXTEEN_BIT_MODES, "F") else 1
        decoded = decoded_w * decoded_h * max(1, len(image.getbands())) * sample
        budget_bytes = max(out[0] * out[1] * 3 * 4 * 2, 2 * decoded)  # result + a temporary
        if budget_bytes > MEMORY_BUDGET_BYTES:
            raise ValueError(
                f"max_size {max_size}: {name} is {width}×{height} pixels, and as a float32 "
                f"array it would need {human_bytes(budget_bytes)}, more than vizkit's memory "
                f"budget of {human_bytes(MEMORY_BUDGET_BYTES)}: pass max_size=2048 (or up to "
                "8192) to downscale it"
            )
        image.load()  # decode now, so truncation surfaces here and not later
        integer_scale = 1.0
        if image.mode in _SIXTEEN_BIT_MODES:
            # Mode "I" also holds 8-bit data promoted by some writers; judge by the values.
            high = image.getextrema()[1]
            integer_scale = 65535.0 if image.mode != "I" or float(high) > 255 else 255.0
        if new is not None:
            if image.mode in _SIXTEEN_BIT_MODES or image.mode == "F":
                image = image.convert("F")
            elif image.mode == "P":  # palette indices cannot be interpolated: colours first
                image = image.convert("RGBA" if "transparency" in image.info else "RGB")
            elif image.mode not in ("RGB", "RGBA", "L", "LA", "1", "CMYK"):
                image = image.convert("RGBA" if "A" in image.mode else "RGB")
            if image.mode == "1":
                image = image.convert("L")
            image = image.resize(new, Image.Resampling.LANCZOS, reducing_gap=3.0)
        if orientation in _ORIENTATION:  # after downscaling: the rotation copies fewer pixels
            image = image.transpose(_ORIENTATION[orientation])
        if new is not None:
            shown = (width, height) if orientation not in (5, 6, 7, 8) else (height, width)
            size = new if orientation not in (5, 6, 7, 8) else (new[1], new[0])
            warnings.warn(
                f"{name} is {shown[0]}×{shown[1]} pixels; downscaled to {size[0]}×{size[1]} "
                f"(max_size={max_size}); pass max_size=None to keep the full size",
                stacklevel=3,
            )
        array = _to_float_rgb(image, background, integer_scale)  # type: ignore[arg-type]
    # Only rounding (compositing, Lanczos overshoot) can leave [0, 1] here.
    np.clip(array, 0.0, 1.0, out=array)
    return np.ascontiguousarray(array, dtype=np.float32)


def _orientation(image: Image.Image) -> int:
    """The EXIF orientation tag (1 = upright) without decoding the pixels."""
    try:
        value = image.getexif().get(0x0112, 1)
    except Exception:  # a broken EXIF block must not stop the picture from loading
        return 1
    return value if isinstance(value, int) else 1
