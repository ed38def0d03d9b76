"""Prepare a model and an input for inspection: check, copy, never touch the original.

A meta copy shares no storage with the user's model: a structural copy of the module tree (new
modules and new parameter / buffer / child dicts, plain attributes shared) gets, for every
parameter and buffer, a meta tensor of the same shape (no memory, no values), so copying VGG-16
costs milliseconds instead of 528 MiB.

Neither copy carries the user's hooks: forward, backward and state-dict hooks registered on the
model's modules (by ``capture_activations``, a debugging print, a feature extractor ...) would
otherwise fire during the inspection pass and receive its tensors. Only the hooks through which
torch itself computes a weight (old-style ``weight_norm`` / ``spectral_norm``, ``prune``) are
kept, since the forward needs them. Global hooks
(``torch.nn.modules.module.register_module_forward_hook``) are not per module and still fire.
"""

from __future__ import annotations

from collections.abc import Sequence

import torch
from torch import nn
from torch.nn.utils.prune import BasePruningMethod
from torch.nn.utils.spectral_norm import SpectralNorm
from torch.nn.utils.weight_norm import WeightNorm

__all__ = [
    "batch_shape",
    "check_initialised",
    "check_model",
    "meta_copy",
    "model_dtype",
    "real_copy",
]


def check_model(model: object) -> nn.Module:
    """Return ``model`` if it is an ``nn.Module``.

    Raises:
        TypeError: anything else, with a hint.
    """
    if not isinstance(model, nn.Module):
        hint = " (a class: call it to build the network)" if isinstance(model, type) else ""
        raise TypeError(
            f"model must be a torch.nn.Module, got {type(model).__name__}{hint}; "
            "e.g. vizkit.zoo.vgg16() or torchvision.models.resnet18()"
        )
    return model


def check_initialised(model: nn.Module) -> None:
    """Refuse a model whose lazy modules (``nn.LazyLinear`` ...) have no shapes yet.

    Raises:
        ValueError: a parameter is still uninitialised, naming it and the fix.
    """
    for name, p in model.named_parameters():
        if isinstance(p, nn.parameter.UninitializedParameter):
            raise ValueError(
                f"parameter {name!r} of model is uninitialised (a lazy module such as "
                "nn.LazyLinear gets its shape from its first input): run the model once on a "
                "real batch, e.g. model(torch.zeros(1, *input_size)), then summarize it"
            )


def batch_shape(input_size: object, batch_size: object) -> tuple[int, ...]:
    """``(batch_size, *input_size)`` after checking both.

    Args:
        input_size: shape of one sample without the batch dimension, e.g. ``(3, 224, 224)``.
        batch_size: positive int.

    Returns:
        The batch shape, e.g. ``(1, 3, 224, 224)``.

    Raises:
        TypeError: ``input_size`` is not a sequence of ints, or ``batch_size`` not an int.
        ValueError: an entry is below 1.

    >>> batch_shape((3, 32, 32), 8)
    (8, 3, 32, 32)
    """
    if isinstance(batch_size, bool) or not isinstance(batch_size, int):
        raise TypeError(f"batch_size must be an int, got {batch_size!r}")
    if batch_size < 1:
        raise ValueError(f"batch_size {batch_size} is below 1: use 1 or more samples")
    if isinstance(input_size, int) and not isinstance(input_size, bool):
        input_size = (input_size,)
    if (
        not isinstance(input_size, Sequence)
        or isinstance(input_size, str)
        or not all(isinstance(s, int) and not isinstance(s, bool) for s in input_size)
    ):
        raise TypeError(
            f"input_size must be a tuple of ints such as (3, 224, 224), got {input_size!r}"
        )
    if len(input_size) == 0 or min(input_size) < 1:
        raise ValueError(
            f"input_size {tuple(input_size)} must have at least one dimension and every entry "
            "≥ 1: give the shape of one sample without the batch, e.g. (3, 224, 224)"
        )
    return (batch_size, *(int(s) for s in input_size))


def model_dtype(model: nn.Module, dtype: torch.dtype | None) -> torch.dtype:
    """The floating dtype activations will have: ``dtype`` if given, else the model's.

    Raises:
        TypeError: ``dtype`` is not a floating ``torch.dtype``.
    """
    if dtype is not None:
        if not isinstance(dtype, torch.dtype) or not dtype.is_floating_point:
            raise TypeError(
                f"dtype must be a floating torch.dtype such as torch.float16, got {dtype!r}"
            )
        return dtype
    for p in model.parameters():
        if p.is_floating_point():
            return p.dtype
    return torch.get_default_dtype()


def _meta_like(t: torch.Tensor, dtype: torch.dtype) -> torch.Tensor:
    return torch.empty_like(t, device="meta", dtype=dtype if t.is_floating_point() else t.dtype)


