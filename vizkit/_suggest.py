"""One wording for "unknown name, did you mean …" across the package (standard library only).

Every lookup by name — a layer of ``model.named_modules()``, a zoo model, a picker choice, an
exercise topic — refuses an unknown name with the same sentence shape: what was asked for,
the closest known names, and where the valid names come from.

Example:
    >>> did_you_mean("feature.0", ["features.0", "features.1", "classifier"], what="layer")
    "no layer named 'feature.0': did you mean 'features.0' or 'features.1'?"
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable

__all__ = ["did_you_mean", "suggestion"]


def did_you_mean(
    name: object, choices: Iterable[str], *, what: str, where: str | None = None, shown: int = 12
) -> str:
    """Text for an unknown ``name``: the closest known choices, else the first few.

    Args:
        name: what the user asked for (any object; shown with ``repr``).
        choices: the valid names.
        what: the kind of name (``"layer"``, ``"model"``, ``"topic"``).
        where: optional pointer to the list of valid names, appended in brackets.
        shown: how many names to list when none is close.

    Returns:
        ``"no {what} named {name!r}: did you mean 'a' or 'b'?"`` (plus `` ({where})``).
    """
    hint = suggestion(name, choices, what=what, shown=shown)
    return f"no {what} named {name!r}: {hint}" + (f" ({where})" if where else "")


def suggestion(name: object, choices: Iterable[str], *, what: str, shown: int = 12) -> str:
    """``"did you mean 'a' or 'b'?"``, or the first ``shown`` choices when none is close."""
    names = [c for c in choices if c]
    close = difflib.get_close_matches(str(name), names, n=3, cutoff=0.5)
    if close:
        return "did you mean " + " or ".join(repr(c) for c in close) + "?"
    if names:
        more = "" if len(names) <= shown else f" (+{len(names) - shown} more)"
        return f"the {what}s are " + ", ".join(repr(c) for c in names[:shown]) + more
    return f"there are no {what}s to choose from"
