"""A claim: one number (or size, or formula) a lecture note states, and how to recompute it.

Claims are plain data (standard library only): what the note prints, what that means as a
number, and a :class:`Computation` that names a recipe of :mod:`vizkit.lectures.recompute`
(which runs it with real torch layers and models). Agreement is decided by :func:`matches`:

* sizes (tuples), counts of kinds and formula checks (``bool``) must be equal;
* a number printed with a precision (``"159K"``, ``"3.8 × 10⁹"``, ``"≈ 1.28 M"``) agrees when the
  computed value, in the printed unit, **rounds or truncates** to the printed digits (``step``:
  the value of the last printed digit); a number printed exactly (``"34,944"``) must be exact.

Example:
    >>> c = Claim("bakhshi", "3.2.4 Spatial arrangement", "output size", "4.5", 4.5,
    ...           compute("conv_size", input_size=10, kernel_size=3, stride=2))
    >>> matches(c, 4.5), matches(c, 4)
    (True, False)
    >>> k = Claim("sarkar_cs60010", "AlexNet shape walk", "conv1 parameters", "35K", 35,
    ...           compute("conv_weights", in_channels=3, kernel_size=11, out_channels=96),
    ...           unit=1000, step=1)
    >>> matches(k, 34_848), shown(k, 34_848)
    (True, '34.8K')
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from typing import Literal

__all__ = [
    "ERROR_KINDS",
    "Claim",
    "Computation",
    "ErrorKind",
    "Value",
    "compute",
    "matches",
    "shown",
    "slug",
]

Value = int | float | bool | tuple[int, ...] | tuple[float, ...]
"""What a claim states, and what a recipe computes: a number, a shape, or True/False."""

ErrorKind = Literal[
    "", "typo", "arithmetic", "rounding", "convention", "variant", "inconsistent", "terminology"
]
ERROR_KINDS: dict[str, str] = {
    "typo": "a typo or garbled text in the note (or the paper it quotes)",
    "arithmetic": "a slip in arithmetic",
    "rounding": "an approximation coarser than the printed digits",
    "convention": "a different convention (library default, unit, what is counted)",
    "variant": "a different variant of the model than the one the number belongs to",
    "inconsistent": "the source's number disagrees with its own layer specification",
    "terminology": "a word used for something other than what it means in torch",
}
"""Kinds of disagreement a seed-error explanation names, with what each means."""


@dataclass(frozen=True)
class Computation:
    """A recipe name and its arguments: how to recompute a claim with torch.

    Attributes:
        recipe: a key of :data:`vizkit.lectures.recompute.RECIPES` (``"conv_size"``).
        params: the recipe's keyword arguments as sorted ``(name, value)`` pairs (hashable).
    """

    recipe: str
    params: tuple[tuple[str, object], ...] = ()

    @property
    def kwargs(self) -> dict[str, object]:
        """``params`` as a dict, to call the recipe with."""
        return dict(self.params)


def compute(recipe: str, **params: object) -> Computation:
    """``Computation(recipe, sorted(params.items()))``; values must be hashable (tuples)."""
    for name, value in params.items():
        try:
            hash(value)
        except TypeError as err:
            raise TypeError(
                f"parameter {name}={value!r} of recipe {recipe!r} is not hashable: "
                "pass tuples instead of lists or dicts"
            ) from err
    return Computation(recipe, tuple(sorted(params.items())))


@dataclass(frozen=True)
class Claim:
    """One number, size or formula a lecture note states.

    Attributes:
        note: key of the note (:data:`vizkit.lectures.notes.NOTES`).
        section: the note's section (one of ``NOTES[note].sections``).
        what: what the number is, in a few words ("inception (4c) parameters").
        stated: the claim as the note prints it ("463K", "55×55×96").
        value: what ``stated`` means: a number in ``unit``, a shape as the note orders it
            (height, width, channels), or True for a formula the note states.
        computation: how to recompute it (a recipe of :mod:`vizkit.lectures.recompute`).
        unit: the printed unit in base units (1024 for the GoogLeNet table's "K").
        step: value of the last printed digit, in ``unit`` (0: the number is exact).
        unit_label: suffix when a computed value is shown in ``unit`` ("K", "M", " MB").
        remark: a convention worth knowing, shown on every row (what is counted, which model).
        explanation: why the computed value differs (empty when it agrees).
        error_kind: the kind of difference (a key of :data:`ERROR_KINDS`).
        separator: joins the entries of a tuple value when shown ("×" for a volume, ", " for a
            list of numbers).
    """

    note: str
    section: str
    what: str
    stated: str
    value: Value
    computation: Computation
    unit: float = 1.0
    step: float = 0.0
    unit_label: str = ""
    remark: str = ""
    explanation: str = ""
    error_kind: ErrorKind = ""
    separator: str = "×"
    id: str = field(default="", compare=False)

    def __post_init__(self) -> None:
        if self.unit <= 0 or self.step < 0:
            raise ValueError(
                f"claim {self.what!r}: unit {self.unit} must be > 0 and step {self.step} >= 0"
            )
        if bool(self.explanation) != bool(self.error_kind):
            raise ValueError(
                f"claim {self.what!r}: give an explanation and an error_kind together "
                f"(got explanation={self.explanation!r}, error_kind={self.error_kind!r})"
            )
        if self.error_kind and self.error_kind not in ERROR_KINDS:
            raise ValueError(f"error_kind {self.error_kind!r} is not one of {sorted(ERROR_KINDS)}")
        if not self.unit_label and self.unit in _UNIT_LABELS:
            object.__setattr__(self, "unit_label", _UNIT_LABELS[self.unit])
        if not self.id:
            object.__setattr__(self, "id", f"{self.note}/{slug(self.section)}/{slug(self.what)}")


_UNIT_LABELS = {1e3: "K", 1024.0: "K", 1e6: "M", 1e9: "G"}


def slug(text: str) -> str:
    """Lower-case words joined by ``-``: ``"Inception (4c) params"`` → ``"inception-4c-params"``.

    >>> slug("3.2.4 Spatial arrangement: W=10, F=3")
    '3-2-4-spatial-arrangement-w-10-f-3'
    """
    return "-".join(re.findall(r"[0-9a-z]+", text.lower().replace("×", "x")))


def matches(claim: Claim, computed: Value) -> bool:
    """Whether ``computed`` agrees with what ``claim`` states (rule in the module docstring)."""
    stated = claim.value
    if isinstance(stated, bool) or isinstance(computed, bool):
        return isinstance(stated, bool) and isinstance(computed, bool) and stated is computed
    if isinstance(stated, tuple) or isinstance(computed, tuple):
        return (
            isinstance(stated, tuple)
            and isinstance(computed, tuple)
            and len(stated) == len(computed)
            and all(math.isclose(a, b) for a, b in zip(stated, computed, strict=True))
        )
    x = float(computed) / claim.unit
    if claim.step == 0:
        return math.isclose(x, stated, rel_tol=1e-9, abs_tol=1e-12)
    q = x / claim.step
    nudge = math.copysign(1e-9, q)  # 0.92 / 0.01 = 91.99999…: truncate what is meant
    candidates = {round(q), math.trunc(q + nudge)}
    return any(math.isclose(c * claim.step, stated, abs_tol=claim.step * 1e-6) for c in candidates)


def shown(claim: Claim, computed: Value) -> str:
    """``computed`` written the way the note writes ``claim`` (same unit, one more digit)."""
    if isinstance(computed, bool):
        return "yes" if computed else "no"
    if isinstance(computed, tuple):
        return claim.separator.join(_number(v).replace(",", "") for v in computed)
    x = float(computed) / claim.unit
    if claim.step == 0:
        return _number(x) + claim.unit_label
    decimals = max(0, -math.floor(math.log10(claim.step)) + 1)
    return f"{x:,.{decimals}f}{claim.unit_label}"


def _number(x: float) -> str:
    if float(x).is_integer():
        return f"{int(x):,}"
    return f"{x:.6g}"
