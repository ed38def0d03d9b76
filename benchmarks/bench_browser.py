"""What a user feels in the browser: slider → repainted plot, and open + Run All per notebook.

Latency (issue 16; goal: median < 100 ms for ConvExplorer at 16×16 with a 5×5 kernel): in
real Chromium, in the JupyterLab of `make lab` (started by ``scripts/lab.sh``), a key press
moves ConvExplorer's stride slider (1 ↔ 2) and, separately, its step slider; page
JavaScript takes ``performance.now()`` at the keydown and again when plotly has redrawn the
graph (its ``plotly_afterplot`` event) and the next frame has been painted
(``requestAnimationFrame``). Median over 3 interleaved rounds of 20 moves each (after 3
warm-up moves per round). Reported against three references measured in the same run: the
same stride change on the Python side only (no browser), the round trip of a plain
ipywidgets slider echoed into a Label (browser → kernel → browser, no figure) — what any
widget costs — and the same explorer drawn with the scene's plain traces (every number an
SVG label, as before ``vizkit.render.browser_layers``), moved in the same rounds.

With ``--notebooks`` (not part of `make bench`: tens of minutes on a CPU), it also times
each notebook from opening to Run All finished, in full mode (no ``VIZKIT_QUICK``), or
in quick mode with ``--quick``. ``--only 05,08`` picks notebooks by number.

    python benchmarks/bench_browser.py                    # latency only (a minute)
    python benchmarks/bench_browser.py --notebooks        # + every notebook, full mode

Needs Chromium (``/usr/bin/chromium``) and Playwright; without them it says so and exits 0.
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = ROOT / "notebooks"
sys.path.insert(0, str(ROOT))  # the browser tests' Chromium flags: one definition
from tests.browser.conftest import CHROMIUM_FLAGS  # noqa: E402

BENCH_NOTEBOOK = "bench_latency.ipynb"
BENCH_CELLS = [
    "from vizkit.widgets.conv_explorer import ConvExplorer\n"
    "explorer = ConvExplorer(input_height=16, input_width=16, kernel_size=5)\n"
    "explorer.add_class('bench-fast')\n"
    "explorer",
    # the reference: the same explorer drawn with the scene's plain traces (every number an
    # SVG label, cover and outlines as traces), as before vizkit.render.browser_layers
    "class PlainTraces(ConvExplorer):\n"
    "    LABEL_IMAGES = ()\n"
    "    SHAPES = ()\n"
    "plain = PlainTraces(input_height=16, input_width=16, kernel_size=5)\n"
    "plain.add_class('bench-plain')\n"
    "plain",
    "import ipywidgets as widgets\n"
    "echo_in = widgets.IntSlider(description='echo')\n"
    "echo_out = widgets.Label('0')\n"
    "echo_in.add_class('bench-echo-slider')\n"
    "echo_out.add_class('bench-echo-label')\n"
    "echo_in.observe(lambda change: setattr(echo_out, 'value', str(change['new'])), 'value')\n"
    "widgets.VBox([echo_in, echo_out])",
]

# Page-side timing. arm(target) remembers the next keydown's time; done() resolves with
# the milliseconds from that keydown to the first frame painted after the target changed:
# for a plotly graph its plotly_afterplot event, for anything else a DOM mutation.
TIMER_JS = """() => {
  const b = window.__bench = {t0: null, first: null, resolve: null, plots: 0};
  document.addEventListener('keydown', () => { b.t0 = performance.now(); b.first = null; }, true);
  window.__benchFinish = () => requestAnimationFrame(() => {
    if (b.resolve && b.t0 !== null) {
      const r = b.resolve;
      b.resolve = null;
      r({total: performance.now() - b.t0, first: b.first === null ? null : b.first - b.t0});
    }
  });
  for (const graph of document.querySelectorAll('.vizkit-conv-explorer .js-plotly-plot')) {
    graph.on('plotly_afterplot', () => { b.plots += 1; window.__benchFinish(); });
    // plotly starts drawing (the kernel's answer has arrived): its beforeplot event.
    graph.on('plotly_beforeplot', () => {
      if (b.t0 !== null && b.first === null) b.first = performance.now();
    });
  }
  const label = document.querySelector('.bench-echo-label');
  new MutationObserver(() => window.__benchFinish())
    .observe(label, {childList: true, characterData: true, subtree: true});
  return true;
}"""
ARM_JS = """() => { window.__bench.t0 = null; window.__bench.plots = 0;
  window.__benchDone = new Promise(resolve => { window.__bench.resolve = resolve; }); }"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def lab_server(root_dir: Path, *, quick: bool) -> Iterator[tuple[str, str]]:
    """JupyterLab started as `make lab` starts it; yields (base URL, token)."""
    base = Path(tempfile.mkdtemp(prefix="bench-lab-"))
    port, token = free_port(), secrets.token_hex(16)
    env = {
        **os.environ,
        "PORT": str(port),
        "TOKEN": token,
        "NOTEBOOK_DIR": str(root_dir),
        "VIZKIT_VENV": sys.prefix,
        "JUPYTER_CONFIG_DIR": str(base / "config"),
        "JUPYTER_RUNTIME_DIR": str(base / "runtime"),
        "JUPYTERLAB_SETTINGS_DIR": str(base / "settings"),
        "JUPYTERLAB_WORKSPACES_DIR": str(base / "workspaces"),
    }
    env.pop("VIZKIT_QUICK", None)
    if quick:
        env["VIZKIT_QUICK"] = "1"
    url = f"http://127.0.0.1:{port}"
    with (base / "lab.log").open("wb") as log:
        proc = subprocess.Popen(
            [str(ROOT / "scripts" / "lab.sh")],
            stdout=log,
            stderr=subprocess.STDOUT,
            env=env,
            cwd=base,
        )
        try:
            deadline = time.monotonic() + 120
            while True:
                try:
                    urllib.request.urlopen(f"{url}/api/status?token={token}", timeout=5).close()
                    break
                except OSError:
                    if proc.poll() is not None or time.monotonic() > deadline:
                        raise RuntimeError((base / "lab.log").read_text()[-3000:]) from None
                    time.sleep(0.5)
            yield url, token
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
            shutil.rmtree(base, ignore_errors=True)


