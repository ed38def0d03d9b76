"""Render speed: explorer slider change, full animation build, 30-frame GIF export.

Targets (issue 3): slider change → updated figure (Python side; 16×16 input, 5×5 kernel)
median < 20 ms; full animation build for a 32×32 input (3×3 kernel, 900 frames) < 150 ms;
30-frame GIF export < 3 s. Also: the 1D continuous-convolution animation build and a
KernelPlayground change (no issue target; 150 ms and 100 ms are this file's own bars).
Each is reported as a median and as a ratio against a reference operation timed in the
same run (a 256×256 float64 matmul), so runs on different machines can be compared; the
conv frames are also timed one step at a time vs all together, a ratio within the run.
"""

from __future__ import annotations

import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np


def median_ms(fn: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def main() -> None:
    import torch

    from vizkit.device import describe_device
    from vizkit.export import write_gif
    from vizkit.render.conv import ConvScene, conv_animation
    from vizkit.render.conv1d import continuous_conv_animation
    from vizkit.sliding import conv2d_trace
    from vizkit.widgets.conv_explorer import ConvExplorer
    from vizkit.widgets.kernel_playground import KernelPlayground

    a = np.random.default_rng(0).normal(size=(256, 256))
    reference = median_ms(lambda: a @ a, 21)
    print(f"{describe_device('cpu')}; torch {torch.__version__}; plotly figures built on the CPU")
    print(f"reference: 256×256 matmul median {reference:.2f} ms")

    explorer = ConvExplorer(input_height=16, input_width=16, kernel_size=5)
    values = iter([2, 1] * 50)
    slider = median_ms(lambda: setattr(explorer.stride, "value", next(values)), 20)
    steps = iter(range(1, 100))
    step = median_ms(lambda: setattr(explorer.step, "value", next(steps)), 20)

    rng = np.random.default_rng(0)
    trace = conv2d_trace(rng.normal(size=(1, 32, 32)), rng.normal(size=(1, 1, 3, 3)))
    conv_animation(trace)  # warm-up
    build = median_ms(lambda: conv_animation(trace), 7)
    # The same 900 frames built one step at a time (what the explorer does per step): the
    # ratio shows what building all frames together from the trace arrays saves.
    scene = ConvScene(trace)
    one_by_one = median_ms(lambda: [scene.frame(k) for k in range(scene.n_steps)], 3)
    bulk = median_ms(lambda: scene.frames(range(scene.n_steps)), 7)
    print(
        f"900 conv frames: one step at a time {one_by_one:.1f} ms, all together "
        f"{bulk:.1f} ms ({one_by_one / bulk:.1f}× faster)"
    )
    continuous = median_ms(lambda: continuous_conv_animation("box", "box", frames=61), 7)
    playground = KernelPlayground("camera", "edges (sobel x)", size=128)
    strides = iter([2, 1] * 50)
    playground.padding.value = "1"
    kernel_change = median_ms(lambda: setattr(playground.stride, "value", next(strides)), 10)

    small = conv2d_trace(rng.integers(-2, 4, (1, 8, 8)), rng.integers(-1, 2, (1, 1, 3, 3)))
    fig = conv_animation(small)
    with tempfile.TemporaryDirectory() as tmp:
        gif = median_ms(lambda: write_gif(fig, Path(tmp) / "a.gif", frames=range(30)), 5)

    rows = [
        ("stride slider → figure updated (16×16, 5×5)", slider, 20),
        ("step slider → figure updated (16×16, 5×5)", step, 20),
        ("conv_animation build, 32×32 input, 900 frames", build, 150),
        ("30-frame GIF export (8×8 input, 3×3)", gif, 3000),
        ("continuous_conv_animation box∗box, 61 frames", continuous, 150),
        ("KernelPlayground stride change (128-px photo, 3×3)", kernel_change, 100),
    ]
    for name, ms, target in rows:
        verdict = "ok" if ms < target else "OVER"
        print(
            f"{name}: median {ms:.1f} ms (target < {target} ms, {verdict}); "
            f"{ms / reference:.1f}× the reference"
        )


if __name__ == "__main__":
    main()
