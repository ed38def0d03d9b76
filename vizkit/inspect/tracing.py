"""Record one forward pass: every module call, every torch op, and how tensors flow between them.

:func:`record_forward` runs a model under a :class:`torch.overrides.TorchFunctionMode` that sees
every torch function (``F.conv2d``, ``torch.cat``, ``x + y`` ...) plus forward hooks on every
module. Each activation is tagged with its receptive field and with the graph nodes that produced
it, so branches and merges (Inception, ResNet) are followed exactly. On the meta device this costs
no memory and no arithmetic: only shapes flow.

Memory is measured in the same pass:

- inference peak: each activation storage lives from the op that creates it to the last op that
  reads it (the model input and output for the whole pass), which is when eager PyTorch frees it
  without autograd; the peak is the largest sum of storages alive during one op;
- training: the bytes autograd saves for backward (``saved_tensors_hooks``), parameters excluded.
"""

from __future__ import annotations

import contextlib
import math
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

import torch
from torch import nn
from torch.nn.modules import module as module_globals
from torch.overrides import TorchFunctionMode

from vizkit.inspect.meta_shortcuts import SHORTCUTS
from vizkit.inspect.opcount import count_op, normalise_name
from vizkit.inspect.receptive import ReceptiveField2d, propagate
from vizkit.inspect.table import GraphNode

_DisableTorchFunction = torch._C.DisableTorchFunction

__all__ = ["CallRecord", "ForwardRecord", "module_hooks", "record_forward"]

_AXES_OPS = frozenset({"permute", "transpose", "swapaxes", "swapdims"})
_MERGES = frozenset({"add", "sub", "mul", "div", "cat", "concat", "concatenate", "stack"})


@dataclass
class CallRecord:
    """One call of one module during the recorded forward pass.

    ``macs`` / ``other`` count every op run while the call was active, its children's included;
    ``own_macs`` / ``own_other`` only the ops its own ``forward`` ran outside any hooked child
    call (for a leaf: all of them; for a block: e.g. the residual ``+`` of a ResNet block). Each
    op is owned by exactly one call, so the own counts over all calls add up to the pass total.
    """

    name: str
    type: str
    leaf: bool
    output_shape: tuple[int, ...] | None = None
    output_numel: int = 0
    output_bytes: int = 0
    inplace: bool = False
    receptive_field: ReceptiveField2d | None = None
    macs: int = 0
    other: Counter[str] = field(default_factory=Counter)
    own_macs: int = 0
    own_other: Counter[str] = field(default_factory=Counter)
    node: int | None = None
    input_producers: frozenset[int] = frozenset()
    input_storages: tuple[int, ...] = ()


