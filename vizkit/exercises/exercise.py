"""One exercise: a question with its torch-computed answer, the checking, and the feedback.

A generator (see :mod:`vizkit.exercises.generators`) draws the numbers and returns a
:class:`Spec`; :class:`Exercise` wraps it with the attempt state of one learner. The feedback
ladder: the first wrong try gets a hint naming the formula (and the mistake, where the answer
is a recognisable one); the second and later get the formula with this exercise's numbers
filled in, next to the student's own working where the mistake is recognised;
:meth:`Exercise.solution` gives the worked solution and the one line of PyTorch that confirms
it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from vizkit.exercises.answers import AnswerForm, AnswerFormatError

__all__ = ["CheckResult", "Exercise", "Mistake", "Spec"]


@dataclass(frozen=True)
class Mistake:
    """A recognisable wrong answer and what it tells about the learner's working.

    Attributes:
        key: Stable name of the mistake, e.g. ``"forgot_bias"``, ``"off_by_one"``.
        value: The answer this mistake produces, in the canonical form of the exercise.
        label: What the learner did, completing "It looks like you …", e.g. "forgot the bias".
        working: The mistaken computation with the numbers, e.g. ``"3·3·3·64 = 1,728"``.
        fix: The correction in one sentence.
    """

    key: str
    value: Any
    label: str
    working: str
    fix: str


@dataclass(frozen=True)
class Spec:
    """Everything a generator decides: question, torch-computed answer, teaching text.

    Attributes:
        title: Short human title of the topic.
        question: The question in Markdown.
        answer: The solution, in the form :attr:`form` accepts.
        form: How answers are read and compared.
        hint: First-level hint: names the formula or the idea, without this exercise's numbers.
        working: The formula with this exercise's numbers filled in (not evaluated).
        solution: The worked solution in Markdown, ending with the result.
        torch_line: One line of PyTorch that reproduces the answer.
        torch_result: What that line printed when the exercise was made.
        mistakes: Recognisable wrong answers, most specific first.
        params: The drawn numbers, for tests and for rebuilding the layer.
        on_correct: An extra sentence for a right answer (e.g. *why* a layer does not fit).
        working_lead: Words before :attr:`working` in the second-try feedback.
        working_tail: What to do next, after :attr:`working` in the second-try feedback.
    """

    title: str
    question: str
    answer: Any
    form: AnswerForm
    hint: str
    working: str
    solution: str
    torch_line: str
    torch_result: str
    mistakes: tuple[Mistake, ...] = ()
    params: Mapping[str, Any] = field(default_factory=dict)
    on_correct: str = ""
    working_lead: str = "With this exercise's numbers:"
    working_tail: str = "finish the arithmetic, or press Show solution"


@dataclass(frozen=True)
class CheckResult:
    """The verdict on one answer.

    Attributes:
        correct: Whether the answer is right.
        message: Feedback for the learner (Markdown, one paragraph).
        attempt: How many graded wrong-or-right tries this exercise has had, this one included
            (a malformed answer is not graded and does not count).
        mistake: Key of the recognised mistake (:attr:`Mistake.key`), else ``None``.
        readable: ``False`` when the answer could not be read at all.
        mistakes: Every recognised mistake that gives this answer (several mistakes can give
            one wrong number); :attr:`mistake` is the first.
    """

    correct: bool
    message: str
    attempt: int
    mistake: str | None = None
    readable: bool = True
    mistakes: tuple[str, ...] = ()

    def __bool__(self) -> bool:
        return self.correct


class Exercise:
    """One exercise for one learner: the question, the checking and the attempt state.

    Build one with :func:`vizkit.exercises.make`; leave it as a notebook cell's last expression
    to show the question.

    Args:
        topic: Topic name (one of :func:`vizkit.exercises.topics`).
        seed: The seed that drew the numbers.
        spec: What the generator produced.

    Attributes:
        topic, seed: As given.
        attempts: Graded tries so far.
        solved: Whether a right answer has been given.
        hints_used: How many times :meth:`hint` was asked.
        revealed: Whether :meth:`solution` was asked.

    Example:
        >>> from vizkit import exercises
        >>> ex = exercises.make("conv_params", seed=0)
        >>> ex.check(ex.answer).correct
        True
        >>> ex.check("abc").readable
        False
    """

    def __init__(self, topic: str, seed: int, spec: Spec) -> None:
        self.topic = topic
        self.seed = seed
        self._spec = spec
        self.attempts = 0
        self.solved = False
        self.hints_used = 0
        self.revealed = False

    # -- the question and its solution ---------------------------------------------------
    @property
    def title(self) -> str:
        """Short human title of the topic."""
        return self._spec.title

    @property
    def question(self) -> str:
        """The question in Markdown; the numbers depend on the seed."""
        return self._spec.question

    @property
    def answer(self) -> Any:
        """The solution (computed by PyTorch), in a form :meth:`check` accepts."""
        return self._spec.answer

    @property
    def answer_text(self) -> str:
        """The solution as the learner would write it."""
        return self._spec.form.show(self._spec.answer)

    @property
    def expected_form(self) -> str:
        """The answer's form in words, with an example."""
        return self._spec.form.expected

    @property
    def params(self) -> Mapping[str, Any]:
        """The drawn numbers (read-only), enough to rebuild the layer in PyTorch."""
        return MappingProxyType(dict(self._spec.params))

    @property
    def mistakes(self) -> tuple[Mistake, ...]:
        """Recognisable wrong answers for this instance, most specific first."""
        return self._spec.mistakes

    @property
    def working(self) -> str:
        """The formula with this exercise's numbers filled in, not evaluated (second-try help)."""
        return self._spec.working

    @property
    def torch_line(self) -> str:
        """One line of PyTorch that reproduces the answer."""
        return self._spec.torch_line

    @property
    def key(self) -> str:
        """``"topic#seed"``: names this instance, e.g. in a progress file."""
        return f"{self.topic}#{self.seed}"

    def hint(self) -> str:
        """The first-level hint (the formula or idea, in words); counted in :attr:`hints_used`.

        Returns:
            The hint in Markdown.
        """
        self.hints_used += 1
        return self._spec.hint

    def solution(self) -> str:
        """The worked solution and the line of PyTorch that confirms it; marks :attr:`revealed`.

        Returns:
            The solution in Markdown.
        """
        self.revealed = True
        return self.solution_text()

    def solution_text(self) -> str:
        """The worked solution in Markdown, without marking the exercise as revealed."""
        spec = self._spec
        return (
            f"{spec.solution}\n\n**Answer: {self.answer_text}**\n\n"
            f"Checked in PyTorch:\n\n```python\n{spec.torch_line}\n# {spec.torch_result}\n```"
        )

    # -- checking -----------------------------------------------------------------------------
    def check(self, answer: object) -> CheckResult:
        """Check an answer and give feedback; never raises on a malformed answer.

        Args:
            answer: The learner's answer: text as typed, or a number / tuple / list.

        Returns:
            The verdict with its feedback message. A malformed answer gets a message naming the
            expected form and does not count as a try.
        """
        form = self._spec.form
        try:
            parsed = form.parse(answer)
        except AnswerFormatError as err:
            text = str(err)
            return CheckResult(
                False, f"⚠ {text[:1].upper()}{text[1:]}.", self.attempts, readable=False
            )
        except Exception as err:  # an odd object: report it, never raise
            shown = repr(answer)
            shown = shown if len(shown) <= 40 else shown[:37] + "…"
            return CheckResult(
                False,
                f"⚠ Could not read {shown} ({type(err).__name__}): type {form.expected}.",
                self.attempts,
                readable=False,
            )
        try:
            return self._grade(parsed)
        except Exception as err:  # a defect in a form; keep the learner's page alive
            return CheckResult(
                False,
                f"⚠ Could not check that answer ({type(err).__name__}: {err}).",
                self.attempts,
                readable=False,
            )

    def _grade(self, parsed: Any) -> CheckResult:
        spec, form = self._spec, self._spec.form
        self.attempts += 1
        shown = form.show(parsed)
        if form.matches(parsed, spec.answer):
            self.solved = True
            extra = f" {spec.on_correct}" if spec.on_correct else ""
            return CheckResult(True, f"✓ Right: {self.answer_text}.{extra}", self.attempts)
        matching = [m for m in spec.mistakes if form.matches(parsed, m.value)]
        keys = tuple(dict.fromkeys(m.key for m in matching))
        main = matching[0] if matching else None
        others = [m for m in matching[1:] if m.key != main.key] if main else []
        alternatives = "".join(f", or you {m.label}" for m in others)
        if self.attempts == 1:
            text = f"✗ {shown} is not right."
            if main:
                text += f" It looks like you {main.label}{alternatives}."
            return CheckResult(
                False,
                f"{text} Hint: {spec.hint}",
                self.attempts,
                main.key if main else None,
                mistakes=keys,
            )
        text = f"✗ {shown} is still not right."
        if main:
            text += f" Your answer is {main.working}: you {main.label}. {main.fix}"
            for other in others:
                text += f" (Or: {other.working}, if you {other.label}. {other.fix})"
        text += f" {spec.working_lead} {spec.working} ({spec.working_tail})."
        return CheckResult(False, text, self.attempts, main.key if main else None, mistakes=keys)

    def reset(self) -> None:
        """Forget the attempts, hints and the revealed solution."""
        self.attempts, self.solved, self.hints_used, self.revealed = 0, False, 0, False

    def new_numbers(self) -> Exercise:
        """The same topic with the next seed: ``make(topic, seed + 1)``."""
        from vizkit.exercises.catalogue import make

        return make(self.topic, seed=self.seed + 1)

    # -- display ------------------------------------------------------------------------------
    def to_markdown(self, *, solutions: bool = False) -> str:
        """The question (and, with ``solutions``, the worked solution) as Markdown."""
        text = f"**{self.title}**\n\n{self.question}"
        if solutions:
            text += f"\n\n*Solution.* {self.solution_text()}"
        return text

    def _repr_markdown_(self) -> str:
        return self.to_markdown() + f"\n\n*Answer with* `ex.check(...)`: {self.expected_form}."

    def __repr__(self) -> str:
        return f"<Exercise {self.key}: {self.title}>"
