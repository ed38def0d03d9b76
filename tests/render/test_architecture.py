"""Architecture figures tested as data: bar totals, diagram lanes and skips, charts, fields."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from torch import nn

import vizkit as vk
from vizkit import zoo
from vizkit.inspect import gradient_receptive_field
from vizkit.render.architecture import (
    accuracy_bubble_figure,
    architecture_figure,
    field_box,
    ilsvrc_history_figure,
    layer_bars_figure,
    receptive_field_figure,
)
from vizkit.zoo.published import accuracy_table, published


def meta_table(name: str, size: tuple[int, int, int] = (3, 224, 224)) -> vk.LayerTable:
    with torch.device("meta"):  # shapes only: the zoo's big models build in milliseconds
        model = zoo.build(name)
    return vk.summarize(model, size)


@pytest.fixture(scope="module")
def vgg() -> vk.LayerTable:
    return meta_table("vgg-D")


@pytest.fixture(scope="module")
def resnet18() -> vk.LayerTable:
    return meta_table("resnet18")


@pytest.fixture(scope="module")
def googlenet() -> vk.LayerTable:
    return meta_table("googlenet")


def test_bars_add_up_to_the_table_totals(vgg):
    fig = layer_bars_figure(vgg)
    assert [t.type for t in fig.data] == ["bar"] * 3
    params, macs, memory = (sum(t.y) for t in fig.data)
    assert params == vgg.total_params == 138_357_544
    assert macs == vgg.total_macs
    # In-place ReLUs add no memory: the bars sum to the table's total less the input.
    assert memory == vgg.activation_bytes - vgg.input_bytes
    layers = fig.layout.meta["layers"]
    assert "features.0" in layers and not any(vgg.row(n).type == "ReLU" for n in layers)
    assert len(fig.data[0].x) == len(layers) == 21  # 13 conv + 5 pool + 3 linear
    assert "138.36 M" in fig.layout.title.text


def test_bars_label_a_blocks_own_row(resnet18):
    """A block's own ops (the residual addition) get a bar labelled "(own)", not a bare name."""
    fig = layer_bars_figure(resnet18, metrics=("params", "macs", "other_ops"))
    labels = list(fig.data[0].x)
    assert "layer1.0 (own)" in labels and "layer1.0" not in labels
    assert sum(fig.data[2].y) == sum(resnet18.other_ops.values())


def test_bars_take_records_and_keep_empty_layers_on_request(vgg):
    from_records = layer_bars_figure(vgg.records(), metrics=["params"], skip_empty=False)
    assert len(from_records.data) == 1
    assert len(from_records.data[0].x) == len(vgg.rows)
    assert sum(from_records.data[0].y) == vgg.total_params


def test_bars_reject_bad_input(vgg):
    with pytest.raises(ValueError, match=r"metrics \['weights'\] not understood; allowed"):
        layer_bars_figure(vgg, metrics=["weights"])
    with pytest.raises(TypeError, match=r"must be a LayerTable .* got int"):
        layer_bars_figure(3)  # type: ignore[arg-type]


def test_diagram_puts_inception_branches_side_by_side(googlenet):
    fig = architecture_figure(googlenet)
    meta = fig.layout.meta
    pos = {int(k): v for k, v in meta["positions"].items()}
    cat = next(n for n in googlenet.nodes if n.name == "inception3a.cat")
    into = [a for a, b in meta["edges"] if b == cat.id]
    assert len(into) == 4  # four branches meet
    assert sorted(pos[a][0] for a in into) == pytest.approx([-1.2, -0.4, 0.4, 1.2])
    assert pos[cat.id][0] == pytest.approx(0.0)
    assert meta["skips"] == []
    kept = {n.id: n for n in googlenet.nodes if n.id in pos}
    assert not any(n.type == "ReLU" for n in kept.values())  # element-wise layers folded
    names = [t.name for t in fig.data]
    assert names[:2] == ["dataflow", "skip connection"] and "cat" in names


def test_diagram_draws_identity_skips_as_arcs(resnet18):
    fig = architecture_figure(resnet18)
    meta = fig.layout.meta
    pos = {int(k): v for k, v in meta["positions"].items()}
    adds = [n for n in resnet18.nodes if n.type == "add"]
    assert len(adds) == 8
    # 8 blocks; 3 start a stage with a projection shortcut, the other 5 skip by identity.
    assert len(meta["skips"]) == 5
    for a, b in meta["skips"]:
        assert pos[a][0] == pos[b][0] and pos[b][1] - pos[a][1] > 1
    arc_points = [y for y in fig.data[1].y if y is not None]
    assert len(arc_points) == 4 * 5
    assert "5 identity skips" in fig.layout.title.text