def meta_copy(model: nn.Module, dtype: torch.dtype) -> nn.Module:
    """A structural copy of ``model`` whose parameters and buffers live on the meta device.

    Args:
        model: the user's model; not modified, not moved, its tensors not copied.
        dtype: floating dtype for the copy's floating parameters and buffers.

    Returns:
        An independent module tree with the same names, types and shapes, without the user's
        hooks (see the module docstring).
    """
    memo: dict[int, object] = {}
    modules = list(model.modules())  # one walk (parameters() and buffers() would walk twice)
    for m in modules:
        for p in m._parameters.values():
            if p is not None and id(p) not in memo:
                memo[id(p)] = nn.Parameter(_meta_like(p, dtype), requires_grad=p.requires_grad)
    buffers: set[int] = set()
    for m in modules:
        for b in m._buffers.values():
            if b is not None and id(b) not in buffers:
                buffers.add(id(b))
                memo[id(b)] = _meta_like(b, dtype)
    return _structural_copy(model, memo)


#: ``Module.__dict__`` entries holding hooks: id → hook, or id → flag for the kept hooks.
_HOOK_DICTS = frozenset(
    {
        "_forward_hooks",
        "_forward_hooks_with_kwargs",
        "_forward_hooks_always_called",
        "_forward_pre_hooks",
        "_forward_pre_hooks_with_kwargs",
        "_backward_hooks",
        "_backward_pre_hooks",
        "_state_dict_hooks",
        "_state_dict_pre_hooks",
        "_load_state_dict_pre_hooks",
        "_load_state_dict_post_hooks",
    }
)


def _computes_weight(hook: object) -> bool:
    """A hook through which torch computes a weight: the forward does not work without it."""
    return isinstance(hook, (WeightNorm, SpectralNorm, BasePruningMethod))


def _without_user_hooks(state: dict[str, object]) -> None:
    """Replace the hook dicts in a copied ``__dict__`` by new ones without the user's hooks."""
    kept = {k for k, h in state.get("_forward_pre_hooks", {}).items() if _computes_weight(h)}
    for key in _HOOK_DICTS & state.keys():
        value = state[key]
        if key.startswith("_forward_pre_hooks"):
            state[key] = value.__class__((k, v) for k, v in value.items() if k in kept)
        else:
            state[key] = value.__class__()
    if "_is_full_backward_hook" in state:
        state["_is_full_backward_hook"] = None


def _structural_copy(module: nn.Module, memo: dict[int, object]) -> nn.Module:
    """Copy the module tree: new modules, new parameter / buffer / child / hook dicts.

    Much faster than :func:`copy.deepcopy` (which walks every attribute). Plain attributes are
    shared with the original, so a forward that mutates a plain list attribute in place would
    touch it; no torchvision model does. Plain tensor attributes are cloned. The user's hooks
    are left out (module docstring).
    """
    if id(module) in memo:
        return memo[id(module)]  # type: ignore[return-value]
    clone = module.__class__.__new__(module.__class__)
    memo[id(module)] = clone
    state = dict(module.__dict__)
    for key, value in state.items():
        if key in _HOOK_DICTS:
            continue  # replaced by new dicts in _without_user_hooks
        if key == "_modules":
            state[key] = {
                k: None if m is None else _structural_copy(m, memo) for k, m in value.items()
            }
        elif key in ("_parameters", "_buffers"):
            state[key] = {k: None if t is None else memo[id(t)] for k, t in value.items()}
        elif isinstance(value, dict):
            state[key] = value.__class__(value) if type(value) is not dict else dict(value)
        elif isinstance(value, torch.Tensor):
            # a plain tensor attribute (the weight old-style weight_norm recomputes, a constant):
            # cloned as it is; deepcopy would refuse a non-leaf one such as that weight
            state[key] = memo[id(value)] if id(value) in memo else value.detach().clone()
    _without_user_hooks(state)
    clone.__dict__.update(state)
    return clone


def real_copy(model: nn.Module, dtype: torch.dtype) -> nn.Module:
    """A copy with real tensors (same device), floating ones cast to ``dtype``, without hooks.

    Like :func:`meta_copy`, but each parameter and buffer is cloned (detached, so the copy
    shares no autograd history with the original).
    """
    memo: dict[int, object] = {}

    def cloned(t: torch.Tensor) -> torch.Tensor:
        t = t.detach()
        return t.to(dtype) if t.is_floating_point() and t.dtype != dtype else t.clone()

    for p in model.parameters():
        memo[id(p)] = nn.Parameter(cloned(p), requires_grad=p.requires_grad)
    for b in model.buffers():
        memo[id(b)] = cloned(b)
    return _structural_copy(model, memo)
