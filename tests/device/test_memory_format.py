"""time_memory_formats and determinism_report return sane data (no timing assertions)."""

from __future__ import annotations

import pytest
import torch

from vizkit.device.determinism import determinism_report
from vizkit.device.memory_format import time_memory_formats


def test_timing_returns_positive_medians_and_leaves_model_alone(tiny_cnn):
    weight = tiny_cnn[0].weight
    timing = time_memory_formats(
        tiny_cnn, (2, 1, 16, 16), device="cpu", repeats=2, warmup=1, backward=True
    )
    assert timing.contiguous_s > 0 and timing.channels_last_s > 0
    assert timing.speedup == pytest.approx(timing.contiguous_s / timing.channels_last_s)
    assert timing.device == "cpu" and timing.repeats == 2
    assert tiny_cnn[0].weight is weight and weight.is_contiguous()
    assert weight.grad is None


def test_timing_errors(tiny_cnn):
    with pytest.raises(ValueError, match=r"input_shape \(1, 16, 16\) must be \(N, C, H, W\)"):
        time_memory_formats(tiny_cnn, (1, 16, 16), device="cpu")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match=r"repeats 0 is below 1: use repeats=1 or more"):
        time_memory_formats(tiny_cnn, (1, 1, 16, 16), device="cpu", repeats=0)


def test_determinism_report_on_cpu(tiny_cnn):
    report = determinism_report(tiny_cnn, (2, 1, 16, 16), device="cpu")
    assert report.identical and report.max_difference == 0.0
    assert report.cudnn_deterministic == torch.backends.cudnn.deterministic
    assert "bitwise identical" in str(report)
    assert all(p.grad is None for p in tiny_cnn.parameters())


def test_a_time_budget_cuts_the_repeats_short(tiny_cnn, monkeypatch):
    """A slow or busy machine answers within about the budget (notebook 05 waited 121 s)."""
    import vizkit.device.memory_format as module

    clock = iter(range(0, 10_000, 10))  # every perf_counter call: 10 s later
    monkeypatch.setattr(module.time, "perf_counter", lambda: float(next(clock)))
    timing = time_memory_formats(
        tiny_cnn, (1, 1, 16, 16), device="cpu", repeats=50, warmup=0, seconds=25
    )
    assert timing.repeats == 3  # the minimum for a median, then the budget stopped it
    full = time_memory_formats(tiny_cnn, (1, 1, 16, 16), device="cpu", repeats=5, seconds=None)
    assert full.repeats == 5
    with pytest.raises(ValueError, match="seconds 0 must be positive"):
        time_memory_formats(tiny_cnn, (1, 1, 16, 16), device="cpu", seconds=0)
