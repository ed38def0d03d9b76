"""``summarize``: the layer table of any model, computed on the meta device in milliseconds."""

from __future__ import annotations

import gc
import warnings
from collections.abc import Sequence
from typing import Literal

import torch
from torch import nn

from vizkit._suggest import did_you_mean
from vizkit.summary._torch_internals import is_meta_problem
from vizkit.summary.assemble import assemble, parameters_only
from vizkit.summary.diagnose import explain
from vizkit.summary.inputs import AUTO
from vizkit.summary.prepare import Prepared, prepare
from vizkit.summary.record import ForwardFailure, ForwardRecord, record_forward
from vizkit.summary.table import BlockRow, LayerRow, LayerTable

__all__ = ["receptive_field", "summarize"]


def summarize(
    model: nn.Module,
    input_size: Sequence[int] | Sequence[Sequence[int]] | int | None = None,
    *,
    input_data: object = None,
    batch_size: int = 1,
    batch_dim: int | Literal["auto"] | None = AUTO,
    dtypes: Sequence[torch.dtype] | None = None,
    dtype: torch.dtype | None = None,
    mode: Literal["eval", "train"] = "eval",
    **kwargs: object,
) -> LayerTable:
    """Shapes, parameters, MACs, memory and receptive fields of every layer call of ``model``.

    The model is never modified or moved: a copy whose tensors live on the meta device (shapes
    only, no memory) runs one forward pass under a recorder. When the meta device cannot run it
    (data-dependent ops such as ``.item()``), a real forward pass on a copy is used instead; the
    table's ``fallback_reason`` says why and a warning is issued.

    The input, with torchinfo's argument names: ``input_size`` (one sample's shape; a list of
    shapes for several tensors, each with its dtype in ``dtypes``), or ``input_data`` (the
    arguments themselves), plus keyword arguments for ``forward``; nothing at all for a
    parameters-only table. Examples::

        summarize(model, (3, 224, 224))                        # one image, batch 1
        summarize(model, (3, 224, 224), batch_size=8)
        summarize(lm, (128,), dtypes=[torch.long])             # token ids for nn.Embedding
        summarize(model, [(3, 64, 64), (10,)], dtypes=[torch.float, torch.long])
        summarize(model, input_data=x)                         # a tensor, batch included
        summarize(model, input_data=(x, "bilinear", 2.0))      # model(x, "bilinear", 2.0)
        summarize(model, input_data={"x": x, "mask": m})       # model(x=x, mask=m)
        summarize(model, input_data=x, return_attention=True)  # model(x, return_attention=True)
        summarize(model, (16,), batch_dim=None)                # input (16,): no batch dimension
        summarize(model)                                       # parameters only

    Conventions: MACs count conv / linear / matmul / recurrent multiply-accumulates,
    FLOPs = 2 · MACs; bias, normalisation, activation, pooling and residual additions are
    counted separately in ``other_ops`` (see :mod:`vizkit.summary.opcount`).

    Rows: ``.rows`` has one per call of a leaf module (a module run three times has three rows,
    each with that call's shape, MACs and activations; its parameters in the first);
    ``.own_rows`` an *own* row (``row.own``, printed ``"layer1.0 (own)"``) for each call of a
    module with children that registers parameters itself (ViT's ``class_token``), runs ops of
    its own (a ResNet block's residual ``+``) or returns a new tensor none of its children made
    (an Inception block's concatenation). ``.all_rows`` (both) adds up to ``total_params``,
    ``total_macs``, ``other_ops`` and, with the input, ``activation_bytes``. The table also
    states the inputs (``.inputs``) and the model's output (``.outputs``, ``.output_text``).

    Args:
        model: any ``nn.Module`` with a shape-static forward (a TorchScript module only
            without input: its parameters).
        input_size: shape of one sample without batch, e.g. ``(3, 224, 224)``, or a list of
            such shapes for a forward taking several tensors (in order).
        input_data: the forward's input, batch included: a tensor, a tuple / list of
            positional arguments (tensors, nested lists or dicts of them, or anything else),
            or a dict of keyword arguments. Tensors keep their shapes and dtypes; values are
            never read on the meta pass. Excludes ``input_size``.
        batch_size: samples per batch ``N`` for ``input_size``; activations and MACs scale
            with it.
        batch_dim: where the batch goes in each ``input_size``: ``"auto"`` (dimension 0, or 1
            when the first layer is an RNN, attention or transformer layer with
            ``batch_first=False``; the table's ``notes`` say so), an int, or None (no batch
            dimension: ``input_size`` is the whole input, for models that take none).
        dtypes: dtype of each ``input_size`` tensor (default: ``dtype``), e.g.
            ``[torch.long]`` for token ids.
        dtype: floating dtype of activations and parameters (default: the model's).
        mode: ``"eval"`` (default: dropout off, no auxiliary heads) or ``"train"``.
        **kwargs: more keyword arguments for ``model.forward`` (tensors or not), as torchinfo
            passes them.

    Returns:
        A :class:`~vizkit.summary.table.LayerTable`; rows have batch-inclusive output shapes
        ``(N, C, H, W)``.

    Raises:
        TypeError: ``model`` is not a module (or is a TorchScript module given an input, or a
            container without ``forward``); a wrong kind of input argument; or the forward
            failed on its arguments or dtypes (the message names the layer and the fix).
        ValueError: input sizes below 1, contradicting input arguments, ``mode`` unknown, a
            lazy module still uninitialised, or the model cannot run on that input (shapes;
            the message names the layer, gives torch's words and a hint).

    The user's hooks on the model's modules do not fire: the copy carries none.
    """
    prepared = prepare(
        model,
        input_size,
        input_data=input_data,
        batch_size=batch_size,
        batch_dim=batch_dim,
        dtypes=dtypes,
        dtype=dtype,
        mode=mode,
        forward_kwargs=kwargs,
    )
    if prepared.inputs is None:
        return parameters_only(prepared.model, prepared.dtype)
    # Garbage collection triggered by the many small objects of the copy would cost more than
    # the whole meta pass (it walks torch's heap); nothing here creates lasting cycles.
    gc_was_enabled = gc.isenabled()
    gc.disable()
    try:
        record, fallback = _record(prepared, input_size is not None)
        return assemble(
            record.modules,
            record,
            prepared.inputs.specs,
            prepared.dtype,
            fallback,
            prepared.inputs.notes,
            prepared.inputs.batch_dim,
        )
    finally:
        if gc_was_enabled:
            gc.enable()


