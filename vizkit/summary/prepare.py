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

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

import torch
from torch import nn

from vizkit.summary.copy_tree import Maker as _Maker
from vizkit.summary.copy_tree import copy_tree
from vizkit.summary.inputs import AUTO, ForwardInputs, forward_inputs

__all__ = [
    "Prepared",
    "batch_shape",
    "check_callable",
    "check_initialised",
    "check_model",
    "meta_copy",
    "model_dtype",
    "prepare",
    "prepare_meta",
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
    _scan_parameters(model, model, set(), False)  # fast; the named search only on a find


def _refuse_uninitialised(model: nn.Module) -> None:
    for name, p in model.named_parameters():
        if isinstance(p, _Uninitialised):
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


def prepare_meta(
    model: nn.Module, dtype: torch.dtype | None = None, training: bool | None = None
) -> tuple[nn.Module, torch.dtype]:
    """``(meta_copy(model, dt), dt)`` with ``dt = model_dtype(model, dtype)``, after
    :func:`check_model` and :func:`check_initialised`: the same, in one walk, twice as fast.

    ``training``: when given, the copy is in that mode, as after ``copy.train(training)``
    (set during the walk; ``train`` itself is called where a module class overrides it).

    Raises:
        TypeError: ``model`` is not a module, or ``dtype`` not a floating ``torch.dtype``.
        ValueError: a lazy module is still uninitialised (checked before ``dtype``).
    """
    check_model(model)
    if dtype is None:
        dt = _scan_parameters(model, model, set(), True) or torch.get_default_dtype()
    elif not isinstance(dtype, torch.dtype) or not dtype.is_floating_point:
        check_initialised(model)
        dt = model_dtype(model, dtype)  # raises the TypeError
    else:
        dt = dtype
    return copy_tree(model, *_meta_makers(dt, model), training), dt


_META, _STRIDED = torch.device("meta"), torch.strided
_Parameter = nn.Parameter
_Uninitialised = nn.parameter.UninitializedParameter


def _scan_parameters(
    model: nn.Module, module: nn.Module, seen: set[int], first_floating: bool
) -> torch.dtype | None:
    """Walk ``module``'s parameters in ``parameters()`` order (``seen``: the modules done),
    raising :func:`check_initialised`'s error for ``model`` on an uninitialised one; with
    ``first_floating``, stop at the first floating one and return its dtype, else ``None``."""
    seen.add(id(module))
    for p in module._parameters.values():
        if p is not None:
            if type(p) is not _Parameter and isinstance(p, _Uninitialised):
                _refuse_uninitialised(model)
            if first_floating and p.is_floating_point():
                return p.dtype
    for m in module._modules.values():
        if m is not None and id(m) not in seen:
            if (dt := _scan_parameters(model, m, seen, first_floating)) is not None:
                return dt
    return None


def meta_copy(model: nn.Module, dtype: torch.dtype) -> nn.Module:
    """A structural copy of ``model`` whose parameters and buffers live on the meta device.

    Args:
        model: the user's model; not modified, not moved, its tensors not copied.
        dtype: floating dtype for the copy's floating parameters and buffers.

    Returns:
        An independent module tree with the same names, types, shapes and strides, without the
        user's hooks (see the module docstring); what the model shares, the copy shares.
    """
    return copy_tree(model, *_meta_makers(dtype, None))


def _meta_like(t: torch.Tensor, dtype: torch.dtype) -> torch.Tensor:
    return torch.empty_like(t, device="meta", dtype=dtype if t.is_floating_point() else t.dtype)


def _meta_makers(dt: torch.dtype, lazy_root: nn.Module | None) -> tuple[_Maker, _Maker]:
    """Meta stand-ins for a parameter (an ``nn.Parameter``) and a buffer: :func:`_meta_like`,
    with a shortcut for a plain contiguous tensor (same strides, half the time). With
    ``lazy_root``, an uninitialised parameter is refused before it is touched."""
    empty = torch.empty_strided

    def param(p: torch.Tensor) -> torch.Tensor:
        if type(p) is _Parameter and p.layout is _STRIDED and p.is_contiguous():
            d = dt if p.is_floating_point() else p.dtype
            t = empty(p.shape, p.stride(), dtype=d, device=_META, requires_grad=p.requires_grad)
            t.__class__ = _Parameter  # = nn.Parameter(t, t.requires_grad), as materialize() does
            return t
        if lazy_root is not None and isinstance(p, _Uninitialised):
            _refuse_uninitialised(lazy_root)
        return nn.Parameter(_meta_like(p, dt), requires_grad=p.requires_grad)

    def buffer(b: torch.Tensor) -> torch.Tensor:
        if type(b) is torch.Tensor and b.layout is _STRIDED and b.is_contiguous():
            d = dt if b.is_floating_point() else b.dtype
            return empty(b.shape, b.stride(), dtype=d, device=_META)
        return _meta_like(b, dt)

    return param, buffer


def real_copy(model: nn.Module, dtype: torch.dtype) -> nn.Module:
    """A copy with real tensors (same device), floating ones cast to ``dtype``, without hooks.

    Like :func:`meta_copy`, but each parameter and buffer is cloned (detached, so the copy
    shares no autograd history with the original).
    """

    def cloned(t: torch.Tensor) -> torch.Tensor:
        t = t.detach()
        return t.to(dtype) if t.is_floating_point() and t.dtype != dtype else t.clone()

    return copy_tree(model, lambda p: nn.Parameter(cloned(p), p.requires_grad), cloned)


@dataclass(frozen=True)
class Prepared:
    """Step 1 of a summary: the checked request and the meta copy that step 2 records.

    Attributes:
        model: the user's model (never modified).
        copy: its meta copy, in the requested mode, without the user's hooks; None for a
            parameters-only table (no input) or a TorchScript model.
        inputs: what the forward is called with (None: no input, parameters only).
        dtype: the dtype of activations and parameters.
        mode: ``"eval"`` or ``"train"``.
    """

    model: nn.Module
    copy: nn.Module | None
    inputs: ForwardInputs | None
    dtype: torch.dtype
    mode: Literal["eval", "train"]

    @property
    def shape(self) -> tuple[int, ...] | None:
        """The shape of the first input tensor (None when there is none)."""
        specs = self.inputs.specs if self.inputs is not None else ()
        return specs[0].shape if specs else None

    def meta(self) -> tuple[tuple, dict[str, object]]:
        """The forward's arguments with meta tensors (for :attr:`copy`)."""
        assert self.inputs is not None  # summarize records only a request with an input
        return self.inputs.meta()

    def real(self) -> tuple[nn.Module, tuple, dict[str, object]]:
        """A real copy (on the model's device, in the requested mode) and real arguments.

        The fallback when the meta device cannot run the model (data-dependent ops).
        """
        assert self.inputs is not None
        clone = real_copy(self.model, self.dtype)
        clone.train(self.mode == "train")
        device = next((p.device for p in self.model.parameters()), torch.device("cpu"))
        args, kwargs = self.inputs.real(device)
        return clone, args, kwargs


def prepare(
    model: object,
    input_size: object = None,
    *,
    input_data: object = None,
    batch_size: object = 1,
    batch_dim: object = AUTO,
    dtypes: object = None,
    dtype: torch.dtype | None = None,
    mode: object = "eval",
    forward_kwargs: Mapping[str, object] | None = None,
) -> Prepared:
    """Check everything ``summarize`` was given, then copy the model to the meta device.

    See :func:`vizkit.summary.inputs.forward_inputs` for the input arguments.

    Raises:
        TypeError: ``model`` is not a module (or is a container without ``forward``, or a
            TorchScript module given an input), or a wrong kind of input / ``dtype``.
        ValueError: input sizes below 1, contradicting input arguments, an unknown ``mode``,
            or a lazy module still uninitialised.
    """
    module = check_model(model)
    if mode not in ("eval", "train"):
        raise ValueError(f"mode {mode!r} is not 'eval' or 'train'")
    if dtype is not None:
        model_dtype(module, dtype)  # a bad dtype's TypeError
    scripted = isinstance(module, torch.jit.ScriptModule)
    if scripted:
        dt = model_dtype(module, dtype)
        copy = None
    else:
        # the lazy-module check, the dtype and the copy in one walk; the copy in the wanted mode
        copy, dt = prepare_meta(module, dtype, training=mode == "train")
    inputs = forward_inputs(
        module,
        input_size,
        input_data,
        batch_size=batch_size,
        batch_dim=batch_dim,
        dtypes=dtypes,
        dtype=dt,
        forward_kwargs=forward_kwargs,
    )
    if inputs is not None:
        if scripted:
            raise TypeError(_SCRIPTED)
        check_callable(module)
    return Prepared(module, copy if inputs is not None else None, inputs, dt, mode)  # type: ignore[arg-type]


_SCRIPTED = (
    "model is a TorchScript module (torch.jit.script / trace / load): its layers run inside "
    "TorchScript, where summarize cannot follow them with hooks or on the meta device; pass "
    "the Python nn.Module you scripted instead, or no input for a parameters-only table "
    "(summarize(model))"
)


def check_callable(model: nn.Module) -> None:
    """Refuse a container that has no ``forward`` of its own (``nn.ModuleList``, ``ModuleDict``).

    Raises:
        TypeError: naming the class and the fix.
    """
    if type(model).forward is nn.Module.forward:
        name = type(model).__name__
        raise TypeError(
            f"model is a {name}, a container without a forward of its own, so it cannot be run: "
            f"summarize one of its modules (model[0]), the module that calls them, or give no "
            "input for a parameters-only table"
        )
