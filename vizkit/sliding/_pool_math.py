"""The vectorised arithmetic behind :func:`vizkit.sliding.pool2d_trace`, matching ATen's CPU
kernels cell for cell (tie-breaking, NaN, divisors and the odd corners included).

All functions work per axis where they can: a window's taps along rows and columns are
independent, so masks and divisors are outer products of two 1D arrays.
"""

from __future__ import annotations

import numpy as np

from vizkit.geometry import PoolGeometry
from vizkit.sliding._arrays import BoolArray, FloatArray, IntArray


def tap_coordinates(geometry: PoolGeometry, axis: int) -> IntArray:
    """Padded coordinates ``o·s + t·d`` of every tap, ``(out, kernel)`` along one axis."""
    out = np.arange(geometry.output_size[axis])[:, None] * geometry.stride[axis]
    taps = np.arange(geometry.kernel_size[axis])[None, :] * geometry.dilation[axis]
    return (out + taps).astype(np.int64)


def axis_masks(geometry: PoolGeometry, axis: int) -> tuple[BoolArray, BoolArray]:
    """``(in_input, in_padded)`` per ``(out, kernel)`` tap along one axis.

    ``in_input``: the tap is on a real input cell; ``in_padded``: on the input or its padding
    (false only for the overhang of a ``ceil_mode`` window).
    """
    q = tap_coordinates(geometry, axis)
    p, size = geometry.padding[axis], geometry.input_size[axis]
    return (q >= p) & (q < p + size), q < size + 2 * p


def avg_divisors(
    geometry: PoolGeometry, count_include_pad: bool, divisor_override: int | None
) -> IntArray:
    """``avg_pool2d``'s divisor per output cell, ``(H_out, W_out)``, exactly as ATen.

    Per axis: ``start = o·s − p``, ``end = min(start + k, size + p)``; with
    ``count_include_pad`` the divisor is ``(end − start)`` (padding counts, the ceil-mode
    overhang beyond the right padding does not); without it, only real input cells count.
    """
    if divisor_override is not None:
        return np.full(geometry.output_size, divisor_override, dtype=np.int64)
    counts = []
    for axis in range(2):
        size, k = geometry.input_size[axis], geometry.kernel_size[axis]
        s, p = geometry.stride[axis], geometry.padding[axis]
        start = np.arange(geometry.output_size[axis]) * s - p
        end = np.minimum(start + k, size + p)
        if count_include_pad:
            counts.append(end - start)
        else:
            counts.append(np.minimum(end, size) - np.maximum(start, 0))
    divisors: IntArray = (counts[0][:, None] * counts[1][None, :]).astype(np.int64)
    return divisors


def first_input_tap(geometry: PoolGeometry, axis: int) -> IntArray:
    """Input coordinate ATen starts each max-pool window at: ``start`` moved up by whole
    dilation steps until it is ≥ 0 (``while (ih0 < 0) ih0 += dilation``), per output index.

    For a window that lies entirely in the padding (possible with dilation) this lands past
    the window, or past the input: torch then reports that position as the argmax.
    """
    start = np.arange(geometry.output_size[axis]) * geometry.stride[axis] - geometry.padding[axis]
    d = geometry.dilation[axis]
    steps = np.where(start < 0, -(start // d), 0)  # ceil(-start / d) for negative starts
    first: IntArray = (start + steps * d).astype(np.int64)
    return first


def max_switches(
    windows: FloatArray, in_input: BoolArray, geometry: PoolGeometry
) -> tuple[FloatArray, IntArray, IntArray]:
    """Max-pool values, winning tap and torch's flat indices, as ATen's CPU kernel picks them.

    ATen scans a window row by row and keeps a tap when ``val > best || isnan(val)``,
    starting from ``best = −∞`` at the window's first input cell. So: the first of equal maxima
    wins, the *last* NaN wins, and a window whose input cells are all −∞ reports its first
    input cell.

    Args:
        windows: ``(N, C, H_out, W_out, kH, kW)`` tap values (anything outside the input is
            ignored via ``in_input``).
        in_input: ``(H_out, W_out, kH, kW)`` taps on real input cells.
        geometry: the pooling geometry.

    Returns:
        ``(values, winner, indices)``: values ``(N, C, H_out, W_out)``; ``winner`` the flat
        tap index ``u·kW + v`` inside the window (−1 for an empty window); ``indices`` torch's
        ``return_indices`` (``row·W + col`` in the unpadded input).
    """
    kh, kw = geometry.kernel_size
    flat = np.where(in_input, windows, -np.inf).reshape(*windows.shape[:4], kh * kw)
    valid = in_input.reshape(*in_input.shape[:2], kh * kw)
    nans = np.isnan(flat)
    has_nan = nans.any(axis=-1)
    last_nan = kh * kw - 1 - np.argmax(nans[..., ::-1], axis=-1)
    first_max = np.argmax(np.where(nans, -np.inf, flat), axis=-1)
    values = np.max(flat, axis=-1)
    first_valid = np.broadcast_to(np.argmax(valid, axis=-1), first_max.shape)
    empty = np.broadcast_to(~valid.any(axis=-1), first_max.shape)
    winner = np.where(has_nan, last_nan, np.where(values == -np.inf, first_valid, first_max))
    winner = np.where(empty, -1, winner)

    width = geometry.input_size[1]
    (sh, sw), (dh, dw) = geometry.stride, geometry.dilation
    (ph, pw) = geometry.padding
    u, v = np.divmod(np.maximum(winner, 0), kw)
    rows = np.arange(geometry.output_size[0])[:, None] * sh - ph + u * dh
    cols = np.arange(geometry.output_size[1])[None, :] * sw - pw + v * dw
    fallback = first_input_tap(geometry, 0)[:, None] * width + first_input_tap(geometry, 1)
    indices = np.where(empty, fallback, rows * width + cols)
    return values, winner.astype(np.int64), indices.astype(np.int64)
