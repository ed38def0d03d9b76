"""FigureWidget sends valid JSON: no NaN/inf reaches jupyter_client (the notebook 07 warning)."""

from __future__ import annotations

import ast
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
