"""Trace of a 1D convolution, and the difference between convolution and cross-correlation.

``F.conv1d`` computes a *cross-correlation*::

    out[n, k, i] = bias[k] + Σ_c Σ_u  P[n, g·C_g + c, i·s + u·d] · weight[k, c, u]

The convolution of signal processing (``np.convolve``) flips the kernel first,
``Σ_u x[i − u]·w[u]``; so convolution = cross-correlation with the flipped kernel, and the two
agree only for symmetric kernels. ``conv1d_trace(..., flip=True)`` computes the convolution.
A 1D convolution is a 2D one over a plane of height 1, and this module traces it that way.
"""

from __future__ import annotations

from dataclasses import dataclass

from vizkit.geometry import ConvGeometry, PaddingMode
from vizkit.sliding._arrays import FloatArray, as_float_array, frozen, require_ndim
from vizkit.sliding._steps import Steps
from vizkit.sliding.conv import ConvTrace, conv2d_trace

Padding1d = int | tuple[int] | str


def _single(name: str, value: object) -> object:
    """Unwrap torch's 1-tuple form ``(s,)``; refuse a pair, which has no meaning in 1D."""
    if isinstance(value, (tuple, list)):
        if len(value) != 1:
            raise TypeError(
                f"{name} of a 1D convolution must be an int or a 1-tuple, got {value!r}: "
                f"pass {name}=k"
            )
        return value[0]
    return value


@dataclass(frozen=True, eq=False)
class Conv1dStep:
    """One output position of a 1D convolution.

    Attributes:
        index: position in :attr:`Conv1dTrace.steps` (= flat index into ``output``).
        sample: batch index (0 for an unbatched input).
        out_channel: output channel.
        out_index: output position ``i``.
        group: channel group of ``out_channel``.
        in_channels: the input channels read.
        taps: padded positions of the kernel taps, ``i·s + u·d``.
        window: padded input under the taps, ``(C_g, k)``.
        kernel: the kernel as applied (flipped when the trace is), ``(C_g, k)``.
        products: ``window · kernel``.
        channel_sums: ``products`` summed per input channel, ``(C_g,)``.
        bias: the bias added.
        total: ``channel_sums.sum() + bias``, equal to ``output`` here.
    """

    index: int
    sample: int
    out_channel: int
    out_index: int
    group: int
    in_channels: tuple[int, ...]
    taps: tuple[int, ...]
    window: FloatArray
    kernel: FloatArray
    products: FloatArray
    channel_sums: FloatArray
    bias: float
    total: float


@dataclass(frozen=True, eq=False)
class Conv1dTrace:
    """A 1D convolution with every output position's computation on record.

    Attributes:
        geometry: the geometry of the equivalent ``(1, L)`` plane (its width axis is the
            signal; ``unread_input`` below gives the 1D view).
        input: ``(C, L)`` or ``(N, C, L)``, float64.
        weight: ``(K, C / groups, k)`` as applied (flipped when ``flipped``).
        bias: ``(K,)`` or None.
        groups: channel groups.
        padded: the padded input ``(…, C, L_p)``.
        padded_from: input position each padded position copies (−1 for a zero).
        output: ``(…, K, L_out)``, equal to ``F.conv1d``.
        steps: one :class:`Conv1dStep` per output cell, in C order.
        flipped: True for a true convolution (kernel flipped).
    """

    geometry: ConvGeometry
    input: FloatArray
    weight: FloatArray
    bias: FloatArray | None
    groups: int
    padded: FloatArray
    padded_from: tuple[int, ...]
    output: FloatArray
    steps: Steps[Conv1dStep]
    flipped: bool

    @property
    def unread_input(self) -> tuple[int, ...]:
        """Input positions no output reads (e.g. the last one for L=10, k=3, s=2)."""
        return self.geometry.unread_input[1]


