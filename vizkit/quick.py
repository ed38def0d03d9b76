"""Quick mode: one switch that shrinks sizes and steps so every notebook runs in seconds.

Continuous integration executes every notebook with the environment variable
``VIZKIT_QUICK=1``; a learner on a GPU runs the same notebook at full size. Notebooks
and presets ask :func:`is_quick` (or use :func:`quick_or_full`) instead of reading
the environment themselves, so the rule for what counts as "on" lives in one place.

This module is standard library only, so importing it costs nothing.
"""

from __future__ import annotations

import os
from typing import TypeVar

__all__ = ["ENV_VAR", "TRUE_VALUES", "is_quick", "quick_or_full"]

T = TypeVar("T")

ENV_VAR = "VIZKIT_QUICK"
"""Name of the environment variable that switches quick mode on."""

TRUE_VALUES = frozenset({"1", "true", "yes", "on"})
"""Values (compared case-insensitively, surrounding spaces ignored) that mean "on"."""


def is_quick() -> bool:
    """Tell whether quick mode is on.

    Quick mode is on when the environment variable ``VIZKIT_QUICK`` is one of
    ``"1"``, ``"true"``, ``"yes"`` or ``"on"`` (any case, surrounding spaces ignored).
    Anything else, including an unset or empty variable and ``"0"``, means full mode.
    The environment is read on every call, so a notebook can switch modes with
    ``os.environ["VIZKIT_QUICK"] = "1"`` without restarting the kernel.

    Returns:
        ``True`` in quick mode, ``False`` in full mode.

    Example:
        >>> from unittest import mock
        >>> with mock.patch.dict("os.environ", {"VIZKIT_QUICK": "yes"}):
        ...     is_quick()
        True
        >>> with mock.patch.dict("os.environ", {"VIZKIT_QUICK": "0"}):
        ...     is_quick()
        False
    """
    return os.environ.get(ENV_VAR, "").strip().lower() in TRUE_VALUES


def quick_or_full(quick_value: T, full_value: T) -> T:
    """Pick a value by mode: the small one in quick mode, the real one otherwise.

    Args:
        quick_value: Value to use when :func:`is_quick` is true (e.g. 20 steps).
        full_value: Value to use in full mode (e.g. 3000 steps).

    Returns:
        ``quick_value`` in quick mode, else ``full_value``. The value is returned
        as is (not copied).

    Example:
        >>> from unittest import mock
        >>> with mock.patch.dict("os.environ", {"VIZKIT_QUICK": "1"}):
        ...     quick_or_full(20, 3000)
        20
        >>> with mock.patch.dict("os.environ", {"VIZKIT_QUICK": ""}):
        ...     quick_or_full(20, 3000)
        3000
    """
    return quick_value if is_quick() else full_value
