"""Fixtures for the Deep Image Prior tests.

The nets here are tiny, and on a shared 2-core machine torch's second thread spends more time
waiting than working (measured: 12 ms vs 200+ ms per step at 64×64 under load), so these tests
run torch single-threaded and restore the thread count afterwards.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from tests.support import small_astronaut

DATA = Path(__file__).resolve().parents[3] / "shared" / "data" / "dip"


@pytest.fixture(autouse=True)
def _one_thread(torch_one_thread: None) -> None:
    """Every DIP test runs single-threaded (the root conftest's ``torch_one_thread``)."""


@pytest.fixture
def small_rgb() -> np.ndarray:
    """64×64 astronaut (every 8th pixel), float32 in [0, 1]."""
    return small_astronaut()


@pytest.fixture
def dip_data() -> Path:
    """The DIP reference images (../shared/data/dip); skips when absent (a fresh clone)."""
    if not DATA.is_dir():
        pytest.skip(f"DIP reference images not found at {DATA} (only in the shared workplace)")
    return DATA
