"""The layer table: shapes, parameters, MACs, memory and receptive fields of any model.

One straight path, each step visited once (in :func:`~vizkit.summary.summarize.summarize`):

1. :mod:`~vizkit.summary.prepare` checks the model and the input and makes a copy whose
   tensors live on the meta device (shapes, no memory; :mod:`~vizkit.summary.copy_tree` walks
   the module tree);
2. :mod:`~vizkit.summary.record` runs one forward pass of that copy, recording every module
   call (:mod:`~vizkit.summary.calls`, :mod:`~vizkit.summary.records`) and every op's counts
   (:mod:`~vizkit.summary.opcount`) and receptive field (:mod:`~vizkit.summary.field_rules`);
   torch's slow Python meta kernels are answered by exact stand-ins (the private
   :mod:`vizkit.summary._meta`);
3. :mod:`~vizkit.summary.assemble` turns the record into a
   :class:`~vizkit.summary.table.LayerTable` (HTML view in :mod:`~vizkit.summary.table_html`).

Where speed needs torch's private internals, the access lives in one marked module,
:mod:`vizkit.summary._torch_internals`, with a version guard and a fallback.

``summarize`` and ``receptive_field`` are the fixed public names (``vizkit.summarize``,
``vizkit.receptive_field``).
"""

from __future__ import annotations

from vizkit.geometry.receptive import ReceptiveField
from vizkit.summary.summarize import receptive_field, summarize
from vizkit.summary.table import BlockRow, GraphNode, LayerRow, LayerTable

__all__ = [
    "BlockRow",
    "GraphNode",
    "LayerRow",
    "LayerTable",
    "ReceptiveField",
    "receptive_field",
    "summarize",
]
