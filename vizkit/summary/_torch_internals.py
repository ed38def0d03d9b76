"""Private: the one place where the layer-table engine reads torch's private internals.

``summarize`` is fast (milliseconds for VGG-16) because it does not go through torch's public
hook machinery for every module call, and it identifies tensors by their storage. That needs
names torch does not promise to keep:

- ``torch.nn.modules.module._global_*_hooks`` (are global hooks registered?);
- ``Module._call_impl`` (wrapped on the instance instead of registering two hooks a module);
- ``Module._forward_hooks`` & co. and the ``Module.__dict__`` entries ``Module.__init__`` makes
  (what the structural copy must renew);
- ``torch._C._get_tracing_state`` (JIT tracing in progress?);
- ``torch._ops`` (the module of the ``torch.ops.<namespace>`` operators: which namespace);
- ``torch.utils._device._device_constructors`` (the tensor factories ``with torch.device(...)``
  redirects: ``zeros``, ``arange`` ...; a fixed list where it is gone);
- ``torch.distributions.Distribution._validate_args`` (the default that
  ``Distribution.set_default_validate_args`` sets: read to restore it);
- ``UntypedStorage._cdata`` (an integer identifying a storage);
- the frames of a traceback (which module's ``forward`` raised).

:data:`TESTED_TORCH` names the torch versions this was written against. On another version, or
when :func:`fast_calls_work` finds that a wrapped ``_call_impl`` is no longer what a module call
runs, :func:`vizkit.summary.calls.module_calls` falls back to torch's public forward hooks
(slower, same table). ``tests/summary/test_torch_internals.py`` fails loudly when an upgrade
breaks any of these, so it is noticed rather than silently slow or wrong.
"""

from __future__ import annotations

import contextlib
import operator
from collections.abc import Callable, Iterable, Iterator
from functools import partial

import torch
from torch import nn
from torch.nn.modules import module as _module_globals

__all__ = [
    "HOOK_KEYS",
    "MODULE_KEYS",
    "TESTED_TORCH",
    "call_impl",
    "device_constructors",
    "distribution_checks_off",
    "failing_module",
    "fast_calls_work",
    "has_global_forward_hooks",
    "hook_free",
    "install_call",
    "instance_wrappable",
    "is_meta_problem",
    "no_global_hooks",
    "remove_call",
    "storage_key",
    "torch_ops_namespace",
    "torch_version",
]

TESTED_TORCH = ((2, 2), (2, 14))
"""Oldest and newest (major, minor) torch versions whose internals this module was checked on."""

#: ``Module.__dict__`` entries holding hooks: id → hook, or id → flag for the kept hooks.
HOOK_KEYS = tuple(
    "_forward_hooks _forward_hooks_with_kwargs _forward_hooks_always_called _forward_pre_hooks "
    "_forward_pre_hooks_with_kwargs _backward_hooks _backward_pre_hooks _state_dict_hooks "
    "_state_dict_pre_hooks _load_state_dict_pre_hooks _load_state_dict_post_hooks".split()
)
#: the entries ``Module.__init__`` makes, each renewed by name in the structural copy
MODULE_KEYS = frozenset(HOOK_KEYS) | {
    *"training _parameters _buffers _non_persistent_buffers_set _is_full_backward_hook".split(),
    "_modules",
}


def torch_version() -> tuple[int, int]:
    """``(major, minor)`` of the installed torch."""
    major, minor = torch.__version__.split("+")[0].split(".")[:2]
    return int(major), int(minor)


def has_global_forward_hooks() -> bool:
    """Whether global forward (pre-)hooks are registered (they must keep their order)."""
    return bool(_module_globals._global_forward_hooks or _module_globals._global_forward_pre_hooks)


def no_global_hooks() -> bool:
    """No global hooks (nor JIT tracing) that ``_call_impl`` would honour for every module."""
    return not (
        _module_globals._global_backward_pre_hooks
        or _module_globals._global_backward_hooks
        or _module_globals._global_forward_hooks
        or _module_globals._global_forward_pre_hooks
        or torch._C._get_tracing_state()
    )


def hook_free(module: nn.Module) -> bool:
    """Whether ``module._call_impl`` would just call ``forward``, given no global hooks."""
    return not (
        module._backward_hooks
        or module._backward_pre_hooks
        or module._forward_hooks
        or module._forward_pre_hooks
    )


def instance_wrappable(modules: Iterable[nn.Module]) -> bool:
    """Whether per-instance ``_call_impl`` wrappers see exactly what hooks would see.

    Not on an untested torch or one where the wrapper is not what a call runs, not when global
    forward hooks exist (they run between the module's own hooks and its forward, so their
    order relative to ours would change), nor for compiled or scripted modules or one whose
    ``_call_impl`` is already replaced on the instance.
    """
    if not fast_calls_work() or has_global_forward_hooks():
        return False
    return not any(
        "_call_impl" in m.__dict__
        or m.__dict__.get("_compiled_call_impl") is not None
        or isinstance(m, torch.jit.ScriptModule)
        for m in modules
    )


