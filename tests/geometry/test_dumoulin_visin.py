"""The fifteen relationships of Dumoulin & Visin, "A guide to convolution arithmetic for deep
learning" (2016), each expressed with vizkit and checked over a grid — and against torch."""

from __future__ import annotations

import itertools

import pytest
import torch
import torch.nn.functional as F

import vizkit as vk

GRID = list(itertools.product(range(1, 12), range(1, 6), range(1, 4), range(0, 4)))


def torch_conv(i, k, s=1, p=0, d=1):
    return F.conv1d(torch.zeros(1, 1, i), torch.zeros(1, 1, k), None, s, p, d).shape[-1]


def torch_transpose(i, k, s=1, p=0, a=0, d=1):
    return F.conv_transpose1d(torch.zeros(1, 1, i), torch.zeros(1, 1, k), None, s, p, a, 1,
                              d).shape[-1]


@pytest.mark.parametrize(("i", "k", "s", "p"), GRID)
def test_direct_relationships_1_to_6(i, k, s, p):
    if k <= i:  # R1: no zero padding, unit strides
        assert vk.conv_output_size(i, k) == i - k + 1 == torch_conv(i, k)
    if k <= i + 2 * p:  # R2: zero padding, unit strides
        assert vk.conv_output_size(i, k, padding=p) == i - k + 2 * p + 1 == torch_conv(i, k, 1, p)
    if k % 2 == 1:  # R3: half (same) padding, odd k, p = ⌊k/2⌋
        assert vk.conv_output_size(i, k, padding=k // 2) == i
        assert vk.conv_output_size(i, k, padding="same") == i
    # R4: full padding, p = k − 1
    assert vk.conv_output_size(i, k, padding="full") == i + k - 1 == torch_conv(i, k, 1, k - 1)
    if k <= i:  # R5: no zero padding, non-unit strides
        assert vk.conv_output_size(i, k, stride=s) == (i - k) // s + 1 == torch_conv(i, k, s)
    if k <= i + 2 * p:  # R6: zero padding, non-unit strides
        expected = (i + 2 * p - k) // s + 1
        assert vk.conv_output_size(i, k, stride=s, padding=p) == expected == torch_conv(i, k, s, p)


@pytest.mark.parametrize(("i", "k", "s"), [(i, k, s) for i, k, s, _ in GRID if k <= i])
def test_relationship_7_pooling(i, k, s):
    expected = (i - k) // s + 1
    assert vk.pool_output_size(i, k, stride=s) == expected
    got = F.max_pool1d(torch.zeros(1, 1, i), k, s).shape[-1]
    assert got == expected


@pytest.mark.parametrize(("i", "k", "s", "p"), GRID)
def test_transposed_relationships_8_to_14(i, k, s, p):
    """Transposed conv of a conv with input i' = that conv's output; checked as formulas."""
    # R8: no padding, unit strides — o' = i' + (k − 1)
    assert vk.conv_transpose_output_size(i, k) == i + k - 1 == torch_transpose(i, k)
    # R9: zero padding, unit strides — o' = i' + (k − 1) − 2p
    if i + k - 1 - 2 * p >= 1:
        assert vk.conv_transpose_output_size(i, k, padding=p) == i + k - 1 - 2 * p
    if k % 2 == 1:  # R10: half padding — o' = i'
        assert vk.conv_transpose_output_size(i, k, padding=k // 2) == i
    if i - k + 1 >= 1:  # R11: full padding, p = k − 1 — o' = i' − (k − 1)
        assert vk.conv_transpose_output_size(i, k, padding=k - 1) == i - (k - 1)
    # R12: no padding, non-unit strides — o' = s(i' − 1) + k
    assert vk.conv_transpose_output_size(i, k, stride=s) == s * (i - 1) + k
    # R13: zero padding, non-unit strides — o' = s(i' − 1) + k − 2p
    if s * (i - 1) + k - 2 * p >= 1:
        assert vk.conv_transpose_output_size(i, k, stride=s, padding=p) == s * (i - 1) + k - 2 * p
        # R14: with a = (i + 2p − k) mod s recovering the original size
        for a in range(s):
            got = vk.conv_transpose_output_size(i, k, stride=s, padding=p, output_padding=a)
            assert got == s * (i - 1) + a + k - 2 * p == torch_transpose(i, k, s, p, a)


@pytest.mark.parametrize(("i", "k", "s", "p"), GRID)
def test_relationship_14_inverts_the_direct_conv(i, k, s, p):
    """a = (i + 2p − k) mod s recovers exactly the input size of the direct convolution."""
    if k > i + 2 * p:
        return
    o = vk.conv_output_size(i, k, stride=s, padding=p)
    a = (i + 2 * p - k) % s
    assert vk.conv_transpose_output_size(o, k, stride=s, padding=p, output_padding=a) == i


@pytest.mark.parametrize(("i", "k", "s", "p"), GRID)
@pytest.mark.parametrize("d", [1, 2, 3])
def test_relationship_15_dilation(i, k, s, p, d):
    k_hat = k + (k - 1) * (d - 1)
    if k_hat > i + 2 * p:
        with pytest.raises(vk.GeometryError):
            vk.conv_output_size(i, k, stride=s, padding=p, dilation=d)
        return
    expected = (i + 2 * p - k - (k - 1) * (d - 1)) // s + 1
    got = vk.conv_output_size(i, k, stride=s, padding=p, dilation=d)
    assert got == expected == torch_conv(i, k, s, p, d)
