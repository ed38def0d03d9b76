"""02_padding_stride_dilation.ipynb in real JupyterLab + Chromium: the ConvExplorer renders,
and moving its stride slider changes the drawn output grid and the formula text."""

from __future__ import annotations

from typing import Any

import pytest

from .conftest import LabServer
from .test_start_here import RUN_ALL_MS, open_notebook, run_all_cells

pytestmark = pytest.mark.browser

OUTPUT_ROWS_JS = """() => {
  const plot = document.querySelector('.vizkit-conv-explorer .js-plotly-plot');
  if (!plot || !plot.data || !plot.data[1]) return -1;
  return plot.data[1].z.filter(row => row.some(v => v !== null)).length;
}"""


def test_conv_explorer_renders_and_stride_changes_grid(page: Any, lab_server: LabServer) -> None:
    from playwright.sync_api import expect

    open_notebook(page, lab_server, "02_padding_stride_dilation.ipynb")
    run_all_cells(page)

    explorer = page.locator(".vizkit-conv-explorer").first
    status = explorer.locator(".vizkit-status")
    # ConvExplorer(input 7×7, kernel 3, stride 2, padding 1): ⌊(7 + 2 − 3) / 2⌋ + 1 = 4.
    expect(status).to_contain_text("⌊(7 + 2·1 − 3) / 2⌋ + 1 = 4", timeout=RUN_ALL_MS)
    expect(explorer.locator(".js-plotly-plot")).to_be_visible(timeout=60_000)
    page.wait_for_function(f"({OUTPUT_ROWS_JS})() === 4", timeout=60_000)

    stride = explorer.locator(".vizkit-slider-stride")
    handle = stride.locator(".noUi-handle")
    handle.scroll_into_view_if_needed()
    handle.focus()
    page.keyboard.press("ArrowRight")

    expect(stride.locator(".widget-readout")).to_have_text("3", timeout=30_000)
    expect(status).to_contain_text("⌊(7 + 2·1 − 3) / 3⌋ + 1 = 3", timeout=30_000)
    page.wait_for_function(f"({OUTPUT_ROWS_JS})() === 3", timeout=30_000)
