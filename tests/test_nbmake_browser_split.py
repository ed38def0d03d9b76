"""The nbmake plugin that leaves to ``make test``'s browser stage the notebooks it runs."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import nbformat
import pytest

from tests import nbmake_browser_split as split

ROOT = Path(__file__).resolve().parents[1]


def test_reads_the_notebooks_the_browser_tests_run() -> None:
    covered = split.notebooks_run_in_browser()
    notebooks = {p.name for p in (ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb")}
    assert covered, "no run_notebook(page, lab_server, '….ipynb', …) call found"
    assert covered <= notebooks, covered - notebooks  # names of real notebooks
    assert covered != notebooks  # 09 has no browser test: nbmake must keep running it


def test_reads_one_name_per_call_and_nothing_else() -> None:
    source = (
        'run_notebook(page, lab_server, "01_a.ipynb", console_messages)\n'
        'run_notebook(\n    page, lab_server, "02_b.ipynb", console)\n'
        'open_notebook(page, lab_server, "03_c.ipynb")\n'
    )
    assert split.notebooks_run_in_browser(source) == {"01_a.ipynb", "02_b.ipynb"}


def test_the_root_conftest_loads_it() -> None:
    # the root conftest.py applies to `pytest --nbmake notebooks/` (tests/ is not on that path)
    assert '"tests.nbmake_browser_split"' in (ROOT / "conftest.py").read_text()


def test_make_test_sets_the_switch_for_its_nbmake_stage_only() -> None:
    makefile = (ROOT / "Makefile").read_text()
    test = re.search(r"^test:.*\n((?:\t.*\n)+)", makefile, re.MULTILINE)
    assert test and f"{split.ENV_VAR}=1" in test.group(1)
    notebooks = re.search(r"^notebooks:.*\n((?:\t.*\n)+)", makefile, re.MULTILINE)
    assert notebooks and split.ENV_VAR not in notebooks.group(1)  # make notebooks: all of them


class _Config:
    """What the hook reads of ``pytest.Config``: the ``--nbmake`` option, the hook, the stash."""

    def __init__(self, *, nbmake: bool = True) -> None:
        self.option = SimpleNamespace(nbmake=nbmake)
        self.deselected: list[Any] = []
        self.hook = SimpleNamespace(pytest_deselected=lambda items: self.deselected.extend(items))
        self.stash = pytest.Stash()


def _items(*names: str) -> list[Any]:
    return [SimpleNamespace(path=Path("/nb") / name) for name in names]


@pytest.mark.parametrize(
    ("switch", "nbmake", "chromium", "kept"),
    [
        ("1", True, True, ["99_x.ipynb"]),
        (None, True, True, "all"),  # make notebooks, a plain pytest --nbmake
        ("0", True, True, "all"),
        ("1", False, True, "all"),  # not an nbmake run
        ("1", True, False, "all"),  # no Chromium: the browser tests would skip
    ],
)
def test_deselects_only_when_switched_on_in_nbmake_and_the_browser_can_run(
    monkeypatch: pytest.MonkeyPatch, switch: str | None, nbmake: bool, chromium: bool, kept: Any
) -> None:
    covered = sorted(split.notebooks_run_in_browser())[0]
    monkeypatch.delenv(split.ENV_VAR, raising=False)
    if switch is not None:
        monkeypatch.setenv(split.ENV_VAR, switch)
    monkeypatch.setattr(split, "browser_stage_can_run", lambda: chromium)
    config, items = _Config(nbmake=nbmake), _items(covered, "99_x.ipynb")
    split.pytest_collection_modifyitems(config, items)  # type: ignore[arg-type]
    names = [item.path.name for item in items]
    if kept == "all":
        assert names == [covered, "99_x.ipynb"] and config.deselected == []
    else:
        assert names == kept
        assert [item.path.name for item in config.deselected] == [covered]


def test_end_to_end_through_nbmake_collection(tmp_path: Path) -> None:
    if not split.browser_stage_can_run():
        pytest.skip("no Chromium or Playwright here: the plugin leaves every notebook in")
    covered = sorted(split.notebooks_run_in_browser())[0]
    for name in (covered, "99_not_in_the_browser_tests.ipynb"):
        nbformat.write(nbformat.v4.new_notebook(), tmp_path / name)
    done = subprocess.run(
        # a folder outside the repository: the root conftest.py is not loaded, so -p loads
        # the plugin (test_the_root_conftest_loads_it checks that wiring)
        [sys.executable, "-m", "pytest", "--nbmake", "--collect-only", "-q",
         "-p", "no:cacheprovider", "-p", "tests.nbmake_browser_split",
         "--rootdir", str(ROOT), "-c", str(ROOT / "pyproject.toml"), str(tmp_path)],
        capture_output=True, text=True, cwd=ROOT, check=False,
        env={**os.environ, split.ENV_VAR: "1"},
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    collected = [line for line in done.stdout.splitlines() if "::" in line]
    assert len(collected) == 1 and "99_not_in_the_browser_tests.ipynb" in collected[0], collected
    assert "left to the browser stage (tests/browser/test_notebooks.py" in done.stdout
    assert covered in done.stdout.split("left to the browser stage")[1]


def test_without_chromium_nothing_is_deselected(monkeypatch: pytest.MonkeyPatch) -> None:
    import tests.browser.conftest as browser

    monkeypatch.setattr(browser, "find_chromium", lambda: None)
    assert split.browser_stage_can_run() is False
