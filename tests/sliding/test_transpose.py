"""conv_transpose2d_trace against F.conv_transpose2d: scatter view, direct view, stamps,
canvas frames, and the adjoint identity."""

from __future__ import annotations

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from hypothesis import given, settings
from hypothesis import strategies as st

import vizkit as vk
from vizkit.sliding import adjoint_check, conv_transpose2d_trace

pair = st.tuples


def torch_transpose(x, w, b, stride, padding, output_padding, groups, dilation):
    tb = None if b is None else torch.tensor(b)
    return F.conv_transpose2d(
        torch.tensor(x), torch.tensor(w), tb, stride, padding, output_padding, groups, dilation
    ).numpy()


@settings(max_examples=150, deadline=None)
@given(
    pair(st.integers(1, 5), st.integers(1, 5)),
    pair(st.integers(1, 4), st.integers(1, 4)),
    pair(st.integers(1, 3), st.integers(1, 3)),
    pair(st.integers(0, 3), st.integers(0, 3)),
    pair(st.integers(0, 2), st.integers(0, 2)),
    pair(st.integers(1, 3), st.integers(1, 3)),
    st.sampled_from([1, 2]),
    st.integers(1, 2),
    st.integers(1, 2),
    st.booleans(),
    st.integers(0, 2**32 - 1),
)
def test_both_views_match_conv_transpose2d(
    size, kernel, stride, padding, output_padding, dilation, groups, per_in, per_out, bias, seed
):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(2, groups * per_in, *size))
    w = rng.normal(size=(groups * per_in, per_out, *kernel))
    b = rng.normal(size=groups * per_out) if bias else None
    args = (stride, padding, output_padding, groups, dilation)
    try:
        expected = torch_transpose(x, w, b, *args)
    except RuntimeError:
        expected = None
    if expected is None or expected.size == 0:  # torch refuses, or returns an empty output
        with pytest.raises(vk.GeometryError):
            conv_transpose2d_trace(x, w, b, *args)
        return
    trace = conv_transpose2d_trace(x, w, b, *args)
    np.testing.assert_allclose(trace.output, expected, rtol=1e-11, atol=1e-11)
    np.testing.assert_allclose(trace.direct.output, expected, rtol=1e-11, atol=1e-11)
    assert trace.output.shape[-2:] == trace.geometry.output_size
    assert len(trace.steps) == x.size
    # The direct view's input is the stretched input, padded / cropped, cell for cell.
    rows, cols = trace.direct_from
    for n in range(2):
        for c in range(x.shape[1]):
            rebuilt = np.where(
                (np.array(rows)[:, None] >= 0) & (np.array(cols)[None, :] >= 0),
                x[n, c][np.ix_(np.maximum(rows, 0), np.maximum(cols, 0))],
                0.0,
            )
            np.testing.assert_array_equal(trace.direct.input[n, c], rebuilt)


def test_stamps_add_up_to_the_canvas(rng):
    x, w = rng.normal(size=(2, 3, 3)), rng.normal(size=(2, 3, 2, 3))
    trace = conv_transpose2d_trace(x, w, stride=2, dilation=(1, 2), output_padding=1)
    canvas = np.zeros_like(trace.canvas)
    for step in trace.steps:
        np.testing.assert_allclose(step.stamp, step.value * step.kernel)
        assert step.value == x[step.in_channel][step.in_index]
        canvas[np.ix_(step.out_channels, step.rows, step.cols)] += step.stamp
        if step.index in (0, 7, len(trace.steps) - 1):
            np.testing.assert_allclose(trace.canvas_after(step.index), canvas, atol=1e-12)
    np.testing.assert_allclose(canvas, trace.canvas, atol=1e-12)
    np.testing.assert_allclose(trace.canvas[:, trace.crop[0], trace.crop[1]], trace.output)


def test_stamp_positions_follow_stride_and_dilation():
    trace = conv_transpose2d_trace(np.ones((1, 3, 3)), np.ones((1, 1, 2, 2)), stride=3, dilation=2)
    step = trace.steps[5]  # input cell (1, 2)
    assert step.in_index == (1, 2)
    assert (step.rows, step.cols) == ((3, 5), (6, 8))


def test_padding_crops_and_output_padding_extends():
    x = np.ones((1, 2, 2))
    w = np.ones((1, 1, 3, 3))
    full = conv_transpose2d_trace(x, w, stride=2)
    cropped = conv_transpose2d_trace(x, w, stride=2, padding=1, output_padding=1)
    assert full.output.shape == (1, 5, 5) and cropped.output.shape == (1, 4, 4)
    assert cropped.canvas.shape == (1, 6, 6) and cropped.crop == (slice(1, 5), slice(1, 5))
    np.testing.assert_array_equal(cropped.output[0, :3, :3], full.output[0, 1:4, 1:4])
    expected = torch_transpose(x, w, None, 2, 1, 1, 1, 1)
    np.testing.assert_array_equal(cropped.output, expected)


