"""Natural photographs bundled with scikit-image (no download), as float RGB arrays."""

from __future__ import annotations

import numpy as np

__all__ = ["NATURAL_IMAGES", "natural_image", "natural_images"]

NATURAL_IMAGES: tuple[str, ...] = (
    "astronaut",
    "chelsea",
    "coffee",
    "rocket",
    "immunohistochemistry",
    "retina",
    "cat",
    "colorwheel",
)
"""Colour photos that ship with scikit-image and load offline."""


def natural_image(name: str = "astronaut") -> np.ndarray:
    """One bundled scikit-image picture as ``(H, W, 3)`` float32 in ``[0, 1]``.

    Args:
        name: A ``skimage.data`` function name, e.g. ``"astronaut"``, ``"coffee"``, ``"camera"``
            (grey images are repeated to three channels; RGBA is composited on white).

    Returns:
        ``(H, W, 3)`` float32 array in ``[0, 1]``.

    Raises:
        ValueError: ``name`` is not an image in ``skimage.data``.
    """
    from skimage import data

    loader = getattr(data, name, None)
    if loader is None or not callable(loader) or name.startswith("_"):
        raise ValueError(
            f"{name!r} is not an image in skimage.data: try one of {', '.join(NATURAL_IMAGES)}"
        )
    array = np.asarray(loader())
    if array.dtype == bool:
        array = array.astype(np.float32)
    elif np.issubdtype(array.dtype, np.integer):
        array = array.astype(np.float32) / float(np.iinfo(array.dtype).max)
    else:
        array = array.astype(np.float32)
    if array.ndim == 2:
        array = np.repeat(array[..., None], 3, axis=2)
    if array.shape[-1] == 4:
        alpha = array[..., 3:4]
        array = array[..., :3] * alpha + (1.0 - alpha)
    return np.ascontiguousarray(array[..., :3], dtype=np.float32)


def natural_images(names: tuple[str, ...] = NATURAL_IMAGES) -> list[np.ndarray]:
    """Several bundled pictures (see :func:`natural_image`), in the order given."""
    return [natural_image(n) for n in names]
