"""Every claim of the five notes, in the notes' order (:func:`claims`)."""

from __future__ import annotations

from collections import Counter

from vizkit.lectures.bakhshi import bakhshi
from vizkit.lectures.claim import Claim
from vizkit.lectures.notes import NOTES, note
from vizkit.lectures.raschka import raschka_stat479
from vizkit.lectures.sarkar import sarkar_cs60010
from vizkit.lectures.straka import straka_npfl114, straka_npfl138

__all__ = ["claims"]

_BUILDERS = {
    "straka_npfl138": straka_npfl138,
    "straka_npfl114": straka_npfl114,
    "raschka_stat479": raschka_stat479,
    "bakhshi": bakhshi,
    "sarkar_cs60010": sarkar_cs60010,
}


def claims(note_key: str | None = None) -> tuple[Claim, ...]:
    """The claims of one note (``note_key``, e.g. ``"bakhshi"``), or of all five.

    Every claim names a section of its note and has a unique ``id``.

    Raises:
        KeyError: unknown note key (the message suggests the closest).
        ValueError: two claims share an id, or a claim names a section its note lacks (a
            defect in the catalogue, not in the call).
    """
    keys = list(NOTES) if note_key is None else [note(note_key).key]
    found = tuple(c for key in keys for c in _BUILDERS[key]())
    twice = sorted(k for k, v in Counter(c.id for c in found).items() if v > 1)
    if twice:
        raise ValueError(f"claim ids must be unique; repeated: {twice}")
    for c in found:
        if c.section not in NOTES[c.note].sections:
            raise ValueError(f"claim {c.id}: section {c.section!r} is not one of {c.note}'s")
    return found
