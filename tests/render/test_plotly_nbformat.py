"""A kernel's first figure does not import nbformat (2–3 s of CPU), and displays the same.

Each case runs in a fresh interpreter with an IPython shell, as a notebook kernel is: what a
display imports is what the first figure of a notebook pays for.
"""

from __future__ import annotations

import json
import subprocess
import sys

PROBE = """
import json, sys
from IPython.core.interactiveshell import InteractiveShell
from IPython.utils.capture import capture_output

shell = InteractiveShell.instance()
{setup}
import plotly.graph_objects as go
import plotly.io as pio

pio.renderers.default = "plotly_mimetype+notebook"  # what a JupyterLab kernel displays with
fig = go.Figure(go.Scatter(x=[1, 2], y=[3, 4]))
with capture_output() as captured:
    shell.display_formatter.format(fig)
shown = [dict(o.data) for o in captured.outputs]
{after}
print(json.dumps({{
    "loaded": sorted(m for m in ("nbformat", "jsonschema", "rfc3987_syntax") if m in sys.modules),
    "plotly_json": [s.get("application/vnd.plotly.v1+json") for s in shown],
    "mimetypes": [sorted(s) for s in shown],
    **extra,
}}))
"""


def probe(setup: str = "", after: str = "extra = {}") -> dict:
    result = subprocess.run(
        [sys.executable, "-c", PROBE.format(setup=setup, after=after)],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_plotly_still_imports_nbformat_to_display_a_figure() -> None:
    # Without vizkit: the cost vizkit defers. When this fails, plotly imports nbformat lazily
    # itself (plotly/plotly.py#4856): delete defer_nbformat from render/_plotly_internals.py.
    plain = probe()
    assert "nbformat" in plain["loaded"], "plotly no longer imports nbformat eagerly"
    assert any(j is not None for j in plain["plotly_json"])  # the probe saw the figure


def test_a_figure_displays_the_same_without_importing_nbformat() -> None:
    plain = probe()
    deferred = probe(setup="import vizkit.render")
    assert deferred["loaded"] == []  # neither nbformat nor jsonschema nor the grammars
    assert deferred["mimetypes"] == plain["mimetypes"]
    assert deferred["plotly_json"] == plain["plotly_json"]


def test_a_figure_widget_loads_no_nbformat() -> None:
    widget = probe(
        setup="from vizkit.widgets._figure_widget import FigureWidget",
        after="shell.display_formatter.format(FigureWidget(fig)); extra = {}",
    )
    assert widget["loaded"] == []


def test_nbformat_is_the_real_module_on_any_other_use() -> None:
    after = """
import nbformat
from plotly.io import _renderers
stand_in = type(_renderers.nbformat).__name__
version = _renderers.nbformat.__version__       # answered from the metadata
read = _renderers.nbformat.v4.new_notebook      # any other attribute: the real module
extra = {
    "stand_in": stand_in,
    "version": version,
    "real_version": nbformat.__version__,
    "restored": _renderers.nbformat is sys.modules["nbformat"],
    "notebook": read()["nbformat"],
}
"""
    used = probe(setup="import vizkit.render", after=after)
    assert used["stand_in"] == "NbformatOnFirstUse"
    assert used["version"] == used["real_version"]
    assert used["restored"] and used["notebook"] == 4


def test_defer_nbformat_is_a_no_op_once_plotly_has_loaded_it() -> None:
    after = """
from vizkit.render._plotly_internals import defer_nbformat
from plotly.io import _renderers
extra = {"deferred": defer_nbformat(), "module": type(_renderers.nbformat).__name__}
"""
    late = probe(after=after)  # vizkit imported after the first display
    assert late["deferred"] is False and late["module"] == "module"