def write_bench_notebook(folder: Path) -> None:
    import nbformat

    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(source) for source in BENCH_CELLS]
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    nbformat.write(nb, folder / BENCH_NOTEBOOK)


def open_and_run(page: Any, url: str, token: str, name: str, timeout_ms: int) -> float:
    """Open ``name`` in a fresh workspace, Run All; seconds until every cell has run."""
    start = time.perf_counter()
    page.goto(f"{url}/lab/tree/{name}?reset&token={token}", wait_until="domcontentloaded")
    page.wait_for_function(
        """() => { const p = document.querySelector('.jp-NotebookPanel:not(.lm-mod-hidden)');
          if (!p) return false;
          const k = p.querySelector('.jp-Toolbar-kernelName');
          const i = p.querySelector('.jp-Notebook-ExecutionIndicator');
          return k && i && !/No Kernel|Unknown/.test(k.textContent)
            && i.getAttribute('data-status') === 'idle'; }""",
        timeout=timeout_ms,
        polling=250,
    )
    page.locator(".lm-MenuBar-itemLabel", has_text="Run").first.click()
    page.locator(".lm-Menu-itemLabel", has_text="Run All Cells").first.click()
    page.wait_for_function(
        """() => { const ps = Array.from(document.querySelectorAll(
            '.jp-NotebookPanel:not(.lm-mod-hidden) .jp-CodeCell .jp-InputArea-prompt'))
            .map(p => p.textContent);
          const failed = Array.from(document.querySelectorAll(
            '.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"]'))
            .some(el => el.textContent.includes('Traceback'));
          return ps.length > 0 && !ps.some(p => p.includes('*'))
            && (Boolean(failed) || ps.every(p => /\\[\\d+\\]/.test(p))); }""",
        timeout=timeout_ms,
        polling=500,
    )
    seconds = time.perf_counter() - start
    errors = page.locator(
        ".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr']",
        has_text="Traceback",
    ).count()
    if errors:
        raise RuntimeError(f"{name}: {errors} cell(s) raised")
    return seconds


