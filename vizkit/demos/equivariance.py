"""Shift equivariance of convolution and the (small, partial) shift invariance of max pooling,
measured with ``F.conv2d`` and ``F.max_pool2d`` on a real image.

- :func:`shift_equivariance`: ``conv(shift(x)) == shift(conv(x))``: exact with circular padding,
  exact away from the border with zero padding;
- :func:`pooling_invariance`: for each shift, how many max-pooled values stay where they were
  (invariance) and how many moved with the coarse grid (equivariance at multiples of the stride).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch
import torch.nn.functional as F

from vizkit._validate import check_int, check_seed

__all__ = ["PoolingInvariance", "ShiftEquivariance", "pooling_invariance", "shift_equivariance"]


def _as_map(image: object) -> torch.Tensor:
    """A 2-D float64 tensor from a 2-D (or RGB, averaged) array or tensor."""
    if isinstance(image, np.ndarray):
        t = torch.from_numpy(np.asarray(image, dtype=np.float64))
    elif isinstance(image, torch.Tensor):
        t = image.detach().to(torch.float64)
    else:
        from vizkit._validate import describe

        raise TypeError(
            f"image must be a 2-D numpy array or tensor, got {describe(image)}: "
            "pass vk.natural_image('camera')"
        )
    if t.dim() == 3 and t.shape[-1] in (3, 4):
        t = t[..., :3].mean(-1)
    elif t.dim() == 3 and t.shape[0] in (1, 3):
        t = t.mean(0)
    if t.dim() != 2:
        raise ValueError(
            f"image has shape {tuple(t.shape)}: pass a 2-D grey image (H, W) or RGB (H, W, 3)"
        )
    if min(t.shape) < 8 or max(t.shape) > 4096:
        raise ValueError(f"image is {t.shape[0]}×{t.shape[1]}: pass 8 … 4096 pixels a side")
    if not torch.isfinite(t).all():
        raise ValueError("image holds NaN or infinite values: pass finite pixel values")
    return t


@dataclass(frozen=True)
class ShiftEquivariance:
    """``conv(shift(x))`` against ``shift(conv(x))``.

    Attributes:
        shift: ``(dy, dx)`` pixels.
        image: the (grey) input, ``(H, W)``.
        response: ``conv(x)`` with circular padding.
        response_of_shifted: ``conv(shift(x))``.
        circular_error: largest difference with circular padding (rounding only).
        zero_interior_error: with zero padding, away from the border (rounding only).
        zero_border_error: with zero padding, in the border band: what the padding changed.
    """

    shift: tuple[int, int]
    image: np.ndarray
    response: np.ndarray
    response_of_shifted: np.ndarray
    circular_error: float
    zero_interior_error: float
    zero_border_error: float


def shift_equivariance(
    image: object, *, shift: tuple[int, int] = (5, 9), kernel_size: int = 5, seed: int = 0
) -> ShiftEquivariance:
    """Shift an image, convolve it with a random filter, and compare with the shifted response.

    Args:
        image: ``(H, W)`` grey or ``(H, W, 3)`` RGB (averaged to grey), numpy or torch.
        shift: ``(dy, dx)`` pixels, each ``|d| < H/2`` (``W/2``).
        kernel_size: odd side of the random filter (1 … 15).
        seed: for the filter.

    Returns:
        A :class:`ShiftEquivariance`.

    Raises:
        TypeError, ValueError: an argument of the wrong kind or value.
    """
    x = _as_map(image)
    kernel_size = check_int("kernel_size", kernel_size, minimum=1, maximum=15)
    if kernel_size % 2 == 0:
        raise ValueError(f"kernel_size {kernel_size} is even: use an odd size (3, 5, 7 …)")
    if not (isinstance(shift, (tuple, list)) and len(shift) == 2):
        raise TypeError(f"shift must be a (dy, dx) pair of ints, got {shift!r}: e.g. (5, 9)")
    dy = check_int("shift", shift[0], minimum=-(x.shape[0] // 2 - 1), maximum=x.shape[0] // 2 - 1)
    dx = check_int("shift", shift[1], minimum=-(x.shape[1] // 2 - 1), maximum=x.shape[1] // 2 - 1)
    g = torch.Generator().manual_seed(check_seed(seed))
    w = torch.randn(1, 1, kernel_size, kernel_size, generator=g, dtype=torch.float64)
    p = kernel_size // 2

    def conv(t: torch.Tensor, mode: str) -> torch.Tensor:
        t = t[None, None]
        if mode == "circular":
            return F.conv2d(F.pad(t, (p, p, p, p), mode="circular"), w)[0, 0]
        return F.conv2d(t, w, padding=p)[0, 0]

    def roll(t: torch.Tensor) -> torch.Tensor:
        return torch.roll(t, (dy, dx), (0, 1))

    shifted = roll(x)
    circ = (conv(shifted, "circular") - roll(conv(x, "circular"))).abs()
    zero = (conv(shifted, "zeros") - roll(conv(x, "zeros"))).abs()
    band = p + max(abs(dy), abs(dx))  # rows/cols the padding or the wrap-around can reach
    inner = torch.zeros_like(zero, dtype=torch.bool)
    inner[band : x.shape[0] - band, band : x.shape[1] - band] = True
    return ShiftEquivariance(
        (dy, dx),
        x.numpy(),
        conv(x, "circular").numpy(),
        conv(shifted, "circular").numpy(),
        float(circ.max()),
        float(zero[inner].max()) if inner.any() else 0.0,
        float(zero[~inner].max()),
    )


@dataclass(frozen=True)
class PoolingInvariance:
    """Max pooling of shifted copies of an image.

    Attributes:
        kernel_size, stride: of the pooling.
        shifts: horizontal shifts tried, in pixels.
        unchanged: per shift, the fraction of pooled values equal to the unshifted ones at the
            same position (1.0 = invariant).
        moved: per shift, the fraction equal to the unshifted ones moved by ``shift / stride``
            cells (``nan`` when the shift is not a multiple of the stride).
        pooled: the pooled unshifted map (for a figure).
        image: the grey image pooled (cropped to a multiple of the stride).
        pooled_shifted: per shift, the pooled map of the shifted image.
    """

    kernel_size: int
    stride: int
    shifts: tuple[int, ...]
    unchanged: tuple[float, ...]
    moved: tuple[float, ...]
    pooled: np.ndarray
    image: np.ndarray
    pooled_shifted: tuple[np.ndarray, ...]

    def _repr_html_(self) -> str:
        from vizkit.demos._table import html_table

        return html_table(
            ["shift (px)", "unchanged", "moved with the grid"],
            [
                (s, f"{u:.1%}", "—" if m != m else f"{m:.1%}")
                for s, u, m in zip(self.shifts, self.unchanged, self.moved, strict=True)
            ],
            css="pooling-invariance",
        )


def pooling_invariance(
    image: object, *, kernel_size: int = 2, stride: int | None = None, max_shift: int = 4
) -> PoolingInvariance:
    """Shift ``image`` right by 0 … ``max_shift`` pixels (circularly) and max-pool each copy.

    A max over a window ignores where in the window the maximum sits, so a shift that keeps it
    inside the window leaves the pooled value unchanged: invariance to *small* shifts, for
    some cells. A shift by a multiple of the stride moves the whole pooled map by whole cells
    (equivariance on the coarse grid) and most values are no longer where they were.

    Args:
        image: ``(H, W)`` grey or ``(H, W, 3)`` RGB, numpy or torch.
        kernel_size: pooling window (2 … 8).
        stride: pooling stride (default ``kernel_size``; 1 … ``kernel_size``).
        max_shift: largest shift tried (1 … 16).

    Raises:
        TypeError, ValueError: an argument of the wrong kind or value.
    """
    x = _as_map(image)
    kernel_size = check_int("kernel_size", kernel_size, minimum=2, maximum=8)
    stride = (
        kernel_size
        if stride is None
        else check_int("stride", stride, minimum=1, maximum=kernel_size)
    )
    max_shift = check_int("max_shift", max_shift, minimum=1, maximum=16)
    # crop to a multiple of the stride so that a circular shift by the stride is exact
    h = (x.shape[0] // stride) * stride
    w = (x.shape[1] // stride) * stride
    x = x[:h, :w]

    def pool(t: torch.Tensor) -> torch.Tensor:
        k = kernel_size - stride  # wrap-around columns so every window is whole, as a ring
        t = F.pad(t[None, None], (0, k, 0, k), mode="circular") if k else t[None, None]
        return F.max_pool2d(t, kernel_size, stride)[0, 0]

    base = pool(x)
    unchanged, moved, maps = [], [], []
    shifts = tuple(range(max_shift + 1))
    for s in shifts:
        p = pool(torch.roll(x, s, 1))
        maps.append(p.numpy())
        unchanged.append(float((p == base).double().mean()))
        if s % stride == 0:
            moved.append(float((p == torch.roll(base, s // stride, 1)).double().mean()))
        else:
            moved.append(float("nan"))
    return PoolingInvariance(
        kernel_size,
        stride,
        shifts,
        tuple(unchanged),
        tuple(moved),
        base.numpy(),
        x.numpy(),
        tuple(maps),
    )
