"""Output size, padding and read pattern of a (direct) convolution.

The formula PyTorch uses (``nn.Conv2d`` docs), per spatial dimension::

    out = ⌊(in + pad_before + pad_after − dilation·(kernel_size − 1) − 1) / stride⌋ + 1

With symmetric padding ``p`` and no dilation this is the lecture form
``o = ⌊(i + 2p − k) / s⌋ + 1`` (Dumoulin & Visin, relationship 6).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import overload

from vizkit.geometry._checks import (
    AXES,
    GeometryError,
    IntOrPair,
    PaddingMode,
    PaddingName,
    PaddingSpec,
    Pair,
    check_padding_mode,
    check_padding_name,
    is_pair_like,
    require_at_least,
    to_pair,
)
from vizkit.geometry.windows import window_count

PadPair = tuple[int, int]  # (before, after) along one axis


def _sum_text(size: int, before: int, after: int) -> str:
    """``"5 + 2·1"`` / ``"5 + 1 + 2"`` / ``"5"``: the padded size as a sum."""
    if before == after == 0:
        return f"{size}"
    if before == after:
        return f"{size} + 2·{before}"
    return f"{size} + {before} + {after}"


def _dim_output(
    size: int, kernel: int, stride: int, pad: PadPair, dilation: int, axis: str | None
) -> int:
    """Output length along one axis, or a teaching :class:`GeometryError`."""
    effective = dilation * (kernel - 1) + 1
    padded = size + pad[0] + pad[1]
    if effective > padded:
        dilated = f" (dilated to {effective})" if dilation > 1 else ""
        where = f" {axis}" if axis else ""
        total = f" = {padded}" if pad != (0, 0) else ""
        fix = (
            "lower kernel_size or dilation, or raise padding"
            if dilation > 1
            else ("lower kernel_size, or raise padding")
        )
        raise GeometryError(
            f"kernel_size {kernel}{dilated} is larger than the padded input{where} "
            f"{_sum_text(size, *pad)}{total}: {fix}"
        )
    return window_count(size, kernel, stride, pad[0], pad[1], dilation)


def _dim_formula(
    label: str, size: int, kernel: int, stride: int, pad: PadPair, dilation: int
) -> str:
    """One line of the output-size formula with the numbers filled in."""
    out = _dim_output(size, kernel, stride, pad, dilation, None)
    kernel_text = f"{kernel}" if dilation == 1 else f"{dilation}·({kernel} − 1) − 1"
    inner = f"{_sum_text(size, *pad)} − {kernel_text}"
    if stride == 1:
        return f"{label} = {inner} + 1 = {out}"
    return f"{label} = ⌊({inner}) / {stride}⌋ + 1 = {out}"


def resolve_padding(
    padding: PaddingSpec, kernel_size: Pair, stride: Pair, dilation: Pair
) -> tuple[PadPair, PadPair]:
    """Turn a padding argument into explicit ``((top, bottom), (left, right))`` amounts.

    ``"valid"`` is no padding; ``"full"`` pads ``dilation·(kernel_size − 1)`` on both sides (every
    partial overlap is computed); ``"same"`` pads ``dilation·(kernel_size − 1)`` in total, the
    smaller half before and the larger half after, exactly as ``F.conv2d(padding="same")`` does.
    Torch rejects ``"same"`` for strided convolutions, and so does this function.

    Raises:
        GeometryError: an unknown name, negative amounts, or ``"same"`` with ``stride > 1``;
            a ``kernel_size``, ``stride`` or ``dilation`` below 1.
        TypeError: an argument that is not an int or an ``(h, w)`` pair of ints.
    """
    kernel_size = to_pair("kernel_size", kernel_size)
    stride = to_pair("stride", stride)
    dilation = to_pair("dilation", dilation)
    require_at_least("kernel_size", kernel_size, 1, "a kernel needs at least one tap")
    require_at_least("stride", stride, 1, "1 = move one cell at a time")
    require_at_least("dilation", dilation, 1, "1 = adjacent kernel taps")
    if isinstance(padding, str):
        name = check_padding_name(padding)
        if name == "same" and stride != (1, 1):
            s = stride[0] if stride[0] == stride[1] else stride
            raise GeometryError(
                f"padding 'same' with stride {s} is rejected by torch (it supports 'same' only "
                f"for stride 1): use stride=1, or pad explicitly with "
                f"same_padding(input_size, kernel_size, stride={s}) and F.pad"
            )
        pads: list[PadPair] = []
        for k, d in zip(kernel_size, dilation, strict=True):
            total = d * (k - 1)
            if name == "valid":
                pads.append((0, 0))
            elif name == "full":
                pads.append((total, total))
            else:
                pads.append((total // 2, total - total // 2))
        return (pads[0], pads[1])
    p = to_pair("padding", padding)
    require_at_least("padding", p, 0, "torch has no negative padding; crop the input instead")
    return ((p[0], p[0]), (p[1], p[1]))


@dataclass(frozen=True)
class ConvGeometry:
    """A validated 2D convolution configuration (one input plane, one kernel window).

    Build it with :meth:`create`, which accepts everything ``nn.Conv2d`` accepts (ints or
    ``(h, w)`` pairs, ``"valid"``/``"same"``/``"full"`` padding). Construction checks the
    configuration once; every property afterwards is plain arithmetic.

    Attributes:
        input_size: ``(H, W)`` of the unpadded input.
        kernel_size: ``(kH, kW)``.
        stride: ``(sH, sW)``.
        padding: ``((top, bottom), (left, right))`` explicit amounts.
        dilation: ``(dH, dW)``; spacing between kernel taps (1 = adjacent).
        padding_mode: how padded cells are filled (``"zeros"``, ``"reflect"``,
            ``"replicate"``, ``"circular"``), as in ``nn.Conv2d``.
        padding_name: ``"valid"``, ``"same"`` or ``"full"`` when the padding was given by name.

    Example:
        >>> g = ConvGeometry.create(5, 3, stride=2, padding=1)
        >>> g.output_size
        (3, 3)
        >>> print(g.formula())
        H_out = ⌊(5 + 2·1 − 3) / 2⌋ + 1 = 3
        W_out = ⌊(5 + 2·1 − 3) / 2⌋ + 1 = 3
        >>> ConvGeometry.create(10, 3, stride=2).unread_input  # the last column is never read
        ((9,), (9,))
    """

    input_size: Pair
    kernel_size: Pair
    stride: Pair = (1, 1)
    padding: tuple[PadPair, PadPair] = ((0, 0), (0, 0))
    dilation: Pair = (1, 1)
    padding_mode: PaddingMode = "zeros"
    padding_name: PaddingName | None = field(default=None, compare=False)

    def __post_init__(self) -> None:
        for name in ("input_size", "kernel_size", "stride", "dilation"):
            object.__setattr__(self, name, to_pair(name, getattr(self, name)))
        require_at_least("input_size", self.input_size, 1, "an input needs at least one cell")
        require_at_least("kernel_size", self.kernel_size, 1, "a kernel needs at least one tap")
        require_at_least("stride", self.stride, 1, "1 = move one cell at a time")
        require_at_least("dilation", self.dilation, 1, "1 = adjacent kernel taps")
        pads = tuple(to_pair("padding", p) for p in self.padding)
        if len(pads) != 2:
            raise TypeError(
                f"padding must be ((top, bottom), (left, right)), got {self.padding!r}: "
                "use ConvGeometry.create(...) to pass an int, a pair or a padding name"
            )
        object.__setattr__(self, "padding", pads)
        for pad in pads:
            require_at_least("padding", pad, 0, "torch has no negative padding")
        check_padding_mode(self.padding_mode)
        self._check_padding_mode()
        square = self._axis_args(0) == self._axis_args(1)
        for axis in range(2):  # raises GeometryError when the kernel does not fit
            _dim_output(*self._axis_args(axis), None if square else AXES[axis])

    def _axis_args(self, axis: int) -> tuple[int, int, int, PadPair, int]:
        return (
            self.input_size[axis],
            self.kernel_size[axis],
            self.stride[axis],
            self.padding[axis],
            self.dilation[axis],
        )

    def _check_padding_mode(self) -> None:
        for axis, (size, pad) in enumerate(zip(self.input_size, self.padding, strict=True)):
            biggest = max(pad)
            if self.padding_mode == "reflect" and biggest >= size:
                raise GeometryError(
                    f"padding {biggest} with padding_mode 'reflect' needs an input "
                    f"{AXES[axis]} larger than {biggest}, got {size}: reflection cannot reach "
                    f"past the opposite edge; lower padding to {size - 1} or use 'replicate'"
                )
            if self.padding_mode == "circular" and biggest > size:
                raise GeometryError(
                    f"padding {biggest} with padding_mode 'circular' wraps around the input "
                    f"{AXES[axis]} {size} more than once: lower padding to {size} or use "
                    f"'replicate'"
                )

    @classmethod
    def create(
        cls,
        input_size: IntOrPair,
        kernel_size: IntOrPair,
        stride: IntOrPair = 1,
        padding: PaddingSpec = 0,
        dilation: IntOrPair = 1,
        *,
        padding_mode: PaddingMode = "zeros",
    ) -> ConvGeometry:
        """Validate ``nn.Conv2d``-style arguments and build the geometry.

        Raises:
            TypeError: an argument is not an int or an ``(h, w)`` pair.
            GeometryError: a configuration torch rejects, with the fix in the message.
        """
        k = to_pair("kernel_size", kernel_size)
        s = to_pair("stride", stride)
        d = to_pair("dilation", dilation)
        size = to_pair("input_size", input_size)
        require_at_least("kernel_size", k, 1, "a kernel needs at least one tap")
        require_at_least("stride", s, 1, "1 = move one cell at a time")
        require_at_least("dilation", d, 1, "1 = adjacent kernel taps")
        pads = resolve_padding(padding, k, s, d)
        name = check_padding_name(padding) if isinstance(padding, str) else None
        return cls(size, k, s, pads, d, padding_mode, name)

    @property
    def effective_kernel_size(self) -> Pair:
        """Span of the dilated kernel: ``dilation·(kernel_size − 1) + 1``."""
        return (
            self.dilation[0] * (self.kernel_size[0] - 1) + 1,
            self.dilation[1] * (self.kernel_size[1] - 1) + 1,
        )

    @property
    def padded_size(self) -> Pair:
        """``(H + top + bottom, W + left + right)``."""
        return (
            self.input_size[0] + sum(self.padding[0]),
            self.input_size[1] + sum(self.padding[1]),
        )

    @property
    def output_size(self) -> Pair:
        """``(H_out, W_out)``, as ``nn.Conv2d`` computes it."""
        return (_dim_output(*self._axis_args(0), None), _dim_output(*self._axis_args(1), None))

    def taps(self, axis: int, out_index: int) -> tuple[int, ...]:
        """Padded coordinates along ``axis`` (0 rows, 1 columns) read by output ``out_index``.

        Example:
            >>> ConvGeometry.create(7, 3, stride=2, dilation=2).taps(1, 1)
            (2, 4, 6)
        """
        start = out_index * self.stride[axis]
        return tuple(start + t * self.dilation[axis] for t in range(self.kernel_size[axis]))

    def read_indices(self, axis: int) -> tuple[int, ...]:
        """Sorted padded coordinates along ``axis`` that at least one output cell reads."""
        seen = {i for o in range(self.output_size[axis]) for i in self.taps(axis, o)}
        return tuple(sorted(seen))

    @property
    def unread_input(self) -> tuple[tuple[int, ...], tuple[int, ...]]:
        """Input rows and columns (unpadded coordinates) that no output cell ever reads.

        Legal in torch (so not an error), but worth showing: e.g. ``W=10, F=3, S=2, P=0``
        never reads column 9. Dilation with a large stride can also skip interior cells.
        """
        result = []
        for axis in range(2):
            read = set(self.read_indices(axis))
            before = self.padding[axis][0]
            result.append(tuple(i for i in range(self.input_size[axis]) if i + before not in read))
        return (result[0], result[1])

    def formula(self) -> str:
        """The output-size formula with this configuration's numbers, one line per axis."""
        return "\n".join(
            _dim_formula(label, *self._axis_args(axis))
            for axis, label in enumerate(("H_out", "W_out"))
        )

    def torch_code(
        self, in_channels: int = 1, out_channels: int = 1, *, groups: int = 1, bias: bool = True
    ) -> str:
        """The ``nn.Conv2d(...)`` line that reproduces this configuration.

        Example:
            >>> ConvGeometry.create(5, 3, stride=2, padding=1).torch_code(3, 8)
            'nn.Conv2d(3, 8, kernel_size=3, stride=2, padding=1)'
        """

        def short(pair: Pair) -> str:
            return str(pair[0]) if pair[0] == pair[1] else str(pair)

        args = [str(in_channels), str(out_channels), f"kernel_size={short(self.kernel_size)}"]
        if self.stride != (1, 1):
            args.append(f"stride={short(self.stride)}")
        symmetric = all(p[0] == p[1] for p in self.padding)
        if self.padding_name is not None and self.padding_name != "full":
            args.append(f"padding={self.padding_name!r}")
        elif symmetric and self.padding != ((0, 0), (0, 0)):
            args.append(f"padding={short((self.padding[0][0], self.padding[1][0]))}")
        if self.dilation != (1, 1):
            args.append(f"dilation={short(self.dilation)}")
        if groups != 1:
            args.append(f"groups={groups}")
        if not bias:
            args.append("bias=False")
        if self.padding_mode != "zeros":
            args.append(f"padding_mode={self.padding_mode!r}")
        code = f"nn.Conv2d({', '.join(args)})"
        if not symmetric and self.padding_name is None:
            (top, bottom), (left, right) = self.padding
            code = f"nn.Sequential(nn.ZeroPad2d(({left}, {right}, {top}, {bottom})), {code})"
        return code


