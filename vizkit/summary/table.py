"""The layer table: plain data about a model, one row per layer call (no torch needed to read it).

``LayerTable.rows`` has one row per call of a leaf module: a ReLU that a ResNet block runs
twice, or a recurrent cell run in a loop, gets a row for each call, with that call's output
shape, operations and activations; its parameters are in the row of its first call.
``LayerTable.own_rows`` has the *own* part of each module with children that has one: the
parameters it registers itself (ViT's ``class_token``, ``nn.MultiheadAttention.in_proj_weight``,
ConvNeXt's ``layer_scale``), the ops its own ``forward`` runs (a ResNet block's residual ``+``)
and the new tensors it returns that no child made (an Inception block's concatenation).
``all_rows`` is both, in execution order, and adds up to the whole model: parameters to
``total_params``, MACs to ``total_macs``, other ops to ``other_ops``, activation bytes (with
the input's) to ``activation_bytes``.

:func:`vizkit.summarize` fills a :class:`LayerTable`; notebooks display it (``_repr_html_``)
and :mod:`vizkit.render.architecture` draws it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal

from vizkit._suggest import did_you_mean
from vizkit.geometry.receptive import ReceptiveField
from vizkit.summary.table_html import table_html  # one way: table_html never imports table

__all__ = [
    "OPTIMIZER_STATES",
    "BlockRow",
    "GraphNode",
    "LayerRow",
    "LayerTable",
    "TensorSpec",
    "drop_batch_dim",
]

#: Extra values per parameter an optimizer keeps, besides the weights and their gradients.
OPTIMIZER_STATES: Mapping[str, int] = {"none": 0, "sgd": 0, "momentum": 1, "adam": 2}
Optimizer = Literal["none", "sgd", "momentum", "adam"]


@dataclass(frozen=True)
class TensorSpec:
    """One tensor among the model's inputs or outputs: where it sits, its shape and dtype.

    Attributes:
        path: how to reach it: ``"input"`` (the one input), ``"input[1]"`` (the second
            positional argument), ``"mask"`` (a keyword argument), ``"output"``,
            ``"output[0]"``, ``"output['out']"``, ``"output.logits"`` (a namedtuple field),
            ``"output.loc"`` (a parameter of a returned ``torch.distributions`` object).
        shape: its shape, batch included, e.g. ``(1, 3, 224, 224)``.
        dtype: e.g. ``"float32"``, ``"int64"``.
    """

    path: str
    shape: tuple[int, ...]
    dtype: str

    def __str__(self) -> str:
        return f"{self.path} {'×'.join(map(str, self.shape)) or 'scalar'} {self.dtype}"


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
    """One call of a leaf module, or of a block's own part, during one forward pass.

    Attributes:
        name: dotted name from ``model.named_modules()`` (``""`` for the model itself).
        type: class name (``"Conv2d"``).
        output_shape: shape of the call's output (its first tensor where it returns several,
            as ``nn.LSTM``'s ``output, (h, c)``), batch included, e.g. ``(1, 96, 55, 55)``;
            None when the module did not run (auxiliary heads in eval mode, or no input given).
        weight_params: elements of the ``weight`` (and other non-bias) parameters.
        bias_params: elements of ``bias`` parameters (not of normalisation layers).
        norm_params: elements of the affine parameters of BatchNorm & co.
        trainable_params: how many of the above have ``requires_grad``.
            The four parameter counts are in the row of the module's first call only (0 in
            the rows of its later calls), so that the rows add up to the model.
        calls: how often the module ran in the pass (a ReLU reused in a ResNet block: 2).
        activations: elements of the new tensors this call returned, batch included: every
            tensor of its output whose memory no earlier call and no input already had. 0 for
            an in-place op (``ReLU(inplace=True)``), a view (``Flatten``) or a pass-through
            (``Dropout`` in eval mode).
        activation_bytes: the bytes of those tensors (their storages).
        inplace: the (first) output is memory of the call's input: in place, a view or the
            input itself, so the call needs no new memory.
        macs: multiply-accumulates of this call (convention in :mod:`vizkit.summary.opcount`).
        other_ops: other operations of this call by label (``"bias"``, ``"norm"`` ...).
        receptive_field: field of the output units, for 4-D outputs; None otherwise.
        own: False for a leaf module. True for the own part of a module with children: only
            the parameters registered on it directly, the ops its ``forward`` runs itself
            and the new tensors it returns that none of its children made (its children
            have their own rows). ``output_shape`` and ``receptive_field`` are the module's
            output.
        call: which call of the module this row is, from 0 (``calls`` in all).
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
    call: int = 0

    @property
    def label(self) -> str:
        """The name as the table prints it, unique in a table: ``"layer1.0 (own)"`` for a
        block's own part, ``"layer1.0.relu (call 2/2)"`` for a module that ran twice."""
        parts = ["own"] if self.own else []
        if self.calls > 1:
            parts.append(f"call {self.call + 1}/{self.calls}")
        name = (self.name or "model") if self.own else self.name
        return f"{name} ({', '.join(parts)})" if parts else name

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

    One per module, over all its calls (unlike the rows, which are per call).

    Attributes:
        name: dotted module name.
        type: class name.
        output_shape: shape of its output in its first call, batch included.
        weight_params: non-bias, non-normalisation parameters inside it (the papers' "params").
        params: all parameters inside it.
        macs: multiply-accumulates of everything that ran inside it, over all calls.
        other_ops: other operations inside it by label (residual adds included).
        receptive_field: field of its output units (for an inception block: of the concatenation).
        calls: how often it ran.
    """

    name: str
    type: str
    output_shape: tuple[int, ...] | None
    weight_params: int
    params: int
    macs: int
    other_ops: Mapping[str, int] = field(default_factory=dict)
    receptive_field: ReceptiveField | None = None
    calls: int = 1


def drop_batch_dim(shape: Sequence[int], batch_dim: int | None) -> tuple[int, ...]:
    """``shape`` without the dimension at ``batch_dim``; the whole shape when ``batch_dim`` is
    ``None`` (no batch) or beyond it.

    >>> drop_batch_dim((8, 3, 32), 0), drop_batch_dim((8, 3, 32), 1), drop_batch_dim((3, 32), None)
    ((3, 32), (8, 32), (3, 32))
    """
    shape = tuple(shape)
    if batch_dim is None or batch_dim >= len(shape):
        return shape
    return shape[:batch_dim] + shape[batch_dim + 1 :]


@dataclass(frozen=True)
class LayerTable:
    """Shapes, parameters, operations, memory and receptive fields of a model, layer by layer.

    Attributes:
        all_rows: one :class:`LayerRow` per call of a leaf module, in the order the calls
            ended, and one per call of a module with children that registers parameters
            itself, runs ops of its own or returns a new tensor none of its children made
            (``own=True``, right after its children's rows of that call); modules that never
            ran come last with ``output_shape=None``. Their parameters add up to
            ``total_params``, their MACs to ``total_macs``, their other ops to ``other_ops``
            and their ``activation_bytes`` (plus ``input_bytes``) to ``activation_bytes``.
            (Properties: ``rows``, the leaf-module calls only; ``own_rows``, the others.)
        blocks: one :class:`BlockRow` per module with children that ran.
        input_shape: the shape of the (first) input tensor, batch included, e.g.
            ``(1, 3, 224, 224)``; None for a parameters-only table (no input given).
        batch_dim: where the batch is in ``input_shape`` and the rows' shapes: the
            ``batch_dim`` given to :func:`~vizkit.summary.summarize` (``"auto"`` resolved to 0,
            or 1 for a ``batch_first=False`` first layer); 0 for ``input_data`` (given batch
            included); None when the input has no batch dimension (``batch_dim=None``) or no
            input was given (parameters only).
        dtype: dtype of the activations and parameters, e.g. ``"float32"``.
        total_params: ``sum(p.numel() for p in model.parameters())`` (shared ones once).
        trainable_params: the part of ``total_params`` with ``requires_grad``.
        total_macs: multiply-accumulates of the whole forward pass (batch included).
        other_ops: every other operation of the pass, by label.
        input_bytes: memory of the input tensors.
        param_bytes: memory of the parameters.
        buffer_bytes: memory of the buffers (BatchNorm running statistics).
        activation_bytes: what a forward pass that keeps every module's output holds: the
            bytes of the input tensors plus those of every tensor that a module call returns
            and that is new memory (not the input's, not an earlier call's: an in-place ReLU,
            a ``Flatten`` view or ``Dropout`` in eval mode add nothing), each storage counted
            once, for every call of a module. This is what forward hooks on every module of
            a real forward see (``tests/summary/test_activation_bytes.py`` checks it so).
            Tensors a ``forward`` makes and uses without any module returning them (ViT's
            class-token concatenation, the inside of ``nn.MultiheadAttention``) are not in
            it; :attr:`inference_peak_bytes` does count them. torchinfo's "Forward/backward
            pass size" is a different number: twice the bytes of the (first) output tensor of
            every call of a leaf module *with parameters* (convolutions, linear and norm
            layers; no activations, pooling or input), ``2 · Σ prod(row.output_shape) ·
            itemsize`` over the rows of such modules, whether or not the output is new.
        inference_peak_bytes: most activation memory alive at once in a ``no_grad`` forward.
        training_saved_bytes: activations autograd keeps for the backward pass of one
            training step (measured with ``saved_tensors_hooks`` in train mode).
        nodes: dataflow graph nodes (inputs, leaf calls, adds and concatenations).
        edges: ``(from_id, to_id)`` pairs between ``nodes``.
        notes: where receptive fields were approximated or lost, and where the batch
            dimension went when it was not dimension 0.
        fallback_reason: None when the meta device ran the model; otherwise why a real forward
            pass on a copy was used instead.
        inputs: every tensor the forward was given (positional, keyword, nested).
        outputs: every tensor the forward returned (in a tuple, dict, namedtuple or
            ``torch.distributions`` object); empty when it returned none.
        output_type: class name of what the forward returned (``"Tensor"``, ``"tuple"``,
            ``"Normal"``, ``"NoneType"``); None when the model did not run.
    """

    all_rows: tuple[LayerRow, ...]
    blocks: tuple[BlockRow, ...]
    input_shape: tuple[int, ...] | None
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
    inputs: tuple[TensorSpec, ...] = ()
    outputs: tuple[TensorSpec, ...] = ()
    output_type: str | None = None
    batch_dim: int | None = 0

    @property
    def output_text(self) -> str:
        """The model's output in words: ``"Tensor 1×1000 float32"``, ``"tuple: output[0]
        2×10 float32, output[1] 2×4 float32"``, ``"none"`` (a forward returning no tensor)
        or ``"not run (no input given)"``."""
        if self.output_type is None:
            return "not run (no input given)"
        if not self.outputs:
            return "none" if self.output_type == "NoneType" else f"{self.output_type}, no tensor"
        if self.output_type == "Tensor" and len(self.outputs) == 1:
            spec = self.outputs[0]
            return f"Tensor {'×'.join(map(str, spec.shape)) or 'scalar'} {spec.dtype}"
        return f"{self.output_type}: " + ", ".join(str(o) for o in self.outputs)

    @property
    def rows(self) -> tuple[LayerRow, ...]:
        """One row per leaf-module call, in call order (a module that ran twice has two;
        ``row.call`` tells them apart); unused leaf modules last; no own rows."""
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
        """Elements behind :attr:`activation_bytes`: the inputs' and every row's
        ``activations`` (in-place outputs, views and pass-throughs not)."""
        return sum(_prod(t.shape) for t in self.inputs) + sum(r.activations for r in self.all_rows)

    def unbatched(self, shape: Sequence[int]) -> tuple[int, ...]:
        """``shape`` (:attr:`input_shape`, a row's or a block's ``output_shape``) without its
        batch dimension, the one at :attr:`batch_dim`; the whole shape when there is none.

        >>> LayerTable((), (), (8, 2, 5), "float32", 0, 0, 0, {}, 0, 0, 0, 0, 0, 0,
        ...            batch_dim=1).unbatched((8, 2, 16))
        (8, 16)
        """
        return drop_batch_dim(shape, self.batch_dim)

    def row(self, name: str) -> LayerRow:
        """The row of the leaf module ``name`` (its first call), or the own row of the block
        ``name`` (:meth:`calls_of` gives every call's row).

        Raises:
            KeyError: no row has that name; the message suggests the closest names.
        """
        for r in self.all_rows:
            if r.name == name:
                return r
        raise KeyError(did_you_mean(name, [r.name for r in self.all_rows], what="row"))

    def calls_of(self, name: str) -> tuple[LayerRow, ...]:
        """Every row of module ``name`` (own rows of a block, rows of a leaf), in call order.

        Raises:
            KeyError: no row has that name; the message suggests the closest names.
        """
        found = tuple(r for r in self.all_rows if r.name == name)
        if not found:
            raise KeyError(did_you_mean(name, [r.name for r in self.all_rows], what="row"))
        return found

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
                    "call": r.call,
                    "calls": r.calls,
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
