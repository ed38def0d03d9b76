"""Run every ``benchmarks/bench_*.py`` script and print what each one reports.

Usage::

    python benchmarks/run.py            # all benchmarks (what `make bench` does)
    python benchmarks/run.py sliding    # only those whose file name contains "sliding"
    python benchmarks/run.py --list     # show what would run

Each benchmark is a standalone script run in a fresh interpreter (so one benchmark's imports
and caches cannot speed up or slow down another). Its output is streamed to the terminal and
also saved to ``benchmarks/results/<name>.txt`` (git-ignored). The runner exits non-zero when
a benchmark fails, and exits 0 with a note when there are no benchmarks yet.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import threading
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results"


def discover(filters: list[str]) -> list[Path]:
    """The benchmark scripts, sorted by name, keeping those matching any filter."""
    scripts = sorted(HERE.glob("bench_*.py"))
    if filters:
        scripts = [s for s in scripts if any(f in s.stem for f in filters)]
    return scripts


def run_one(script: Path, timeout: float) -> tuple[int, float]:
    """Run one script, streaming and saving its output. Returns (exit code, seconds)."""
    RESULTS.mkdir(exist_ok=True)
    start = time.perf_counter()
    lines: list[str] = []
    with subprocess.Popen(
        [sys.executable, str(script)],
        cwd=HERE.parent,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    ) as proc:

        def pump() -> None:  # a thread, so a silent, hanging script still hits the timeout
            assert proc.stdout is not None  # we asked for a pipe
            for line in proc.stdout:
                print(f"  {line}", end="", flush=True)
                lines.append(line)

        reader = threading.Thread(target=pump, daemon=True)
        reader.start()
        try:
            code = proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
            code = 124
            lines.append(f"TIMEOUT after {timeout:.0f} s\n")
            print(f"  TIMEOUT after {timeout:.0f} s", flush=True)
        reader.join(timeout=5)
    (RESULTS / f"{script.stem}.txt").write_text("".join(lines))
    return code, time.perf_counter() - start


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("filters", nargs="*", help="run only scripts whose name contains one")
    parser.add_argument("--list", action="store_true", help="list the scripts and exit")
    parser.add_argument(
        "--timeout", type=float, default=1800.0, help="seconds allowed per script (default 1800)"
    )
    args = parser.parse_args(argv)

    scripts = discover(args.filters)
    if not scripts:
        what = f" matching {args.filters}" if args.filters else ""
        print(f"no benchmarks{what} yet: add benchmarks/bench_<topic>.py scripts (see README.md)")
        return 0
    if args.list:
        print("\n".join(s.name for s in scripts))
        return 0

    summary: list[tuple[str, int, float]] = []
    for script in scripts:
        print(f"==> {script.name}", flush=True)
        code, seconds = run_one(script, args.timeout)
        summary.append((script.name, code, seconds))
        verdict = "ok" if code == 0 else f"FAILED (exit {code})"
        print(f"<== {script.name}: {verdict}, {seconds:.1f} s", flush=True)

    print("\nsummary")
    for name, code, seconds in summary:
        print(f"  {'ok    ' if code == 0 else 'FAILED'}  {seconds:7.1f} s  {name}")
    failed = [name for name, code, _ in summary if code != 0]
    if failed:
        print(f"{len(failed)} benchmark(s) failed: {', '.join(failed)}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
