"""``one_thread``: one torch thread inside, the previous count restored; ``quick_only`` obeys
``VIZKIT_QUICK``."""

from __future__ import annotations

import pytest
import torch

from vizkit.demos._threads import one_thread


@pytest.mark.usefixtures("two_threads")
@pytest.mark.parametrize(
    ("quick", "quick_only", "inside"),
    [("0", False, 1), ("1", False, 1), ("1", True, 1), ("0", True, 2), ("", True, 2)],
)
def test_one_thread(
    monkeypatch: pytest.MonkeyPatch, quick: str, quick_only: bool, inside: int
) -> None:
    monkeypatch.setenv("VIZKIT_QUICK", quick)
    with one_thread(quick_only=quick_only):
        assert torch.get_num_threads() == inside

    @one_thread(quick_only=quick_only)
    def count() -> int:
        return torch.get_num_threads()

    assert count() == inside
    assert torch.get_num_threads() == 2


@pytest.mark.usefixtures("two_threads")
def test_one_thread_restores_after_an_error() -> None:
    with pytest.raises(RuntimeError), one_thread():
        raise RuntimeError("boom")
    assert torch.get_num_threads() == 2
