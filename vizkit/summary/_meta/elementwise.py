"""Meta stand-ins for normalisation and for the ops where branches meet (add, mul, cat).

Same protocol and guarantees as :mod:`vizkit.summary._meta.shortcuts`, which lists them in
``SHORTCUTS``; torch's meta versions of these are Python decompositions of ~0.2 ms per call,
which made a ResNet-50 summary take ~30 ms.
"""

from __future__ import annotations

import torch

from vizkit.summary._meta.common import Save, Shortcut, bind, broadcast, needs_grad, new, plain

__all__ = ["ELEMENTWISE"]


def _same_dtype_param(t: object, x: torch.Tensor, channels: int) -> bool:
    """None, or a plain ``(channels,)`` tensor of ``x``'s dtype (a norm's weight or bias)."""
    return t is None or (plain(t) and t.dtype == x.dtype and t.shape == (channels,))  # type: ignore[union-attr]


def _meta_batch_norm(args: tuple, kwargs: dict, save: Save) -> torch.Tensor | None:
    """BatchNorm on meta without torch's slow Python decomposition.

    Without grad the output is just an empty tensor of the input's shape. With grad it keeps
    for backward what ``x · weight + bias`` keeps (its input; and, without ``weight``, a ones
    vector standing for it): reported through ``save`` for a plain input, else computed so.
    """
    x = args[0] if args else kwargs.get("input")
    if not isinstance(x, torch.Tensor) or not x.is_meta:
        return None
    weight = args[3] if len(args) > 3 else kwargs.get("weight")
    bias = args[4] if len(args) > 4 else kwargs.get("bias")
    if plain(x) and x.dim() >= 2:
        channels = x.shape[1]
        if _same_dtype_param(weight, x, channels) and _same_dtype_param(bias, x, channels):
            if not torch.is_grad_enabled():
                return new(tuple(x.shape), x.dtype, False)
            if weight is None or weight.requires_grad:
                save(x)
            if x.requires_grad:
                save(weight if weight is not None else ((channels,), x.dtype))
            grad = weight is None or needs_grad(x, weight, bias)
            return new(tuple(x.shape), x.dtype, grad)
    if not torch.is_grad_enabled():
        return torch.empty_like(x)
    shape = [1, x.shape[1]] + [1] * (x.dim() - 2)
    if weight is None:
        weight = torch.ones(x.shape[1], device="meta", dtype=x.dtype, requires_grad=True)
    out = x * weight.view(shape)
    return out + bias.view(shape) if bias is not None else out


def _operands(
    args: tuple, kwargs: dict
) -> tuple[torch.Tensor, torch.Tensor, tuple[int, ...]] | None:
    """``(x, y, broadcast shape)`` of a binary op on two non-empty contiguous meta tensors of
    one dtype; None for anything else, or shapes torch would not broadcast."""
    if len(args) != 2 or kwargs:
        return None
    x, y = args
    if not (plain(x) and plain(y)) or x.dtype != y.dtype or not x.numel() or not y.numel():
        return None
    shape = broadcast(x, y)
    return None if shape is None else (x, y, shape)


def _meta_add(args: tuple, kwargs: dict, save: Save) -> torch.Tensor | None:
    """``x + y`` of two contiguous meta tensors of one dtype: ``AddBackward0`` saves nothing."""
    operands = _operands(args, kwargs)
    if operands is None:
        return None
    x, y, shape = operands
    return new(shape, x.dtype, needs_grad(x, y))


def _meta_add_(args: tuple, kwargs: dict, save: Save) -> torch.Tensor | None:
    """``x += y`` (a residual connection): ``x`` itself; saves nothing.

    Not for a view or a leaf that requires grad (left to torch), nor where ``y`` brings in
    grad that ``x`` does not have (the real op would make ``x`` require grad).
    """
    operands = _operands(args, kwargs)
    if operands is None:
        return None
    x, y, shape = operands
    if x._is_view() or (x.is_leaf and x.requires_grad) or shape != tuple(x.shape):
        return None
    if needs_grad(y) and not x.requires_grad:
        return None
    return x


def _meta_mul(args: tuple, kwargs: dict, save: Save) -> torch.Tensor | None:
    """``x * y`` of two contiguous meta tensors of one dtype (a gate): ``MulBackward0`` keeps
    ``x`` when ``y`` requires grad and ``y`` when ``x`` does."""
    operands = _operands(args, kwargs)
    if operands is None:
        return None
    x, y, shape = operands
    grad = needs_grad(x, y)
    if grad and y.requires_grad:
        save(x)
    if grad and x.requires_grad:
        save(y)
    return new(shape, x.dtype, grad)


def _meta_cat(args: tuple, kwargs: dict, save: Save) -> torch.Tensor | None:
    """``torch.cat`` of contiguous meta tensors of one dtype: ``CatBackward0`` saves nothing."""
    bound = bind(args, kwargs, ("tensors", "dim"), (None, 0))
    if bound is None or type(bound[0]) not in (list, tuple) or type(bound[1]) is not int:
        return None
    tensors, dim = bound
    if not tensors or not all(plain(t) and t.numel() for t in tensors):
        return None
    first = tensors[0]
    ndim = first.dim()
    if ndim == 0 or not -ndim <= dim < ndim:
        return None
    dim %= ndim
    shape = list(first.shape)
    for t in tensors[1:]:
        if t.dtype != first.dtype or t.dim() != ndim:
            return None
        other = t.shape
        if any(other[i] != shape[i] for i in range(ndim) if i != dim):
            return None
        shape[dim] += other[dim]
    return new(tuple(shape), first.dtype, needs_grad(*tensors))


