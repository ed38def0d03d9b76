"""torch's CPU thread count for a block of code, put back afterwards — the one place that sets it.

torch runs a CPU op on all cores and its OpenMP threads wait for each other after every op.
For the small models of the notebooks on a busy machine that waiting dominates: one thread
was measured 15× faster than two for the digits CNN on a loaded 2-core machine
(``benchmarks/bench_train.py``). The count is process-wide, so whoever changes it must put it
back — also when the body raises, or a KeyboardInterrupt (Jupyter's ■) arrives.
:class:`torch_threads` does that; :func:`vizkit.train.fit` (``cpu_threads=``), the demos'
``one_thread`` and the Deep Image Prior's ``ThreadTuner`` all go through it.
"""

from __future__ import annotations

from types import TracebackType

import torch

from vizkit._validate import check_instance, check_int, check_optional_int

__all__ = ["MAX_THREADS", "torch_threads"]

MAX_THREADS = 1024
"""The largest thread count accepted (far above any machine here; catches typos like 10_000)."""


class torch_threads:  # lower case, like torch.no_grad: ``with torch_threads(1):``
    """Run a block with ``count`` torch CPU threads; the previous count comes back on exit.

    ``with torch_threads(1): ...`` sets ``torch.set_num_threads(1)`` on entry and restores the
    count it found on exit, also when the body raises. ``count=None`` or a ``device`` that is
    not the CPU leave torch's setting alone (the block runs unchanged). Inside the block
    :meth:`set` changes the count again (a tuner trying one setting after another); the exit
    still restores the count from before the block. Each ``with`` needs its own object.

    Args:
        count: Threads inside the block (1 … 1024), or ``None`` to leave the count alone.
        device: Only a CPU device is affected; ``None`` means the CPU.

    Attributes:
        active: Whether this object changes torch's count at all.
        previous: The count found on entry (``None`` before entry).

    Raises:
        TypeError: ``count`` not an int (or ``None``), ``device`` not a ``torch.device``.
        ValueError: ``count`` outside 1 … 1024.

    Example:
        >>> import torch
        >>> before = torch.get_num_threads()
        >>> with torch_threads(1):
        ...     torch.get_num_threads()
        1
        >>> torch.get_num_threads() == before
        True
    """

    def __init__(self, count: int | None = 1, *, device: torch.device | None = None) -> None:
        self.count = check_optional_int(
            "count", count, minimum=1, maximum=MAX_THREADS, fix="use 1 (small models) or None"
        )
        if device is not None:
            check_instance(
                "device", device, torch.device, "a torch.device or None", "torch.device('cpu')"
            )
        self.active = self.count is not None and (device is None or device.type == "cpu")
        self.previous: int | None = None

    def __enter__(self) -> torch_threads:
        if self.previous is not None:
            raise RuntimeError("this torch_threads block is already in use: create a new one")
        self.previous = torch.get_num_threads()
        if self.active and self.count is not None:
            self.set(self.count)
        return self

    def set(self, count: int) -> None:
        """Use ``count`` threads from now on, inside the block (no-op when not :attr:`active`)."""
        if not self.active:
            return
        count = check_int("count", count, minimum=1, maximum=MAX_THREADS)
        if torch.get_num_threads() != count:  # setting it is not free: OpenMP re-initialises
            torch.set_num_threads(count)

    def restore(self) -> None:
        """Put back the count found on entry (what ``__exit__`` does); safe to call twice."""
        if self.previous is not None:
            if self.active and torch.get_num_threads() != self.previous:
                torch.set_num_threads(self.previous)
            self.previous = None

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.restore()
