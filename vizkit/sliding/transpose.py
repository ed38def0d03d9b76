"""Trace of a 2D transposed convolution, in its two classic views.

**Scatter** (how ``F.conv_transpose2d`` is usually drawn): every input cell ``x[c, i, j]``
stamps ``x[c, i, j] · weight[c]`` onto an output canvas, its taps at rows ``i·s + u·d`` and
columns ``j·s + v·d``; overlapping stamps add. The canvas is ``(H − 1)·s + d·(k − 1) + 1 +
output_padding`` cells tall; ``padding`` then crops that many cells from each side.

**Direct** (Dumoulin & Visin, section 4): the same output is a stride-1 convolution of the
*stretched* input (``s − 1`` zeros between neighbouring cells), padded with
``d·(k − 1) − p`` zeros on each side (a crop when negative) plus ``output_padding`` after,
with the spatially flipped kernel whose in/out channel axes are swapped.

Both views give ``F.conv_transpose2d`` exactly. The transposed convolution is also the adjoint
of the convolution with the same weight (:mod:`vizkit.sliding.adjoint`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from vizkit.geometry import ConvGeometry, ConvTransposeGeometry, IntOrPair
from vizkit.sliding._arrays import (
    FloatArray,
    as_float_array,
    check_allocation,
    check_bias,
    frozen,
    require_ndim,
)
from vizkit.sliding._padding import crop_or_pad
from vizkit.sliding._steps import Steps, unravel
from vizkit.sliding.conv import Cell, ConvTrace, check_conv_operands, trace_from_geometry


@dataclass(frozen=True, eq=False)
class StampStep:
    """One input cell's contribution in the scatter view: a scaled copy of its kernel.

    Attributes:
        index: position in :attr:`ConvTransposeTrace.steps` (= flat index into ``input``).
        sample: batch index (0 for an unbatched input).
        in_channel: input channel ``c``.
        in_index: input cell ``(i, j)``.
        group: the channel group of ``c``.
        out_channels: output channels the stamp lands on (those of the group).
        rows: canvas rows of the kernel taps, ``i·s_h + u·d_h``.
        cols: canvas columns of the kernel taps, ``j·s_w + v·d_w``.
        value: ``x[c, i, j]``.
        kernel: ``weight[c]``, ``(C_out / groups, kH, kW)``.
        stamp: ``value · kernel``, added to ``canvas[out_channels][rows × cols]``.
    """

    index: int
    sample: int
    in_channel: int
    in_index: Cell
    group: int
    out_channels: tuple[int, ...]
    rows: tuple[int, ...]
    cols: tuple[int, ...]
    value: float
    kernel: FloatArray
    stamp: FloatArray


@dataclass(frozen=True, eq=False)
class ConvTransposeTrace:
    """A transposed convolution, as stamps on a canvas and as an equivalent direct conv.

    Attributes:
        geometry: sizes, ``stretched_size`` and ``direct_padding``.
        input: ``(C_in, H, W)`` or ``(N, C_in, H, W)``, float64.
        weight: ``(C_in, C_out / groups, kH, kW)``, torch's layout.
        bias: ``(C_out,)`` or None.
        groups: number of channel groups.
        canvas: sum of all stamps before cropping, ``(C_out, H_c, W_c)`` (batch axis first
            when batched), ``H_c = (H − 1)·s + d·(kH − 1) + 1 + output_padding``.
        crop: ``(rows, cols)`` slices of the canvas that form the output (``padding`` cells
            removed on each side).
        output: ``crop(canvas) + bias``, equal to ``F.conv_transpose2d``.
        steps: one :class:`StampStep` per input cell, in the C order of ``input``.
        stretched: the input with ``s − 1`` zeros between cells, ``(…, C_in, H_s, W_s)``.
        direct: the equivalent stride-1 :class:`~vizkit.sliding.ConvTrace` of the stretched,
            zero-padded (or cropped) input with the flipped, channel-swapped kernel; its
            ``output`` equals ``output`` and its steps walk the output cells.
        direct_from: for each row / column of ``direct.input``, the input row / column it
            holds (−1 for an inserted or padded zero).
    """

    geometry: ConvTransposeGeometry
    input: FloatArray
    weight: FloatArray
    bias: FloatArray | None
    groups: int
    canvas: FloatArray
    crop: tuple[slice, slice]
    output: FloatArray
    steps: Steps[StampStep]
    stretched: FloatArray
    direct: ConvTrace
    direct_from: tuple[tuple[int, ...], tuple[int, ...]]

    @property
    def batched(self) -> bool:
        """True when the input had a batch axis."""
        return self.input.ndim == 4

    def canvas_after(self, step: int) -> FloatArray:
        """The canvas of step ``step``'s sample once steps up to and including it are stamped.

        Frame ``k`` of a scatter animation. ``(C_out, H_c, W_c)``, no bias, not cropped.
        """
        k = self.steps[step].index
        x4 = self.input if self.batched else self.input[None]
        per_sample = x4[0].size
        sample, local = divmod(k, per_sample)
        partial = np.where(np.arange(per_sample) <= local, x4[sample].ravel(), 0.0)
        canvas = _scatter(
            partial.reshape(1, *x4.shape[1:]), self.weight, self.groups, self.geometry
        )
        result: FloatArray = canvas[0]
        return result


def _scatter(
    x4: FloatArray, weight: FloatArray, groups: int, geometry: ConvTransposeGeometry
) -> FloatArray:
    """Add every input cell's stamp onto an uncropped canvas, one kernel tap at a time."""
    n, c_in, h, w = x4.shape
    _, cog, kh, kw = weight.shape
    (sh, sw), (dh, dw) = geometry.stride, geometry.dilation
    (hs, ws), (oph, opw) = geometry.stretched_size, geometry.output_padding
    canvas = np.zeros((n, cog * groups, hs + dh * (kh - 1) + oph, ws + dw * (kw - 1) + opw))
    xg = x4.reshape(n, groups, c_in // groups, h, w)
    wg = weight.reshape(groups, c_in // groups, cog, kh, kw)
    for u in range(kh):
        for v in range(kw):
            contrib = np.einsum("ngchw,gck->ngkhw", xg, wg[..., u, v])
            canvas[:, :, u * dh : u * dh + hs : sh, v * dw : v * dw + ws : sw] += contrib.reshape(
                n, cog * groups, h, w
            )
    return canvas


def _direct_from(size: int, stride: int, before: int, length: int) -> tuple[int, ...]:
    """Input coordinate held by each direct-conv input coordinate (−1 for a zero)."""
    result = []
    for q in range(length):
        s = q - before
        ok = 0 <= s < (size - 1) * stride + 1 and s % stride == 0
        result.append(s // stride if ok else -1)
    return tuple(result)


def conv_transpose2d_trace(
    x: object,
    weight: object,
    bias: object = None,
    stride: IntOrPair = 1,
    padding: IntOrPair = 0,
    output_padding: IntOrPair = 0,
    groups: int = 1,
    dilation: IntOrPair = 1,
) -> ConvTransposeTrace:
    """Trace ``F.conv_transpose2d`` (same argument order) as stamps and as a direct conv.

    ``canvas[n, g·C_og + k, i·s_h + u·d_h, j·s_w + v·d_w] += x[n, c, i, j] · weight[c, k, u, v]``
    over input channels ``c`` of group ``g``; ``output = canvas[p_h : H_c − p_h,
    p_w : W_c − p_w] + bias``.

    Args:
        x: ``(C_in, H, W)`` or ``(N, C_in, H, W)`` array or tensor.
        weight: ``(C_in, C_out / groups, kH, kW)`` (torch's transposed layout).
        bias: ``(C_out,)`` or None.
        stride: int or pair; ``s − 1`` zeros go between input cells in the direct view.
        padding: int or pair; cells cropped from each side of the output.
        output_padding: int or pair, ``< max(stride, dilation)``; extra cells after.
        groups: channel groups.
        dilation: int or pair; spacing between kernel taps.

    Returns:
        A :class:`ConvTransposeTrace`.

    Raises:
        TypeError: an argument of the wrong kind.
        ValueError: wrong ndim, channels not matching ``weight`` / ``groups``, bad bias.
        GeometryError: a configuration torch rejects (``output_padding`` too large, …).

    Example:
        >>> import numpy as np
        >>> t = conv_transpose2d_trace(np.array([[[1.0, 2.0]]]), np.ones((1, 1, 1, 2)),
        ...                            stride=2)
        >>> t.output
        array([[[1., 1., 2., 2.]]])
        >>> t.steps[1].cols, t.steps[1].stamp
        ((2, 3), array([[[2., 2.]]]))
    """
    data = as_float_array("x", x)
    require_ndim("x", data, (3, 4), "(C_in, H, W) or (N, C_in, H, W)")
    batched = data.ndim == 4
    x4 = data if batched else data[None]
    w = as_float_array("weight", weight)
    g = check_conv_operands(
        x4, w, groups, weight_layout="(in_channels, out_channels / groups, kH, kW)"
    )
    c_in, cog = x4.shape[1], w.shape[1]
    if w.shape[0] != c_in:
        raise ValueError(
            f"x has {c_in} channels but weight of shape {w.shape} expects {w.shape[0]} "
            f"(a transposed convolution's weight is (in_channels, out_channels / groups, kH, "
            f"kW)): pass a weight of shape ({c_in}, {cog}, {w.shape[2]}, {w.shape[3]})"
        )
    if c_in % g:
        raise ValueError(
            f"groups {g} does not divide in_channels {c_in}: each group needs the same number "
            f"of input channels; use one of {[d for d in range(1, c_in + 1) if c_in % d == 0]}"
        )
    b = None if bias is None else check_bias(bias, cog * g)
    geometry = ConvTransposeGeometry.create(
        (x4.shape[2], x4.shape[3]),
        (w.shape[2], w.shape[3]),
        stride,
        padding,
        output_padding,
        dilation,
    )
    (hs0, ws0), (dh0, dw0) = geometry.stretched_size, geometry.dilation
    (oph0, opw0), (kh0, kw0) = geometry.output_padding, (w.shape[2], w.shape[3])
    canvas_h, canvas_w = hs0 + dh0 * (kh0 - 1) + oph0, ws0 + dw0 * (kw0 - 1) + opw0
    n0 = x4.shape[0]
    stretched_elements = n0 * c_in * hs0 * ws0
    canvas_elements = n0 * cog * g * canvas_h * canvas_w
    check_allocation(
        2 * stretched_elements + 3 * canvas_elements,
        {  # a stride stretches the input and the canvas; a dilation spreads the kernel
            "stride": (stride, (stretched_elements + canvas_elements) * (max(geometry.stride) > 1)),
            "dilation": (dilation, canvas_elements * (max(dh0, dw0) > 1)),
            "output_padding": (output_padding, canvas_elements * (max(oph0, opw0) > 0) // 2),
            "x": (f"<array of shape {data.shape}>", x4.size),
        },
        f"the stretched input ({hs0}×{ws0}), the {canvas_h}×{canvas_w} canvas and the direct "
        "view (float64)",
        "trace a small example: traces are for looking at every stamp",
    )
    canvas = _scatter(x4, w, g, geometry)
    (ph, pw), (ho, wo) = geometry.padding, geometry.output_size
    crop = (slice(ph, ph + ho), slice(pw, pw + wo))
    out = canvas[:, :, crop[0], crop[1]]
    if b is not None:
        out = out + b[:, None, None]
    out = np.ascontiguousarray(out)

    # The direct view: stretch, pad (or crop), flip the kernel, swap its channel axes.
    (sh, sw), (hs, ws) = geometry.stride, geometry.stretched_size
    stretched = np.zeros((*x4.shape[:2], hs, ws))
    stretched[:, :, ::sh, ::sw] = x4
    pads = geometry.direct_padding
    direct_in = crop_or_pad(stretched, pads)
    kh, kw = w.shape[2], w.shape[3]
    flipped = (
        w.reshape(g, c_in // g, cog, kh, kw)
        .transpose(0, 2, 1, 3, 4)
        .reshape(g * cog, c_in // g, kh, kw)[..., ::-1, ::-1]
    )
    direct_geometry = ConvGeometry(
        (direct_in.shape[2], direct_in.shape[3]), (kh, kw), dilation=geometry.dilation
    )
    direct = trace_from_geometry(
        direct_in if batched else direct_in[0],
        np.ascontiguousarray(flipped),
        None if b is None else b.copy(),
        direct_geometry,
        g,
    )

    def make(k: int) -> StampStep:
        s, c, i, j = unravel(k, x4.shape)
        group = c // (c_in // g)
        kernel = w[c].copy()
        value = float(x4[s, c, i, j])
        return StampStep(
            index=k,
            sample=s,
            in_channel=c,
            in_index=(i, j),
            group=group,
            out_channels=tuple(range(group * cog, (group + 1) * cog)),
            rows=tuple(i * sh + u * geometry.dilation[0] for u in range(kh)),
            cols=tuple(j * sw + v * geometry.dilation[1] for v in range(kw)),
            value=value,
            kernel=frozen(kernel),
            stamp=frozen(value * kernel),
        )

    return ConvTransposeTrace(
        geometry=geometry,
        input=frozen(data),
        weight=frozen(w),
        bias=None if b is None else frozen(b),
        groups=g,
        canvas=frozen(canvas if batched else canvas[0]),
        crop=crop,
        output=frozen(out if batched else out[0]),
        steps=Steps(x4.size, make),
        stretched=frozen(stretched if batched else stretched[0]),
        direct=direct,
        direct_from=(
            _direct_from(x4.shape[2], sh, pads[0][0], direct_in.shape[2]),
            _direct_from(x4.shape[3], sw, pads[1][0], direct_in.shape[3]),
        ),
    )
