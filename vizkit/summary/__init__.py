"""The layer table: shapes, parameters, MACs, memory and receptive fields of any model.

One straight path, each step visited once (in :func:`~vizkit.summary.summarize.summarize`):

1. :mod:`~vizkit.summary.prepare` checks the model and the input and makes a copy whose
   tensors live on the meta device (shapes, no memory; :mod:`~vizkit.summary.copy_tree` walks
   the module tree); :mod:`~vizkit.summary.inputs` turns ``input_size`` / ``input_data`` /
   ``dtypes`` / ``batch_dim`` / forward keywords into the forward's arguments
   (:mod:`~vizkit.summary.trees` finds the tensors nested in them and in the output);
2. :mod:`~vizkit.summary.record` runs one forward pass of that copy, recording every torch op
   and (:mod:`~vizkit.summary.call_recording`, installed by :mod:`~vizkit.summary.calls`)
   every module call, one :class:`~vizkit.summary.records.CallRecord` per call; it counts each
   op (:mod:`~vizkit.summary.opcount`) and propagates receptive fields
   (:mod:`~vizkit.summary.field_rules`); torch's slow Python meta kernels are answered by exact
   stand-ins (the private :mod:`vizkit.summary._meta`), and plain leaf modules are recorded
   without running their ``forward`` (:mod:`~vizkit.summary.leaf_calls`);
3. :mod:`~vizkit.summary.assemble` turns the record into a
   :class:`~vizkit.summary.table.LayerTable`, one row per module call (HTML view in
   :mod:`~vizkit.summary.table_html`); with no input, a parameters-only table.

A forward that fails is explained by :mod:`~vizkit.summary.diagnose` (what went wrong, in which
layer, the fix). Where speed needs torch's private internals, the access lives in one marked
module, :mod:`vizkit.summary._torch_internals`, with a version guard and a fallback.

``summarize`` and ``receptive_field`` are the fixed public names (``vizkit.summarize``,
``vizkit.receptive_field``).
"""

from __future__ import annotations

from vizkit.geometry.receptive import ReceptiveField
from vizkit.summary.summarize import receptive_field, summarize
from vizkit.summary.table import BlockRow, GraphNode, LayerRow, LayerTable, TensorSpec

__all__ = [
    "BlockRow",
    "GraphNode",
    "LayerRow",
    "LayerTable",
    "ReceptiveField",
    "TensorSpec",
    "receptive_field",
    "summarize",
]
