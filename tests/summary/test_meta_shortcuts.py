"""The meta stand-ins give what torch's meta ops give: output and what autograd saves.

For every stand-in, over a grid of configurations: the same output shape, dtype, strides,
``requires_grad`` and leafness, the input itself exactly when torch works in place, and (with
grad) the same tensors saved for backward (which input, or the output, or a new tensor; bytes,
dtype) as torch's node saves through ``saved_tensors_hooks``; the stand-ins report theirs
through ``save`` (plus, for their fallbacks, autograd), which is how
:mod:`vizkit.summary.record` measures training memory. Where torch refuses a configuration,
the stand-in declines (returns None), so the real op runs and raises torch's own error.
"""

from __future__ import annotations

import math

import pytest
import torch
import torch.nn.functional as F
from torch.autograd.graph import saved_tensors_hooks

from vizkit.summary._meta.shortcuts import SHORTCUTS


def _meta(shape, *, grad=False, leaf=False, dtype=torch.float32):
    t = torch.empty(shape, device="meta", dtype=dtype, requires_grad=grad)
    return t if leaf or not grad else t * 1  # an activation: not a leaf


def _ignore(item):
    raise AssertionError(f"saved {item!r} where no backward node would be made")


def _run(fn, named):
    """Output of ``fn(save)`` and what it saved, each saved tensor named by its storage.

    Saves come from autograd (``saved_tensors_hooks``: torch's own ops) and from ``save``
    (the stand-ins' report): ``save(tensor)`` or ``save((shape, dtype))`` for a new tensor.
    """
    saved = []

    def pack(t):
        saved.append((t.untyped_storage()._cdata, t.untyped_storage().nbytes(), t.dtype))
        return t

    def save(item):
        if isinstance(item, tuple):
            shape, dtype = item
            saved.append((None, math.prod(shape) * dtype.itemsize, dtype))
        else:
            pack(item)

    with torch.enable_grad(), saved_tensors_hooks(pack, lambda t: t):
        out = fn(save)
    names = {t.untyped_storage()._cdata: n for n, t in named.items() if t is not None}
    names.setdefault(out.untyped_storage()._cdata, "out")
    # a view of an input (linear saves x reshaped, weight transposed) counts as that input: the
    # same storage, the same bytes, which is all the memory accounting reads
    return out, sorted((names.get(c, "new"), nbytes, str(dt)) for c, nbytes, dt in saved)


def _same_as_torch(name, real, args, kwargs, named):
    """Stand-in ``name`` on ``(args, kwargs)`` matches ``real``, or declines where torch raises."""
    try:
        want, want_saved = _run(lambda save: real(*args, **kwargs), named)
    except (RuntimeError, ValueError, TypeError, IndexError):
        assert SHORTCUTS[name](args, kwargs, _ignore) is None
        return False
    got, got_saved = _run(lambda save: SHORTCUTS[name](args, kwargs, save), named)
    assert got is not None
    assert got.shape == want.shape and got.dtype == want.dtype and got.is_meta
    assert got.stride() == want.stride()
    assert got.requires_grad == want.requires_grad
    assert got.is_leaf == want.is_leaf
    x = named.get("x")
    assert (got is x) == (want is x)  # in place exactly when torch is
    assert got_saved == want_saved
    return True


_GRADS = [(False, True), (True, True), (True, False), (False, False)]  # (input, weight)


