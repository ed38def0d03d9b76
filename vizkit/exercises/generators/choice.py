"""Multiple-choice exercises: options with an explanation each, checked by letter."""

from __future__ import annotations

from dataclasses import dataclass

from vizkit.exercises.answers import ChoiceForm
from vizkit.exercises.exercise import Mistake, Spec

__all__ = ["LETTERS", "Option", "choice_spec"]

LETTERS = "abcdefgh"


@dataclass(frozen=True)
class Option:
    text: str  # Markdown shown in the list
    key: str  # mistake key when wrong, "right" when right
    label: str  # completes "It looks like you …"
    why: str  # the explanation


def choice_spec(
    title: str,
    stem: str,
    options: list[Option],
    hint: str,
    rule: str,
    solution: str,
    torch_line: str,
    torch_result: str,
    params: dict[str, object],
) -> Spec:
    right = next(i for i, o in enumerate(options) if o.key == "right")
    form = ChoiceForm([o.text for o in options])
    listing = "\n".join(f"- **({LETTERS[i]})** {o.text}" for i, o in enumerate(options))
    mistakes = tuple(
        Mistake(o.key, LETTERS[i], o.label, f"({LETTERS[i]})", o.why)
        for i, o in enumerate(options)
        if o.key != "right"
    )
    return Spec(
        title=title,
        question=f"{stem}\n\n{listing}\n\nAnswer with a letter.",
        answer=LETTERS[right],
        form=form,
        hint=hint,
        working=rule,
        working_lead="The rule:",
        working_tail="check each option against it, or press Show solution",
        solution=f"{solution}\n\n"
        + "\n".join(
            f"- ({LETTERS[i]}) {'**right**' if o.key == 'right' else 'wrong'}: {o.why}"
            for i, o in enumerate(options)
        ),
        torch_line=torch_line,
        torch_result=torch_result,
        mistakes=mistakes,
        params={**params, "options": [o.key for o in options]},
        on_correct=options[right].why,
    )
