"""One torch CPU thread for the demos' tiny models (a decorator and context manager).

A thin wrapper of :class:`vizkit.device.torch_threads` (the one place that sets torch's count)
adding the demos' quick-mode switch.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

from vizkit.device.threads import torch_threads
from vizkit.quick import is_quick

__all__ = ["one_thread"]


@contextlib.contextmanager
def one_thread(*, quick_only: bool = False) -> Iterator[None]:
    """Run the body with one torch CPU thread, restoring the previous count afterwards.

    The demos' CNNs are tiny: on a busy 2-core machine a second OpenMP thread mostly waits
    (``vizkit.train.fit``'s ``cpu_threads`` documents 15× slower steps with two threads).
    Usable as a decorator: ``@one_thread()``.

    Args:
        quick_only: limit the threads only in quick mode (``VIZKIT_QUICK=1``, the CI run), and
            leave torch's count alone otherwise: for the full-size models (GoogLeNet, VGG) that
            a learner's many cores do speed up. On a loaded 2-core machine one GoogLeNet
            forward and backward pass took 0.3 s of CPU with one thread and 2.8 s with two.
    """
    with torch_threads(None if quick_only and not is_quick() else 1):
        yield
