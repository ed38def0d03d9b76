"""Every notebook but 09 in the JupyterLab of `make lab`, in Chromium, in quick mode.

Each test opens its notebook, runs Run → Run All Cells, waits until every code cell has an
execution count, and checks there is no error output, no stderr traceback, no warning text on
stderr, no widget that failed to render and no widget/plotly error in the browser console —
what ``make test``'s nbmake stage checks and more, so that stage leaves these notebooks to this
file (``tests/nbmake_browser_split.py``). Then it moves every
kind of control of every vizkit widget in the notebook once — sliders with the keyboard,
dropdowns, buttons, FileUploads fed a real PNG, the MaskEditor's box select dragged with the
mouse — and asserts that the widget's figure or status line changed (the round trip
browser → kernel → browser). Widgets are found by their CSS class where vizkit gives one,
else by their controls' labels. The server, the browser and the notebooks' copy are shared
by the session; each test ends by shutting its kernel down.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.nbmake_warnings import WARNING_TEXT

from .conftest import LabServer
from .drive import (
    ANSWER_MS,
    button,
    checkbox,
    choose,
    dropdown_options,
    figure_state,
    label,
    nudge,
    open_notebook,
    problems,
    readout,
    run_all_cells,
    slider,
    stderr_texts,
    text_of,
    toggle,
    upload,
    wait_figure_change,
    wait_text_change,
    wait_until_run,
    widget_console_errors,
    widget_output,
)

pytestmark = pytest.mark.browser


@pytest.fixture(autouse=True)
def _one_kernel_at_a_time(lab_server: LabServer) -> Iterator[None]:
    yield
    # torch kernels are ~0.5 GB each: shut this one down while the next test starts
    lab_server.shutdown_kernels(wait=False)


def run_notebook(page: Any, lab: LabServer, name: str, console: list[str]) -> None:
    """Open ``name``, Run All, and check that every cell ran without an error."""
    open_notebook(page, lab, name)
    run_all_cells(page)
    prompts = wait_until_run(page)
    found = problems(page)
    assert not found, f"{name}: " + "\n".join(found)
    assert all(re.fullmatch(r"\[\d+\]:", p) for p in prompts), f"{name}: cells not run: {prompts}"
    # what nbmake's stage checks (tests/nbmake_warnings.py), which leaves these notebooks to
    # this test in `make test` (tests/nbmake_browser_split.py): no warning text on stderr
    warned = [text for text in stderr_texts(page) if WARNING_TEXT.search(text)]
    assert not warned, f"{name}: warning printed into a cell's output: {warned}"
    errors = widget_console_errors(console)
    assert not errors, errors


def finish(page: Any, console: list[str]) -> None:
    """After the widgets were moved: still no error output and no widget console error."""
    found = problems(page)
    assert not found, "\n".join(found)
    errors = widget_console_errors(console)
    assert not errors, errors


def png(path: Path, size: tuple[int, int], *, square: bool = True) -> Path:
    """A real PNG file: a grey gradient (width, height) with a white square, or a mask."""
    import numpy as np
    from PIL import Image

    w, h = size
    pixels = np.tile(np.linspace(0, 200, w, dtype=np.uint8), (h, 1))
    if square:
        pixels[h // 4 : h // 2, w // 4 : w // 2] = 255
    else:  # a mask: white = known, a black hole in the middle
        pixels[:] = 255
        pixels[h // 3 : 2 * h // 3, w // 3 : 2 * w // 3] = 0
    Image.fromarray(pixels).convert("RGB").save(path)
    return path


def move_slider(
    page: Any,
    scope: Any,
    name: str,
    *,
    key: str = "ArrowRight",
    status: Any = None,
    figure: bool = True,
    handle: int = 0,
) -> str:
    """Nudge slider ``name``; assert the figure (and ``status``, if given) changed."""
    before_figure = figure_state(scope)
    before_status = text_of(status) if status is not None else ""
    value = nudge(page, slider(scope, name), key, handle=handle)
    if figure:
        wait_figure_change(scope, before_figure, f"moving {name!r} to {value}")
    if status is not None:
        wait_text_change(status, before_status, f"moving {name!r} to {value}")
    return value


def change_dropdown(
    scope: Any, name: str, option: str, *, status: Any = None, figure: bool = True
) -> None:
    before_figure = figure_state(scope)
    before_status = text_of(status) if status is not None else ""
    choose(scope, name, option)
    if figure:
        wait_figure_change(scope, before_figure, f"choosing {name} = {option!r}")
    if status is not None:
        wait_text_change(status, before_status, f"choosing {name} = {option!r}")


# --- 00 ---------------------------------------------------------------------------------------


def test_00_start_here(page: Any, lab_server: LabServer, console_messages: list[str]) -> None:
    from playwright.sync_api import expect

    run_notebook(page, lab_server, "00_start_here.ipynb", console_messages)
    calculator = page.locator(".vizkit-output-size-calculator").first
    status = calculator.locator(".vizkit-size-status")
    # OutputSizeCalculator(input_size=10, kernel_size=3, stride=2): the lecture's "does not fit".
    expect(status).to_contain_text("output size: 4 × 4")
    expect(status).to_contain_text("⌊(10 − 3) / 2⌋ + 1 = 4")
    expect(status).to_contain_text("never read")
    expect(page.locator(".jp-OutputArea-output", has_text="(112, 112)")).to_have_count(1)

    stride = calculator.locator(".vizkit-slider-stride")
    assert nudge(page, stride, "ArrowLeft") == "1"
    expect(status).to_contain_text("output size: 8 × 8", timeout=ANSWER_MS)
    expect(status).to_contain_text("H_out = 10 − 3 + 1 = 8")
    expect(status).not_to_contain_text("never read")
    for _ in range(3):
        nudge(page, stride, "ArrowRight")
    assert readout(stride) == "4"
    # stride 4: ⌊(10 − 3) / 4⌋ + 1 = 2; windows 0–2 and 4–6 leave 3, 7, 8, 9 unread.
    expect(status).to_contain_text("output size: 2 × 2", timeout=ANSWER_MS)
    expect(status).to_contain_text("rows/columns 3, 7, 8, 9 are never read")

    calculator.locator(".vizkit-padding-kind select").select_option("full")
    # padding "full" = k − 1 = 2 on each side: ⌊(10 + 4 − 3) / 4⌋ + 1 = 3.
    expect(status).to_contain_text("output size: 3 × 3", timeout=ANSWER_MS)
    finish(page, console_messages)


# --- 01 ---------------------------------------------------------------------------------------


def test_01_convolution(
    page: Any, lab_server: LabServer, console_messages: list[str], tmp_path: Path
) -> None:
    run_notebook(page, lab_server, "01_convolution.ipynb", console_messages)
    playground = page.locator(".vizkit-kernel-playground").first
    status = playground.locator(".vizkit-status").first

    kernels = dropdown_options(playground, "kernel")
    other = next(k for k in kernels if k != "edges (sobel x)" and "gabor" not in k)
    change_dropdown(playground, "kernel", other)
    # padding "same" allows stride 1 only (as in torch): "valid" first, then stride 2.
    change_dropdown(playground, "padding", "valid", status=status)
    move_slider(page, playground, "stride", status=status)
    assert "stride=2" in text_of(status)

    before = figure_state(playground)
    upload(playground, "your photo", png(tmp_path / "my_photo.png", (60, 40)))
    wait_figure_change(playground, before, "uploading my_photo.png")
    assert "upload: my_photo.png" in dropdown_options(playground, "photo")
    assert "my_photo.png" in str(
        playground.locator(".widget-dropdown", has=page.locator(label("photo")))
        .locator("select")
        .evaluate("s => s.options[s.selectedIndex].text")
    )
    finish(page, console_messages)


# --- 02 ---------------------------------------------------------------------------------------

OUTPUT_ROWS_JS = """(root) => {
  const plot = root.querySelector('.js-plotly-plot');
  if (!plot || !plot.data || !plot.data[1]) return -1;
  return plot.data[1].z.filter(row => row.some(v => v !== null)).length;
}"""


def test_02_padding_stride_dilation(
    page: Any, lab_server: LabServer, console_messages: list[str]
) -> None:
    from playwright.sync_api import expect

    run_notebook(page, lab_server, "02_padding_stride_dilation.ipynb", console_messages)
    explorer = page.locator(".vizkit-conv-explorer").first
    status = explorer.locator(".vizkit-status").first
    # ConvExplorer(input 7×7, kernel 3, stride 2, padding 1): ⌊(7 + 2 − 3) / 2⌋ + 1 = 4.
    expect(status).to_contain_text("⌊(7 + 2·1 − 3) / 2⌋ + 1 = 4")
    assert explorer.evaluate(OUTPUT_ROWS_JS) == 4

    assert move_slider(page, explorer, "stride", status=status) == "3"
    expect(status).to_contain_text("⌊(7 + 2·1 − 3) / 3⌋ + 1 = 3", timeout=ANSWER_MS)
    explorer.page.wait_for_function(
        f"(root) => ({OUTPUT_ROWS_JS})(root) === 3",
        arg=explorer.element_handle(),
        timeout=ANSWER_MS,
    )
    change_dropdown(explorer, "padding_mode", "reflect", status=status)
    move_slider(page, explorer, "step")  # the sliding window moves to the next output cell
    # The ▶ button plays the steps (fast): the step and the drawn window move on their own.
    toggle(explorer, "fast")
    step, before = readout(slider(explorer, "step")), figure_state(explorer)
    explorer.locator(".widget-play button:has(.fa-play)").first.click()
    wait_figure_change(explorer, before, "pressing ▶")
    assert readout(slider(explorer, "step")) != step
    explorer.locator(".widget-play button:has(.fa-stop)").first.click()  # ■ stops and rewinds
    expect(slider(explorer, "step").locator(".widget-readout")).to_have_text("0")

    transposed = page.locator(".vizkit-transposed-explorer").first
    t_status = transposed.locator(".vizkit-status").first
    expect(t_status).to_contain_text("output: 1 × 5 × 5")  # (2 − 1)·2 + 3 = 5
    move_slider(page, transposed, "stride", status=t_status)
    expect(t_status).to_contain_text("output: 1 × 6 × 6")  # (2 − 1)·3 + 3
    finish(page, console_messages)


# --- 03 ---------------------------------------------------------------------------------------


def test_03_pooling_and_blocks(
    page: Any, lab_server: LabServer, console_messages: list[str]
) -> None:
    from playwright.sync_api import expect

    run_notebook(page, lab_server, "03_pooling_and_blocks.ipynb", console_messages)
    explorer = page.locator(".vizkit-pool-explorer").first
    status = explorer.locator(".vizkit-status").first
    expect(status).to_contain_text("output: 3 × 3")  # ⌊(7 − 3) / 2⌋ + 1
    change_dropdown(explorer, "kind", "avg", status=status)
    assert move_slider(page, explorer, "stride", status=status) == "3"
    expect(status).to_contain_text("output: 2 × 2")  # ⌊(7 − 3) / 3⌋ + 1
    before = text_of(status)
    checkbox(explorer, "ceil_mode").check()
    wait_text_change(status, before, "ticking ceil_mode")
    expect(status).to_contain_text("output: 3 × 3")  # ⌈(7 − 3) / 3⌉ + 1
    finish(page, console_messages)


# --- 04 ---------------------------------------------------------------------------------------


def test_04_architectures(page: Any, lab_server: LabServer, console_messages: list[str]) -> None:
    from playwright.sync_api import expect

    run_notebook(page, lab_server, "04_architectures.ipynb", console_messages)
    picker = page.locator(".vizkit-architecture-picker").first
    status = picker.locator(".vizkit-status").first
    expect(status).to_contain_text("alexnet")
    change_dropdown(picker, "model", "lenet5", status=status)
    expect(status).to_contain_text("lenet5")
    move_slider(page, picker, "H = W", status=status)
    move_slider(page, picker, "batch", status=status, figure=False)  # batch: same bars' layers
    finish(page, console_messages)


# --- 05 and 06: training ------------------------------------------------------------------------

CURVES_JS = """(root) => Array.from(root.querySelectorAll('.js-plotly-plot'))
  .some(gd => (gd.data || []).some(t => t.y && t.y.length > 1))"""


def assert_monitor_ran(page: Any) -> None:
    """The TrainingMonitor's status left "waiting…" for step counts; its curves have points."""
    monitor = widget_output(page, "button:has-text('Stop')")
    status = monitor.locator(".widget-html").last
    assert re.search(r"step \d+ · epoch \d+ · loss", text_of(status)), text_of(status)
    assert monitor.evaluate(CURVES_JS), "the training curves have no points"
    assert monitor.locator("button:has-text('Stop')").is_disabled()  # training has ended


