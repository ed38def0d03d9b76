"""Fixtures for the exercise tests: torch single-threaded and without oneDNN while they run.

The tests run thousands of tiny torch ops (200 seeds per topic); on a loaded 2-core machine a
second thread and oneDNN's per-shape kernel setup make each op 10-30× slower. Both settings are
restored afterwards.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest


@pytest.fixture(autouse=True, scope="package")
def _small_torch() -> Iterator[None]:
    import torch

    threads, onednn = torch.get_num_threads(), torch.backends.mkldnn.enabled
    torch.set_num_threads(1)
    torch.backends.mkldnn.enabled = False
    try:
        yield
    finally:
        torch.set_num_threads(threads)
        torch.backends.mkldnn.enabled = onednn
