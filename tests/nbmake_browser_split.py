"""pytest plugin: in ``make test``, a notebook the browser stage runs is not also run by nbmake.

``make test`` runs the notebooks twice otherwise: once in its nbmake stage (``pytest --nbmake
notebooks/``) and once more in its browser stage, where ``tests/browser/test_notebooks.py``
runs each of its notebooks with Run → Run All Cells in JupyterLab, checks the same things
(no error output, every cell ran, no warning text on stderr — :data:`WARNING_TEXT`, as
``tests/nbmake_warnings.py``) and then moves the widgets. The browser stage is the stronger
check, so with ``VIZKIT_NOTEBOOKS_IN_BROWSER=1`` (set by ``make test`` for its nbmake stage
only) the nbmake stage deselects the notebooks that ``test_notebooks.py`` runs — but only when
the browser stage can run them (Chromium and Playwright present; without them the browser
tests skip, so nbmake keeps every notebook). ``make notebooks`` and a plain
``pytest --nbmake notebooks/`` run every notebook, as before.

The list is read from ``test_notebooks.py`` itself (its ``run_notebook(…, "NN_name.ipynb", …)``
calls), so a notebook that gets a browser test moves there by itself, and a notebook without
one (09) stays in the nbmake stage.
"""

from __future__ import annotations

import importlib.util
import os
import re
from pathlib import Path

import pytest

ENV_VAR = "VIZKIT_NOTEBOOKS_IN_BROWSER"
BROWSER_NOTEBOOK_TESTS = Path(__file__).parent / "browser" / "test_notebooks.py"
_RUN_NOTEBOOK = re.compile(r"run_notebook\(\s*page,\s*lab_server,\s*\"([^\"]+\.ipynb)\"")

_STASH = pytest.StashKey[list[str]]()


def notebooks_run_in_browser(source: str | None = None) -> set[str]:
    """File names of the notebooks ``tests/browser/test_notebooks.py`` runs (Run All)."""
    text = BROWSER_NOTEBOOK_TESTS.read_text() if source is None else source
    return set(_RUN_NOTEBOOK.findall(text))


def browser_stage_can_run() -> bool:
    """Whether the browser tests will run here rather than skip (Chromium and Playwright)."""
    from tests.browser.conftest import find_chromium

    return find_chromium() is not None and importlib.util.find_spec("playwright") is not None


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if os.environ.get(ENV_VAR) != "1" or not getattr(config.option, "nbmake", False):
        return
    if not browser_stage_can_run():
        return
    covered = notebooks_run_in_browser()
    keep = [item for item in items if item.path.name not in covered]
    left = [item for item in items if item.path.name in covered]
    if left:
        config.hook.pytest_deselected(items=left)
        items[:] = keep
        config.stash[_STASH] = sorted({item.path.name for item in left})


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    names = terminalreporter.config.stash.get(_STASH, [])
    if names:
        terminalreporter.write_line(
            f"{ENV_VAR}=1: left to the browser stage (tests/browser/test_notebooks.py runs them "
            f"in JupyterLab with the same checks): {', '.join(names)}"
        )