def test_05_batchnorm_and_training(
    page: Any, lab_server: LabServer, console_messages: list[str]
) -> None:
    run_notebook(page, lab_server, "05_batchnorm_and_training.ipynb", console_messages)
    assert_monitor_ran(page)
    finish(page, console_messages)


def test_06_learned_filters(page: Any, lab_server: LabServer, console_messages: list[str]) -> None:
    run_notebook(page, lab_server, "06_learned_filters.ipynb", console_messages)
    assert_monitor_ran(page)

    explorer = widget_output(page, label("filter"), label("scale"))
    status = explorer.locator(".widget-html").last
    layers = dropdown_options(explorer, "layer")
    assert len(layers) >= 2, layers
    change_dropdown(explorer, "layer", layers[1], status=status)
    before = figure_state(explorer)
    toggle(explorer, "symmetric")
    wait_figure_change(explorer, before, "pressing scale = symmetric")
    # conv2 has several input channels: "auto" sums them; "per_channel" shows each one.
    change_dropdown(explorer, "mode", "per_channel")
    assert move_slider(page, explorer, "filter", status=status) == "1"
    assert "Filter 1" in text_of(status)
    finish(page, console_messages)


# --- 07 ---------------------------------------------------------------------------------------


def test_07_activations(
    page: Any, lab_server: LabServer, console_messages: list[str], tmp_path: Path
) -> None:
    run_notebook(page, lab_server, "07_activations.ipynb", console_messages)
    explorer = widget_output(page, label("channel"), "button.widget-upload")
    status = explorer.locator(".widget-html").last
    layers = dropdown_options(explorer, "layer")
    assert len(layers) >= 2, layers
    change_dropdown(explorer, "layer", layers[1], status=status)
    assert move_slider(page, explorer, "channel", status=status) == "1"
    assert "channel 1" in text_of(status)
    before_status, before = text_of(status), figure_state(explorer)
    upload(explorer, "your image", png(tmp_path / "my_picture.png", (80, 64)))
    wait_figure_change(explorer, before, "uploading my_picture.png")
    wait_text_change(status, before_status, "uploading my_picture.png")
    finish(page, console_messages)


