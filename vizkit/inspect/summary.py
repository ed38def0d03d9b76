"""``summarize``: the layer table of any model, computed on the meta device in milliseconds."""

from __future__ import annotations

import gc
import warnings
from collections import Counter
from typing import Literal

import torch
from torch import nn

from vizkit.inspect.prepare import (
    batch_shape,
    check_initialised,
    check_model,
    meta_copy,
    model_dtype,
    real_copy,
)
from vizkit.inspect.table import BlockRow, LayerRow, LayerTable
from vizkit.inspect.tracing import CallRecord, ForwardRecord, record_forward

__all__ = ["summarize"]

_NORM_TYPES = (nn.modules.batchnorm._NormBase, nn.GroupNorm, nn.LayerNorm, nn.LocalResponseNorm)


def _is_meta_problem(err: BaseException) -> bool:
    text = str(err).lower()
    return isinstance(err, NotImplementedError) or any(
        key in text for key in ("meta", "data-dependent", "item()", "no data")
    )


def _run(model: nn.Module, x: torch.Tensor, mode: str) -> ForwardRecord:
    model.train(mode == "train")
    return record_forward(model, x)


def _failing_layer(err: BaseException) -> str:
    tb, last = err.__traceback__, ""
    while tb is not None:
        module = tb.tb_frame.f_locals.get("self")
        if isinstance(module, nn.Module) and tb.tb_frame.f_code.co_name == "forward":
            last = type(module).__name__
        tb = tb.tb_next
    return f" in a {last} layer" if last else ""


def summarize(
    model: nn.Module,
    input_size: tuple[int, ...],
    *,
    batch_size: int = 1,
    dtype: torch.dtype | None = None,
    mode: Literal["eval", "train"] = "eval",
) -> LayerTable:
    """Shapes, parameters, MACs, memory and receptive fields of every layer of ``model``.

    The model is never modified or moved: a copy whose tensors live on the meta device (shapes
    only, no memory) runs one forward pass under a recorder. When the meta device cannot run it
    (data-dependent ops such as ``.item()``), a real forward pass on a copy is used instead; the
    table's ``fallback_reason`` says why and a warning is issued.

    Conventions: MACs count conv / linear / matmul multiply-accumulates, FLOPs = 2 · MACs;
    bias, normalisation, activation, pooling and residual additions are counted separately in
    ``other_ops`` (see :mod:`vizkit.inspect.opcount`).

    Rows: ``.rows`` has one per leaf module; ``.own_rows`` an *own* row (``row.own``, printed
    ``"layer1.0 (own)"``) for each module with children that registers parameters itself
    (ViT's ``class_token``, ``nn.MultiheadAttention.in_proj_weight``) or runs ops of its own
    (a ResNet block's residual ``+``, the ``F.relu`` of torchvision's ``BasicConv2d``).
    Parameters count in the row of the module that registers them, operations in the row of
    the module whose ``forward`` runs them, so ``.all_rows`` (both) adds up to
    ``total_params``, ``total_macs`` and ``other_ops``.

    Args:
        model: any ``nn.Module`` with a shape-static forward.
        input_size: shape of one sample without batch, e.g. ``(3, 224, 224)``.
        batch_size: samples per batch ``N``; activations and MACs scale with it.
        dtype: floating dtype of activations and parameters (default: the model's).
        mode: ``"eval"`` (default: dropout off, no auxiliary heads) or ``"train"``.

    Returns:
        A :class:`~vizkit.inspect.table.LayerTable`; rows have batch-inclusive output shapes
        ``(N, C, H, W)``.

    Raises:
        TypeError: ``model`` is not a module, or a wrong kind of ``input_size`` / ``dtype``.
        ValueError: ``input_size`` has entries below 1, ``mode`` is unknown, a lazy module is
            still uninitialised, or the model cannot run on that input (message includes
            torch's and a hint).

    The user's hooks on the model's modules do not fire: the copy carries none.
    """
    check_model(model)
    check_initialised(model)
    shape = batch_shape(input_size, batch_size)
    if mode not in ("eval", "train"):
        raise ValueError(f"mode {mode!r} is not 'eval' or 'train'")
    dt = model_dtype(model, dtype)
    # Garbage collection triggered by the many small objects of the copy would cost more than
    # the whole meta pass (it walks torch's heap); nothing here creates lasting cycles.
    gc_was_enabled = gc.isenabled()
    gc.disable()
    try:
        return _summarize(model, shape, dt, mode)
    finally:
        if gc_was_enabled:
            gc.enable()


def _summarize(model: nn.Module, shape: tuple[int, ...], dt: torch.dtype, mode: str) -> LayerTable:
    fallback = None
    try:
        clone = meta_copy(model, dt)
        record = _run(clone, torch.empty(shape, dtype=dt, device="meta"), mode)
    except Exception as err:
        if not _is_meta_problem(err):
            raise _input_error(shape, err) from err
        fallback = f"{type(err).__name__}: {str(err).splitlines()[0][:200]}"
        warnings.warn(
            f"summarize: the meta device cannot run this model{_failing_layer(err)} ({fallback}); "
            "using a real forward pass on a copy instead (slower, needs memory)",
            stacklevel=2,
        )
        clone = real_copy(model, dt)
        device = next((p.device for p in model.parameters()), torch.device("cpu"))
        gen = torch.Generator(device=device).manual_seed(0)
        x = torch.randn(shape, dtype=dt, device=device, generator=gen)
        try:
            record = _run(clone, x, mode)
        except Exception as real_err:
            raise _input_error(shape, real_err) from real_err
    return _assemble(clone, record, shape, dt, fallback)


