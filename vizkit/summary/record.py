"""Record one forward pass: every module call, every torch op, and how tensors flow between them.

:func:`record_forward` runs a model under a :class:`torch.overrides.TorchFunctionMode` that sees
every torch function (``F.conv2d``, ``torch.cat``, ``x + y`` ...) plus a callback around every
module call (:mod:`vizkit.summary.calls`). Each activation is tagged with its receptive field and
with the graph nodes that produced it, so branches and merges (Inception, ResNet) are followed
exactly. On the meta device this costs no memory and no arithmetic: only shapes flow.

Memory is measured in the same pass:

- inference peak: each activation storage lives from the op that creates it to the last op that
  reads it (the model input and output for the whole pass), which is when eager PyTorch frees it
  without autograd; the peak is the largest sum of storages alive during one op;
- training: the bytes autograd saves for backward (``saved_tensors_hooks``, and what the meta
  stand-ins of :mod:`vizkit.summary._meta.shortcuts` report), parameters excluded.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch
from torch import nn
from torch.overrides import TorchFunctionMode

from vizkit.geometry.receptive import ReceptiveField
from vizkit.summary._meta.shortcuts import SHORTCUTS, Shortcut
from vizkit.summary._torch_internals import storage_key
from vizkit.summary.calls import module_calls, module_hooks
from vizkit.summary.field_rules import Propagator, propagator_for
from vizkit.summary.opcount import Counter, counter_for, normalise_name
from vizkit.summary.records import (
    CallRecord,
    ForwardRecord,
    Info,
    graph_node,
    hw_of,
    merge_counts,
    out_axes,
    tensors_in,
    tracked_in,
)
from vizkit.summary.table import GraphNode

_DisableTorchFunction = torch._C.DisableTorchFunction
_Tensor = torch.Tensor

__all__ = ["CallRecord", "ForwardRecord", "module_calls", "module_hooks", "record_forward"]

_AXES_OPS = frozenset({"permute", "transpose", "swapaxes", "swapdims"})
_MERGES = frozenset({"add", "sub", "mul", "div", "cat", "concat", "concatenate", "stack"})
_FIELD_AXES_OPS = frozenset({"permute", "transpose", "swapaxes"})  # keep the field as it is


@dataclass(frozen=True)
class _Op:
    """What the recorder looks up once per torch function."""

    shortcut: Shortcut | None
    name: str
    counter: Counter | None
    propagator: Propagator
    axes_op: bool


class _Recorder(TorchFunctionMode):
    """Tags op outputs with receptive field and producers; counts ops; follows storages."""

    def __init__(self, record: ForwardRecord, params: set[int]) -> None:
        super().__init__()
        self.record = record
        self.info: dict[int, Info] = {}
        self.keep: list[torch.Tensor] = []  # alive for the pass, so ids and storages stay unique
        self.stack: list[CallRecord] = []
        self.ops: dict[object, _Op] = {}
        self.step = 0
        self.storages: dict[int, list] = {}  # storage -> [bytes, first op, last op]
        self.params = params
        self.saved: dict[int, int] = {}  # storage (or -n for the n-th new tensor) -> bytes
        self.new_saved = 0

    def tag(self, t: torch.Tensor, rf, producers: frozenset[int], axes) -> None:
        """Record ``t`` as an activation (call with torch functions disabled)."""
        key = id(t)
        if key not in self.info:
            self.keep.append(t)
        storage = t.untyped_storage()
        cdata = storage_key(storage)
        life = self.storages.get(cdata)
        if life is None:
            life = self.storages[cdata] = [storage.nbytes(), self.step, self.step]
        elif life[2] < self.step:
            life[2] = self.step
        self.info[key] = Info(rf, producers, axes, life, cdata)

    def pack(self, t: torch.Tensor) -> torch.Tensor:
        """``saved_tensors_hooks`` pack hook: note the bytes of a tensor kept for backward."""
        storage = t.untyped_storage()
        if storage_key(storage) not in self.params:
            self.saved[storage_key(storage)] = storage.nbytes()
        return t

    def save(self, item: object) -> None:
        """The stand-ins' report (``meta_shortcuts.Save``): a kept tensor or a new one."""
        if type(item) is tuple:
            shape, dtype = item
            self.new_saved += 1
            self.saved[-self.new_saved] = math.prod(shape) * dtype.itemsize
        else:
            self.pack(item)  # type: ignore[arg-type]

    def _op(self, func: object) -> _Op:
        raw = getattr(func, "__name__", None)
        name = normalise_name(func)
        op = _Op(
            SHORTCUTS.get(raw) if raw is not None else None,
            name,
            counter_for(name),
            propagator_for(name),
            name in _AXES_OPS,
        )
        try:
            self.ops[func] = op
        except TypeError:  # an unhashable callable: looked up again next time
            pass
        return op

    def __torch_function__(self, func, types, args=(), kwargs=None):
        try:
            op = self.ops[func]
        except (KeyError, TypeError):
            op = self._op(func)
        if kwargs is None:
            kwargs = {}
        out = op.shortcut(args, kwargs, self.save) if op.shortcut is not None else None
        if out is None:
            out = func(*args, **kwargs)
        outs = (out,) if isinstance(out, _Tensor) else tensors_in(out)
        if not outs:
            return out
        info_of = self.info
        tracked = tracked_in(args, info_of, [])
        if kwargs:
            tracked_in(kwargs.values(), info_of, tracked)
        if not tracked:  # parameters, buffers and constants only: not part of the activation flow
            return out
        self.step = step = self.step + 1
        for _, i in tracked:
            life = i.life
            if life[2] < step:
                life[2] = step
        name = op.name
        if op.counter is not None:
            macs, other = op.counter(args, kwargs, outs[0], len(tracked))
            if macs or other:
                self._count(macs, other)
        if len(tracked) == 1:
            producers = tracked[0][1].producers
            spatial = tracked if tracked[0][1].axes is not None else []
        else:
            producer_sets = {i.producers for _, i in tracked}
            producers = frozenset().union(*producer_sets)
            owner = self.stack[-1] if self.stack else None
            if len(producer_sets) >= 2 and name in _MERGES and owner is not None and not owner.leaf:
                producers = self._mergegraph_node(owner.name, name, outs[0], producers)
            spatial = [(t, i) for t, i in tracked if i.axes is not None]
        if not spatial:
            for o in outs:
                self.tag(o, None, producers, None)
            return out
        main, info = spatial[0]
        fields = [i.rf for _, i in spatial]
        known = None not in fields
        hws = [hw_of(t, i.axes) for t, i in spatial] if known else []  # type: ignore[arg-type]
        for o in outs:
            rf = None
            if op.axes_op:
                axes = out_axes(name, args, info.axes, main.dim(), o.dim())  # type: ignore[arg-type]
            else:
                axes = info.axes if main.dim() == o.dim() else None
            if axes is not None and known:
                out_hw = hw_of(o, axes)
                in_hw: tuple[int, int] | None = next((hw for hw in hws if hw == out_hw), hws[0])
                if info.axes != (2, 3) and name not in _FIELD_AXES_OPS:
                    in_hw = in_hw if all(hw in (out_hw, (1, 1)) for hw in hws) else None
                if in_hw is not None:
                    rf, note = op.propagator(args, kwargs, fields, in_hw, out_hw, hws)
                    if note and note not in self.record.notes:
                        self.record.notes.append(note)
            self.tag(o, rf, producers, axes)
        return out

    def _count(self, macs: int, other: dict[str, int]) -> None:
        """Add one op's counts to the pass total and to the call that runs it.

        The calls around it get them when that call ends (:meth:`post`).
        """
        record = self.record
        record.macs += macs
        merge_counts(record.other, other)
        if self.stack:  # the model's own call is always on it while model(x) runs
            owner = self.stack[-1]
            owner.own_macs += macs
            owner.macs += macs
            merge_counts(owner.own_other, other)
            if owner.other is not owner.own_other:
                merge_counts(owner.other, other)

    def _mergegraph_node(self, owner: str, op: str, out: torch.Tensor, inputs: frozenset[int]):
        node = GraphNode(
            len(self.record.nodes), "merge", f"{owner}.{op}" if owner else op, op, tuple(out.shape)
        )
        self.record.nodes.append(node)
        self.record.edges.extend((p, node.id) for p in sorted(inputs))
        return frozenset({node.id})

    # The callbacks run outside __torch_function__, where the mode is active: every tensor
    # method they call (``untyped_storage``, ``shape``, ``numel`` ...) would go through the
    # mode's Python dispatch. DisableTorchFunction makes those plain C calls.

    def pre(self, name: str, leaf: bool, type_name: str, args: tuple, kwargs: dict) -> None:
        """Before a module's forward (:data:`vizkit.summary.calls.Pre`)."""
        call = CallRecord(name, type_name, leaf)
        ins = tracked_in(args, self.info, [])
        if kwargs:
            tracked_in(kwargs.values(), self.info, ins)
        if len(ins) == 1:
            info = ins[0][1]
            call.input_producers = info.producers
            call.input_storages = (info.storage,)
        elif ins:
            call.input_producers = frozenset().union(*(i.producers for _, i in ins))
            call.input_storages = tuple(i.storage for _, i in ins)
        self.record.calls.append(call)
        self.stack.append(call)

    def post(self, output: object) -> None:
        """After a module's forward (:data:`vizkit.summary.calls.Post`)."""
        call = self.stack.pop()
        if self.stack:  # what the call counted, its parent counted too
            parent = self.stack[-1]
            parent.macs += call.macs
            if call.other:
                if parent.other is parent.own_other:  # a leaf with a call inside it
                    parent.other = dict(parent.own_other)
                merge_counts(parent.other, call.other)
        outs = [output] if isinstance(output, _Tensor) else tensors_in(output)
        if not outs:
            return
        with _DisableTorchFunction():
            o = outs[0]
            call.output_shape = tuple(o.shape)
            call.output_numel = numel = o.numel()
            call.output_bytes = numel * o.element_size()
            info = self.info.get(id(o))
            storage = info.storage if info is not None else storage_key(o.untyped_storage())
            call.inplace = storage in call.input_storages
            call.receptive_field = info.rf if info is not None else None
            if not call.name:  # the model's output outlives the pass
                for t in outs:
                    self.storages.get(storage_key(t.untyped_storage()), [0, 0, 0])[2] = math.inf
            if call.leaf:
                nodes = self.record.nodes
                node_id = len(nodes)
                nodes.append(graph_node(node_id, "module", call.name, call.type, call.output_shape))
                edges = self.record.edges
                if len(call.input_producers) == 1:
                    for p in call.input_producers:
                        edges.append((p, node_id))
                else:
                    edges.extend((p, node_id) for p in sorted(call.input_producers))
                call.node = node_id
                producers = frozenset((node_id,))
                step = self.step
                for t in outs:
                    old = self.info.get(id(t))
                    if old is None:
                        self.tag(t, None, producers, None)
                        continue
                    life = old.life
                    if life[2] < step:
                        life[2] = step
                    self.info[id(t)] = Info(old.rf, producers, old.axes, life, old.storage)

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


