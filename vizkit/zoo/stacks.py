"""Small convolution stacks for comparisons in lectures (one 7×7 vs three 3×3)."""

from __future__ import annotations

from collections.abc import Sequence

from torch import nn

from vizkit._validate import check_bool, check_int, check_memory, check_sequence

__all__ = ["conv_stack"]


def conv_stack(
    channels: int, kernel_sizes: Sequence[int] = (3, 3, 3), *, bias: bool = False, relu: bool = True
) -> nn.Sequential:
    """Convolutions with ``channels`` in and out, "same" padding, ReLU between them.

    Three 3×3 layers see 7×7 like one 7×7 layer, with 27·C² instead of 49·C² weights:

    >>> sum(p.numel() for p in conv_stack(8, (3, 3, 3)).parameters()), 27 * 8 * 8
    (1728, 1728)
    >>> sum(p.numel() for p in conv_stack(8, (7,)).parameters()), 49 * 8 * 8
    (3136, 3136)

    Args:
        channels: C, for every layer.
        kernel_sizes: odd kernel size of each layer.
        bias: add biases (the 27C² / 49C² counts assume none).
        relu: put a ReLU between consecutive convolutions; ``False`` gives a purely linear
            stack (layers named ``"0"``, ``"1"``, …), whose gradient reaches every input pixel
            of the receptive field.

    Raises:
        TypeError: an argument of the wrong kind.
        ValueError: a kernel size that is not a positive odd int, channels < 1, no kernel
            sizes, or weights above vizkit's memory budget.
    """
    channels = check_int("channels", channels, minimum=1)
    sizes = check_sequence("kernel_sizes", kernel_sizes, what="odd ints")
    if not sizes:
        raise ValueError("kernel_sizes is empty: give at least one kernel size, e.g. (3, 3, 3)")
    bias, relu = check_bool("bias", bias), check_bool("relu", relu)
    for i, k in enumerate(sizes):
        if isinstance(k, bool) or not isinstance(k, int) or k < 1 or k % 2 == 0:
            raise ValueError(
                f"kernel_sizes[{i}] = {k!r}: use a positive odd size so 'same' padding exists"
            )
    check_memory(
        sum(k * k for k in sizes) * channels * channels * 4 * 4,
        name="channels",
        value=channels,
        what=f"{len(sizes)} convolutions of {channels}→{channels} channels",
        fix="use fewer channels or smaller kernels",
    )
    layers: list[nn.Module] = []
    for k in sizes:
        if layers and relu:
            layers.append(nn.ReLU(inplace=True))
        layers.append(nn.Conv2d(channels, channels, k, padding=k // 2, bias=bias))
    return nn.Sequential(*layers)