def conv1d_trace(
    x: object,
    weight: object,
    bias: object = None,
    stride: int | tuple[int] = 1,
    padding: Padding1d = 0,
    dilation: int | tuple[int] = 1,
    groups: int = 1,
    *,
    padding_mode: PaddingMode = "zeros",
    flip: bool = False,
) -> Conv1dTrace:
    """Trace ``F.conv1d`` (or, with ``flip=True``, the true convolution ``np.convolve``).

    Args:
        x: ``(C, L)`` or ``(N, C, L)`` array or tensor.
        weight: ``(K, C / groups, k)``.
        bias: ``(K,)`` or None.
        stride: int (or 1-tuple).
        padding: int, 1-tuple, ``"valid"``, ``"same"`` or ``"full"``.
        dilation: int (or 1-tuple).
        groups: channel groups.
        padding_mode: ``"zeros"``, ``"reflect"``, ``"replicate"`` or ``"circular"``.
        flip: flip the kernel: convolution instead of torch's cross-correlation.

    Returns:
        A :class:`Conv1dTrace`.

    Raises:
        TypeError: an argument of the wrong kind.
        ValueError: wrong ndim, channels not matching ``weight`` / ``groups``.
        GeometryError: a configuration torch rejects.

    Example:
        >>> import numpy as np
        >>> x, w = np.array([[1.0, 2, 3, 4]]), np.array([[[1.0, 0, -1]]])
        >>> conv1d_trace(x, w).output            # torch: cross-correlation
        array([[-2., -2.]])
        >>> conv1d_trace(x, w, flip=True).output  # convolution: np.convolve(x, w, "valid")
        array([[2., 2.]])
    """
    data = as_float_array("x", x)
    require_ndim("x", data, (2, 3), "(C, L) or (N, C, L)")
    w = as_float_array("weight", weight)
    require_ndim("weight", w, (3,), "(out_channels, in_channels / groups, kernel_size)")
    channels = data.shape[-2]
    if (
        isinstance(groups, int)
        and not isinstance(groups, bool)
        and groups >= 1
        and w.shape[1] * groups != channels
    ):
        raise ValueError(
            f"x has {channels} channels but weight of shape {w.shape} expects "
            f"{w.shape[1]}·groups = {w.shape[1]}·{groups} = {w.shape[1] * groups} (weight is "
            f"(out_channels, in_channels / groups, kernel_size)): pass a weight with "
            f"in_channels / groups = {channels // groups if channels % groups == 0 else '?'}"
            f" or an input with {w.shape[1] * groups} channels"
        )
    s, d = _single("stride", stride), _single("dilation", dilation)
    p: object = padding if isinstance(padding, str) else (0, _single("padding", padding))
    plane = conv2d_trace(
        data[..., None, :],
        w[:, :, None, :],
        bias,
        (1, s),  # type: ignore[arg-type]
        p,  # type: ignore[arg-type]
        (1, d),  # type: ignore[arg-type]
        groups,
        padding_mode=padding_mode,
        flip=flip,
    )
    return _squeeze(plane)


def _squeeze(plane: ConvTrace) -> Conv1dTrace:
    """View a height-1 :class:`ConvTrace` as a 1D trace."""

    def make(k: int) -> Conv1dStep:
        st = plane.steps[k]
        return Conv1dStep(
            index=st.index,
            sample=st.sample,
            out_channel=st.out_channel,
            out_index=st.out_index[1],
            group=st.group,
            in_channels=st.in_channels,
            taps=st.cols,
            window=st.window[:, 0],
            kernel=st.kernel[:, 0],
            products=st.products[:, 0],
            channel_sums=st.channel_sums,
            bias=st.bias,
            total=st.total,
        )

    return Conv1dTrace(
        geometry=plane.geometry,
        input=frozen(plane.input[..., 0, :]),
        weight=frozen(plane.weight[:, :, 0, :]),
        bias=plane.bias,
        groups=plane.groups,
        padded=frozen(plane.padded[..., 0, :]),
        padded_from=plane.padded_from[1],
        output=frozen(plane.output[..., 0, :]),
        steps=Steps(len(plane.steps), make),
        flipped=plane.flipped,
    )
