"""Output size of max / average / power-average (L2) pooling, ``ceil_mode`` included.

Per spatial dimension, as ATen's ``pooling_output_shape`` computes it::

    out = ⌊(in + 2·padding − dilation·(kernel_size − 1) − 1) / stride⌋ + 1       (floor mode)
    out = ⌈(in + 2·padding − dilation·(kernel_size − 1) − 1) / stride⌉ + 1       (ceil mode)

and in ceil mode the last window is dropped when it would start beyond the input and its
left padding (``(out − 1)·stride ≥ in + padding``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, TypeAlias, overload

from vizkit.geometry._checks import (
    AXES,
    GeometryError,
    IntOrPair,
    Pair,
    is_pair_like,
    require_at_least,
    to_pair,
)
from vizkit.geometry.windows import window_count

PoolKind: TypeAlias = Literal["max", "avg", "lp"]
POOL_KINDS: tuple[str, ...] = ("max", "avg", "lp")


@dataclass(frozen=True)
class PoolGeometry:
    """A validated 2D pooling configuration (``F.max_pool2d`` / ``avg_pool2d`` / ``lp_pool2d``).

    Attributes:
        input_size, kernel_size, stride, padding, dilation: ``(h, w)`` pairs.
        ceil_mode: round the window count up (a partial last window is kept).
        kind: ``"max"``, ``"avg"`` or ``"lp"`` (power average; L2 pooling for p = 2). Average
            and Lp pooling have no dilation in torch; Lp pooling has no padding either.

    Example:
        >>> PoolGeometry.create(5, 2, ceil_mode=True).output_size
        (3, 3)
        >>> PoolGeometry.create(5, 2).unread_input     # floor mode never reads the last row/col
        ((4,), (4,))
    """

    input_size: Pair
    kernel_size: Pair
    stride: Pair
    padding: Pair = (0, 0)
    dilation: Pair = (1, 1)
    ceil_mode: bool = False
    kind: PoolKind = "max"

    def __post_init__(self) -> None:
        for name in ("input_size", "kernel_size", "stride", "padding", "dilation"):
            object.__setattr__(self, name, to_pair(name, getattr(self, name)))
        if self.kind not in POOL_KINDS:
            raise GeometryError(
                f"kind {self.kind!r} is not a pooling kind: use 'max', 'avg' or 'lp'"
            )
        if not isinstance(self.ceil_mode, bool):
            raise TypeError(f"ceil_mode must be True or False, got {self.ceil_mode!r}")
        require_at_least("input_size", self.input_size, 1, "an input needs at least one cell")
        require_at_least("kernel_size", self.kernel_size, 1, "a window needs at least one cell")
        require_at_least("stride", self.stride, 1, "1 = move one cell at a time")
        require_at_least("dilation", self.dilation, 1, "1 = adjacent window cells")
        require_at_least("padding", self.padding, 0, "torch has no negative padding")
        if self.kind != "max" and self.dilation != (1, 1):
            raise GeometryError(
                f"dilation {self.dilation} is not supported by torch's {self.kind} pooling "
                "(only max pooling is dilated): use dilation=1 or kind='max'"
            )
        if self.kind == "lp" and self.padding != (0, 0):
            raise GeometryError(
                f"padding {self.padding} is not supported by torch's lp_pool2d (it has no "
                "padding argument): use padding=0, or pad the input with F.pad first"
            )
        for axis in range(2):
            k, d, p = self.kernel_size[axis], self.dilation[axis], self.padding[axis]
            effective = d * (k - 1) + 1
            # torch's pool2d_shape_check compares padding with the *undilated* kernel_size
            # (kW / 2 >= padW), also for dilated max pooling.
            if 2 * p > k:
                undilated = f" (torch ignores dilation {d} here)" if d > 1 else ""
                raise GeometryError(
                    f"padding {p} is more than half the pooling window kernel_size {k}"
                    f"{undilated}: torch rejects it because a window could lie entirely in the "
                    f"padding; lower padding to {k // 2} or raise kernel_size"
                )
            out = self._dim_output(axis)
            square = self.input_size[0] == self.input_size[1]
            where = "" if square else f" {AXES[axis]}"
            if out < 1:
                raise GeometryError(
                    f"kernel_size {k}{f' (dilated to {effective})' if d > 1 else ''} is larger "
                    f"than the padded input{where} {self.input_size[axis] + 2 * p}: "
                    f"lower kernel_size{' or dilation' if d > 1 else ''}, or raise padding"
                )

    @classmethod
    def create(
        cls,
        input_size: IntOrPair,
        kernel_size: IntOrPair,
        stride: IntOrPair | None = None,
        padding: IntOrPair = 0,
        dilation: IntOrPair = 1,
        ceil_mode: bool = False,
        *,
        kind: PoolKind = "max",
    ) -> PoolGeometry:
        """Validate pooling arguments (``stride=None`` means ``stride = kernel_size``).

        Raises:
            TypeError: an argument is not an int / pair.
            GeometryError: a configuration torch rejects.
        """
        k = to_pair("kernel_size", kernel_size)
        s = k if stride is None else to_pair("stride", stride)
        return cls(
            to_pair("input_size", input_size),
            k,
            s,
            to_pair("padding", padding),
            to_pair("dilation", dilation),
            ceil_mode,
            kind,
        )

    def _dim_output(self, axis: int) -> int:
        i, k, s = self.input_size[axis], self.kernel_size[axis], self.stride[axis]
        p, d = self.padding[axis], self.dilation[axis]
        return window_count(i, k, s, p, p, d, ceil_mode=self.ceil_mode)

    @property
    def output_size(self) -> Pair:
        """``(H_out, W_out)`` as torch's pooling functions compute it."""
        return (self._dim_output(0), self._dim_output(1))

    def taps(self, axis: int, out_index: int) -> tuple[int, ...]:
        """Padded coordinates along ``axis`` covered by window ``out_index``.

        In ceil mode the last window may run past the padded input; those positions are
        returned too (torch ignores them), so callers should clip to :attr:`padded_size`.
        """
        start = out_index * self.stride[axis]
        return tuple(start + t * self.dilation[axis] for t in range(self.kernel_size[axis]))

    @property
    def padded_size(self) -> Pair:
        """``(H + 2·padding, W + 2·padding)``."""
        return (
            self.input_size[0] + 2 * self.padding[0],
            self.input_size[1] + 2 * self.padding[1],
        )

    @property
    def unread_input(self) -> tuple[tuple[int, ...], tuple[int, ...]]:
        """Input rows and columns (unpadded coordinates) that no window covers."""
        result = []
        for axis in range(2):
            read = {i for o in range(self.output_size[axis]) for i in self.taps(axis, o)}
            p = self.padding[axis]
            result.append(tuple(i for i in range(self.input_size[axis]) if i + p not in read))
        return (result[0], result[1])

    def formula(self) -> str:
        """The output-size formula with the numbers filled in, one line per axis.

        Example:
            >>> print(PoolGeometry.create(6, 3, stride=2, ceil_mode=True).formula())
            H_out = ⌈(6 − 3) / 2⌉ + 1 = 3
            W_out = ⌈(6 − 3) / 2⌉ + 1 = 3
        """
        lines = []
        for axis, label in enumerate(("H_out", "W_out")):
            i, k, s = self.input_size[axis], self.kernel_size[axis], self.stride[axis]
            p, d = self.padding[axis], self.dilation[axis]
            padded = f"{i} + 2·{p}" if p else f"{i}"
            kernel = f"{k}" if d == 1 else f"{d}·({k} − 1) − 1"
            left, right = ("⌈", "⌉") if self.ceil_mode else ("⌊", "⌋")
            line = f"{label} = {left}({padded} − {kernel}) / {s}{right} + 1"
            raw = (i + 2 * p - d * (k - 1) - 1 + (s - 1 if self.ceil_mode else 0)) // s + 1
            if raw != self._dim_output(axis):
                line += " − 1 (the last window would start in the right padding)"
            lines.append(f"{line} = {self._dim_output(axis)}")
        return "\n".join(lines)


