"""The structural copy walk under :func:`vizkit.summary.prepare.meta_copy` / ``real_copy``.

New modules and new parameter / buffer / child / hook dicts, plain attributes shared; every
parameter and buffer made once by a given maker (a meta tensor, or a real clone). The user's
hooks are left out except those through which torch computes a weight (see
:mod:`vizkit.summary.prepare`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import torch
from torch import nn
from torch.nn.utils.prune import BasePruningMethod
from torch.nn.utils.spectral_norm import SpectralNorm
from torch.nn.utils.weight_norm import WeightNorm

from vizkit.summary._torch_internals import HOOK_KEYS, MODULE_KEYS

__all__ = ["Maker", "computes_weight", "copy_tree"]

Maker = Callable[[torch.Tensor], torch.Tensor]
"""Makes the copy of one parameter or buffer."""
_Maker = Maker


_HOOK_KEYS = HOOK_KEYS
_HOOK_DICTS = frozenset(HOOK_KEYS)
_MODULE_KEYS = MODULE_KEYS
#: value types shared as they are, recognised without an ``isinstance`` chain
_PLAIN = frozenset({bool, int, float, str, tuple, list, type(None), set, frozenset})


def computes_weight(hook: object) -> bool:
    """A hook through which torch computes a weight: the forward does not work without it."""
    return isinstance(hook, (WeightNorm, SpectralNorm, BasePruningMethod))


def copy_tree(
    model: nn.Module, param: _Maker, buffer: _Maker, training: bool | None = None
) -> nn.Module:
    """Copy the module tree: new modules, new parameter / buffer / child / hook dicts.

    Much faster than :func:`copy.deepcopy` (which walks every attribute): one walk that makes
    each parameter and buffer (by ``param`` / ``buffer``) when it first meets it, memo by id.
    Plain attributes are shared with the original, so a forward that mutates a plain list
    attribute in place would touch it; no torchvision model does; dict attributes are copied,
    plain tensor attributes cloned (or the copy of the parameter / buffer they are). The hook
    dicts are new and empty but for the hooks torch computes weights with (module docstring).
    With ``training``, every copied module's ``training`` flag is set to it, or, where a
    module class overrides ``train``, ``root.train(training)`` is called.
    """
    memo: dict[int, Any] = {}
    tensor_attrs: list[tuple[dict[str, Any], str, torch.Tensor]] = []
    overrides: list[type] = []
    root = _copy_module(model, (memo, tensor_attrs, param, buffer, training, overrides))
    for state, key, value in tensor_attrs:
        # a plain tensor attribute (the weight old-style weight_norm recomputes, a constant):
        # cloned as it is; deepcopy would refuse a non-leaf one such as that weight
        copied = memo.get(id(value))
        state[key] = value.detach().clone() if copied is None else copied
    if training is not None and overrides:
        root.train(training)
    return root


def _copy_tensors(values: dict[str, Any], make: _Maker, memo: dict[int, Any]) -> dict[str, Any]:
    new: dict[str, Any] = {}
    for k, t in values.items():
        if t is not None and (c := memo.get(id(t))) is None:
            c = memo[id(t)] = make(t)
        new[k] = None if t is None else c
    return new


_Walk = tuple[
    dict[int, Any],
    list[tuple[dict[str, Any], str, torch.Tensor]],
    _Maker,
    _Maker,
    bool | None,
    list[type],
]
_TRAIN = nn.Module.train


def _copy_module(module: nn.Module, walk: _Walk) -> nn.Module:
    """:func:`_copy_tree` for one module and, recursively, its children. ``walk``: the memo,
    the plain tensor attributes left for later (once all tensors have a copy), the makers, the
    training flag to set (or None) and the classes met that override ``train``."""
    memo, tensor_attrs, param, buffer, training, overrides = walk
    cls = module.__class__
    clone = memo[id(module)] = cls.__new__(cls)
    original = module.__dict__
    state = original.copy()
    if training is not None:
        state["training"] = training
        if cls.train is not _TRAIN:
            overrides.append(cls)
    try:
        for key in _HOOK_KEYS:
            state[key] = state[key].__class__()
    except KeyError:  # a module made without Module.__init__: the hook dicts it has
        for key in _HOOK_DICTS & state.keys():
            state[key] = original[key].__class__()
    if pre_hooks := original.get("_forward_pre_hooks"):  # keep the weight computing ones
        kept = {k for k, h in pre_hooks.items() if computes_weight(h)}
        for key in ("_forward_pre_hooks", "_forward_pre_hooks_with_kwargs"):
            if key in state:
                value = original[key]
                state[key] = value.__class__((k, v) for k, v in value.items() if k in kept)
    if state.get("_is_full_backward_hook") is not None:
        state["_is_full_backward_hook"] = None
    later = None  # plain tensor attributes: done once all parameters and buffers are
    for key in original.keys() - _MODULE_KEYS:
        value = original[key]
        if value.__class__ in _PLAIN:
            continue
        if isinstance(value, dict):
            state[key] = value.__class__(value) if type(value) is not dict else dict(value)
        elif isinstance(value, torch.Tensor):
            later = [*(later or ()), key]
    if (params := state.get("_parameters")) is not None:
        state["_parameters"] = _copy_tensors(params, param, memo) if params else {}
    if (buffers := state.get("_buffers")) is not None:
        state["_buffers"] = _copy_tensors(buffers, buffer, memo) if buffers else {}
    if (children := state.get("_modules")) is not None:
        new: dict[str, Any] = {}
        for k, m in children.items():
            if m is not None and (c := memo.get(id(m))) is None:  # (an empty Sequential is falsy)
                c = _copy_module(m, walk)
            new[k] = None if m is None else c
        state["_modules"] = new
    if clone.__dict__:  # a __new__ that sets attributes: theirs, overridden by the copy's
        clone.__dict__.update(state)
        state = clone.__dict__
    else:
        object.__setattr__(clone, "__dict__", state)
    if later:
        tensor_attrs.extend((state, key, original[key]) for key in later)
    return clone
