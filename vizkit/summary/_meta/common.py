"""What the meta stand-ins share: the ``save`` protocol and the checks of the plain case.

See :mod:`vizkit.summary._meta.shortcuts` for the protocol.
"""

from __future__ import annotations

from collections.abc import Callable

import torch

__all__ = ["Save", "Shortcut", "bind", "broadcast", "needs_grad", "new", "pair", "plain"]

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
    try:
        return tuple(torch.broadcast_shapes(x.shape, y.shape))
    except RuntimeError:
        return None
