"""``summarize``: the layer table of any model, computed on the meta device in milliseconds."""

from __future__ import annotations

import gc
import warnings
from typing import Literal

import torch
from torch import nn

from vizkit._suggest import did_you_mean
from vizkit.summary._torch_internals import failing_module, is_meta_problem
from vizkit.summary.assemble import assemble
from vizkit.summary.prepare import Prepared, prepare
from vizkit.summary.record import ForwardRecord, record_forward
from vizkit.summary.table import LayerTable

__all__ = ["receptive_field", "summarize"]


def _failing_layer(err: BaseException) -> str:
    name = failing_module(err)
    return f" in a {name} layer" if name else ""


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
    ``other_ops`` (see :mod:`vizkit.summary.opcount`).

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
        A :class:`~vizkit.summary.table.LayerTable`; rows have batch-inclusive output shapes
        ``(N, C, H, W)``.

    Raises:
        TypeError: ``model`` is not a module, or a wrong kind of ``input_size`` / ``dtype``.
        ValueError: ``input_size`` has entries below 1, ``mode`` is unknown, a lazy module is
            still uninitialised, or the model cannot run on that input (message includes
            torch's and a hint).

    The user's hooks on the model's modules do not fire: the copy carries none.
    """
    prepared = prepare(model, input_size, batch_size=batch_size, dtype=dtype, mode=mode)
    # Garbage collection triggered by the many small objects of the copy would cost more than
    # the whole meta pass (it walks torch's heap); nothing here creates lasting cycles.
    gc_was_enabled = gc.isenabled()
    gc.disable()
    try:
        record, fallback = _record(prepared)
        return assemble(record.modules, record, prepared.shape, prepared.dtype, fallback)
    finally:
        if gc_was_enabled:
            gc.enable()


def _record(prepared: Prepared) -> tuple[ForwardRecord, str | None]:
    """Step 2: the recorded forward of the meta copy, or of a real copy where meta cannot run."""
    try:
        return record_forward(prepared.copy, prepared.input), None
    except Exception as err:
        if not is_meta_problem(err):
            raise _input_error(prepared.shape, err) from err
        fallback = f"{type(err).__name__}: {str(err).splitlines()[0][:200]}"
        warnings.warn(
            f"summarize: the meta device cannot run this model{_failing_layer(err)} ({fallback}); "
            "using a real forward pass on a copy instead (slower, needs memory)",
            stacklevel=3,
        )
    clone, x = prepared.real()
    try:
        return record_forward(clone, x), fallback
    except Exception as real_err:
        raise _input_error(prepared.shape, real_err) from real_err


def _input_error(shape: tuple[int, ...], err: BaseException) -> ValueError:
    return ValueError(
        f"the model cannot run on a batch of shape {shape}{_failing_layer(err)}: "
        f"{type(err).__name__}: {str(err).splitlines()[0] if str(err) else ''}. "
        "input_size is one sample without the batch dimension (batch_size sets N); check the "
        "channels and that the resolution suits the model (e.g. 227×227 for the paper's AlexNet)"
    )


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
    entries = {r.name: r for r in table.rows} | {b.name: b for b in table.blocks}
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
