"""Parameter and multiply-accumulate counts of a convolution layer.

Weights ``K·(C_in / groups)·kH·kW`` plus ``K`` biases (the lectures' ``F·F·D·K + K`` with
``D = C_in``). Multiply-accumulates per sample: every output cell of every output channel takes
``(C_in / groups)·kH·kW`` of them; FLOPs are conventionally ``2·MACs`` (one multiply, one add),
which is what ``torch.utils.flop_counter`` reports. Bias additions are not included.
"""

from __future__ import annotations

from vizkit._validate import check_bool
from vizkit.geometry._checks import GeometryError, IntOrPair, check_int, require_at_least, to_pair


def _channels(in_channels: int, out_channels: int, groups: int) -> None:
    for name, value in (
        ("in_channels", in_channels),
        ("out_channels", out_channels),
        ("groups", groups),
    ):
        check_int(name, value)
        require_at_least(name, (value, value), 1, "count of channels or groups")
    for name, value in (("in_channels", in_channels), ("out_channels", out_channels)):
        if value % groups:
            raise GeometryError(
                f"{name} {value} is not divisible by groups {groups}: each group needs a whole "
                f"number of channels; use groups that divide both in_channels and out_channels"
            )


def conv_params(
    in_channels: int,
    out_channels: int,
    kernel_size: IntOrPair,
    *,
    groups: int = 1,
    bias: bool = True,
) -> int:
    """Number of learnable parameters of ``nn.Conv2d(in_channels, out_channels, kernel_size)``.

    ``out·(in / groups)·kH·kW + (out if bias)``.

    Raises:
        TypeError: a non-int count.
        GeometryError: non-positive counts or channels not divisible by ``groups``.

    Examples:
        >>> conv_params(3, 96, 11)                 # AlexNet conv1: 11·11·3·96 + 96
        34944
        >>> conv_params(256, 256, 3, groups=256, bias=False)  # depthwise 3×3
        2304
    """
    _channels(in_channels, out_channels, groups)
    kh, kw = to_pair("kernel_size", kernel_size)
    require_at_least("kernel_size", (kh, kw), 1, "a kernel needs at least one tap")
    check_bool("bias", bias)
    return out_channels * (in_channels // groups) * kh * kw + (out_channels if bias else 0)


def conv_macs(
    in_channels: int,
    out_channels: int,
    kernel_size: IntOrPair,
    output_size: IntOrPair,
    *,
    groups: int = 1,
) -> int:
    """Multiply-accumulates of one forward pass of a convolution, for one sample.

    ``H_out·W_out·out·(in / groups)·kH·kW`` (bias additions not included; FLOPs ≈ 2·MACs).

    Args:
        in_channels, out_channels, kernel_size, groups: as in ``nn.Conv2d``.
        output_size: ``(H_out, W_out)`` or an int for square outputs.

    Raises:
        TypeError: a non-int count.
        GeometryError: non-positive counts or channels not divisible by ``groups``.

    Examples:
        >>> conv_macs(3, 96, 11, 55)               # AlexNet conv1: 105 M multiply-adds
        105415200
        >>> conv_macs(3, 64, 3, 224)               # VGG-16 conv1_1
        86704128
    """
    _channels(in_channels, out_channels, groups)
    kh, kw = to_pair("kernel_size", kernel_size)
    oh, ow = to_pair("output_size", output_size)
    require_at_least("kernel_size", (kh, kw), 1, "a kernel needs at least one tap")
    require_at_least("output_size", (oh, ow), 1, "an output needs at least one cell")
    return oh * ow * out_channels * (in_channels // groups) * kh * kw
