"""Drive JupyterLab and ipywidgets in Chromium as a user would (mouse, keyboard, menus).

Opening and running:
    open_notebook(page, lab, name)      open with an empty workspace, wait for an idle kernel
    run_all_cells(page)                 Run → Run All Cells through the menu bar
    wait_until_run(page, timeout_ms)    until no cell is queued and every code cell has an
                                        execution count (or a cell failed: Run All stops)
    problems(page)                      error outputs, stderr tracebacks, widgets that failed
                                        to render
    widget_console_errors(messages)     console errors that come from widgets or plotly

Widgets (``scope`` is a Locator around one widget, e.g. ``widget_output(page, label)``):
    slider(scope, label) / nudge(page, slider, key)    an ipywidgets slider, by its label
    choose(scope, label, option)        pick an option of a Dropdown
    toggle(scope, option)               press one of ToggleButtons
    button(scope, text)                 a Button by its text
    upload(scope, description, path)    click a FileUpload and pick a real file
    checkbox(scope, description)        a Checkbox's <input>
    figure_state(scope)                 a digest of every plotly graph in scope (data, title,
                                        shapes, image sources): compare before and after
    wait_figure_change / wait_text_change   until the figure / a status line changed

The helpers wait for what a user would wait for and fail with a message that says what did
not happen.
"""

from __future__ import annotations

import re
import warnings
from pathlib import Path
from typing import Any

KERNEL_START_MS = 120_000
RUN_ALL_MS = 600_000  # a notebook on a slow, busy 2-core machine (as nbmake's 600 s)
ANSWER_MS = 30_000  # one widget change, browser → kernel → browser

# Console lines that come from widgets or plotly rendering (vizkit's part of the page).
WIDGET_CONSOLE = re.compile(
    r"widget|plotly|Could not create a view|Error displaying|model not found", re.IGNORECASE
)


def open_notebook(page: Any, lab: Any, name: str) -> None:
    """Open a notebook in JupyterLab and wait until its kernel is idle.

    ``?reset`` starts from an empty workspace, so documents opened by earlier tests are not
    restored next to this one. The project's settings start the kernel without a "Select
    Kernel" dialog; one appearing is a failure, not something to click away.
    """
    page.goto(lab.url(f"lab/tree/{name}?reset"), wait_until="domcontentloaded")
    page.locator(".jp-NotebookPanel").first.wait_for(state="visible", timeout=KERNEL_START_MS)
    wait_for_kernel(page, name)


# The visible notebook's kernel: its toolbar names a kernel (not "No Kernel", which is what
# it shows before the session starts, with an "idle" indicator) and, if asked, it is idle.
_KERNEL_READY_JS = """(idle) => {
  const panel = document.querySelector('.jp-NotebookPanel:not(.lm-mod-hidden)');
  if (!panel) return false;
  const name = panel.querySelector('.jp-Toolbar-kernelName');
  const indicator = panel.querySelector('.jp-Notebook-ExecutionIndicator');
  return Boolean(name && indicator) && !/No Kernel|Unknown/.test(name.textContent)
    && (!idle || indicator.getAttribute('data-status') === 'idle');
}"""


def wait_for_kernel(
    page: Any, name: str, *, idle: bool = True, timeout_ms: int = KERNEL_START_MS
) -> None:
    """Wait until the visible notebook has its kernel (started and idle, with ``idle``).

    No dialog may appear meanwhile: "Select Kernel" asks before a kernel is chosen, so a
    kernel name in the toolbar means the question was never asked.
    """
    dialog = page.locator(".jp-Dialog")
    deadline = timeout_ms
    while deadline > 0:
        texts = dialog.all_inner_texts()
        assert not texts, f"a dialog blocked {name}: {texts}"
        if page.evaluate(_KERNEL_READY_JS, idle):
            return
        page.wait_for_timeout(250)
        deadline -= 250
    raise AssertionError(f"{name} had no kernel{' idle' if idle else ''} within {timeout_ms} ms")


def run_all_cells(page: Any) -> None:
    """Run → Run All Cells, through the menu bar as a user would."""
    page.locator(".lm-MenuBar-itemLabel", has_text=re.compile(r"^Run$")).click()
    page.locator(".lm-Menu-itemLabel", has_text=re.compile(r"^Run All Cells$")).click()


# The prompts of the notebook's code cells: "[3]:" ran, "[*]:" queued or running, "[ ]:" not
# run. Empty code cells are left out: Run All skips them.
_PROMPTS_JS = """() => Array.from(document.querySelectorAll(
    '.jp-NotebookPanel:not(.lm-mod-hidden) .jp-CodeCell'))
  .filter(cell => (cell.querySelector('.cm-content') || {}).textContent?.trim())
  .map(cell => cell.querySelector('.jp-InputArea-prompt').textContent.trim())"""
