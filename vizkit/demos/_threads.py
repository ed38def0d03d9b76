"""One torch CPU thread for the demos' tiny models (a decorator and context manager)."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

import torch

__all__ = ["one_thread"]


@contextlib.contextmanager
def one_thread() -> Iterator[None]:
    """Run the body with one torch CPU thread, restoring the previous count afterwards.

    The demos' CNNs are tiny: on a busy 2-core machine a second OpenMP thread mostly waits
    (``vizkit.train.fit``'s ``cpu_threads`` documents 15× slower steps with two threads).
    Usable as a decorator: ``@one_thread()``.
    """
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        yield
    finally:
        torch.set_num_threads(before)
