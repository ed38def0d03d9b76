"""Analytic receptive fields against autograd's measurement, through chains and branches."""

from __future__ import annotations

import pytest
import torch
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from torch import nn

from vizkit.geometry import conv_output_size, pool_output_size
from vizkit.geometry.receptive import ReceptiveField
from vizkit.geometry.receptive import union_fields as union
from vizkit.inspect import gradient_receptive_field
from vizkit.summary import receptive_field, summarize


def _ones(model: nn.Module) -> nn.Module:
    for m in model.modules():
        if isinstance(m, nn.Conv2d):
            nn.init.ones_(m.weight)
            if m.bias is not None:
                nn.init.zeros_(m.bias)
    return model


layer_strategy = st.one_of(
    st.tuples(
        st.just("conv"), st.integers(1, 5), st.integers(1, 3), st.integers(0, 2), st.integers(1, 2)
    ),
    st.tuples(st.just("avg"), st.integers(2, 3), st.integers(1, 3), st.just(0), st.just(1)),
)


def _fits(spec, size: int) -> bool:
    """Whether every layer of ``spec`` still gets an input at least as large as its kernel."""
    for kind, k, s, p, d in spec:
        if kind == "conv":
            pad = min(p, k // 2)
            if size + 2 * pad < d * (k - 1) + 1:
                return False
            size = conv_output_size(size, k, stride=s, padding=pad, dilation=d)
        else:
            if size < k:
                return False
            size = pool_output_size(size, k, stride=s)
    return True


def _chain(spec) -> nn.Sequential:
    layers: list[nn.Module] = []
    for kind, k, s, p, d in spec:
        if kind == "conv":
            layers.append(nn.Conv2d(1, 1, k, stride=s, padding=min(p, k // 2), dilation=d))
        else:
            layers.append(nn.AvgPool2d(k, s))
    return _ones(nn.Sequential(*layers))


@settings(max_examples=25)
@given(st.lists(layer_strategy, min_size=1, max_size=4))
def test_analytic_size_equals_autograd_extent_on_chains(spec):
    assume(_fits(spec, 96))  # strides of 3 can shrink 96 below a later kernel: torch rejects it
    model = _chain(spec)
    size = (1, 96, 96)
    table = summarize(model, size)
    last = str(len(spec) - 1)
    out_h, _ = table.row(last).output_shape[-2:]
    rf = table.row(last).receptive_field
    # Pick an output unit whose field lies inside the image, so padding does not clip it.
    half = (rf.size[0] - 1) / 2
    inside = [
        i
        for i in range(out_h)
        if rf.start[0] + i * rf.jump[0] - half >= 0 and rf.start[0] + i * rf.jump[0] + half <= 95
    ]
    if not inside:
        return
    i = inside[len(inside) // 2]
    measured = gradient_receptive_field(model, size, last, position=(i, i))
    assert measured.size == rf.int_size == receptive_field(model, size, last)
    top, left, _, _ = measured.box
    assert top == rf.start[0] + i * rf.jump[0] - half  # and the centre lands where `start` says
    assert left == rf.start[1] + i * rf.jump[1] - half


@pytest.mark.parametrize(
    ("layers", "expected"),
    [
        ([nn.Conv2d(1, 1, 3) for _ in range(3)], 7),  # three 3×3 see 7×7
        ([nn.Conv2d(1, 1, 7)], 7),
        ([nn.Conv2d(1, 1, 3), nn.MaxPool2d(2), nn.Conv2d(1, 1, 3)], 8),
        ([nn.Conv2d(1, 1, 3, dilation=2), nn.Conv2d(1, 1, 3, dilation=4)], 13),
        ([nn.Conv2d(1, 1, 11, stride=4), nn.MaxPool2d(3, 2), nn.Conv2d(1, 1, 5, padding=2)], 51),
    ],
)
def test_known_chain_sizes(layers, expected):
    model = nn.Sequential(*layers)
    assert receptive_field(model, (1, 128, 128), str(len(layers) - 1)) == (expected, expected)


class TwoBranch(nn.Module):
    """Inception-like: a 1×1 and a 5×5 branch, concatenated; then a residual add of a 3×3."""

    def __init__(self):
        super().__init__()
        self.narrow = nn.Conv2d(1, 1, 1)
        self.wide = nn.Conv2d(1, 1, 5, padding=2)
        self.mix = nn.Conv2d(2, 2, 3, padding=1)

    def forward(self, x):
        cat = torch.cat([self.narrow(x), self.wide(x)], 1)
        return self.mix(cat) + cat


def test_branches_take_the_union_and_match_autograd():
    model = _ones(TwoBranch())
    table = summarize(model, (1, 40, 40))
    assert table.row("narrow").receptive_field.int_size == (1, 1)
    assert table.row("wide").receptive_field.int_size == (5, 5)
    assert table.row("mix").receptive_field.int_size == (7, 7)
    assert sum(node.kind == "merge" for node in table.nodes) == 2  # cat and add
    whole = gradient_receptive_field(nn.Sequential(model, nn.Identity()), (1, 40, 40), "1")
    assert whole.size == (7, 7)


def test_resnet18_and_vgg16_fields():
    import torchvision

    resnet = torchvision.models.resnet18()
    assert receptive_field(resnet, (3, 224, 224), "layer4") == (435, 435)
    vgg = torchvision.models.vgg16()
    assert receptive_field(vgg, (3, 224, 224), "features.28") == (196, 196)  # conv5_3
    assert receptive_field(vgg, (3, 224, 224), "features.30") == (212, 212)  # pool5


def test_union_of_offset_fields():
    a = ReceptiveField((3.0, 3.0), (1.0, 1.0), (0.0, 0.0))
    b = ReceptiveField((3.0, 3.0), (1.0, 1.0), (2.0, 2.0))
    u = union([a, b])
    assert u.size == (5.0, 5.0) and u.start == (1.0, 1.0) and u.exact


def test_max_pool_measured_field_is_inside_the_analytic_one():
    torch.manual_seed(0)
    model = _ones(nn.Sequential(nn.Conv2d(1, 2, 3), nn.ReLU(), nn.MaxPool2d(2), nn.Conv2d(2, 1, 3)))
    measured = gradient_receptive_field(model, (1, 32, 32), "3")
    analytic = receptive_field(model, (1, 32, 32), "3")
    assert 0 < measured.size[0] <= analytic[0] and 0 < measured.size[1] <= analytic[1]
    assert measured.map.shape == (32, 32)


def test_gradient_field_errors_and_no_mutation():
    model = nn.Sequential(nn.Conv2d(1, 2, 3))
    before = model[0].weight.detach().clone()
    with pytest.raises(ValueError, match=r"position \(9, 0\) is outside the 6×6 output"):
        gradient_receptive_field(model, (1, 8, 8), "0", position=(9, 0))
    with pytest.raises(ValueError, match=r"channel 5 is outside 0\.\.1"):
        gradient_receptive_field(model, (1, 8, 8), "0", channel=5)
    with pytest.raises(ValueError, match="no layer named 'O': the layers are '0'"):
        gradient_receptive_field(model, (1, 8, 8), "O")
    gradient_receptive_field(model, torch.rand(1, 8, 8), "0", channel=1)
    assert torch.equal(model[0].weight, before) and model[0].weight.grad is None