_RUN_DONE_JS = f"""() => {{
  const prompts = ({_PROMPTS_JS})();
  if (!prompts.length || prompts.some(p => p.includes('*'))) return false;
  // JupyterLab 4 renders a cell's exception as a stderr output holding the traceback.
  const failed = document.querySelector(
    '.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.error"], '
    + '.jp-RenderedText[data-mime-type="application/vnd.jupyter.error"]')
    || Array.from(document.querySelectorAll(
      '.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"]'))
      .some(el => el.textContent.includes('Traceback'));
  return Boolean(failed) || prompts.every(p => /\\[\\d+\\]/.test(p));
}}"""


def wait_until_run(page: Any, timeout_ms: int = RUN_ALL_MS) -> list[str]:
    """Wait until Run All has finished; return the code cells' prompts.

    Finished: no cell queued or running, and every code cell has an execution count — or a
    cell raised (Run All then stops and leaves the rest unnumbered). The kernel's own
    indicator is also waited for, so the next widget message is not queued behind a cell.
    """
    page.wait_for_function(_RUN_DONE_JS, timeout=timeout_ms, polling=250)
    page.locator(".jp-Notebook-ExecutionIndicator[data-status='idle']").first.wait_for(
        state="attached", timeout=timeout_ms
    )
    return list(page.evaluate(_PROMPTS_JS))


_PROBLEMS_JS = """() => {
  const out = [];
  const text = el => (el.textContent || '').trim().slice(0, 2000);
  for (const el of document.querySelectorAll(
      '.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.error"], '
      + '.jp-RenderedText[data-mime-type*="error"]')) out.push('error output: ' + text(el));
  for (const el of document.querySelectorAll(
      '.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"]'))
    if (/Traceback|Error:/.test(el.textContent)) out.push('stderr: ' + text(el));
  for (const el of document.querySelectorAll('.jp-OutputArea-output'))
    if (/Error displaying widget|Could not create a view|model not found/.test(el.textContent))
      out.push('widget: ' + text(el));
  return out;
}"""


def problems(page: Any) -> list[str]:
    """Error outputs, stderr tracebacks, widgets that failed to render and plotly trace
    properties the widget lost (present but undefined), as text."""
    return list(page.evaluate(_PROBLEMS_JS))


def stderr_texts(page: Any) -> list[str]:
    """Every stderr output's text (warnings, progress bars without a widget)."""
    return list(
        page.locator(
            ".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr']"
        ).all_text_contents()
    )


# anywidget gives a model 2 s to load its JavaScript and rejects a promise after that even
# when the model then loads and works; on a 2-core machine under load plotly's FigureWidget
# can take longer. Reported as a warning: a widget that really failed to come up fails the
# test where its figure or status is checked.
ANYWIDGET_SLOW_INIT = "[anywidget] Failed to initialize model."


def widget_console_errors(messages: list[str]) -> list[str]:
    """Console errors (and uncaught page errors) that come from widgets or plotly.

    anywidget's 2-second initialisation timeout is left out of the list and issued as a
    warning instead (see ``ANYWIDGET_SLOW_INIT``).
    """
    errors = [
        m
        for m in messages
        if (m.startswith("[error]") or m.startswith("[pageerror]")) and WIDGET_CONSOLE.search(m)
    ]
    slow = [m for m in errors if ANYWIDGET_SLOW_INIT in m]
    if slow:
        warnings.warn(
            f"{len(slow)}× {ANYWIDGET_SLOW_INIT!r} (a widget's JavaScript took over 2 s to "
            "load; the machine is busy?)",
            stacklevel=2,
        )
    return [m for m in errors if ANYWIDGET_SLOW_INIT not in m]


# --- one widget ------------------------------------------------------------------------------


def widget_output(page: Any, *marks: str) -> Any:
    """The widget output whose view contains every one of ``marks`` (CSS selectors)."""
    locator = page.locator(".jp-OutputArea-output")
    for mark in marks:
        locator = locator.filter(has=page.locator(mark))
    return locator.first


def label(text: str) -> str:
    """A selector for the ipywidgets control labelled exactly ``text``."""
    return f".widget-label:text-is('{text}')"


def slider(scope: Any, text: str) -> Any:
    """The (int/float/range) slider labelled ``text`` inside ``scope``."""
    return scope.locator(".widget-slider").filter(has=scope.page.locator(label(text))).first


def readout(control: Any) -> str:
    return str(control.locator(".widget-readout").first.text_content()).strip()


