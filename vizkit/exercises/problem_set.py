"""A set of exercises for a lecture or a problem sheet, exported as Markdown or HTML.

>>> from vizkit import exercises
>>> sheet = exercises.problem_set(["conv_params", "pool_output_size"], count=3, seed=0)
>>> [ex.key for ex in sheet]
['conv_params#0', 'pool_output_size#0', 'conv_params#1000']
>>> "## Solutions" in sheet.to_markdown(solutions=True)
True
"""

from __future__ import annotations

import html
import os
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import overload

from vizkit.exercises.catalogue import make, topic_info, topics
from vizkit.exercises.exercise import Exercise
from vizkit.exercises.markup import markdown_to_html

__all__ = ["REPEAT_STRIDE", "ProblemSet", "problem_set"]

#: Seed offset between repeats of one topic in a set: its k-th copy uses ``seed + k·1000``,
#: far from ``seed + 1``, the "new numbers" of the first.
REPEAT_STRIDE = 1000

_STYLE = """
body { font-family: system-ui, sans-serif; max-width: 52em; margin: 2em auto; line-height: 1.5;
       padding: 0 1em; color: #1a1a1a; }
section.vizkit-exercise { border-top: 1px solid #ccc; padding-top: .5em; margin-top: 1.5em; }
pre { background: #f5f5f5; padding: .6em; overflow-x: auto; }
code { font-family: ui-monospace, monospace; font-size: .95em; }
.vizkit-solution { background: #f0f7f0; padding: .3em .8em; border-left: 4px solid #2e7d32; }
"""


class ProblemSet(Sequence[Exercise]):
    """An ordered set of exercises with Markdown / HTML export.

    Args:
        exercises: The exercises, in order.
        title: Heading of the sheet.

    Raises:
        TypeError: An element is not an :class:`~vizkit.exercises.Exercise`.
    """

    def __init__(self, exercises: Sequence[Exercise], *, title: str = "Check yourself") -> None:
        for index, exercise in enumerate(exercises):
            if not isinstance(exercise, Exercise):
                raise TypeError(
                    f"exercises[{index}] is {type(exercise).__name__}, not an "
                    "Exercise: build them with vizkit.exercises.make(topic, seed)"
                )
        self._exercises = tuple(exercises)
        self.title = title

    @overload
    def __getitem__(self, index: int) -> Exercise: ...
    @overload
    def __getitem__(self, index: slice) -> Sequence[Exercise]: ...
    def __getitem__(self, index: int | slice) -> Exercise | Sequence[Exercise]:
        return self._exercises[index]

    def __len__(self) -> int:
        return len(self._exercises)

    def __iter__(self) -> Iterator[Exercise]:
        return iter(self._exercises)

    def __repr__(self) -> str:
        return f"<ProblemSet {self.title!r}: {', '.join(ex.key for ex in self)}>"

    def to_markdown(self, *, solutions: bool = False) -> str:
        """The sheet as Markdown: numbered questions, then (optionally) the solutions.

        Args:
            solutions: Append a "Solutions" section with each worked solution and its line of
                PyTorch.
        """
        parts = [f"# {self.title}"]
        for number, exercise in enumerate(self, start=1):
            parts.append(
                f"## {number}. {exercise.title}\n\n{exercise.question}\n\n"
                f"*Answer as {exercise.expected_form}.*"
            )
        if solutions:
            parts.append("## Solutions")
            parts += [
                f"### {number}. {exercise.title}\n\n{exercise.solution_text()}"
                for number, exercise in enumerate(self, start=1)
            ]
        return "\n\n".join(parts) + "\n"

    def to_html(self, *, solutions: bool = False, standalone: bool = True) -> str:
        """The sheet as HTML (no JavaScript): a whole page, or a fragment for embedding.

        Args:
            solutions: Add the worked solutions after the questions.
            standalone: A complete ``<html>`` page with a small stylesheet; ``False`` gives a
                ``<div class="vizkit-problem-set">`` fragment.
        """
        body = [f"<h1>{html.escape(self.title)}</h1>"]
        for number, exercise in enumerate(self, start=1):
            body.append(
                f'<section class="vizkit-exercise" id="exercise-{number}">'
                f"<h2>{number}. {html.escape(exercise.title)}</h2>"
                f"{markdown_to_html(exercise.question)}"
                f"<p><em>Answer as {html.escape(exercise.expected_form)}.</em></p></section>"
            )
        if solutions:
            body.append("<h2>Solutions</h2>")
            body += [
                f'<section class="vizkit-solution" id="solution-{number}"><h3>{number}. '
                f"{html.escape(exercise.title)}</h3>{markdown_to_html(exercise.solution_text())}"
                "</section>"
                for number, exercise in enumerate(self, start=1)
            ]
        fragment = '<div class="vizkit-problem-set">' + "\n".join(body) + "</div>"
        if not standalone:
            return fragment
        return (
            f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
            f"<title>{html.escape(self.title)}</title><style>{_STYLE}</style></head>"
            f"<body>\n{fragment}\n</body></html>\n"
        )

    def save(self, path: str | os.PathLike[str], *, solutions: bool = False) -> Path:
        """Write the sheet to ``.md`` or ``.html``, chosen by the file's suffix.

        Args:
            path: Target file; ``.md``/``.markdown`` or ``.html``/``.htm``.
            solutions: Include the worked solutions.

        Returns:
            The path written.

        Raises:
            ValueError: Another suffix.
        """
        target = Path(path)
        suffix = target.suffix.lower()
        if suffix in (".md", ".markdown"):
            text = self.to_markdown(solutions=solutions)
        elif suffix in (".html", ".htm"):
            text = self.to_html(solutions=solutions)
        else:
            raise ValueError(
                f"cannot tell the format of {str(target)!r}: use a .md or .html file name"
            )
        target.write_text(text, encoding="utf-8")
        return target

    def _repr_markdown_(self) -> str:
        return self.to_markdown()


