"""Shared fixtures for the whole test suite.

Heavy libraries (numpy, torch) are imported inside the fixtures that need them, so a
test module that only checks pure arithmetic does not pay for torch at collection time.

Fixtures:
    rng: a seeded ``numpy.random.Generator`` (seed 0), fresh per test.
    torch_rng: a seeded ``torch.Generator`` (seed 0), fresh per test.
    tiny_cnn: a small random CNN in eval mode, deterministic weights (seed 0):
        Conv2d(1, 4, 3, padding=1) → ReLU → MaxPool2d(2) → Conv2d(4, 8, 3, stride=2)
        → ReLU → AdaptiveAvgPool2d(1) → Flatten → Linear(8, 10). Input (N, 1, 16, 16).
    gradient_image: a (16, 16) float64 numpy ramp with a bright square, values in [0, 1].
    camera_image: ``skimage.data.camera()`` (512×512 uint8) scaled to floats in [0, 1].
    two_threads: torch at 2 CPU threads for the test, the previous count restored after
        (the thread helpers' tests start from a known count).
    torch_one_thread: torch single-threaded for a module, restored afterwards; use with
        ``pytestmark = pytest.mark.usefixtures("torch_one_thread")``. Tests of many tiny ops
        need it: on a loaded 2-core machine torch's second thread mostly waits (a 1×1×9
        conv1d: 18 ms with two threads, 0.01 ms with one; efficientnet_b0 at 48×48: 3.7 s vs
        0.08 s).

Helpers that are not fixtures (a toy dataset, a stop-after-ruin callback) are in
``tests/support.py``.

Hypothesis runs under the profile named by ``HYPOTHESIS_PROFILE`` (default ``"vizkit"``:
no per-example deadline, because a 2-core CI machine running torch gives noisy timings and
timings belong in ``benchmarks/``; ``"thorough"`` raises the example count).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import pytest
from hypothesis import HealthCheck, settings

if TYPE_CHECKING:
    import numpy as np
    import torch

settings.register_profile("vizkit", deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.register_profile(
    "thorough", deadline=None, max_examples=1000, suppress_health_check=[HealthCheck.too_slow]
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "vizkit"))


@pytest.fixture
def two_threads() -> Iterator[None]:
    """torch at 2 CPU threads for the test; the count before it restored after."""
    import torch

    before = torch.get_num_threads()
    torch.set_num_threads(2)
    yield
    torch.set_num_threads(before)


@pytest.fixture
def rng() -> np.random.Generator:
    import numpy as np

    return np.random.default_rng(0)


@pytest.fixture
def torch_rng() -> torch.Generator:
    import torch

    return torch.Generator().manual_seed(0)


@pytest.fixture
def tiny_cnn() -> Any:
    import torch
    from torch import nn

    torch.manual_seed(0)  # deterministic weights; pytest runs tests in one process
    model = nn.Sequential(
        nn.Conv2d(1, 4, kernel_size=3, padding=1),
        nn.ReLU(),
        nn.MaxPool2d(2),
        nn.Conv2d(4, 8, kernel_size=3, stride=2),
        nn.ReLU(),
        nn.AdaptiveAvgPool2d(1),
        nn.Flatten(),
        nn.Linear(8, 10),
    )
    return model.eval()


@pytest.fixture
def gradient_image() -> np.ndarray:
    import numpy as np

    ramp = np.linspace(0.0, 0.5, 16)
    image = np.add.outer(ramp, ramp) / 2  # values in [0, 0.5]
    image[4:8, 9:13] = 1.0  # a bright square: edges for filters to find
    return image


@pytest.fixture
def camera_image() -> np.ndarray:
    from skimage import data

    return data.camera().astype("float64") / 255.0


@pytest.fixture(scope="module")
def torch_one_thread() -> Iterator[None]:
    import torch

    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)
