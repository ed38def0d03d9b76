"""Tests for vizkit.quick (quick mode switch)."""

from __future__ import annotations

import pytest

from vizkit.quick import ENV_VAR, is_quick, quick_or_full


@pytest.mark.parametrize("value", ["1", "true", "TRUE", "yes", "Yes", " on ", "on"])
def test_on_values(monkeypatch: pytest.MonkeyPatch, value: str) -> None:
    monkeypatch.setenv(ENV_VAR, value)
    assert is_quick() is True
    assert quick_or_full("small", "big") == "small"


@pytest.mark.parametrize("value", ["", "0", "false", "no", "off", "2", "quick"])
def test_off_values(monkeypatch: pytest.MonkeyPatch, value: str) -> None:
    monkeypatch.setenv(ENV_VAR, value)
    assert is_quick() is False
    assert quick_or_full("small", "big") == "big"


def test_unset_is_full(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(ENV_VAR, raising=False)
    assert is_quick() is False
    assert quick_or_full(20, 3000) == 3000


def test_read_on_every_call(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(ENV_VAR, "1")
    assert is_quick()
    monkeypatch.setenv(ENV_VAR, "0")
    assert not is_quick()


def test_value_returned_as_is(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(ENV_VAR, "1")
    sizes = [1, 2]
    assert quick_or_full(sizes, [3]) is sizes
