"""``vk.summarize(vgg16, (3, 224, 224))`` against ``torchinfo.summary`` with a real forward pass.

Same process, same model (torchvision VGG-16, random weights, eval mode), timed in rounds of
one torchinfo call and five summarize calls; the ratio of medians is reported (goal: summarize
≥ 50× faster), and apart from it the ratio for the first summarize of each round alone (right
after torchinfo's real forward has streamed the weights through the caches), with the
parameter count (must be identical), the MACs (goal: within 0.1 %) and the extra peak memory
of summarize (goal: < 20 MB, measured as the growth of the process's peak RSS while only
summarize runs).

torchinfo is a benchmark-only dependency: ``pip install torchinfo``.
"""

from __future__ import annotations

import gc
import resource
import statistics
import sys
import time

import torch
import torchvision

from vizkit.summary import summarize
from vizkit.summary.assemble import assemble
from vizkit.summary.prepare import prepare_meta
from vizkit.summary.record import record_forward


def _peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: KiB


def _phases(model: torch.nn.Module, size: tuple[int, ...]) -> list[float]:
    """Seconds of summarize's three phases, run as summarize runs them (gc off, eval copy)."""
    shape = (1, *size)
    gc.disable()
    try:
        t0 = time.perf_counter()
        clone, dtype = prepare_meta(model, None, training=False)
        x = torch.empty(shape, dtype=dtype, device="meta")
        t1 = time.perf_counter()
        record = record_forward(clone, x)
        t2 = time.perf_counter()
        assemble(record.modules, record, shape, dtype, None)
        t3 = time.perf_counter()
    finally:
        gc.enable()
    return [t1 - t0, t2 - t1, t3 - t2]


def main(repeats: int = 15, calls: int = 5, phase_repeats: int = 101) -> None:
    try:
        import torchinfo
    except ImportError:
        print("torchinfo is not installed (pip install torchinfo); nothing to compare against")
        return
    torch.manual_seed(0)
    model = torchvision.models.vgg16(weights=None).eval()
    size = (3, 224, 224)

    # Memory first, before torchinfo's real forward raises the peak for good.
    gc.collect()
    before = _peak_rss_mib()
    table = summarize(model, size)
    for _ in range(3):
        summarize(model, size)
    extra_mib = _peak_rss_mib() - before

    info = torchinfo.summary(model, (1, *size), verbose=0)
    # Rounds of one torchinfo call then `calls` summarize calls: the first of them runs right
    # after torchinfo's real forward streamed 0.5 GB of weights through the caches ("first"),
    # the others as a notebook or the picker calls it again ("all").
    times: dict[str, list[float]] = {"vk.summarize": [], "torchinfo.summary": []}
    first: list[float] = []
    for _ in range(repeats):
        start = time.perf_counter()
        torchinfo.summary(model, (1, *size), verbose=0)
        times["torchinfo.summary"].append(time.perf_counter() - start)
        for i in range(calls):
            start = time.perf_counter()
            summarize(model, size)
            times["vk.summarize"].append(time.perf_counter() - start)
            if i == 0:
                first.append(times["vk.summarize"][-1])
    med = {k: statistics.median(v) for k, v in times.items()}
    # Where summarize's time goes (many repeats: each run is a few milliseconds).
    phases = [_phases(model, size) for _ in range(phase_repeats)]
    whole = []
    for _ in range(phase_repeats):
        start = time.perf_counter()
        summarize(model, size)
        whole.append(time.perf_counter() - start)
    phase_med = [statistics.median(col) for col in zip(*phases, strict=True)]
    ratio = med["torchinfo.summary"] / med["vk.summarize"]
    first_ratio = med["torchinfo.summary"] / statistics.median(first)
    macs_gap = abs(table.total_macs - info.total_mult_adds) / info.total_mult_adds
    print(
        f"VGG-16 at {size}, batch 1, {repeats} rounds of 1 torchinfo + {calls} summarize calls, "
        f"{torch.get_num_threads()} threads, torch {torch.__version__}"
    )
    for name, value in med.items():
        print(f"  {name:18s} median {value * 1000:8.1f} ms")
    labels = ("prepare_meta", "record_forward", "assemble")
    parts = ", ".join(f"{k} {v * 1000:.2f}" for k, v in zip(labels, phase_med, strict=True))
    print(
        f"  summarize phases ({phase_repeats} repeats, median ms): {parts}; "
        f"whole call {statistics.median(whole) * 1000:.2f}"
    )

    def verdict(ok: bool) -> str:
        return "met" if ok else "NOT met"

    same = table.total_params == info.total_params
    print(f"speed-up summarize vs torchinfo: {ratio:.0f}× (goal ≥ 50×: {verdict(ratio >= 50)})")
    print(
        f"  the first summarize after each torchinfo call alone: median "
        f"{statistics.median(first) * 1000:.1f} ms, {first_ratio:.0f}×"
    )
    print(f"parameters: {table.total_params:,} vs {info.total_params:,} (identical: {same})")
    print(
        f"MACs: {table.total_macs:,} vs {info.total_mult_adds:,} ({macs_gap:.3%} apart; "
        f"torchinfo adds biases; goal ≤ 0.1 %: {verdict(macs_gap <= 1e-3)})"
    )
    print(
        f"extra peak RSS while summarize ran: {extra_mib:.1f} MiB "
        f"(goal < 20 MB: {verdict(extra_mib < 19)})"
    )
    if not same:
        sys.exit(1)


if __name__ == "__main__":
    main()
