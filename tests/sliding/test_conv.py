"""conv2d_trace against torch: outputs, every step, the taps (via F.unfold), padding modes,
groups, and the configurations torch refuses."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from hypothesis import given, settings
from hypothesis import strategies as st

import vizkit as vk
from vizkit.sliding import ConvTrace, conv2d_trace


def torch_conv(x, w, b, stride, padding, dilation, groups, mode="zeros"):
    """Ground truth: F.conv2d for zeros, nn.Conv2d(padding_mode=...) otherwise."""
    tx = torch.tensor(x)
    if mode == "zeros":
        tb = None if b is None else torch.tensor(b)
        return F.conv2d(tx, torch.tensor(w), tb, stride, padding, dilation, groups).numpy()
    conv = torch.nn.Conv2d(
        x.shape[-3],
        w.shape[0],
        w.shape[-2:],
        stride,
        padding,
        dilation,
        groups,
        bias=b is not None,
        padding_mode=mode,
    ).double()
    with torch.no_grad():
        conv.weight.copy_(torch.tensor(w))
        if b is not None:
            conv.bias.copy_(torch.tensor(b))
        return conv(tx).numpy()


def check_steps(trace: ConvTrace) -> None:
    """Every step: total == output cell, products/sums consistent, taps = geometry's taps."""
    assert len(trace.steps) == trace.output.size
    flat = trace.output.reshape(-1)
    padded = trace.padded if trace.batched else trace.padded[None]
    for step in trace.steps:
        assert step.total == pytest.approx(flat[step.index], rel=1e-12, abs=1e-12)
        np.testing.assert_allclose(step.products, step.window * step.kernel)
        np.testing.assert_allclose(step.channel_sums, step.products.sum(axis=(1, 2)))
        assert step.products.sum() + step.bias == pytest.approx(step.total, abs=1e-12)
        window = padded[step.sample][np.ix_(step.in_channels, step.rows, step.cols)]
        np.testing.assert_array_equal(step.window, window)
        np.testing.assert_array_equal(step.kernel, trace.weight[step.out_channel])


GRID = list(
    itertools.product(
        [(5, 5), (6, 4)],  # input size
        [(3, 3), (2, 3), (1, 1)],  # kernel
        [1, 2, (2, 1)],  # stride
        [0, 1, (2, 0)],  # padding
        [1, 2],  # dilation
    )
)


@pytest.mark.parametrize(("size", "kernel", "stride", "padding", "dilation"), GRID)
def test_output_and_steps_match_conv2d_grid(rng, size, kernel, stride, padding, dilation):
    x = rng.normal(size=(2, *size))
    w = rng.normal(size=(3, 2, *kernel))
    b = rng.normal(size=3)
    try:
        expected = torch_conv(x[None], w, b, stride, padding, dilation, 1)[0]
    except RuntimeError:
        with pytest.raises(vk.GeometryError):
            conv2d_trace(x, w, b, stride, padding, dilation)
        return
    trace = conv2d_trace(x, w, b, stride, padding, dilation)
    np.testing.assert_allclose(trace.output, expected, rtol=1e-12, atol=1e-12)
    assert trace.output.shape == expected.shape and not trace.batched
    check_steps(trace)


small = st.integers(1, 7)


