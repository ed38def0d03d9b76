"""Receptive-field recurrence for a chain of sliding-window layers.

For layer ``l`` with (dilated) kernel ``k_eff = d·(k − 1) + 1``, stride ``s`` and left/top
padding ``p``, starting from one input pixel (``r₀ = 1, j₀ = 1, start₀ = 0``)::

    r_l     = r_{l−1} + (k_eff − 1)·j_{l−1}          size: input pixels one unit sees
    j_l     = j_{l−1}·s                               jump: input pixels between neighbours
    start_l = start_{l−1} + ((k_eff − 1)/2 − p)·j_{l−1}
                                                      centre of unit 0's field, in input pixels

(Araujo, Norris & Sim, "Computing Receptive Fields of Convolutional Neural Networks", Distill
2019.) Padding moves the field but does not change its size; parts of it may lie in padding.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from vizkit.geometry._checks import IntOrPair, Pair, require_at_least, to_pair


@dataclass(frozen=True)
class Window:
    """One sliding-window layer of a chain (a convolution or a pooling layer).

    Attributes:
        kernel_size, stride, padding, dilation: ints or ``(h, w)`` pairs (normalised to pairs).
    """

    kernel_size: Pair
    stride: Pair = (1, 1)
    padding: Pair = (0, 0)
    dilation: Pair = (1, 1)

    def __init__(
        self,
        kernel_size: IntOrPair,
        stride: IntOrPair = 1,
        padding: IntOrPair = 0,
        dilation: IntOrPair = 1,
    ) -> None:
        for name, value in (
            ("kernel_size", kernel_size),
            ("stride", stride),
            ("padding", padding),
            ("dilation", dilation),
        ):
            object.__setattr__(self, name, to_pair(name, value))
        require_at_least("kernel_size", self.kernel_size, 1, "a kernel needs at least one tap")
        require_at_least("stride", self.stride, 1, "1 = move one cell at a time")
        require_at_least("padding", self.padding, 0, "torch has no negative padding")
        require_at_least("dilation", self.dilation, 1, "1 = adjacent kernel taps")


@dataclass(frozen=True)
class ReceptiveField:
    """Receptive field of the units of one layer (or one 4-D activation), per axis ``(h, w)``.

    The one receptive-field type of vizkit: :func:`receptive_field_chain` returns it for a
    chain of windows, and ``vizkit.summarize`` carries it on every row of a layer table,
    propagated op by op through branches (:mod:`vizkit.summary.field_rules`).

    Attributes:
        size: input pixels one unit sees (its field's side length). Whole numbers for
            convolutions and pooling; fractional only after an approximated op.
        jump: input pixels between two neighbouring units (product of strides).
        start: centre of unit ``(0, 0)``'s field in input pixel coordinates (may be negative:
            the field then reaches into the padding).
        exact: False when an op on the way was approximated (adaptive pooling with uneven
            windows, interpolation, transposed convolution); ``size`` is then an upper bound.
    """

    size: tuple[float, float]
    jump: tuple[float, float]
    start: tuple[float, float]
    exact: bool = True

    @classmethod
    def identity(cls) -> ReceptiveField:
        """The field of the input itself: one pixel, jump 1, centre 0."""
        return make_field((1, 1), (1, 1), (0.0, 0.0), True)

    def window(
        self,
        kernel_size: tuple[int, int],
        stride: tuple[float, float],
        padding: tuple[float, float],
        dilation: tuple[int, int] = (1, 1),
        *,
        exact: bool = True,
    ) -> ReceptiveField:
        """Field after a sliding window (convolution or pooling); the module's recurrence."""
        (size_h, size_w), (jump_h, jump_w), (start_h, start_w) = self.size, self.jump, self.start
        reach_h = dilation[0] * (kernel_size[0] - 1)  # k_eff - 1
        reach_w = dilation[1] * (kernel_size[1] - 1)
        return make_field(
            (size_h + reach_h * jump_h, size_w + reach_w * jump_w),
            (jump_h * stride[0], jump_w * stride[1]),
            (
                start_h + (reach_h / 2 - padding[0]) * jump_h,
                start_w + (reach_w / 2 - padding[1]) * jump_w,
            ),
            self.exact and exact,
        )

    def shifted(self, offset: tuple[float, float]) -> ReceptiveField:
        """Field after cropping or padding that moves unit 0 by ``offset`` units, ``(h, w)``."""
        start = (
            self.start[0] + offset[0] * self.jump[0],
            self.start[1] + offset[1] * self.jump[1],
        )
        return make_field(self.size, self.jump, start, self.exact)

    @property
    def int_size(self) -> tuple[int, int]:
        """``size`` rounded up to whole pixels, ``(h, w)``."""
        return (math.ceil(self.size[0] - 1e-9), math.ceil(self.size[1] - 1e-9))


