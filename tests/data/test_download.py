"""The one download policy: a bounded socket timeout, always restored, and a one-line reason."""

from __future__ import annotations

import socket
from urllib.error import URLError

import pytest

from vizkit.data.download import DOWNLOAD_TIMEOUT_S, Unavailable, download_timeout, fetch


def test_fetch_returns_the_value_and_bounds_sockets_meanwhile() -> None:
    before = socket.getdefaulttimeout()
    assert fetch(socket.getdefaulttimeout) == DOWNLOAD_TIMEOUT_S
    assert socket.getdefaulttimeout() == before


def test_a_failed_download_becomes_a_reason_and_the_timeout_is_restored() -> None:
    before = socket.getdefaulttimeout()

    def offline() -> None:
        raise URLError("[Errno -3] Temporary failure in name resolution")

    result = fetch(offline)
    assert isinstance(result, Unavailable)
    assert str(result) == (
        "URLError: <urlopen error [Errno -3] Temporary failure in name resolution>"
    )
    assert socket.getdefaulttimeout() == before


def test_programming_errors_are_not_swallowed() -> None:
    before = socket.getdefaulttimeout()
    with pytest.raises(KeyError):
        fetch(lambda: {}["missing"])
    assert socket.getdefaulttimeout() == before


def test_download_timeout_restores_after_an_exception() -> None:
    socket.setdefaulttimeout(3.5)
    try:
        with pytest.raises(TimeoutError), download_timeout(0.25):
            assert socket.getdefaulttimeout() == 0.25
            raise TimeoutError("stalled")
        assert socket.getdefaulttimeout() == 3.5
    finally:
        socket.setdefaulttimeout(None)


def test_reason_is_one_line() -> None:
    reason = Unavailable.from_error(RuntimeError("first line\nsecond line"))
    assert reason.reason == "RuntimeError: first line"
    assert Unavailable.from_error(TimeoutError()).reason == "TimeoutError"