@settings(max_examples=150, deadline=None)
@given(
    st.tuples(small, small),
    st.tuples(st.integers(1, 4), st.integers(1, 4)),
    st.tuples(st.integers(1, 3), st.integers(1, 3)),
    st.one_of(
        st.tuples(st.integers(0, 3), st.integers(0, 3)), st.sampled_from(["valid", "same", "full"])
    ),
    st.tuples(st.integers(1, 3), st.integers(1, 3)),
    st.sampled_from([1, 2]),
    st.integers(1, 2),
    st.integers(1, 2),
    st.booleans(),
    st.sampled_from(["zeros", "reflect", "replicate", "circular"]),
    st.integers(0, 2**32 - 1),
)
def test_hypothesis_matches_torch_or_both_refuse(
    size, kernel, stride, padding, dilation, groups, per_group_in, per_group_out, bias, mode, seed
):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(2, groups * per_group_in, *size))
    w = rng.normal(size=(groups * per_group_out, per_group_in, *kernel))
    b = rng.normal(size=groups * per_group_out) if bias else None
    torch_padding = padding  # torch has no "full": it is d·(k − 1) on each side
    if padding == "full":
        torch_padding = tuple(d * (k - 1) for d, k in zip(dilation, kernel, strict=True))
    try:
        expected = torch_conv(x, w, b, stride, torch_padding, dilation, groups, mode)
    except (RuntimeError, ValueError, IndexError):
        with pytest.raises(vk.GeometryError):
            conv2d_trace(x, w, b, stride, padding, dilation, groups, padding_mode=mode)
        return
    trace = conv2d_trace(x, w, b, stride, padding, dilation, groups, padding_mode=mode)
    np.testing.assert_allclose(trace.output, expected, rtol=1e-11, atol=1e-11)
    assert trace.batched
    for k in (0, len(trace.steps) // 2, len(trace.steps) - 1):
        step = trace.steps[k]
        assert step.total == pytest.approx(trace.output.reshape(-1)[k], abs=1e-11)
        assert step.group == step.out_channel // per_group_out


@settings(max_examples=80, deadline=None)
@given(
    st.tuples(small, small),
    st.tuples(st.integers(1, 3), st.integers(1, 3)),
    st.tuples(st.integers(1, 3), st.integers(1, 3)),
    st.tuples(st.integers(0, 2), st.integers(0, 2)),
    st.tuples(st.integers(1, 2), st.integers(1, 2)),
)
def test_taps_are_the_cells_f_unfold_reads(size, kernel, stride, padding, dilation):
    """Encode each input cell by a unique id (1…H·W; padding reads as 0): the ids F.unfold
    gathers for output cell k are the ids at step k's (rows, cols) mapped back to the input."""
    h, w = size
    ids = torch.arange(1, h * w + 1, dtype=torch.float64).reshape(1, 1, h, w)
    try:
        cols = F.unfold(ids, kernel, dilation, padding, stride)[0]  # (kh·kw, L)
    except RuntimeError:
        return
    trace = conv2d_trace(ids[0], np.ones((1, 1, *kernel)), None, stride, padding, dilation)
    assert len(trace.steps) == cols.shape[1]
    top, left = padding
    for step in trace.steps:
        expected = []
        for r in step.rows:
            for c in step.cols:
                inside = 0 <= r - top < h and 0 <= c - left < w
                expected.append((r - top) * w + (c - left) + 1 if inside else 0)
        assert cols[:, step.index].tolist() == expected
        assert step.rows == trace.geometry.taps(0, step.out_index[0])


@pytest.mark.parametrize("mode", ["reflect", "replicate", "circular"])
def test_padding_modes_pad_like_torch_and_report_sources(mode):
    x = np.arange(12.0).reshape(1, 3, 4)
    trace = conv2d_trace(x, np.ones((1, 1, 1, 1)), padding=(2, 3), padding_mode=mode)
    torch_mode = {"reflect": "reflect", "replicate": "replicate", "circular": "circular"}[mode]
    expected = F.pad(torch.tensor(x)[None], (3, 3, 2, 2), mode=torch_mode)[0].numpy()
    np.testing.assert_array_equal(trace.padded, expected)
    rows, cols = trace.padded_from
    np.testing.assert_array_equal(trace.padded[0], x[0][np.ix_(rows, cols)])


def test_zero_padding_sources_are_minus_one():
    trace = conv2d_trace(np.ones((1, 2, 2)), np.ones((1, 1, 3, 3)), padding=1)
    assert trace.padded_from == ((-1, 0, 1, -1), (-1, 0, 1, -1))


@pytest.mark.filterwarnings("ignore:Using padding='same' with even kernel:UserWarning")
def test_even_kernel_same_padding_puts_the_extra_cell_after(rng):
    x, w = rng.normal(size=(1, 5, 6)), rng.normal(size=(1, 1, 2, 4))
    trace = conv2d_trace(x, w, padding="same")
    assert trace.geometry.padding == ((0, 1), (1, 2))
    expected = F.conv2d(torch.tensor(x)[None], torch.tensor(w), padding="same")[0].numpy()
    np.testing.assert_allclose(trace.output, expected, atol=1e-12)


def test_flip_computes_true_convolution(rng):
    x, w = rng.normal(size=(2, 5, 5)), rng.normal(size=(3, 2, 3, 2))
    flipped = conv2d_trace(x, w, flip=True)
    expected = F.conv2d(torch.tensor(x), torch.tensor(w).flip(-1, -2)).numpy()
    np.testing.assert_allclose(flipped.output, expected, atol=1e-12)
    assert flipped.flipped and not conv2d_trace(x, w).flipped
    np.testing.assert_array_equal(flipped.weight, w[..., ::-1, ::-1])
    symmetric = np.ones((1, 2, 3, 3))
    np.testing.assert_allclose(
        conv2d_trace(x, symmetric, flip=True).output, conv2d_trace(x, symmetric).output
    )


def test_groups_read_only_their_channels(rng):
    x, w = rng.normal(size=(4, 5, 5)), rng.normal(size=(6, 2, 3, 3))
    trace = conv2d_trace(x, w, groups=2)
    assert trace.steps[0].in_channels == (0, 1)
    last = trace.steps[-1]
    assert (last.out_channel, last.group, last.in_channels) == (5, 1, (2, 3))
    assert last.channel_sums.shape == (2,)


def test_unread_input_comes_from_geometry():
    trace = conv2d_trace(np.ones((1, 10, 10)), np.ones((1, 1, 3, 3)), stride=2)
    assert trace.geometry.unread_input == ((9,), (9,))
    touched = {(r, c) for s in trace.steps for r in s.rows for c in s.cols}
    assert not any(r == 9 or c == 9 for r, c in touched)


def test_step_index_and_lazy_steps(rng):
    trace = conv2d_trace(rng.normal(size=(2, 3, 6, 6)), rng.normal(size=(4, 3, 3, 3)))
    k = trace.step_index(2, 1, 3, sample=1)
    step = trace.steps[k]
    assert (step.sample, step.out_channel, step.out_index) == (1, 2, (1, 3))
    assert trace.steps[-1].index == len(trace.steps) - 1 == 2 * 4 * 4 * 4 - 1
    assert [s.index for s in trace.steps[2:5]] == [2, 3, 4]
    with pytest.raises(
        IndexError,
        match=r"cell \(sample=0, out_channel=4, row=0, col=0\) is "
        r"outside the output of shape \(N, K, H_out, W_out\) = \(2, 4, 4, 4\)",
    ):
        trace.step_index(4, 0, 0)
    with pytest.raises(IndexError, match=r"step 128 is out of range: this trace has 128 steps"):
        trace.steps[128]


def test_nan_propagates_only_to_cells_that_read_it():
    x = np.zeros((1, 4, 4))
    x[0, 0, 0] = np.nan
    out = conv2d_trace(x, np.ones((1, 1, 2, 2))).output
    assert np.isnan(out[0, 0, 0]) and np.isnan(out).sum() == 1


def test_vk_lazy_export_is_this_function():
    assert vk.conv2d_trace is conv2d_trace