def problem_set(
    topics: Sequence[str] | str | None = None,
    count: int | None = None,
    seed: int = 0,
    *,
    title: str = "Check yourself",
) -> ProblemSet:
    """Build a set of exercises in one line, e.g. for a lecture's problem sheet.

    Args:
        topics: Topic names (one of :func:`~vizkit.exercises.topics` each), or a single name;
            ``None`` takes every topic.
        count: How many exercises; the topics repeat in order when it exceeds their number
            (the k-th repeat of a topic uses ``seed + k·1000``). Defaults to one per topic.
        seed: Seed of the set; the same arguments always give the same sheet.
        title: Heading for the exports.

    Returns:
        The exercises as a :class:`ProblemSet`.

    Raises:
        TypeError: ``topics`` is not a list of str, or ``count``/``seed`` not an int.
        ValueError: An unknown topic (the closest is suggested), an empty list, ``count < 1``.
    """
    names = _topic_names(topics)
    if count is None:
        count = len(names)
    if isinstance(count, bool) or not isinstance(count, int):
        raise TypeError(f"count must be an int, got {count!r} ({type(count).__name__})")
    if count < 1:
        raise ValueError(f"count must be ≥ 1, got {count}")
    chosen = []
    for index in range(count):
        name = names[index % len(names)]
        chosen.append(make(name, seed=seed + REPEAT_STRIDE * (index // len(names))))
    return ProblemSet(chosen, title=title)


def _topic_names(given: Sequence[str] | str | None) -> list[str]:
    if given is None:
        return topics()
    if isinstance(given, str):
        given = [given]
    if not isinstance(given, Sequence) or not all(isinstance(t, str) for t in given):
        raise TypeError(
            f"topics must be a list of topic names (str), got {given!r}; the "
            f"topics are: {', '.join(topics())}"
        )
    if not given:
        raise ValueError(f"topics is empty: give at least one of {', '.join(topics())}")
    return [topic_info(name).name for name in given]
