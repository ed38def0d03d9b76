"""How much a conv2d trace costs compared with torch doing the same arithmetic.

Times building ``vizkit.conv2d_trace`` and walking every step (what an animation does) for a
(3, 32, 32) input and eight 5×5 kernels with padding 2, against ``F.conv2d`` plus ``F.unfold``
(torch's output plus every window) on the same data in the same process. Prints the medians
and their ratio on one line; also the ratio for the output alone (no steps). Not a test:
ratios, not absolute times, are what to compare across machines.

Run: ``python benchmarks/bench_traces.py``.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable

import numpy as np
import torch
import torch.nn.functional as F

from vizkit.device import describe_device
from vizkit.quick import quick_or_full
from vizkit.sliding import conv2d_trace

REPEATS = quick_or_full(3, 7)
torch.set_num_threads(1)  # the trace is single-threaded numpy; compare like with like


def median_seconds(fn: Callable[[], object], repeats: int = REPEATS) -> float:
    fn()  # warm-up: imports, allocator, einsum path
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    rng = np.random.default_rng(0)
    x = rng.normal(size=(3, 32, 32))
    w = rng.normal(size=(8, 3, 5, 5))
    b = rng.normal(size=8)
    tx, tw, tb = torch.tensor(x)[None], torch.tensor(w), torch.tensor(b)

    def trace_all_steps() -> float:
        trace = conv2d_trace(x, w, b, padding=2)
        return sum(step.total for step in trace.steps)

    def trace_output_only() -> object:
        return conv2d_trace(x, w, b, padding=2).output

    def torch_reference() -> object:
        with torch.no_grad():
            return F.conv2d(tx, tw, tb, padding=2), F.unfold(tx, 5, padding=2)

    steps = len(conv2d_trace(x, w, b, padding=2).steps)
    ours = median_seconds(trace_all_steps)
    output_only = median_seconds(trace_output_only)
    reference = median_seconds(torch_reference)
    print(
        f"conv2d_trace 3x32x32 * 8x3x5x5 pad 2: {steps} steps; trace+all steps "
        f"{ours * 1e3:.1f} ms, output only {output_only * 1e3:.2f} ms, torch conv2d+unfold "
        f"{reference * 1e3:.2f} ms; ratio {ours / reference:.0f}x (all steps), "
        f"{output_only / reference:.1f}x (output only); median of {REPEATS}; "
        f"{describe_device('cpu')}"
    )


if __name__ == "__main__":
    main()
