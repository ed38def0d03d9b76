"""Quiz: a set of exercises as a widget, with Check, Hint, Show solution, New numbers and a score.

Plain ``ipywidgets`` (no custom JavaScript), so it runs the same in JupyterLab and in Voilà.
Every control carries a CSS class (``vizkit-quiz``, ``vizkit-quiz-answer``,
``vizkit-quiz-check``, …) that browser tests select by. Progress is saved per student in a
small local JSON file (see :mod:`vizkit.exercises.progress`); a problem — an unreadable
answer, an unwritable progress file — shows as a message in the feedback line, never as a
traceback.
"""

from __future__ import annotations

import functools
import html
import os
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

import ipywidgets as widgets

from vizkit.exercises.catalogue import make
from vizkit.exercises.exercise import CheckResult, Exercise
from vizkit.exercises.markup import markdown_to_html
from vizkit.exercises.problem_set import ProblemSet, problem_set
from vizkit.exercises.progress import Progress

__all__ = ["Quiz", "QuizItem"]

_COLOURS = {"right": "#1b5e20", "wrong": "#b00020", "form": "#8a5a00", "info": "#333333"}
F = TypeVar("F", bound=Callable[..., None])


def _feedback_html(markdown: str, kind: str) -> str:
    return (
        f"<div style='color:{_COLOURS[kind]}'>"
        f"{markdown_to_html(markdown).removeprefix('<p>').removesuffix('</p>')}</div>"
    )


def _guarded(method: F) -> F:
    """Run a button handler; show any error in the item's feedback line instead of raising."""

    @functools.wraps(method)
    def wrapper(self: QuizItem, *args: Any) -> None:
        try:
            method(self, *args)
        except Exception as err:
            self.feedback.value = _feedback_html(
                f"⚠ Something went wrong: {type(err).__name__}: {err}", "form"
            )

    return wrapper  # type: ignore[return-value]


def _button(description: str, css: str, style: str = "") -> widgets.Button:
    button = widgets.Button(
        description=description, button_style=style, layout=widgets.Layout(width="auto")
    )
    button.add_class(css)
    return button


class QuizItem(widgets.VBox):
    """One exercise of a :class:`Quiz`: question, answer box, buttons, feedback, solution.

    Attributes:
        exercise: The current :class:`~vizkit.exercises.Exercise` (replaced by New numbers).
        heading, question, feedback, solution: ``HTML`` widgets.
        answer: The ``Text`` answer box.
        check_button, hint_button, solution_button, new_button: The ``Button`` controls.
    """

    def __init__(self, quiz: Quiz, number: int, exercise: Exercise) -> None:
        self._quiz = quiz
        self.number = number
        self.exercise = exercise
        self.heading = widgets.HTML()
        self.heading.add_class("vizkit-quiz-heading")
        self.question = widgets.HTML(layout=widgets.Layout(width="100%"))
        self.question.add_class("vizkit-quiz-question")
        self.answer = widgets.Text(layout=widgets.Layout(width="320px"))
        self.answer.add_class("vizkit-quiz-answer")
        self.check_button = _button("Check", "vizkit-quiz-check", "primary")
        self.hint_button = _button("Hint", "vizkit-quiz-hint")
        self.solution_button = _button("Show solution", "vizkit-quiz-show-solution")
        self.new_button = _button("New numbers", "vizkit-quiz-new")
        self.feedback = widgets.HTML()
        self.feedback.add_class("vizkit-quiz-feedback")
        self.solution = widgets.HTML()
        self.solution.add_class("vizkit-quiz-solution")
        self.check_button.on_click(self._on_check)
        self.hint_button.on_click(self._on_hint)
        self.solution_button.on_click(self._on_solution)
        self.new_button.on_click(self._on_new)
        controls = widgets.HBox(
            [
                self.answer,
                self.check_button,
                self.hint_button,
                self.solution_button,
                self.new_button,
            ],
            layout=widgets.Layout(flex_flow="row wrap"),
        )
        super().__init__(
            [self.heading, self.question, controls, self.feedback, self.solution],
            layout=widgets.Layout(margin="0 0 1.2em 0"),
        )
        self.add_class("vizkit-quiz-item")
        self._show_exercise()

    def _show_exercise(self) -> None:
        ex = self.exercise
        self.heading.value = f"<b>{self.number}. {html.escape(ex.title)}</b>"
        self.question.value = markdown_to_html(ex.question)
        self.answer.value = ""
        self.answer.placeholder = ex.expected_form
        self.solution.value = ""
        if ex.solved:
            self.feedback.value = _feedback_html(f"✓ Solved earlier: {ex.answer_text}.", "right")
        else:
            self.feedback.value = ""
        if ex.revealed:
            self.solution.value = markdown_to_html(ex.solution_text())

    def _save(self) -> str:
        """Record the exercise; a message if the progress file could not be written."""
        try:
            self._quiz._record(self.exercise)
        except OSError as err:
            return f" (Progress not saved: {err}.)"
        return ""

    @_guarded
    def _on_check(self, _: object = None) -> None:
        result: CheckResult = self.exercise.check(self.answer.value)
        kind = "right" if result.correct else ("wrong" if result.readable else "form")
        note = self._save() if result.readable else ""
        self.feedback.value = _feedback_html(result.message + note, kind)
        self._quiz._update_score()

    @_guarded
    def _on_hint(self, _: object = None) -> None:
        hint = self.exercise.hint()
        note = self._save()
        self.feedback.value = _feedback_html(f"Hint: {hint}{note}", "info")

    @_guarded
    def _on_solution(self, _: object = None) -> None:
        self.solution.value = markdown_to_html(self.exercise.solution())
        note = self._save()
        if note:
            self.feedback.value = _feedback_html(note.strip(), "form")
        self._quiz._update_score()

    @_guarded
    def _on_new(self, _: object = None) -> None:
        self.exercise = self._quiz._fresh(self.exercise)
        self._show_exercise()
        self._quiz._update_score()


