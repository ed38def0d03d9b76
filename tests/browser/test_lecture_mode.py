"""Lecture mode in real Chromium: ``make present``'s Voilà (scripts/present.sh) serves an index
of the notebooks; a notebook opened from it shows no code; a clicked animation steps with the
→ key (a ``vk.Stepper`` and an explorer); the same keys work in JupyterLab without setting
off notebook shortcuts.

The notebook driven here is written by the test (``lecture_probe.ipynb``: ``vk.theme()``,
a ``vk.Stepper`` around ``vk.conv_animation`` and a ``vk.ConvExplorer``) next to a copy of
``notebooks/``, so the test does not depend on which cells the course notebooks wrap. A second
written notebook (``lecture_explorers.ipynb``) holds three explorers that fill their figure
after creating it: in Voilà each must show its data (issue 11: such a figure showed empty axes).
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from .conftest import NOTEBOOKS, ROOT, LabServer, free_port
from .drive import open_notebook, problems, run_all_cells, wait_until_run

pytestmark = pytest.mark.browser

PRESENT_SCRIPT = ROOT / "scripts" / "present.sh"
PROBE = "lecture_probe.ipynb"
START_TIMEOUT_S = 60
RENDER_MS = 120_000  # Voilà runs the whole notebook (kernel start, imports) before showing it
KEY_MS = 10_000

PROBE_CELLS = [
    ("markdown", "# Lecture probe\nA convolution, stepped from the keyboard."),
    # no name: the theme make present asks for (VIZKIT_THEME=lecture), normal in JupyterLab
    ("code", "import numpy as np\nimport vizkit as vk\nvk.theme()"),
    (
        "code",
        "trace = vk.conv2d_trace(np.arange(25.0).reshape(1, 5, 5), np.ones((1, 1, 3, 3)))\n"
        "vk.Stepper(vk.conv_animation(trace))",
    ),
    ("code", "vk.ConvExplorer(input_height=5, input_width=5, kernel_size=3)"),
]
# Explorers that fill their figure after creating it (after plotly took its first state): a
# page that connects later (Voilà) must get the filled figure, not empty axes (issue 11).
# A notebook of their own: each plotly FigureWidget loads plotly's 5 MB JavaScript when the
# page opens, and anywidget gives each model 2 s for that, so the probe above stays light.
EXPLORERS = "lecture_explorers.ipynb"
EXPLORER_CELLS = [
    ("markdown", "# Lecture explorers"),
    ("code", "import vizkit as vk\nvk.theme()"),
    ("code", "vk.KernelPlayground(size=32)"),
    ("code", "vk.ArchitecturePicker('lenet5')"),
    ("code", "vk.MaskEditor(size=32)"),
]
FILLED_EXPLORERS = (
    ".vizkit-kernel-playground",
    ".vizkit-architecture-picker",
    ".vizkit-mask-editor",
)


def write_probe(
    folder: Path, name: str = PROBE, probe: list[tuple[str, str]] = PROBE_CELLS
) -> None:
    cells = [
        {"cell_type": kind, "metadata": {}, "source": source}
        | ({"outputs": [], "execution_count": None} if kind == "code" else {})
        for kind, source in probe
    ]
    notebook = {
        "cells": cells,
        "metadata": {
            "kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}
        },
        "nbformat": 4,
        "nbformat_minor": 5,
    }
    (folder / name).write_text(json.dumps(notebook))


@dataclass(frozen=True)
class PresentServer:
    base_url: str
    token: str
    root_dir: Path
    log_path: Path

    def url(self, path: str = "") -> str:
        return f"{self.base_url}/{path}?token={self.token}"

    def log_tail(self, lines: int = 40) -> str:
        text = self.log_path.read_text(errors="replace") if self.log_path.exists() else ""
        return "\n".join(text.splitlines()[-lines:])


@pytest.fixture(scope="module")
def present_server(
    chromium_path: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[PresentServer]:
    """Voilà started by scripts/present.sh, exactly as ``make present`` starts it."""
    base = tmp_path_factory.mktemp("voila")
    root_dir = base / "notebooks"
    shutil.copytree(NOTEBOOKS, root_dir, ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
    write_probe(root_dir)
    write_probe(root_dir, EXPLORERS, EXPLORER_CELLS)
    port, token = free_port(), secrets.token_hex(16)
    env = {
        **os.environ,
        "PORT": str(port),
        "TOKEN": token,
        "NOTEBOOK_DIR": str(root_dir),
        "VIZKIT_VENV": sys.prefix,
        "VIZKIT_QUICK": "1",
        "JUPYTER_CONFIG_DIR": str(base / "config"),
        "JUPYTER_RUNTIME_DIR": str(base / "runtime"),
        "IPYTHONDIR": str(base / "ipython"),
    }
    server = PresentServer(f"http://127.0.0.1:{port}", token, root_dir, base / "voila.log")
    with server.log_path.open("wb") as log:
        proc = subprocess.Popen(
            [str(PRESENT_SCRIPT)], stdout=log, stderr=subprocess.STDOUT, env=env, cwd=base
        )
        try:
            deadline = time.monotonic() + START_TIMEOUT_S
            while True:
                if proc.poll() is not None:
                    raise RuntimeError(f"present.sh exited early:\n{server.log_tail()}")
                try:
                    with urllib.request.urlopen(server.url(), timeout=5) as response:
                        if response.status == 200:
                            break
                except (urllib.error.URLError, ConnectionError, TimeoutError):
                    pass
                if time.monotonic() > deadline:
                    raise RuntimeError(f"Voilà did not answer in time:\n{server.log_tail()}")
                time.sleep(0.5)
            yield server
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=15)


# --- reading an animation's state in the page ----------------------------------------------

# The Stepper's plotly graph: which slider step is active, and the outlined output cell.
_STEPPER_JS = """el => {
  const gd = el.querySelector('.vizkit-stepper-plot');
  const current = (gd.data || []).find(t => t.name === 'current');
  const sliders = gd._fullLayout && gd._fullLayout.sliders;
  return {
    active: sliders && sliders.length ? sliders[0].active : null,
    cell: current ? JSON.stringify(current.x) : null,
  };
}"""
# An explorer: its step readout and the window outline of its FigureWidget (a layout shape:
# vizkit.render.browser_layers).
_EXPLORER_JS = """el => {
  const gd = el.querySelector('.js-plotly-plot');
  const window = ((gd.layout || {}).shapes || []).find(s => s.name === 'window');
  return {
    step: el.querySelector('.vizkit-step .widget-readout').textContent.trim(),
    window: window && window.visible !== false ? window.path : null,
  };
}"""


def _focused_class(page: Any) -> str:
    return str(page.evaluate("() => document.activeElement.className"))


def _wait_state(scope: Any, script: str, key: str, value: Any, what: str) -> dict[str, Any]:
    deadline = KEY_MS
    state: dict[str, Any] = {}
    while deadline > 0:
        state = scope.evaluate(script)
        if state[key] == value:
            return state
        scope.page.wait_for_timeout(100)
        deadline -= 100
    raise AssertionError(
        f"after {what}, {key} is {state.get(key)!r}, expected {value!r} "
        f"(focus on: {_focused_class(scope.page)!r})"
    )


def _wait_drawn(scope: Any, script: str, key: str) -> dict[str, Any]:
    """The state once the graph has its traces (a view appears before plotly has drawn)."""
    scope.page.wait_for_function(
        f"el => ({script})(el).{key} !== null", arg=scope.element_handle(), timeout=RENDER_MS
    )
    return dict(scope.evaluate(script))


def drive_stepper(page: Any) -> None:
    """Click the Stepper, then → → ← and space: the frame follows each key."""
    stepper = page.locator(".vizkit-stepper").first
    stepper.locator(".js-plotly-plot").wait_for(timeout=RENDER_MS)
    stepper.scroll_into_view_if_needed()
    start = _wait_drawn(stepper, _STEPPER_JS, "cell")
    assert start["active"] == 0
    stepper.locator(".vizkit-stepper-plot").click(position={"x": 120, "y": 160})
    page.wait_for_timeout(300)  # the notebook must not take the focus back a moment later
    assert "vizkit-stepper" in _focused_class(page), "a click must give the Stepper the keys"
    page.keyboard.press("ArrowRight")
    moved = _wait_state(stepper, _STEPPER_JS, "active", 1, "→")
    assert moved["cell"] != start["cell"], "→ moved the slider but not the outlined cell"
    page.keyboard.press("ArrowRight")
    _wait_state(stepper, _STEPPER_JS, "active", 2, "→ →")
    page.keyboard.press("ArrowLeft")
    back = _wait_state(stepper, _STEPPER_JS, "active", 1, "→ → ←")
    assert back["cell"] == moved["cell"]
    hint = stepper.locator(".vizkit-keys-hint")
    page.keyboard.press("+")  # normal → fast: 120 ms a frame
    page.wait_for_function("el => el.textContent.includes('(fast)')", arg=hint.element_handle())
    page.keyboard.press(" ")  # play: it runs to the end
    _wait_state(stepper, _STEPPER_JS, "active", 8, "space (play)")
    # at the end it stops: "space play" again
    page.wait_for_function("el => el.textContent.includes('space play')", arg=hint.element_handle())


def drive_explorer(page: Any) -> None:
    """Click an explorer's figure, then → →: the step slider and the window move."""
    explorer = page.locator(".vizkit-conv-explorer.vizkit-keys").first
    figure = explorer.locator(".js-plotly-plot").first
    figure.wait_for(timeout=RENDER_MS)
    figure.scroll_into_view_if_needed()
    start = _wait_drawn(explorer, _EXPLORER_JS, "window")  # fails if the figure stays empty
    assert start["step"] == "0"
    figure.click(position={"x": 120, "y": 200})
    page.wait_for_timeout(300)
    assert "vizkit-keys" in _focused_class(page), "a click must give the explorer the keys"
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")
    moved = _wait_state(explorer, _EXPLORER_JS, "step", "2", "→ → in the explorer")
    assert moved["window"] != start["window"], "the step moved but the figure did not"


