"""Padding the last two axes the way ``nn.Conv2d(padding_mode=...)`` does.

torch's four modes are numpy's ``np.pad`` modes under other names:

=============  =============  =========================================
torch          numpy          padded cells
=============  =============  =========================================
``zeros``      ``constant``   0
``reflect``    ``reflect``    mirror without repeating the edge (d c b | a b c d | c b a)
``replicate``  ``edge``       repeat the edge cell (a a | a b c d | d d)
``circular``   ``wrap``       wrap around (c d | a b c d | a b)
=============  =============  =========================================
"""

from __future__ import annotations

from typing import Literal

import numpy as np

from vizkit.geometry import PaddingMode
from vizkit.sliding._arrays import FloatArray

PadAmounts = tuple[tuple[int, int], tuple[int, int]]

NUMPY_MODE: dict[str, Literal["constant", "reflect", "edge", "wrap"]] = {
    "zeros": "constant",
    "reflect": "reflect",
    "replicate": "edge",
    "circular": "wrap",
}


def pad_last_two(
    array: FloatArray, padding: PadAmounts, mode: PaddingMode = "zeros", fill: float = 0.0
) -> FloatArray:
    """Pad the last two axes by ``((top, bottom), (left, right))``; returns a new array.

    ``fill`` is the constant for ``"zeros"`` mode (max pooling pads with −∞).
    """
    widths = [(0, 0)] * (array.ndim - 2) + [padding[0], padding[1]]
    if mode == "zeros":
        return np.pad(array, widths, mode="constant", constant_values=fill)
    return np.pad(array, widths, mode=NUMPY_MODE[mode])


def padded_source(size: int, before: int, after: int, mode: PaddingMode) -> tuple[int, ...]:
    """For each padded coordinate along one axis, the input coordinate it copies (−1: a zero).

    Example:
        >>> padded_source(4, 2, 1, "reflect"), padded_source(4, 1, 1, "zeros")
        ((2, 1, 0, 1, 2, 3, 2), (-1, 0, 1, 2, 3, -1))
    """
    index = np.arange(size, dtype=np.int64)
    if mode == "zeros":
        padded = np.pad(index, (before, after), mode="constant", constant_values=-1)
    else:
        padded = np.pad(index, (before, after), mode=NUMPY_MODE[mode])
    return tuple(int(i) for i in padded)


def crop_or_pad(array: FloatArray, padding: PadAmounts) -> FloatArray:
    """Zero-pad the last two axes, cropping where an amount is negative (like ``F.pad``)."""
    out = array
    slices = [slice(None)] * (array.ndim - 2)
    for before, after in padding:
        start = -before if before < 0 else 0
        stop = after if after < 0 else None
        slices.append(slice(start, stop))
    out = out[tuple(slices)]
    grow = tuple((max(b, 0), max(a, 0)) for b, a in padding)
    return pad_last_two(np.ascontiguousarray(out), (grow[0], grow[1]))
