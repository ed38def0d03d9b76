"""Turn a recorded forward pass into the layer table: rows, blocks and totals.

:func:`assemble` is step 3 of :func:`vizkit.summarize`: the calls, ops and storages that
:func:`vizkit.summary.record.record_forward` saw, plus the parameters and buffers of the model
that ran, become a :class:`~vizkit.summary.table.LayerTable`, one row per module call.
:func:`parameters_only` is the table of a model given no input.

Parameters count in the first row of the module that registers them (a parameter shared by
two modules only in the first); operations in the row of the call whose ``forward`` runs them;
new activation memory in the row of the first call that returns it.
"""

from __future__ import annotations

import torch
from torch import nn

from vizkit.summary.record import CallRecord, ForwardRecord
from vizkit.summary.table import BlockRow, LayerRow, LayerTable, TensorSpec
from vizkit.summary.trees import spec

__all__ = ["assemble", "parameters_only"]

_NORM_TYPES = (nn.modules.batchnorm._NormBase, nn.GroupNorm, nn.LayerNorm, nn.LocalResponseNorm)


def _is_bias(pname: str) -> bool:
    """``bias``, ``bias_k`` / ``bias_v``, ``in_proj_bias``: the additive parameters."""
    return pname.startswith("bias") or pname.endswith("_bias")


def _own_params(module: nn.Module) -> list[tuple[str, nn.Parameter]]:
    """``module.named_parameters(recurse=False)`` without its generator machinery (~10× faster)."""
    params = module._parameters
    if not params:
        return []
    ids: set[int] = set()
    own = []
    for pname, p in params.items():
        if p is not None and id(p) not in ids:
            ids.add(id(p))
            own.append((pname, p))
    return own


def _param_split(
    module: nn.Module, own: list[tuple[str, nn.Parameter]], seen: set[int]
) -> tuple[int, int, int, int]:
    """Weights / biases / norm / trainable of the parameters ``own`` registered on ``module``.

    A parameter already in ``seen`` (shared with an earlier row) is not counted again.
    """
    weights = bias = norm = trainable = 0
    is_norm = isinstance(module, _NORM_TYPES)
    for pname, p in own:
        if id(p) in seen:
            continue
        seen.add(id(p))
        n = p.numel()
        if p.requires_grad:
            trainable += n
        if is_norm:
            norm += n
        elif _is_bias(pname):
            bias += n
        else:
            weights += n
    return weights, bias, norm, trainable


def _inside(name: str, parent: str) -> bool:
    return parent == "" or name.startswith(parent + ".")


def _place_own_rows(order: list[str], own: list[str]) -> list[str]:
    """Insert each block's own row right after the rows of its descendants (at the end when
    none of them has a row). Deepest blocks first, so a block's own row also follows its
    sub-blocks' own rows."""
    order = list(order)
    for name in sorted(own, key=lambda n: -1 if n == "" else n.count("."), reverse=True):
        after = [i for i, n in enumerate(order) if _inside(n, name)]
        order.insert(after[-1] + 1 if after else len(order), name)
    return order


def _row(**values: object) -> LayerRow:
    """``LayerRow(**values)`` without the frozen ``__init__``'s cost; every field given."""
    row = object.__new__(LayerRow)
    row.__dict__.update(values)
    return row


def _subtree(module: nn.Module) -> list[nn.Module]:
    """``list(module.modules())`` in any order (each module once), without the name strings."""
    seen = {id(module)}
    found = [module]
    todo = [module]
    while todo:
        for child in todo.pop()._modules.values():
            if child is not None and id(child) not in seen:
                seen.add(id(child))
                found.append(child)
                todo.append(child)
    return found


def _summed(calls: list[CallRecord], attr: str) -> dict[str, int]:
    """The ``other`` / ``own_other`` counts of ``calls`` added up, labels in first-seen order."""
    if len(calls) == 1:
        return dict(getattr(calls[0], attr))
    total: dict[str, int] = {}
    for c in calls:
        for key, n in getattr(c, attr).items():
            total[key] = total.get(key, 0) + n
    return total


_NO_PARAMS = (0, 0, 0, 0)


