"""The hot-path constructors build exactly what the frozen dataclasses' ``__init__`` builds."""

from __future__ import annotations

from dataclasses import fields

import torch
from torch import nn

from vizkit.geometry.receptive import ReceptiveField
from vizkit.geometry.receptive import make_field as _field
from vizkit.summary.assemble import _row
from vizkit.summary.records import graph_node as _node
from vizkit.summary.table import GraphNode, LayerRow


def test_row_equals_layer_row_with_every_field():
    rf = ReceptiveField((3.0, 3.0), (1.0, 1.0), (0.0, 0.0))
    values = {
        "name": "features.0",
        "type": "Conv2d",
        "output_shape": (1, 64, 224, 224),
        "weight_params": 1728,
        "bias_params": 64,
        "norm_params": 0,
        "trainable_params": 1792,
        "calls": 1,
        "activations": 3211264,
        "activation_bytes": 12845056,
        "inplace": False,
        "macs": 86704128,
        "other_ops": {"bias": 3211264},
        "receptive_field": rf,
        "own": False,
        "call": 0,
    }
    assert set(values) == {f.name for f in fields(LayerRow)}
    fast, slow = _row(**values), LayerRow(**values)
    assert fast == slow and repr(fast) == repr(slow) and fast.params == 1792
    assert vars(fast) == vars(slow)


def test_node_and_field_equal_their_dataclasses():
    node = GraphNode(3, "module", "a.b", "ReLU", (1, 2))
    assert _node(3, "module", "a.b", "ReLU", (1, 2)) == node
    assert hash(_node(3, "module", "a.b", "ReLU", (1, 2))) == hash(node)
    fast = _field((5.0, 7.0), (2.0, 2.0), (-1.0, 0.5), False)
    slow = ReceptiveField((5.0, 7.0), (2.0, 2.0), (-1.0, 0.5), False)
    assert fast == slow and repr(fast) == repr(slow) and fast.int_size == (5, 7)
    window = slow.window((3, 3), (2.0, 1.0), (1, 0), (2, 1))
    # size + d(k-1)·jump, jump·s, start + (d(k-1)/2 - p)·jump, per axis
    assert window == ReceptiveField((13.0, 11.0), (4.0, 2.0), (1.0, 2.5), False)


def test_summaries_are_made_of_the_fast_objects():
    from vizkit.summary import summarize

    table = summarize(nn.Sequential(nn.Conv2d(1, 2, 3), nn.ReLU()), (1, 8, 8))
    assert type(table.all_rows[0]) is LayerRow and type(table.nodes[1]) is GraphNode
    assert table.rows[0].receptive_field == ReceptiveField((3.0, 3.0), (1.0, 1.0), (1.0, 1.0))
    assert isinstance(table.rows[0].receptive_field, ReceptiveField)
    assert torch.Size(table.rows[1].output_shape) == (1, 2, 6, 6)
