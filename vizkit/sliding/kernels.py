"""Classic hand-made kernels (numpy): edges, blur, sharpen, Gabor.

The filters a CNN's first layer learns look like these (oriented edges, blobs, Gabor-like
stripes); applying them to a photo shows what "a feature map" means before any training.

Example:
    >>> k = classic_kernels()
    >>> sorted(k)[:3]
    ['blur (box 3×3)', 'blur (gaussian 5×5)', 'edges (laplacian)']
    >>> float(k["blur (box 3×3)"].sum())
    1.0
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from vizkit._validate import check_bool, check_int, check_number

__all__ = ["classic_kernels", "gabor"]


def gabor(
    frequency: float = 0.2,
    theta: float = 0.0,
    sigma: float | None = 3.0,
    *,
    size: int | None = None,
    zero_mean: bool = True,
) -> NDArray[np.float64]:
    """Real part of a Gabor kernel (``skimage.filters.gabor_kernel``): the one Gabor of vizkit.

    Args:
        frequency: cycles per pixel of the stripes (0 < frequency ≤ 0.5).
        theta: orientation in radians.
        sigma: width of the Gaussian envelope in pixels (> 0); None for skimage's default,
            which follows the frequency (a bandwidth of one octave).
        size: side of the returned square kernel (centre-cropped or zero-padded to it); None
            keeps skimage's size (about 6σ + 1).
        zero_mean: subtract the mean, so a flat patch gives 0 (a pure edge/stripe detector).

    Returns:
        A square ``float64`` kernel.

    Raises:
        TypeError: an argument of the wrong kind.
        ValueError: ``frequency`` outside (0, 0.5], ``sigma`` outside 0.1 … 100 pixels,
            ``size`` outside 1 … 1024, or NaN/inf.

    Example:
        >>> gabor(0.25, size=7).shape
        (7, 7)
    """
    frequency = check_number(
        "frequency",
        frequency,
        above=0.0,
        maximum=0.5,
        fix=f"frequency {frequency!r} is outside (0, 0.5] cycles per pixel: stripes finer "
        "than 2 pixels alias; use e.g. 0.2",
    )
    theta = check_number("theta", theta, fix="an angle in radians, e.g. numpy.pi / 4")
    if sigma is not None:
        sigma = check_number(
            "sigma", sigma, minimum=0.1, maximum=100.0, fix="use e.g. 3 pixels (0.1 … 100)"
        )
    if size is not None:
        size = check_int("size", size, minimum=1, maximum=1024, fix="use e.g. 11 (1 … 1024)")
    zero_mean = check_bool("zero_mean", zero_mean)
    from skimage.filters import gabor_kernel

    kernel: NDArray[np.float64] = np.real(
        gabor_kernel(frequency, theta=theta, sigma_x=sigma, sigma_y=sigma)  # type: ignore[no-untyped-call]
    ).astype(np.float64)
    if zero_mean:
        kernel = kernel - kernel.mean()
    if size is None:
        return kernel
    out = np.zeros((size, size))
    kh, kw = kernel.shape
    # centre-crop or centre-pad to size × size
    src_r, dst_r = max((kh - size) // 2, 0), max((size - kh) // 2, 0)
    src_c, dst_c = max((kw - size) // 2, 0), max((size - kw) // 2, 0)
    h, w = min(kh, size), min(kw, size)
    out[dst_r : dst_r + h, dst_c : dst_c + w] = kernel[src_r : src_r + h, src_c : src_c + w]
    return out


def classic_kernels() -> dict[str, NDArray[np.float64]]:
    """Name → kernel (2D float64) for the lecture's classic filters."""
    g1 = np.array([1.0, 4.0, 6.0, 4.0, 1.0])
    return {
        "identity": np.pad(np.ones((1, 1)), 1),
        "blur (box 3×3)": np.full((3, 3), 1 / 9),
        "blur (gaussian 5×5)": np.outer(g1, g1) / 256,
        "sharpen": np.array([[0.0, -1, 0], [-1, 5, -1], [0, -1, 0]]),
        "edges (sobel x)": np.array([[-1.0, 0, 1], [-2, 0, 2], [-1, 0, 1]]),
        "edges (sobel y)": np.array([[-1.0, -2, -1], [0, 0, 0], [1, 2, 1]]),
        "edges (laplacian)": np.array([[0.0, 1, 0], [1, -4, 1], [0, 1, 0]]),
        "gabor 0°": gabor(0.2, 0.0),
        "gabor 45°": gabor(0.2, np.pi / 4),
    }