def _input_error(shape: tuple[int, ...], err: BaseException) -> ValueError:
    return ValueError(
        f"the model cannot run on a batch of shape {shape}{_failing_layer(err)}: "
        f"{type(err).__name__}: {str(err).splitlines()[0] if str(err) else ''}. "
        "input_size is one sample without the batch dimension (batch_size sets N); check the "
        "channels and that the resolution suits the model (e.g. 227×227 for the paper's AlexNet)"
    )


def _is_bias(pname: str) -> bool:
    """``bias``, ``bias_k`` / ``bias_v``, ``in_proj_bias``: the additive parameters."""
    return pname.startswith("bias") or pname.endswith("_bias")


def _own_params(module: nn.Module) -> list[tuple[str, nn.Parameter]]:
    """``module.named_parameters(recurse=False)`` without its generator machinery (~10× faster)."""
    ids: set[int] = set()
    own = []
    for pname, p in module._parameters.items():
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
    for pname, p in own:
        if id(p) in seen:
            continue
        seen.add(id(p))
        n = p.numel()
        trainable += n if p.requires_grad else 0
        if isinstance(module, _NORM_TYPES):
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


def _assemble(
    model: nn.Module,
    record: ForwardRecord,
    shape: tuple[int, ...],
    dtype: torch.dtype,
    fallback: str | None,
) -> LayerTable:
    modules = dict(model.named_modules())
    own_params = {id(m): _own_params(m) for m in modules.values()}
    by_name: dict[str, list[CallRecord]] = {}
    for call in record.calls:
        by_name.setdefault(call.name, []).append(call)
    first_call = {name: i for i, name in enumerate(by_name)}
    leaves = {n for n, m in modules.items() if next(m.children(), None) is None}
    # A block gets an own row when it registers parameters itself or runs ops of its own;
    # a plain container (Sequential, an Inception block that only concatenates) gets none.
    own = [
        n
        for n, m in modules.items()
        if n not in leaves
        and (own_params[id(m)] or any(c.own_macs or c.own_other for c in by_name.get(n, ())))
    ]
    ran = [n for n in by_name if n in leaves]
    unused = [n for n in modules if n in leaves and n not in by_name]
    order = _place_own_rows(ran, [n for n in own if n in by_name], first_call)
    order += _place_own_rows(unused, [n for n in own if n not in by_name], {})
    own_names = set(own)
    seen: set[int] = set()
    rows = []
    for name in order:
        calls = by_name.get(name, [])
        first = calls[0] if calls else None
        is_own = name in own_names
        other: Counter[str] = Counter()
        for c in calls:
            other.update(c.own_other)
        w, b, n, t = _param_split(modules[name], own_params[id(modules[name])], seen)
        macs = sum(c.own_macs for c in calls)
        if is_own and not (w or b or n or macs or other):
            continue  # its only parameters are shared with an earlier row
        rows.append(
            LayerRow(
                name=name,
                type=type(modules[name]).__name__,
                output_shape=first.output_shape if first else None,
                weight_params=w,
                bias_params=b,
                norm_params=n,
                trainable_params=t,
                calls=len(calls),
                activations=first.output_numel if first and not is_own else 0,
                activation_bytes=first.output_bytes if first and not is_own else 0,
                inplace=bool(first and first.inplace and not is_own),
                macs=macs,
                other_ops=dict(other),
                receptive_field=first.receptive_field if first else None,
                own=is_own,
            )
        )
    blocks = []
    for name, calls in by_name.items():
        if name in leaves or name == "":
            continue
        module, other = modules[name], Counter()
        for c in calls:
            other.update(c.other)
        subtree = list(module.modules())
        params = {id(p): p for m in subtree for _, p in own_params[id(m)]}.values()
        weight_params = sum(
            p.numel()
            for m in subtree
            if not isinstance(m, _NORM_TYPES)
            for pn, p in own_params[id(m)]
            if not _is_bias(pn)
        )
        blocks.append(
            BlockRow(
                name=name,
                type=calls[0].type,
                output_shape=calls[0].output_shape,
                weight_params=weight_params,
                params=sum(p.numel() for p in params),
                macs=sum(c.macs for c in calls),
                other_ops=dict(other),
                receptive_field=calls[0].receptive_field,
            )
        )
    # model.parameters() / buffers() each walk the tree again; the same sets, deduplicated
    params = {id(p): p for m in modules.values() for _, p in own_params[id(m)]}.values()
    buffers = {id(b): b for m in modules.values() for b in m._buffers.values() if b is not None}
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
