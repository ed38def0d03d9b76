"""Fast stand-ins for ops whose meta-device implementation is a slow Python decomposition.

On the meta device torch runs most ops through Python meta registrations and reference
decompositions: ``F.linear`` (``addmm``) and ``F.batch_norm`` cost ~0.3-3 ms per call, a
convolution, ReLU or pooling tens of microseconds, more than everything else in a meta forward.
These stand-ins give the same output (shape, dtype, strides, ``requires_grad``; the input itself
for an in-place op) and report through ``save`` what torch's backward node would keep (the
convolution's input and weight, ReLU's result, max pooling's input and int64 indices ...), so the
memory accounting of :mod:`vizkit.summary.record` is unchanged without building autograd nodes
in Python. Each returns None whenever its arguments leave the plain case it knows (a non-meta
tensor, a string padding, a channels-last input, a view ...); the recorder then runs the real op,
which also raises torch's own errors.

The protocol: ``shortcut(args, kwargs, save) -> Tensor | None``. When grad is on and an input
requires grad (when torch would build a backward node), the stand-in calls ``save(t)`` for each
tensor the node keeps, or ``save((shape, dtype))`` for a new tensor it would make for backward;
its output then requires grad (a clone of a fresh leaf: not a leaf, not a view, so later in-place
ops behave as on torch's output). The graph behind that output is not the real one, so nothing
may call ``backward`` through it: the stand-ins are for shape-only passes.
"""

from __future__ import annotations

import torch

from vizkit.geometry.windows import window_count
from vizkit.summary._meta.attention import ATTENTION
from vizkit.summary._meta.common import Save, Shortcut, bind, needs_grad, new, pair, plain
from vizkit.summary._meta.elementwise import ELEMENTWISE

__all__ = ["SHORTCUTS", "Save", "Shortcut"]

_PLAIN_TYPES = (torch.Tensor, torch.nn.Parameter)


_CONV_NAMES = ("input", "weight", "bias", "stride", "padding", "dilation", "groups")
_CONV_DEFAULTS = (None, None, None, 1, 0, 1, 1)


def _meta_conv2d(args: tuple, kwargs: dict, save: Save) -> torch.Tensor | None:
    """``F.conv2d`` on a batched input: ``H_out = ⌊(H + 2p - d(k-1) - 1) / s⌋ + 1``.

    Saves input and weight, as torch's ``ConvolutionBackward0`` does.
    """
    if len(args) == 7 and not kwargs:  # how nn.Conv2d calls it
        x, weight, bias, stride, padding, dilation, groups = args
    else:
        bound = bind(args, kwargs, _CONV_NAMES, _CONV_DEFAULTS)
        if bound is None:
            return None
        x, weight, bias, stride, padding, dilation, groups = bound
    if not (plain(x) and plain(weight)) or x.dim() != 4 or weight.dim() != 4 or not x.numel():
        return None
    dtype = x.dtype
    if weight.dtype != dtype:
        return None
    if bias is not None and not (
        plain(bias) and bias.dtype == dtype and bias.shape == (weight.shape[0],)
    ):
        return None
    stride, padding, dilation = pair(stride), pair(padding), pair(dilation)
    if stride is None or padding is None or dilation is None or type(groups) is not int:
        return None
    n, c, h, w = x.shape
    c_out, c_per_group, kh, kw = weight.shape
    if (
        groups < 1
        or c == 0
        or c != c_per_group * groups
        or c_out % groups
        or min(stride) < 1
        or min(dilation) < 1
        or min(padding) < 0
    ):
        return None
    out_h = window_count(h, kh, stride[0], padding[0], padding[0], dilation[0])
    out_w = window_count(w, kw, stride[1], padding[1], padding[1], dilation[1])
    if out_h < 1 or out_w < 1:
        return None
    grad = needs_grad(x, weight, bias)
    if grad:
        save(x)
        save(weight)
    return new((n, c_out, out_h, out_w), dtype, grad)


def _meta_relu(args: tuple, kwargs: dict, save: Save) -> torch.Tensor | None:
    """``F.relu`` / ``torch.relu`` / ``Tensor.relu``: saves its result (``ReluBackward0``).

    ``F.relu(x, inplace=True)`` returns ``x`` itself, as :func:`_meta_relu_` does.
    """
    if len(args) == 1 and not kwargs:
        x, inplace = args[0], False
    else:
        bound = bind(args, kwargs, ("input", "inplace"), (None, False))
        if bound is None or type(bound[1]) is not bool:
            return None
        x, inplace = bound
    if inplace:
        return _meta_relu_((x,), {}, save)
    if not plain(x):
        return None
    grad = needs_grad(x)
    out = new(tuple(x.shape), x.dtype, grad)
    if grad:
        save(out)
    return out


def _meta_relu_(args: tuple, kwargs: dict, save: Save) -> torch.Tensor | None:
    """``torch.relu_`` / ``Tensor.relu_``: the input itself, saved as the result.

    Only a tensor that is not a view and not a leaf requiring grad (torch refuses that one):
    in-place ops on views rewrite the base's history, left to torch.
    """
    if len(args) != 1 or kwargs:
        return None
    x = args[0]
    if not plain(x) or x._is_view() or (x.is_leaf and x.requires_grad):
        return None
    if needs_grad(x):
        save(x)
    return x  # in place on meta: no data to change


