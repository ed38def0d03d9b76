"""Trace of a 2D convolution: for every output cell, the taps it reads, the products, the sum.

``F.conv2d`` computes, for sample ``n``, output channel ``k`` in group ``g`` and output cell
``(i, j)`` (``C_g = C / groups`` input channels per group, ``P`` the padded input)::

    out[n, k, i, j] = bias[k] + Σ_c Σ_u Σ_v  P[n, g·C_g + c, i·s_h + u·d_h, j·s_w + v·d_w]
                                              · weight[k, c, u, v]

(a cross-correlation: the kernel is not flipped). :func:`conv2d_trace` computes the whole
output at once with numpy (``sliding_window_view`` + ``einsum``) and exposes each term of the
sum as a :class:`ConvStep`, built lazily, one per output cell.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from vizkit.geometry import ConvGeometry, IntOrPair, PaddingMode, PaddingSpec
from vizkit.sliding._arrays import (
    FloatArray,
    as_float_array,
    check_allocation,
    check_bias,
    frozen,
    require_ndim,
)
from vizkit.sliding._padding import pad_last_two, padded_source
from vizkit.sliding._steps import Steps, unravel

Cell = tuple[int, int]


@dataclass(frozen=True, eq=False)
class ConvStep:
    """One output cell of a convolution: the window it reads, the products and their sum.

    Attributes:
        index: position of this step in :attr:`ConvTrace.steps` (= flat index into
            ``output``, C order, so step ``k`` is frame ``k`` of an animation).
        sample: batch index ``n`` (0 for an unbatched input).
        out_channel: output channel ``k``.
        out_index: output cell ``(row, col)``.
        group: the group ``g = k // (K / groups)`` whose input channels this cell reads.
        in_channels: those input channels, ``g·C_g … (g + 1)·C_g − 1``.
        rows: padded row coordinates of the ``kH`` kernel taps.
        cols: padded column coordinates of the ``kW`` kernel taps.
        window: the padded input under the taps, ``(C_g, kH, kW)``.
        kernel: ``weight[out_channel]``, ``(C_g, kH, kW)``.
        products: ``window · kernel``, ``(C_g, kH, kW)``.
        channel_sums: ``products`` summed per input channel, ``(C_g,)``.
        bias: the bias added (0.0 without bias).
        total: ``channel_sums.sum() + bias``; equals ``output`` at this cell.
    """

    index: int
    sample: int
    out_channel: int
    out_index: Cell
    group: int
    in_channels: tuple[int, ...]
    rows: tuple[int, ...]
    cols: tuple[int, ...]
    window: FloatArray
    kernel: FloatArray
    products: FloatArray
    channel_sums: FloatArray
    bias: float
    total: float


@dataclass(frozen=True, eq=False)
class ConvTrace:
    """A 2D convolution with every output cell's computation on record.

    Attributes:
        geometry: the validated sizes, padding and read pattern (``geometry.unread_input``
            lists input rows/columns no cell reads).
        input: the input as float64, ``(C, H, W)`` or ``(N, C, H, W)`` as given.
        weight: the kernel as applied, ``(K, C / groups, kH, kW)`` (flipped when
            ``flipped``).
        bias: ``(K,)`` or None.
        groups: number of channel groups.
        padded: the padded input, ``(C, H_p, W_p)`` or ``(N, C, H_p, W_p)``.
        padded_from: for each padded row and column, the input row/column it copies
            (−1 for a zero), so reflect / replicate / circular padding can be drawn.
        output: ``(K, H_out, W_out)`` or ``(N, K, H_out, W_out)``, equal to ``F.conv2d``.
        steps: one :class:`ConvStep` per output cell, in the C order of ``output``
            (sample, channel, row, col); built on access.
        flipped: True when the kernel was flipped (a true convolution, not torch's
            cross-correlation).

    Arrays are read-only; copy them (``np.array(trace.output)``) to modify.
    """

    geometry: ConvGeometry
    input: FloatArray
    weight: FloatArray
    bias: FloatArray | None
    groups: int
    padded: FloatArray
    padded_from: tuple[tuple[int, ...], tuple[int, ...]]
    output: FloatArray
    steps: Steps[ConvStep]
    flipped: bool = False

    @property
    def batched(self) -> bool:
        """True when the input had a batch axis ``(N, C, H, W)``."""
        return self.input.ndim == 4

    def step_index(self, out_channel: int, row: int, col: int, *, sample: int = 0) -> int:
        """Index in :attr:`steps` of output cell ``(sample, out_channel, row, col)``.

        Raises:
            IndexError: the cell is outside the output.
        """
        shape = self.output.shape if self.batched else (1, *self.output.shape)
        cell = (sample, out_channel, row, col)
        if any(not 0 <= v < n for v, n in zip(cell, shape, strict=True)):
            raise IndexError(
                f"cell (sample={sample}, out_channel={out_channel}, row={row}, col={col}) is "
                f"outside the output of shape (N, K, H_out, W_out) = {shape}"
            )
        return int(np.ravel_multi_index(cell, shape))


def check_conv_operands(
    x: FloatArray, weight: FloatArray, groups: object, *, weight_layout: str
) -> int:
    """Validate shapes of a ``(N, C, H, W)`` input and a 4D weight; return ``groups``.

    Raises:
        TypeError: ``groups`` is not an int.
        ValueError: wrong ndim, empty channels, channel/group mismatch.
    """
    require_ndim("weight", weight, (4,), weight_layout)
    if isinstance(groups, bool) or not isinstance(groups, int):
        raise TypeError(f"groups must be an int, got {groups!r} ({type(groups).__name__})")
    if groups < 1:
        raise ValueError(f"groups {groups} is not allowed: groups must be ≥ 1 (1 = dense)")
    if 0 in weight.shape or 0 in x.shape[:2]:
        raise ValueError(
            f"x of shape {x.shape} and weight of shape {weight.shape} must not have an empty "
            "axis: every channel count and kernel side must be ≥ 1"
        )
    return groups


def conv2d_trace(
    x: object,
    weight: object,
    bias: object = None,
    stride: IntOrPair = 1,
    padding: PaddingSpec = 0,
    dilation: IntOrPair = 1,
    groups: int = 1,
    *,
    padding_mode: PaddingMode = "zeros",
    flip: bool = False,
) -> ConvTrace:
    """Trace ``F.conv2d``: the output plus, for every output cell, its taps, products and sum.

    ``out[n, k, i, j] = bias[k] + Σ_{c,u,v} P[n, g·C_g + c, i·s_h + u·d_h, j·s_w + v·d_w] ·
    weight[k, c, u, v]`` with ``P`` the padded input and ``g`` the group of channel ``k``.

    Args:
        x: input ``(C, H, W)`` or ``(N, C, H, W)``; a numpy array, a torch tensor (any device,
            read without importing torch) or nested lists. Ints are fine; NaN propagates.
        weight: ``(K, C / groups, kH, kW)``, torch's layout.
        bias: ``(K,)`` or None.
        stride: int or ``(s_h, s_w)``.
        padding: int, ``(p_h, p_w)``, or ``"valid"`` / ``"same"`` (stride 1 only, as in
            torch; even kernels put the extra cell after) / ``"full"``.
        dilation: int or ``(d_h, d_w)``; spacing between taps.
        groups: split channels into this many independent groups.
        padding_mode: ``"zeros"``, ``"reflect"``, ``"replicate"`` or ``"circular"``, as
            ``nn.Conv2d(padding_mode=...)``.
        flip: flip the kernel (rows and columns) first: a true convolution, which torch's
            cross-correlation equals only for symmetric kernels.

    Returns:
        A :class:`ConvTrace`; ``.output`` has the batch-ness of ``x``, float64.

    Raises:
        TypeError: an argument of the wrong kind (non-numeric data, float stride, …).
        ValueError: wrong number of dimensions, channels that do not match ``weight`` and
            ``groups``, a bias of the wrong length.
        GeometryError: a configuration torch rejects (kernel larger than the padded input,
            ``"same"`` with stride > 1, reflect padding as large as the input, …).

    Example:
        >>> import numpy as np
        >>> x = np.arange(16.0).reshape(1, 4, 4)
        >>> t = conv2d_trace(x, np.ones((1, 1, 2, 2)), stride=2)
        >>> t.output
        array([[[10., 18.],
                [42., 50.]]])
        >>> step = t.steps[1]
        >>> step.out_index, step.rows, step.cols, step.total
        ((0, 1), (0, 1), (2, 3), 18.0)
    """
    data = as_float_array("x", x)
    require_ndim("x", data, (3, 4), "(C, H, W) or (N, C, H, W)")
    batched = data.ndim == 4
    x4 = data if batched else data[None]
    w = as_float_array("weight", weight)
    g = check_conv_operands(
        x4, w, groups, weight_layout="(out_channels, in_channels / groups, kH, kW)"
    )
    channels, out_channels = x4.shape[1], w.shape[0]
    if w.shape[1] * g != channels:
        raise ValueError(
            f"x has {channels} channels but weight of shape {w.shape} expects "
            f"{w.shape[1]}·groups = {w.shape[1]}·{g} = {w.shape[1] * g} "
            f"(weight is (out_channels, in_channels / groups, kH, kW)): pass a weight of shape "
            f"({out_channels}, {channels // g if channels % g == 0 else 'C / groups'}, "
            f"{w.shape[2]}, {w.shape[3]}) or an input with {w.shape[1] * g} channels"
        )
    if out_channels % g:
        raise ValueError(
            f"groups {g} does not divide out_channels {out_channels} (weight.shape[0]): "
            f"each group needs the same number of output channels; use a multiple of {g}"
        )
    b = None if bias is None else check_bias(bias, out_channels)
    if not isinstance(flip, bool):
        raise TypeError(f"flip must be True or False, got {flip!r}")
    geometry = ConvGeometry.create(
        (x4.shape[2], x4.shape[3]),
        (w.shape[2], w.shape[3]),
        stride,
        padding,
        dilation,
        padding_mode=padding_mode,
    )
    (pt, pb), (pl, pr) = geometry.padding
    n, (ho, wo) = x4.shape[0], geometry.output_size
    (sh, sw), (eh, ew) = geometry.stride, geometry.effective_kernel_size
    padded = n * channels * (x4.shape[2] + pt + pb) * (x4.shape[3] + pl + pr)
    windows = n * channels * ho * wo * w.shape[2] * w.shape[3]  # einsum may copy the windows
    unpadded_windows = (  # the windows the same kernel would have without padding
        n
        * channels
        * -(-max(0, x4.shape[2] - eh + 1) // sh)
        * -(-max(0, x4.shape[3] - ew + 1) // sw)
        * w.shape[2]
        * w.shape[3]
    )
    check_allocation(
        padded + windows + n * out_channels * ho * wo,
        {
            "padding": (padding, padded - x4.size + windows - unpadded_windows),
            "x": (f"<array of shape {data.shape}>", x4.size + n * out_channels * ho * wo),
            "weight": (f"<array of shape {w.shape}>", unpadded_windows),
        },
        "the padded input, its windows and the output (float64)",
        "trace a small example: traces are for looking at every step",
    )
    if flip:
        w = np.ascontiguousarray(w[..., ::-1, ::-1])
    return trace_from_geometry(data, w, b, geometry, g, flipped=flip)


def trace_from_geometry(
    data: FloatArray,
    weight: FloatArray,
    bias: FloatArray | None,
    geometry: ConvGeometry,
    groups: int,
    *,
    flipped: bool = False,
) -> ConvTrace:
    """Build a :class:`ConvTrace` from validated float64 operands and a geometry.

    ``data`` is ``(C, H, W)`` or ``(N, C, H, W)``; ``weight`` ``(K, C / groups, kH, kW)``.
    Shared by :func:`conv2d_trace`, the transposed convolution's direct view and the 1D trace.
    """
    batched = data.ndim == 4
    x4 = data if batched else data[None]
    n = x4.shape[0]
    out_channels, cg, kh, kw = weight.shape
    kg = out_channels // groups
    padded = pad_last_two(x4, geometry.padding, geometry.padding_mode)
    (sh, sw), (dh, dw) = geometry.stride, geometry.dilation
    eh, ew = geometry.effective_kernel_size
    ho, wo = geometry.output_size
    windows = sliding_window_view(padded, (eh, ew), axis=(2, 3))[:, :, ::sh, ::sw, ::dh, ::dw]
    windows = windows[:, :, :ho, :wo].reshape(n, groups, cg, ho, wo, kh, kw)
    kernels = weight.reshape(groups, kg, cg, kh, kw)
    out = np.einsum("ngchwij,gkcij->ngkhw", windows, kernels, optimize=True)
    out = out.reshape(n, out_channels, ho, wo)
    bias_values = np.zeros(out_channels) if bias is None else bias
    out = out + bias_values[:, None, None]

    def make(k: int) -> ConvStep:
        s, ko, r, c = unravel(k, (n, out_channels, ho, wo))
        group = ko // kg
        window = padded[
            s, group * cg : (group + 1) * cg, r * sh : r * sh + eh : dh, c * sw : c * sw + ew : dw
        ].copy()
        kernel = weight[ko].copy()
        products = window * kernel
        sums = products.sum(axis=(1, 2))
        bias_k = float(bias_values[ko])
        return ConvStep(
            index=k,
            sample=s,
            out_channel=ko,
            out_index=(r, c),
            group=group,
            in_channels=tuple(range(group * cg, (group + 1) * cg)),
            rows=geometry.taps(0, r),
            cols=geometry.taps(1, c),
            window=frozen(window),
            kernel=frozen(kernel),
            products=frozen(products),
            channel_sums=frozen(sums),
            bias=bias_k,
            total=float(sums.sum()) + bias_k,
        )

    (top, bottom), (left, right) = geometry.padding
    return ConvTrace(
        geometry=geometry,
        input=frozen(data),
        weight=frozen(weight),
        bias=None if bias is None else frozen(bias),
        groups=groups,
        padded=frozen(padded if batched else padded[0]),
        padded_from=(
            padded_source(geometry.input_size[0], top, bottom, geometry.padding_mode),
            padded_source(geometry.input_size[1], left, right, geometry.padding_mode),
        ),
        output=frozen(out if batched else out[0]),
        steps=Steps(out.size, make),
        flipped=flipped,
    )
