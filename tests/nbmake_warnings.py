"""pytest plugin: a notebook run by ``pytest --nbmake`` fails when warning text reaches its output.

``make test`` runs every notebook with nbmake (quick mode). nbmake fails a notebook on an error
output only; a warning printed into a cell — "UserWarning: Message serialization failed with:
Out of range float values are not JSON compliant" (NaN sent to a widget), a DeprecationWarning
from a library, a ``warnings.warn`` in vizkit — passes silently although a user sees it. This
plugin (loaded by the repository's root ``conftest.py``) wraps nbmake's
``NotebookRun.execute`` while an nbmake item runs and, when the notebook ran without error,
scans the executed notebook's outputs: a ``stderr`` stream matching :data:`WARNING_TEXT`
becomes the notebook's failure, reported like an error (the cell, its source, the text).

Why here and not a separate test that executes each notebook with nbclient: that would run
every notebook twice (≈ 2 more minutes of ``make test``); this reuses nbmake's own run at no
cost. It leans on nbmake's internals (``NotebookRun.execute`` returning a ``NotebookResult``
whose ``error`` is a ``NotebookError``); :func:`check_nbmake_api` fails loudly at start-up
when an nbmake upgrade changes them, and ``tests/test_nbmake_warnings.py`` runs the
mechanism on a small notebook.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterator
from typing import Any

import pytest

__all__ = ["WARNING_TEXT", "check_nbmake_api", "strict_execute", "warning_outputs"]

WARNING_TEXT = re.compile(r"warn", re.IGNORECASE)
"""What counts as warning text on stderr: ``UserWarning``, ``warnings.warn``, ``WARNING:``…"""


def warning_outputs(nb: Any) -> Iterator[tuple[int, str]]:
    """``(cell index, text)`` of every stderr output of an executed notebook that warns."""
    for index, cell in enumerate(nb["cells"]):
        if cell["cell_type"] != "code":
            continue
        for output in cell.get("outputs", []):
            if output.get("output_type") != "stream" or output.get("name") != "stderr":
                continue
            text = output.get("text", "")
            text = "".join(text) if isinstance(text, list) else text
            if WARNING_TEXT.search(text):
                yield index, text


def _as_error(nb: Any, found: list[tuple[int, str]]) -> Any:
    from nbmake.nb_result import NotebookError

    index, text = found[0]
    source = "".join(nb["cells"][index]["source"])
    line = 75 * "-"
    first = next((ln for ln in text.splitlines() if WARNING_TEXT.search(ln)), text.strip())
    more = f"\n({len(found) - 1} more warning output(s) in later cells)" if len(found) > 1 else ""
    return NotebookError(
        summary=f"warning printed into cell {index}'s output: {first.strip()}",
        trace=f"{line}\n{source}\n{line}\nstderr:\n{text}{more}\n\n"
        "A notebook's output must be free of warnings (tests/nbmake_warnings.py): fix the "
        "cause, or turn an intended notice into printed text.",
        failing_cell_index=index,
    )


def strict_execute(execute: Any) -> Any:
    """Wrap ``NotebookRun.execute``: a run without error but with warning text fails."""

    def run(self: Any) -> Any:
        result = execute(self)
        if result.error is None:
            found = list(warning_outputs(result.nb))
            if found:
                result.error = _as_error(result.nb, found)
        return result

    return run


def check_nbmake_api() -> None:
    """Fail loudly when nbmake no longer has what :func:`strict_execute` relies on."""
    from nbmake.nb_result import NotebookError, NotebookResult
    from nbmake.nb_run import NotebookRun

    fields = {f.name for f in dataclasses.fields(NotebookResult)}
    error_fields = {f.name for f in dataclasses.fields(NotebookError)}
    if (
        not callable(getattr(NotebookRun, "execute", None))
        or not {"nb", "error"} <= fields
        or not {"summary", "trace", "failing_cell_index"} <= error_fields
    ):
        raise pytest.UsageError(
            "nbmake changed: NotebookRun.execute / NotebookResult(nb, error) / "
            "NotebookError(summary, trace, failing_cell_index) are gone, so notebook warnings "
            "would go unnoticed; update tests/nbmake_warnings.py"
        )


def pytest_configure(config: pytest.Config) -> None:
    if getattr(config.option, "nbmake", False):
        check_nbmake_api()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Any:
    if not getattr(item, "nbmake", False):
        return (yield)
    from nbmake.nb_run import NotebookRun

    original = NotebookRun.execute
    NotebookRun.execute = strict_execute(original)  # type: ignore[method-assign]
    try:
        return (yield)
    finally:
        NotebookRun.execute = original  # type: ignore[method-assign]
