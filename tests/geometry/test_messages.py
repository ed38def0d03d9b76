"""Error messages teach: asserted in full, and checked to be what torch would refuse."""

from __future__ import annotations

import re

import pytest
import torch
import torch.nn.functional as F

import vizkit as vk
from vizkit.geometry import ConvGeometry, PoolGeometry, Window

CASES = [
    (
        lambda: vk.conv_output_size(5, 7, padding=1, dilation=2),
        vk.GeometryError,
        "kernel_size 7 (dilated to 13) is larger than the padded input 5 + 2·1 = 7: "
        "lower kernel_size or dilation, or raise padding",
    ),
    (
        lambda: vk.conv_output_size(4, 5),
        vk.GeometryError,
        "kernel_size 5 is larger than the padded input 4: lower kernel_size, or raise padding",
    ),
    (
        lambda: vk.conv_output_size((8, 4), 5, padding=(1, 0)),
        vk.GeometryError,
        "kernel_size 5 is larger than the padded input width 4: lower kernel_size, or raise "
        "padding",
    ),
    (
        lambda: vk.conv_output_size(5, 3, stride=0),
        vk.GeometryError,
        "stride 0 is not allowed: stride must be ≥ 1 (1 = move one cell at a time); use stride=1 "
        "or more",
    ),
    (
        lambda: vk.conv_output_size(5, 3, padding=-1),
        vk.GeometryError,
        "padding -1 is not allowed: padding must be ≥ 0 (torch has no negative padding; crop the "
        "input instead); use padding=0 or more",
    ),
    (
        lambda: vk.conv_output_size(5, 3, dilation=(1, 0)),
        vk.GeometryError,
        "dilation 0 (in width) is not allowed: dilation must be ≥ 1 (1 = adjacent kernel taps); "
        "use dilation=1 or more",
    ),
    (
        lambda: vk.conv_output_size(5, 3, stride=2, padding="same"),
        vk.GeometryError,
        "padding 'same' with stride 2 is rejected by torch (it supports 'same' only for stride "
        "1): use stride=1, or pad explicitly with same_padding(input_size, kernel_size, "
        "stride=2) and F.pad",
    ),
    (
        lambda: vk.conv_output_size(5, 3, padding="half"),
        vk.GeometryError,
        "padding 'half' is not understood: use a non-negative int, an (h, w) pair, or one of "
        "'valid' (no padding), 'same' (output = input, stride 1) and 'full' (every partial "
        "overlap, padding = dilation·(kernel_size − 1))",
    ),
    (
        lambda: vk.conv_output_size(5, 3.0),
        TypeError,
        "kernel_size must be an int or a (height, width) pair of ints, got 3.0 (float): pass "
        "kernel_size=3",
    ),
    (
        lambda: vk.conv_output_size(5, (3, 3, 3)),
        TypeError,
        "kernel_size must be an int or a (height, width) pair of ints, got (3, 3, 3) with 3 "
        "entries: pass kernel_size=k or kernel_size=(kh, kw)",
    ),
    (
        lambda: vk.conv_output_size(True, 3),
        TypeError,
        "input_size must be an int or a (height, width) pair of ints, got True (bool)",
    ),
    (
        lambda: ConvGeometry.create(3, 3, padding=3, padding_mode="reflect"),
        vk.GeometryError,
        "padding 3 with padding_mode 'reflect' needs an input height larger than 3, got 3: "
        "reflection cannot reach past the opposite edge; lower padding to 2 or use 'replicate'",
    ),
    (
        lambda: ConvGeometry.create(3, 3, padding=4, padding_mode="circular"),
        vk.GeometryError,
        "padding 4 with padding_mode 'circular' wraps around the input height 3 more than once: "
        "lower padding to 3 or use 'replicate'",
    ),
    (
        lambda: ConvGeometry.create(3, 3, padding_mode="mirror"),
        vk.GeometryError,
        "padding_mode 'mirror' is not one of 'zeros', 'reflect', 'replicate', 'circular' "
        "(torch's nn.Conv2d modes): pick one of those",
    ),
    (
        lambda: vk.conv_transpose_output_size(3, 3, output_padding=1),
        vk.GeometryError,
        "output_padding 1 must be smaller than stride 1 or dilation 1: it only picks which of "
        "the 1 input size(s) that a stride-1 convolution maps to one output size to restore; "
        "use output_padding=0 or less, or raise stride to 2",
    ),
    (
        lambda: vk.conv_transpose_output_size(3, 3, padding=3),
        vk.GeometryError,
        "padding 3 crops the transposed-convolution output to -1 cells ((3 − 1)·1 − 2·3 + 2 + 1 "
        "= -1): lower padding, or raise input_size, kernel_size or stride",
    ),
    (
        lambda: vk.conv_transpose_output_size(3, 3, padding="same"),
        TypeError,
        "padding 'same' is not accepted by nn.ConvTranspose2d: pass an int or an (h, w) pair "
        "(padding crops the output of a transposed convolution)",
    ),
    (
        lambda: vk.pool_output_size(5, 3, padding=2),
        vk.GeometryError,
        "padding 2 is more than half the pooling window kernel_size 3: torch rejects it because "
        "a window could lie entirely in the padding; lower padding to 1 or raise kernel_size",
    ),
    (
        lambda: vk.pool_output_size(2, 3),
        vk.GeometryError,
        "kernel_size 3 is larger than the padded input 2: lower kernel_size, or raise padding",
    ),
    (
        lambda: PoolGeometry.create(5, 2, dilation=2, kind="avg"),
        vk.GeometryError,
        "dilation (2, 2) is not supported by torch's avg pooling (only max pooling is dilated): "
        "use dilation=1 or kind='max'",
    ),
    (
        lambda: PoolGeometry.create(5, 2, padding=1, kind="lp"),
        vk.GeometryError,
        "padding (1, 1) is not supported by torch's lp_pool2d (it has no padding argument): use "
        "padding=0, or pad the input with F.pad first",
    ),
    (
        lambda: vk.conv_params(3, 8, 3, groups=2),
        vk.GeometryError,
        "in_channels 3 is not divisible by groups 2: each group needs a whole number of "
        "channels; use groups that divide both in_channels and out_channels",
    ),
    (
        lambda: vk.receptive_field_chain([Window(3), (3, 1)]),
        TypeError,
        "layers[1] must be a vizkit.geometry.Window, got tuple: wrap it as Window(kernel_size, "
        "stride, padding, dilation)",
    ),
]