class Quiz(widgets.VBox):
    """A set of exercises with answer boxes, feedback and a score, progress saved locally.

    Build it from topics (``Quiz(topics=[...], count=4, seed=0)``), from a
    :class:`~vizkit.exercises.ProblemSet`, or from a list of exercises. Leave it as a
    notebook cell's last expression to display it.

    Args:
        exercises: A problem set or a list of exercises; ``None`` builds one from ``topics``.
        topics: Topic names for :func:`~vizkit.exercises.problem_set` (``None``: all).
        count: Number of exercises (default: one per topic).
        seed: Seed of the set.
        title: Heading shown above the exercises.
        progress_path: The progress JSON file; ``None`` uses ``$VIZKIT_PROGRESS`` or
            ``~/.vizkit/progress.json``.
        save_progress: ``False`` keeps progress only in memory.

    Raises:
        TypeError: ``exercises`` is neither a problem set nor a list of exercises, or
            ``exercises`` and ``topics`` are both given.
        ValueError: Unknown topic or bad count / seed (see
            :func:`~vizkit.exercises.problem_set`).

    Attributes:
        items: One :class:`QuizItem` per exercise.
        score: ``HTML`` score line.
        reset_button: ``Button`` that forgets this quiz's progress.
        progress: The :class:`~vizkit.exercises.progress.Progress` store, or ``None``.
    """

    def __init__(
        self,
        exercises: ProblemSet | Sequence[Exercise] | None = None,
        *,
        topics: Sequence[str] | str | None = None,
        count: int | None = None,
        seed: int = 0,
        title: str = "Check yourself",
        progress_path: str | os.PathLike[str] | None = None,
        save_progress: bool = True,
    ) -> None:
        if exercises is None:
            exercises = problem_set(topics, count, seed, title=title)
        elif topics is not None:
            raise TypeError("give either exercises or topics, not both")
        if isinstance(exercises, Exercise) or not all(isinstance(e, Exercise) for e in exercises):
            raise TypeError(
                f"exercises must be a ProblemSet or a list of Exercise objects, got {exercises!r}"
            )
        self.progress = Progress(progress_path) if save_progress else None
        self.title = widgets.HTML(f"<h3>{html.escape(title)}</h3>")
        self.score = widgets.HTML()
        self.score.add_class("vizkit-quiz-score")
        self.reset_button = _button("Reset my progress", "vizkit-quiz-reset", "warning")
        self.reset_button.on_click(self._on_reset)
        self.status = widgets.HTML()
        self.status.add_class("vizkit-quiz-status")
        if self.progress is not None:
            for exercise in exercises:
                self.progress.restore(exercise)
        self.items = [
            QuizItem(self, number, exercise) for number, exercise in enumerate(exercises, start=1)
        ]
        where = (
            f"Progress is saved in <code>{html.escape(str(self.progress.path))}</code>."
            if self.progress is not None
            else "Progress is not saved."
        )
        if self.progress is not None and self.progress.warning:
            where += f" ⚠ {html.escape(self.progress.warning)}"
        self.status.value = f"<small>{where}</small>"
        footer = widgets.HBox([self.reset_button, self.status])
        super().__init__([self.title, self.score, *self.items, footer])
        self.add_class("vizkit-quiz")
        self._update_score()

    @property
    def exercises(self) -> list[Exercise]:
        """The current exercises, in order."""
        return [item.exercise for item in self.items]

    @property
    def solved_count(self) -> int:
        """How many of the current exercises are solved."""
        return sum(ex.solved for ex in self.exercises)

    def reset(self) -> None:
        """Forget this quiz's progress (attempts, solved, hints, solutions) here and on disk.

        Raises:
            OSError: The progress file cannot be written.
        """
        if self.progress is not None:
            self.progress.reset([ex.key for ex in self.exercises])
        for item in self.items:
            item.exercise.reset()
            item._show_exercise()
        self._update_score()

    def _on_reset(self, _: object = None) -> None:
        try:
            self.reset()
        except Exception as err:
            self.status.value = (
                f"<span style='color:{_COLOURS['wrong']}'>⚠ Could not reset: "
                f"{html.escape(f'{type(err).__name__}: {err}')}</span>"
            )
            return
        self.status.value = "<small>Progress reset.</small>"

    def _record(self, exercise: Exercise) -> None:
        if self.progress is not None:
            self.progress.record(exercise)

    def _fresh(self, exercise: Exercise) -> Exercise:
        """The same topic with the next seed not already in this quiz; its saved state restored."""
        used = {(ex.topic, ex.seed) for ex in self.exercises}
        seed = exercise.seed + 1
        while (exercise.topic, seed) in used:
            seed += 1
        fresh = make(exercise.topic, seed=seed)
        if self.progress is not None:
            self.progress.restore(fresh)
        return fresh

    def _update_score(self) -> None:
        exercises = self.exercises
        tries = sum(ex.attempts for ex in exercises)
        shown = sum(ex.revealed for ex in exercises)
        text = (
            f"<b>Score: {self.solved_count} / {len(exercises)} solved</b> · "
            f"{tries} {'try' if tries == 1 else 'tries'}"
        )
        if shown:
            text += f" · {shown} solution{'s' if shown != 1 else ''} shown"
        self.score.value = text
