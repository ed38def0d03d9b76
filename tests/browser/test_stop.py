"""Stop stops: in the JupyterLab of `make lab`, in Chromium, a click on Stop ends a training cell
and a Deep Image Prior fit that block their cells, and the best result is kept.

Each test writes a small notebook into the server's copy of ``notebooks/`` (explicit sizes, so
quick mode changes nothing), runs it with Run → Run All Cells, waits until the loop is running
— checking meanwhile that the kernel indicator says busy, as the cell still runs — clicks the
widget's Stop button with the mouse, and reads the result the cell prints when it returns:
stopped by the button, long before its budget, with the best weights / image kept.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from typing import Any

import nbformat
import pytest

from .conftest import LabServer
from .drive import button, open_notebook, problems, run_all_cells, text_of, widget_output

pytestmark = pytest.mark.browser

BUDGET_S = 240  # what the loops would run without a Stop; a stopped run ends far earlier
RUNNING_MS = 180_000  # kernel start, torch import, the first steps on a busy 2-core machine
RESULT_MS = 60_000  # from the click to the cell's printed result

TRAINING = [
    "import vizkit as vk\n"
    "from torch.utils.data import TensorDataset\n"
    "split = vk.load_digits_split(size=32)\n"
    "monitor = vk.TrainingMonitor(every=5, title='stop me')\n"
    "monitor",
    "result = vk.train.fit(vk.train.DigitsCNN(), split.train, val=split.test, steps=10**6,\n"
    f"                      seconds={BUDGET_S}, eval_every=10, batch_size=32, lr=2e-3,\n"
    "                      callbacks=[monitor], progress=False, device='cpu', cpu_threads=1)\n"
    "kept = vk.train.evaluate(result.model, split.test)[1]\n"
    "print(f'RESULT {result.stop_reason} steps={result.steps} seconds={result.seconds:.1f} '\n"
    "      f'best={result.best_accuracy:.6f} kept={kept:.6f} '\n"
    "      f'stops_while_busy={monitor.stops_while_busy}')",
]

DIP = [
    "import numpy as np\n"
    "import vizkit as vk\n"
    "from skimage import data\n"
    "clean = (data.astronaut()[::8, ::8] / 255.0).astype(np.float32)\n"
    "panel = vk.DIPPanel('denoise', vk.dip.add_noise(clean, 25), clean=clean, steps=10**6,\n"
    "                    every=5, network=vk.dip.hourglass(8, 16, 3, 4), device='cpu', seed=0)\n"
    "panel",
    "fit = panel.run()\n"
    "best = max(r.psnr for r in fit.history if r.psnr is not None)\n"
    "print(f'RESULT {fit.stop_reason} steps={fit.steps} seconds={fit.seconds:.1f} '\n"
    "      f'best={fit.best_psnr:.6f} max={best:.6f} '\n"
    "      f'stops_while_busy={panel.stops_while_busy}')",
]

_RESULT = re.compile(
    r"RESULT (?P<reason>\S+) steps=(?P<steps>\d+) seconds=(?P<seconds>[\d.]+) "
    r"best=(?P<best>[-\d.]+) (?:kept|max)=(?P<kept>[-\d.]+) stops_while_busy=(?P<now>\w+)"
)


@pytest.fixture(autouse=True)
def _shut_kernels_down(lab_server: LabServer) -> Iterator[None]:
    yield
    for session in lab_server.api("sessions"):
        lab_server.api(f"sessions/{session['id']}", method="DELETE")


def _write(lab: LabServer, name: str, cells: list[str]) -> str:
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(source) for source in cells]
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    nbformat.write(nb, lab.root_dir / name)
    return name


def _kernel_status(page: Any) -> str:
    return str(
        page.locator(
            ".jp-NotebookPanel:not(.lm-mod-hidden) .jp-Notebook-ExecutionIndicator"
        ).first.get_attribute("data-status")
    )


def _wait_for_steps(page: Any, status: Any, pattern: str, minimum: int) -> list[str]:
    """Wait until the widget's status line shows step ≥ ``minimum``; the kernel states seen."""
    seen: list[str] = []
    deadline = time.monotonic() + RUNNING_MS / 1000
    while time.monotonic() < deadline:
        found = re.search(pattern, text_of(status))
        if found and int(found.group(1)) >= minimum:
            seen.append(_kernel_status(page))
            return seen
        assert not problems(page), problems(page)
        seen.append(_kernel_status(page))
        page.wait_for_timeout(250)
    raise AssertionError(f"the loop never reached step {minimum}: status {text_of(status)!r}")


def _result(page: Any) -> dict[str, str]:
    out = page.locator(".jp-OutputArea-output", has_text="RESULT ").first
    out.wait_for(state="attached", timeout=RESULT_MS)
    found = _RESULT.search(text_of(out))
    assert found, text_of(out)
    return found.groupdict()


def _stop_mid_run(
    page: Any, lab: LabServer, name: str, widget: Any, stop_text: str, pattern: str
) -> dict[str, str]:
    open_notebook(page, lab, name)
    run_all_cells(page)
    status = widget(page)
    status.wait_for(state="attached", timeout=RUNNING_MS)
    seen = _wait_for_steps(page, status, pattern, 20)
    # the cell that runs the loop is still running: the kernel must say so
    assert seen[-1] == "busy", f"kernel indicator while the loop runs: {seen}"
    clicked = time.monotonic()
    stop = button(page.locator(".jp-OutputArea-output"), stop_text)
    stop.scroll_into_view_if_needed()
    stop.click()
    result = _result(page)
    waited = time.monotonic() - clicked
    assert not problems(page), problems(page)
    assert result["now"] == "True", "this kernel cannot deliver clicks while a cell runs"
    assert result["reason"] == "stopped", result
    assert float(result["seconds"]) < BUDGET_S / 2 and waited < RESULT_MS / 1000, result
    return result


def test_stop_ends_a_training_cell_and_keeps_the_best_model(
    page: Any, lab_server: LabServer
) -> None:
    name = _write(lab_server, "zz_stop_training.ipynb", TRAINING)

    def monitor_status(page: Any) -> Any:
        return widget_output(page, ".widget-button").locator(".widget-html").first

    result = _stop_mid_run(page, lab_server, name, monitor_status, "Stop", r"^step (\d+)")
    assert 20 <= int(result["steps"]) < 10**6
    assert float(result["best"]) > 0.5 and result["best"] == result["kept"], result
    status = text_of(monitor_status(page))
    assert "Stop button" in status and "kept the best model" in status, status


def test_stop_ends_a_dip_fit_and_keeps_the_best_image(page: Any, lab_server: LabServer) -> None:
    name = _write(lab_server, "zz_stop_dip.ipynb", DIP)

    def panel_status(page: Any) -> Any:
        panel = widget_output(page, "button.jupyter-button:has-text('Start')")
        return panel.locator(".widget-html").first

    result = _stop_mid_run(page, lab_server, name, panel_status, "Stop", r"step (\d+)/")
    assert 20 <= int(result["steps"]) < 10**6
    assert result["best"] == result["kept"], result  # best_psnr is the curve's maximum
    assert "stopped after" in text_of(panel_status(page))
