"""Fast stand-ins for ops whose meta-device implementation is a slow Python decomposition.

On the meta device torch runs most ops through Python meta registrations and reference
decompositions: ``F.linear`` (``addmm``) and ``F.batch_norm`` cost ~0.3-3 ms per call, a
convolution, ReLU or pooling tens of microseconds, more than everything else in a meta forward.
These stand-ins give the same output (shape, dtype, strides, ``requires_grad``; the input itself
for an in-place op) and report through ``save`` what torch's backward node would keep (the
convolution's input and weight, ReLU's result, max pooling's input and int64 indices ...), so the
memory accounting of :mod:`vizkit.inspect.tracing` is unchanged without building autograd nodes
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

from collections.abc import Callable

import torch

__all__ = ["SHORTCUTS", "Save", "Shortcut"]

_META = torch.device("meta")
_PLAIN_TYPES = (torch.Tensor, torch.nn.Parameter)

Save = Callable[[object], None]
"""``save(tensor)`` or ``save((shape, dtype))``: what a backward node would keep."""
Shortcut = Callable[[tuple, dict, Save], "torch.Tensor | None"]


def _new(shape: tuple[int, ...], dtype: torch.dtype, grad: bool) -> torch.Tensor:
    """A contiguous meta tensor; with ``grad`` a non-leaf that requires grad."""
    if not grad:
        return torch.empty(shape, dtype=dtype, device=_META)
    return torch.empty(shape, dtype=dtype, device=_META, requires_grad=True).clone()


def _plain(x: object) -> bool:
    """A contiguous floating meta tensor: the case whose outputs the stand-ins reproduce."""
    return (
        type(x) in _PLAIN_TYPES
        and x.is_meta  # type: ignore[union-attr]
        and x.is_contiguous()  # type: ignore[union-attr]
        and x.is_floating_point()  # type: ignore[union-attr]
    )


def _needs_grad(*tensors: torch.Tensor | None) -> bool:
    if not torch.is_grad_enabled():
        return False
    for t in tensors:
        if t is not None and t.requires_grad:
            return True
    return False


def _pair(value: object) -> tuple[int, int] | None:
    """``3`` or ``(3, 3)`` → ``(3, 3)``; anything else (a string, three numbers) → None."""
    if type(value) is int:
        return (value, value)
    if type(value) in (tuple, list) and len(value) in (1, 2):  # type: ignore[arg-type]
        first, last = value[0], value[-1]  # type: ignore[index]
        if type(first) is int and type(last) is int:
            return (first, last)
    return None


def _bind(args: tuple, kwargs: dict, names: tuple[str, ...], defaults: tuple) -> list | None:
    """Arguments by position, then by name, then default; None for an unknown or extra one."""
    n = len(args)
    if n > len(names):
        return None
    if not kwargs:
        return [*args, *defaults[n:]]
    rest = names[n:]
    for key in kwargs:
        if key not in rest:
            return None
    return [*args, *(kwargs.get(k, d) for k, d in zip(rest, defaults[n:], strict=True))]


_CONV_NAMES = ("input", "weight", "bias", "stride", "padding", "dilation", "groups")
_CONV_DEFAULTS = (None, None, None, 1, 0, 1, 1)


def _meta_conv2d(args: tuple, kwargs: dict, save: Save) -> torch.Tensor | None:
    """``F.conv2d`` on a batched input: ``H_out = ⌊(H + 2p - d(k-1) - 1) / s⌋ + 1``.

    Saves input and weight, as torch's ``ConvolutionBackward0`` does.
    """
    if len(args) == 7 and not kwargs:  # how nn.Conv2d calls it
        x, weight, bias, stride, padding, dilation, groups = args
    else:
        bound = _bind(args, kwargs, _CONV_NAMES, _CONV_DEFAULTS)
        if bound is None:
            return None
        x, weight, bias, stride, padding, dilation, groups = bound
    if not (_plain(x) and _plain(weight)) or x.dim() != 4 or weight.dim() != 4 or not x.numel():
        return None
    dtype = x.dtype
    if weight.dtype != dtype:
        return None
    if bias is not None and not (
        _plain(bias) and bias.dtype == dtype and bias.shape == (weight.shape[0],)
    ):
        return None
    stride, padding, dilation = _pair(stride), _pair(padding), _pair(dilation)
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
    out_h = (h + 2 * padding[0] - dilation[0] * (kh - 1) - 1) // stride[0] + 1
    out_w = (w + 2 * padding[1] - dilation[1] * (kw - 1) - 1) // stride[1] + 1
    if out_h < 1 or out_w < 1:
        return None
    grad = _needs_grad(x, weight, bias)
    if grad:
        save(x)
        save(weight)
    return _new((n, c_out, out_h, out_w), dtype, grad)


def _meta_relu(args: tuple, kwargs: dict, save: Save) -> torch.Tensor | None:
    """``F.relu`` / ``torch.relu`` / ``Tensor.relu``: saves its result (``ReluBackward0``).

    ``F.relu(x, inplace=True)`` returns ``x`` itself, as :func:`_meta_relu_` does.
    """
    if len(args) == 1 and not kwargs:
        x, inplace = args[0], False
    else:
        bound = _bind(args, kwargs, ("input", "inplace"), (None, False))
        if bound is None or type(bound[1]) is not bool:
            return None
        x, inplace = bound
    if inplace:
        return _meta_relu_((x,), {}, save)
    if not _plain(x):
        return None
    grad = _needs_grad(x)
    out = _new(tuple(x.shape), x.dtype, grad)
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
    if not _plain(x) or x._is_view() or (x.is_leaf and x.requires_grad):
        return None
    if _needs_grad(x):
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
    bound = _bind(args, kwargs, _POOL_NAMES, _POOL_DEFAULTS)
    if bound is None:
        return None
    x, kernel, stride, padding, dilation, ceil_mode, return_indices = bound
    if return_indices is not False or type(ceil_mode) is not bool:
        return None
    if not _plain(x) or x.dim() != 4 or not x.numel():
        return None
    kernel, padding, dilation = _pair(kernel), _pair(padding), _pair(dilation)
    stride = kernel if stride is None or stride in ((), []) else _pair(stride)
    if kernel is None or stride is None or padding is None or dilation is None:
        return None
    if min(kernel) < 1 or min(stride) < 1 or min(dilation) < 1 or min(padding) < 0:
        return None
    if padding[0] * 2 > kernel[0] or padding[1] * 2 > kernel[1]:
        return None  # torch refuses: pad should be at most half of effective kernel size
    out = []
    for size, k, s, p, d in zip(x.shape[2:], kernel, stride, padding, dilation, strict=True):
        span = size + 2 * p - d * (k - 1) - 1 + (s - 1 if ceil_mode else 0)
        n = span // s + 1
        if ceil_mode and (n - 1) * s >= size + p:
            n -= 1
        if n < 1:
            return None
        out.append(n)
    shape = (x.shape[0], x.shape[1], out[0], out[1])
    grad = _needs_grad(x)
    if grad:
        save(x)
        save((shape, torch.int64))
    return _new(shape, x.dtype, grad)


def _meta_adaptive_avg_pool2d(args: tuple, kwargs: dict, save: Save) -> torch.Tensor | None:
    """``F.adaptive_avg_pool2d`` on a batched input; ``None`` in ``output_size`` keeps a side.

    Saves the input, as ``AdaptiveAvgPool2DBackward0`` does; to ``1×1`` torch takes the mean
    instead, whose backward keeps nothing.
    """
    bound = _bind(args, kwargs, ("input", "output_size"), (None, None))
    if bound is None:
        return None
    x, size = bound
    if not _plain(x) or x.dim() != 4 or not x.numel():
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
    grad = _needs_grad(x)
    if grad and (h, w) != (1, 1):
        save(x)
    return _new((x.shape[0], x.shape[1], h, w), x.dtype, grad)


def _meta_linear(args: tuple, kwargs: dict, save: Save) -> torch.Tensor | None:
    """``F.linear``: ``(*, in_features) → (*, out_features)`` without torch's slow ``addmm``.

    Like ``addmm`` / ``mm`` it saves the input when the weight requires grad and the weight
    when the input does. Inputs of 3 or more dims that are not contiguous (whose reshape
    copies) go through ``matmul``, which does what torch does with them.
    """
    bound = _bind(args, kwargs, ("input", "weight", "bias"), (None, None, None))
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
        and (bias is None or (_plain(bias) and bias.shape == (weight.shape[0],)))
        and (bias is None or bias.dtype == x.dtype)
    ):
        grad = _needs_grad(x, weight, bias)
        if grad and weight.requires_grad:
            save(x)
        if grad and x.requires_grad:
            save(weight)
        return _new((*x.shape[:-1], weight.shape[0]), x.dtype, grad)
    out = torch.matmul(x, weight.t())
    return out + bias if bias is not None else out


def _meta_batch_norm(args: tuple, kwargs: dict, save: Save) -> torch.Tensor | None:
    """BatchNorm on meta without torch's slow Python decomposition (same shape, same saves).

    Without grad the output is just an empty tensor of the input's shape; with grad
    ``x · weight + bias`` keeps for backward what BatchNorm keeps (its input), through
    autograd itself.
    """
    x = args[0] if args else kwargs.get("input")
    if not isinstance(x, torch.Tensor) or not x.is_meta:
        return None
    if not torch.is_grad_enabled():
        return torch.empty_like(x)
    weight = args[3] if len(args) > 3 else kwargs.get("weight")
    bias = args[4] if len(args) > 4 else kwargs.get("bias")
    shape = [1, x.shape[1]] + [1] * (x.dim() - 2)
    if weight is None:
        weight = torch.ones(x.shape[1], device="meta", dtype=x.dtype, requires_grad=True)
    out = x * weight.view(shape)
    return out + bias.view(shape) if bias is not None else out


SHORTCUTS: dict[str, Shortcut] = {
    "adaptive_avg_pool2d": _meta_adaptive_avg_pool2d,
    "batch_norm": _meta_batch_norm,
    "conv2d": _meta_conv2d,
    "linear": _meta_linear,
    "max_pool2d": _meta_max_pool2d,
    "relu": _meta_relu,
    "relu_": _meta_relu_,
}
"""Stand-ins by op name (``func.__name__``); see the module docstring for the protocol."""
