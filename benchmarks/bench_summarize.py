"""``vk.summarize`` against ``torchinfo.summary`` with a real forward pass, same process.

Reported (2 threads, eval mode, random weights, batch 1, 224×224, 299×299 for Inception):

- VGG-16, ResNet-50 and ViT-B/16: rounds of one ``torchinfo.summary`` call and five
  ``summarize`` calls; the ratio of the medians (goals: ≥ 100×, ≥ 40×, ≥ 20×), the parameter
  count (must be identical) and the MACs (torchinfo adds biases and skips attention's products),
  plus where summarize's time goes (prepare / record / assemble, median of many calls);
- every torchvision classifier: the same ratio from fewer rounds; median, range and the five
  slowest (quick mode: a few of them);
- the first call in a fresh process: ``import torch``, then ``import vizkit`` plus the first
  ``summarize`` (what a notebook's first cell pays), then a second call;
- the extra peak memory of summarize on VGG-16 (growth of the process's peak RSS while only
  summarize runs; goal < 20 MB).

Timings are medians within this run and this machine; ratios travel between machines, absolute
times do not. On a loaded machine torchinfo's two-thread forward suffers more than summarize's
one-thread Python, which flatters the ratios: the load average is printed with them.

torchinfo is a benchmark-only dependency: ``pip install torchinfo``.
"""

from __future__ import annotations

import gc
import os
import resource
import statistics
import subprocess
import sys
import textwrap
import time
import warnings

import torch
import torchvision

from vizkit.quick import quick_or_full
from vizkit.summary import summarize
from vizkit.summary.assemble import assemble
from vizkit.summary.prepare import prepare
from vizkit.summary.record import record_forward

THREADS = 2
HEADLINE = {"vgg16": 100, "resnet50": 40, "vit_b_16": 20}  # model -> goal (× torchinfo)


def _peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: KiB


def _size(name: str) -> tuple[int, int, int]:
    return (3, 299, 299) if "inception" in name else (3, 224, 224)