# --- 08 ---------------------------------------------------------------------------------------


def test_08_deep_image_prior(
    page: Any, lab_server: LabServer, console_messages: list[str], tmp_path: Path
) -> None:
    from playwright.sync_api import expect

    run_notebook(page, lab_server, "08_deep_image_prior.ipynb", console_messages)

    # DIPPanel: after panel.run() the snapshot slider scrubs; Start fits again, live.
    panel = widget_output(page, label("snapshot"))
    status = panel.locator(".widget-html").first
    expect(status).to_contain_text("drag the slider to scrub")
    move_slider(page, panel, "snapshot", key="ArrowLeft")
    expect(panel).to_contain_text("snapshot · step")
    before = text_of(status)
    button(panel, "Start").click()
    wait_text_change(status, before, "pressing Start")
    expect(status).to_contain_text("drag the slider to scrub", timeout=120_000)
    assert button(panel, "Start").is_enabled()

    # MaskEditor: every button, both sliders, both uploads and a box select.
    editor = page.locator(".vizkit-mask-editor").first
    status = editor.locator(".widget-html").last
    for name, says in (
        ("clear", "mask cleared"),
        ("text", "text removed"),
        ("add hole", "hole added"),
        ("drop pixels", "of the pixels removed"),
    ):
        before_status, before = text_of(status), figure_state(editor)
        button(editor, name).click()
        wait_text_change(status, before_status, f"pressing {name!r}")
        wait_figure_change(editor, before, f"pressing {name!r}")
        expect(status).to_contain_text(says)
    assert nudge(page, slider(editor, "drop"), "ArrowRight") == "55%"
    move_slider(page, editor, "hole rows")  # moves the dashed rectangle "add hole" would cut

    before_status, before = text_of(status), figure_state(editor)
    upload(editor, "mask", png(tmp_path / "my_mask.png", (64, 64), square=False))
    wait_text_change(status, before_status, "uploading my_mask.png")
    expect(status).to_contain_text("mask my_mask.png loaded")
    wait_figure_change(editor, before, "uploading my_mask.png")
    before_status = text_of(status)
    upload(editor, "image", png(tmp_path / "my_image.png", (48, 40)))
    wait_text_change(status, before_status, "uploading my_image.png")
    expect(status).to_contain_text("loaded my_image.png (40×48)")

    # Box select with the mouse on the picture (the figure's drag mode is "select").
    before_status, before = text_of(status), figure_state(editor)
    area = editor.locator(".js-plotly-plot .nsewdrag").first
    area.scroll_into_view_if_needed()
    box = area.bounding_box()
    assert box is not None
    page.mouse.move(box["x"] + 0.2 * box["width"], box["y"] + 0.2 * box["height"])
    page.mouse.down()
    for step in range(1, 11):
        f = 0.2 + 0.04 * step
        page.mouse.move(box["x"] + f * box["width"], box["y"] + f * box["height"])
    page.mouse.up()
    wait_text_change(status, before_status, "box-selecting on the picture")
    expect(status).to_contain_text("hole added: rows")
    wait_figure_change(editor, before, "box-selecting on the picture")
    finish(page, console_messages)


# --- 10 ---------------------------------------------------------------------------------------


def test_10_architectures_up_close(
    page: Any, lab_server: LabServer, console_messages: list[str]
) -> None:
    # Run-All: every cell runs in a real kernel and the page logs no error; no widgets to move.
    run_notebook(page, lab_server, "10_architectures_up_close.ipynb", console_messages)
    finish(page, console_messages)


# --- 11 ---------------------------------------------------------------------------------------


def test_11_training_the_classics(
    page: Any, lab_server: LabServer, console_messages: list[str]
) -> None:
    # Run-All: every cell (the live training demos included) runs in a real kernel and the page
    # logs no error; the notebook's one widget is the closing Quiz.
    run_notebook(page, lab_server, "11_training_the_classics.ipynb", console_messages)
    finish(page, console_messages)
