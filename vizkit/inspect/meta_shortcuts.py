"""Fast stand-ins for ops whose meta-device implementation is a slow Python decomposition.

On the meta device torch runs most ops through Python meta registrations and reference
decompositions: ``F.linear`` (``addmm``) and ``F.batch_norm`` cost ~0.3-3 ms per call, a
convolution, ReLU or max pooling tens of microseconds, more than everything else in a meta
forward. These stand-ins give the same output (shape, dtype, strides; the input itself for an
in-place op) and, with grad enabled, keep for backward the same tensors as torch does (the
convolution's input and weight, ReLU's result, max pooling's input and int64 indices ...), so the
memory accounting of :mod:`vizkit.inspect.tracing` is unchanged. Each returns None whenever its
arguments leave the plain case it knows (a non-meta tensor, a string padding, a channels-last
input, a view ...); the recorder then runs the real op, which also raises torch's own errors.
"""

from __future__ import annotations

import torch

__all__ = ["SHORTCUTS"]

_META = torch.device("meta")
_PLAIN_TYPES = (torch.Tensor, torch.nn.Parameter)


class _Stand(torch.autograd.Function):
    """A new contiguous tensor of a given shape whose backward node saves chosen tensors.

    ``apply(shape, dtype, saved, *inputs)``: the output requires grad when an input does, and
    the node (created only then, as for the real op) saves ``saved``: the indices of inputs to
    keep, ``-1`` for the output itself, or ``(shape, dtype)`` for a new tensor the real op makes
    for backward (max pooling's indices, dropout's mask).
    """

    @staticmethod
    def forward(ctx, shape, dtype, saved, *inputs):
        out = torch.empty(shape, dtype=dtype, device=_META)
        keep = []
        for s in saved:
            if isinstance(s, tuple):
                keep.append(torch.empty(s[0], dtype=s[1], device=_META))
            else:
                keep.append(out if s == -1 else inputs[s])
        ctx.save_for_backward(*keep)
        return out

    @staticmethod
    def backward(ctx, *grads):
        raise RuntimeError("vizkit's meta stand-ins only record shapes; they have no backward")


class _StandInPlace(torch.autograd.Function):
    """The input itself, marked modified in place, saved for backward (ReLU keeps its result)."""

    @staticmethod
    def forward(ctx, x):
        ctx.mark_dirty(x)
        ctx.save_for_backward(x)
        return x

    @staticmethod
    def backward(ctx, *grads):
        raise RuntimeError("vizkit's meta stand-ins only record shapes; they have no backward")


def _plain(x: object) -> bool:
    """A contiguous floating meta tensor: the case whose outputs the stand-ins reproduce."""
    return (
        isinstance(x, torch.Tensor)
        and x.is_meta
        and x.is_floating_point()
        and x.is_contiguous()
        and type(x) in _PLAIN_TYPES
    )


def _needs_grad(*tensors: torch.Tensor | None) -> bool:
    return torch.is_grad_enabled() and any(t is not None and t.requires_grad for t in tensors)


def _pair(value: object) -> tuple[int, int] | None:
    """``3`` or ``(3, 3)`` → ``(3, 3)``; anything else (a string, three numbers) → None."""
    if isinstance(value, int) and not isinstance(value, bool):
        return (value, value)
    if isinstance(value, (tuple, list)) and len(value) in (1, 2):
        if all(isinstance(v, int) and not isinstance(v, bool) for v in value):
            return (value[0], value[-1])
    return None


def _bind(args: tuple, kwargs: dict, names: tuple[str, ...], defaults: tuple) -> list | None:
    """Arguments by position, then by name, then default; None for an unknown or extra one."""
    if len(args) > len(names) or not kwargs.keys() <= set(names[len(args) :]):
        return None
    bound = list(args) + [
        kwargs.get(n, d) for n, d in zip(names[len(args) :], defaults[len(args) :], strict=True)
    ]
    return bound


_CONV_NAMES = ("input", "weight", "bias", "stride", "padding", "dilation", "groups")


