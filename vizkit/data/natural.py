"""Natural photographs bundled with scikit-image (no download), as float RGB arrays."""

from __future__ import annotations

import numpy as np

from vizkit._suggest import suggestion
from vizkit._validate import check_names, check_str

__all__ = ["BUNDLED_IMAGES", "NATURAL_IMAGES", "natural_image", "natural_images"]

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

BUNDLED_IMAGES: tuple[str, ...] = (
    *NATURAL_IMAGES,
    "brick",
    "camera",
    "cell",
    "checkerboard",
    "clock",
    "coins",
    "grass",
    "gravel",
    "horse",
    "hubble_deep_field",
    "logo",
    "microaneurysms",
    "moon",
    "page",
    "shepp_logan_phantom",
    "text",
)
"""Every ``skimage.data`` picture that loads offline (grey ones included)."""


def natural_image(name: str = "astronaut") -> np.ndarray:
    """One bundled scikit-image picture as ``(H, W, 3)`` float32 in ``[0, 1]``.

    Args:
        name: A ``skimage.data`` function name, e.g. ``"astronaut"``, ``"coffee"``, ``"camera"``
            (grey images are repeated to three channels; RGBA is composited on white).

    Returns:
        ``(H, W, 3)`` float32 array in ``[0, 1]``.

    Raises:
        TypeError: ``name`` is not a str.
        ValueError: ``name`` is not one of :data:`BUNDLED_IMAGES` (the pictures of
            ``skimage.data`` that load offline).
    """
    from skimage import data

    _check_name("name", name)
    array = np.asarray(getattr(data, name)())
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
    """Several bundled pictures (see :func:`natural_image`), in the order given.

    Raises:
        TypeError: ``names`` is a single str (pass a list) or holds non-strings.
        ValueError: a name is not one of :data:`BUNDLED_IMAGES`.
    """
    names = check_names("names", names, what="picture name")
    for n in names:
        _check_name("names", n)
    return [natural_image(n) for n in names]


def _check_name(param: str, name: object) -> str:
    check_str(param, name)
    if name not in BUNDLED_IMAGES:
        raise ValueError(
            f"{param}: {name!r} is not an image in skimage.data that loads offline: "
            f"{suggestion(name, BUNDLED_IMAGES, what='picture', shown=8)}"
        )
    return name  # type: ignore[return-value]