def test_diagram_of_a_chain_is_one_lane(vgg):
    fig = architecture_figure(vgg, hide_types=())
    pos = fig.layout.meta["positions"]
    assert len(pos) == len(vgg.nodes)
    assert {round(p[0], 6) for p in pos.values()} == {0.0}
    assert sorted(p[1] for p in pos.values()) == list(range(len(pos)))


def test_diagram_rejects_what_has_no_graph():
    with pytest.raises(TypeError, match="must be a LayerTable"):
        architecture_figure([1, 2])  # type: ignore[arg-type]


def test_bubble_chart_sizes_follow_parameters():
    rows = [
        {"name": "small", "top1": 60.0, "gmacs": 0.5, "params": 1_000_000},
        {"name": "big", "top1": 75.0, "gmacs": 10.0, "params": 100_000_000},
    ]
    fig = accuracy_bubble_figure(rows)
    (trace,) = fig.data
    assert list(trace.x) == [0.5, 10.0] and list(trace.y) == [60.0, 75.0]
    small, big = trace.marker.size
    assert big == pytest.approx(60) and small == pytest.approx(12 + 48 * 0.1)  # area ∝ params
    assert fig.layout.xaxis.type == "log"
    with pytest.raises(ValueError, match=r"lacks \['params'\]"):
        accuracy_bubble_figure([{"name": "x", "top1": 1, "gmacs": 1}])


def test_bubble_chart_of_torchvision_metadata():
    rows = accuracy_table()
    fig = accuracy_bubble_figure(rows)
    by_name = dict(zip(fig.data[0].text, fig.data[0].x, strict=True))
    assert by_name["vgg16"] == pytest.approx(15.47)
    assert by_name["alexnet"] < by_name["resnet18"] < by_name["resnet50"]
    # no two names on the same side of neighbouring bubbles (googlenet and resnet18 overlapped)
    trace = fig.data[0]
    logs, ys = np.log10(trace.x), np.asarray(trace.y)
    for i in range(len(logs)):
        for j in range(i):
            near = abs(logs[i] - logs[j]) < 0.2 and abs(ys[i] - ys[j]) < 3
            same = trace.textposition[i] == trace.textposition[j] == "top center"
            assert not (near and same), (trace.text[i], trace.text[j])
    assert fig.layout.width >= 900  # the caption's lines fit


def test_ilsvrc_history_from_the_published_file():
    history = published("ilsvrc_top5")
    fig = ilsvrc_history_figure(history)
    (bar,) = fig.data
    assert list(bar.y) == [e["top5_error"] for e in history["entries"]]
    assert bar.x[2] == "2012<br>AlexNet"
    assert bar.y[2] == 16.4 and min(bar.y) == 3.57
    assert "Russakovsky" in fig.layout.annotations[0].text
    with pytest.raises(ValueError, match="has no entries"):
        ilsvrc_history_figure({"entries": []})


def test_field_box_centres_the_unit():
    assert field_box(vk.ReceptiveField((3, 5), (1, 2), (0, 1)), (4, 2)) == (3.0, 3.0, 5.0, 7.0)


def test_receptive_field_figure_true_field_matches_analytic_on_a_chain():
    torch.manual_seed(0)
    model = nn.Sequential(*[nn.Conv2d(1, 1, 3) for _ in range(3)])
    with torch.no_grad():
        for conv in model:
            conv.weight.fill_(1.0)  # positive weights: the whole square influences the unit
    image = np.random.default_rng(0).random((16, 16))
    grad = gradient_receptive_field(model, torch.tensor(image[None], dtype=torch.float32), "2")
    field = vk.summarize(model, (1, 16, 16)).row("2").receptive_field
    box = field_box(field, grad.unit[1:])
    fig = receptive_field_figure(image, grad.map, box)
    meta = fig.layout.meta
    assert grad.unit[1:] == (5, 5)  # centre of the 10×10 output
    assert tuple(meta["measured_box"]) == grad.box == (5, 5, 11, 11)
    assert meta["theoretical_box"] == [5.0, 5.0, 11.0, 11.0]
    assert [s.line.dash for s in fig.layout.shapes] == ["dash", None]
    assert "7×7 (dashed) vs nonzero gradient 7×7" in fig.layout.title.text
    overlay = np.asarray(fig.data[1].z, dtype=float)
    assert np.isnan(overlay[0, 0]) and np.nanmax(overlay) == 1.0
    with pytest.raises(ValueError, match=r"image \(16, 15\) and gradient_map \(16, 16\)"):
        receptive_field_figure(image[:, :15], grad.map, box)
