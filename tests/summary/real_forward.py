"""What a real forward on CPU shows, to compare a summary with: the ground truth of the tests.

- :func:`leaf_calls`: ``(name, first output shape)`` of every leaf-module call, in the order
  forward hooks fire;
- :func:`hook_bytes`: the input bytes plus, for every module call (leaf or not), the bytes of
  the output tensors whose storage is new (not an input's, a parameter's or an earlier
  output's), in hook order: the definition of ``LayerTable.activation_bytes``;
- :func:`half_flops`: ``FlopCounterMode``'s FLOPs / 2 (its MACs) for the same forward.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import torch
from torch import nn
from torch.utils.flop_counter import FlopCounterMode


def _tensors(tree: object) -> list[torch.Tensor]:
    if isinstance(tree, torch.Tensor):
        return [tree]
    if isinstance(tree, (tuple, list)):
        return [t for item in tree for t in _tensors(item)]
    if isinstance(tree, dict):
        return [t for item in tree.values() for t in _tensors(item)]
    return []


@contextmanager
def _hooks(model: nn.Module, hook, leaves_only: bool) -> Iterator[None]:
    handles = [
        m.register_forward_hook(lambda mod, args, out, _n=n: hook(_n, out))
        for n, m in model.named_modules()
        if not leaves_only or next(m.children(), None) is None
    ]
    try:
        yield
    finally:
        for h in handles:
            h.remove()


def leaf_calls(model: nn.Module, *args: object, **kwargs: object) -> list[tuple[str, tuple]]:
    """``(name, shape of the first output tensor)`` per leaf-module call, in hook order."""
    seen: list[tuple[str, tuple]] = []

    def hook(name: str, out: object) -> None:
        tensors = _tensors(out)
        if tensors:
            seen.append((name, tuple(tensors[0].shape)))

    with _hooks(model, hook, leaves_only=True), torch.no_grad():
        model(*args, **kwargs)
    return seen


def hook_bytes(
    model: nn.Module, *args: object, **kwargs: object
) -> tuple[int, list[tuple[str, int]]]:
    """``(total, [(name, new bytes), ...])``: input bytes plus the new output storages of
    every module call (each storage once, in the first call that returns it)."""
    counted = {p.untyped_storage().data_ptr() for p in model.parameters()}
    counted |= {b.untyped_storage().data_ptr() for b in model.buffers()}
    kept: list[torch.Tensor] = []  # alive, so that no storage is freed and its address reused
    total = 0
    for t in _tensors(list(args) + list(kwargs.values())):
        if t.untyped_storage().data_ptr() not in counted:
            counted.add(t.untyped_storage().data_ptr())
            total += t.untyped_storage().nbytes()
    calls: list[tuple[str, int]] = []

    def hook(name: str, out: object) -> None:
        new = 0
        for t in _tensors(out):
            key = t.untyped_storage().data_ptr()
            if key not in counted:
                counted.add(key)
                kept.append(t)
                new += t.untyped_storage().nbytes()
        calls.append((name, new))

    with _hooks(model, hook, leaves_only=False), torch.no_grad():
        model(*args, **kwargs)
    return total + sum(n for _, n in calls), calls


def half_flops(model: nn.Module, *args: object, **kwargs: object) -> float:
    """MACs as ``torch.utils.flop_counter`` counts them (FLOPs / 2) on a real forward."""
    with FlopCounterMode(display=False) as counter, torch.no_grad():
        model(*args, **kwargs)
    return counter.get_total_flops() / 2


def output_shapes(out: object) -> list[tuple[int, ...]]:
    """Shapes of every tensor in a real output (tuple / dict / namedtuple / distribution)."""
    if isinstance(out, torch.distributions.Distribution):
        return [
            tuple(v.shape)
            for k, v in vars(out).items()
            if isinstance(v, torch.Tensor) and not k.startswith("_")
        ]
    return [tuple(t.shape) for t in _tensors(out)]
