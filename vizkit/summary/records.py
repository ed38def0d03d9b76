"""What :func:`vizkit.summary.record.record_forward` records, and how it finds tensors.

The call records, the pass record, the per-tensor facts, and the small helpers the recorder
runs for every op (finding the recorded tensors among an op's arguments, adding counts).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import torch
from torch import nn

from vizkit.geometry.receptive import ReceptiveField
from vizkit.summary.table import GraphNode

__all__ = ["CallRecord", "ForwardFailure", "ForwardRecord"]

_Tensor = torch.Tensor


class CallRecord:
    """One call of one module during the recorded forward pass.

    ``macs`` / ``other`` count every op run while the call was active, its children's included;
    ``own_macs`` / ``own_other`` only the ops its own ``forward`` ran outside any recorded child
    call (for a leaf: all of them; for a block: e.g. the residual ``+`` of a ResNet block). Each
    op is owned by exactly one call, so the own counts over all calls add up to the pass total.
    ``input_storages`` are the storages of the call's tracked inputs (to tell in-place output).
    ``new_numel`` / ``new_bytes``: elements and storage bytes of the tensors the call returned
    whose storage no input, parameter or earlier call had (what it adds to the activations).
    """

    # Defaults on the class: a call sets only what it changes (one per module call, so the
    # cost of __init__ shows).
    output_shape: tuple[int, ...] | None = None
    new_numel = 0
    new_bytes = 0
    inplace = False
    receptive_field: ReceptiveField | None = None
    macs = 0
    own_macs = 0
    node: int | None = None
    input_producers: frozenset[int] = frozenset()
    input_storages: tuple[int, ...] = ()

    def __init__(self, name: str, type_name: str, leaf: bool) -> None:
        self.name = name
        self.type = type_name
        self.leaf = leaf
        self.own_other: dict[str, int] = {}
        # a leaf's counts are its own until a call inside it (rare: a module that is not its
        # child) adds to them; _Recorder.post then gives it its own dict
        self.other: dict[str, int] = self.own_other if leaf else {}

    def __repr__(self) -> str:
        return f"CallRecord({self.name!r}, {self.type}, shape={self.output_shape})"


@dataclass
class ForwardRecord:
    """Everything :func:`record_forward` saw, in call order."""

    calls: list[CallRecord] = field(default_factory=list)  # in the order they began
    ended: list[CallRecord] = field(default_factory=list)  # in the order they ended
    nodes: list[GraphNode] = field(default_factory=list)
    edges: list[tuple[int, int]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    macs: int = 0
    other: dict[str, int] = field(default_factory=dict)
    peak_live_bytes: int = 0
    saved_bytes: int = 0
    modules: list[tuple[str, nn.Module]] = field(default_factory=list)  # named_modules()
    input_bytes: int = 0  # the input tensors' storages, each once
    outputs: list[tuple[str, torch.Tensor]] = field(default_factory=list)  # (path, tensor)
    output_type: str | None = None  # class name of what the forward returned


class ForwardFailure(Exception):
    """``model(...)`` raised ``error`` while module ``layer`` was running.

    ``layer`` is the dotted name of the innermost module call that was running (``""``: the
    model's own ``forward``; None: before any module ran), ``layer_type`` its class name.
    """

    def __init__(self, error: Exception, layer: str | None, layer_type: str | None) -> None:
        super().__init__(f"{type(error).__name__} in {layer!r}: {error}")
        self.error = error
        self.layer = layer
        self.layer_type = layer_type


class Info:
    """What the recorder knows of one activation tensor."""

    __slots__ = ("axes", "life", "producers", "rf", "storage")

    def __init__(self, rf, producers, axes, life, storage) -> None:
        self.rf: ReceptiveField | None = rf
        self.producers: frozenset[int] = producers
        self.axes: tuple[int, int] | None = axes  # where H and W are (2, 3 for NCHW)
        self.life: list = life  # [bytes, first op, last op] of its storage, shared by views
        self.storage: int = storage  # the storage's id (``_cdata``)


_LEAVES = (int, float, bool, str, type(None))  # the usual non-tensor arguments


def tensors_in(tree: object, found: list[torch.Tensor] | None = None) -> list[torch.Tensor]:
    """Tensors inside nested tuples / lists / dicts / namedtuples (a lean ``tree_flatten``)."""
    found = [] if found is None else found
    if isinstance(tree, _Tensor):
        found.append(tree)
    elif isinstance(tree, (tuple, list)):
        for item in tree:
            if type(item) in _LEAVES:
                continue
            if isinstance(item, (_Tensor, tuple, list, dict)):
                tensors_in(item, found)
    elif isinstance(tree, dict):
        for item in tree.values():
            tensors_in(item, found)
    return found


def tracked_in(items, info_of: dict[int, Info], found: list) -> list:
    """``(tensor, info)`` of the recorded activations among ``items``, depth first.

    Only ids are compared: every recorded tensor is kept alive for the pass, so no other live
    object shares its id. Numbers and stride / padding pairs are passed over without a lookup.
    """
    for item in items:
        kind = type(item)
        if kind in _LEAVES:
            continue
        if kind is tuple or kind is list:
            for sub in item:
                if type(sub) in _LEAVES:
                    continue
                info = info_of.get(id(sub))
                if info is not None:
                    found.append((sub, info))
                elif isinstance(sub, (tuple, list, dict)):
                    tracked_in((sub,), info_of, found)
            continue
        info = info_of.get(id(item))
        if info is not None:
            found.append((item, info))
        elif isinstance(item, (tuple, list)):  # a namedtuple, torch.Size ...
            tracked_in(tuple(item), info_of, found)
        elif isinstance(item, dict):
            tracked_in(item.values(), info_of, found)
    return found


def merge_counts(into: dict[str, int], other: dict[str, int]) -> None:
    """``Counter.update`` for two small plain dicts."""
    for key, n in other.items():
        into[key] = into.get(key, 0) + n


def hw_of(t: torch.Tensor, axes: tuple[int, int]) -> tuple[int, int]:
    shape = t.shape
    return (shape[axes[0]], shape[axes[1]])


def out_axes(name: str, args: tuple, axes: tuple[int, int], n_in: int, n_out: int):
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


def graph_node(
    node_id: int, kind: str, name: str, type_name: str, shape: tuple[int, ...] | None
) -> GraphNode:
    """``GraphNode(...)`` without the frozen ``__init__``'s cost (one per module call)."""
    node = object.__new__(GraphNode)
    node.__dict__.update(id=node_id, kind=kind, name=name, type=type_name, output_shape=shape)
    return node
