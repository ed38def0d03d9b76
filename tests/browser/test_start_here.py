"""00_start_here.ipynb in real JupyterLab + Chromium: run all cells, move a slider, and check
that the calculator's status line follows (the whole widget round trip: browser → kernel →
browser)."""

from __future__ import annotations

from typing import Any

import pytest

from .conftest import RUN_ALL_MS, LabServer, open_notebook, run_all_cells

pytestmark = pytest.mark.browser


def test_start_here_runs_and_calculator_responds(page: Any, lab_server: LabServer) -> None:
    from playwright.sync_api import expect

    open_notebook(page, lab_server, "00_start_here.ipynb")
    run_all_cells(page)

    status = page.locator(".vizkit-size-status")
    # The notebook builds OutputSizeCalculator(input_size=10, kernel_size=3, stride=2).
    expect(status).to_contain_text("output size: 4 × 4", timeout=RUN_ALL_MS)
    expect(status).to_contain_text("⌊(10 − 3) / 2⌋ + 1 = 4")
    expect(status).to_contain_text("never read")  # column 9: the lecture's "does not fit"
    # Every earlier cell ran, and none raised.
    expect(page.locator(".jp-OutputArea-output", has_text="(112, 112)")).to_have_count(1)
    expect(
        page.locator(
            "[data-mime-type='application/vnd.jupyter.stderr'] .jp-RenderedText"
            ", .jp-OutputArea-output[data-mime-type='application/vnd.jupyter.error']"
        )
    ).to_have_count(0)
    before = status.inner_text()

    stride = page.locator(".vizkit-slider-stride")
    expect(stride.locator(".widget-readout")).to_have_text("2")
    handle = stride.locator(".noUi-handle")
    handle.scroll_into_view_if_needed()
    handle.focus()
    page.keyboard.press("ArrowLeft")

    expect(stride.locator(".widget-readout")).to_have_text("1", timeout=30_000)
    # stride 1: 10 − 3 + 1 = 8, and now every column is read.
    expect(status).to_contain_text("output size: 8 × 8", timeout=30_000)
    expect(status).to_contain_text("H_out = 10 − 3 + 1 = 8")
    expect(status).not_to_contain_text("never read")
    assert status.inner_text() != before

    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")
    expect(stride.locator(".widget-readout")).to_have_text("4", timeout=30_000)
    # stride 4: ⌊(10 − 3) / 4⌋ + 1 = 2; windows 0–2 and 4–6 leave 3, 7, 8, 9 unread.
    expect(status).to_contain_text("output size: 2 × 2", timeout=30_000)
    expect(status).to_contain_text("rows/columns 3, 7, 8, 9 are never read")
