"""The transposed convolution is the adjoint of the convolution with the same weight.

For every ``x`` and ``y``: ``⟨conv2d(x, W), y⟩ = ⟨x, conv_transpose2d(y, W)⟩``. In matrix terms,
if the convolution is ``y = C·x`` then the transposed convolution is ``Cᵀ``, which is why
``F.conv_transpose2d`` is exactly the gradient of ``F.conv2d`` with respect to its input.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from vizkit.geometry import IntOrPair, PaddingSpec
from vizkit.sliding._arrays import as_float_array
from vizkit.sliding.conv import conv2d_trace
from vizkit.sliding.transpose import conv_transpose2d_trace


@dataclass(frozen=True)
class AdjointCheck:
    """The two inner products that are equal because conv_transpose is conv's adjoint.

    Attributes:
        conv_x_dot_y: ``⟨conv2d(x), y⟩``.
        x_dot_conv_transpose_y: ``⟨x, conv_transpose2d(y)⟩`` with the same weight.
        output_padding: the ``output_padding`` that makes ``conv_transpose2d(y)`` the size of
            ``x`` (``(H + 2p − d·(k − 1) − 1) mod s``).
    """

    conv_x_dot_y: float
    x_dot_conv_transpose_y: float
    output_padding: tuple[int, int]


def adjoint_check(
    x: object,
    weight: object,
    y: object,
    stride: IntOrPair = 1,
    padding: PaddingSpec = 0,
    dilation: IntOrPair = 1,
    groups: int = 1,
) -> AdjointCheck:
    """Show numerically that the transposed convolution is the adjoint of the convolution.

    ``⟨conv2d(x, W), y⟩ = ⟨x, conv_transpose2d(y, W)⟩`` for every ``x`` and ``y``: that is why
    ``F.conv_transpose2d`` is the gradient of ``F.conv2d`` with respect to its input.

    Args:
        x: ``(C, H, W)`` or ``(N, C, H, W)``.
        weight: ``(K, C / groups, kH, kW)``: used as the convolution's weight and, unchanged,
            as the transposed convolution's ``(in_channels = K, C / groups, kH, kW)``.
        y: an array of the convolution's output shape.
        stride, padding, dilation, groups: as :func:`conv2d_trace` (padding int or pair).

    Raises:
        ValueError: ``y`` does not have the convolution's output shape, or the padding is
            unequal (``"same"`` with an even kernel); plus the errors of :func:`conv2d_trace`.

    Example:
        >>> import numpy as np
        >>> rng = np.random.default_rng(0)
        >>> x, w = rng.normal(size=(2, 6, 6)), rng.normal(size=(3, 2, 3, 3))
        >>> y = rng.normal(size=(3, 2, 2))   # the convolution's output shape
        >>> check = adjoint_check(x, w, y, stride=2)
        >>> bool(np.isclose(check.conv_x_dot_y, check.x_dot_conv_transpose_y))
        True
    """
    forward = conv2d_trace(x, weight, None, stride, padding, dilation, groups)
    target = as_float_array("y", y)
    if target.shape != forward.output.shape:
        raise ValueError(
            f"y must have the convolution's output shape {forward.output.shape}, got {target.shape}"
        )
    g = forward.geometry
    if any(before != after for before, after in g.padding):
        raise ValueError(
            f"padding {padding!r} pads unequally {g.padding}, which conv_transpose2d cannot "
            "mirror: pass an int or an (h, w) pair"
        )
    (ph, pw) = (g.padding[0][0], g.padding[1][0])
    op = tuple(
        (g.input_size[a] + 2 * g.padding[a][0] - g.dilation[a] * (g.kernel_size[a] - 1) - 1)
        % g.stride[a]
        for a in range(2)
    )
    back = conv_transpose2d_trace(
        target, forward.weight, None, g.stride, (ph, pw), (op[0], op[1]), groups, g.dilation
    )
    return AdjointCheck(
        conv_x_dot_y=float(np.sum(forward.output * target)),
        x_dot_conv_transpose_y=float(np.sum(forward.input * back.output)),
        output_padding=(op[0], op[1]),
    )