@pytest.mark.parametrize(("call", "kind", "message"), CASES)
def test_error_message_in_full(call, kind, message):
    with pytest.raises(kind, match=f"^{re.escape(message)}$"):
        call()


def test_geometry_error_is_a_value_error():
    assert issubclass(vk.GeometryError, ValueError)


TORCH_REFUSES = [
    lambda: F.conv2d(torch.zeros(1, 1, 5, 5), torch.zeros(1, 1, 7, 7), padding=1, dilation=2),
    lambda: F.conv2d(torch.zeros(1, 1, 5, 5), torch.zeros(1, 1, 3, 3), stride=0),
    lambda: F.conv2d(torch.zeros(1, 1, 5, 5), torch.zeros(1, 1, 3, 3), padding=-1),
    lambda: F.conv2d(torch.zeros(1, 1, 5, 5), torch.zeros(1, 1, 3, 3), stride=2, padding="same"),
    lambda: F.conv_transpose2d(torch.zeros(1, 1, 3, 3), torch.zeros(1, 1, 3, 3), output_padding=1),
    lambda: F.conv_transpose2d(torch.zeros(1, 1, 3, 3), torch.zeros(1, 1, 3, 3), padding=3),
    lambda: F.max_pool2d(torch.zeros(1, 1, 5, 5), 3, padding=2),
    lambda: F.max_pool2d(torch.zeros(1, 1, 2, 2), 3),
    lambda: torch.nn.Conv2d(3, 8, 3, groups=2),
    lambda: torch.nn.Conv2d(1, 1, 3, padding=3, padding_mode="reflect")(torch.zeros(1, 1, 3, 3)),
]


@pytest.mark.parametrize("call", TORCH_REFUSES)
def test_torch_refuses_the_same_configurations(call):
    """The GeometryError cases above are exactly ones torch rejects too."""
    with pytest.raises((RuntimeError, ValueError)):
        call()
