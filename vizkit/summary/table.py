"""The layer table: plain data about a model, one row per layer (no torch needed to read it).

``LayerTable.rows`` has one row per leaf module. ``LayerTable.own_rows`` has the *own* part of
each module with children that has one: the parameters it registers itself (ViT's
``class_token``, ``nn.MultiheadAttention.in_proj_weight``, ConvNeXt's ``layer_scale``) and the
ops its own ``forward`` runs (a ResNet block's residual ``+``). ``all_rows`` is both, in
execution order, and adds up to the whole model: parameters to ``total_params``, MACs to
``total_macs``, other ops to ``other_ops``.

:func:`vizkit.inspect.summarize` fills a :class:`LayerTable`; notebooks display it (``_repr_html_``)
and :mod:`vizkit.render.architecture` draws it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

from vizkit._suggest import did_you_mean
from vizkit.geometry.receptive import ReceptiveField
from vizkit.summary.table_html import table_html  # one way: table_html never imports table

__all__ = ["OPTIMIZER_STATES", "BlockRow", "GraphNode", "LayerRow", "LayerTable"]

#: Extra values per parameter an optimizer keeps, besides the weights and their gradients.
OPTIMIZER_STATES: Mapping[str, int] = {"none": 0, "sgd": 0, "momentum": 1, "adam": 2}
Optimizer = Literal["none", "sgd", "momentum", "adam"]


@dataclass(frozen=True)
class GraphNode:
    """A node of the dataflow graph: the input, a leaf-module call, or a merge (add / cat)."""

    id: int
    kind: Literal["input", "module", "merge"]
    name: str
    type: str
    output_shape: tuple[int, ...] | None


@dataclass(frozen=True)
class LayerRow:
    """One leaf module of a model, or a block's own part, as seen during one forward pass.

    Attributes:
        name: dotted name from ``model.named_modules()`` (``""`` for the model itself).
        type: class name (``"Conv2d"``).
        output_shape: shape of the (first) output, batch included, e.g. ``(1, 96, 55, 55)``;
            None when the module did not run (e.g. auxiliary heads in eval mode).
        weight_params: elements of the ``weight`` (and other non-bias) parameters.
        bias_params: elements of ``bias`` parameters (not of normalisation layers).
        norm_params: elements of the affine parameters of BatchNorm & co.
        trainable_params: how many of the above have ``requires_grad``.
        calls: how often the module ran (a ReLU reused in a ResNet block runs twice).
        activations: elements of the output (first call), batch included.
        activation_bytes: ``activations`` · bytes per element of the output dtype.
        inplace: the output overwrote its input (in-place ReLU) and needs no new memory.
        macs: multiply-accumulates over all calls (convention in :mod:`vizkit.summary.opcount`).
        other_ops: other operations by label (``"bias"``, ``"norm"``, ``"activation"`` ...).
        receptive_field: field of the output units, for 4-D outputs; None otherwise.
        own: False for a leaf module. True for the own part of a module with children: only
            the parameters registered on it directly and the ops its ``forward`` runs itself
            (its children have their own rows). ``output_shape`` and ``receptive_field`` are
            the module's output; ``activations`` and ``activation_bytes`` are 0, since that
            output is a tensor the children's rows or the block's own ops already produced.
    """

    name: str
    type: str
    output_shape: tuple[int, ...] | None
    weight_params: int = 0
    bias_params: int = 0
    norm_params: int = 0
    trainable_params: int = 0
    calls: int = 1
    activations: int = 0
    activation_bytes: int = 0
    inplace: bool = False
    macs: int = 0
    other_ops: Mapping[str, int] = field(default_factory=dict)
    receptive_field: ReceptiveField | None = None
    own: bool = False

    @property
    def label(self) -> str:
        """The name as the table prints it: ``"layer1.0 (own)"`` for a block's own part."""
        if not self.own:
            return self.name
        return f"{self.name or 'model'} (own)"

    @property
    def params(self) -> int:
        """All parameters of the row: weights + biases + normalisation."""
        return self.weight_params + self.bias_params + self.norm_params

    @property
    def flops(self) -> int:
        """``2 · macs``: a multiply and an add per multiply-accumulate."""
        return 2 * self.macs


@dataclass(frozen=True)
class BlockRow:
    """A module with children (a VGG stage, an inception block, a residual block).

    Attributes:
        name: dotted module name.
        type: class name.
        output_shape: shape of its (first) output, batch included.
        weight_params: non-bias, non-normalisation parameters inside it (the papers' "params").
        params: all parameters inside it.
        macs: multiply-accumulates of everything that ran inside it, over all calls.
        other_ops: other operations inside it by label (residual adds included).
        receptive_field: field of its output units (for an inception block: of the concatenation).
    """

    name: str
    type: str
    output_shape: tuple[int, ...] | None
    weight_params: int
    params: int
    macs: int
    other_ops: Mapping[str, int] = field(default_factory=dict)
    receptive_field: ReceptiveField | None = None