ELEMENTWISE: dict[str, Shortcut] = {
    "add": _meta_add,
    "add_": _meta_add_,
    "batch_norm": _meta_batch_norm,
    "cat": _meta_cat,
    "mul": _meta_mul,
}


#: activation → (what its backward node keeps: "input" or "output", keywords it may take)
_ACTIVATIONS: dict[str, tuple[str, frozenset[str]]] = {
    "gelu": ("input", frozenset({"approximate"})),
    "hardswish": ("input", frozenset({"inplace"})),
    "hardsigmoid": ("input", frozenset({"inplace"})),
    "silu": ("input", frozenset({"inplace"})),
    "mish": ("input", frozenset({"inplace"})),
    "relu6": ("input", frozenset({"inplace"})),
    "leaky_relu": ("input", frozenset({"negative_slope", "inplace"})),
    "elu": ("input", frozenset({"alpha", "inplace"})),
    "sigmoid": ("output", frozenset()),
    "tanh": ("output", frozenset()),
    "softmax": ("output", frozenset({"dim", "_stacklevel", "dtype"})),
}
_SCALARS = (int, float, str, bool)
#: in place, torch keeps a copy of the input for these, the input itself (the result) for these
_IN_PLACE_KEEPS = {"hardswish": "copy", "hardsigmoid": "copy", "silu": "copy", "relu6": "copy"}
_IN_PLACE_KEEPS |= {"leaky_relu": "input", "elu": "input"}


def _activation(name: str) -> Shortcut:
    keeps, keywords = _ACTIVATIONS[name]

    def stand_in(args: tuple, kwargs: dict, save: Save) -> torch.Tensor | None:
        if not args or not all(type(a) in _SCALARS for a in args[1:]):
            return None
        x = args[0]
        if not plain(x) or not kwargs.keys() <= keywords:
            return None
        inplace = kwargs.get("inplace", False)
        if type(inplace) is not bool or kwargs.get("dtype") is not None:
            return None  # a cast first: left to torch
        if inplace:
            return _in_place(x, save)
        if kwargs.get("approximate", "none") not in ("none", "tanh"):
            return None
        if name == "softmax":
            dim = args[1] if len(args) > 1 else kwargs.get("dim")
            if type(dim) is not int or not -x.dim() <= dim < max(x.dim(), 1):
                return None  # the implicit-dim legacy form, or a dim torch refuses
        grad = needs_grad(x)
        out = new(tuple(x.shape), x.dtype, grad)
        if grad:
            save(x if keeps == "input" else out)
        return out

    def _in_place(x: torch.Tensor, save: Save) -> torch.Tensor | None:
        """``inplace=True``: ``x`` itself, keeping what torch keeps (not for views, leaves)."""
        kept = _IN_PLACE_KEEPS.get(name)
        if kept is None or x._is_view() or (x.is_leaf and x.requires_grad):
            return None
        if needs_grad(x):
            save(((tuple(x.shape)), x.dtype) if kept == "copy" else x)
        return x

    stand_in.__name__ = f"_meta_{name}"
    kept = "input" if keeps == "input" else "result"
    stand_in.__doc__ = f"``{name}`` out of place: the input's shape; keeps its {kept}."
    return stand_in


_LN_NAMES = ("input", "normalized_shape", "weight", "bias", "eps")


def _meta_layer_norm(args: tuple, kwargs: dict, save: Save) -> torch.Tensor | None:
    """``F.layer_norm``: the input's shape; keeps input, weight, bias and the per-row mean and
    reciprocal standard deviation (``NativeLayerNormBackward0``)."""
    bound = bind(args, kwargs, _LN_NAMES, (None, None, None, None, 1e-5))
    if bound is None:
        return None
    x, normalized, weight, bias, _ = bound
    if not plain(x) or type(normalized) not in (tuple, list, torch.Size) or not normalized:
        return None
    normalized = tuple(normalized)
    k = len(normalized)
    if not all(type(n) is int for n in normalized) or tuple(x.shape[x.dim() - k :]) != normalized:
        return None
    for t in (weight, bias):
        if t is not None and not (plain(t) and t.dtype == x.dtype and tuple(t.shape) == normalized):
            return None
    grad = needs_grad(x, weight, bias)
    if grad:
        for t in (x, weight, bias):
            if t is not None:
                save(t)
        stats = (*x.shape[: x.dim() - k], *(1,) * k)
        stat_dtype = torch.float32 if x.dtype in (torch.float16, torch.bfloat16) else x.dtype
        save((stats, stat_dtype))
        save((stats, stat_dtype))
    return new(tuple(x.shape), x.dtype, grad)


ELEMENTWISE.update({name: _activation(name) for name in _ACTIVATIONS})
ELEMENTWISE["layer_norm"] = _meta_layer_norm
