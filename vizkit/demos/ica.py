"""Filters without training: ICA of natural-image patches, and a Gabor bank.

Independent component analysis of small patches cut from photographs finds localised,
oriented edge detectors and colour-opponent blobs (Olshausen & Field 1996; Bell & Sejnowski
1997) — the same two families AlexNet's first layer learns, and the simple cells of V1 that
Gabor functions model. Both work offline in seconds, so a notebook can show "what first
layers look like" even when no pretrained weights can be downloaded.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from vizkit._validate import (
    check_int,
    check_memory,
    check_number,
    check_seed,
    check_sequence,
    check_shape,
    describe,
)
from vizkit.sliding.kernels import gabor

__all__ = ["GaborBank", "ICAFilters", "gabor_bank", "ica_filters", "sample_patches"]


def sample_patches(
    images: Sequence[np.ndarray], *, patch_size: int, n_patches: int, seed: int = 0
) -> np.ndarray:
    """Random ``patch_size × patch_size`` RGB patches, spread evenly over ``images``.

    Args:
        images: ``(H, W, 3)`` float arrays, each at least ``patch_size`` on both sides.
        patch_size: Side of a patch in pixels.
        n_patches: How many patches in total.
        seed: Seed for the positions.

    Returns:
        ``(n_patches, 3, patch_size, patch_size)`` float64 array.

    Raises:
        TypeError: ``images`` is not a list of arrays, or a count of the wrong kind.
        ValueError: No images, an image smaller than a patch or not ``(H, W, 3)``, NaN/inf in
            an image, a count below 1, or patches above the memory budget.
    """
    images = _check_images(images)
    patch_size = check_int("patch_size", patch_size, minimum=1, maximum=64)
    n_patches = check_int("n_patches", n_patches, minimum=1)
    check_memory(
        n_patches * 3 * patch_size * patch_size * 8 * 3,
        name="n_patches",
        value=n_patches,
        what=f"{n_patches} patches of 3×{patch_size}×{patch_size} float64 values",
        fix="20000 patches are plenty",
    )
    seed = check_seed(seed)
    rng = np.random.default_rng(seed)
    per_image = np.diff(np.linspace(0, n_patches, len(images) + 1).round().astype(int))
    patches = []
    for i, (image, count) in enumerate(zip(images, per_image, strict=True)):
        image = np.asarray(image, dtype=np.float64)
        if image.ndim != 3 or image.shape[2] != 3:
            raise ValueError(f"images[{i}] has shape {image.shape}, expected (H, W, 3)")
        h, w = image.shape[:2]
        if h < patch_size or w < patch_size:
            raise ValueError(f"images[{i}] is {h}×{w}, smaller than patch_size {patch_size}")
        rows = rng.integers(0, h - patch_size + 1, count)
        cols = rng.integers(0, w - patch_size + 1, count)
        for r, c in zip(rows, cols, strict=True):
            patches.append(image[r : r + patch_size, c : c + patch_size].transpose(2, 0, 1))
    return np.stack(patches)


@dataclass(frozen=True)
class ICAFilters:
    """Independent components of natural-image patches.

    Attributes:
        filters: ``(n_components, 3, p, p)`` basis functions (columns of the mixing
            matrix: what each component "draws"), ordered by decreasing variance.
        patch_size: ``p``.
        n_patches: Patches used.
        converged: Whether FastICA converged within ``max_iter``.
    """

    filters: np.ndarray
    patch_size: int
    n_patches: int
    converged: bool


def ica_filters(
    images: Sequence[np.ndarray] | None = None,
    *,
    n_components: int = 64,
    patch_size: int = 11,
    n_patches: int = 20000,
    max_iter: int = 300,
    seed: int = 0,
) -> ICAFilters:
    """Learn first-layer-like filters with FastICA on natural-image patches.

    Each patch has its mean (over pixels and channels) removed, so the components describe
    structure — edges, bars, colour contrasts — rather than overall brightness.

    Args:
        images: ``(H, W, 3)`` float arrays in [0, 1]; default: scikit-image's bundled photos
            (:data:`vizkit.data.NATURAL_IMAGES`), no download.
        n_components: Filters to learn (64 = torchvision AlexNet's conv1).
        patch_size: Filter side in pixels (AlexNet: 11).
        n_patches: Patches sampled.
        max_iter: FastICA iterations.
        seed: Seeds the patch positions and FastICA.

    Returns:
        An :class:`ICAFilters`.

    Raises:
        TypeError: an argument of the wrong kind.
        ValueError: ``n_components`` above the patch dimension ``3·p²`` (or the patches) or
            below 1, ``max_iter`` outside 1 … 10000, bad images, or patches above the memory
            budget.
    """
    from sklearn.decomposition import FastICA
    from sklearn.exceptions import ConvergenceWarning

    patch_size = check_int("patch_size", patch_size, minimum=1, maximum=64)
    n_components = check_int("n_components", n_components)
    n_patches = check_int("n_patches", n_patches, minimum=1)
    max_iter = check_int("max_iter", max_iter, minimum=1, maximum=10_000)
    seed = check_seed(seed)
    dim = 3 * patch_size * patch_size
    if not 1 <= n_components <= dim:
        raise ValueError(f"n_components {n_components} must lie in 1..{dim} (3·patch_size²)")
    if n_components > n_patches:
        raise ValueError(
            f"n_components {n_components} is more than n_patches {n_patches}: FastICA needs "
            "at least as many patches as components"
        )
    if images is not None:
        images = _check_images(images)
    if images is None:
        from vizkit.data import natural_images

        images = natural_images()
    patches = sample_patches(images, patch_size=patch_size, n_patches=n_patches, seed=seed)
    flat = patches.reshape(len(patches), -1)
    flat = flat - flat.mean(axis=1, keepdims=True)
    ica = FastICA(
        n_components=n_components,
        whiten="unit-variance",
        max_iter=max_iter,
        random_state=seed,
        tol=1e-3,
    )
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", ConvergenceWarning)
        sources = ica.fit_transform(flat)
    converged = not any(issubclass(w.category, ConvergenceWarning) for w in caught)
    mixing = ica.mixing_.T  # (n_components, dim)
    order = np.argsort(-(sources.var(axis=0) * (mixing**2).sum(axis=1)))
    filters = mixing[order].reshape(n_components, 3, patch_size, patch_size)
    return ICAFilters(filters.astype(np.float32), patch_size, len(patches), converged)


@dataclass(frozen=True)
class GaborBank:
    """Real parts of Gabor kernels on a common square size.

    Attributes:
        kernels: ``(n, size, size)`` float array.
        frequencies: Spatial frequency (cycles/pixel) of each kernel.
        thetas: Orientation of each kernel in radians.
    """

    kernels: np.ndarray
    frequencies: tuple[float, ...]
    thetas: tuple[float, ...]


def gabor_bank(
    *,
    frequencies: Sequence[float] = (0.1, 0.2, 0.3),
    n_orientations: int = 8,
    size: int = 11,
) -> GaborBank:
    """A bank of Gabor kernels (``skimage.filters.gabor_kernel``), V1's simple-cell model.

    Args:
        frequencies: Spatial frequencies in cycles per pixel, each in ``(0, 0.5]``.
        n_orientations: Evenly spaced orientations in ``[0, π)``.
        size: Side of every kernel (centre-cropped or zero-padded to it).

    Returns:
        A :class:`GaborBank` of ``len(frequencies) · n_orientations`` kernels, orientation
        varying fastest.

    Raises:
        TypeError: an argument of the wrong kind.
        ValueError: A frequency outside ``(0, 0.5]``, ``n_orientations`` outside 1 … 360,
            ``size`` outside 1 … 255, no frequencies, or more than 4096 kernels.
    """
    n_orientations = check_int("n_orientations", n_orientations, minimum=1, maximum=360)
    size = check_int("size", size, minimum=1, maximum=255)
    values = check_sequence("frequencies", frequencies, what="numbers in (0, 0.5]")
    if not values:
        raise ValueError("frequencies is empty: give at least one, e.g. (0.1, 0.2, 0.3)")
    for f in values:
        check_number(
            "frequencies",
            f,
            above=0.0,
            maximum=0.5,
            fix=f"frequency {f!r} must lie in (0, 0.5] cycles per pixel",
        )
    if len(values) * n_orientations > 4096:
        raise ValueError(
            f"frequencies × n_orientations = {len(values)} × {n_orientations} kernels is more "
            "than 4096: a bank to look at needs a few dozen"
        )
    kernels, freqs, thetas = [], [], []
    for frequency in values:
        for k in range(n_orientations):
            theta = np.pi * k / n_orientations
            # skimage's default envelope (one octave), not zero-meaned: V1's simple cells
            kernels.append(gabor(frequency, theta, sigma=None, size=size, zero_mean=False))
            freqs.append(float(frequency))
            thetas.append(float(theta))
    return GaborBank(np.stack(kernels).astype(np.float32), tuple(freqs), tuple(thetas))


def _check_images(images: object) -> list[np.ndarray]:
    pictures = list(check_sequence("images", images, what="(H, W, 3) pictures"))
    if not pictures:
        raise ValueError("images is empty: pass at least one (H, W, 3) picture")
    for i, image in enumerate(pictures):
        if not isinstance(image, np.ndarray) or image.dtype.kind not in "iuf":
            raise TypeError(f"images[{i}] must be a numpy array of numbers, got {describe(image)}")
        if image.ndim != 3 or image.shape[2] != 3:
            raise ValueError(f"images[{i}] has shape {image.shape}, expected (H, W, 3)")
        check_shape(f"images[{i}]", image, ndim=3, layout="(H, W, 3)")
    return pictures
