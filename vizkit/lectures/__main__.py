"""``python -m vizkit.lectures --errors``: the seed-error gallery as a Markdown list.

One line per claim whose recomputed value disagrees with its note: the note, its section, what
the number is, the note's value, the computed one, the kind of difference and the explanation.
Without ``--errors`` it prints the counts per note.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence

from vizkit.lectures.recompute import ClaimTable, recompute_claims

__all__ = ["errors_markdown", "main"]


def errors_markdown(table: ClaimTable) -> str:
    """The table's seed errors, one Markdown list item each, after a one-line count."""
    errors = table.seed_errors()
    lines = [f"{len(errors)} seed errors among {len(table)} claims of the five notes:", ""]
    for r in errors:
        c = r.claim
        lines.append(
            f"- {r.citation} · {c.section} · {c.what}: note `{c.stated}`, "
            f"computed `{r.shown}` — {c.error_kind}: {r.explanation}"
        )
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    """Recompute every claim; print the gallery (``--errors``) or the counts per note."""
    parser = argparse.ArgumentParser(prog="python -m vizkit.lectures", description=__doc__)
    parser.add_argument("--errors", action="store_true", help="list every seed error")
    args = parser.parse_args(argv)
    table = recompute_claims()
    if args.errors:
        print(errors_markdown(table))
    else:
        for citation, c in table.counts().items():
            print(f"{citation}: {c['claims']} claims, {c['disagree']} disagree")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
