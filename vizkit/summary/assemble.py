"""Turn a recorded forward pass into the layer table: rows, blocks and totals.

:func:`assemble` is the second half of :func:`vizkit.inspect.summarize`: the calls, ops and
storages that :func:`vizkit.summary.record.record_forward` saw, plus the parameters and buffers
of the model that ran, become a :class:`~vizkit.summary.table.LayerTable`.

Parameters count in the row of the module that registers them (a parameter shared by two
modules only in the first); operations in the row of the module whose ``forward`` runs them.
"""

from __future__ import annotations

import torch
from torch import nn

from vizkit.summary.record import CallRecord, ForwardRecord
from vizkit.summary.table import BlockRow, LayerRow, LayerTable

__all__ = ["assemble"]

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


def _place_own_rows(order: list[str], own: list[str], first_call: dict[str, int]) -> list[str]:
    """Insert each block's own row right after the rows of its descendants.

    Deepest blocks first, so a block's own row also follows its sub-blocks' own rows. A block
    none of whose descendants has a row goes where its first call falls among the rows.
    """
    order = list(order)
    for name in sorted(own, key=lambda n: -1 if n == "" else n.count("."), reverse=True):
        after = [i for i, n in enumerate(order) if _inside(n, name)]
        if after:
            order.insert(after[-1] + 1, name)
            continue
        start = first_call.get(name, len(first_call))
        later = (i for i, n in enumerate(order) if first_call.get(n, len(first_call)) > start)
        order.insert(next(later, len(order)), name)
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


def _rows(
    named: list[tuple[str, nn.Module]],
    by_name: dict[str, list[CallRecord]],
    own_params: dict[int, list[tuple[str, nn.Parameter]]],
) -> list[LayerRow]:
    modules = dict(named)
    leaves = {n for n, m in named if all(c is None for c in m._modules.values())}
    # A block gets an own row when it registers parameters itself or runs ops of its own;
    # a plain container (Sequential, an Inception block that only concatenates) gets none.
    own = [
        n
        for n, m in named
        if n not in leaves
        and (own_params[id(m)] or any(c.own_macs or c.own_other for c in by_name.get(n, ())))
    ]
    first_call = {name: i for i, name in enumerate(by_name)}
    ran = [n for n in by_name if n in leaves]
    unused = [n for n, _ in named if n in leaves and n not in by_name]
    order = _place_own_rows(ran, [n for n in own if n in by_name], first_call)
    order += _place_own_rows(unused, [n for n in own if n not in by_name], {})
    own_names = set(own)
    seen: set[int] = set()
    rows = []
    for name in order:
        module = modules[name]
        calls = by_name.get(name, [])
        first = calls[0] if calls else None
        is_own = name in own_names
        other = _summed(calls, "own_other") if calls else {}
        plist = own_params[id(module)]
        w, b, n, t = _param_split(module, plist, seen) if plist else (0, 0, 0, 0)
        macs = first.own_macs if len(calls) == 1 else sum(c.own_macs for c in calls)  # type: ignore[union-attr]
        if is_own and not (w or b or n or macs or other):
            continue  # its only parameters are shared with an earlier row
        output = first is not None and not is_own
        rows.append(
            _row(
                name=name,
                type=type(module).__name__,
                output_shape=first.output_shape if first else None,
                weight_params=w,
                bias_params=b,
                norm_params=n,
                trainable_params=t,
                calls=len(calls),
                activations=first.output_numel if output else 0,  # type: ignore[union-attr]
                activation_bytes=first.output_bytes if output else 0,  # type: ignore[union-attr]
                inplace=bool(output and first.inplace),  # type: ignore[union-attr]
                macs=macs,
                other_ops=other,
                receptive_field=first.receptive_field if first else None,
                own=is_own,
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
        if name == "" or calls[0].leaf:
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
            )
        )
    return blocks


def assemble(
    named: list[tuple[str, nn.Module]],
    record: ForwardRecord,
    shape: tuple[int, ...],
    dtype: torch.dtype,
    fallback: str | None,
) -> LayerTable:
    """The layer table of one recorded pass.

    Args:
        named: ``list(model.named_modules())`` of the model that ran.
        record: what :func:`~vizkit.summary.record.record_forward` saw.
        shape: the input batch shape.
        dtype: the activations' dtype.
        fallback: why a real forward pass replaced the meta one, or None.
    """
    # Some modules of ``named`` may be outside the pass's calls (a block's own module that a
    # parent reaches through ``.forward()``); a called module outside ``named`` has no row.
    by_name: dict[str, list[CallRecord]] = {}
    for call in record.calls:
        by_name.setdefault(call.name, []).append(call)
    own_params = {id(m): _own_params(m) for _, m in named}
    rows = _rows(named, by_name, own_params)
    blocks = _blocks(named, by_name, own_params)
    # model.parameters() / buffers() each walk the tree again; the same sets, deduplicated
    params = {id(p): p for plist in own_params.values() for _, p in plist}.values()
    buffers = {id(b): b for _, m in named for b in m._buffers.values() if b is not None}
    elem = torch.empty((), dtype=dtype).element_size()
    n_in = 1
    for s in shape:
        n_in *= s
    kept = n_in * elem + sum(r.activation_bytes for r in rows if not r.inplace)
    return LayerTable(
        all_rows=tuple(rows),
        blocks=tuple(blocks),
        input_shape=shape,
        dtype=str(dtype).replace("torch.", ""),
        total_params=sum(p.numel() for p in params),
        trainable_params=sum(p.numel() for p in params if p.requires_grad),
        total_macs=record.macs,
        other_ops=dict(record.other),
        input_bytes=n_in * elem,
        param_bytes=sum(p.numel() * p.element_size() for p in params),
        buffer_bytes=sum(b.numel() * b.element_size() for b in buffers.values()),
        activation_bytes=kept,
        inference_peak_bytes=record.peak_live_bytes,
        training_saved_bytes=record.saved_bytes,
        nodes=tuple(record.nodes),
        edges=tuple(record.edges),
        notes=tuple(record.notes),
        fallback_reason=fallback,
    )