@overload
def conv_output_size(
    input_size: int,
    kernel_size: int,
    stride: int = 1,
    padding: int | PaddingName = 0,
    dilation: int = 1,
) -> int: ...
@overload
def conv_output_size(
    input_size: IntOrPair,
    kernel_size: IntOrPair,
    stride: IntOrPair = 1,
    padding: PaddingSpec = 0,
    dilation: IntOrPair = 1,
) -> int | Pair: ...
def conv_output_size(
    input_size: IntOrPair,
    kernel_size: IntOrPair,
    stride: IntOrPair = 1,
    padding: PaddingSpec = 0,
    dilation: IntOrPair = 1,
) -> int | Pair:
    """Spatial output size of a convolution, exactly as ``nn.Conv2d`` / ``nn.Conv1d`` compute it.

    ``o = ⌊(i + p_before + p_after − d·(k − 1) − 1) / s⌋ + 1``; with ``p`` on both sides and
    ``d = 1`` this is ``⌊(i + 2p − k) / s⌋ + 1``.

    Args:
        input_size: ``i``, an int or an ``(H, W)`` pair.
        kernel_size: ``k``, an int or a pair.
        stride: ``s`` ≥ 1.
        padding: ``p`` ≥ 0 on each side, a pair, or ``"valid"`` (p = 0), ``"same"`` (output =
            input; stride 1 only, as in torch) or ``"full"`` (p = d·(k − 1)).
        dilation: ``d`` ≥ 1, spacing between kernel taps.

    Returns:
        An int when every argument is an int (or a padding name), else an ``(H_out, W_out)`` pair.

    Raises:
        TypeError: an argument is not an int / pair.
        GeometryError: torch would reject the configuration (e.g. the kernel is larger than the
            padded input); the message says which parameter to change.

    Examples:
        >>> conv_output_size(5, 3)                      # no padding, unit stride: i − k + 1
        3
        >>> conv_output_size(5, 3, stride=2, padding=1)
        3
        >>> conv_output_size(227, 11, stride=4)         # AlexNet conv1
        55
        >>> conv_output_size((32, 20), 5, padding="same")
        (32, 20)
        >>> conv_output_size(7, 3, padding="full"), conv_output_size(7, 3, dilation=2)
        (9, 3)
    """
    pairs = any(is_pair_like(a) for a in (input_size, kernel_size, stride, padding, dilation))
    geometry = ConvGeometry.create(input_size, kernel_size, stride, padding, dilation)
    return geometry.output_size if pairs else geometry.output_size[0]


