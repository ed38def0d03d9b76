"""Downloads that fail fast and fall back: one policy for weights, datasets and models.

Pretrained weights (torchvision's Weights API) and datasets (MNIST, CIFAR-10) are fetched by
the libraries' own code, so a machine with network or a filled cache gets the real thing.
Offline, that code must fail *fast* and the caller continue with its offline stand-in, saying
so in one line. :func:`fetch` runs the loading code under :func:`download_timeout` and turns
the errors a failed download raises into a :class:`Unavailable` reason instead of a traceback.

Why a process-wide timeout: torch.hub and torchvision open URLs without a timeout of their own,
so the only way to bound a stalled connection is ``socket.setdefaulttimeout``. It is set only
for the duration of the download, under a lock, and always restored (also when the body
raises).
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TypeVar
from urllib.error import URLError

__all__ = ["DOWNLOAD_TIMEOUT_S", "FETCH_ERRORS", "Unavailable", "download_timeout", "fetch"]

DOWNLOAD_TIMEOUT_S = 15.0
"""Seconds a stalled connection may wait before the download counts as failed."""

FETCH_ERRORS: tuple[type[BaseException], ...] = (
    URLError,
    OSError,
    RuntimeError,  # torch.hub's hash mismatch, torchvision's "Dataset not found"
    ConnectionError,
    TimeoutError,
)
"""What a failed download raises (no network, a stalled server, a corrupt file)."""

_LOCK = threading.Lock()
T = TypeVar("T")


@contextmanager
def download_timeout(seconds: float = DOWNLOAD_TIMEOUT_S) -> Iterator[None]:
    """Bound every socket opened in the body by ``seconds``; the old default is restored."""
    with _LOCK:
        previous = socket.getdefaulttimeout()
        socket.setdefaulttimeout(seconds)
        try:
            yield
        finally:
            socket.setdefaulttimeout(previous)


@dataclass(frozen=True)
class Unavailable:
    """Why a download failed, in one line (``"URLError: <urlopen error ...>"``)."""

    reason: str

    @classmethod
    def from_error(cls, err: BaseException, limit: int = 120) -> Unavailable:
        first = (str(err).splitlines() or [""])[0][:limit]
        return cls(f"{type(err).__name__}: {first}" if first else type(err).__name__)

    def __str__(self) -> str:
        return self.reason


def fetch(load: Callable[[], T], *, timeout: float = DOWNLOAD_TIMEOUT_S) -> T | Unavailable:
    """Run ``load()`` (which may download) under :func:`download_timeout`.

    Args:
        load: the library's real loading code, e.g. ``lambda: enum.get_state_dict()``.
        timeout: seconds a stalled connection may wait.

    Returns:
        What ``load`` returned, or an :class:`Unavailable` with the reason when it raised one
        of :data:`FETCH_ERRORS`. Other exceptions (a programming error) propagate.
    """
    try:
        with download_timeout(timeout):
            return load()
    except FETCH_ERRORS as err:
        return Unavailable.from_error(err)