@pytest.mark.parametrize(
    ("kernel", "stride", "padding", "dilation", "groups"),
    [
        (3, 1, 1, 1, 1),
        (1, 1, 0, 1, 1),
        (3, 2, 0, 1, 2),
        ((3, 5), (2, 1), (2, 0), 1, 1),
        (3, 1, 2, 2, 4),
        (5, 3, (1,), (2, 1), 1),
        (7, 2, 3, 1, 1),
        (9, 1, 0, 1, 1),  # larger than the input: torch refuses
    ],
)
@pytest.mark.parametrize("bias", [True, False])
@pytest.mark.parametrize(("x_grad", "w_grad"), _GRADS)
def test_conv2d(kernel, stride, padding, dilation, groups, bias, x_grad, w_grad):
    kh, kw = (kernel, kernel) if isinstance(kernel, int) else kernel
    x = _meta((2, 8, 8, 7), grad=x_grad)
    w = _meta((12, 8 // groups, kh, kw), grad=w_grad, leaf=True)
    b = _meta((12,), grad=w_grad, leaf=True) if bias else None
    args = (x, w, b, stride, padding, dilation, groups)
    _same_as_torch("conv2d", F.conv2d, args, {}, {"x": x, "w": w, "b": b})
    kwargs = {"bias": b, "stride": stride, "padding": padding, "dilation": dilation}
    _same_as_torch("conv2d", F.conv2d, (x, w), {**kwargs, "groups": groups}, {"x": x, "w": w})


@pytest.mark.parametrize(
    ("x", "w", "kwargs"),
    [
        (
            _meta((2, 8, 9, 9), grad=True),
            _meta((4, 8, 3, 3), leaf=True, grad=True),
            {"padding": "same"},
        ),
        (_meta((8, 9, 9), grad=True), _meta((4, 8, 3, 3), leaf=True, grad=True), {}),  # unbatched
        (
            _meta((2, 8, 9, 9), grad=True).to(memory_format=torch.channels_last),
            _meta((4, 8, 3, 3), leaf=True, grad=True),
            {},
        ),
        (_meta((2, 8, 9, 9), dtype=torch.float16), _meta((4, 8, 3, 3), leaf=True), {}),
        (_meta((2, 6, 9, 9)), _meta((4, 8, 3, 3), leaf=True), {}),  # wrong channels
    ],
)
def test_conv2d_declines_what_it_does_not_reproduce(x, w, kwargs):
    assert SHORTCUTS["conv2d"]((x, w), kwargs, _ignore) is None


@pytest.mark.parametrize("shape", [(2, 8, 5, 5), (3, 7), (4,)])
@pytest.mark.parametrize("grad", [True, False])
@pytest.mark.parametrize(
    ("args", "kwargs"), [((), {}), ((False,), {}), ((), {"inplace": False}), ((True,), {})]
)
def test_relu(shape, grad, args, kwargs):
    x = _meta(shape, grad=grad)
    assert _same_as_torch("relu", F.relu, (x, *args), kwargs, {"x": x})
    y = _meta(shape, grad=grad)
    assert _same_as_torch("relu", F.relu, (y,), {"inplace": True}, {"x": y})


@pytest.mark.parametrize("shape", [(2, 8, 5, 5), (3, 7)])
@pytest.mark.parametrize("grad", [True, False])
def test_relu_in_place(shape, grad):
    for func in (torch.relu_, torch.Tensor.relu_):
        x = _meta(shape, grad=grad)
        assert _same_as_torch("relu_", func, (x,), {}, {"x": x})


def test_relu_declines_views_leaves_and_other_layouts():
    leaf = _meta((2, 3), grad=True, leaf=True)
    view = _meta((4, 6), grad=True)[1:]
    assert SHORTCUTS["relu_"]((leaf,), {}, _ignore) is None
    assert SHORTCUTS["relu_"]((view,), {}, _ignore) is None
    assert SHORTCUTS["relu"]((view,), {"inplace": True}, _ignore) is None
    cl = _meta((2, 3, 4, 4), grad=True).to(memory_format=torch.channels_last)
    assert SHORTCUTS["relu"]((cl,), {}, _ignore) is None
    assert SHORTCUTS["relu"]((_meta((2, 3), dtype=torch.int64),), {}, _ignore) is None


@pytest.mark.parametrize(
    ("kernel", "stride", "padding", "dilation"),
    [
        (2, None, 0, 1),
        (2, 2, 0, 1),
        (3, 2, 1, 1),
        (3, 1, 1, 2),
        ((3, 2), (2, 1), (1, 0), 1),
        (3, (), 0, 1),
        (2, 2, 2, 1),  # padding above half the kernel: torch refuses
        (3, 3, 1, (1, 2)),
    ],
)
@pytest.mark.parametrize("ceil_mode", [False, True])
@pytest.mark.parametrize("size", [(7, 7), (8, 13), (4, 5)])
@pytest.mark.parametrize("grad", [True, False])
def test_max_pool2d(kernel, stride, padding, dilation, ceil_mode, size, grad):
    x = _meta((2, 3, *size), grad=grad)
    args = (x, kernel, stride, padding, dilation)
    _same_as_torch("max_pool2d", F.max_pool2d, args, {"ceil_mode": ceil_mode}, {"x": x})
    kwargs = {"stride": stride, "padding": padding, "dilation": dilation, "ceil_mode": ceil_mode}
    _same_as_torch("max_pool2d", F.max_pool2d, (x, kernel), kwargs, {"x": x})
    if stride is not None:  # torch.max_pool2d itself: everything positional, stride required
        real = torch.max_pool2d
        _same_as_torch("max_pool2d", real, (*args, ceil_mode), {}, {"x": x})


def test_max_pool2d_declines_indices_and_other_layouts():
    x = _meta((2, 3, 8, 8), grad=True)
    assert SHORTCUTS["max_pool2d"]((x, 2), {"return_indices": True}, _ignore) is None
    assert (
        SHORTCUTS["max_pool2d"]((x.to(memory_format=torch.channels_last), 2), {}, _ignore) is None
    )
    assert SHORTCUTS["max_pool2d"]((_meta((3, 8, 8)), 2), {}, _ignore) is None  # unbatched


@pytest.mark.parametrize("shape", [(16,), (2, 16), (2, 5, 16), (5, 2, 16)])
@pytest.mark.parametrize("bias", [True, False])
@pytest.mark.parametrize(("x_grad", "w_grad"), _GRADS)
@pytest.mark.parametrize("transposed", [False, True])
def test_linear(shape, bias, x_grad, w_grad, transposed):
    x = _meta(shape, grad=x_grad)
    if transposed and len(shape) == 3:
        x = x.transpose(0, 1)  # not contiguous: the reshape inside copies
    w = _meta((8, 16), grad=w_grad, leaf=True)
    b = _meta((8,), grad=w_grad, leaf=True) if bias else None
    assert _same_as_torch("linear", F.linear, (x, w, b), {}, {"x": x, "w": w, "b": b})
    assert _same_as_torch("linear", F.linear, (x,), {"weight": w, "bias": b}, {"x": x, "w": w})


def test_linear_wrong_features_raises_as_before():
    x, w = _meta((2, 15), grad=True), _meta((8, 16), leaf=True, grad=True)
    with pytest.raises(RuntimeError, match="same reduction dim"):  # matmul's message, as always
        SHORTCUTS["linear"]((x, w), {}, _ignore)


@pytest.mark.parametrize(
    "output_size", [7, (7, 7), (3, 5), (None, 4), (1, None), 1, (14, 14), (9, 2)]
)
@pytest.mark.parametrize("size", [(7, 7), (14, 14), (8, 13)])
@pytest.mark.parametrize("grad", [True, False])
def test_adaptive_avg_pool2d(output_size, size, grad):
    x = _meta((2, 3, *size), grad=grad)
    real = F.adaptive_avg_pool2d
    assert _same_as_torch("adaptive_avg_pool2d", real, (x, output_size), {}, {"x": x})
    kwargs = {"output_size": output_size}
    assert _same_as_torch("adaptive_avg_pool2d", real, (x,), kwargs, {"x": x})


def test_adaptive_avg_pool2d_declines_other_layouts():
    x = _meta((2, 3, 8, 8), grad=True)
    pool = SHORTCUTS["adaptive_avg_pool2d"]
    assert pool((x.to(memory_format=torch.channels_last), 2), {}, _ignore) is None
    assert pool((_meta((3, 8, 8)), 2), {}, _ignore) is None  # unbatched
    assert pool((x, (2, 2, 2)), {}, _ignore) is None
    assert pool((x, 0), {}, _ignore) is None


def test_stand_in_outputs_take_in_place_ops_like_torch_outputs():
    x = _meta((1, 3, 8, 8), grad=True)
    w = _meta((4, 3, 3, 3), grad=True, leaf=True)
    saved = []
    with torch.enable_grad():
        y = SHORTCUTS["conv2d"]((x, w), {}, saved.append)
        assert SHORTCUTS["relu_"]((y,), {}, saved.append) is y
        y.add_(1)  # torch accepts in-place ops on it: not a leaf, not a view
    assert saved == [x, w, y]


_SHAPE_PAIRS = [
    ((2, 4, 5, 5), (2, 4, 5, 5)),
    ((2, 4, 5, 5), (2, 4, 1, 1)),  # a squeeze-excitation gate
    ((2, 4, 1, 1), (2, 4, 5, 5)),
    ((4, 5, 5), (2, 4, 5, 5)),  # fewer dims
    ((3, 7), (7,)),
    ((2, 4, 5, 5), (2, 3, 5, 5)),  # not broadcastable: torch refuses
]


@pytest.mark.parametrize(("x_shape", "y_shape"), _SHAPE_PAIRS)
@pytest.mark.parametrize(("x_grad", "y_grad"), _GRADS)
def test_add_and_mul(x_shape, y_shape, x_grad, y_grad):
    x, y = _meta(x_shape, grad=x_grad), _meta(y_shape, grad=y_grad)
    named = {"x": x, "y": y}
    for real in (torch.add, torch.Tensor.add, torch.Tensor.__add__):
        _same_as_torch("add", real, (x, y), {}, named)
    for real in (torch.mul, torch.Tensor.mul, torch.Tensor.__mul__):
        _same_as_torch("mul", real, (x, y), {}, named)


@pytest.mark.parametrize(("x_shape", "y_shape"), _SHAPE_PAIRS)
@pytest.mark.parametrize(("x_grad", "y_grad"), _GRADS)
def test_add_in_place(x_shape, y_shape, x_grad, y_grad):
    for real in (torch.Tensor.add_, torch.Tensor.__iadd__):
        x, y = _meta(x_shape, grad=x_grad), _meta(y_shape, grad=y_grad)
        got = SHORTCUTS["add_"]((x, y), {}, _ignore)
        try:
            want = real(_meta(x_shape, grad=x_grad), y)
        except RuntimeError:
            assert got is None
            continue
        if got is None:  # declined: only where the real op would give x grad it lacks
            assert y_grad and not x_grad
            continue
        assert got is x and got.shape == want.shape and got.requires_grad == want.requires_grad
        _same_as_torch("add_", real, (x, y), {}, {"x": x, "y": y})  # and no saves


def test_add_mul_decline_scalars_mixed_dtypes_and_views():
    x = _meta((2, 3), grad=True)
    assert SHORTCUTS["add"]((x, 1.0), {}, _ignore) is None
    assert SHORTCUTS["add"]((x, x), {"alpha": 2}, _ignore) is None
    assert SHORTCUTS["mul"]((x, _meta((2, 3), dtype=torch.float16)), {}, _ignore) is None
    view = _meta((4, 3), grad=True)[1:3]
    assert SHORTCUTS["add_"]((view, x), {}, _ignore) is None
    leaf = _meta((2, 3), grad=True, leaf=True)
    assert SHORTCUTS["add_"]((leaf, x), {}, _ignore) is None


@pytest.mark.parametrize(
    ("shapes", "dim"),
    [
        ([(2, 3, 4, 4), (2, 5, 4, 4)], 1),  # an inception concatenation
        ([(2, 3, 4, 4), (2, 3, 4, 4), (2, 3, 4, 4)], -3),
        ([(2, 3), (4, 3)], 0),
        ([(2, 3, 4, 4), (2, 5, 3, 4)], 1),  # sizes disagree: torch refuses
        ([(2, 3, 4, 4)], 4),  # no such dim: torch refuses
    ],
)
@pytest.mark.parametrize("grads", [(False, True), (True, True), (False, False)])
def test_cat(shapes, dim, grads):
    tensors = [_meta(s, grad=grads[i % 2]) for i, s in enumerate(shapes)]
    named = {f"t{i}": t for i, t in enumerate(tensors)}
    _same_as_torch("cat", torch.cat, (tensors, dim), {}, named)
    _same_as_torch("cat", torch.cat, (tensors,), {"dim": dim}, named)


def _bn_as_before(x, running_mean, running_var, weight=None, bias=None, **kwargs):
    """What the batch-norm stand-in has always kept: ``x · weight + bias`` (ones for no weight)."""
    if weight is None:
        weight = torch.ones(x.shape[1], device="meta", dtype=x.dtype, requires_grad=True)
    shape = [1, x.shape[1]] + [1] * (x.dim() - 2)
    out = x * weight.view(shape)
    return out + bias.view(shape) if bias is not None else out


@pytest.mark.parametrize("shape", [(2, 4, 5, 5), (3, 4), (2, 4, 6)])
@pytest.mark.parametrize("affine", [True, False])
@pytest.mark.parametrize(("x_grad", "w_grad"), _GRADS)
def test_batch_norm_keeps_what_it_always_kept(shape, affine, x_grad, w_grad):
    x = _meta(shape, grad=x_grad)
    stats = (_meta((4,)), _meta((4,)))
    w = _meta((4,), grad=w_grad, leaf=True) if affine else None
    b = _meta((4,), grad=w_grad, leaf=True) if affine else None
    kwargs = {"weight": w, "bias": b, "training": False, "momentum": 0.1, "eps": 1e-5}
    assert _same_as_torch("batch_norm", _bn_as_before, (x, *stats), kwargs, {"x": x, "w": w})
    real = F.batch_norm(x, *stats, **kwargs)  # and the output torch itself gives
    got = SHORTCUTS["batch_norm"]((x, *stats), kwargs, lambda item: None)
    assert got.shape == real.shape and got.stride() == real.stride() and got.dtype == real.dtype


_ACTIVATION_CALLS = [
    ("gelu", F.gelu, (), {}),
    ("gelu", F.gelu, (), {"approximate": "tanh"}),
    ("gelu", F.gelu, (), {"approximate": "sideways"}),  # torch refuses
    ("hardswish", F.hardswish, (), {}),
    ("hardsigmoid", F.hardsigmoid, (), {}),
    ("silu", F.silu, (), {}),
    ("mish", F.mish, (), {}),
    ("relu6", F.relu6, (), {}),
    ("leaky_relu", F.leaky_relu, (0.2,), {}),
    ("leaky_relu", F.leaky_relu, (), {"negative_slope": 0.1}),
    ("elu", F.elu, (), {"alpha": 0.5}),
    ("sigmoid", torch.sigmoid, (), {}),
    ("sigmoid", torch.Tensor.sigmoid, (), {}),
    ("tanh", torch.tanh, (), {}),
    ("softmax", torch.softmax, (-1,), {}),
    ("softmax", F.softmax, (), {"dim": 1}),
]


@pytest.mark.parametrize(("name", "real", "extra", "kwargs"), _ACTIVATION_CALLS)
@pytest.mark.parametrize("shape", [(2, 4, 5, 5), (3, 7)])
@pytest.mark.parametrize("grad", [True, False])
def test_activations(name, real, extra, kwargs, shape, grad):
    x = _meta(shape, grad=grad)
    _same_as_torch(name, real, (x, *extra), kwargs, {"x": x})


@pytest.mark.parametrize(
    ("name", "real", "extra"),
    [
        ("hardswish", F.hardswish, ()),
        ("hardsigmoid", F.hardsigmoid, ()),
        ("silu", F.silu, ()),
        ("relu6", F.relu6, ()),
        ("leaky_relu", F.leaky_relu, (0.1,)),
        ("elu", F.elu, (0.5,)),
    ],
)
@pytest.mark.parametrize("grad", [True, False])
def test_activations_in_place(name, real, extra, grad):
    x = _meta((2, 4, 5, 5), grad=grad)
    assert _same_as_torch(name, real, (x, *extra), {"inplace": True}, {"x": x})
    leaf = _meta((2, 3), grad=True, leaf=True)
    view = _meta((4, 6), grad=True)[1:]
    for t in (leaf, view):  # torch refuses the leaf and rewrites the view's base: left to it
        assert SHORTCUTS[name]((t, *extra), {"inplace": True}, _ignore) is None


def test_activations_in_place_or_with_a_cast_go_to_torch():
    x = _meta((2, 3), grad=True)
    assert SHORTCUTS["mish"]((x,), {"inplace": True}, _ignore) is None
    assert SHORTCUTS["softmax"]((x,), {"dim": 1, "dtype": torch.float64}, _ignore) is None
    assert SHORTCUTS["softmax"]((x,), {"dim": None}, _ignore) is None
    assert SHORTCUTS["softmax"]((x, 2), {}, _ignore) is None  # no such dim: torch decides
    assert SHORTCUTS["sigmoid"]((x.t(),), {}, _ignore) is None  # not contiguous


@pytest.mark.parametrize(
    ("shape", "normalized"), [((2, 5, 8), (8,)), ((2, 4, 5, 5), (5, 5)), ((2, 4, 5, 5), (4,))]
)
@pytest.mark.parametrize("affine", [True, False])
@pytest.mark.parametrize(("x_grad", "w_grad"), _GRADS)
@pytest.mark.parametrize("dtype", [torch.float32, torch.float16])
def test_layer_norm(shape, normalized, affine, x_grad, w_grad, dtype):
    x = _meta(shape, grad=x_grad, dtype=dtype)
    w = _meta(normalized, grad=w_grad, leaf=True, dtype=dtype) if affine else None
    b = _meta(normalized, grad=w_grad, leaf=True, dtype=dtype) if affine else None
    named = {"x": x, "w": w, "b": b}
    kwargs = {"weight": w, "bias": b, "eps": 1e-6}
    _same_as_torch("layer_norm", F.layer_norm, (x, normalized), kwargs, named)
    _same_as_torch("layer_norm", F.layer_norm, (x, normalized, w, b), {}, named)


def test_stand_ins_run_only_on_meta():
    x = torch.zeros(1, 2, 4, 4)
    w = torch.zeros(3, 2, 3, 3)
    for name, args in [
        ("conv2d", (x, w)),
        ("relu", (x,)),
        ("relu_", (x,)),
        ("max_pool2d", (x, 2)),
        ("linear", (x, torch.zeros(2, 4))),
        ("adaptive_avg_pool2d", (x, 2)),
        ("add", (x, x)),
        ("add_", (x, x)),
        ("mul", (x, x)),
        ("cat", ([x, x],)),
        ("batch_norm", (x, None, None)),
    ]:
        assert SHORTCUTS[name](args, {}, _ignore) is None, name


def test_every_new_stand_in_has_a_grid_here():
    tested = {"conv2d", "relu", "relu_", "max_pool2d", "linear", "adaptive_avg_pool2d"}
    tested |= {"add", "add_", "mul", "cat", "batch_norm", "layer_norm"}
    tested |= {name for name, *_ in _ACTIVATION_CALLS}
    tested |= {"multi_head_attention_forward"}  # its grid: tests/summary/test_meta_attention.py
    assert set(SHORTCUTS) == tested
