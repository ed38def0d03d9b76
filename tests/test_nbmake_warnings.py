"""The nbmake plugin that fails a notebook with warning text in its output."""

from __future__ import annotations

from pathlib import Path

import nbformat

from tests.nbmake_warnings import check_nbmake_api, strict_execute, warning_outputs


def _nb(*cells: str, outputs: list[list[dict]] | None = None) -> nbformat.NotebookNode:
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell("# title")]
    for i, source in enumerate(cells):
        cell = nbformat.v4.new_code_cell(source)
        cell.outputs = [nbformat.from_dict(o) for o in (outputs[i] if outputs else [])]
        nb.cells.append(cell)
    return nb


def _stream(name: str, text: str) -> dict:
    return {"output_type": "stream", "name": name, "text": text}


def test_warning_outputs_finds_warning_text_on_stderr_only() -> None:
    nb = _nb(
        "a",
        "b",
        "c",
        outputs=[
            [_stream("stdout", "a warning in printed text is the author's choice")],
            [_stream("stderr", "progress 10/10\n")],
            [_stream("stderr", "/x.py:3: UserWarning: Message serialization failed with:\n")],
        ],
    )
    assert [index for index, _ in warning_outputs(nb)] == [3]


def test_the_installed_nbmake_has_what_the_plugin_wraps() -> None:
    check_nbmake_api()  # raises pytest.UsageError naming the change


def test_a_notebook_whose_output_warns_fails(tmp_path: Path) -> None:
    """End to end through nbmake: a NaN sent by plotly's own FigureWidget prints
    jupyter_client's JSON warning into the cell (the notebook 07 bug) and fails the
    notebook; vizkit's FigureWidget with the same data, one cell earlier, stays silent."""
    from nbmake.nb_run import NotebookRun

    path = tmp_path / "warns.ipynb"
    nb = _nb(
        "import math, plotly.graph_objects as go\n"
        "from vizkit.widgets._figure_widget import FigureWidget\n"
        "FigureWidget(go.Figure(go.Heatmap(z=[[1.0, math.nan]])))",
        "go.FigureWidget(go.Figure(go.Heatmap(z=[[1.0, math.nan]])))",
        "print('never reached by the check: the first warning fails the notebook')",
    )
    nbformat.write(nb, path)
    result = strict_execute(NotebookRun.execute)(NotebookRun(path, 240))
    assert result.error is not None, [c.get("outputs") for c in result.nb.cells]
    assert result.error.failing_cell_index == 2
    assert "Out of range float values are not JSON compliant" in result.error.trace
    assert result.error.summary.startswith("warning printed into cell 2's output")


def test_a_clean_notebook_passes(tmp_path: Path) -> None:
    from nbmake.nb_result import NotebookResult

    nb = _nb("1 + 1", outputs=[[_stream("stdout", "2\n")]])
    wrapped = strict_execute(lambda self: NotebookResult(nb=nb, error=None))
    assert wrapped(None).error is None