def test_direct_view_uses_flipped_channel_swapped_kernel(rng):
    w = rng.normal(size=(4, 3, 2, 3))  # (C_in, C_out / groups, kH, kW), groups 2
    trace = conv_transpose2d_trace(rng.normal(size=(4, 3, 3)), w, groups=2)
    direct = trace.direct.weight  # (C_out, C_in / groups, kH, kW)
    assert direct.shape == (6, 2, 2, 3)
    np.testing.assert_array_equal(direct[4, 1], w[3, 1, ::-1, ::-1])  # group 1
    np.testing.assert_array_equal(direct[0, 0], w[0, 0, ::-1, ::-1])


def test_stretched_input_has_stride_minus_one_zeros():
    trace = conv_transpose2d_trace(
        np.array([[[1.0, 2.0], [3.0, 4.0]]]), np.ones((1, 1, 1, 1)), stride=3
    )
    np.testing.assert_array_equal(
        trace.stretched[0], [[1, 0, 0, 2], [0, 0, 0, 0], [0, 0, 0, 0], [3, 0, 0, 4]]
    )
    assert trace.geometry.stretched_size == (4, 4)


@settings(max_examples=60, deadline=None)
@given(
    pair(st.integers(3, 8), st.integers(3, 8)),
    pair(st.integers(1, 3), st.integers(1, 3)),
    pair(st.integers(1, 3), st.integers(1, 3)),
    pair(st.integers(0, 1), st.integers(0, 1)),
    pair(st.integers(1, 2), st.integers(1, 2)),
    st.integers(0, 2**32 - 1),
)
def test_conv_transpose_is_the_adjoint_of_conv(size, kernel, stride, padding, dilation, seed):
    rng = np.random.default_rng(seed)
    x, w = rng.normal(size=(2, *size)), rng.normal(size=(3, 2, *kernel))
    try:
        out_shape = F.conv2d(
            torch.tensor(x), torch.tensor(w), None, stride, padding, dilation
        ).shape
    except RuntimeError:
        return
    y = rng.normal(size=tuple(out_shape))
    check = adjoint_check(x, w, y, stride, padding, dilation)
    assert check.conv_x_dot_y == pytest.approx(check.x_dot_conv_transpose_y, rel=1e-10, abs=1e-10)
    # and it is what autograd uses: the input gradient of ⟨conv(x), y⟩ is conv_transpose(y)
    tx = torch.tensor(x, requires_grad=True)
    (
        F.conv2d(tx, torch.tensor(w), None, stride, padding, dilation) * torch.tensor(y)
    ).sum().backward()
    back = conv_transpose2d_trace(y, w, None, stride, padding, check.output_padding, 1, dilation)
    np.testing.assert_allclose(back.output, tx.grad.numpy(), atol=1e-10)


def test_adjoint_check_errors(rng):
    x, w = rng.normal(size=(1, 5, 5)), rng.normal(size=(1, 1, 2, 2))
    with pytest.raises(
        ValueError,
        match=r"^y must have the convolution's output shape "
        r"\(1, 4, 4\), got \(1, 5, 5\)$",
    ):
        adjoint_check(x, w, x)
    with pytest.raises(ValueError, match=r"pads unequally \(\(0, 1\), \(0, 1\)\)"):
        adjoint_check(x, w, x, padding="same")


def test_transpose_errors_name_the_fix(rng):
    x = rng.normal(size=(3, 4, 4))
    with pytest.raises(
        ValueError,
        match=(
            r"^x has 3 channels but weight of shape \(2, 1, 3, 3\) expects 2 \(a transposed "
            r"convolution's weight is \(in_channels, out_channels / groups, kH, kW\)\): pass "
            r"a weight of shape \(3, 1, 3, 3\)$"
        ),
    ):
        conv_transpose2d_trace(x, np.ones((2, 1, 3, 3)))
    with pytest.raises(
        ValueError,
        match=r"^groups 2 does not divide in_channels 3: each group "
        r"needs the same number of input channels; use one of \[1, 3\]$",
    ):
        conv_transpose2d_trace(x, np.ones((3, 1, 3, 3)), groups=2)
    with pytest.raises(vk.GeometryError, match="output_padding 2 must be smaller than stride"):
        conv_transpose2d_trace(x, np.ones((3, 1, 3, 3)), stride=2, output_padding=2)
    with pytest.raises(TypeError, match=r"padding 'same' is not accepted by nn\.ConvTranspose2d"):
        conv_transpose2d_trace(x, np.ones((3, 1, 3, 3)), padding="same")
    with pytest.raises(
        ValueError,
        match=r"^bias must have shape \(2,\), one value per output "
        r"channel, got shape \(3,\)$",
    ):
        conv_transpose2d_trace(x, np.ones((3, 2, 3, 3)), np.ones(3))


def test_canvas_after_rejects_a_step_out_of_range():
    trace = conv_transpose2d_trace(np.ones((1, 2, 2)), np.ones((1, 1, 2, 2)))
    with pytest.raises(IndexError, match="step 4 is out of range: this trace has 4 steps"):
        trace.canvas_after(4)
    np.testing.assert_array_equal(trace.canvas_after(-1), trace.canvas)
