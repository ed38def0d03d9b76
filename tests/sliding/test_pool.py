"""pool2d_trace against F.max_pool2d (values and indices), F.avg_pool2d, F.lp_pool2d, and the
max-pool backward against autograd — torch's tie-breaking, NaN and ceil-mode rules included."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from hypothesis import given, settings
from hypothesis import strategies as st

import vizkit as vk
from vizkit.sliding import PoolTrace, max_pool2d_backward, pool2d_trace
from vizkit.sliding._pool_math import axis_masks

pair = st.tuples
sizes = pair(st.integers(1, 7), st.integers(1, 7))
kernels = pair(st.integers(1, 4), st.integers(1, 4))
strides = st.one_of(st.none(), pair(st.integers(1, 3), st.integers(1, 3)))
pads = pair(st.integers(0, 2), st.integers(0, 2))
seeds = st.integers(0, 2**32 - 1)


def data(seed, size, *, ties=True):
    """(2, 2, H, W) values; small integers make ties common, plus a NaN and a −∞ sometimes."""
    rng = np.random.default_rng(seed)
    x = (
        rng.integers(-2, 3, size=(2, 2, *size)).astype(float)
        if ties
        else rng.normal(size=(2, 2, *size))
    )
    if seed % 3 == 0:
        x[0, 0].flat[seed % x[0, 0].size] = np.nan
    if seed % 5 == 0:
        x[1, 1].flat[seed % x[1, 1].size] = -np.inf
    return x


def has_empty_window(trace: PoolTrace) -> bool:
    return not all(axis_masks(trace.geometry, a)[0].any(axis=1).all() for a in range(2))


def check_steps(trace: PoolTrace) -> None:
    assert len(trace.steps) == trace.output.size
    flat = trace.output.reshape(-1)
    for step in trace.steps:
        np.testing.assert_equal(step.value, flat[step.index])
        if trace.kind == "avg":
            assert step.divisor == trace.divisors[step.out_index]
            assert step.reduced == pytest.approx(step.terms.sum(), nan_ok=True)
            np.testing.assert_allclose(step.reduced / step.divisor, step.value)


@settings(max_examples=250, deadline=None)
@given(
    sizes, kernels, strides, pads, pair(st.integers(1, 3), st.integers(1, 3)), st.booleans(), seeds
)
def test_max_pool_values_indices_and_backward_match_torch(
    size, kernel, stride, padding, dilation, ceil, seed
):
    x = data(seed, size)
    tx = torch.tensor(x, requires_grad=True)
    try:
        out, idx = F.max_pool2d(tx, kernel, stride, padding, dilation, ceil, return_indices=True)
    except RuntimeError:
        out = None
    if out is None or out.numel() == 0:
        with pytest.raises(vk.GeometryError):
            pool2d_trace(x, kernel, stride, padding, dilation, ceil)
        return
    trace = pool2d_trace(x, kernel, stride, padding, dilation, ceil)
    np.testing.assert_array_equal(trace.output, out.detach().numpy())
    np.testing.assert_array_equal(trace.indices, idx.numpy())
    check_steps(trace)
    for step in trace.steps:
        if step.winner is not None:
            r, c = step.winner_input
            assert r * size[1] + c == trace.indices.reshape(-1)[step.index]
            u, v = step.winner
            assert (
                step.rows[u] - trace.geometry.padding[0],
                step.cols[v] - trace.geometry.padding[1],
            ) == (r, c)
            np.testing.assert_equal(
                x.reshape(-1, *size)[step.index // (trace.output.size // 4)][r, c], step.value
            )
    if has_empty_window(trace):
        # A dilated window lying wholly in the padding: torch's backward writes its gradient
        # to a bogus index (out of bounds, heap corruption): never run autograd on it here.
        return
    grad = np.random.default_rng(seed).normal(size=trace.output.shape)
    out.backward(torch.tensor(grad))
    np.testing.assert_allclose(max_pool2d_backward(trace, grad), tx.grad.numpy(), atol=1e-12)


@settings(max_examples=250, deadline=None)
@given(sizes, kernels, strides, pads, st.booleans(), st.booleans(), seeds)
def test_avg_pool_matches_torch(size, kernel, stride, padding, ceil, count_include_pad, seed):
    x = data(seed, size, ties=False)
    try:
        expected = F.avg_pool2d(torch.tensor(x), kernel, stride, padding, ceil, count_include_pad)
    except RuntimeError:
        expected = None
    if expected is None or expected.numel() == 0:
        with pytest.raises(vk.GeometryError):
            pool2d_trace(
                x, kernel, stride, padding, 1, ceil, kind="avg", count_include_pad=count_include_pad
            )
        return
    trace = pool2d_trace(
        x, kernel, stride, padding, 1, ceil, kind="avg", count_include_pad=count_include_pad
    )
    np.testing.assert_allclose(trace.output, expected.numpy(), rtol=1e-12, atol=1e-12)
    check_steps(trace)


@settings(max_examples=200, deadline=None)
@given(
    sizes,
    kernels,
    strides,
    st.booleans(),
    st.sampled_from([1, 2, 3, 1.5, 4.0, math.inf, -math.inf]),
    seeds,
)
def test_lp_pool_matches_torch(size, kernel, stride, ceil, norm_type, seed):
    x = data(seed, size, ties=False)
    if norm_type != int(norm_type) if math.isfinite(norm_type) else False:
        x = np.abs(x)  # fractional powers of negatives are NaN in both; keep it informative
    try:
        expected = F.lp_pool2d(torch.tensor(x), norm_type, kernel, stride, ceil)
    except RuntimeError:
        expected = None
    if expected is None or expected.numel() == 0:
        with pytest.raises(vk.GeometryError):
            pool2d_trace(x, kernel, stride, 0, 1, ceil, kind="lp", norm_type=norm_type)
        return
    trace = pool2d_trace(x, kernel, stride, ceil_mode=ceil, kind="lp", norm_type=norm_type)
    np.testing.assert_allclose(trace.output, expected.numpy(), rtol=1e-10, atol=1e-12)
    check_steps(trace)


def test_max_pool_ties_first_maximum_and_last_nan_win():
    x = np.array([[[1.0, 3, 3], [0, 2, 3], [3, 0, 1]]])
    assert pool2d_trace(x, 3).steps[0].winner == (0, 1)
    x[0, 1, 0] = x[0, 1, 2] = np.nan
    step = pool2d_trace(x, 3).steps[0]
    assert step.winner == (1, 2) and step.winner_input == (1, 2) and math.isnan(step.value)
    _, idx = F.max_pool2d(torch.tensor(x), 3, return_indices=True)
    assert int(idx) == 5


def test_max_pool_all_minus_inf_reports_first_input_cell_not_padding():
    x = np.full((1, 3, 3), -np.inf)
    trace = pool2d_trace(x, 3, stride=1, padding=1)
    _, idx = F.max_pool2d(torch.tensor(x), 3, 1, 1, return_indices=True)
    np.testing.assert_array_equal(trace.indices, idx.numpy())
    assert trace.steps[0].winner == (1, 1)  # padded (1, 1) = input (0, 0)


def test_dilated_window_wholly_in_padding_replicates_torch_indices():
    """torch quirk: the empty window's index is its start moved past the padding by whole
    dilation steps, here 4 = the cell (1, 0) of the next row, which the window never read."""
    x = np.arange(12.0).reshape(1, 3, 4)
    trace = pool2d_trace(x, (1, 2), stride=1, padding=(0, 1), dilation=(1, 5))
    _, idx = F.max_pool2d(torch.tensor(x), (1, 2), 1, (0, 1), (1, 5), return_indices=True)
    np.testing.assert_array_equal(trace.indices, idx.numpy())
    np.testing.assert_array_equal(trace.indices[0, :, 0], [4, 8, 12])
    assert np.all(trace.output == -np.inf) and trace.steps[0].winner is None
    np.testing.assert_array_equal(max_pool2d_backward(trace, np.ones((1, 3, 1))), 0.0)


def test_avg_pool_ceil_mode_divisor_counts_padding_but_not_the_overhang():
    x = torch.ones(1, 1, 6, 6, dtype=torch.float64)
    trace = pool2d_trace(x[0], 3, stride=2, padding=1, ceil_mode=True, kind="avg")
    # The last window starts at input row 5 and covers row 5, the padding row and one row
    # beyond the padded input: torch counts the first two only.
    nine, six = [9, 9, 9, 6], [6, 6, 6, 4]
    np.testing.assert_array_equal(trace.divisors, [nine, nine, nine, six])
    expected = F.avg_pool2d(x, 3, 2, 1, ceil_mode=True)
    np.testing.assert_allclose(trace.output[0], expected[0, 0].numpy())
    assert trace.output[0, 3, 3] == 1 / 4  # one real cell, three counted cells
    assert trace.steps[-1].in_padded.sum() == 4 and trace.steps[-1].in_input.sum() == 1
    excluded = pool2d_trace(
        x[0], 3, stride=2, padding=1, ceil_mode=True, kind="avg", count_include_pad=False
    )
    np.testing.assert_allclose(excluded.output, 1.0)


def test_lp_pool_is_torchs_scaled_average_not_the_textbook_norm():
    """torch quirk: lp_pool2d = (avg_pool2d(x^p) · kH·kW)^(1/p), so a ceil-mode window hanging
    over the edge scales its partial sum by kH·kW / (cells inside)."""
    x = torch.ones(1, 1, 3, 3, dtype=torch.float64)
    trace = pool2d_trace(x[0], 2, ceil_mode=True, kind="lp", norm_type=2)
    np.testing.assert_allclose(trace.output[0], [[2, 2], [2, 2]])  # textbook corner: 1, not 2
    np.testing.assert_allclose(trace.output[0], F.lp_pool2d(x, 2, 2, ceil_mode=True)[0, 0])
    corner = trace.steps[-1]
    assert (corner.reduced, corner.divisor) == (1.0, 1)


def test_lp_pool_p1_sums_signed_values_and_odd_p_of_negative_sums_is_nan():
    """torch quirk: its sign(out)·relu(|out|) is the identity, so p = 1 is a plain (signed)
    sum and a negative sum to an odd power's root is NaN, as in torch."""
    x = -torch.ones(1, 1, 2, 2, dtype=torch.float64)
    assert pool2d_trace(x[0], 2, kind="lp", norm_type=1).output.item() == -4.0
    assert F.lp_pool2d(x, 1, 2).item() == -4.0
    assert math.isnan(pool2d_trace(x[0], 2, kind="lp", norm_type=3).output.item())
    assert math.isnan(F.lp_pool2d(x, 3, 2).item())


