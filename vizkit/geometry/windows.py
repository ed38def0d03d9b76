"""How many windows fit along one axis: the one formula every output size is built on.

``out = ⌊(in + pad_before + pad_after − dilation·(kernel − 1) − 1) / stride⌋ + 1`` (floor
division, as ATen computes it), and in ``ceil_mode`` the division rounds up, but a last window
that would start beyond the input and its left padding is dropped (torch's rule).

These functions do no checking: they are the arithmetic that :class:`~vizkit.geometry.ConvGeometry`
and :class:`~vizkit.geometry.PoolGeometry` wrap with teaching errors, and that the layer
table's meta stand-ins call in their hot path. A result below 1 means "does not fit".

Example:
    >>> window_count(227, 11, 4, 0, 0)             # AlexNet conv1
    55
    >>> window_count(5, 2, 2, 0, 0, ceil_mode=True)  # a partial last window is kept
    3
"""

from __future__ import annotations

__all__ = ["window_count"]


def window_count(
    size: int,
    kernel: int,
    stride: int,
    pad_before: int,
    pad_after: int,
    dilation: int = 1,
    *,
    ceil_mode: bool = False,
) -> int:
    """Number of positions of a (dilated) window along one axis; may be ≤ 0 (does not fit).

    Args:
        size: input length.
        kernel: window taps.
        stride: step between windows (≥ 1).
        pad_before, pad_after: padding on each side.
        dilation: spacing of the taps.
        ceil_mode: round up, keeping a last window that starts inside the input or the
            left padding (pooling's ``ceil_mode``).

    Returns:
        The output length along that axis.
    """
    span = size + pad_before + pad_after - dilation * (kernel - 1) - 1
    out = (span + (stride - 1 if ceil_mode else 0)) // stride + 1
    if ceil_mode and (out - 1) * stride >= size + pad_before:
        out -= 1
    return out
