"""What the meta stand-ins share: the ``save`` protocol and the checks of the plain case.

See :mod:`vizkit.summary._meta.shortcuts` for the protocol.
"""

from __future__ import annotations

from collections.abc import Callable

import torch

__all__ = [
    "Save",
    "Shortcut",
    "bind",
    "broadcast",
    "check_same_dtype",
    "needs_grad",
    "new",
    "pair",
    "plain",
    "same_dtype",
]

_META = torch.device("meta")
_PLAIN_TYPES = (torch.Tensor, torch.nn.Parameter)

Save = Callable[[object], None]
"""``save(tensor)`` or ``save((shape, dtype))``: what a backward node would keep."""
Shortcut = Callable[[tuple, dict, Save], "torch.Tensor | None"]


def new(shape: tuple[int, ...], dtype: torch.dtype, grad: bool) -> torch.Tensor:
    """A contiguous meta tensor; with ``grad`` a non-leaf that requires grad."""
    if not grad:
        return torch.empty(shape, dtype=dtype, device=_META)
    return torch.empty(shape, dtype=dtype, device=_META, requires_grad=True).clone()


def plain(x: object) -> bool:
    """A contiguous floating meta tensor: the case whose outputs the stand-ins reproduce."""
    return (
        type(x) in _PLAIN_TYPES
        and x.is_meta  # type: ignore[union-attr]
        and x.is_contiguous()  # type: ignore[union-attr]
        and x.is_floating_point()  # type: ignore[union-attr]
    )


def needs_grad(*tensors: torch.Tensor | None) -> bool:
    if not torch.is_grad_enabled():
        return False
    for t in tensors:
        if t is not None and t.requires_grad:
            return True
    return False


def pair(value: object) -> tuple[int, int] | None:
    """``3`` or ``(3, 3)`` → ``(3, 3)``; anything else (a string, three numbers) → None."""
    if type(value) is int:
        return (value, value)
    if type(value) in (tuple, list) and len(value) in (1, 2):  # type: ignore[arg-type]
        first, last = value[0], value[-1]  # type: ignore[index]
        if type(first) is int and type(last) is int:
            return (first, last)
    return None


def bind(args: tuple, kwargs: dict, names: tuple[str, ...], defaults: tuple) -> list | None:
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


def broadcast(x: torch.Tensor, y: torch.Tensor) -> tuple[int, ...] | None:
    """The broadcast shape of two tensors, or None where torch would refuse."""
    if x.shape == y.shape:  # a residual add: no need for torch's Python broadcasting
        return tuple(x.shape)
    try:
        return tuple(torch.broadcast_shapes(x.shape, y.shape))
    except RuntimeError:
        return None


def same_dtype(args: tuple, kwargs: dict) -> bool:
    """Whether the plain tensors among the arguments (input, weight, bias ...) share a dtype."""
    first: torch.dtype | None = None
    for t in (*args, *kwargs.values()):
        if type(t) in _PLAIN_TYPES:
            if first is None:
                first = t.dtype
            elif t.dtype != first:
                return False
    return True


def check_same_dtype(name: str, args: tuple, kwargs: dict) -> None:
    """Refuse what torch refuses on real tensors and lets pass on meta ones: a convolution,
    linear layer or matrix product whose tensors (input, weight, bias) differ in dtype.

    Raises:
        RuntimeError: naming the op and both dtypes (only for meta tensors; real ones raise
            torch's own error when the op runs).
    """
    if same_dtype(args, kwargs):
        return
    tensors = [t for t in (*args, *kwargs.values()) if type(t) in _PLAIN_TYPES]
    if not tensors[0].is_meta:
        return
    other = next(t.dtype for t in tensors if t.dtype != tensors[0].dtype)
    raise RuntimeError(
        f"{name}: the input's dtype {tensors[0].dtype} and the weight's (or other operand's) "
        f"dtype {other} differ; torch refuses this on real tensors (expected the same dtype)"
    )