def test_max_pool_backward_sums_overlapping_switches():
    x = np.array([[[0.0, 0, 0], [0, 9, 0], [0, 0, 0]]])
    trace = pool2d_trace(x, 2, stride=1)
    np.testing.assert_array_equal(trace.indices, [[[4, 4], [4, 4]]])
    grad = max_pool2d_backward(trace, [[[1.0, 2.0], [3.0, 4.0]]])
    np.testing.assert_array_equal(grad, [[[0, 0, 0], [0, 10, 0], [0, 0, 0]]])


def test_pool_errors_name_the_fix():
    x = np.ones((1, 5, 5))
    with pytest.raises(
        vk.GeometryError,
        match=r"padding 2 is more than half the pooling window "
        r"kernel_size 3 \(torch ignores dilation 2 here\)",
    ):
        pool2d_trace(x, 3, padding=2, dilation=2)
    with pytest.raises(vk.GeometryError, match=r"dilation .* is not supported by torch's avg"):
        pool2d_trace(x, 2, dilation=2, kind="avg")
    with pytest.raises(vk.GeometryError, match="not supported by torch's lp_pool2d"):
        pool2d_trace(x, 2, padding=1, kind="lp")
    with pytest.raises(
        ValueError,
        match=r"^kind 'min' is not a pooling kind: use 'max', 'avg' "
        r"or 'lp'$",
    ):
        pool2d_trace(x, 2, kind="min")
    with pytest.raises(ValueError, match=r"^norm_type 0 is not allowed: Lp pooling needs p ≠ 0"):
        pool2d_trace(x, 2, kind="lp", norm_type=0)
    with pytest.raises(
        ValueError,
        match=r"^divisor_override 3 is not allowed for kind 'max': "
        r"only average pooling has a divisor; drop it or use kind='avg'$",
    ):
        pool2d_trace(x, 2, divisor_override=3)
    with pytest.raises(
        ValueError,
        match=r"^max_pool2d_backward needs a max-pooling trace, got "
        r"kind 'avg': use pool2d_trace\(..., kind='max'\)$",
    ):
        max_pool2d_backward(pool2d_trace(x, 2, kind="avg"), np.ones((1, 2, 2)))
    with pytest.raises(
        ValueError,
        match=r"^grad_output must have the output's shape "
        r"\(1, 2, 2\), got \(2, 2\)$",
    ):
        max_pool2d_backward(pool2d_trace(x, 2), np.ones((2, 2)))


def test_divisor_override_matches_torch(rng):
    x = rng.normal(size=(1, 2, 5, 5))
    trace = pool2d_trace(x, 2, kind="avg", divisor_override=3)
    expected = F.avg_pool2d(torch.tensor(x), 2, divisor_override=3).numpy()
    np.testing.assert_allclose(trace.output, expected)


def test_unread_input_and_steps_for_floor_mode():
    trace = pool2d_trace(np.ones((1, 5, 5)), 2)
    assert trace.geometry.unread_input == ((4,), (4,))
    assert {r for s in trace.steps for r in s.rows} == {0, 1, 2, 3}
