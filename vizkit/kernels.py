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

__all__ = ["classic_kernels", "gabor"]


def gabor(frequency: float = 0.2, theta: float = 0.0, sigma: float = 3.0) -> np.ndarray:
    """Real part of a Gabor kernel (``skimage.filters.gabor_kernel``), zero-mean.

    Args:
        frequency: cycles per pixel of the stripes (0 < frequency ≤ 0.5).
        theta: orientation in radians.
        sigma: width of the Gaussian envelope in pixels (> 0).

    Returns:
        A square ``float64`` kernel.

    Raises:
        ValueError: ``frequency`` or ``sigma`` out of range.
    """
    if not 0 < frequency <= 0.5:
        raise ValueError(f"frequency {frequency} is outside (0, 0.5] cycles per pixel: "
                         "stripes finer than 2 pixels alias; use e.g. 0.2")
    if sigma <= 0:
        raise ValueError(f"sigma {sigma} must be > 0 pixels: use e.g. 3")
    from skimage.filters import gabor_kernel

    kernel = np.real(gabor_kernel(frequency, theta=theta, sigma_x=sigma, sigma_y=sigma))
    return kernel - kernel.mean()


def classic_kernels() -> dict[str, np.ndarray]:
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