def _rows(
    named: list[tuple[str, nn.Module]],
    record: ForwardRecord,
    by_name: dict[str, list[CallRecord]],
    own_params: dict[int, list[tuple[str, nn.Parameter]]],
) -> list[LayerRow]:
    """One row per leaf call and per block call with something of its own, in the order the
    calls ended (a block's own row right after its children's); then the modules that did
    not run. A module's parameters are in its first row."""
    modules = dict(named)
    seen: set[int] = set()  # parameters counted (a shared one in its first row only)
    done: set[str] = set()  # modules whose parameters are in a row already
    index: dict[int, int] = {}  # id(call) -> which call of its module
    for calls in by_name.values():
        for i, c in enumerate(calls):
            index[id(c)] = i
    rows = []
    for call in record.ended:
        name = call.name
        module = modules.get(name)
        if module is None:
            continue
        if name in done:
            split = _NO_PARAMS
        else:
            plist = own_params[id(module)]
            split = _param_split(module, plist, seen) if plist else _NO_PARAMS
        if not call.leaf and not (
            split[0] or split[1] or split[2] or call.own_macs or call.own_other or call.new_bytes
        ):
            continue  # a plain container call, or parameters all shared with earlier rows
        done.add(name)
        rows.append(
            _row(
                name=name,
                type=call.type,
                output_shape=call.output_shape,
                weight_params=split[0],
                bias_params=split[1],
                norm_params=split[2],
                trainable_params=split[3],
                calls=len(by_name[name]),
                activations=call.new_numel,
                activation_bytes=call.new_bytes,
                inplace=call.inplace,
                macs=call.own_macs,
                other_ops=dict(call.own_other),
                receptive_field=call.receptive_field,
                own=not call.leaf,
                call=index[id(call)],
            )
        )
    rows.extend(_unused_rows(named, by_name, own_params, seen))
    return rows


def _type_name(module: nn.Module) -> str:
    """The class name; for a TorchScript module, the name of the class it was made from."""
    if isinstance(module, torch.jit.ScriptModule):
        return str(getattr(module, "original_name", None) or type(module).__name__)
    return type(module).__name__


def _unused_rows(
    named: list[tuple[str, nn.Module]],
    by_name: dict[str, list[CallRecord]],
    own_params: dict[int, list[tuple[str, nn.Parameter]]],
    seen: set[int],
) -> list[LayerRow]:
    """The modules that did not run: each leaf, and each block with parameters of its own
    (placed after its descendants), in ``named_modules()`` order; parameters only."""
    modules = dict(named)
    leaves = {n for n, m in named if all(c is None for c in m._modules.values())}
    unused = [n for n, _ in named if n in leaves and n not in by_name]
    own = [n for n, m in named if n not in leaves and n not in by_name and own_params[id(m)]]
    rows = []
    for name in _place_own_rows(unused, own):
        module = modules[name]
        plist = own_params[id(module)]
        w, b, n, t = _param_split(module, plist, seen) if plist else _NO_PARAMS
        is_own = name not in leaves
        if is_own and not (w or b or n):
            continue  # its only parameters are shared with an earlier row
        rows.append(
            _row(
                name=name,
                type=_type_name(module),
                output_shape=None,
                weight_params=w,
                bias_params=b,
                norm_params=n,
                trainable_params=t,
                calls=0,
                activations=0,
                activation_bytes=0,
                inplace=False,
                macs=0,
                other_ops={},
                receptive_field=None,
                own=is_own,
                call=0,
            )
        )
    return rows


def _blocks(
    named: list[tuple[str, nn.Module]],
    by_name: dict[str, list[CallRecord]],
    own_params: dict[int, list[tuple[str, nn.Parameter]]],
) -> list[BlockRow]:
    modules = dict(named)
    blocks = []
    for name, calls in by_name.items():
        if name == "" or calls[0].leaf or name not in modules:
            continue
        params = weights = 0
        seen: set[int] = set()  # a parameter shared inside the block counts once
        for module in _subtree(modules[name]):
            plist = own_params[id(module)]
            if not plist:
                continue
            norm = isinstance(module, _NORM_TYPES)
            for pname, p in plist:
                if id(p) not in seen:
                    seen.add(id(p))
                    n = p.numel()
                    params += n
                    if not norm and not _is_bias(pname):
                        weights += n
        blocks.append(
            BlockRow(
                name=name,
                type=calls[0].type,
                output_shape=calls[0].output_shape,
                weight_params=weights,
                params=params,
                macs=sum(c.macs for c in calls),
                other_ops=_summed(calls, "other"),
                receptive_field=calls[0].receptive_field,
                calls=len(calls),
            )
        )
    return blocks


