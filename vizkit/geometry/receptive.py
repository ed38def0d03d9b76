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

from collections.abc import Iterable
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
        for name, value in (("kernel_size", kernel_size), ("stride", stride),
                            ("padding", padding), ("dilation", dilation)):
            object.__setattr__(self, name, to_pair(name, value))
        require_at_least("kernel_size", self.kernel_size, 1, "a kernel needs at least one tap")
        require_at_least("stride", self.stride, 1, "1 = move one cell at a time")
        require_at_least("padding", self.padding, 0, "torch has no negative padding")
        require_at_least("dilation", self.dilation, 1, "1 = adjacent kernel taps")


@dataclass(frozen=True)
class ReceptiveField:
    """Receptive field of the units of one layer, per axis ``(h, w)``.

    Attributes:
        size: input pixels one unit sees (its field's side length).
        jump: input pixels between two neighbouring units (product of strides).
        start: centre of unit ``(0, 0)``'s field in input pixel coordinates (may be negative:
            the field then reaches into the padding).
    """

    size: Pair
    jump: Pair
    start: tuple[float, float]


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
    size, jump, start = [1, 1], [1, 1], [0.0, 0.0]
    result = []
    for index, layer in enumerate(layers):
        if not isinstance(layer, Window):
            raise TypeError(
                f"layers[{index}] must be a vizkit.geometry.Window, got {type(layer).__name__}: "
                "wrap it as Window(kernel_size, stride, padding, dilation)"
            )
        for axis in range(2):
            reach = layer.dilation[axis] * (layer.kernel_size[axis] - 1)
            start[axis] += (reach / 2 - layer.padding[axis]) * jump[axis]
            size[axis] += reach * jump[axis]
            jump[axis] *= layer.stride[axis]
        result.append(ReceptiveField((size[0], size[1]), (jump[0], jump[1]),
                                     (start[0], start[1])))
    return result
