"""What the generators share: a side-effect-free torch context, mistake lists, text pieces."""

from __future__ import annotations

import contextlib
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from vizkit.exercises.answers import AnswerForm, format_int
from vizkit.exercises.exercise import Mistake

__all__ = [
    "arguments",
    "code_grid",
    "dims_text",
    "keep_distinct",
    "number_text",
    "off_by_one",
    "quiet_torch",
    "signed_text",
]


@contextlib.contextmanager
def quiet_torch() -> Iterator[None]:
    """``torch.no_grad()``, the global RNG restored on exit, one thread and no oneDNN inside.

    Building a layer initialises its weights from torch's global generator; forking it keeps
    a learner's own seeded experiments unaffected by drawing an exercise. The exercises' tensors
    are tiny: a single thread without oneDNN runs them 10-30× faster than oneDNN's per-shape
    kernel setup and a thread pool (measured on a shared 2-core machine). Thread count and the
    oneDNN switch are restored on exit, also when the body raises.
    """
    import torch

    from vizkit.device.threads import torch_threads

    onednn = torch.backends.mkldnn.enabled
    try:
        torch.backends.mkldnn.enabled = False
        with torch_threads(1), torch.random.fork_rng(devices=[]), torch.no_grad():
            yield
    finally:
        torch.backends.mkldnn.enabled = onednn


def keep_distinct(
    mistakes: Iterable[Mistake | None], answer: Any, form: AnswerForm
) -> tuple[Mistake, ...]:
    """Drop mistakes that give the right answer, and repeats of one key with one value.

    Two different mistakes may give the same wrong value; both stay, and the feedback names
    both (the first one listed is the main diagnosis).

    Args:
        mistakes: Candidates, most likely first (``None`` entries are skipped).
        answer: The right answer.
        form: The exercise's answer form (its tolerance decides what counts as equal).

    Returns:
        The mistakes a learner's wrong answer is compared with.
    """
    kept: list[Mistake] = []
    for mistake in mistakes:
        if mistake is None:
            continue
        parsed = form.parse(mistake.value)
        if form.matches(parsed, answer) or any(
            m.key == mistake.key and form.matches(parsed, m.value) for m in kept
        ):
            continue
        kept.append(mistake)
    return tuple(kept)


def _shift(value: Any, delta: int) -> Any:
    if isinstance(value, tuple):
        return tuple(v + delta for v in value)
    return value + delta


def off_by_one(answer: Any, form: AnswerForm, fix: str) -> list[Mistake]:
    """The two off-by-one answers (one less, one more) of an int or a tuple of ints.

    Args:
        answer: The right answer.
        form: The exercise's answer form (to show the wrong value).
        fix: How to count right.
    """
    return [
        Mistake(
            "off_by_one",
            _shift(answer, delta),
            "are off by one",
            form.show(_shift(answer, delta)),
            fix,
        )
        for delta in (-1, 1)
    ]


def arguments(*positional: object, **keywords: tuple[object, object]) -> str:
    """Call arguments as in source: positional values, then keywords that differ from default.

    >>> arguments(1, 1, kernel_size=(3, None), stride=(1, 1), padding=(2, 0))
    '1, 1, kernel_size=3, padding=2'
    """
    parts = [repr(v) for v in positional]
    parts += [
        f"{name}={value!r}" for name, (value, default) in keywords.items() if value != default
    ]
    return ", ".join(parts)


def dims_text(values: Sequence[int]) -> str:
    """``16 × 8``; ``16 × 16`` for a square.

    >>> dims_text((64, 27, 27))
    '64 × 27 × 27'
    """
    return " × ".join(str(v) for v in values)


def code_grid(rows: Sequence[Sequence[float]], decimals: int = 2) -> str:
    """A grid of numbers as a fenced code block, columns right-aligned.

    >>> print(code_grid([[1, -2], [10, 3]]))
    ```
     1  -2
    10   3
    ```
    """

    def show(v: float) -> str:
        return str(int(v)) if float(v).is_integer() else f"{v:.{decimals}f}"

    cells = [[show(v) for v in row] for row in rows]
    width = max(len(c) for row in cells for c in row)
    lines = ["  ".join(c.rjust(width) for c in row) for row in cells]
    return "```\n" + "\n".join(lines) + "\n```"


def count(value: int) -> str:
    """An int with thousands separators (re-exported for the generators)."""
    return format_int(value)


def number_text(v: float) -> str:
    """Up to four decimals, no trailing zeros, and never ``-0``.

    >>> number_text(2.68328), number_text(-0.00001), number_text(7.5)
    ('2.6833', '0', '7.5')
    """
    text = f"{v:.4f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def signed_text(v: float) -> str:
    """A number for a formula: in brackets when negative.

    >>> signed_text(-2), signed_text(1.5)
    ('(-2)', '1.5')
    """
    text = str(int(v)) if float(v).is_integer() else f"{v:g}"
    return f"({text})" if v < 0 else text