_POOL_NAMES = (
    "input",
    "kernel_size",
    "stride",
    "padding",
    "dilation",
    "ceil_mode",
    "return_indices",
)
_POOL_DEFAULTS = (None, None, None, 0, 1, False, False)


def _meta_max_pool2d(args: tuple, kwargs: dict, save: Save) -> torch.Tensor | None:
    """``F.max_pool2d`` without indices: ``H_out = ⌈ or ⌊(H + 2p - d(k-1) - 1) / s⌋ + 1``.

    With ``ceil_mode`` the last window must start inside the input or left padding. Saves the
    input and the int64 indices of each maximum, as torch does.
    """
    bound = bind(args, kwargs, _POOL_NAMES, _POOL_DEFAULTS)
    if bound is None:
        return None
    x, kernel, stride, padding, dilation, ceil_mode, return_indices = bound
    if return_indices is not False or type(ceil_mode) is not bool:
        return None
    if not plain(x) or x.dim() != 4 or not x.numel():
        return None
    kernel, padding, dilation = pair(kernel), pair(padding), pair(dilation)
    stride = kernel if stride is None or stride in ((), []) else pair(stride)
    if kernel is None or stride is None or padding is None or dilation is None:
        return None
    if min(kernel) < 1 or min(stride) < 1 or min(dilation) < 1 or min(padding) < 0:
        return None
    if padding[0] * 2 > kernel[0] or padding[1] * 2 > kernel[1]:
        return None  # torch refuses: pad should be at most half of effective kernel size
    out = []
    for size, k, s, p, d in zip(x.shape[2:], kernel, stride, padding, dilation, strict=True):
        n = window_count(size, k, s, p, p, d, ceil_mode=ceil_mode)
        if n < 1:
            return None
        out.append(n)
    shape = (x.shape[0], x.shape[1], out[0], out[1])
    grad = needs_grad(x)
    if grad:
        save(x)
        save((shape, torch.int64))
    return new(shape, x.dtype, grad)


def _meta_adaptive_avg_pool2d(args: tuple, kwargs: dict, save: Save) -> torch.Tensor | None:
    """``F.adaptive_avg_pool2d`` on a batched input; ``None`` in ``output_size`` keeps a side.

    Saves the input, as ``AdaptiveAvgPool2DBackward0`` does; to ``1×1`` torch takes the mean
    instead, whose backward keeps nothing.
    """
    bound = bind(args, kwargs, ("input", "output_size"), (None, None))
    if bound is None:
        return None
    x, size = bound
    if not plain(x) or x.dim() != 4 or not x.numel():
        return None
    if type(size) in (tuple, list) and len(size) == 2:
        h = x.shape[2] if size[0] is None else size[0]
        w = x.shape[3] if size[1] is None else size[1]
    elif type(size) is int:
        h = w = size
    else:
        return None
    if type(h) is not int or type(w) is not int or h < 1 or w < 1:
        return None
    grad = needs_grad(x)
    if grad and (h, w) != (1, 1):
        save(x)
    return new((x.shape[0], x.shape[1], h, w), x.dtype, grad)


def _meta_linear(args: tuple, kwargs: dict, save: Save) -> torch.Tensor | None:
    """``F.linear``: ``(*, in_features) → (*, out_features)`` without torch's slow ``addmm``.

    Like ``addmm`` / ``mm`` it saves the input when the weight requires grad and the weight
    when the input does. Inputs of 3 or more dims that are not contiguous (whose reshape
    copies) go through ``matmul``, which does what torch does with them.
    """
    bound = bind(args, kwargs, ("input", "weight", "bias"), (None, None, None))
    if bound is None or not isinstance(bound[0], torch.Tensor) or not bound[0].is_meta:
        return None
    x, weight, bias = bound
    if not isinstance(weight, torch.Tensor):
        return None
    if (
        x.dim() >= 1
        and (x.dim() <= 2 or x.is_contiguous())
        and weight.is_meta
        and weight.dim() == 2
        and x.shape[-1] == weight.shape[1]
        and x.is_floating_point()
        and x.dtype == weight.dtype
        and type(x) in _PLAIN_TYPES
        and type(weight) in _PLAIN_TYPES
        and (bias is None or (plain(bias) and bias.shape == (weight.shape[0],)))
        and (bias is None or bias.dtype == x.dtype)
    ):
        grad = needs_grad(x, weight, bias)
        if grad and weight.requires_grad:
            save(x)
        if grad and x.requires_grad:
            save(weight)
        return new((*x.shape[:-1], weight.shape[0]), x.dtype, grad)
    out = torch.matmul(x, weight.t())
    return out + bias if bias is not None else out


SHORTCUTS: dict[str, Shortcut] = {
    "adaptive_avg_pool2d": _meta_adaptive_avg_pool2d,
    "conv2d": _meta_conv2d,
    "linear": _meta_linear,
    "max_pool2d": _meta_max_pool2d,
    "relu": _meta_relu,
    "relu_": _meta_relu_,
    **ELEMENTWISE,
    **ATTENTION,
}
"""Stand-ins by op name (``func.__name__``); see the module docstring for the protocol."""
