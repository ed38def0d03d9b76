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
from vizkit.summary._meta.common import check_same_dtype
from vizkit.summary._meta.shortcuts import SHORTCUTS, Shortcut
from vizkit.summary._torch_internals import (
    device_constructors,
    distribution_checks_off,
    storage_key,
)
from vizkit.summary.call_recording import CallRecording
from vizkit.summary.calls import module_calls, module_hooks
from vizkit.summary.field_rules import Propagator, propagator_for
from vizkit.summary.opcount import Counter, counter_for, normalise_name
from vizkit.summary.records import (
    CallRecord,
    ForwardFailure,
    ForwardRecord,
    Info,
    hw_of,
    merge_counts,
    out_axes,
    tensors_in,
    tracked_in,
)
from vizkit.summary.table import GraphNode
from vizkit.summary.trees import argument_paths, tensor_paths

_DisableTorchFunction = torch._C.DisableTorchFunction
_META = torch.device("meta")
_Tensor = torch.Tensor

__all__ = [
    "CallRecord",
    "ForwardFailure",
    "ForwardRecord",
    "module_calls",
    "module_hooks",
    "record_forward",
]

_AXES_OPS = frozenset({"permute", "transpose", "swapaxes", "swapdims"})
_MERGES = frozenset({"add", "sub", "mul", "div", "cat", "concat", "concatenate", "stack"})
_FIELD_AXES_OPS = frozenset({"permute", "transpose", "swapaxes"})  # keep the field as it is
_FACTORIES = device_constructors()
_SAME_DTYPE = frozenset(
    {
        *(f"conv{d}d" for d in (1, 2, 3)),
        *(f"conv_transpose{d}d" for d in (1, 2, 3)),
        *("linear", "matmul", "mm", "bmm", "addmm", "baddbmm"),
    }
)


@dataclass(frozen=True)
class _Op:
    """What the recorder looks up once per torch function."""

    shortcut: Shortcut | None
    name: str
    counter: Counter | None
    propagator: Propagator
    axes_op: bool
    same_dtype: bool  # torch refuses mixed dtypes here on real tensors, not on meta ones
    factory: bool  # makes a tensor from nothing (torch.zeros ...): on the pass's device


class _Recorder(CallRecording, TorchFunctionMode):
    """Tags op outputs with receptive field and producers; counts ops; follows storages;
    records module calls (:class:`~vizkit.summary.call_recording.CallRecording`)."""

    def __init__(
        self,
        record: ForwardRecord,
        params: set[int],
        counted: set[int],
        device: torch.device | None,
    ) -> None:
        super().__init__()
        self.device = device  # where tensors made from nothing go (meta), or None: the default
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
        # storages already in the activations: inputs, parameters, buffers, earlier outputs
        self.counted = counted

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
            name in _SAME_DTYPE,
            func in _FACTORIES,
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
        if op.factory and self.device is not None and kwargs.get("device") is None:
            # torch.zeros(n) in a forward: on the meta device with everything else, as
            # ``with torch.device("meta")`` would make it
            kwargs = {**kwargs, "device": self.device}
        if op.same_dtype:
            check_same_dtype(op.name, args, kwargs)
        out = op.shortcut(args, kwargs, self.save) if op.shortcut is not None else None
        if out is None:
            out = func(*args, **kwargs)
        return self.after(op, args, kwargs, out)

    def after(self, op: _Op, args: tuple, kwargs: dict, out: object) -> object:
        """Record one op that returned ``out``: counts, graph, fields, storages; ``out``."""
        outs = (out,) if isinstance(out, _Tensor) else tensors_in(out)
        if not outs:
            return out
        info_of = self.info
        tracked = tracked_in(args, info_of, [])
        if kwargs:
            tracked_in(kwargs.values(), info_of, tracked)
        if not tracked:  # parameters, buffers and constants only: not part of the activation
            if op.counter is not None:  # flow, but counted (a layer applied to a learned input)
                macs, other = self.counts(op, args, kwargs, outs[0], 0)
                if macs or other:
                    self._count(macs, other)
            return out
        self.step = step = self.step + 1
        for _, i in tracked:
            life = i.life
            if life[2] < step:
                life[2] = step
        name = op.name
        if op.counter is not None:
            macs, other = self.counts(op, args, kwargs, outs[0], len(tracked))
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

    def counts(
        self, op: _Op, args: tuple, kwargs: dict, out: torch.Tensor, n_act: int
    ) -> tuple[int, dict[str, int]]:
        """``op.counter(...)``; an op whose arguments it cannot read (a quantized layer's packed
        weights) counts nothing, and the table's notes say so."""
        try:
            return op.counter(args, kwargs, out, n_act)  # type: ignore[misc]
        except Exception as err:
            note = f"operations of {op.name} not counted ({type(err).__name__}: {err})"[:200]
            if note not in self.record.notes:
                self.record.notes.append(note)
            return 0, {}

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