@overload
def same_padding(
    input_size: int, kernel_size: int, stride: int = 1, dilation: int = 1
) -> PadPair: ...
@overload
def same_padding(
    input_size: IntOrPair, kernel_size: IntOrPair, stride: IntOrPair = 1, dilation: IntOrPair = 1
) -> PadPair | tuple[PadPair, PadPair]: ...
def same_padding(
    input_size: IntOrPair, kernel_size: IntOrPair, stride: IntOrPair = 1, dilation: IntOrPair = 1
) -> PadPair | tuple[PadPair, PadPair]:
    """Padding ``(before, after)`` that makes the output ``⌈i / s⌉`` cells long ("same").

    ``total = max((⌈i/s⌉ − 1)·s + d·(k − 1) + 1 − i, 0)``, ``before = ⌊total / 2⌋``,
    ``after = total − before``. For stride 1 the total is ``d·(k − 1)`` whatever the input:
    odd kernels pad equally, even kernels put the extra cell after (bottom/right), exactly
    what ``F.conv2d(padding="same")`` does. For stride > 1 (which torch's ``"same"`` refuses)
    this is the TensorFlow/Keras rule; apply it with ``F.pad``.

    Returns:
        ``(before, after)`` for int arguments, else ``((top, bottom), (left, right))``.

    Examples:
        >>> same_padding(5, 3), same_padding(5, 4)
        ((1, 1), (1, 2))
        >>> same_padding(7, 3, stride=2)   # output ⌈7/2⌉ = 4
        (1, 1)
        >>> same_padding(8, 3, stride=2)   # output 4 again; one cell of padding is enough
        (0, 1)
    """
    size = to_pair("input_size", input_size)
    k = to_pair("kernel_size", kernel_size)
    s = to_pair("stride", stride)
    d = to_pair("dilation", dilation)
    require_at_least("input_size", size, 1, "an input needs at least one cell")
    require_at_least("kernel_size", k, 1, "a kernel needs at least one tap")
    require_at_least("stride", s, 1, "1 = move one cell at a time")
    require_at_least("dilation", d, 1, "1 = adjacent kernel taps")
    pads: list[PadPair] = []
    for i, kk, ss, dd in zip(size, k, s, d, strict=True):
        out = -(-i // ss)
        total = max((out - 1) * ss + dd * (kk - 1) + 1 - i, 0)
        pads.append((total // 2, total - total // 2))
    pairs = any(is_pair_like(a) for a in (input_size, kernel_size, stride, dilation))
    return (pads[0], pads[1]) if pairs else pads[0]
