"""How a ``(N, C, H, W)`` tensor lies in memory: ``channels_first`` (NCHW) vs ``channels_last``.

PyTorch's shape is always ``(N, C, H, W)``; ``memory_format`` only changes the order of the
elements in memory, which the *strides* record: element ``(n, c, h, w)`` sits at offset
``n·s_N + c·s_C + h·s_H + w·s_W``. ``torch.contiguous_format`` stores NCHW (a whole channel
plane, then the next); ``torch.channels_last`` stores NHWC (all channels of one pixel, then the
next pixel), which convolutions on recent GPUs prefer.

This module asks torch itself (no plotly): :func:`memory_layout` returns the strides and the
memory order that :mod:`vizkit.render.memory_layout` draws.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch

__all__ = ["MemoryLayout", "memory_layout"]

Index = tuple[int, int, int, int]


@dataclass(frozen=True)
class MemoryLayout:
    """The two memory formats of one ``(N, C, H, W)`` shape, as torch reports them.

    Attributes:
        shape: ``(N, C, H, W)``.
        strides_first: ``x.contiguous().stride()`` (NCHW, ``torch.contiguous_format``).
        strides_last: ``x.contiguous(memory_format=torch.channels_last).stride()`` (NHWC).
        order_first: the ``(n, c, h, w)`` index of each memory slot, slot 0 first, NCHW.
        order_last: the same for ``channels_last``.
    """

    shape: Index
    strides_first: Index
    strides_last: Index
    order_first: tuple[Index, ...]
    order_last: tuple[Index, ...]

    def offset(self, index: Index, *, channels_last: bool = False) -> int:
        """Memory offset of element ``index``: ``Σ index[i] · stride[i]``.

        Example:
            >>> layout = memory_layout((1, 3, 2, 2))
            >>> layout.offset((0, 1, 0, 0)), layout.offset((0, 1, 0, 0), channels_last=True)
            (4, 1)
        """
        strides = self.strides_last if channels_last else self.strides_first
        return sum(i * s for i, s in zip(index, strides, strict=True))


def _order(x: torch.Tensor, shape: Index) -> tuple[Index, ...]:
    """Read the storage slot by slot: each slot holds the flat NCHW index of its element."""
    flat = x.as_strided((x.numel(),), (1,)).tolist()
    _, c, h, w = shape
    out = []
    for value in flat:
        value, wi = divmod(int(value), w)
        value, hi = divmod(value, h)
        ni, ci = divmod(value, c)
        out.append((ni, ci, hi, wi))
    return tuple(out)


def memory_layout(shape: tuple[int, int, int, int] | torch.Size = (1, 3, 2, 2)) -> MemoryLayout:
    """Strides and memory order of a ``(N, C, H, W)`` tensor in both memory formats.

    Args:
        shape: ``(N, C, H, W)``, each ≥ 1 (up to 4096 elements: this is for drawing).

    Returns:
        A :class:`MemoryLayout`, everything taken from real tensors.

    Raises:
        TypeError: ``shape`` is not four ints.
        ValueError: a size below 1, or more than 4096 elements.

    Example:
        >>> layout = memory_layout((2, 3, 4, 5))
        >>> layout.strides_first, layout.strides_last
        ((60, 20, 5, 1), (60, 1, 15, 3))
    """
    if isinstance(shape, torch.Size):
        shape = tuple(shape)  # type: ignore[assignment]
    if isinstance(shape, list):
        shape = tuple(shape)
    if (
        not isinstance(shape, tuple)
        or len(shape) != 4
        or any(isinstance(s, bool) or not isinstance(s, int) for s in shape)
    ):
        raise TypeError(
            f"shape must be four ints (N, C, H, W), got {shape!r}: e.g. shape=(1, 3, 2, 2)"
        )
    if min(shape) < 1:
        raise ValueError(f"shape {shape} has a size below 1: every one of N, C, H, W must be ≥ 1")
    numel = shape[0] * shape[1] * shape[2] * shape[3]
    if numel > 4096:
        raise ValueError(
            f"shape {shape} has {numel} elements, more than the 4096 this drawing "
            "allows: use a small example such as (1, 3, 4, 4); strides do not "
            "depend on the values"
        )
    x = torch.arange(numel).reshape(shape)
    first = x.contiguous()
    last = x.contiguous(memory_format=torch.channels_last)
    s4: Index = (shape[0], shape[1], shape[2], shape[3])
    return MemoryLayout(
        shape=s4,
        strides_first=tuple(first.stride()),  # type: ignore[arg-type]
        strides_last=tuple(last.stride()),  # type: ignore[arg-type]
        order_first=_order(first, s4),
        order_last=_order(last, s4),
    )
