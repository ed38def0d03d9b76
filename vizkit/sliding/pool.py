"""Trace of 2D pooling: max (with argmax "switches"), average, and power-average (Lp).

Per output cell ``(i, j)`` with window ``R`` (taps ``(i·s + u·d, j·s + v·d)`` in padded
coordinates)::

    max:  out = max_{R} x                        (the winning cell is the "switch")
    avg:  out = Σ_{R} x / divisor                (divisor: see ``count_include_pad``)
    lp:   out = (Σ_{R} x^p · kH·kW / n_R)^(1/p)  (n_R: window cells inside the input)

torch's own rules, reproduced here and checked in ``tests/sliding/test_pool.py``:

- **max** (ATen's CPU kernel): the first of equal maxima wins; a NaN wins, the *last* NaN
  if several; padding never wins (a window of −∞ reports its first input cell). With
  dilation a window can lie wholly in the padding: its output is −∞ and torch's index points
  past the window (at some other cell, or outside the input); ``indices`` reproduces that.
- **avg**: with ``count_include_pad`` the divisor counts padding cells but not the part of a
  ``ceil_mode`` window beyond the padded input; without it, only input cells.
- **lp**: torch's formula, not the textbook ``(Σ x^p)^(1/p)``: ``F.lp_pool2d`` is
  ``sign(a)·relu(|a|) · kH·kW`` raised to ``1/p`` with ``a = avg_pool2d(x^p)``. The sign
  step is the identity, so p = 1 is a signed sum, and a negative sum under an odd p gives
  NaN. The two formulas agree except for a ``ceil_mode`` window hanging over the edge, whose
  sum torch scales up by ``kH·kW / n_R``. ``p = ±∞`` is the max / min of ``|x|``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from vizkit.geometry import IntOrPair, PoolGeometry, PoolKind
from vizkit.sliding._arrays import (
    BoolArray,
    FloatArray,
    IntArray,
    as_float_array,
    check_allocation,
    frozen,
    require_ndim,
)
from vizkit.sliding._padding import pad_last_two
from vizkit.sliding._pool_math import avg_divisors, axis_masks, max_switches
from vizkit.sliding._steps import Steps, unravel
from vizkit.sliding.conv import Cell


@dataclass(frozen=True, eq=False)
class PoolStep:
    """One output cell of a pooling layer: its window and how it was reduced.

    Attributes:
        index: position in :attr:`PoolTrace.steps` (= flat index into ``output``).
        sample: batch index (0 for an unbatched input).
        channel: the channel (pooling never mixes channels).
        out_index: output cell ``(row, col)``.
        rows, cols: padded coordinates of the taps (a ``ceil_mode`` window may run past the
            padded input; those taps are not in ``in_padded``).
        window: the padded input under the taps, ``(kH, kW)`` (padding holds the fill,
            −∞ for max and 0 for avg; the ceil-mode overhang holds the same fill).
        in_input: ``(kH, kW)`` bool, taps on real input cells.
        in_padded: ``(kH, kW)`` bool, taps on the input or its padding.
        terms: what is reduced: the window (max / avg), ``window ** p`` (lp), ``|window|``
            (lp with p = ±∞); taps off the input hold the fill (−∞ for max, else 0).
        reduced: ``max(terms)`` (max, lp with p = ∞), ``min(terms)`` (lp with p = −∞) or
            ``sum(terms)``.
        divisor: avg's divisor; lp's ``n_R`` (input cells in the window); 1 for max.
        winner: ``(u, v)`` of the winning tap (max only; None for avg / lp, and for a
            dilated window lying entirely in the padding).
        winner_input: the winner in unpadded input coordinates ``(row, col)`` (max only).
        value: the output, equal to ``output`` at this cell.
    """

    index: int
    sample: int
    channel: int
    out_index: Cell
    rows: tuple[int, ...]
    cols: tuple[int, ...]
    window: FloatArray
    in_input: BoolArray
    in_padded: BoolArray
    terms: FloatArray
    reduced: float
    divisor: int
    winner: Cell | None
    winner_input: Cell | None
    value: float


@dataclass(frozen=True, eq=False)
class PoolTrace:
    """A pooling layer with every window on record.

    Attributes:
        geometry: sizes and read pattern (``geometry.unread_input``: rows/columns no window
            reads, e.g. the last one of an odd input in floor mode).
        kind: ``"max"``, ``"avg"`` or ``"lp"``.
        norm_type: ``p`` of Lp pooling (None otherwise).
        input: ``(C, H, W)`` or ``(N, C, H, W)``, float64.
        padded: the padded input (fill −∞ for max, 0 for avg; lp has no padding).
        output: ``(…, C, H_out, W_out)``, equal to torch's pooling function.
        indices: max only: torch's ``return_indices`` (``row·W + col``), int64, same shape as
            ``output``; None otherwise.
        divisors: avg / lp only: divisor per output cell ``(H_out, W_out)``; None for max.
        steps: one :class:`PoolStep` per output cell, in the C order of ``output``.
    """

    geometry: PoolGeometry
    kind: PoolKind
    norm_type: float | None
    input: FloatArray
    padded: FloatArray
    output: FloatArray
    indices: IntArray | None
    divisors: IntArray | None
    steps: Steps[PoolStep]

    @property
    def batched(self) -> bool:
        """True when the input had a batch axis."""
        return self.input.ndim == 4


def _check_options(
    kind: object, norm_type: object, count_include_pad: object, divisor_override: object
) -> None:
    if kind not in ("max", "avg", "lp"):
        raise ValueError(f"kind {kind!r} is not a pooling kind: use 'max', 'avg' or 'lp'")
    if not isinstance(count_include_pad, bool):
        raise TypeError(f"count_include_pad must be True or False, got {count_include_pad!r}")
    if isinstance(norm_type, bool) or not isinstance(norm_type, (int, float)):
        raise TypeError(f"norm_type must be a number (p of Lp pooling), got {norm_type!r}")
    if kind == "lp" and (norm_type == 0 or math.isnan(norm_type)):
        raise ValueError(
            f"norm_type {norm_type} is not allowed: Lp pooling needs p ≠ 0 "
            "(p = 1 sums, p = 2 is L2 pooling, p = inf is max of |x|)"
        )
    if divisor_override is not None:
        if isinstance(divisor_override, bool) or not isinstance(divisor_override, int):
            raise TypeError(f"divisor_override must be an int or None, got {divisor_override!r}")
        if divisor_override == 0 or kind != "avg":
            raise ValueError(
                f"divisor_override {divisor_override} is not allowed"
                + (
                    ": it must not be 0"
                    if kind == "avg"
                    else " for kind "
                    f"{kind!r}: only average pooling has a divisor; drop it or use kind='avg'"
                )
            )


def pool2d_trace(
    x: object,
    kernel_size: IntOrPair,
    stride: IntOrPair | None = None,
    padding: IntOrPair = 0,
    dilation: IntOrPair = 1,
    ceil_mode: bool = False,
    *,
    kind: PoolKind = "max",
    norm_type: float = 2.0,
    count_include_pad: bool = True,
    divisor_override: int | None = None,
) -> PoolTrace:
    """Trace ``F.max_pool2d`` / ``F.avg_pool2d`` / ``F.lp_pool2d``: each window and its result.

    Args:
        x: ``(C, H, W)`` or ``(N, C, H, W)`` array or tensor.
        kernel_size: window ``k`` (int or pair).
        stride: ``s``; None means ``kernel_size`` (torch's default).
        padding: ``p`` on each side, at most ``kernel_size // 2`` (not for lp).
        dilation: spacing of window taps (max only).
        ceil_mode: keep a last, partial window.
        kind: ``"max"``, ``"avg"`` or ``"lp"``.
        norm_type: ``p`` for lp (``inf`` gives the max of ``|x|``, ``-inf`` the min).
        count_include_pad: avg: count padding cells in the divisor (torch's default True).
        divisor_override: avg: divide by this instead.

    Returns:
        A :class:`PoolTrace`.

    Raises:
        TypeError: an argument of the wrong kind.
        ValueError: wrong ndim, unknown kind, ``norm_type`` 0, a misplaced ``divisor_override``.
        GeometryError: a configuration torch rejects (padding over half the window, dilation
            for avg/lp, padding for lp, window larger than the input).

    Example:
        >>> import numpy as np
        >>> t = pool2d_trace(np.array([[[1.0, 5, 2, 0], [3, 4, 6, 6]]]), 2)
        >>> t.output, t.indices
        (array([[[5., 6.]]]), array([[[1, 6]]]))
        >>> t.steps[1].winner, t.steps[1].winner_input    # ties: the first maximum wins
        ((1, 0), (1, 2))
        >>> pool2d_trace(np.ones((1, 3, 3)), 2, ceil_mode=True, kind="avg").divisors
        array([[4, 2],
               [2, 1]])
    """
    _check_options(kind, norm_type, count_include_pad, divisor_override)
    data = as_float_array("x", x)
    require_ndim("x", data, (3, 4), "(C, H, W) or (N, C, H, W)")
    batched = data.ndim == 4
    x4 = data if batched else data[None]
    if 0 in x4.shape[:2]:
        raise ValueError(f"x of shape {data.shape} has an empty axis: every size must be ≥ 1")
    geometry = PoolGeometry.create(
        (x4.shape[2], x4.shape[3]), kernel_size, stride, padding, dilation, ceil_mode, kind=kind
    )
    (ho0, wo0), (kh0, kw0) = geometry.output_size, geometry.kernel_size
    window_elements = x4.shape[0] * x4.shape[1] * ho0 * wo0 * kh0 * kw0
    check_allocation(
        4 * window_elements + 3 * x4.size,
        {
            "kernel_size": (kernel_size, window_elements),
            "x": (f"<array of shape {data.shape}>", x4.size),
        },
        "the windows' taps and masks (float64)",
        "trace a small example: traces are for looking at every window",
    )
    p = float(norm_type)
    fill = -np.inf if kind == "max" else 0.0
    (ph, pw), (kh, kw) = geometry.padding, geometry.kernel_size
    (sh, sw), (dh, dw) = geometry.stride, geometry.dilation
    (ho, wo) = geometry.output_size
    eh, ew = dh * (kh - 1) + 1, dw * (kw - 1) + 1
    # Overhang of the last ceil-mode window past the padded input, filled like the padding.
    extra_h = max(0, (ho - 1) * sh + eh - (geometry.input_size[0] + 2 * ph))
    extra_w = max(0, (wo - 1) * sw + ew - (geometry.input_size[1] + 2 * pw))
    padded = pad_last_two(x4, ((ph, ph), (pw, pw)), fill=fill)
    extended = pad_last_two(padded, ((0, extra_h), (0, extra_w)), fill=fill)
    windows = sliding_window_view(extended, (eh, ew), axis=(2, 3))[:, :, ::sh, ::sw, ::dh, ::dw]
    windows = windows[:, :, :ho, :wo]
    (in_row, pad_row), (in_col, pad_col) = axis_masks(geometry, 0), axis_masks(geometry, 1)
    in_input = in_row[:, None, :, None] & in_col[None, :, None, :]  # (H_out, W_out, kH, kW)
    in_padded = pad_row[:, None, :, None] & pad_col[None, :, None, :]

    indices: IntArray | None = None
    divisors: IntArray | None = None
    winners: IntArray | None = None
    if kind == "max" or (kind == "lp" and math.isinf(p)):
        terms = windows if kind == "max" else np.abs(windows)
        if kind == "lp" and p < 0:
            values, _, _ = max_switches(-terms, in_input, geometry)
            out, reduced = -values, -values
        else:
            out, winners, indices = max_switches(terms, in_input, geometry)
            reduced = out
            if kind == "lp":
                winners = indices = None
    elif kind == "avg":
        terms = windows
        divisors = avg_divisors(geometry, count_include_pad, divisor_override)
        reduced = terms.sum(axis=(-2, -1))
        out = reduced / divisors
    else:
        with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
            terms = np.where(in_input, windows, 0.0) ** p
            terms = np.where(in_input, terms, 0.0)
            divisors = avg_divisors(geometry, True, None)
            reduced = terms.sum(axis=(-2, -1))
            out = (reduced / divisors * (kh * kw)) ** (1.0 / p)

    def make(k: int) -> PoolStep:
        s, c, r, col = unravel(k, out.shape)
        win: tuple[int, int] | None = None
        win_in: tuple[int, int] | None = None
        if winners is not None and winners[s, c, r, col] >= 0:
            u, v = divmod(int(winners[s, c, r, col]), kw)
            win = (u, v)
            win_in = (r * sh + u * dh - ph, col * sw + v * dw - pw)
        return PoolStep(
            index=k,
            sample=s,
            channel=c,
            out_index=(r, col),
            rows=tuple(r * sh + u * dh for u in range(kh)),
            cols=tuple(col * sw + v * dw for v in range(kw)),
            window=frozen(windows[s, c, r, col].copy()),
            in_input=frozen(in_input[r, col].copy()),
            in_padded=frozen(in_padded[r, col].copy()),
            terms=frozen(terms[s, c, r, col].copy()),
            reduced=float(reduced[s, c, r, col]),
            divisor=1 if divisors is None else int(divisors[r, col]),
            winner=win,
            winner_input=win_in,
            value=float(out[s, c, r, col]),
        )

    return PoolTrace(
        geometry=geometry,
        kind=kind,
        norm_type=p if kind == "lp" else None,
        input=frozen(data),
        padded=frozen(padded if batched else padded[0]),
        output=frozen(out if batched else out[0]),
        indices=None if indices is None else frozen(indices if batched else indices[0]),
        divisors=None if divisors is None else frozen(divisors),
        steps=Steps(out.size, make),
    )