def _model(name: str) -> torch.nn.Module:
    torch.manual_seed(0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # GoogLeNet / Inception init notices
        return torchvision.models.get_model(name).eval()


def _phases(model: torch.nn.Module, size: tuple[int, ...], repeats: int) -> list[float]:
    """Median seconds of summarize's three steps, run as summarize runs them (gc off)."""
    rows = []
    for _ in range(repeats):
        gc.disable()
        try:
            t0 = time.perf_counter()
            prepared = prepare(model, size)
            args, kwargs = prepared.meta()
            t1 = time.perf_counter()
            record = record_forward(prepared.copy, args, kwargs)  # type: ignore[arg-type]
            t2 = time.perf_counter()
            assemble(record.modules, record, prepared.inputs.specs, prepared.dtype, None)  # type: ignore[union-attr]
            t3 = time.perf_counter()
        finally:
            gc.enable()
        rows.append((t1 - t0, t2 - t1, t3 - t2))
    return [statistics.median(col) for col in zip(*rows, strict=True)]


def compare(torchinfo, name: str, rounds: int, calls: int) -> dict[str, float]:  # type: ignore[no-untyped-def]
    """Rounds of one torchinfo call then ``calls`` summarize calls; medians and counts."""
    model, size = _model(name), _size(name)
    table = summarize(model, size)
    info = torchinfo.summary(model, (1, *size), verbose=0)  # warm-up, and the reference counts
    ti: list[float] = []
    vk: list[float] = []
    for _ in range(rounds):
        start = time.perf_counter()
        torchinfo.summary(model, (1, *size), verbose=0)
        ti.append(time.perf_counter() - start)
        for _ in range(calls):
            start = time.perf_counter()
            summarize(model, size)
            vk.append(time.perf_counter() - start)
    result = {
        "torchinfo": statistics.median(ti),
        "summarize": statistics.median(vk),
        "same_params": float(table.total_params == info.total_params),
        "macs": float(table.total_macs),
        "torchinfo_macs": float(info.total_mult_adds),
    }
    result["ratio"] = result["torchinfo"] / result["summarize"]
    del model
    gc.collect()
    return result


def first_call() -> str:
    """The first summarize in a fresh interpreter: imports, first call, second call."""
    script = textwrap.dedent(
        """
        import time
        t0 = time.perf_counter()
        import torch, torchvision
        t1 = time.perf_counter()
        torch.set_num_threads(2)
        with torch.device("meta"):
            model = torchvision.models.resnet50()
        t2 = time.perf_counter()
        import vizkit as vk
        table = vk.summarize(model, (3, 224, 224))
        t3 = time.perf_counter()
        vk.summarize(model, (3, 224, 224))
        t4 = time.perf_counter()
        print(f"{(t1 - t0) * 1e3:.0f} {(t3 - t2) * 1e3:.0f} {(t4 - t3) * 1e3:.1f}")
        """
    )
    runs = []
    for _ in range(3):
        out = subprocess.run(
            [sys.executable, "-c", script], capture_output=True, text=True, check=True
        )
        runs.append([float(v) for v in out.stdout.split()])
    torch_ms, first_ms, second_ms = (statistics.median(col) for col in zip(*runs, strict=True))
    return (
        f"first call in a fresh process (ResNet-50, median of 3 processes): import torch + "
        f"torchvision {torch_ms:.0f} ms; then import vizkit + first summarize {first_ms:.0f} ms; "
        f"a second summarize {second_ms:.1f} ms"
    )


def main() -> None:
    try:
        import torchinfo
    except ImportError:
        print("torchinfo is not installed (pip install torchinfo); nothing to compare against")
        return
    torch.set_num_threads(THREADS)
    load = os.getloadavg()[0]
    print(
        f"summarize vs torchinfo.summary (real forward), {THREADS} threads, torch "
        f"{torch.__version__}, {os.cpu_count()} CPUs, load average {load:.1f}"
    )

    # Memory first, before torchinfo's real forwards raise the peak for good.
    vgg = _model("vgg16")
    gc.collect()
    before = _peak_rss_mib()
    for _ in range(4):
        summarize(vgg, (3, 224, 224))
    extra_mib = _peak_rss_mib() - before
    del vgg

    def verdict(ok: bool) -> str:
        return "met" if ok else "NOT met"

    rounds, calls = quick_or_full(3, 9), 5
    all_same = True
    for name, goal in HEADLINE.items():
        r = compare(torchinfo, name, rounds, calls)
        all_same &= bool(r["same_params"])
        gap = (r["macs"] - r["torchinfo_macs"]) / r["torchinfo_macs"]
        print(
            f"{name:9s} torchinfo {r['torchinfo'] * 1e3:7.1f} ms, summarize "
            f"{r['summarize'] * 1e3:6.2f} ms: {r['ratio']:5.0f}× (goal ≥ {goal}×: "
            f"{verdict(r['ratio'] >= goal)}); parameters identical: {bool(r['same_params'])}; "
            f"MACs {r['macs'] / 1e9:.2f} G vs torchinfo's {r['torchinfo_macs'] / 1e9:.2f} G "
            f"({gap:+.2%}; torchinfo adds biases, counts no attention products)"
        )
        model = _model(name)
        parts = _phases(model, _size(name), quick_or_full(11, 51))
        steps = ", ".join(
            f"{k} {v * 1e3:.2f}"
            for k, v in zip(("prepare", "record", "assemble"), parts, strict=True)
        )
        print(f"{'':9s} summarize's steps (median ms): {steps}")
        del model
        gc.collect()

    names = torchvision.models.list_models(module=torchvision.models)
    names = quick_or_full(["alexnet", "resnet18", "mobilenet_v3_small", "vit_b_32"], names)
    ratios: dict[str, float] = {}
    for name in names:
        r = compare(torchinfo, name, 1, 3)
        ratios[name] = r["ratio"]
        all_same &= bool(r["same_params"])
    ordered = sorted(ratios.items(), key=lambda kv: kv[1])
    median = statistics.median(ratios.values())
    print(
        f"all {len(ratios)} torchvision classifiers: median {median:.0f}× (range "
        f"{ordered[0][1]:.0f}× {ordered[0][0]} … {ordered[-1][1]:.0f}× {ordered[-1][0]}); "
        "lowest: " + ", ".join(f"{n} {v:.0f}×" for n, v in ordered[:5])
    )
    print(f"parameters identical to torchinfo's for every model: {all_same}")
    print(first_call())
    print(
        f"extra peak RSS while summarize ran (VGG-16): {extra_mib:.1f} MiB "
        f"(goal < 20 MB: {verdict(extra_mib < 19)})"
    )
    if not all_same:
        sys.exit(1)


if __name__ == "__main__":
    main()