@dataclass(frozen=True)
class LayerTable:
    """Shapes, parameters, operations, memory and receptive fields of a model, layer by layer.

    Attributes:
        all_rows: one :class:`LayerRow` per leaf module, in the order they first ran, and one
            per module with children that registers parameters itself or runs ops of its own
            (``own=True``, right after its children's rows); modules that never ran come last
            with ``output_shape=None``. Their parameters add up to ``total_params``, their MACs
            to ``total_macs`` and their other ops to ``other_ops``. (Properties: ``rows``, the
            leaf modules' rows only, one per leaf; ``own_rows``, the others.)
        blocks: one :class:`BlockRow` per module with children that ran.
        input_shape: the batch the model was run on, e.g. ``(1, 3, 224, 224)``.
        dtype: dtype of the activations, e.g. ``"float32"``.
        total_params: ``sum(p.numel() for p in model.parameters())`` (shared ones once).
        trainable_params: the part of ``total_params`` with ``requires_grad``.
        total_macs: multiply-accumulates of the whole forward pass (batch included).
        other_ops: every other operation of the pass, by label.
        input_bytes: memory of the input batch.
        param_bytes: memory of the parameters.
        buffer_bytes: memory of the buffers (BatchNorm running statistics).
        activation_bytes: input plus every output that is not computed in place: what a
            forward pass that keeps everything holds (torchinfo's "forward/backward pass size"
            halved; the lecture notes' per-layer memory walk).
        inference_peak_bytes: most activation memory alive at once in a ``no_grad`` forward.
        training_saved_bytes: activations autograd keeps for the backward pass of one
            training step (measured with ``saved_tensors_hooks`` in train mode).
        nodes: dataflow graph nodes (input, leaf calls, adds and concatenations).
        edges: ``(from_id, to_id)`` pairs between ``nodes``.
        notes: where receptive fields were approximated or lost.
        fallback_reason: None when the meta device ran the model; otherwise why a real forward
            pass on a copy was used instead.
    """

    all_rows: tuple[LayerRow, ...]
    blocks: tuple[BlockRow, ...]
    input_shape: tuple[int, ...]
    dtype: str
    total_params: int
    trainable_params: int
    total_macs: int
    other_ops: Mapping[str, int]
    input_bytes: int
    param_bytes: int
    buffer_bytes: int
    activation_bytes: int
    inference_peak_bytes: int
    training_saved_bytes: int
    nodes: tuple[GraphNode, ...] = ()
    edges: tuple[tuple[int, int], ...] = ()
    notes: tuple[str, ...] = ()
    fallback_reason: str | None = None

    @property
    def rows(self) -> tuple[LayerRow, ...]:
        """One row per leaf module (``named_modules()`` order of first call), no own rows."""
        return tuple(r for r in self.all_rows if not r.own)

    @property
    def own_rows(self) -> tuple[LayerRow, ...]:
        """The own parts of modules with children (parameters they register, ops they run)."""
        return tuple(r for r in self.all_rows if r.own)

    @property
    def total_flops(self) -> int:
        """``2 · total_macs`` (multiply and add counted separately)."""
        return 2 * self.total_macs

    @property
    def activation_count(self) -> int:
        """Elements behind :attr:`activation_bytes` (input included, in-place outputs not)."""
        per = self.input_bytes // max(1, _prod(self.input_shape))
        return self.activation_bytes // max(1, per)

    def row(self, name: str) -> LayerRow:
        """The row of the leaf module ``name``, or the own row of the block ``name``.

        Raises:
            KeyError: no row has that name; the message suggests the closest names.
        """
        for r in self.all_rows:
            if r.name == name:
                return r
        raise KeyError(did_you_mean(name, [r.name for r in self.all_rows], what="row"))

    def block(self, name: str) -> BlockRow:
        """The row of the module-with-children ``name`` (KeyError with suggestions if absent)."""
        for b in self.blocks:
            if b.name == name:
                return b
        raise KeyError(did_you_mean(name, [b.name for b in self.blocks], what="block"))

    def parameter_memory(self, optimizer: Optimizer = "adam") -> int:
        """Bytes for parameters while training: weights + gradients + optimizer state.

        Args:
            optimizer: ``"none"`` (inference: weights only), ``"sgd"`` (×2), ``"momentum"``
                (×3), ``"adam"`` (×4: two moment estimates).

        Raises:
            ValueError: unknown optimizer.
        """
        if optimizer not in OPTIMIZER_STATES:
            raise ValueError(
                f"optimizer {optimizer!r} is not one of {sorted(OPTIMIZER_STATES)}: "
                "pick the one you train with"
            )
        copies = 1 if optimizer == "none" else 2 + OPTIMIZER_STATES[optimizer]
        return self.param_bytes * copies

    def training_memory(self, optimizer: Optimizer = "adam") -> int:
        """Bytes for one training step: parameter memory + buffers + saved activations."""
        return self.parameter_memory(optimizer) + self.buffer_bytes + self.training_saved_bytes

    def records(self) -> list[dict[str, object]]:
        """Every row (:attr:`all_rows`) as a plain dict (for pandas or plotting)."""
        out = []
        for r in self.all_rows:
            rf = r.receptive_field
            out.append(
                {
                    "name": r.name,
                    "label": r.label,
                    "own": r.own,
                    "type": r.type,
                    "output_shape": r.output_shape,
                    "params": r.params,
                    "weight_params": r.weight_params,
                    "bias_params": r.bias_params,
                    "norm_params": r.norm_params,
                    "trainable_params": r.trainable_params,
                    "activations": r.activations,
                    "activation_bytes": r.activation_bytes,
                    "inplace": r.inplace,
                    "macs": r.macs,
                    "flops": r.flops,
                    "other_ops": sum(r.other_ops.values()),
                    "rf_size": rf.int_size if rf else None,
                    "rf_jump": rf.jump if rf else None,
                    "rf_start": rf.start if rf else None,
                }
            )
        return out

    def _repr_html_(self) -> str:
        return table_html(self)


def _prod(shape: tuple[int, ...]) -> int:
    n = 1
    for s in shape:
        n *= s
    return n
