"""Which values of an ``(N, C, H, W)`` tensor each normalisation averages together.

BatchNorm, LayerNorm, InstanceNorm and GroupNorm all compute ``(x − μ) / sqrt(σ² + ε)``; they
differ only in the set of values μ and σ² are taken over (Wu & He 2018, "Group Normalization",
Figure 2 — the cube picture the lectures show). :func:`normalization_sets` labels every element
with the id of its set; :func:`normalize_by_sets` normalises with those labels by hand, which
the tests compare with ``F.batch_norm``, ``F.layer_norm``, ``F.instance_norm`` and
``F.group_norm``. :func:`vizkit.render.normalization.normalization_axes_figure` draws the labels.
"""

from __future__ import annotations

import math
from typing import Literal, get_args

import numpy as np

from vizkit._validate import (
    check_choice,
    check_dims,
    check_int,
    check_memory,
    check_number,
    check_shape,
    describe,
)

__all__ = [
    "NORMALIZATIONS",
    "Normalization",
    "normalization_sets",
    "normalization_sets_by_kind",
    "normalize_by_sets",
    "reduced_axes",
]

Normalization = Literal["batch", "layer", "instance", "group"]
NORMALIZATIONS: tuple[Normalization, ...] = get_args(Normalization)


def _check(kind: object, shape: object, num_groups: object) -> None:
    check_choice("kind", kind, NORMALIZATIONS)
    dims = check_dims("shape", shape, 4, layout="(N, C, H, W)")
    check_memory(
        math.prod(dims) * 8 * 4,
        name="shape",
        value=dims,
        what="a label per element for each normalisation",
        fix="use a small shape such as (2, 4, 3, 3): it is a picture of the sets",
    )
    num_groups = check_int("num_groups", num_groups, minimum=1)
    if kind == "group" and dims[1] % num_groups:
        raise ValueError(
            f"num_groups {num_groups} must be >= 1 and divide the {dims[1]} channels: "
            "pick a divisor of C"
        )


def reduced_axes(kind: Normalization) -> str:
    """The axes one mean/variance runs over, in words.

    Args:
        kind: ``"batch"``, ``"layer"``, ``"instance"`` or ``"group"``.

    Returns:
        A short phrase, e.g. ``"N, H, W (one per channel)"``.

    Example:
        >>> reduced_axes("batch")
        'N, H, W (one per channel)'
    """
    _check(kind, (1, 1, 1, 1), 1)
    return {
        "batch": "N, H, W (one per channel)",
        "layer": "C, H, W (one per sample)",
        "instance": "H, W (one per sample and channel)",
        "group": "C/G, H, W (one per sample and group of channels)",
    }[kind]


def normalization_sets(
    kind: Normalization, shape: tuple[int, int, int, int], *, num_groups: int = 2
) -> np.ndarray:
    """Label each element of an ``(N, C, H, W)`` tensor with the id of its normalisation set.

    Elements with the same label share one mean and one variance:

    - ``"batch"``: label = channel ``c`` (mean over N, H, W).
    - ``"layer"``: label = sample ``n`` (mean over C, H, W).
    - ``"instance"``: label = ``n·C + c`` (mean over H, W).
    - ``"group"``: label = ``n·G + c // (C/G)`` (mean over a group of C/G channels and H, W).

    Args:
        kind: Which normalisation.
        shape: ``(N, C, H, W)``.
        num_groups: ``G`` for ``"group"`` (must divide ``C``).

    Returns:
        int64 array of ``shape``; labels are ``0 … sets − 1``.

    Raises:
        ValueError: Unknown ``kind``, a bad ``shape``, or ``num_groups`` not dividing ``C``.
    """
    _check(kind, shape, num_groups)
    n_, c_, h_, w_ = (int(s) for s in shape)
    n = np.arange(n_)[:, None, None, None]
    c = np.arange(c_)[None, :, None, None]
    if kind == "batch":
        labels = c
    elif kind == "layer":
        labels = n
    elif kind == "instance":
        labels = n * c_ + c
    else:
        labels = n * num_groups + c // (c_ // num_groups)
    return np.broadcast_to(labels, (n_, c_, h_, w_)).astype(np.int64)


def normalization_sets_by_kind(
    shape: tuple[int, int, int, int], *, num_groups: int = 2
) -> dict[Normalization, np.ndarray]:
    """:func:`normalization_sets` for every kind, in the order of :data:`NORMALIZATIONS`.

    Args:
        shape: ``(N, C, H, W)``.
        num_groups: ``G`` for ``"group"`` (must divide ``C``).

    Returns:
        ``{"batch": labels, "layer": …, "instance": …, "group": …}``, each of ``shape``.

    Raises:
        ValueError: a bad ``shape``, or ``num_groups`` not dividing ``C``.

    Example:
        >>> sets = normalization_sets_by_kind((2, 4, 1, 1))
        >>> [int(labels.max()) + 1 for labels in sets.values()]  # how many means each takes
        [4, 2, 8, 4]
    """
    return {kind: normalization_sets(kind, shape, num_groups=num_groups) for kind in NORMALIZATIONS}


def normalize_by_sets(x: np.ndarray, labels: np.ndarray, *, eps: float = 1e-5) -> np.ndarray:
    """Normalise ``x`` with one mean and one (biased) variance per label: ``(x − μ)/sqrt(σ²+ε)``.

    Args:
        x: Array of any shape.
        labels: Integer array of the same shape (from :func:`normalization_sets`).
        eps: Added to the variance.

    Returns:
        float64 array of ``x``'s shape.

    Raises:
        TypeError: ``x`` or ``labels`` is not a numpy array of numbers.
        ValueError: ``labels`` does not have ``x``'s shape, negative labels, empty arrays or
            NaN/inf values, or ``eps`` ≤ 0.
    """
    for name, value in (("x", x), ("labels", labels)):
        if not isinstance(value, np.ndarray) or value.dtype.kind not in (
            "iuf" if name == "x" else "iu"
        ):
            kind = "numbers" if name == "x" else "integer labels"
            raise TypeError(f"{name} must be a numpy array of {kind}, got {describe(value)}")
        check_shape(name, value, ndim=tuple(range(1, 9)), layout="(N, C, H, W)")
    eps = check_number("eps", eps, above=0.0, fix="torch's default is 1e-5")
    x = np.asarray(x, dtype=np.float64)
    labels = np.asarray(labels)
    if labels.min() < 0:
        raise ValueError("labels must be ≥ 0 (set ids from normalization_sets)")
    if labels.shape != x.shape:
        raise ValueError(
            f"labels shape {labels.shape} differs from x shape {x.shape}: "
            "build labels with normalization_sets(kind, x.shape)"
        )
    flat, ids = x.ravel(), labels.ravel()
    count = np.bincount(ids)
    safe = np.maximum(count, 1)
    mean = np.bincount(ids, weights=flat) / safe
    var = np.bincount(ids, weights=(flat - mean[ids]) ** 2) / safe
    return ((flat - mean[ids]) / np.sqrt(var[ids] + eps)).reshape(x.shape)
