"""The fifteen relationships of Dumoulin & Visin, "A guide to convolution arithmetic for deep
learning" (2016): every entry of ``vizkit.geometry.RELATIONSHIPS`` (the list the notebook table
shows), closed form == vizkit == torch over a grid of settings."""

from __future__ import annotations

import itertools

import pytest
import torch
import torch.nn.functional as F

import vizkit as vk
from vizkit.geometry import RELATIONSHIPS, Relationship, Setting

GRID = [
    Setting(i, k, s, p, a, d)
    for i, k, s, p, a, d in itertools.product(
        range(1, 12), range(1, 6), range(1, 4), range(0, 5), range(0, 3), range(1, 4)
    )
]

# The output size of each of the guide's figures, read off the figures (not computed).
GUIDE_OUTPUTS = {
    1: 2,
    2: 6,
    3: 5,
    4: 7,
    5: 2,
    6: 3,
    7: 3,
    8: 4,
    9: 5,
    10: 5,
    11: 5,
    12: 5,
    13: 5,
    14: 6,
    15: 3,
}


pytestmark = pytest.mark.usefixtures("torch_one_thread")


def torch_size(rel: Relationship, s: Setting) -> int:
    """Ground truth from torch's 1D functionals (independent of vizkit.demos.relationships)."""
    x = torch.zeros(1, 1, s.input_size)
    w = torch.zeros(1, 1, s.kernel_size)
    if rel.kind == "pool":
        out = F.max_pool1d(x, s.kernel_size, s.stride, s.padding, s.dilation)
    elif rel.kind == "transposed":
        out = F.conv_transpose1d(x, w, None, s.stride, s.padding, s.output_padding, 1, s.dilation)
    else:
        out = F.conv1d(x, w, None, s.stride, s.padding, s.dilation)
    return out.shape[-1]


def test_fifteen_in_the_guides_order():
    assert [r.number for r in RELATIONSHIPS] == list(range(1, 16))
    kinds = [r.kind for r in RELATIONSHIPS]
    assert kinds == ["conv"] * 6 + ["pool"] + ["transposed"] * 7 + ["conv"]
    assert all(vk.geometry.relationship(r.number) is r for r in RELATIONSHIPS)


@pytest.mark.parametrize("rel", RELATIONSHIPS, ids=lambda r: f"R{r.number}")
def test_guide_example(rel):
    assert rel.applies_to(rel.example)
    expected = GUIDE_OUTPUTS[rel.number]
    assert rel.closed_form(rel.example) == rel.vizkit(rel.example) == expected
    assert torch_size(rel, rel.example) == expected


@pytest.mark.parametrize("rel", RELATIONSHIPS, ids=lambda r: f"R{r.number}")
def test_closed_form_equals_vizkit_equals_torch_on_the_grid(rel):
    cases = [s for s in GRID if rel.applies_to(s)]
    assert len(cases) >= 30, "the grid must exercise every relationship"
    wrong = [
        (s, rel.closed_form(s), rel.vizkit(s), torch_size(rel, s))
        for s in cases
        if not rel.closed_form(s) == rel.vizkit(s) == torch_size(rel, s)
    ]
    assert wrong == []


@pytest.mark.parametrize("rel", RELATIONSHIPS, ids=lambda r: f"R{r.number}")
def test_settings_outside_the_conditions_are_refused(rel):
    outside = [s for s in GRID if not rel.applies_to(s)]
    assert outside
    with pytest.raises(vk.GeometryError, match=rf"relationship {rel.number} \("):
        rel.closed_form(outside[0])


def test_conditions_pin_what_the_guide_pins():
    """Spot checks that the conditions are the guide's, not merely 'anything legal'."""
    r = {rel.number: rel for rel in RELATIONSHIPS}
    assert not r[1].applies_to(Setting(5, 3, padding=1))  # R1 has no padding
    assert not r[3].applies_to(Setting(5, 4, padding=2))  # R3 needs an odd kernel
    assert not r[4].applies_to(Setting(5, 3, padding=1))  # R4 is p = k − 1
    assert not r[5].applies_to(Setting(5, 3, 2, padding=1))  # R5 has no padding
    assert not r[7].applies_to(Setting(3, 5))  # the window must fit
    assert not r[12].applies_to(Setting(2, 3, 2, 1))  # R12 has no padding
    assert not r[13].applies_to(Setting(3, 3, 2, 1, 1))  # R13 has a = 0
    assert not r[14].applies_to(Setting(3, 3, 2, 1, 2))  # a < s
    assert not r[6].applies_to(Setting(7, 3, dilation=2))  # only R15 dilates
    assert r[15].applies_to(Setting(7, 3, dilation=2))
    assert not r[11].applies_to(Setting(2, 3, padding=2))  # o′ = 2 − 2 < 1


def test_relationship_14_inverts_the_direct_conv():
    """a = (i + 2p − k) mod s recovers exactly the input size of the direct convolution."""
    r14 = vk.geometry.relationship(14)
    checked = 0
    for i, k, s, p in itertools.product(range(1, 12), range(1, 6), range(1, 4), range(0, 5)):
        if k > i + 2 * p:
            continue
        o = vk.conv_output_size(i, k, stride=s, padding=p)
        setting = Setting(o, k, s, p, (i + 2 * p - k) % s)
        assert r14.closed_form(setting) == r14.vizkit(setting) == i
        checked += 1
    assert checked > 500
