"""Run a callback around every module call of a model: per-instance wrappers, or hooks.

:func:`vizkit.summary.record.record_forward` needs ``pre`` before and ``post`` after each
module's forward. Registering and running two hooks per module costs more than the meta forward
of a VGG, so where it changes nothing each module's ``_call_impl`` is wrapped on the instance
instead (:func:`module_calls`); :func:`module_hooks` is the general way, used otherwise.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator

import torch
from torch import nn

from vizkit.summary._torch_internals import (
    call_impl,
    hook_free,
    install_call,
    instance_wrappable,
    no_global_hooks,
    remove_call,
)
from vizkit.summary.leaf_calls import MISS

__all__ = ["module_calls", "module_hooks"]

Pre = Callable[[str, bool, str, tuple, dict], object]
"""``pre(name, leaf, type_name, args, kwargs) -> token``, called before a module's forward."""
Post = Callable[[object], None]
"""``post(output)``, called right after that forward returned ``output``."""
LeafCallFor = Callable[[str, nn.Module], "Callable[[object], object] | None"]
"""``leaf_call(name, module)``: a recording of ``module(x)`` that does ``pre``, the module's
one op and ``post`` itself, returning the output or ``MISS`` (then the module runs as usual);
None for a module it cannot record so (:meth:`vizkit.summary.record._Recorder.leaf_call`)."""


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


def _wrapper(
    module: nn.Module,
    name: str,
    leaf: bool,
    pre: Pre,
    post: Post,
    direct: bool,
    leaf_call: LeafCallFor | None,
) -> Callable:
    # runs the module's own (kept) hooks, then forward; without any hooks just forward
    direct = direct and hook_free(module)
    call = module.forward if direct else call_impl(module)
    type_name = type(module).__name__
    fast = leaf_call(name, module) if leaf and direct and leaf_call is not None else None

    if fast is not None:

        def shortcut(*args: object, **kwargs: object) -> object:
            if len(args) == 1 and not kwargs:
                out = fast(args[0])
                if out is not MISS:
                    return out
            pre(name, leaf, type_name, args, kwargs)
            out = call(*args, **kwargs)
            post(out)
            return out

        return shortcut

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
    leaf_call: LeafCallFor | None = None,
) -> Iterator[None]:
    """Call ``pre`` / ``post`` around every module call of ``model``, as :func:`module_hooks`.

    Where it changes nothing (:func:`~vizkit.summary._torch_internals.instance_wrappable`), each
    module's ``_call_impl`` is wrapped on the instance: ``pre`` runs before the module's own
    (kept) hooks, so the ops of a ``weight_norm`` pre-hook count as the module's own, ``post``
    right after them; a module whose parent calls ``.forward()`` directly is not seen, as with
    hooks. Everything is undone on exit, also when the body raises. ``named``:
    ``list(model.named_modules())`` if the caller has it. ``leaf_call``: recordings of
    plain leaf modules that skip their ``forward`` (only on the wrapper path, for modules
    without hooks of their own).
    """
    named = list(model.named_modules()) if named is None else named
    if not instance_wrappable(m for _, m in named):
        with module_hooks(model, pre, post):
            yield
        return
    done: list[nn.Module] = []
    direct = no_global_hooks()
    try:
        for name, module in named:
            wrapper = _wrapper(module, name, _is_leaf(module), pre, post, direct, leaf_call)
            install_call(module, wrapper)
            done.append(module)
        yield
    finally:
        for module in done:
            remove_call(module)
