"""Fixtures for the Deep Image Prior tests.

The nets here are tiny, and on a shared 2-core machine torch's second thread spends more time
waiting than working (measured: 12 ms vs 200+ ms per step at 64×64 under load), so these tests
run torch single-threaded and restore the thread count afterwards.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
import torch

DATA = Path(__file__).resolve().parents[3] / "shared" / "data" / "dip"


@pytest.fixture(autouse=True)
def _one_thread() -> Iterator[None]:
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


@pytest.fixture
def small_rgb() -> np.ndarray:
    """64×64 astronaut (every 8th pixel), float32 in [0, 1]."""
    from skimage import data

    return (data.astronaut()[::8, ::8] / 255.0).astype(np.float32)


@pytest.fixture
def dip_data() -> Path:
    """The DIP reference images (../shared/data/dip); skips when absent (a fresh clone)."""
    if not DATA.is_dir():
        pytest.skip(f"DIP reference images not found at {DATA} (only in the shared workplace)")
    return DATA
