"""What every trace accepts (numpy, torch tensors, lists, ints) and refuses (with messages),
non-mutation, read-only results, and the lazy step sequence."""

from __future__ import annotations

import numpy as np
import pytest
import torch
import torch.nn.functional as F

import vizkit as vk
from vizkit.sliding import (
    conv1d_trace,
    conv2d_trace,
    conv_transpose2d_trace,
    pool2d_trace,
)
from vizkit.sliding._steps import Steps

CALLS = {
    "conv2d": lambda x: conv2d_trace(x, np.ones((2, 3, 2, 2)), np.ones(2), padding=1),
    "transpose": lambda x: conv_transpose2d_trace(x, np.ones((3, 2, 2, 2)), stride=2),
    "max": lambda x: pool2d_trace(x, 2, padding=1),
    "avg": lambda x: pool2d_trace(x, 2, kind="avg"),
    "lp": lambda x: pool2d_trace(x, 2, kind="lp"),
    "conv1d": lambda x: conv1d_trace(x[:, 0], np.ones((2, 3, 2))),
}


@pytest.mark.parametrize("name", list(CALLS))
def test_torch_tensors_are_read_without_being_touched(name):
    x = torch.randn(3, 4, 4, dtype=torch.float32, requires_grad=True)
    before = x.detach().clone()
    trace = CALLS[name](x)
    assert torch.equal(x.detach(), before) and x.grad is None
    from_numpy = CALLS[name](x.detach().numpy().astype(np.float64))
    np.testing.assert_array_equal(trace.output, from_numpy.output)
    assert trace.output.dtype == np.float64


@pytest.mark.parametrize("name", list(CALLS))
def test_numpy_inputs_are_not_mutated_and_results_are_read_only(name, rng):
    x = rng.normal(size=(3, 4, 4))
    before = x.copy()
    trace = CALLS[name](x)
    np.testing.assert_array_equal(x, before)
    assert not np.shares_memory(trace.input, x)
    with pytest.raises(ValueError, match="read-only"):
        trace.output[...] = 0
    step = trace.steps[0]
    with pytest.raises(ValueError, match="read-only"):
        (step.stamp if name == "transpose" else step.window)[...] = 0
    with pytest.raises(AttributeError):
        trace.output = None  # frozen dataclass


def test_lists_and_ints_are_accepted():
    trace = conv2d_trace([[[1, 2], [3, 4]]], [[[[1, 1], [1, 1]]]])
    assert trace.output.tolist() == [[[10.0]]]


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (
            np.ones((1, 3, 3), dtype=bool),
            r"^x must hold real numbers \(int or float\), got dtype bool \(a ndarray of shape "
            r"\(1, 3, 3\)\): convert it to floats \(e.g. x.astype\(float\)\)$",
        ),
        (
            np.ones((1, 3, 3), dtype=complex),
            r"^x must hold real numbers \(int or float\), got dtype "
            r"complex128",
        ),
        (np.array([["a"]]), r"^x must hold real numbers"),
        (None, r"^x must be an array or a tensor of numbers, got None$"),
        (torch.ones(1, 3, 3, dtype=torch.bfloat16), r"^x could not be read as a numeric array"),
    ],
)
def test_non_numeric_input_is_a_type_error(value, message):
    with pytest.raises(TypeError, match=message):
        conv2d_trace(value, np.ones((1, 1, 1, 1)))