@dataclass
class ForwardRecord:
    """Everything :func:`record_forward` saw, in call order."""

    calls: list[CallRecord] = field(default_factory=list)
    nodes: list[GraphNode] = field(default_factory=list)
    edges: list[tuple[int, int]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    macs: int = 0
    other: Counter[str] = field(default_factory=Counter)
    peak_live_bytes: int = 0
    saved_bytes: int = 0


@dataclass
class _Info:
    rf: ReceptiveField2d | None
    producers: frozenset[int]
    axes: tuple[int, int] | None = None  # where H and W are (2, 3 for NCHW; 1, 2 after NHWC)


_LEAVES = (int, float, bool, str, type(None))  # the usual non-tensor arguments


def _tensors(tree: object, found: list[torch.Tensor] | None = None) -> list[torch.Tensor]:
    """Tensors inside nested tuples / lists / dicts / namedtuples (a lean ``tree_flatten``)."""
    found = [] if found is None else found
    if isinstance(tree, torch.Tensor):
        found.append(tree)
    elif isinstance(tree, (tuple, list)):
        for item in tree:
            if type(item) in _LEAVES:
                continue
            if isinstance(item, torch.Tensor):
                found.append(item)
            elif isinstance(item, (tuple, list)):
                for sub in item:  # stride / padding pairs: one level down, without a call
                    if type(sub) in _LEAVES:
                        continue
                    if isinstance(sub, torch.Tensor):
                        found.append(sub)
                    elif isinstance(sub, (tuple, list, dict)):
                        _tensors(sub, found)
            elif isinstance(item, dict):
                _tensors(item, found)
    elif isinstance(tree, dict):
        for item in tree.values():
            _tensors(item, found)
    return found


def _add(counter: Counter[str], other: dict[str, int]) -> None:
    """``counter.update(other)`` for a small dict, without ``Counter.update``'s overhead."""
    for key, n in other.items():
        counter[key] += n


def _hw(t: torch.Tensor, axes: tuple[int, int]) -> tuple[int, int]:
    return (int(t.shape[axes[0]]), int(t.shape[axes[1]]))


def _out_axes(name: str, args: tuple, axes: tuple[int, int], n_in: int, n_out: int):
    """Where H and W end up after ``permute`` / ``transpose``; unchanged when ndim is kept."""
    if name == "permute":
        dims = args[1] if len(args) == 2 and isinstance(args[1], (tuple, list)) else args[1:]
        dims = [d % n_in for d in dims]
        return (dims.index(axes[0]), dims.index(axes[1]))
    if name in ("transpose", "swapaxes", "swapdims") and len(args) == 3:
        a, b = args[1] % n_in, args[2] % n_in
        swap = {a: b, b: a}
        return (swap.get(axes[0], axes[0]), swap.get(axes[1], axes[1]))
    return axes if n_in == n_out else None


class _Recorder(TorchFunctionMode):
    """Tags op outputs with receptive field and producers; counts ops; follows storages."""

    def __init__(self, record: ForwardRecord, params: set[int]) -> None:
        super().__init__()
        self.record = record
        self.info: dict[int, _Info] = {}
        self.keep: list[torch.Tensor] = []  # alive for the pass, so ids and storages stay unique
        self.stack: list[CallRecord] = []
        self.funcs: dict[str, tuple[Callable | None, str]] = {}  # __name__ -> (shortcut, name)
        self.step = 0
        self.storages: dict[int, list[int]] = {}  # storage -> [bytes, first op, last op]
        self.params = params
        self.saved: dict[int, int] = {}

    def tag(self, t: torch.Tensor, info: _Info) -> None:
        if id(t) not in self.info:
            self.keep.append(t)
        self.info[id(t)] = info
        storage = t.untyped_storage()
        life = self.storages.get(storage._cdata)
        if life is None:
            self.storages[storage._cdata] = [storage.nbytes(), self.step, self.step]
        else:
            life[2] = max(life[2], self.step)

    def pack(self, t: torch.Tensor) -> torch.Tensor:
        storage = t.untyped_storage()
        if storage._cdata not in self.params:
            self.saved[storage._cdata] = storage.nbytes()
        return t

    def __torch_function__(self, func, types, args=(), kwargs=None):
        kwargs = kwargs or {}
        raw = getattr(func, "__name__", None)
        entry = self.funcs.get(raw) if raw is not None else None
        if entry is None:
            entry = (SHORTCUTS.get(raw or ""), normalise_name(func))
            if raw is not None:
                self.funcs[raw] = entry
        shortcut, name = entry
        out = shortcut(args, kwargs) if shortcut is not None else None
        if out is None:
            out = func(*args, **kwargs)
        outs = [out] if isinstance(out, torch.Tensor) else _tensors(out)
        if not outs:
            return out
        info_of = self.info
        ins = _tensors((args, kwargs)) if kwargs else _tensors(args)
        tracked = [(t, info_of[id(t)]) for t in ins if id(t) in info_of]
        if not tracked:  # parameters, buffers and constants only: not part of the activation flow
            return out
        self.step += 1
        step = self.step
        storages = self.storages
        for t, _ in tracked:
            life = storages[t.untyped_storage()._cdata]
            if life[2] < step:
                life[2] = step
        macs, other = count_op(name, args, kwargs, outs[0], len(tracked))
        if macs or other:
            self._count(macs, other)
        if len(tracked) == 1:
            producers = tracked[0][1].producers
        else:
            producer_sets = {i.producers for _, i in tracked}
            producers = frozenset().union(*producer_sets)
            owner = self.stack[-1] if self.stack else None
            if len(producer_sets) >= 2 and name in _MERGES and owner is not None and not owner.leaf:
                producers = self._merge_node(owner.name, name, outs[0], producers)
        spatial = [(t, i) for t, i in tracked if i.axes is not None]
        for o in outs:
            rf, axes = None, None
            if spatial:
                main, info = spatial[0]
                if name in _AXES_OPS:
                    axes = _out_axes(name, args, info.axes, main.dim(), o.dim())
                elif main.dim() == o.dim():  # what _out_axes gives for every other op
                    axes = info.axes
            if axes is not None and all(i.rf is not None for _, i in spatial):
                out_hw = _hw(o, axes)
                hws = [_hw(t, i.axes) for t, i in spatial]
                in_hw = next((hw for hw in hws if hw == out_hw), hws[0])
                if info.axes != (2, 3) and name not in ("permute", "transpose", "swapaxes"):
                    in_hw = in_hw if all(hw in (out_hw, (1, 1)) for hw in hws) else None
                rf, note = propagate(
                    name, args, kwargs, [i.rf for _, i in spatial], in_hw, out_hw, hws
                )
                if note and note not in self.record.notes:
                    self.record.notes.append(note)
            self.tag(o, _Info(rf, producers, axes))
        return out

    def _count(self, macs: int, other: dict[str, int]) -> None:
        """Add one op's counts to the pass total, to every active call and to its owner."""
        self.record.macs += macs
        _add(self.record.other, other)
        for call in self.stack:
            call.macs += macs
            _add(call.other, other)
        if self.stack:  # the model's own call is always on it while model(x) runs
            self.stack[-1].own_macs += macs
            _add(self.stack[-1].own_other, other)

    def _merge_node(self, owner: str, op: str, out: torch.Tensor, inputs: frozenset[int]):
        node = GraphNode(
            len(self.record.nodes), "merge", f"{owner}.{op}" if owner else op, op, tuple(out.shape)
        )
        self.record.nodes.append(node)
        self.record.edges.extend((p, node.id) for p in sorted(inputs))
        return frozenset({node.id})

    # The hooks run outside __torch_function__, where the mode is active: every tensor method
    # they call (``untyped_storage``, ``shape``, ``numel`` ...) would go through the mode's
    # Python dispatch. DisableTorchFunction makes those plain C calls.

    def pre_hook(self, name: str, leaf: bool, module: nn.Module, args, kwargs) -> None:
        call = CallRecord(name, type(module).__name__, leaf)
        info = self.info
        with _DisableTorchFunction():
            ins = [
                t for t in (_tensors((args, kwargs)) if kwargs else _tensors(args)) if id(t) in info
            ]
            if len(ins) == 1:
                call.input_producers = info[id(ins[0])].producers
            elif ins:
                call.input_producers = frozenset().union(*(info[id(t)].producers for t in ins))
            call.input_storages = tuple(t.untyped_storage()._cdata for t in ins)
        self.record.calls.append(call)
        self.stack.append(call)

    def post_hook(self, module: nn.Module, args, kwargs, output) -> None:
        call = self.stack.pop()
        outs = [output] if isinstance(output, torch.Tensor) else _tensors(output)
        if not outs:
            return
        with _DisableTorchFunction():
            o = outs[0]
            call.output_shape = tuple(map(int, o.shape))
            call.output_numel = int(o.numel())
            call.output_bytes = call.output_numel * o.element_size()
            call.inplace = o.untyped_storage()._cdata in call.input_storages
            info = self.info.get(id(o))
            call.receptive_field = info.rf if info is not None else None
            if not call.name:  # the model's output outlives the pass
                for t in outs:
                    self.storages.get(t.untyped_storage()._cdata, [0, 0, 0])[2] = math.inf
            if call.leaf:
                node = GraphNode(
                    len(self.record.nodes), "module", call.name, call.type, call.output_shape
                )
                self.record.nodes.append(node)
                self.record.edges.extend((p, node.id) for p in sorted(call.input_producers))
                call.node = node.id
                producers = frozenset({node.id})
                for t in outs:
                    old = self.info.get(id(t))
                    rf, axes = (old.rf, old.axes) if old is not None else (None, None)
                    self.tag(t, _Info(rf, producers, axes))

    def peak(self) -> int:
        """Largest sum of storage bytes alive at once (a sweep over first/last use)."""
        events: dict[float, int] = {}
        for nbytes, first, last in self.storages.values():
            events[first] = events.get(first, 0) + nbytes
            events[last + 0.5] = events.get(last + 0.5, 0) - nbytes
        live = peak = 0
        for _, delta in sorted(events.items()):
            live += delta
            peak = max(peak, live)
        return peak


@contextlib.contextmanager
def module_hooks(
    model: nn.Module, pre: Callable[..., None], post: Callable[..., None]
) -> Iterator[list[torch.utils.hooks.RemovableHandle]]:
    """Register ``pre(name, leaf, module, args, kwargs)`` / ``post(module, args, kwargs, out)``.

    Hooks go on every module of ``model``; all are removed on exit, also when the body raises.
    """
    handles = []
    try:
        for name, module in model.named_modules():
            leaf = next(module.children(), None) is None
            handles.append(
                module.register_forward_pre_hook(
                    lambda m, a, k, _n=name, _l=leaf: pre(_n, _l, m, a, k), with_kwargs=True
                )
            )
            handles.append(module.register_forward_hook(post, with_kwargs=True))
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


def _wrapper(module: nn.Module, name: str, leaf: bool, pre: Callable, post: Callable):
    call = type(module)._call_impl  # runs the module's own (kept) hooks, then forward

    def wrapped(*args, **kwargs):
        pre(name, leaf, module, args, kwargs)
        out = call(module, *args, **kwargs)
        post(module, args, kwargs, out)
        return out

    return wrapped


@contextlib.contextmanager
def module_calls(
    model: nn.Module,
    pre: Callable[..., None],
    post: Callable[..., None],
    named: list[tuple[str, nn.Module]] | None = None,
) -> Iterator[None]:
    """Call ``pre`` / ``post`` around every module call of ``model``, as :func:`module_hooks`.

    Registering and running two hooks per module costs more than the meta forward of a
    VGG; where it changes nothing (:func:`_wrappable`), each module's ``_call_impl`` is
    wrapped on the instance instead: ``pre`` runs after the module's own forward pre-hooks
    would have, ``post`` right after its forward, and a module whose parent calls
    ``.forward()`` directly is not seen, as with hooks. Everything is undone on exit, also
    when the body raises. ``named``: ``list(model.named_modules())`` if the caller has it.
    """
    named = list(model.named_modules()) if named is None else named
    if not _wrappable([m for _, m in named]):
        with module_hooks(model, pre, post):
            yield
        return
    done: list[nn.Module] = []
    try:
        for name, module in named:
            leaf = all(m is None for m in module._modules.values())  # no children()
            module.__dict__["_call_impl"] = _wrapper(module, name, leaf, pre, post)
            done.append(module)
        yield
    finally:
        for module in done:
            del module.__dict__["_call_impl"]


def record_forward(model: nn.Module, x: torch.Tensor) -> ForwardRecord:
    """Run ``model(x)`` once with grad enabled and record calls, ops, graph, fields and memory.

    Args:
        model: the module to run, in the train/eval mode wanted; hooks are added for the call
            and removed afterwards, so pass a copy when the caller's model must stay untouched.
        x: input batch, e.g. ``(N, C, H, W)`` on the meta device.

    Returns:
        A :class:`ForwardRecord`.

    Raises:
        Whatever ``model(x)`` raises.
    """
    record = ForwardRecord()
    named = list(model.named_modules())  # one walk for the parameters and the wrappers
    params = {
        p.untyped_storage()._cdata
        for _, m in named
        for p in m._parameters.values()
        if p is not None
    }
    recorder = _Recorder(record, params)
    record.nodes.append(GraphNode(0, "input", "input", "input", tuple(x.shape)))
    spatial = x.dim() == 4
    recorder.tag(
        x,
        _Info(
            ReceptiveField2d.identity() if spatial else None,
            frozenset({0}),
            (2, 3) if spatial else None,
        ),
    )
    recorder.storages[x.untyped_storage()._cdata][2] = math.inf  # the caller holds the input
    saved_hooks = torch.autograd.graph.saved_tensors_hooks(recorder.pack, lambda t: t)
    with module_calls(model, recorder.pre_hook, recorder.post_hook, named), torch.enable_grad():
        with saved_hooks, recorder:
            model(x)
    record.peak_live_bytes = recorder.peak()
    record.saved_bytes = sum(recorder.saved.values())
    return record
