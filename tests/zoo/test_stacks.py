"""conv_stack: one 7×7 against three 3×3, with and without ReLUs between the layers."""

from __future__ import annotations

import pytest
import torch
from torch import nn

from vizkit.zoo import conv_stack


def test_relu_between_layers_by_default():
    stack = conv_stack(4, (3, 3, 3))
    assert [type(m).__name__ for m in stack] == ["Conv2d", "ReLU", "Conv2d", "ReLU", "Conv2d"]
    assert sum(p.numel() for p in stack.parameters()) == 27 * 4 * 4


def test_without_relu_the_stack_is_linear():
    torch.manual_seed(0)
    stack = conv_stack(1, (3, 3, 3), bias=True, relu=False)
    assert [name for name, _ in stack.named_children()] == ["0", "1", "2"]
    assert all(isinstance(m, nn.Conv2d) for m in stack)
    x, y = torch.randn(1, 1, 9, 9), torch.randn(1, 1, 9, 9)
    bias_only = stack(torch.zeros(1, 1, 9, 9))
    # affine: f(x + y) − f(0) == (f(x) − f(0)) + (f(y) − f(0))
    assert torch.allclose(
        stack(x + y) - bias_only, stack(x) - bias_only + stack(y) - bias_only, atol=1e-5
    )


def test_even_kernel_is_refused():
    with pytest.raises(ValueError, match=r"kernel_sizes\[1\] = 4"):
        conv_stack(2, (3, 4), relu=False)
