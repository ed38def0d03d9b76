"""Self-checking exercises: every student gets their own numbers, every answer comes from PyTorch.

Each topic has a generator that draws numbers from a seed, builds the real PyTorch layer and
takes the answer from a real forward pass (autograd for receptive fields, ``FlopCounterMode``
for MACs, ``nn.BatchNorm2d`` for normalisation). :meth:`Exercise.check` accepts the usual ways
of writing an answer (``(55, 55)``, ``55x55``, ``55 × 55``, ``55``; ``1,234``), never raises
on a malformed one, and teaches: a hint naming the formula first, then the formula with this
exercise's numbers next to the student's own working, and a worked solution with the line of
PyTorch that confirms it.

Example:
    >>> from vizkit import exercises
    >>> len(exercises.topics()) >= 12
    True
    >>> ex = exercises.make("conv_params", seed=0)
    >>> ex.check(ex.answer).correct
    True
    >>> ex.check("abc").correct
    False

A lecturer builds a sheet in one line and exports it::

    sheet = exercises.problem_set(["conv_output_size", "conv_params"], count=4, seed=7)
    sheet.save("sheet.html", solutions=True)

``exercises.Quiz(topics=[...])`` is the widget (imported on first use: importing this package
loads neither torch nor ipywidgets).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from vizkit._lazy import lazy_exports
from vizkit.exercises.answers import NO_FIT, AnswerFormatError
from vizkit.exercises.catalogue import CATALOGUE, Topic, make, topic_info, topics
from vizkit.exercises.exercise import CheckResult, Exercise, Mistake
from vizkit.exercises.problem_set import ProblemSet, problem_set
from vizkit.exercises.progress import Progress, default_progress_path

if TYPE_CHECKING:
    from vizkit.exercises.widget import Quiz

__all__ = [
    "CATALOGUE",
    "NO_FIT",
    "AnswerFormatError",
    "CheckResult",
    "Exercise",
    "Mistake",
    "ProblemSet",
    "Progress",
    "Quiz",
    "Topic",
    "default_progress_path",
    "make",
    "problem_set",
    "topic_info",
    "topics",
]

# The widget pulls in ipywidgets: imported on first access of ``exercises.Quiz``.
__getattr__, __dir__ = lazy_exports(__name__, globals(), {"Quiz": ".widget"})