@overload
def pool_output_size(
    input_size: int,
    kernel_size: int,
    stride: int | None = None,
    padding: int = 0,
    dilation: int = 1,
    ceil_mode: bool = False,
) -> int: ...
@overload
def pool_output_size(
    input_size: IntOrPair,
    kernel_size: IntOrPair,
    stride: IntOrPair | None = None,
    padding: IntOrPair = 0,
    dilation: IntOrPair = 1,
    ceil_mode: bool = False,
) -> int | Pair: ...
def pool_output_size(
    input_size: IntOrPair,
    kernel_size: IntOrPair,
    stride: IntOrPair | None = None,
    padding: IntOrPair = 0,
    dilation: IntOrPair = 1,
    ceil_mode: bool = False,
) -> int | Pair:
    """Spatial output size of a pooling layer, exactly as ``nn.MaxPool2d`` computes it.

    ``o = ⌊(i + 2p − d·(k − 1) − 1) / s⌋ + 1`` (``⌈…⌉`` with ``ceil_mode``, dropping a last window
    that would start in the right padding). ``stride`` defaults to ``kernel_size``, as in torch.

    Args:
        input_size: ``i``, int or ``(H, W)``.
        kernel_size: window ``k``.
        stride: ``s``; ``None`` means ``k`` (non-overlapping windows).
        padding: ``p`` on both sides, at most half the (dilated) window.
        dilation: ``d`` ≥ 1 (max pooling only).
        ceil_mode: keep a partial last window.

    Returns:
        An int for int arguments, else an ``(H_out, W_out)`` pair.

    Raises:
        TypeError: an argument is not an int / pair.
        GeometryError: torch would reject it (padding over half the window, output < 1).

    Examples:
        >>> pool_output_size(55, 3, stride=2)     # AlexNet's overlapping pooling
        27
        >>> pool_output_size(224, 2)
        112
        >>> pool_output_size(5, 2), pool_output_size(5, 2, ceil_mode=True)
        (2, 3)
    """
    pairs = any(is_pair_like(a) for a in (input_size, kernel_size, stride, padding, dilation))
    geometry = PoolGeometry.create(input_size, kernel_size, stride, padding, dilation, ceil_mode)
    return geometry.output_size if pairs else geometry.output_size[0]
