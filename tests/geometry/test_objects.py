"""ConvGeometry & co: formulas, torch code, read patterns, counts and receptive fields — each
checked against what torch actually does."""

from __future__ import annotations

import dataclasses

import pytest
import torch
import torch.nn.functional as F
from hypothesis import given, settings
from hypothesis import strategies as st
from torch import nn
from torch.utils.flop_counter import FlopCounterMode

import vizkit as vk
from vizkit.geometry import (
    ConvGeometry,
    ConvTransposeGeometry,
    PoolGeometry,
    Window,
    receptive_field_chain,
)


def test_conv_geometry_is_frozen_and_normalised():
    g = ConvGeometry.create((6, 5), 3, stride=(2, 1), padding=1)
    assert g.input_size == (6, 5) and g.kernel_size == (3, 3)
    assert g.padding == ((1, 1), (1, 1))
    with pytest.raises(dataclasses.FrozenInstanceError):
        g.stride = (1, 1)  # type: ignore[misc]


def test_direct_construction_is_validated_too():
    with pytest.raises(vk.GeometryError, match="larger than the padded input"):
        ConvGeometry((3, 3), (5, 5))
    with pytest.raises(TypeError, match="kernel_size must be an int"):
        ConvGeometry((3, 3), "3")  # type: ignore[arg-type]


def test_formula_lines_fill_in_the_numbers():
    g = ConvGeometry.create((7, 5), (3, 2), stride=(2, 1), padding=(1, 0), dilation=(2, 1))
    assert g.formula() == ("H_out = ⌊(7 + 2·1 − 2·(3 − 1) − 1) / 2⌋ + 1 = 3\nW_out = 5 − 2 + 1 = 4")
    assert g.output_size == (3, 4)
    same_even = ConvGeometry.create(5, 4, padding="same")
    assert same_even.formula().splitlines()[0] == "H_out = 5 + 1 + 2 − 4 + 1 = 5"


def test_transpose_and_pool_formulas():
    t = ConvTransposeGeometry.create((2, 3), 4, stride=2, padding=1)
    assert t.formula() == (
        "H_out = (2 − 1)·2 − 2·1 + 3 + 1 = 4\nW_out = (3 − 1)·2 − 2·1 + 3 + 1 = 6"
    )
    p = PoolGeometry.create(5, 2, stride=2, padding=1, ceil_mode=True)
    # ⌈(5 + 2 − 2)/2⌉ + 1 = 4, but the 4th window would start at 6 ≥ 5 + 1: torch drops it.
    assert p.formula().splitlines()[0] == (
        "H_out = ⌈(5 + 2·1 − 2) / 2⌉ + 1 − 1 (the last window would start in the right padding) = 3"
    )
    assert p.output_size == tuple(
        F.max_pool2d(torch.zeros(1, 1, 5, 5), 2, 2, 1, ceil_mode=True).shape[-2:]
    )


CONFIGS = [
    dict(input_size=5, kernel_size=3, stride=2, padding=1),
    dict(input_size=(9, 7), kernel_size=(3, 5), stride=(2, 1), padding=(1, 2), dilation=2),
    dict(input_size=8, kernel_size=4, padding="same"),
    dict(input_size=8, kernel_size=3, padding="valid"),
    dict(input_size=8, kernel_size=3, padding="full"),
    dict(input_size=6, kernel_size=3, padding=2, padding_mode="reflect"),
    dict(input_size=6, kernel_size=3, padding=1, padding_mode="circular"),
]


@pytest.mark.parametrize("config", CONFIGS)
def test_torch_code_rebuilds_the_same_layer(config):
    """The printed PyTorch line, evaluated, gives the geometry's output shape."""
    config = dict(config)
    size = config.pop("input_size")
    mode = config.pop("padding_mode", "zeros")
    g = ConvGeometry.create(size, padding_mode=mode, **config)
    layer = eval(g.torch_code(2, 4), {"nn": nn})
    h, w = g.input_size
    assert tuple(layer(torch.zeros(1, 2, h, w)).shape) == (1, 4, *g.output_size)


def test_torch_code_for_asymmetric_padding_uses_zero_pad():
    g = ConvGeometry((5, 5), (3, 3), padding=((0, 1), (1, 0)))
    code = g.torch_code()
    assert code == ("nn.Sequential(nn.ZeroPad2d((1, 0, 0, 1)), nn.Conv2d(1, 1, kernel_size=3))")
    assert tuple(eval(code, {"nn": nn})(torch.zeros(1, 1, 5, 5)).shape[-2:]) == g.output_size


def test_transpose_torch_code_rebuilds_the_layer():
    t = ConvTransposeGeometry.create(3, 3, stride=2, padding=1, output_padding=1)
    assert t.torch_code(4, 2) == (
        "nn.ConvTranspose2d(4, 2, kernel_size=3, stride=2, padding=1, output_padding=1)"
    )
    layer = eval(t.torch_code(4, 2), {"nn": nn})
    assert tuple(layer(torch.zeros(1, 4, 3, 3)).shape[-2:]) == t.output_size == (6, 6)


