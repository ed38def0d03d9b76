"""The Quiz widget driven in code: type an answer, click, read the feedback and the score."""

from __future__ import annotations

import html
import json
import re
from pathlib import Path

import pytest

from vizkit import exercises
from vizkit.exercises.answers import format_int
from vizkit.exercises.widget import Quiz, QuizItem

TOPICS = ["conv_params", "pool_output_size", "dip_concepts"]


def text(widget_value: str) -> str:
    """An HTML widget's value as the learner reads it."""
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", widget_value))).strip()


def answer(item: QuizItem, value: str) -> str:
    item.answer.value = value
    item.check_button.click()
    return text(item.feedback.value)


@pytest.fixture
def quiz(tmp_path: Path) -> Quiz:
    return Quiz(topics=TOPICS, seed=1, progress_path=tmp_path / "progress.json")


def test_layout_and_css_classes(quiz: Quiz) -> None:
    assert "vizkit-quiz" in quiz._dom_classes
    assert len(quiz.items) == 3
    item = quiz.items[0]
    classes = {
        name: widget._dom_classes
        for name, widget in [
            ("question", item.question),
            ("answer", item.answer),
            ("check", item.check_button),
            ("hint", item.hint_button),
            ("solution", item.solution_button),
            ("new", item.new_button),
            ("feedback", item.feedback),
        ]
    }
    assert classes == {
        "question": ("vizkit-quiz-question",),
        "answer": ("vizkit-quiz-answer",),
        "check": ("vizkit-quiz-check",),
        "hint": ("vizkit-quiz-hint",),
        "solution": ("vizkit-quiz-show-solution",),
        "new": ("vizkit-quiz-new",),
        "feedback": ("vizkit-quiz-feedback",),
    }
    assert "vizkit-quiz-score" in quiz.score._dom_classes
    assert "vizkit-quiz-reset" in quiz.reset_button._dom_classes
    assert text(quiz.score.value) == "Score: 0 / 3 solved · 0 tries"
    assert "How many learnable parameters" in text(item.question.value)


def test_wrong_then_hint_then_right_changes_feedback_and_score(quiz: Quiz, tmp_path: Path) -> None:
    item = quiz.items[0]
    ex = item.exercise
    first = answer(item, "12")
    assert first.startswith("✗ 12 is not right.") and "Hint: F·F·D·K weights + K biases" in first
    assert text(quiz.score.value) == "Score: 0 / 3 solved · 1 try"
    second = answer(item, "12")
    assert "still not right" in second and ex.working in second
    item.hint_button.click()
    assert text(item.feedback.value).startswith("Hint: F·F·D·K")
    right = answer(item, format_int(ex.answer))
    assert right == f"✓ Right: {format_int(ex.answer)}."
    assert text(quiz.score.value) == "Score: 1 / 3 solved · 3 tries"
    saved = json.loads((tmp_path / "progress.json").read_text(encoding="utf-8"))
    assert saved["exercises"][ex.key] == {
        "attempts": 3,
        "hints_used": 1,
        "revealed": False,
        "solved": True,
    }


def test_malformed_answer_shows_the_expected_form_without_counting(quiz: Quiz) -> None:
    item = quiz.items[1]
    feedback = answer(item, "55x")
    assert feedback.startswith("⚠ '55x' has a number missing: type height × width")
    assert "color:#8a5a00" in item.feedback.value
    assert text(quiz.score.value) == "Score: 0 / 3 solved · 0 tries"
    assert answer(item, "").startswith("⚠ The answer is empty")


def test_show_solution_and_new_numbers(quiz: Quiz) -> None:
    item = quiz.items[1]
    item.solution_button.click()
    assert "Checked in PyTorch" in text(item.solution.value)
    assert f"Answer: {item.exercise.answer_text}" in text(item.solution.value)
    assert text(quiz.score.value).endswith("· 1 solution shown")
    old_key, old_question = item.exercise.key, item.question.value
    item.answer.value = "typed"
    item.new_button.click()
    assert item.exercise.key == "pool_output_size#2" != old_key
    assert item.question.value != old_question
    assert (item.answer.value, item.feedback.value, item.solution.value) == ("", "", "")
    assert text(quiz.score.value) == "Score: 0 / 3 solved · 0 tries"


def test_new_numbers_skips_seeds_already_in_the_quiz(tmp_path: Path) -> None:
    quiz = Quiz(
        [exercises.make("conv_params", seed=s) for s in (0, 1)], progress_path=tmp_path / "p.json"
    )
    quiz.items[0].new_button.click()
    assert [ex.seed for ex in quiz.exercises] == [2, 1]


def test_progress_survives_a_new_quiz_and_reset_clears_it(quiz: Quiz, tmp_path: Path) -> None:
    item = quiz.items[2]
    answer(item, item.exercise.answer)
    again = Quiz(topics=TOPICS, seed=1, progress_path=tmp_path / "progress.json")
    assert text(again.score.value) == "Score: 1 / 3 solved · 1 try"
    assert text(again.items[2].feedback.value).startswith("✓ Solved earlier:")
    again.reset_button.click()
    assert text(again.score.value) == "Score: 0 / 3 solved · 0 tries"
    assert text(again.status.value) == "Progress reset."
    assert again.items[2].feedback.value == ""
    saved = json.loads((tmp_path / "progress.json").read_text(encoding="utf-8"))
    assert saved["exercises"] == {}
    fresh = Quiz(topics=TOPICS, seed=1, progress_path=tmp_path / "progress.json")
    assert fresh.solved_count == 0


def test_environment_variable_names_the_file(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("VIZKIT_PROGRESS", str(tmp_path / "env.json"))
    quiz = Quiz(topics=["conv_params"])
    answer(quiz.items[0], "1")
    assert (tmp_path / "env.json").exists()
    assert str(tmp_path / "env.json") in text(quiz.status.value)


def test_unwritable_progress_is_a_message_not_a_traceback(tmp_path: Path) -> None:
    blocker = tmp_path / "a_file"
    blocker.write_text("", encoding="utf-8")
    quiz = Quiz(topics=["conv_params"], progress_path=blocker / "progress.json")
    feedback = answer(quiz.items[0], "1")
    assert feedback.startswith("✗ 1 is not right.")
    assert "(Progress not saved:" in feedback
    quiz.reset_button.click()
    assert text(quiz.status.value).startswith("⚠ Could not reset:")


def test_damaged_progress_file_is_reported(tmp_path: Path) -> None:
    path = tmp_path / "progress.json"
    path.write_text("{oops", encoding="utf-8")
    quiz = Quiz(topics=["conv_params"], progress_path=path)
    assert "starting afresh" in text(quiz.status.value)


def test_in_memory_quiz_and_argument_errors(tmp_path: Path) -> None:
    quiz = Quiz([exercises.make("same_padding", seed=3)], save_progress=False)
    assert quiz.progress is None
    answer(quiz.items[0], str(quiz.items[0].exercise.answer_text))
    assert quiz.solved_count == 1
    assert text(quiz.status.value) == "Progress is not saved."
    with pytest.raises(TypeError, match="give either exercises or topics, not both"):
        Quiz([exercises.make("conv_params")], topics=["conv_params"])
    with pytest.raises(TypeError, match="exercises must be a ProblemSet or a list of Exercise"):
        Quiz(["conv_params"])  # type: ignore[list-item]
    with pytest.raises(ValueError, match="did you mean 'conv_params'"):
        Quiz(topics=["conv_parms"])


def test_quiz_is_reachable_lazily_from_the_package() -> None:
    assert exercises.Quiz is Quiz
