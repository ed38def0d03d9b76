"""Run All, timed: each notebook executed top to bottom in a fresh kernel, as "Run All" does.

Target (issue 16): every notebook's Run All in **full mode** (no ``VIZKIT_QUICK``) within
5 minutes on a 2-core CPU. The notebooks run with nbclient (what ``jupyter execute`` and
nbmake use), from ``notebooks/`` as their working directory, one after another, each in a
fresh kernel; nothing is written back. Printed per notebook: wall-clock seconds (kernel start
included), the ratio to a reference measured in the same run — a notebook of one cell,
``import vizkit as vk; import torch``, i.e. what every notebook pays before its first figure —
and the slowest cells. A busy machine stretches every wall-clock figure, so the load average
and the kernel's CPU seconds (user + system: close to the wall time an idle machine would
need for single-threaded work) are printed too, and a markdown table at the end is ready for
the README.

Usage::

    python benchmarks/bench_notebooks.py            # all notebooks, full mode
    python benchmarks/bench_notebooks.py 05 08      # only those whose name contains 05 or 08
    python benchmarks/bench_notebooks.py draft.ipynb    # a notebook file (run from notebooks/)
    VIZKIT_QUICK=1 python benchmarks/bench_notebooks.py   # quick mode: a smoke run
"""

from __future__ import annotations

import os
import sys
import time
from datetime import datetime
from pathlib import Path

import nbformat
from nbclient import NotebookClient

from vizkit.quick import is_quick

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = ROOT / "notebooks"
TARGET_S = 300.0
TIMEOUT_S = 1800  # per cell


def _load() -> str:
    try:
        return " ".join(f"{x:.1f}" for x in os.getloadavg())
    except OSError:  # pragma: no cover - not on this platform
        return "n/a"


def _cell_seconds(cell: nbformat.NotebookNode) -> float:
    timing = cell.get("metadata", {}).get("execution", {})
    start, end = timing.get("iopub.execute_input"), timing.get("shell.execute_reply")
    if not (start and end):
        return 0.0
    parse = datetime.fromisoformat
    return (parse(end.replace("Z", "+00:00")) - parse(start.replace("Z", "+00:00"))).total_seconds()


def _cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of a process so far (Linux ``/proc``; 0 elsewhere)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def run(nb: nbformat.NotebookNode) -> tuple[float, float, nbformat.NotebookNode]:
    """Execute ``nb`` in a fresh kernel (cwd ``notebooks/``).

    Returns:
        Wall seconds, the kernel's CPU seconds (user + system, read after the last cell)
        and the executed notebook.
    """
    cpu = [0.0]

    def after_cell(**_: object) -> None:
        process = getattr(client.km.provisioner, "process", None) if client.km else None
        if process is not None:
            cpu[0] = _cpu_seconds(process.pid)

    client = NotebookClient(
        nb,
        timeout=TIMEOUT_S,
        kernel_name="python3",
        record_timing=True,
        extra_arguments=["--IPKernelApp.log_level=ERROR"],  # no "running over TCP" notice
        resources={"metadata": {"path": str(NOTEBOOKS)}},
        on_cell_executed=after_cell,
    )
    start = time.perf_counter()
    client.execute()
    return time.perf_counter() - start, cpu[0], nb


def reference() -> float:
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell("import torch\nimport vizkit as vk\nvk.pick_device()")]
    return run(nb)[0]


def main(filters: list[str]) -> int:
    import torch

    from vizkit.device import describe_device

    quick = is_quick()
    paths = sorted(NOTEBOOKS.glob("[0-9][0-9]_*.ipynb"))
    files = [Path(f) for f in filters if f.endswith(".ipynb")]  # e.g. a draft of a notebook
    filters = [f for f in filters if not f.endswith(".ipynb")]
    if filters or files:
        paths = [p for p in paths if any(f in p.stem for f in filters)] + files
    print(
        f"torch {torch.__version__}, {describe_device('cpu')}, {os.cpu_count()} CPUs, "
        f"{'QUICK' if quick else 'FULL'} mode, load average {_load()}"
    )
    ref = reference()
    print(f"reference (fresh kernel, import torch + vizkit): {ref:.1f} s")
    rows = []
    failed = False
    for path in paths:
        nb = nbformat.read(path, as_version=4)
        try:
            seconds, cpu, done = run(nb)
        except Exception as err:  # a failing notebook is reported, the others still run
            first = (str(err).strip().splitlines() or ["no message"])[0]
            print(f"{path.stem}: FAILED ({type(err).__name__}: {first})", flush=True)
            failed = True
            continue
        cells = sorted(
            ((_cell_seconds(c), i) for i, c in enumerate(done.cells) if c.cell_type == "code"),
            reverse=True,
        )
        slowest = ", ".join(f"[{i}] {s:.0f} s" for s, i in cells[:3])
        verdict = "" if quick else (" ✓" if seconds <= TARGET_S else f" ✗ over {TARGET_S:.0f} s")
        print(
            f"{path.stem}: {seconds:.1f} s (×{seconds / ref:.1f} the reference){verdict}; "
            f"kernel CPU {cpu:.0f} s; slowest cells {slowest}; load {_load()}",
            flush=True,
        )
        rows.append((path.stem, seconds, cpu))
    print(f"\nload average at the end {_load()}\n")
    print("| notebook | Run All (s) | kernel CPU (s) |\n|---|---:|---:|")
    for name, seconds, cpu in rows:
        print(f"| {name} | {seconds:.0f} | {cpu:.0f} |")
    if rows and not quick:
        worst = max(rows, key=lambda r: r[1])
        met = all(r[1] <= TARGET_S for r in rows)
        print(
            f"\ntarget every notebook ≤ {TARGET_S:.0f} s: {'met' if met else 'NOT met'} "
            f"(slowest {worst[0]}, {worst[1]:.0f} s; total {sum(r[1] for r in rows):.0f} s)"
        )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
