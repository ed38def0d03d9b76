"""FigureWidget sends valid JSON: no NaN/inf reaches jupyter_client (the notebook 07 warning)."""

from __future__ import annotations

import ast
import json
import math
import warnings
from pathlib import Path
from typing import Any

import numpy as np
import plotly.graph_objects as go
import pytest
from ipywidgets import Widget
from ipywidgets.widgets.widget import _remove_buffers
from jupyter_client.session import json_packer

from vizkit.widgets._figure_widget import FigureWidget, json_safe

VIZKIT = Path(__file__).resolve().parents[2] / "vizkit"


def _sendable(state: dict[str, Any]) -> bytes:
    """What jupyter_client does with a widget message; a warning (NaN, inf) fails the test."""
    cleaned, _, _ = _remove_buffers(state)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        return json_packer({"state": cleaned})


def _recording(figure: FigureWidget) -> list[dict[str, Any]]:
    sent: list[dict[str, Any]] = []
    figure._send = lambda msg, buffers=None: sent.append(msg)  # type: ignore[method-assign]
    return sent


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (float("nan"), None),
        (-math.inf, None),
        (1.5, 1.5),
        ([1, 2.5, True], [1, 2.5, True]),
        ([[0.0, float("nan")], ["a", None]], [[0.0, None], ["a", None]]),
        ({"z": np.array([[np.inf, 1.0]]), "s": "x"}, {"z": [[None, 1.0]], "s": "x"}),
        ([1e308, 1e308], [1e308, 1e308]),  # the sum overflows; every value is finite
    ],
)
def test_json_safe(value: Any, expected: Any) -> None:
    assert json_safe(value) == expected


def test_arrays_without_gaps_and_1d_arrays_pass_unchanged() -> None:
    image = np.zeros((4, 4, 3), np.uint8)
    finite = np.ones((2, 2))
    line = np.array([1.0, np.nan])  # plotly sends 1-d arrays as binary: NaN is fine there
    assert json_safe(image) is image and json_safe(finite) is finite and json_safe(line) is line


def test_plotly_alone_sends_nan_and_the_vizkit_widget_does_not() -> None:
    """The first half shows the leak this class exists for (fails if plotly fixes it)."""
    figure = go.Figure(go.Heatmap(z=np.array([[1.0, np.nan], [2.0, 3.0]]), x=[0, math.nan]))
    with pytest.raises(UserWarning, match="Out of range float values are not JSON compliant"):
        _sendable(go.FigureWidget(figure).get_state())
    widget = FigureWidget(figure)
    assert b"null" in _sendable(widget.get_state())
    sent = _recording(widget)
    widget.data[0].z = np.array([[np.nan, 2.0], [np.inf, 1.0]])  # an update in place
    with widget.batch_update():
        widget.data[0].x = [math.nan, 1.0]
        widget.layout.title = "gaps"
    assert sent and all(_sendable(m["state"]) for m in sent)
    restyles = [m["state"]["_py2js_restyle"] for m in sent if m["state"].get("_py2js_restyle")]
    assert restyles[0]["restyle_data"]["z"] == [[[None, 2.0], [None, 1.0]]]


def test_no_module_makes_a_plain_plotly_figure_widget() -> None:
    """Every widget must use vizkit.widgets._figure_widget.FigureWidget (valid JSON)."""
    offenders = []
    for path in sorted(VIZKIT.rglob("*.py")):
        if path.name == "_figure_widget.py":
            continue
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr == "FigureWidget"
            ):
                offenders.append(f"{path.relative_to(VIZKIT.parent)}:{node.lineno}")
    assert not offenders, (
        "use vizkit.widgets._figure_widget.FigureWidget, not plotly's (NaN in its data "
        f"prints a JSON warning into the notebook): {offenders}"
    )


def test_activation_explorer_state_is_valid_json(tiny_cnn: Any) -> None:
    """Notebook 07's warning came from here: the map mosaic separates maps with NaN."""
    from vizkit.widgets.activation_explorer import ActivationExplorer

    image = np.zeros((16, 16, 3), np.float32)
    image[4:8, 4:8] = 1.0
    explorer = ActivationExplorer(tiny_cnn, image, size=16, channels=1)
    assert np.isnan(np.asarray(explorer.grid.data[0].z, float)).any()  # gaps are there
    sent = _recording(explorer.grid)
    explorer.layer.value = "3"
    for widget in (explorer.grid, explorer.single):
        _sendable(widget.get_state())
    assert sent and all(_sendable(m["state"]) for m in sent)


