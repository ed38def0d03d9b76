"""The papers' tables recomputed by vizkit.zoo.paper_tables, against the published figures."""

from __future__ import annotations

import pytest
import torch

from vizkit import zoo
from vizkit.summary import summarize
from vizkit.zoo.paper_tables import (
    WALK_TYPES,
    LayerWalk,
    WalkLine,
    googlenet_table1,
    layer_walk,
    resnet_flops,
    vgg_table2,
)


@pytest.fixture(scope="module")
def vgg16_table():
    with torch.device("meta"):
        model = zoo.vgg16()
    return summarize(model, (3, 224, 224))


def test_vgg16_walk_lists_conv_pool_and_linear_and_adds_up(vgg16_table):
    walk = layer_walk(vgg16_table)
    assert len(walk.lines) == 13 + 5 + 3  # conv, max-pool, fully-connected
    assert walk.lines[0] == WalkLine("features.0", (64, 224, 224), 224 * 224 * 64, 1792)
    assert walk.lines[-1].output_shape == (1000,)
    assert walk.input_activations == 224 * 224 * 3
    # the notes' lines add up to 15.2 M values (they print 24 M), parameters to 138 M
    assert round(walk.total_activations / 1e6, 1) == 15.2
    assert walk.total_params == vgg16_table.total_params == 138_357_544


def test_walk_of_every_layer_and_first(vgg16_table):
    every = layer_walk(vgg16_table, types=None)
    assert len(every.lines) == len(vgg16_table.rows)
    assert [line.name for line in layer_walk(vgg16_table, types=None, first=2).lines] == [
        "features.0",
        "features.1",
    ]


def test_walk_html_has_one_row_per_line_plus_input_total_and_header(vgg16_table):
    walk = layer_walk(vgg16_table, first=3)
    page = walk._repr_html_()
    assert page.count("<tr>") == 3 + 3
    assert "features.0" in page and "3 × 224 × 224" in page and f"{walk.total_params:,}" in page


def test_walk_errors(vgg16_table):
    with pytest.raises(ValueError, match="first 0 is below 1"):
        layer_walk(vgg16_table, first=0)
    with pytest.raises(ValueError, match=r"types \['Conv3d'\] match no layer"):
        layer_walk(vgg16_table, types=("Conv3d",))
    with torch.device("meta"):
        params_only = summarize(zoo.vgg16())  # no input: no output volumes to walk
    for types in (WALK_TYPES, None):
        with pytest.raises(ValueError, match="table is a parameters-only table"):
            layer_walk(params_only, types=types)


def test_alexnet_conv1_and_pool1():
    with torch.device("meta"):
        table = summarize(zoo.alexnet(), (3, 227, 227))
    walk = layer_walk(table, first=2)
    assert walk.lines == (
        WalkLine("features.conv1", (96, 55, 55), 55 * 55 * 96, 34_944),
        WalkLine("features.pool1", (96, 27, 27), 27 * 27 * 96, 0),
    )
    assert isinstance(walk, LayerWalk)


def test_vgg_table2_matches_the_paper():
    table = vgg_table2()
    assert list(table) == ["A", "A-LRN", "B", "C", "D", "E"]
    assert all(row.millions == row.paper_millions for row in table.values())
    assert table["D"].params == 138_357_544


def test_googlenet_table1_rows():
    lines = googlenet_table1()
    assert [line.name for line in lines][:2] == ["inception3a", "inception3b"]
    assert len(lines) == 9
    first = lines[0]
    assert (first.paper_params_k, first.paper_ops_m, first.ops_m) == (159, 128, 128)
    # the operations match the paper within rounding, except its 5a row (see the notebook)
    assert all(abs(line.ops_m - line.paper_ops_m) <= 1 for line in lines[:-2])


def test_resnet_flops_v1_near_the_paper_v1_5_above():
    flops = resnet_flops((18, 50))
    assert list(flops) == ["resnet18", "resnet50"]
    assert flops["resnet18"] == (1.81, 1.8, 1.81)
    assert abs(flops["resnet50"].v1 - flops["resnet50"].paper) < 0.07
    assert flops["resnet50"].v1_5 - flops["resnet50"].paper > 0.2


@pytest.mark.parametrize(
    ("batch_dim", "batch_size", "x_shape"),
    [(None, 1, (2, 9, 9)), ("auto", 1, (1, 2, 9, 9)), (0, 3, (3, 2, 9, 9))],
)
def test_walk_drops_the_batch_only_where_the_table_has_one(batch_dim, batch_size, x_shape):
    # Conv2d and MaxPool2d take an unbatched (C, H, W) input too: torch's shapes are the truth.
    model = torch.nn.Sequential(torch.nn.Conv2d(2, 4, 3), torch.nn.MaxPool2d(2))
    table = summarize(model, (2, 9, 9), batch_dim=batch_dim, batch_size=batch_size)
    assert table.batch_dim == (None if batch_dim is None else 0)
    walk = layer_walk(table)
    outputs = [model[0](torch.zeros(x_shape))]
    outputs.append(model[1](outputs[0]))
    unbatched = [o.shape if batch_dim is None else o.shape[1:] for o in outputs]
    assert [line.output_shape for line in walk.lines] == [tuple(s) for s in unbatched]
    assert [line.activations for line in walk.lines] == [o.numel() for o in outputs]
    assert walk.batch_dim == table.batch_dim
    assert walk.input_activations == torch.zeros(x_shape).numel()
    assert "2 × 9 × 9" in walk._repr_html_()


def test_walk_with_the_batch_second():
    # batch_dim=1: a (L, N, F) sequence-first input; the walk drops dimension 1
    model = torch.nn.Sequential(torch.nn.Linear(8, 4))
    table = summarize(model, (5, 8), batch_dim=1, batch_size=3)
    assert table.input_shape == (5, 3, 8) and table.batch_dim == 1
    out = model(torch.zeros(5, 3, 8))
    assert layer_walk(table).lines[0].output_shape == (out.shape[0], out.shape[2])
    assert "5 × 8" in layer_walk(table)._repr_html_()
