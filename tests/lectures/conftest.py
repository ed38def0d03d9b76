"""One recomputation of every claim, shared by the tests of this folder (it builds every zoo
model once, on the meta device)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from vizkit.lectures import ClaimTable, recompute_claims


@pytest.fixture(scope="session")
def table() -> Iterator[ClaimTable]:
    import torch

    # Hundreds of tiny meta-device ops: a second thread only waits (see tests/conftest.py).
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        yield recompute_claims()
    finally:
        torch.set_num_threads(threads)