def test_taps_match_unfold_indices():
    """Window k of ConvGeometry reads exactly the padded cells F.unfold puts in column k."""
    g = ConvGeometry.create((6, 7), (2, 3), stride=(2, 1), padding=(1, 2), dilation=(2, 1))
    ph, pw = g.padded_size
    index = torch.arange(ph * pw, dtype=torch.float64).reshape(1, 1, ph, pw)
    cols = F.unfold(index, g.kernel_size, dilation=g.dilation, stride=g.stride)
    oh, ow = g.output_size
    for r in range(oh):
        for c in range(ow):
            cells = cols[0, :, r * ow + c].long().tolist()
            expected = [rr * pw + cc for rr in g.taps(0, r) for cc in g.taps(1, c)]
            assert cells == expected


def test_the_lecture_example_that_does_not_fit():
    """CS231n-style note: W=10, F=3, S=2, P=0 — legal in torch, last column never read."""
    g = ConvGeometry.create(10, 3, stride=2)
    assert g.output_size == (4, 4)  # (10 − 3)/2 + 1 = 4.5 is not an integer: torch floors
    assert g.unread_input == ((9,), (9,))
    assert ConvGeometry.create(11, 3, stride=2).unread_input == ((), ())


@settings(max_examples=200, deadline=None)
@given(
    st.integers(1, 6),
    st.integers(1, 3),
    st.integers(1, 4),
    st.integers(1, 4),
    st.integers(1, 5),
    st.booleans(),
)
def test_params_and_macs_match_torch(
    groups_factor, kernel, cin_per_group, cout_per_group, out_size, bias
):
    groups = groups_factor
    cin, cout = cin_per_group * groups, cout_per_group * groups
    layer = nn.Conv2d(cin, cout, kernel, groups=groups, bias=bias)
    assert vk.conv_params(cin, cout, kernel, groups=groups, bias=bias) == sum(
        p.numel() for p in layer.parameters()
    )
    size = out_size + kernel - 1
    with FlopCounterMode(display=False) as counter:
        layer(torch.zeros(1, cin, size, size))
    assert 2 * vk.conv_macs(cin, cout, kernel, out_size, groups=groups) == counter.get_total_flops()


def test_lecture_counts():
    # AlexNet conv1 (Bakhshi / Sarkar notes): 55×55×96 output, 34,944 parameters, and the
    # "no parameter sharing" count 55·55·96 · (11·11·3 + 1) = 105,705,600.
    out = vk.conv_output_size(227, 11, stride=4)
    assert out == 55
    assert vk.conv_params(3, 96, 11) == 34_944
    assert out * out * 96 * (11 * 11 * 3 + 1) == 105_705_600
    assert vk.pool_output_size(55, 3, stride=2) == 27
    # One 7×7 vs three 3×3 (C channels in and out, no bias): 49C² vs 27C².
    c = 64
    assert vk.conv_params(c, c, 7, bias=False) == 49 * c * c
    assert 3 * vk.conv_params(c, c, 3, bias=False) == 27 * c * c
    assert receptive_field_chain([Window(3)] * 3)[-1].size == (7, 7)


def true_receptive_field(layers, size):
    """Extent (rows, cols) of the input region whose gradient reaches the centre output unit."""
    x = torch.ones(1, 1, size, size, requires_grad=True)
    y = layers(x)
    h, w = y.shape[-2:]
    y[0, 0, h // 2, w // 2].backward()
    nz = torch.nonzero(x.grad[0, 0])
    return (int(nz[:, 0].max() - nz[:, 0].min() + 1), int(nz[:, 1].max() - nz[:, 1].min() + 1))


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.integers(1, 4),
            st.integers(1, 2),
            st.integers(1, 2),
            st.sampled_from(["conv", "pool"]),
        ),
        min_size=1,
        max_size=4,
    )
)
def test_receptive_field_matches_autograd(specs):
    """Analytic size == the region autograd finds, for chains of all-ones convs and avg pools
    (all-positive weights, so no gradient cancels by accident)."""
    modules, windows = [], []
    for k, s, d, kind in specs:
        if kind == "conv":
            conv = nn.Conv2d(1, 1, k, stride=s, dilation=d, bias=False)
            nn.init.ones_(conv.weight)
            modules.append(conv)
            windows.append(Window(k, s, 0, d))
        else:
            modules.append(nn.AvgPool2d(k, stride=s))
            windows.append(Window(k, s))
    rf = receptive_field_chain(windows)[-1]
    size = rf.size[0] + 2 * rf.jump[0] + 8  # big enough that the centre unit sees no border
    chain = nn.Sequential(*modules)
    assert true_receptive_field(chain, size) == rf.size


def test_receptive_field_start_is_the_centre_of_unit_zero():
    """Unit (0, 0) of conv(k=5, s=2, p=2) then conv(k=3, s=1, p=1) is centred on pixel 0 and
    its field reaches into the padding (start − (size − 1)/2 < 0)."""
    rf = receptive_field_chain([Window(5, 2, 2), Window(3, 1, 1)])[-1]
    assert rf.start == (0.0, 0.0) and rf.size == (9, 9) and rf.jump == (2, 2)
    x = torch.ones(1, 1, 20, 20, requires_grad=True)
    net = nn.Sequential(nn.Conv2d(1, 1, 5, 2, 2, bias=False), nn.Conv2d(1, 1, 3, 1, 1, bias=False))
    for m in net:
        nn.init.ones_(m.weight)
    net(x)[0, 0, 0, 0].backward()
    nz = torch.nonzero(x.grad[0, 0])
    # Visible part of the field: [start − 4, start + 4] ∩ [0, 19] = rows 0..4.
    assert int(nz[:, 0].min()) == 0 and int(nz[:, 0].max()) == int(rf.start[0] + 4)
