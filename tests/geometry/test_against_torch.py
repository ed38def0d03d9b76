"""Geometry vs real torch layers: where torch computes a shape, the same shape; where torch
raises, a GeometryError.

The shape tests are exhaustive over small ranges (sizes 1–12, kernels 1–6, strides 1–4,
padding 0–5, dilation 1–3): torch computes each spatial axis on its own, so every per-axis
configuration in those ranges is checked, once as the height and once as the width of a 2-D
call (:func:`pairs`) — where hypothesis drew 2000 random 2-D configurations per op, in more
than twice the time (its per-example overhead: 62 s of CPU for the file against 26 s now, on
a loaded 2-core machine). The tests that compare whole tensors (autograd, the transposed
convolution as a direct one) draw their configurations with hypothesis.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterable, Sequence

import pytest
import torch
import torch.nn.functional as F
from hypothesis import given, settings
from hypothesis import strategies as st

import vizkit as vk
from vizkit.geometry import ConvGeometry, ConvTransposeGeometry, PoolGeometry

SIZES = range(1, 13)
KERNELS = range(1, 7)
STRIDES = range(1, 5)
PADS = range(0, 6)
POOL_PADS = range(0, 4)
OUT_PADS = range(0, 4)
DILS = range(1, 4)

# for the hypothesis tests below
kernels = st.integers(1, 6)
strides = st.integers(1, 4)
pads = st.integers(0, 5)
dils = st.integers(1, 3)
sizes = st.integers(1, 12)


pytestmark = pytest.mark.usefixtures("torch_one_thread")


def pair(strategy: st.SearchStrategy[int]) -> st.SearchStrategy[tuple[int, int]]:
    return st.tuples(strategy, strategy)


def pairs(*axes: Iterable[int]) -> list[tuple[tuple[int, int], ...]]:
    """Every per-axis configuration (the product of ``axes``), each once as the height and
    once as the width, as ``((h, w) of the first parameter, (h, w) of the second, …)``.

    The width's configuration is the height's moved ``step`` places on (``step`` coprime with
    the count: a permutation), so the partners vary — a height that fails beside a width that
    fits, and the other way round.
    """
    configs: Sequence[tuple[int, ...]] = list(itertools.product(*axes))
    n = len(configs)
    step = next(s for s in range(n // 3 + 1, n + 1) if math.gcd(s, n) == 1)
    return [tuple(zip(configs[i], configs[(i * step + 1) % n], strict=True)) for i in range(n)]


def test_pairs_take_every_configuration_once_per_axis() -> None:
    got = pairs(range(3), range(2))
    assert len(got) == 6
    assert sorted((a[0], b[0]) for a, b in got) == sorted(itertools.product(range(3), range(2)))
    assert sorted((a[1], b[1]) for a, b in got) == sorted(itertools.product(range(3), range(2)))
    assert any(a[0] != a[1] for a, _ in got)  # the partners differ


def torch_shape(fn, *args, **kwargs):
    """The (H, W) torch produces, or None when torch raises or returns an empty output.

    vizkit treats an output with fewer than one cell as an error (the issue's rule), while
    torch's transposed convolution silently returns an empty tensor for output size 0.
    """
    try:
        with torch.no_grad():
            shape = tuple(fn(*args, **kwargs).shape[-2:])
    except RuntimeError:
        return None
    return None if 0 in shape else shape


def ours(fn, *args, **kwargs):
    try:
        return fn(*args, **kwargs)
    except vk.GeometryError:
        return None


def ours_size(geometry, *args, **kwargs):
    """``geometry.create(*args, **kwargs).output_size``, or None on a GeometryError."""
    return ours(lambda: geometry.create(*args, **kwargs).output_size)


def test_conv_output_size_matches_nn_conv2d():
    for size, kernel, stride, padding, dilation in pairs(SIZES, KERNELS, STRIDES, PADS, DILS):
        conv = torch.nn.Conv2d(1, 1, kernel, stride, padding, dilation, bias=False)
        expected = torch_shape(conv, torch.zeros(1, 1, *size))
        got = ours(vk.conv_output_size, size, kernel, stride, padding, dilation)
        assert got == expected, (size, kernel, stride, padding, dilation)


def test_conv_output_size_int_form_matches_conv1d():
    for size, kernel, stride, padding, dilation in itertools.product(
        SIZES, KERNELS, STRIDES, PADS, DILS
    ):
        expected = None
        try:
            expected = F.conv1d(
                torch.zeros(1, 1, size), torch.zeros(1, 1, kernel), None, stride, padding, dilation
            ).shape[-1]
        except RuntimeError:
            pass
        got = ours(vk.conv_output_size, size, kernel, stride, padding, dilation)
        assert got == expected, (size, kernel, stride, padding, dilation)
        assert got is None or isinstance(got, int)


@pytest.mark.filterwarnings("ignore:Using padding='same'")
@pytest.mark.parametrize("name", ["valid", "same"])
def test_named_padding_matches_torch_strings(name):
    for size, kernel, dilation in pairs(SIZES, KERNELS, DILS):
        weight = torch.zeros(1, 1, *kernel)
        expected = torch_shape(F.conv2d, torch.zeros(1, 1, *size), weight, None, 1, name, dilation)
        got = ours(vk.conv_output_size, size, kernel, 1, name, dilation)
        assert got == expected, (size, kernel, dilation)


def test_same_padding_amounts_equal_torch_same():
    """F.pad by our (before, after) amounts + a valid conv == F.conv2d(padding="same")."""
    gen = torch.Generator().manual_seed(0)
    for size, kernel, dilation in pairs(SIZES, KERNELS, DILS):
        x = torch.randn(1, 1, *size, dtype=torch.float64, generator=gen)
        w = torch.randn(1, 1, *kernel, dtype=torch.float64, generator=gen)
        (top, bottom), (left, right) = vk.same_padding(size, kernel, 1, dilation)
        padded = F.pad(x, (left, right, top, bottom))
        if (
            padded.shape[-2] < dilation[0] * (kernel[0] - 1) + 1
            or padded.shape[-1] < dilation[1] * (kernel[1] - 1) + 1
        ):
            with pytest.raises(RuntimeError):
                F.conv2d(x, w, padding="same", dilation=dilation)
            continue
        ours_out = F.conv2d(padded, w, dilation=dilation)
        torch_out = F.conv2d(x, w, padding="same", dilation=dilation)
        torch.testing.assert_close(
            ours_out, torch_out, msg=lambda m, c=(size, kernel, dilation): f"{c}: {m}"
        )


def test_same_padding_with_stride_gives_ceil_output():
    for size, kernel, stride, dilation in pairs(range(1, 21), KERNELS, STRIDES, DILS):
        (top, bottom), (left, right) = vk.same_padding(size, kernel, stride, dilation)
        assert 0 <= top <= bottom <= top + 1 and 0 <= left <= right <= left + 1
        padded = (size[0] + top + bottom, size[1] + left + right)
        out = vk.conv_output_size(padded, kernel, stride, 0, dilation)
        assert out == (-(-size[0] // stride[0]), -(-size[1] // stride[1])), (size, kernel, stride)


@pytest.mark.parametrize("mode", ["reflect", "replicate", "circular"])
def test_padding_modes_match_nn_conv2d(mode):
    for size, kernel, stride, padding, dilation in pairs(SIZES, KERNELS, STRIDES, PADS, DILS):
        conv = torch.nn.Conv2d(
            1, 1, kernel, stride, padding, dilation, bias=False, padding_mode=mode
        )
        try:
            with torch.no_grad():
                expected = tuple(conv(torch.zeros(1, 1, *size)).shape[-2:])
        except (RuntimeError, ValueError, IndexError):
            expected = None
        got = ours_size(ConvGeometry, size, kernel, stride, padding, dilation, padding_mode=mode)
        assert got == expected, (size, kernel, stride, padding, dilation)


def test_conv_transpose_output_size_matches_torch():
    for size, kernel, stride, padding, out_pad, dilation in pairs(
        SIZES, KERNELS, STRIDES, PADS, OUT_PADS, DILS
    ):
        expected = torch_shape(
            F.conv_transpose2d,
            torch.zeros(1, 1, *size),
            torch.zeros(1, 1, *kernel),
            None,
            stride,
            padding,
            out_pad,
            1,
            dilation,
        )
        got = ours(vk.conv_transpose_output_size, size, kernel, stride, padding, out_pad, dilation)
        assert got == expected, (size, kernel, stride, padding, out_pad, dilation)


@pytest.mark.parametrize("ceil", [False, True])
def test_pool_output_size_matches_max_pool2d(ceil):
    configs = pairs(SIZES, KERNELS, STRIDES, POOL_PADS, DILS)
    # stride None: the kernel size, as in torch
    configs += [(s, k, None, p, d) for s, k, p, d in pairs(SIZES, KERNELS, POOL_PADS, DILS)]
    for size, kernel, stride, padding, dilation in configs:
        expected = torch_shape(
            F.max_pool2d, torch.zeros(1, 1, *size), kernel, stride, padding, dilation, ceil
        )
        got = ours(vk.pool_output_size, size, kernel, stride, padding, dilation, ceil)
        assert got == expected, (size, kernel, stride, padding, dilation)


@pytest.mark.parametrize("ceil", [False, True])
def test_avg_pool_geometry_matches_avg_pool2d(ceil):
    for size, kernel, stride, padding in pairs(SIZES, KERNELS, STRIDES, POOL_PADS):
        expected = torch_shape(
            F.avg_pool2d, torch.zeros(1, 1, *size), kernel, stride, padding, ceil
        )
        got = ours_size(PoolGeometry, size, kernel, stride, padding, 1, ceil, kind="avg")
        assert got == expected, (size, kernel, stride, padding)


@pytest.mark.parametrize("ceil", [False, True])
def test_lp_pool_geometry_matches_lp_pool2d(ceil):
    for size, kernel, stride in pairs(SIZES, KERNELS, STRIDES):
        expected = torch_shape(F.lp_pool2d, torch.ones(1, 1, *size), 2.0, kernel, stride, ceil)
        got = ours_size(PoolGeometry, size, kernel, stride, ceil_mode=ceil, kind="lp")
        assert got == expected, (size, kernel, stride)


def assert_unread_cells(unread, never_used):
    """A cell is read iff its row and its column are both read (reads form a product set)."""
    rows, cols = unread
    size = never_used.shape
    expected = torch.ones(size, dtype=torch.bool)
    read_rows = [r for r in range(size[0]) if r not in rows]
    read_cols = [c for c in range(size[1]) if c not in cols]
    expected[
        torch.tensor(read_rows, dtype=torch.long)[:, None],
        torch.tensor(read_cols, dtype=torch.long)[None, :],
    ] = False
    assert torch.equal(never_used, expected)


@settings(max_examples=300, deadline=None)
@given(pair(st.integers(1, 10)), pair(kernels), pair(strides), pair(pads), pair(dils))
def test_unread_input_matches_autograd(size, kernel, stride, padding, dilation):
    """Input cells whose gradient is zero under an all-ones kernel are exactly the unread ones."""
    try:
        geometry = ConvGeometry.create(size, kernel, stride, padding, dilation)
    except vk.GeometryError:
        return
    x = torch.ones(1, 1, *size, requires_grad=True)
    F.conv2d(x, torch.ones(1, 1, *kernel), None, stride, padding, dilation).sum().backward()
    assert_unread_cells(geometry.unread_input, x.grad[0, 0] == 0)


@settings(max_examples=300, deadline=None)
@given(
    pair(st.integers(1, 10)),
    pair(kernels),
    st.one_of(st.none(), pair(strides)),
    pair(st.integers(0, 2)),
    pair(dils),
    st.booleans(),
)
def test_pool_unread_input_matches_autograd(size, kernel, stride, padding, dilation, ceil):
    try:
        geometry = PoolGeometry.create(size, kernel, stride, padding, dilation, ceil)
    except vk.GeometryError:
        return
    # Distinct values make every max-pool window pick one winner; a cell no window covers gets
    # no gradient.  avg_pool would be simpler but has no dilation, so use the covered-count via
    # max pooling of a one-hot per cell.
    hits = torch.zeros(*size)
    for r in range(size[0]):
        for c in range(size[1]):
            x = torch.full((1, 1, *size), -1.0)
            x[0, 0, r, c] = 1.0
            out = F.max_pool2d(x, kernel, stride, padding, dilation, ceil)
            hits[r, c] = (out == 1.0).sum()
    assert_unread_cells(geometry.unread_input, hits == 0)


@settings(max_examples=300, deadline=None)
@given(
    pair(sizes),
    pair(kernels),
    pair(strides),
    pair(st.integers(0, 3)),
    pair(st.integers(0, 2)),
    pair(dils),
)
def test_transposed_equals_stretch_pad_flip_direct_conv(
    size, kernel, stride, padding, out_pad, dilation
):
    try:
        geometry = ConvTransposeGeometry.create(size, kernel, stride, padding, out_pad, dilation)
    except vk.GeometryError:
        return
    x = torch.randn(1, 1, *size, dtype=torch.float64)
    w = torch.randn(1, 1, *kernel, dtype=torch.float64)
    expected = F.conv_transpose2d(x, w, None, stride, padding, out_pad, 1, dilation)
    stretched = torch.zeros(1, 1, *geometry.stretched_size, dtype=torch.float64)
    stretched[..., :: stride[0], :: stride[1]] = x
    (top, bottom), (left, right) = geometry.direct_padding
    direct_in = F.pad(stretched, (left, right, top, bottom))  # negative amounts crop
    direct = F.conv2d(direct_in, w.flip(-1, -2), dilation=dilation)
    assert tuple(direct.shape[-2:]) == geometry.output_size
    torch.testing.assert_close(direct, expected)