def _totals(
    named: list[tuple[str, nn.Module]], own_params: dict[int, list[tuple[str, nn.Parameter]]]
) -> dict[str, int]:
    # model.parameters() / buffers() each walk the tree again; the same sets, deduplicated
    params = {id(p): p for plist in own_params.values() for _, p in plist}.values()
    buffers = {id(b): b for _, m in named for b in m._buffers.values() if b is not None}
    return {
        "total_params": sum(p.numel() for p in params),
        "trainable_params": sum(p.numel() for p in params if p.requires_grad),
        "param_bytes": sum(p.numel() * p.element_size() for p in params),
        "buffer_bytes": sum(b.numel() * b.element_size() for b in buffers.values()),
    }


def assemble(
    named: list[tuple[str, nn.Module]],
    record: ForwardRecord,
    inputs: tuple[TensorSpec, ...],
    dtype: torch.dtype,
    fallback: str | None,
    notes: tuple[str, ...] = (),
    batch_dim: int | None = 0,
) -> LayerTable:
    """The layer table of one recorded pass.

    Args:
        named: ``list(model.named_modules())`` of the model that ran.
        record: what :func:`~vizkit.summary.record.record_forward` saw.
        inputs: the forward's input tensors.
        dtype: the activations' dtype.
        fallback: why a real forward pass replaced the meta one, or None.
        notes: notes of the request (where the batch went), before the pass's own.
        batch_dim: where the batch is in the input shapes (None: no batch dimension).
    """
    # Some modules of ``named`` may be outside the pass's calls (a block's own module that a
    # parent reaches through ``.forward()``); a called module outside ``named`` has no row.
    by_name: dict[str, list[CallRecord]] = {}
    for call in record.calls:
        by_name.setdefault(call.name, []).append(call)
    own_params = {id(m): _own_params(m) for _, m in named}
    rows = _rows(named, record, by_name, own_params)
    blocks = _blocks(named, by_name, own_params)
    kept = record.input_bytes + sum(r.activation_bytes for r in rows)
    return LayerTable(
        all_rows=tuple(rows),
        blocks=tuple(blocks),
        input_shape=inputs[0].shape if inputs else None,
        batch_dim=batch_dim,
        dtype=str(dtype).replace("torch.", ""),
        total_macs=record.macs,
        other_ops=dict(record.other),
        input_bytes=record.input_bytes,
        activation_bytes=kept,
        inference_peak_bytes=record.peak_live_bytes,
        training_saved_bytes=record.saved_bytes,
        nodes=tuple(record.nodes),
        edges=tuple(record.edges),
        notes=(*notes, *record.notes),
        fallback_reason=fallback,
        inputs=inputs,
        outputs=tuple(spec(path, t) for path, t in record.outputs),
        output_type=record.output_type,
        **_totals(named, own_params),
    )


def parameters_only(model: nn.Module, dtype: torch.dtype) -> LayerTable:
    """The table of a model given no input: its modules and parameters, nothing run.

    One row per leaf module and one per block with parameters of its own (after its
    descendants), in ``named_modules()`` order, every ``output_shape`` None; no MACs, no
    activations. Also for a TorchScript model (its modules and parameters can be listed).
    """
    named = list(model.named_modules())
    own_params = {id(m): _own_params(m) for _, m in named}
    rows = _unused_rows(named, {}, own_params, set())
    return LayerTable(
        all_rows=tuple(rows),
        blocks=(),
        input_shape=None,
        batch_dim=None,
        dtype=str(dtype).replace("torch.", ""),
        total_macs=0,
        other_ops={},
        input_bytes=0,
        activation_bytes=0,
        inference_peak_bytes=0,
        training_saved_bytes=0,
        notes=(
            "no input given: parameters only (pass input_size or input_data for shapes, "
            "MACs and memory)",
        ),
        **_totals(named, own_params),
    )
