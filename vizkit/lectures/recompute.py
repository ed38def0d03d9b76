"""Recompute every claim with torch: a :class:`ClaimTable` of stated vs computed values.

:func:`recompute_claims` runs each claim's recipe (real torch layers; zoo models on the meta
device, each built and summarised once) and compares with :func:`~vizkit.lectures.claim.matches`.
Rows that disagree carry the claim's explanation; :meth:`ClaimTable.seed_errors` is the gallery
of them.
"""

from __future__ import annotations

import html
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

from vizkit.lectures.catalog import claims as all_claims
from vizkit.lectures.claim import Claim, Value, matches, shown
from vizkit.lectures.formulas import FORMULA_RECIPES
from vizkit.lectures.models import MODEL_RECIPES, Bench
from vizkit.lectures.notes import NOTES, note
from vizkit.lectures.sizes import RECIPES as SIZE_RECIPES
from vizkit.lectures.sizes import Measured

__all__ = ["RECIPES", "ClaimRow", "ClaimTable", "recompute_claims"]

RECIPES: dict[str, Callable[..., Measured]] = {**SIZE_RECIPES, **FORMULA_RECIPES}
"""Recipes that need no model (keyword arguments only); the model recipes take a bench first."""


@dataclass(frozen=True)
class ClaimRow:
    """A claim and what torch computed for it.

    Attributes:
        claim: the :class:`~vizkit.lectures.claim.Claim`.
        computed: the recomputed value (same kind as ``claim.value``).
        shown: ``computed`` written as the note writes the claim ("379.0K", "55×55×96").
        how: how torch computed it, one line.
        agrees: whether ``computed`` matches the stated value (exactly, or within the printed
            rounding).
    """

    claim: Claim
    computed: Value
    shown: str
    how: str
    agrees: bool

    @property
    def citation(self) -> str:
        """The note, by author and title."""
        return NOTES[self.claim.note].citation

    @property
    def explanation(self) -> str:
        """Why it disagrees ("" when it agrees)."""
        if self.agrees:
            return ""
        return self.claim.explanation or "no explanation recorded yet"

    @property
    def consistent(self) -> bool:
        """The recorded explanation fits the result: present exactly when the row disagrees."""
        return self.agrees != bool(self.claim.explanation)


@dataclass(frozen=True)
class ClaimTable:
    """Recomputed claims, in the notes' order.

    Attributes:
        rows: one :class:`ClaimRow` per claim.
    """

    rows: tuple[ClaimRow, ...]

    def __len__(self) -> int:
        return len(self.rows)

    def __iter__(self) -> Iterator[ClaimRow]:
        return iter(self.rows)

    def note(self, key: str) -> ClaimTable:
        """The rows of one note (``"straka_npfl138"``, ``"bakhshi"`` …).

        Raises:
            KeyError: unknown note key (the message suggests the closest).
        """
        key = note(key).key
        return ClaimTable(tuple(r for r in self.rows if r.claim.note == key))

    def seed_errors(self) -> ClaimTable:
        """The gallery: every row whose computed value disagrees with the note."""
        return ClaimTable(tuple(r for r in self.rows if not r.agrees))

    def row(self, claim_id: str) -> ClaimRow:
        """The row of the claim with this id.

        Raises:
            KeyError: no such claim id.
        """
        for r in self.rows:
            if r.claim.id == claim_id:
                return r
        raise KeyError(f"no claim with id {claim_id!r} in this table")

    def counts(self) -> dict[str, dict[str, int]]:
        """Per note (by citation): claims, how many agree, how many disagree."""
        out: dict[str, dict[str, int]] = {}
        for r in self.rows:
            c = out.setdefault(r.citation, {"claims": 0, "agree": 0, "disagree": 0})
            c["claims"] += 1
            c["agree" if r.agrees else "disagree"] += 1
        return out

    def records(self) -> list[dict[str, object]]:
        """Every row as a plain dict (for pandas, or to print)."""
        return [
            {
                "note": r.citation,
                "section": r.claim.section,
                "claim": r.claim.what,
                "stated": r.claim.stated,
                "computed": r.shown,
                "agrees": r.agrees,
                "kind": r.claim.error_kind if not r.agrees else "",
                "explanation": r.explanation,
                "remark": r.claim.remark,
                "how": r.how,
                "id": r.claim.id,
            }
            for r in self.rows
        ]

    def _repr_html_(self) -> str:
        head = "".join(
            f"<th>{h}</th>"
            for h in ("note", "section", "claim", "stated", "computed", "agrees", "explanation")
        )
        body = []
        for r in self.rows:
            mark = "✓" if r.agrees else "✗"
            style = "" if r.agrees else " style='background:#fde2e1'"
            kind = f"<b>{r.claim.error_kind}</b>: " if not r.agrees and r.claim.error_kind else ""
            cells = (r.citation, r.claim.section, r.claim.what, r.claim.stated, r.shown, mark)
            tds = "".join(f"<td>{html.escape(str(c))}</td>" for c in cells)
            body.append(f"<tr{style}>{tds}<td>{kind}{html.escape(r.explanation)}</td></tr>")
        return (
            f"<table class='vizkit-claims'><tr>{head}</tr>{''.join(body)}</table>"
            f"<p>{len(self.rows)} claims, {len(self.seed_errors())} disagree.</p>"
        )


def _measure(claim: Claim, bench: Bench) -> Measured:
    recipe = claim.computation.recipe
    try:
        if recipe in MODEL_RECIPES:
            return MODEL_RECIPES[recipe](bench, **claim.computation.kwargs)
        return RECIPES[recipe](**claim.computation.kwargs)
    except KeyError as err:
        if recipe not in MODEL_RECIPES and recipe not in RECIPES:
            raise KeyError(f"claim {claim.id}: unknown recipe {recipe!r}") from err
        raise


def recompute_claims(
    note_key: str | None = None, *, claims: Iterable[Claim] | None = None
) -> ClaimTable:
    """Recompute the claims of one note (or all five) with torch.

    Args:
        note_key: ``"straka_npfl138"``, ``"straka_npfl114"``, ``"raschka_stat479"``,
            ``"bakhshi"``, ``"sarkar_cs60010"``, or None for every note.
        claims: recompute these claims instead (e.g. a filtered list); ``note_key`` then
            filters them.

    Returns:
        A :class:`ClaimTable`; ``.seed_errors()`` is the gallery of disagreements.

    Raises:
        KeyError: unknown note key.
    """
    chosen = tuple(claims) if claims is not None else all_claims(note_key)
    if claims is not None and note_key is not None:
        key = note(note_key).key
        chosen = tuple(c for c in chosen if c.note == key)
    bench = Bench()
    rows = []
    for claim in chosen:
        measured = _measure(claim, bench)
        rows.append(
            ClaimRow(
                claim,
                measured.value,
                shown(claim, measured.value),
                measured.how,
                matches(claim, measured.value),
            )
        )
    return ClaimTable(tuple(rows))