def move_and_time(page: Any, handle: Any, key: str) -> tuple[float, float | None]:
    """(ms to the repainted frame, ms to plotly's beforeplot event or None)."""
    page.evaluate(ARM_JS)
    handle.press(key)
    result = page.evaluate("() => window.__benchDone")
    first = result["first"]
    return float(result["total"]), None if first is None else float(first)


def slider_latency(page: Any, css: str, moves: int) -> tuple[list[float], list[float], list[int]]:
    """Move a slider right/left alternately: ms from keydown to the repainted figure, ms
    from keydown to plotly's beforeplot event (the answer arrived, drawing starts), and how
    many times plotly redrew per move (one is what the explorer means to cost)."""
    handle = page.locator(f"{css} .noUi-handle").first
    handle.scroll_into_view_if_needed()
    handle.focus()
    totals, firsts, plots = [], [], []
    for i in range(3 + moves):
        total, first = move_and_time(page, handle, "ArrowRight" if i % 2 == 0 else "ArrowLeft")
        if i >= 3:
            totals.append(total)
            if first is not None:
                firsts.append(first)
        page.wait_for_timeout(150)  # let a late second redraw pass before the next key press
        plots.append(int(page.evaluate("() => window.__bench.plots")))
    return totals, firsts, plots


def python_side_ms(moves: int) -> float:
    from vizkit.widgets.conv_explorer import ConvExplorer

    explorer = ConvExplorer(input_height=16, input_width=16, kernel_size=5)
    times = []
    for value in [2, 1] * (moves // 2 + 2):
        start = time.perf_counter()
        explorer.stride.value = value
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times[3:])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--notebooks",
        action="store_true",
        help="also time open + Run All for every notebook (full mode)",
    )
    parser.add_argument(
        "--quick", action="store_true", help="run the notebooks in quick mode (VIZKIT_QUICK=1)"
    )
    parser.add_argument("--only", default="", help="notebook numbers, e.g. 05,08")
    parser.add_argument("--moves", type=int, default=20, help="slider moves per measurement")
    parser.add_argument(
        "--rounds", type=int, default=3, help="interleaved rounds of every measurement"
    )
    args = parser.parse_args(argv)

    chromium = (
        "/usr/bin/chromium"
        if os.access("/usr/bin/chromium", os.X_OK)
        else (shutil.which("chromium"))
    )
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        chromium = None
    if chromium is None:
        print("skipped: needs Chromium (/usr/bin/chromium) and Playwright")
        return 0

    import torch

    from vizkit.device import describe_device
    from vizkit.quick import is_quick

    moves = 6 if is_quick() else args.moves
    print(
        f"{describe_device('cpu')}; torch {torch.__version__}; Chromium {chromium}; "
        f"{os.cpu_count()} CPU cores"
    )
    python_ms = python_side_ms(moves)

    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as playwright:
        folder = Path(tmp)
        write_bench_notebook(folder)
        browser = playwright.chromium.launch(executable_path=chromium, args=CHROMIUM_FLAGS)
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.set_default_timeout(60_000)
        with lab_server(folder, quick=True) as (url, token):
            open_and_run(page, url, token, BENCH_NOTEBOOK, 240_000)
            for css in (".bench-fast", ".bench-plain"):
                page.locator(f"{css} .js-plotly-plot").first.wait_for()
            page.locator(".bench-echo-label").first.wait_for()
            page.evaluate(TIMER_JS)
            echo: list[float] = []
            results: dict[tuple[str, str], tuple[list[float], list[float], list[int]]] = {
                (kind, name): ([], [], [])
                for kind in ("fast", "plain")
                for name in ("stride slider", "step slider")
            }
            # interleaved rounds: the machine's drift hits both drawings alike
            for _ in range(args.rounds):
                echo += slider_latency(page, ".bench-echo-slider", moves)[0]
                for (kind, name), acc in results.items():
                    css = "vizkit-slider-stride" if name.startswith("stride") else "vizkit-step"
                    got = slider_latency(page, f".bench-{kind} .{css}", moves)
                    for bucket, new in zip(acc, got, strict=True):
                        bucket.extend(new)
        browser.close()

    echo_ms = statistics.median(echo)
    print(f"reference: ConvExplorer stride change, Python side only: median {python_ms:.1f} ms")
    print(
        f"reference: plain IntSlider → Label echo round trip in the browser: median "
        f"{echo_ms:.1f} ms (p90 {sorted(echo)[int(0.9 * len(echo))]:.1f} ms)"
    )
    for name in ("stride slider", "step slider"):
        times, firsts, plots = results[("fast", name)]
        plain = statistics.median(results[("plain", name)][0])
        median = statistics.median(times)
        verdict = "ok" if median < 100 else "OVER"
        arrived = statistics.median(firsts) if firsts else float("nan")
        print(
            f"ConvExplorer 16×16, 5×5 kernel: {name} key press → plot repainted: median "
            f"{median:.1f} ms, min {min(times):.1f}, max {max(times):.1f} over {len(times)} "
            f"moves (target < 100 ms, {verdict}); {median / echo_ms:.1f}× the echo round "
            f"trip, {median / python_ms:.1f}× the Python side. Of the median: answer in the "
            f"browser after {arrived:.1f} ms, plotly drawing + paint the rest; plotly "
            f"redrew {statistics.median(plots):g}× per move (median). Same explorer drawn "
            f"with plain traces (reference, interleaved): {plain:.1f} ms, "
            f"{plain / median:.2f}× slower"
        )

    if args.notebooks:
        names = sorted(p.name for p in NOTEBOOKS.glob("[0-9][0-9]_*.ipynb"))
        if args.only:
            wanted = {n.strip().zfill(2) for n in args.only.split(",")}
            names = [n for n in names if n[:2] in wanted]
        mode = "quick mode" if args.quick else "full mode"
        rows = []
        with tempfile.TemporaryDirectory() as tmp, sync_playwright() as playwright:
            folder = Path(tmp)
            for name in names:
                shutil.copy(NOTEBOOKS / name, folder / name)
            browser = playwright.chromium.launch(executable_path=chromium, args=CHROMIUM_FLAGS)
            with lab_server(folder, quick=args.quick) as (url, token):
                for name in names:
                    page = browser.new_page(viewport={"width": 1400, "height": 1000})
                    try:
                        seconds = open_and_run(page, url, token, name, 3_600_000)
                        rows.append((name, f"{seconds:.0f} s"))
                    except Exception as err:  # report and go on to the next notebook
                        rows.append((name, f"failed: {str(err).splitlines()[0][:120]}"))
                    finally:
                        page.close()
                    for kernel in json.load(
                        urllib.request.urlopen(f"{url}/api/kernels?token={token}")
                    ):
                        urllib.request.urlopen(
                            urllib.request.Request(
                                f"{url}/api/kernels/{kernel['id']}?token={token}", method="DELETE"
                            )
                        ).close()
                    print(f"{name}: open + Run All ({mode}) {rows[-1][1]}", flush=True)
            browser.close()
        print(f"\nopen + Run All in JupyterLab + Chromium, {mode}, {os.cpu_count()} CPU cores:")
        for name, result in rows:
            print(f"  {name:36s} {result}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
