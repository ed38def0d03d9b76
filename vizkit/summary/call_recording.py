"""The module-call half of the recorder: what happens before and after each module's forward.

:class:`CallRecording` is mixed into :class:`vizkit.summary.record._Recorder` (the op half):

- :meth:`~CallRecording.pre` / :meth:`~CallRecording.post` run around every module call
  (:mod:`vizkit.summary.calls` installs them): a :class:`~vizkit.summary.records.CallRecord`
  per call, its output shape and field, the new memory it returns, a graph node for a leaf;
- :meth:`~CallRecording.leaf_call` records a plain leaf module (:mod:`vizkit.summary.leaf_calls`)
  without running its ``forward``: its one op through the same stand-in, and the call, in one
  step that leaves exactly the record ``pre`` + the op + ``post`` would.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import TYPE_CHECKING

import torch
from torch import nn

from vizkit.summary._meta.common import same_dtype
from vizkit.summary._torch_internals import storage_key
from vizkit.summary.leaf_calls import LEAF_CALLS, MISS, PASS_THROUGH
from vizkit.summary.records import (
    CallRecord,
    Info,
    graph_node,
    hw_of,
    merge_counts,
    tensors_in,
    tracked_in,
)

if TYPE_CHECKING:
    from vizkit.geometry.receptive import ReceptiveField
    from vizkit.summary.records import ForwardRecord

__all__ = ["CallRecording"]

_DisableTorchFunction = torch._C.DisableTorchFunction
_Tensor = torch.Tensor
_FIELD_AXES_OPS = frozenset({"permute", "transpose", "swapaxes"})


class CallRecording:
    """Module calls: ``pre`` / ``post`` around each, and the leaf shortcut.

    Uses the recorder's state: ``record``, ``info``, ``storages``, ``counted``, ``keep``,
    ``stack``, ``step``, ``ops``, and its ``after`` / ``_op`` / ``tag``.
    """

    record: ForwardRecord
    info: dict[int, Info]
    storages: dict[int, list]
    counted: set[int]
    keep: list[torch.Tensor]
    stack: list[CallRecord]
    step: int
    ops: dict[object, object]
    after: Callable[..., object]
    _op: Callable[[object], object]
    tag: Callable[..., None]
    save: Callable[[object], None]
    counts: Callable[..., tuple[int, dict[str, int]]]

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
        self.record.ended.append(call)
        outs = [output] if isinstance(output, _Tensor) else tensors_in(output)
        if not outs:
            return
        with _DisableTorchFunction():
            o = outs[0]
            call.output_shape = tuple(o.shape)
            info_of = self.info
            info = info_of.get(id(o))
            storage = info.storage if info is not None else storage_key(o.untyped_storage())
            call.receptive_field = info.rf if info is not None else None
            counted = self.counted
            for t in outs:  # the new memory among the outputs: counted once, here
                i = info if t is o else info_of.get(id(t))
                key = storage if t is o else (i.storage if i is not None else None)
                if key is None:
                    key = storage_key(t.untyped_storage())
                if key in counted:
                    continue
                counted.add(key)
                call.new_numel += t.numel()
                if i is not None:
                    call.new_bytes += i.life[0]
                else:
                    call.new_bytes += t.untyped_storage().nbytes()
                    self.keep.append(t)  # alive, so that its storage's key stays unique
            # no new memory: in place, a view or the input passed through
            call.inplace = not call.new_bytes and storage in call.input_storages
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
                    old = info_of.get(id(t))
                    if old is None:
                        self.tag(t, None, producers, None)
                        continue
                    life = old.life
                    if life[2] < step:
                        life[2] = step
                    info_of[id(t)] = Info(old.rf, producers, old.axes, life, old.storage)

    def leaf_call(self, name: str, module: nn.Module) -> Callable[[object], object] | None:
        """A recording of ``module(x)`` that skips its ``forward`` (:mod:`~.leaf_calls`).

        For a leaf of a type :data:`~vizkit.summary.leaf_calls.LEAF_CALLS` knows: the returned
        callable records the call and the one op its forward runs, exactly as the full path
        would, and returns the output; or :data:`~vizkit.summary.leaf_calls.MISS` where that
        path must run (an input that is no activation, a configuration left to torch).
        """
        entry = LEAF_CALLS.get(type(module))
        if entry is None:
            return None
        func, arguments = entry
        type_name = type(module).__name__
        info_of, save = self.info, self.save
        pre, post, after, one_call = self.pre, self.post, self.after, self._one_call
        if func is PASS_THROUGH:

            def through(x: object) -> object:
                if id(x) not in info_of:
                    return MISS
                with _DisableTorchFunction():
                    pre(name, True, type_name, (x,), {})
                    post(x)
                return x

            return through
        op = self.ops.get(func) or self._op(func)
        shortcut, check = op.shortcut, op.same_dtype

        def fast(x: object) -> object:
            if id(x) not in info_of:
                return MISS
            # as inside __torch_function__, where the mode is off: the op's own tensor calls
            # and the recording's (.dim(), .dtype ...) are plain C calls, not recorded ops
            with _DisableTorchFunction():
                built = arguments(module, x)  # type: ignore[arg-type]
                if built is None:
                    return MISS
                args, kwargs = built
                if check and not same_dtype(args, kwargs):
                    return MISS  # the full path raises, naming this layer
                try:
                    out = (
                        func(*args, **kwargs) if shortcut is None else shortcut(args, kwargs, save)
                    )
                except Exception:  # the full path raises it again, inside this layer's call
                    return MISS
                if out is None:
                    return MISS
                if type(out) is not _Tensor:  # several outputs: the general way
                    pre(name, True, type_name, (x,), {})
                    after(op, args, kwargs, out)
                    post(out)
                else:
                    one_call(name, type_name, op, args, kwargs, x, out)
            return out

        return fast

    def _one_call(
        self,
        name: str,
        type_name: str,
        op: object,
        args: tuple,
        kwargs: dict,
        x: torch.Tensor,
        out: torch.Tensor,
    ) -> None:
        """``pre``, ``after(op)`` and ``post`` of a leaf call with one activation ``x`` in and
        one tensor ``out`` out, in one step (the same record; no intermediate tag)."""
        record, info_of = self.record, self.info
        info = info_of[id(x)]
        step = self.step = self.step + 1
        life = info.life
        if life[2] < step:
            life[2] = step
        call = CallRecord(name, type_name, True)
        call.input_producers = producers = info.producers
        call.input_storages = (info.storage,)
        record.calls.append(call)
        record.ended.append(call)
        if op.counter is not None:  # type: ignore[attr-defined]
            macs, other = self.counts(op, args, kwargs, out, 1)
            if macs or other:
                record.macs += macs
                merge_counts(record.other, other)
                call.own_macs = call.macs = macs
                merge_counts(call.own_other, other)
                if self.stack:
                    parent = self.stack[-1]
                    parent.macs += macs
                    if other:
                        if parent.other is parent.own_other:
                            parent.other = dict(parent.own_other)
                        merge_counts(parent.other, other)
        rf: ReceptiveField | None = None
        axes = info.axes if info.axes is not None and x.dim() == out.dim() else None
        if axes is not None and info.rf is not None:
            in_hw, out_hw = hw_of(x, axes), hw_of(out, axes)
            if axes == (2, 3) or op.name in _FIELD_AXES_OPS or in_hw in (out_hw, (1, 1)):  # type: ignore[attr-defined]
                rf, note = op.propagator(args, kwargs, [info.rf], in_hw, out_hw, [in_hw])  # type: ignore[attr-defined]
                if note and note not in record.notes:
                    record.notes.append(note)
        storage = out.untyped_storage()
        key = storage_key(storage)
        if id(out) not in info_of:
            self.keep.append(out)
        out_life = self.storages.get(key)
        if out_life is None:
            out_life = self.storages[key] = [storage.nbytes(), step, step]
        elif out_life[2] < step:
            out_life[2] = step
        if key not in self.counted:
            self.counted.add(key)
            call.new_numel = out.numel()
            call.new_bytes = out_life[0]
        call.inplace = not call.new_bytes and key == info.storage
        call.output_shape = shape = tuple(out.shape)
        call.receptive_field = rf
        if not name:  # the model itself is this leaf: its output outlives the pass
            out_life[2] = math.inf
        nodes = record.nodes
        call.node = node = len(nodes)
        nodes.append(graph_node(node, "module", name, type_name, shape))
        if len(producers) == 1:
            for p in producers:
                record.edges.append((p, node))
        else:
            record.edges.extend((p, node) for p in sorted(producers))
        info_of[id(out)] = Info(rf, frozenset((node,)), axes, out_life, key)