# Whether the explorer's plotly graphs all have data to draw (a trace with z, y or an image).
_FILLED_JS = """el => {
  const plots = Array.from(el.querySelectorAll('.js-plotly-plot'));
  const drawn = t => ['z', 'y', 'x', 'source'].some(k => t[k] && t[k].length > 0);
  return plots.length > 0 && plots.every(gd => (gd.data || []).some(drawn));
}"""


def assert_explorers_drawn(page: Any) -> None:
    """Every explorer in :data:`FILLED_EXPLORERS` renders a figure with data, not empty axes."""
    for selector in FILLED_EXPLORERS:
        explorer = page.locator(selector).first
        explorer.locator(".js-plotly-plot").first.wait_for(timeout=RENDER_MS)
        try:
            page.wait_for_function(_FILLED_JS, arg=explorer.element_handle(), timeout=KEY_MS)
        except Exception as err:  # playwright's TimeoutError, reworded
            raise AssertionError(f"{selector}: a figure shows empty axes (issue 11)") from err


def test_voila_index_opens_a_notebook_without_code_and_the_keys_step_it(
    page: Any, present_server: PresentServer, browser_context: Any
) -> None:
    page.goto(present_server.url(), wait_until="domcontentloaded")
    for name in ("00_start_here.ipynb", PROBE):  # the index lists the course's notebooks
        page.get_by_text(name, exact=True).wait_for(timeout=30_000)
    with browser_context.expect_page() as opened:  # the index opens a notebook in a new tab
        page.get_by_text(PROBE, exact=True).click()
    shown = opened.value
    try:
        shown.get_by_text("Lecture probe").wait_for(timeout=RENDER_MS)
        drive_stepper(shown)
        # a clean page: no code cells, no prompts, no errors
        assert shown.locator(".jp-CodeCell .jp-InputArea").count() == 0
        assert shown.locator(".jp-InputPrompt, .jp-InputArea-prompt").count() == 0
        assert shown.get_by_text("vk.Stepper(").count() == 0
        assert problems(shown) == []
        # vk.theme() took make present's VIZKIT_THEME=lecture: the projector theme is on
        assert "vizkit-lecture" in str(shown.evaluate("() => document.body.className"))
        drive_explorer(shown)
    finally:
        shown.close()


def test_voila_explorers_show_their_figures(page: Any, present_server: PresentServer) -> None:
    """Issue 11: in lecture mode every explorer's figure shows its data, not empty axes."""
    # Voilà runs the notebook before it sends the page
    page.goto(present_server.url(f"voila/render/{EXPLORERS}"), timeout=RENDER_MS)
    page.get_by_text("Lecture explorers").wait_for(timeout=RENDER_MS)
    assert_explorers_drawn(page)
    assert problems(page) == []


def test_jupyterlab_same_keys_and_no_notebook_shortcut_fires(
    page: Any, lab_server: LabServer
) -> None:
    write_probe(lab_server.root_dir)
    try:
        open_notebook(page, lab_server, PROBE)
        run_all_cells(page)
        prompts = wait_until_run(page)
        assert problems(page) == [], prompts
        cells = page.locator(".jp-NotebookPanel:not(.lm-mod-hidden) .jp-Cell").count()
        drive_stepper(page)
        drive_explorer(page)
        # the keys were the animations': no cell added, moved or deleted by a shortcut
        assert page.locator(".jp-NotebookPanel:not(.lm-mod-hidden) .jp-Cell").count() == cells
    finally:
        lab_server.shutdown_kernels()