def test_conv2d_shape_errors_name_the_fix():
    with pytest.raises(
        ValueError,
        match=(
            r"^x must have 3 or 4 dimensions \(C, H, W\) or \(N, C, H, W\), got 2 dimensions "
            r"with shape \(5, 5\): add a batch axis with x\[None\]$"
        ),
    ):
        conv2d_trace(np.ones((5, 5)), np.ones((1, 1, 3, 3)))
    with pytest.raises(
        ValueError,
        match=(
            r"^x has 3 channels but weight of shape \(8, 4, 3, 3\) expects 4·groups = 4·1 = 4 "
            r"\(weight is \(out_channels, in_channels / groups, kH, kW\)\): pass a weight of "
            r"shape \(8, 3, 3, 3\) or an input with 4 channels$"
        ),
    ):
        conv2d_trace(np.ones((3, 5, 5)), np.ones((8, 4, 3, 3)))
    with pytest.raises(
        ValueError,
        match=(
            r"^groups 2 does not divide out_channels 3 \(weight.shape\[0\]\): each group needs "
            r"the same number of output channels; use a multiple of 2$"
        ),
    ):
        conv2d_trace(np.ones((4, 5, 5)), np.ones((3, 2, 3, 3)), groups=2)
    with pytest.raises(ValueError, match=r"^groups 0 is not allowed: groups must be ≥ 1"):
        conv2d_trace(np.ones((4, 5, 5)), np.ones((3, 2, 3, 3)), groups=0)
    with pytest.raises(TypeError, match=r"^groups must be an int, got 2.0 \(float\)$"):
        conv2d_trace(np.ones((4, 5, 5)), np.ones((3, 2, 3, 3)), groups=2.0)
    with pytest.raises(
        ValueError,
        match=r"^bias must have shape \(3,\), one value per output "
        r"channel, got shape \(1, 3\)$",
    ):
        conv2d_trace(np.ones((2, 5, 5)), np.ones((3, 2, 3, 3)), np.ones((1, 3)))
    with pytest.raises(ValueError, match=r"^weight must have 4 dimensions"):
        conv2d_trace(np.ones((2, 5, 5)), np.ones((2, 3, 3)))
    with pytest.raises(ValueError, match=r"must not have an empty axis"):
        conv2d_trace(np.ones((2, 5, 5)), np.ones((0, 2, 3, 3)))


def test_geometry_errors_come_from_geometry_with_their_teaching_message():
    x = np.ones((1, 5, 5))
    with pytest.raises(
        vk.GeometryError,
        match=(
            r"^kernel_size 7 \(dilated to 13\) is larger than the padded input 5 \+ 2·1 = 7: "
            r"lower kernel_size or dilation, or raise padding$"
        ),
    ):
        conv2d_trace(x, np.ones((1, 1, 7, 7)), padding=1, dilation=2)
    with pytest.raises(vk.GeometryError, match=r"^padding 'same' with stride 2 is rejected"):
        conv2d_trace(x, np.ones((1, 1, 3, 3)), stride=2, padding="same")
    with pytest.raises(
        vk.GeometryError,
        match=r"^padding 5 with padding_mode 'reflect' needs "
        r"an input height larger than 5, got 5",
    ):
        conv2d_trace(x, np.ones((1, 1, 3, 3)), padding=5, padding_mode="reflect")
    with pytest.raises(vk.GeometryError, match=r"^padding_mode 'mirror' is not one of"):
        conv2d_trace(x, np.ones((1, 1, 3, 3)), padding_mode="mirror")
    with pytest.raises(
        TypeError,
        match=r"^stride must be an int or a \(height, width\) pair of "
        r"ints, got 1.0 \(float\): pass stride=1$",
    ):
        conv2d_trace(x, np.ones((1, 1, 3, 3)), stride=1.0)
    # torch agrees these are errors
    with pytest.raises(RuntimeError):
        F.conv2d(torch.ones(1, 1, 5, 5), torch.ones(1, 1, 7, 7), padding=1, dilation=2)


def test_steps_sequence_behaves_like_a_tuple():
    calls = []
    steps = Steps(5, lambda k: calls.append(k) or k * 10)
    assert len(steps) == 5 and calls == []  # nothing built until asked
    assert steps[-2] == 30 and steps[1:4] == [10, 20, 30] and list(steps) == [0, 10, 20, 30, 40]
    assert 20 in steps and steps.index(30) == 3
    with pytest.raises(TypeError, match=r"^step index must be an int or a slice, got '1'"):
        steps["1"]
    with pytest.raises(IndexError, match=r"^step -6 is out of range: this trace has 5 steps"):
        steps[-6]


def test_nan_input_is_fine():
    x = np.full((1, 3, 3), np.nan)
    assert np.isnan(conv2d_trace(x, np.ones((1, 1, 2, 2))).output).all()
    assert np.isnan(pool2d_trace(x, 2, kind="avg").output).all()
