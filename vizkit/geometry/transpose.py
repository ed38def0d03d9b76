"""Output size of a transposed convolution and its equivalent direct convolution.

``nn.ConvTranspose2d``, per spatial dimension::

    out = (in − 1)·stride − 2·padding + dilation·(kernel_size − 1) + output_padding + 1

A transposed convolution equals a direct, stride-1 convolution of the *stretched* input
(``stride − 1`` zeros inserted between neighbouring cells) padded with
``dilation·(kernel_size − 1) − padding`` cells on each side (plus ``output_padding`` after),
using the spatially flipped kernel (Dumoulin & Visin, section 4).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import overload

from vizkit.geometry._checks import (
    AXES,
    GeometryError,
    IntOrPair,
    Pair,
    is_pair_like,
    require_at_least,
    to_pair,
)


def _dim_formula_text(size: int, kernel: int, stride: int, pad: int, dilation: int, op: int) -> str:
    parts = [f"({size} − 1)·{stride}"]
    if pad:
        parts.append(f"− 2·{pad}")
    parts.append(f"+ {kernel - 1}" if dilation == 1 else f"+ {dilation}·({kernel} − 1)")
    if op:
        parts.append(f"+ {op}")
    parts.append("+ 1")
    return " ".join(parts)


@dataclass(frozen=True)
class ConvTransposeGeometry:
    """A validated 2D transposed-convolution configuration (``nn.ConvTranspose2d`` rules).

    Attributes:
        input_size: ``(H, W)`` of the input.
        kernel_size, stride, padding, output_padding, dilation: ``(h, w)`` pairs.

    Example:
        >>> g = ConvTransposeGeometry.create(3, 3, stride=2, padding=1, output_padding=1)
        >>> g.output_size
        (6, 6)
        >>> g.stretched_size, g.direct_padding
        ((5, 5), ((1, 2), (1, 2)))
    """

    input_size: Pair
    kernel_size: Pair
    stride: Pair = (1, 1)
    padding: Pair = (0, 0)
    output_padding: Pair = (0, 0)
    dilation: Pair = (1, 1)

    def __post_init__(self) -> None:
        for name in (
            "input_size",
            "kernel_size",
            "stride",
            "padding",
            "output_padding",
            "dilation",
        ):
            object.__setattr__(self, name, to_pair(name, getattr(self, name)))
        require_at_least("input_size", self.input_size, 1, "an input needs at least one cell")
        require_at_least("kernel_size", self.kernel_size, 1, "a kernel needs at least one tap")
        require_at_least("stride", self.stride, 1, "1 = no zeros inserted between input cells")
        require_at_least("dilation", self.dilation, 1, "1 = adjacent kernel taps")
        require_at_least("padding", self.padding, 0, "it crops the output; 0 = no crop")
        require_at_least("output_padding", self.output_padding, 0, "extra cells after")
        for axis in range(2):
            op, s, d = self.output_padding[axis], self.stride[axis], self.dilation[axis]
            if op >= max(s, d):
                where = (
                    ""
                    if self.output_padding[0] == self.output_padding[1]
                    else (f" (in {AXES[axis]})")
                )
                raise GeometryError(
                    f"output_padding {op}{where} must be smaller than stride {s} or dilation "
                    f"{d}: it only picks which of the {max(s, d)} input size(s) that a "
                    f"stride-{s} convolution maps to one output size to restore; use "
                    f"output_padding={max(s, d) - 1} or less, or raise stride to {op + 1}"
                )
            out = self._dim_output(axis)
            if out < 1:
                where = "" if self.input_size[0] == self.input_size[1] else f" {AXES[axis]}"
                raise GeometryError(
                    f"padding {self.padding[axis]} crops the transposed-convolution output"
                    f"{where} to {out} cells ({self._dim_text(axis)} = {out}): "
                    f"lower padding, or raise input_size, kernel_size or stride"
                )

    @classmethod
    def create(
        cls,
        input_size: IntOrPair,
        kernel_size: IntOrPair,
        stride: IntOrPair = 1,
        padding: IntOrPair = 0,
        output_padding: IntOrPair = 0,
        dilation: IntOrPair = 1,
    ) -> ConvTransposeGeometry:
        """Validate ``nn.ConvTranspose2d``-style arguments (ints or pairs) and build the geometry.

        Raises:
            TypeError: an argument is not an int / pair (padding names are not accepted by
                ``nn.ConvTranspose2d``).
            GeometryError: a configuration torch rejects.
        """
        if isinstance(padding, str):
            raise TypeError(
                f"padding {padding!r} is not accepted by nn.ConvTranspose2d: pass an int or an "
                "(h, w) pair (padding crops the output of a transposed convolution)"
            )
        return cls(
            to_pair("input_size", input_size),
            to_pair("kernel_size", kernel_size),
            to_pair("stride", stride),
            to_pair("padding", padding),
            to_pair("output_padding", output_padding),
            to_pair("dilation", dilation),
        )

    def _dim_output(self, axis: int) -> int:
        return (
            (self.input_size[axis] - 1) * self.stride[axis]
            - 2 * self.padding[axis]
            + self.dilation[axis] * (self.kernel_size[axis] - 1)
            + self.output_padding[axis]
            + 1
        )

    def _dim_text(self, axis: int) -> str:
        return _dim_formula_text(
            self.input_size[axis],
            self.kernel_size[axis],
            self.stride[axis],
            self.padding[axis],
            self.dilation[axis],
            self.output_padding[axis],
        )

    @property
    def output_size(self) -> Pair:
        """``(H_out, W_out)`` as ``nn.ConvTranspose2d`` computes it."""
        return (self._dim_output(0), self._dim_output(1))

    @property
    def stretched_size(self) -> Pair:
        """Input size after inserting ``stride − 1`` zeros between cells: ``(i − 1)·s + 1``."""
        return (
            (self.input_size[0] - 1) * self.stride[0] + 1,
            (self.input_size[1] - 1) * self.stride[1] + 1,
        )

    @property
    def direct_padding(self) -> tuple[tuple[int, int], tuple[int, int]]:
        """Padding ``((top, bottom), (left, right))`` of the equivalent direct convolution.

        ``before = d·(k − 1) − p``, ``after = before + output_padding``. A negative value means
        the stretched input is cropped by that many cells (``padding`` larger than the
        dilated kernel's reach).
        """
        pads = []
        for axis in range(2):
            before = self.dilation[axis] * (self.kernel_size[axis] - 1) - self.padding[axis]
            pads.append((before, before + self.output_padding[axis]))
        return (pads[0], pads[1])

    def formula(self) -> str:
        """The output-size formula with the numbers filled in, one line per axis.

        Example:
            >>> print(ConvTransposeGeometry.create(3, 3, stride=2, padding=1).formula())
            H_out = (3 − 1)·2 − 2·1 + 2 + 1 = 5
            W_out = (3 − 1)·2 − 2·1 + 2 + 1 = 5
        """
        return "\n".join(
            f"{label} = {self._dim_text(axis)} = {self._dim_output(axis)}"
            for axis, label in enumerate(("H_out", "W_out"))
        )

    def torch_code(self, in_channels: int = 1, out_channels: int = 1) -> str:
        """The ``nn.ConvTranspose2d(...)`` line that reproduces this configuration."""

        def short(pair: Pair) -> str:
            return str(pair[0]) if pair[0] == pair[1] else str(pair)

        args = [str(in_channels), str(out_channels), f"kernel_size={short(self.kernel_size)}"]
        for name in ("stride", "padding", "output_padding", "dilation"):
            value: Pair = getattr(self, name)
            default = (1, 1) if name in ("stride", "dilation") else (0, 0)
            if value != default:
                args.append(f"{name}={short(value)}")
        return f"nn.ConvTranspose2d({', '.join(args)})"


@overload
def conv_transpose_output_size(
    input_size: int,
    kernel_size: int,
    stride: int = 1,
    padding: int = 0,
    output_padding: int = 0,
    dilation: int = 1,
) -> int: ...
@overload
def conv_transpose_output_size(
    input_size: IntOrPair,
    kernel_size: IntOrPair,
    stride: IntOrPair = 1,
    padding: IntOrPair = 0,
    output_padding: IntOrPair = 0,
    dilation: IntOrPair = 1,
) -> int | Pair: ...
def conv_transpose_output_size(
    input_size: IntOrPair,
    kernel_size: IntOrPair,
    stride: IntOrPair = 1,
    padding: IntOrPair = 0,
    output_padding: IntOrPair = 0,
    dilation: IntOrPair = 1,
) -> int | Pair:
    """Spatial output size of a transposed convolution, as ``nn.ConvTranspose2d`` computes it.

    ``o' = (i' − 1)·s − 2p + d·(k − 1) + a + 1`` with ``a`` = ``output_padding`` < max(s, d).
    It inverts :func:`conv_output_size`: a stride-``s`` convolution maps ``s`` different input
    sizes to the same output, and ``a`` picks which one to recover.

    Args:
        input_size: ``i'``, int or ``(H, W)``.
        kernel_size: ``k``.
        stride: ``s`` ≥ 1.
        padding: ``p`` ≥ 0 (crops ``p`` cells from each side of the output).
        output_padding: ``a`` ≥ 0, added after; must be smaller than stride or dilation.
        dilation: ``d`` ≥ 1.

    Returns:
        An int for int arguments, else an ``(H_out, W_out)`` pair.

    Raises:
        TypeError: an argument is not an int / pair.
        GeometryError: torch would reject it (``output_padding`` too large, output < 1).

    Examples:
        >>> conv_transpose_output_size(3, 3)            # i' + (k − 1): undoes a valid 3×3 conv
        5
        >>> conv_transpose_output_size(3, 3, stride=2, padding=1, output_padding=1)
        6
        >>> conv_transpose_output_size((2, 3), 4, stride=2, padding=1)   # DCGAN-style doubling
        (4, 6)
    """
    pairs = any(
        is_pair_like(a)
        for a in (input_size, kernel_size, stride, padding, output_padding, dilation)
    )
    geometry = ConvTransposeGeometry.create(
        input_size, kernel_size, stride, padding, output_padding, dilation
    )
    return geometry.output_size if pairs else geometry.output_size[0]
