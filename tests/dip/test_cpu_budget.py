"""The ``"cpu"`` preset's step counts are long enough: each fit gets within 0.5 dB of its best.

Notebook 08 runs every fit for its preset's steps on a CPU. Issue 16 asks for "Run All" within
5 minutes on 2 cores *and* results still worth showing: each fit within about 90 s of coming
within 0.5 dB of its best PSNR. Cutting steps makes the first easy and breaks the second
silently — a fit stopped while its PSNR still climbs. So this runs fits for 1.25× their
preset's steps on a real photograph (the paper's F16, small canvas to stay fast) and checks
that the extra quarter adds less than 0.5 dB: within the budget the curve has flattened.
``benchmarks/bench_dip.py --cpu-budget`` measures the same at the notebook's canvas, on a
longer horizon, with the time per step.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest

import vizkit.dip as dip
from vizkit.dip.presets import get_preset

SIZE = 64  # the smallest canvas of the 5-scale networks (2**5 · 2)
TOLERANCE_DB = 0.5
EXTRA = 0.25


@pytest.fixture
def f16(dip_data: Path) -> np.ndarray:
    from PIL import Image
    from skimage.transform import resize

    image = np.asarray(Image.open(dip_data / "denoising" / "F16_GT.png").convert("RGB"))
    small = resize(image / 255.0, (SIZE, SIZE), anti_aliasing=True)
    return np.clip(small, 0.0, 1.0).astype(np.float32)


def _run(task: str, clean: np.ndarray, steps: int) -> dip.FitResult:
    options = {
        "preset": "cpu",
        "steps": steps,
        "device": "cpu",
        "seed": 0,
        "progress": False,
        "snapshot_every": None,
        "cpu_threads": 1,
    }
    if task == "denoise":
        return dip.denoise(dip.add_noise(clean, sigma=25), clean=clean, **options)
    if task == "inpaint":
        return dip.inpaint(clean, dip.text_mask(clean.shape[:2]), clean=clean, **options)
    return dip.super_resolve(dip.downsample(clean, 4), 4, clean=clean, **options)


# denoise (~20 s on 2 cores) always; the other two (~80 s more) with VIZKIT_SLOW=1, to keep the
# unit stage short — bench_dip.py --cpu-budget measures all five fits of notebook 08.
_SLOW = pytest.mark.skipif(
    os.environ.get("VIZKIT_SLOW") != "1", reason="slow (~40 s each): set VIZKIT_SLOW=1"
)


@pytest.mark.parametrize(
    "task",
    ["denoise", pytest.param("inpaint", marks=_SLOW), pytest.param("super_resolve", marks=_SLOW)],
)
def test_cpu_preset_steps_reach_within_half_a_db_of_the_best(task: str, f16: np.ndarray) -> None:
    budget = get_preset(task, "cpu").steps  # type: ignore[arg-type]
    result = _run(task, f16, round(budget * (1 + EXTRA)))
    scored = [(r.step, r.psnr) for r in result.history if r.psnr is not None]
    within_budget = max(p for s, p in scored if s < budget)
    best = max(p for _, p in scored)
    assert within_budget >= best - TOLERANCE_DB, (
        f"{task}: {within_budget:.2f} dB within the preset's {budget} steps, "
        f"{best:.2f} dB by step {len(result.history)}: the fit still climbs when the preset "
        "stops it; raise the preset's steps or speed the schedule up"
    )
    first = next(p for _, p in scored)
    assert best > first + 3.0, f"{task}: the fit barely moved ({first:.2f} → {best:.2f} dB)"
