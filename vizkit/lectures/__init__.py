"""Every number the lecture notes state, recomputed with torch.

The five notes vizkit teaches (:data:`NOTES`, cited by author and title) state sizes, parameter
and activation counts, memory, operations and formulas. Each is a :class:`Claim` (plain data:
the note, its section, what the number is, how the note prints it, and a
:class:`Computation` naming a torch recipe); :func:`recompute_claims` runs them all — real
``nn.Conv2d`` / ``nn.MaxPool2d`` layers, ``vizkit.summarize`` of the zoo's paper-faithful models
on the meta device, torchvision's crops, ``torch.optim.SGD``, ``nn.BatchNorm2d`` — and returns a
:class:`ClaimTable` of stated vs computed values. Where they disagree the row explains why (a
typo, a slip in arithmetic, a different convention or model variant):
``recompute_claims().seed_errors()`` is the gallery (``python -m vizkit.lectures --errors``
prints it as a Markdown list).

Example:
    >>> from vizkit.lectures import claims
    >>> c = [c for c in claims("bakhshi") if "105,705,600" in c.stated][0]
    >>> c.section, c.value
    ('3.2.4 Parameter sharing and locally connected layers', 105705600)
"""

from vizkit.lectures.catalog import claims
from vizkit.lectures.claim import ERROR_KINDS, Claim, Computation, compute, matches, shown
from vizkit.lectures.notes import NOTES, Note, note
from vizkit.lectures.recompute import RECIPES, ClaimRow, ClaimTable, recompute_claims

__all__ = [
    "ERROR_KINDS",
    "NOTES",
    "RECIPES",
    "Claim",
    "ClaimRow",
    "ClaimTable",
    "Computation",
    "Note",
    "claims",
    "compute",
    "matches",
    "note",
    "recompute_claims",
    "shown",
]