def test_every_widget_made_by_the_explorers_sends_valid_json(tiny_cnn: Any) -> None:
    from vizkit.widgets.activation_explorer import ActivationExplorer
    from vizkit.widgets.filter_explorer import FilterExplorer

    def tree(widget: Widget) -> list[Widget]:
        return [widget, *(w for child in getattr(widget, "children", ()) for w in tree(child))]

    image = np.zeros((16, 16, 3), np.float32)
    made = [
        *tree(ActivationExplorer(tiny_cnn, image, size=16, channels=1)),
        *tree(FilterExplorer(tiny_cnn)),
    ]
    assert len(made) > 10
    for widget in made:
        _sendable(widget.get_state())


def test_the_full_state_is_the_current_figure_not_the_one_of_init(tiny_cnn: Any) -> None:
    """Issue 11: a page that connects after the cell ran (Voilà) asks for the full state; an
    explorer filled in ``__init__`` (after plotly took its first state) must not be empty."""
    from vizkit.widgets.activation_explorer import ActivationExplorer

    plain = go.FigureWidget()
    plain.add_heatmap(z=[[1.0, 2.0]])
    assert plain.get_state()["_widget_data"] == []  # plotly alone: the state of __init__

    figure = FigureWidget()
    figure.add_heatmap(z=[[1.0, math.nan]])
    figure.layout.title = "now"
    state = Widget.get_manager_state()["state"][figure.model_id]["state"]
    assert state["_widget_data"][0]["z"] == [[1.0, None]]  # NaN-free as well
    assert state["_widget_layout"]["title"]["text"] == "now"
    assert set(figure.get_state("_py2js_restyle")) == {"_py2js_restyle"}  # updates unchanged

    explorer = ActivationExplorer(tiny_cnn, np.zeros((16, 16, 3), np.float32), size=16, channels=1)
    for widget in (explorer.grid, explorer.single):
        data = widget.get_state()["_widget_data"]
        assert data and data[0].get("z"), "the explorer's figure would show empty axes"


def test_per_trace_arrays_of_different_shapes() -> None:
    """A batch update sends one value per trace: here two images of different sizes (the
    KernelPlayground after an upload), which ``sum`` cannot add."""
    first, second = np.zeros((4, 6)), np.full((2, 3), np.nan)
    cleaned = json_safe({"z": [first, second]})
    assert cleaned["z"][0] is first and cleaned["z"][1] == [[None] * 3] * 2
    widget = FigureWidget(data=[go.Heatmap(z=np.zeros((1, 1))), go.Heatmap(z=np.zeros((1, 1)))])
    sent = _recording(widget)
    with widget.batch_update():
        widget.data[0].z, widget.data[1].z = first, second
    assert sent and all(_sendable(m["state"]) for m in sent)


def _model_after(update: dict[str, Any], data: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """What plotly's widget *model* (JavaScript, ``do_update``) makes of ``_widget_data``:
    each trace's value set as sent, ``"_undefined_"`` too (it becomes ``undefined``: the
    property is then present but empty), ``null`` unset."""
    model = [dict(t) for t in data]
    for prop, values in update["style_data"].items():
        for trace, value in zip(update["style_traces"], values, strict=True):
            if value is None:
                model[trace].pop(prop, None)
            else:
                model[trace][prop] = "undefined" if value == "_undefined_" else value
    return model


@pytest.mark.parametrize("kind", ["plotly", "vizkit"])
def test_a_batch_update_of_some_traces_keeps_the_others_properties(kind: str) -> None:
    """KernelPlayground's photo came out in plotly's plasma colours instead of grey: a batch
    update that set ``colorscale`` on trace 1 sent trace 0 plotly's "undefined"
    placeholder, and plotly's widget model stored it (the view made later from the model
    drew the default). plotly's own widget still does (the first case fails if plotly fixes
    it); vizkit's sends trace 0 its current colorscale."""
    figure = go.Figure(
        [
            go.Heatmap(z=[[0.0]], colorscale="gray", name="photo"),
            go.Heatmap(z=[[0.0]], colorscale="gray", name="filtered", xaxis="x2"),
        ]
    )
    widget = go.FigureWidget(figure) if kind == "plotly" else FigureWidget(figure)
    sent = _recording(widget)
    with widget.batch_update():
        widget.data[0].update(z=[[1.0, 2.0]])
        widget.data[1].update(z=[[3.0, 4.0]], colorscale="RdBu_r")
    (update,) = [m["state"]["_py2js_update"] for m in sent if m["state"].get("_py2js_update")]
    before = json.loads(_sendable({"d": figure.to_plotly_json()["data"]}))["state"]["d"]
    model = _model_after(json.loads(_sendable(update))["state"], before)
    grey = before[0]["colorscale"]
    if kind == "plotly":
        assert model[0]["colorscale"] == "undefined"
    else:
        assert model[0]["colorscale"] == grey and model[1]["colorscale"][0] == [0.0, "rgb(5,48,97)"]
        assert widget.data[0].colorscale == figure.data[0].colorscale  # Python unchanged too