def call_impl(module: nn.Module) -> Callable[..., object]:
    """The class's ``_call_impl`` bound to ``module``: its hooks, then its forward."""
    return partial(type(module)._call_impl, module)


def install_call(module: nn.Module, wrapper: Callable[..., object]) -> None:
    """Make ``module(...)`` run ``wrapper`` (until :func:`remove_call`)."""
    module.__dict__["_call_impl"] = wrapper


def remove_call(module: nn.Module) -> None:
    """Undo :func:`install_call`."""
    del module.__dict__["_call_impl"]


_FAST_CALLS: list[bool] = []


def fast_calls_work() -> bool:
    """Checked once: on a tested torch, an instance ``_call_impl`` is what ``module(x)`` runs."""
    if not _FAST_CALLS:
        _FAST_CALLS.append(_probe_fast_calls())
    return _FAST_CALLS[0]


def _probe_fast_calls() -> bool:
    if not TESTED_TORCH[0] <= torch_version() <= TESTED_TORCH[1]:
        return False
    try:
        probe = nn.Identity()
        seen: list[object] = []

        def wrapper(*args: object, **kwargs: object) -> object:
            seen.append(args)
            return probe.forward(*args, **kwargs)

        install_call(probe, wrapper)
        try:
            out = probe(1)
        finally:
            remove_call(probe)
        return out == 1 and seen == [(1,)] and probe(2) == 2 and len(seen) == 1
    except Exception:  # any change in torch's private layout: use the public hooks
        return False


#: An integer that identifies a ``torch.UntypedStorage`` while it lives (torch's ``_cdata``
#: pointer); a C-level attribute getter, as fast as the attribute in the recorder's hot loop.
storage_key: Callable[[torch.UntypedStorage], int] = operator.attrgetter("_cdata")


def failing_module(err: BaseException) -> str | None:
    """Class name of the innermost module whose ``forward`` is on ``err``'s traceback."""
    tb, last = err.__traceback__, None
    while tb is not None:
        module = tb.tb_frame.f_locals.get("self")
        if isinstance(module, nn.Module) and tb.tb_frame.f_code.co_name == "forward":
            last = type(module).__name__
        tb = tb.tb_next
    return last


def is_meta_problem(err: BaseException) -> bool:
    """Whether ``err`` says the meta device cannot run an op (not that the input is wrong).

    Torch has no exception type for this: ``NotImplementedError`` for a missing meta kernel,
    and a ``RuntimeError`` whose text mentions meta tensors or data-dependent values for
    ``.item()``, ``nonzero`` and friends — so the text is read.
    """
    text = str(err).lower()
    if 'missing the required "forward" function' in text:
        return False  # a container called as a layer: no device can run it
    return isinstance(err, NotImplementedError) or any(
        key in text for key in ("meta", "data-dependent", "item()", "no data")
    )


_Distribution = torch.distributions.Distribution


@contextlib.contextmanager
def distribution_checks_off() -> Iterator[None]:
    """``torch.distributions`` objects built inside skip their argument checks.

    A model returning ``Normal(loc, scale)`` checks ``scale > 0`` by reading values, which
    meta tensors do not have; the checks are about values, which a layer table does not show.
    A distribution built with ``validate_args=True`` still checks (and the pass falls back to
    a real forward). The previous default is restored on exit; where torch no longer keeps it
    in ``Distribution._validate_args``, nothing is changed.
    """
    before = _Distribution.__dict__.get("_validate_args")
    if type(before) is not bool:
        yield
        return
    _Distribution.set_default_validate_args(False)
    try:
        yield
    finally:
        _Distribution.set_default_validate_args(before)


_FACTORY_NAMES = (
    "arange empty empty_strided eye full linspace logspace ones rand randint randn randperm "
    "range scalar_tensor tensor as_tensor asarray zeros tril_indices triu_indices"
).split()


def device_constructors() -> frozenset[object]:
    """The torch functions that make a tensor from nothing on the default device.

    What ``with torch.device("meta"):`` redirects (torch's private list); torch's public
    functions of those names where that list is gone.
    """
    try:
        from torch.utils._device import _device_constructors

        return frozenset(_device_constructors())
    except (ImportError, AttributeError):  # fallback: the usual factories by name
        return frozenset(getattr(torch, n) for n in _FACTORY_NAMES if hasattr(torch, n))


_OPS_MODULE = "torch._ops."


def torch_ops_namespace(func: object) -> str | None:
    """``"quantized"`` for ``torch.ops.quantized.linear`` (an operator called through
    ``torch.ops``), None for torch's Python functions and tensor methods.

    Read from the operator's ``__module__`` (``"torch._ops.quantized"``), which names torch's
    private module; where that changes, every operator reads as a plain function again.
    """
    module = getattr(func, "__module__", None)
    if type(module) is str and module.startswith(_OPS_MODULE):
        return module[len(_OPS_MODULE) :]
    return None