def record_forward(
    model: nn.Module, args: tuple = (), kwargs: dict[str, object] | None = None
) -> ForwardRecord:
    """Run ``model(*args, **kwargs)`` once with grad enabled and record calls, ops, graph,
    fields, memory and the output.

    Args:
        model: the module to run, in the train/eval mode wanted; callbacks are added for the
            call and removed afterwards, so pass a copy when the caller's model must stay
            untouched.
        args: positional arguments, e.g. ``(x,)`` with ``x`` an ``(N, C, H, W)`` batch on the
            meta device; every tensor in them (nested too) is an input of the graph, a 4-D
            floating one the grid receptive fields are measured on.
        kwargs: keyword arguments, tensors or not.

    Returns:
        A :class:`ForwardRecord`.

    Raises:
        ForwardFailure: the forward raised; it carries the error and the module that ran.
    """
    kwargs = {} if kwargs is None else kwargs
    named = list(model.named_modules())  # one walk for the parameters, wrappers and the table
    record = ForwardRecord(modules=named)
    params = {
        storage_key(p.untyped_storage())
        for _, m in named
        for p in m._parameters.values()
        if p is not None
    }
    static = params | {
        storage_key(b.untyped_storage())
        for _, m in named
        for b in m._buffers.values()
        if b is not None
    }
    first = next((p for _, m in named for p in m._parameters.values() if p is not None), None)
    if first is None:
        first = next((t for _, t in argument_paths(args, kwargs)), None)
    on_meta = first is not None and first.is_meta  # type: ignore[union-attr]
    recorder = _Recorder(record, params, static, _META if on_meta else None)
    for path, x in argument_paths(args, kwargs):
        t: torch.Tensor = x  # type: ignore[assignment]
        node = len(record.nodes)
        record.nodes.append(GraphNode(node, "input", path, "input", tuple(t.shape)))
        spatial = t.dim() == 4 and t.is_floating_point()
        rf = ReceptiveField.identity() if spatial else None
        recorder.tag(t, rf, frozenset({node}), (2, 3) if spatial else None)
        info = recorder.info[id(t)]
        info.life[2] = math.inf  # the caller holds the input
        if info.storage not in recorder.counted:
            recorder.counted.add(info.storage)
            record.input_bytes += info.life[0]
    saved_hooks = torch.autograd.graph.saved_tensors_hooks(recorder.pack, _unpack)
    try:
        calls = module_calls(model, recorder.pre, recorder.post, named, recorder.leaf_call)
        with calls, torch.enable_grad():
            with saved_hooks, recorder, distribution_checks_off():
                out = model(*args, **kwargs)
    except Exception as err:
        call = recorder.stack[-1] if recorder.stack else None
        raise ForwardFailure(err, call.name if call else None, call.type if call else None) from err
    record.output_type = "Tensor" if isinstance(out, torch.Tensor) else type(out).__name__
    record.outputs = tensor_paths(out, "output", [])  # type: ignore[assignment]
    record.peak_live_bytes = recorder.peak()
    record.saved_bytes = sum(recorder.saved.values())
    return record


def _unpack(t: torch.Tensor) -> torch.Tensor:
    return t