def record_forward(model: nn.Module, x: torch.Tensor) -> ForwardRecord:
    """Run ``model(x)`` once with grad enabled and record calls, ops, graph, fields and memory.

    Args:
        model: the module to run, in the train/eval mode wanted; callbacks are added for the
            call and removed afterwards, so pass a copy when the caller's model must stay
            untouched.
        x: input batch, e.g. ``(N, C, H, W)`` on the meta device.

    Returns:
        A :class:`ForwardRecord`.

    Raises:
        Whatever ``model(x)`` raises.
    """
    named = list(model.named_modules())  # one walk for the parameters, wrappers and the table
    record = ForwardRecord(modules=named)
    params = {
        storage_key(p.untyped_storage())
        for _, m in named
        for p in m._parameters.values()
        if p is not None
    }
    recorder = _Recorder(record, params)
    record.nodes.append(GraphNode(0, "input", "input", "input", tuple(x.shape)))
    spatial = x.dim() == 4
    rf = ReceptiveField.identity() if spatial else None
    recorder.tag(x, rf, frozenset({0}), (2, 3) if spatial else None)
    recorder.info[id(x)].life[2] = math.inf  # the caller holds the input
    saved_hooks = torch.autograd.graph.saved_tensors_hooks(recorder.pack, _unpack)
    with module_calls(model, recorder.pre, recorder.post, named), torch.enable_grad():
        with saved_hooks, recorder:
            model(x)
    record.peak_live_bytes = recorder.peak()
    record.saved_bytes = sum(recorder.saved.values())
    return record


def _unpack(t: torch.Tensor) -> torch.Tensor:
    return t