def make_field(
    size: tuple[float, float], jump: tuple[float, float], start: tuple[float, float], exact: bool
) -> ReceptiveField:
    """``ReceptiveField(size, jump, start, exact)`` without the frozen ``__init__``'s cost.

    A layer table builds thousands of fields; ``object.__setattr__`` per field would cost more
    than the arithmetic. The result equals the constructor's (tested).
    """
    field = object.__new__(ReceptiveField)
    field.__dict__.update(size=size, jump=jump, start=start, exact=exact)
    return field


def union_fields(fields: Sequence[ReceptiveField]) -> ReceptiveField:
    """Field of a unit that combines the same position of several tensors (add, concatenate).

    Args:
        fields: at least one field; their jumps should agree (same spatial grid).

    Returns:
        The smallest field containing every input's field of unit 0. When jumps disagree the
        largest is kept and the result is marked inexact.

    Example:
        >>> a = ReceptiveField((3, 3), (1, 1), (0.0, 0.0))
        >>> union_fields([a, a.shifted((2, 0))]).size
        (5.0, 3.0)
    """
    if len(fields) == 1:
        return fields[0]
    size, jump, start = [], [], []
    exact = all(f.exact for f in fields)
    for a in range(2):
        lo = min(f.start[a] - (f.size[a] - 1) / 2 for f in fields)
        hi = max(f.start[a] + (f.size[a] - 1) / 2 for f in fields)
        jumps = {f.jump[a] for f in fields}
        exact = exact and len(jumps) == 1
        size.append(hi - lo + 1)
        jump.append(max(jumps))
        start.append((lo + hi) / 2)
    return make_field((size[0], size[1]), (jump[0], jump[1]), (start[0], start[1]), exact)


def receptive_field_chain(layers: Iterable[Window]) -> list[ReceptiveField]:
    """Receptive field after each layer of a chain, by the recurrence in the module docstring.

    Args:
        layers: the chain's sliding-window layers in order (layers that do not slide, such as
            ReLU or BatchNorm, do not change the field and are left out).

    Returns:
        One :class:`ReceptiveField` per layer.

    Raises:
        TypeError: an entry is not a :class:`Window`.

    Examples:
        >>> three = receptive_field_chain([Window(3, padding=1)] * 3)
        >>> [rf.size[0] for rf in three]          # three 3×3 convs see 7×7
        [3, 5, 7]
        >>> alexnet = [Window(11, 4), Window(3, 2), Window(5, 1, 2), Window(3, 2)]
        >>> rf = receptive_field_chain(alexnet)[-1]
        >>> rf.size, rf.jump, rf.start
        ((67, 67), (16, 16), (17.0, 17.0))
    """
    if isinstance(layers, (str, bytes, dict)) or not isinstance(layers, Iterable):
        raise TypeError(
            f"layers must be a list of vizkit.geometry.Window, got {type(layers).__name__}: "
            "e.g. layers=[Window(3), Window(2, stride=2)]"
        )
    field = ReceptiveField.identity()
    result = []
    for index, layer in enumerate(layers):
        if not isinstance(layer, Window):
            raise TypeError(
                f"layers[{index}] must be a vizkit.geometry.Window, got {type(layer).__name__}: "
                "wrap it as Window(kernel_size, stride, padding, dilation)"
            )
        field = field.window(layer.kernel_size, layer.stride, layer.padding, layer.dilation)
        result.append(field)
    return result
