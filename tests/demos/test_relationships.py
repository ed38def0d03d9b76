"""check_relationships: Dumoulin & Visin's table, each row against a real torch layer."""

from __future__ import annotations

import itertools
import re

import pytest
import torch
import torch.nn.functional as F
from torch import nn

from vizkit.demos.relationships import (
    RelationshipCheck,
    RelationshipTable,
    check_relationships,
    torch_layer,
    torch_output_size,
)
from vizkit.geometry import RELATIONSHIPS, GeometryError, Setting, relationship

pytestmark = pytest.mark.usefixtures("torch_one_thread")


def test_default_table_is_the_guides_fifteen_examples():
    table = check_relationships()
    assert [r.number for r in table.rows] == list(range(1, 16))
    assert table.all_agree
    for row, rel in zip(table.rows, RELATIONSHIPS, strict=True):
        assert (row.name, row.formula, row.figure) == (rel.name, rel.formula, rel.figure)
        assert row.params == rel.params_text(rel.example)
        assert row.closed_form == row.vizkit == row.torch == rel.closed_form(rel.example)
    assert table.rows[14].layer == (
        "Conv2d(1, 1, kernel_size=(3, 3), stride=(1, 1), dilation=(2, 2), bias=False)"
    )


def test_torch_column_is_the_real_layers_output():
    """Against torch's functionals, written out here (independent of torch_layer)."""
    table = check_relationships()
    x = {
        r.number: torch.zeros(1, 1, r.example.input_size, r.example.input_size)
        for r in RELATIONSHIPS
    }
    w3 = torch.zeros(1, 1, 3, 3)
    assert table.rows[5].torch == F.conv2d(x[6], w3, stride=2, padding=1).shape[-1]  # R6
    assert table.rows[6].torch == F.max_pool2d(x[7], 3, 1).shape[-1]  # R7
    assert (
        table.rows[13].torch
        == F.conv_transpose2d(  # R14
            x[14], w3, stride=2, padding=1, output_padding=1
        ).shape[-1]
    )
    assert table.rows[14].torch == F.conv2d(x[15], w3, dilation=2).shape[-1]  # R15


def test_layers_are_the_ones_each_relationship_names():
    kinds = {"conv": nn.Conv2d, "pool": nn.MaxPool2d, "transposed": nn.ConvTranspose2d}
    for rel in RELATIONSHIPS:
        layer = torch_layer(rel, rel.example)
        assert type(layer) is kinds[rel.kind]
    r14 = torch_layer(relationship(14), relationship(14).example)
    assert (r14.stride, r14.padding, r14.output_padding) == ((2, 2), (1, 1), (1, 1))


def test_every_relationship_on_a_grid_agrees_with_torch():
    grid = [
        Setting(i, k, s, p, a, d)
        for i, k, s, p, a, d in itertools.product(
            range(1, 9), range(1, 5), range(1, 4), range(0, 4), range(0, 3), range(1, 3)
        )
    ]
    cases = [(rel, s) for rel in RELATIONSHIPS for s in grid if rel.applies_to(s)]
    assert {rel.number for rel, _ in cases} == set(range(1, 16))
    table = check_relationships(cases)
    assert len(table.rows) == len(cases) > 2000
    assert [r for r in table.rows if not r.agree] == []
    assert all(
        r.figure == "" for r, (rel, s) in zip(table.rows, cases, strict=True) if s != rel.example
    )


def test_a_disagreement_shows():
    good = check_relationships().rows[0]
    bad = RelationshipCheck(1, good.name, good.formula, good.params, 2, 3, 2, good.layer)
    table = RelationshipTable((good, bad))
    assert not bad.agree and not table.all_agree
    page = table._repr_html_()
    assert page.count('<tr class="bad">') == 1
    assert "rows [1] disagree" in page
    assert "✗" in repr(table) and "all agree: False" in repr(table)


def test_html_has_one_row_per_relationship_and_the_verdict():
    page = check_relationships()._repr_html_()
    assert len(re.findall(r"<tr><td", page)) == 15
    assert "all 15 rows agree: closed form = vizkit = torch" in page
    assert "o′ = s(i′ − 1) + a + k − 2p" in page and "Figure 4.7" in page


def test_errors():
    with pytest.raises(GeometryError, match=r"relationship 1 \(no zero padding"):
        check_relationships([(relationship(1), Setting(5, 3, padding=1))])
    with pytest.raises(TypeError, match=r"setting must be a vizkit\.geometry\.Setting, got tuple"):
        torch_output_size(relationship(1), (5, 3))  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="rel must be a Relationship"):
        torch_layer(1, Setting(5, 3))  # type: ignore[arg-type]
