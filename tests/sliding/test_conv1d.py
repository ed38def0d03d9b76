"""conv1d_trace against F.conv1d, and convolution vs cross-correlation."""

from __future__ import annotations

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from hypothesis import given, settings
from hypothesis import strategies as st

import vizkit as vk
from vizkit.sliding import conv1d_trace


@settings(max_examples=150, deadline=None)
@given(
    st.integers(1, 9),
    st.integers(1, 4),
    st.integers(1, 3),
    st.one_of(st.integers(0, 3), st.sampled_from(["valid", "same"])),
    st.integers(1, 3),
    st.sampled_from([1, 2]),
    st.booleans(),
    st.sampled_from(["zeros", "reflect", "replicate", "circular"]),
    st.integers(0, 2**32 - 1),
)
def test_matches_conv1d_or_both_refuse(
    length, kernel, stride, padding, dilation, groups, bias, mode, seed
):
    rng = np.random.default_rng(seed)
    x, w = rng.normal(size=(2, 2 * groups, length)), rng.normal(size=(2 * groups, 2, kernel))
    b = rng.normal(size=2 * groups) if bias else None
    if isinstance(padding, str):
        stride = 1
    conv = torch.nn.Conv1d(
        2 * groups,
        2 * groups,
        kernel,
        stride,
        padding,
        dilation,
        groups,
        bias=bias,
        padding_mode=mode,
    ).double()
    with torch.no_grad():
        conv.weight.copy_(torch.tensor(w))
        if bias:
            conv.bias.copy_(torch.tensor(b))
        try:
            expected = conv(torch.tensor(x)).numpy()
        except (RuntimeError, ValueError, IndexError):
            expected = None
    if expected is None:
        with pytest.raises(vk.GeometryError):
            conv1d_trace(x, w, b, stride, padding, dilation, groups, padding_mode=mode)
        return
    trace = conv1d_trace(x, w, b, stride, padding, dilation, groups, padding_mode=mode)
    np.testing.assert_allclose(trace.output, expected, rtol=1e-11, atol=1e-11)
    assert len(trace.steps) == expected.size
    padded = trace.padded
    for step in trace.steps[:: max(1, len(trace.steps) // 5)]:
        assert step.total == pytest.approx(expected.reshape(-1)[step.index], abs=1e-11)
        np.testing.assert_array_equal(
            step.window, padded[step.sample][np.ix_(step.in_channels, step.taps)]
        )
        assert step.taps == tuple(step.out_index * stride + u * dilation for u in range(kernel))


def test_unbatched_and_unfold_taps():
    x = torch.arange(1.0, 11.0, dtype=torch.float64)[None]  # ids 1…10
    trace = conv1d_trace(x, np.ones((1, 1, 3)), stride=2, padding=1)
    cols = F.unfold(x[None, :, None, :], (1, 3), padding=(0, 1), stride=(1, 2))[0]
    for step in trace.steps:
        ids = [t if 1 <= t <= 10 else 0 for t in step.taps]  # padded position t = input t − 1
        assert cols[:, step.index].tolist() == ids
    assert trace.output.shape == (1, 5)
    assert trace.padded_from == (-1, *range(10), -1)
    assert conv1d_trace(np.ones((1, 10)), np.ones((1, 1, 3)), stride=2).unread_input == (9,)


def test_cross_correlation_vs_convolution(rng):
    x, w = rng.normal(size=(1, 12)), np.array([[[1.0, 2.0, -3.0]]])
    correlation = conv1d_trace(x, w)
    convolution = conv1d_trace(x, w, flip=True)
    np.testing.assert_allclose(correlation.output[0], np.correlate(x[0], w[0, 0], "valid"))
    np.testing.assert_allclose(convolution.output[0], np.convolve(x[0], w[0, 0], "valid"))
    expected = F.conv1d(torch.tensor(x)[None], torch.tensor(w).flip(-1))[0].numpy()
    np.testing.assert_allclose(convolution.output, expected)
    assert not np.allclose(correlation.output, convolution.output)
    np.testing.assert_array_equal(convolution.steps[0].kernel[0], [-3.0, 2.0, 1.0])


def test_conv1d_errors(rng):
    with pytest.raises(
        ValueError,
        match=r"^x must have 2 or 3 dimensions \(C, L\) or "
        r"\(N, C, L\), got 4 dimensions with shape \(1, 1, 3, 3\)$",
    ):
        conv1d_trace(np.ones((1, 1, 3, 3)), np.ones((1, 1, 3)))
    with pytest.raises(
        ValueError,
        match=r"^x has 3 channels but weight of shape \(2, 2, 3\) "
        r"expects 2·groups = 2·1 = 2",
    ):
        conv1d_trace(np.ones((3, 8)), np.ones((2, 2, 3)))
    with pytest.raises(
        TypeError,
        match=r"^stride of a 1D convolution must be an int or a "
        r"1-tuple, got \(1, 2\): pass stride=k$",
    ):
        conv1d_trace(np.ones((1, 8)), np.ones((1, 1, 3)), stride=(1, 2))
    with pytest.raises(
        vk.GeometryError,
        match=r"^kernel_size 5 is larger than the padded input "
        r"width 3: lower kernel_size, or raise padding$",
    ):
        conv1d_trace(np.ones((1, 3)), np.ones((1, 1, 5)))
    trace = conv1d_trace(np.ones((1, 8)), np.ones((1, 1, 3)), stride=(2,), padding=(1,))
    assert trace.output.shape == (1, 4)