def _meta_conv2d(args: tuple, kwargs: dict) -> torch.Tensor | None:
    """``F.conv2d`` on a batched input: ``H_out = ⌊(H + 2p - d(k-1) - 1) / s⌋ + 1``.

    Saves input and weight, as torch's ``ConvolutionBackward0`` does.
    """
    if len(args) == 7 and not kwargs:  # how nn.Conv2d calls it
        x, weight, bias, stride, padding, dilation, groups = args
    else:
        bound = _bind(args, kwargs, _CONV_NAMES, (None, None, None, 1, 0, 1, 1))
        if bound is None:
            return None
        x, weight, bias, stride, padding, dilation, groups = bound
    if not (_plain(x) and _plain(weight)) or x.dim() != 4 or weight.dim() != 4 or not x.numel():
        return None
    if bias is not None and not (_plain(bias) and bias.shape == (weight.shape[0],)):
        return None
    stride, padding, dilation = _pair(stride), _pair(padding), _pair(dilation)
    if stride is None or padding is None or dilation is None or type(groups) is not int:
        return None
    n, c, h, w = x.shape
    c_out, c_per_group, kh, kw = weight.shape
    dtypes = {x.dtype, weight.dtype} | ({bias.dtype} if bias is not None else set())
    if (
        len(dtypes) != 1
        or groups < 1
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
    shape = (n, c_out, out_h, out_w)
    if not _needs_grad(x, weight, bias):
        return torch.empty(shape, dtype=x.dtype, device=_META)
    inputs = (x, weight) if bias is None else (x, weight, bias)
    return _Stand.apply(shape, x.dtype, (0, 1), *inputs)


def _meta_relu(args: tuple, kwargs: dict) -> torch.Tensor | None:
    """``F.relu`` / ``torch.relu`` / ``Tensor.relu``: saves its result (``ReluBackward0``).

    ``F.relu(x, inplace=True)`` returns ``x`` itself, as :func:`_meta_relu_` does.
    """
    bound = _bind(args, kwargs, ("input", "inplace"), (None, False))
    if bound is None or type(bound[1]) is not bool:
        return None
    x, inplace = bound
    if inplace:
        return _meta_relu_((x,), {})
    if not _plain(x):
        return None
    if not _needs_grad(x):
        return torch.empty(x.shape, dtype=x.dtype, device=_META)
    return _Stand.apply(x.shape, x.dtype, (-1,), x)


def _meta_relu_(args: tuple, kwargs: dict) -> torch.Tensor | None:
    """``torch.relu_`` / ``Tensor.relu_``: the input itself, saved as the result.

    Only a tensor that is not a view and not a leaf requiring grad (torch refuses that one):
    in-place ops on views rewrite the base's history, left to torch.
    """
    if len(args) != 1 or kwargs:
        return None
    x = args[0]
    if not _plain(x) or x._is_view() or (x.is_leaf and x.requires_grad):
        return None
    if not _needs_grad(x):
        return x  # in place on meta: no data to change
    return _StandInPlace.apply(x)


_POOL_NAMES = (
    "input",
    "kernel_size",
    "stride",
    "padding",
    "dilation",
    "ceil_mode",
    "return_indices",
)


def _meta_max_pool2d(args: tuple, kwargs: dict) -> torch.Tensor | None:
    """``F.max_pool2d`` without indices: ``H_out = ⌈ or ⌊(H + 2p - d(k-1) - 1) / s⌋ + 1``.

    With ``ceil_mode`` the last window must start inside the input or left padding. Saves the
    input and the int64 indices of each maximum, as torch does.
    """
    bound = _bind(args, kwargs, _POOL_NAMES, (None, None, None, 0, 1, False, False))
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
    if not _needs_grad(x):
        return torch.empty(shape, dtype=x.dtype, device=_META)
    return _Stand.apply(shape, x.dtype, (0, (shape, torch.int64)), x)


def _meta_linear(args: tuple, kwargs: dict) -> torch.Tensor | None:
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
        shape = (*x.shape[:-1], weight.shape[0])
        if not _needs_grad(x, weight, bias):
            return torch.empty(shape, dtype=x.dtype, device=_META)
        saved = ((0,) if weight.requires_grad else ()) + ((1,) if x.requires_grad else ())
        inputs = (x, weight) if bias is None else (x, weight, bias)
        return _Stand.apply(shape, x.dtype, saved, *inputs)
    out = torch.matmul(x, weight.t())
    return out + bias if bias is not None else out


def _meta_batch_norm(args: tuple, kwargs: dict) -> torch.Tensor | None:
    """BatchNorm on meta without torch's slow Python decomposition (same shape, same saves).

    Without grad the output is just an empty tensor of the input's shape; with grad
    ``x · weight + bias`` keeps for backward what BatchNorm keeps (its input).
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


SHORTCUTS = {
    "batch_norm": _meta_batch_norm,
    "conv2d": _meta_conv2d,
    "linear": _meta_linear,
    "max_pool2d": _meta_max_pool2d,
    "relu": _meta_relu,
    "relu_": _meta_relu_,
}