def nudge(page: Any, control: Any, key: str = "ArrowRight", *, handle: int = 0) -> str:
    """Move a slider one step with the keyboard (as a user would); return the new readout."""
    before = readout(control)
    knob = control.locator(".noUi-handle").nth(handle)
    knob.scroll_into_view_if_needed()
    knob.focus()
    page.keyboard.press(key)
    page.wait_for_function(
        "([el, before]) => el.textContent.trim() !== before",
        arg=[control.locator(".widget-readout").first.element_handle(), before],
        timeout=ANSWER_MS,
    )
    return readout(control)


def choose(scope: Any, text: str, option: str) -> None:
    """Pick ``option`` (its visible label) in the Dropdown labelled ``text``."""
    dropdown = scope.locator(".widget-dropdown").filter(has=scope.page.locator(label(text)))
    select = dropdown.first.locator("select")
    select.scroll_into_view_if_needed()
    select.select_option(label=option)


def dropdown_options(scope: Any, text: str) -> list[str]:
    dropdown = scope.locator(".widget-dropdown").filter(has=scope.page.locator(label(text)))
    return [" ".join(o.split()) for o in dropdown.first.locator("option").all_text_contents()]


def toggle(scope: Any, option: str) -> None:
    """Press the ToggleButtons button showing ``option``."""
    scope.locator(
        ".widget-toggle-button", has_text=re.compile(rf"^\s*{re.escape(option)}\s*$")
    ).first.click()


def button(scope: Any, text: str) -> Any:
    """The Button whose text is ``text`` (icon text aside)."""
    return scope.locator(
        "button.jupyter-button", has_text=re.compile(rf"^\W*{re.escape(text)}\s*$")
    ).first


def upload(scope: Any, description: str, path: Path) -> None:
    """Click the FileUpload showing ``description`` and pick ``path`` in the file chooser."""
    target = scope.locator("button.widget-upload", has_text=description).first
    target.scroll_into_view_if_needed()
    with scope.page.expect_file_chooser() as chooser:
        target.click()
    chooser.value.set_files(str(path))


def checkbox(scope: Any, text: str) -> Any:
    """The ``<input>`` of the Checkbox whose description is ``text``."""
    return scope.locator(f".widget-checkbox:has(span[title='{text}']) input[type=checkbox]").first


_FIGURE_JS = """(root) => {
  const parts = [];
  for (const gd of root.querySelectorAll('.js-plotly-plot')) {
    const layout = gd.layout || {};
    const title = layout.title
      && (layout.title.text !== undefined ? layout.title.text : layout.title);
    parts.push(JSON.stringify([
      (gd.data || []).map(t => [t.type, t.z, t.x, t.y, t.source, t.text, t.visible,
                                t.marker && t.marker.color, t.colorscale]),
      title, layout.shapes, layout.annotations, layout.images,
    ]));
  }
  const s = parts.join('|');
  let h = 0;
  for (let i = 0; i < s.length; i++) h = (Math.imul(h, 31) + s.charCodeAt(i)) | 0;
  return `${parts.length} plots, ${s.length} chars, #${h}`;
}"""


def figure_state(scope: Any) -> str:
    """A digest of the data, titles, shapes and images of every plotly graph in ``scope``."""
    return str(scope.evaluate(_FIGURE_JS))


def wait_figure_change(scope: Any, before: str, what: str, timeout_ms: int = ANSWER_MS) -> str:
    """Wait until ``figure_state(scope)`` differs from ``before``; fail naming ``what``."""
    deadline_ms = timeout_ms
    page = scope.page
    step = 200
    while deadline_ms > 0:
        now = figure_state(scope)
        if now != before:
            return now
        page.wait_for_timeout(step)
        deadline_ms -= step
    empty = scope.evaluate(
        "root => Array.from(root.querySelectorAll('.js-plotly-plot'))"
        ".some(gd => !(gd.data || []).length)"
    )
    hint = (
        " — a graph has no traces at all: its widget model never applied a message from the "
        "kernel (anywidget drops every message of a model whose JavaScript took over 2 s to "
        "load: a busy machine)"
        if empty
        else ""
    )
    raise AssertionError(f"the figure did not change within {timeout_ms} ms after {what}{hint}")


def text_of(element: Any) -> str:
    """The element's text (``textContent``: also right for a cell scrolled out of view,
    whose rendering JupyterLab skips, where ``innerText`` would be empty)."""
    return " ".join(str(element.text_content()).split())


def wait_text_change(element: Any, before: str, what: str, timeout_ms: int = ANSWER_MS) -> str:
    """Wait until ``element``'s text differs from ``before``; fail naming ``what``."""
    try:
        element.page.wait_for_function(
            "([el, before]) => el.textContent.split(/\\s+/).join(' ').trim() !== before",
            arg=[element.element_handle(), before],
            timeout=timeout_ms,
        )
    except Exception as err:  # playwright's TimeoutError, reworded
        raise AssertionError(
            f"the text did not change within {timeout_ms} ms after {what}: still {before!r}"
        ) from err
    return text_of(element)
