"""Run a callback around every module call of a model: per-instance wrappers, or hooks.

:func:`vizkit.inspect.tracing.record_forward` needs ``pre`` before and ``post`` after each
module's forward. Registering and running two hooks per module costs more than the meta forward
of a VGG, so where it changes nothing each module's ``_call_impl`` is wrapped on the instance
instead (:func:`module_calls`); :func:`module_hooks` is the general way, used otherwise.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from functools import partial

import torch
from torch import nn
from torch.nn.modules import module as module_globals

__all__ = ["module_calls", "module_hooks"]

Pre = Callable[[str, bool, str, tuple, dict], object]
"""``pre(name, leaf, type_name, args, kwargs) -> token``, called before a module's forward."""
Post = Callable[[object], None]
"""``post(output)``, called right after that forward returned ``output``."""


def _is_leaf(module: nn.Module) -> bool:
    return all(m is None for m in module._modules.values())  # no children(), without a generator


@contextlib.contextmanager
def module_hooks(
    model: nn.Module, pre: Pre, post: Post
) -> Iterator[list[torch.utils.hooks.RemovableHandle]]:
    """Call ``pre`` / ``post`` through a forward pre-hook and a forward hook on every module.

    All hooks are removed on exit, also when the body raises.
    """
    handles = []

    def pre_hook(name: str, leaf: bool, module: nn.Module, args: tuple, kwargs: dict) -> None:
        pre(name, leaf, type(module).__name__, args, kwargs)  # a pre-hook must return None

    def post_hook(module: nn.Module, args: tuple, kwargs: dict, output: object) -> None:
        post(output)

    try:
        for name, module in model.named_modules():
            leaf = _is_leaf(module)
            handles.append(
                module.register_forward_pre_hook(
                    lambda m, a, k, _n=name, _l=leaf: pre_hook(_n, _l, m, a, k), with_kwargs=True
                )
            )
            handles.append(module.register_forward_hook(post_hook, with_kwargs=True))
        yield handles
    finally:
        for h in handles:
            h.remove()


def _wrappable(modules: list[nn.Module]) -> bool:
    """Whether per-instance ``_call_impl`` wrappers see exactly what the hooks would see.

    Not when global forward hooks exist (they run between the module's own hooks and its
    forward, so their order relative to ours would change), nor for compiled or scripted
    modules or one whose ``_call_impl`` is already replaced on the instance.
    """
    if module_globals._global_forward_hooks or module_globals._global_forward_pre_hooks:
        return False
    return not any(
        "_call_impl" in m.__dict__
        or m.__dict__.get("_compiled_call_impl") is not None
        or isinstance(m, torch.jit.ScriptModule)
        for m in modules
    )


def _no_global_hooks() -> bool:
    """No global hooks (nor JIT tracing) that ``_call_impl`` would honour for every module."""
    return not (
        module_globals._global_backward_pre_hooks
        or module_globals._global_backward_hooks
        or module_globals._global_forward_hooks
        or module_globals._global_forward_pre_hooks
        or torch._C._get_tracing_state()
    )


def _hook_free(module: nn.Module) -> bool:
    """Whether ``module._call_impl`` would just call ``forward``, given no global hooks."""
    return not (
        module._backward_hooks
        or module._backward_pre_hooks
        or module._forward_hooks
        or module._forward_pre_hooks
    )


def _wrapper(
    module: nn.Module, name: str, leaf: bool, pre: Pre, post: Post, direct: bool
) -> Callable:
    # runs the module's own (kept) hooks, then forward; without any hooks just forward
    direct = direct and _hook_free(module)
    call = module.forward if direct else partial(type(module)._call_impl, module)
    type_name = type(module).__name__

    def wrapped(*args: object, **kwargs: object) -> object:
        pre(name, leaf, type_name, args, kwargs)
        out = call(*args, **kwargs)
        post(out)
        return out

    return wrapped


@contextlib.contextmanager
def module_calls(
    model: nn.Module,
    pre: Pre,
    post: Post,
    named: list[tuple[str, nn.Module]] | None = None,
) -> Iterator[None]:
    """Call ``pre`` / ``post`` around every module call of ``model``, as :func:`module_hooks`.

    Where it changes nothing (:func:`_wrappable`), each module's ``_call_impl`` is wrapped on
    the instance: ``pre`` runs before the module's own (kept) hooks, so the ops of a
    ``weight_norm`` pre-hook count as the module's own, ``post`` right after them; a module
    whose parent calls ``.forward()`` directly is not seen, as with hooks. Everything is
    undone on exit, also when the body raises. ``named``: ``list(model.named_modules())`` if
    the caller has it.
    """
    named = list(model.named_modules()) if named is None else named
    if not _wrappable([m for _, m in named]):
        with module_hooks(model, pre, post):
            yield
        return
    done: list[nn.Module] = []
    direct = _no_global_hooks()
    try:
        for name, module in named:
            wrapper = _wrapper(module, name, _is_leaf(module), pre, post, direct)
            module.__dict__["_call_impl"] = wrapper
            done.append(module)
        yield
    finally:
        for module in done:
            del module.__dict__["_call_impl"]