def _first_line(err: BaseException) -> str:
    return str(err).splitlines()[0][:200] if str(err) else ""


def _record(prepared: Prepared, from_sizes: bool) -> tuple[ForwardRecord, str | None]:
    """Step 2: the recorded forward of the meta copy, or of a real copy where meta cannot run."""
    assert prepared.copy is not None and prepared.inputs is not None
    specs = prepared.inputs.specs
    dtype = str(prepared.dtype).replace("torch.", "")
    try:
        args, kwargs = prepared.meta()
    except Exception as err:  # a tensor that has no meta twin (quantized, sparse ...)
        fallback = f"an input has no meta twin: {type(err).__name__}: {_first_line(err)}"
        where = ""
    else:
        try:
            return record_forward(prepared.copy, args, kwargs), None
        except ForwardFailure as failure:
            err = failure.error
            if not is_meta_problem(err):
                raise explain(failure, specs, dtype, from_sizes) from err
            fallback = f"{type(err).__name__}: {_first_line(err)}"
            where = f" in a {failure.layer_type} layer {failure.layer!r}" if failure.layer else ""
    warnings.warn(
        f"summarize: the meta device cannot run this model{where} ({fallback}); "
        "using a real forward pass on a copy instead (slower, needs memory)",
        stacklevel=3,
    )
    clone, real_args, real_kwargs = prepared.real()
    try:
        return record_forward(clone, real_args, real_kwargs), fallback
    except ForwardFailure as failure:
        raise explain(failure, specs, dtype, from_sizes) from failure.error


def receptive_field(model: nn.Module, input_size: tuple[int, ...], layer: str) -> tuple[int, int]:
    """Size ``(h, w)`` of the input region one unit of ``layer`` sees (analytic, unclipped).

    Works through branches: at an inception concatenation or a residual addition the field is
    the union of the branches' fields. The size may exceed the input (ResNet-50's last block
    sees 427×427 of a 224×224 image, mostly padding).

    Args:
        model: any ``nn.Module``; not modified.
        input_size: one sample without batch, ``(C, H, W)``.
        layer: dotted name of a module (leaf or block), e.g. ``"features.28"`` or
            ``"inception4a"``.

    Returns:
        ``(h, w)`` in input pixels.

    Raises:
        ValueError: no module has that name (closest names suggested), or its output has no
            spatial grid (after flatten / linear every unit sees the whole input).

    Example: three stacked 3×3 convolutions see 7×7, like one 7×7 convolution:

    >>> from torch import nn
    >>> receptive_field(nn.Sequential(*[nn.Conv2d(1, 1, 3) for _ in range(3)]), (1, 16, 16), "2")
    (7, 7)
    """
    table = summarize(model, input_size)
    entries: dict[str, LayerRow | BlockRow] = {}
    for r in table.rows:
        entries.setdefault(r.name, r)  # a module run several times: its first call
    entries.update({b.name: b for b in table.blocks})
    if layer not in entries:
        raise ValueError(
            did_you_mean(
                layer, entries, what="layer", where="names come from model.named_modules()"
            )
        )
    entry = entries[layer]
    if entry.receptive_field is None:
        shape = entry.output_shape
        raise ValueError(
            f"layer {layer!r} has output shape {shape}: "
            + ("it did not run in eval mode" if shape is None else "no spatial (H, W) grid left")
            + "; pick a convolution or pooling layer before the flatten"
        )
    return entry.receptive_field.int_size
