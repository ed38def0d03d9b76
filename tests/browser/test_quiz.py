"""The Quiz in real JupyterLab + Chromium: a wrong answer gets its hint, a right one the score.

The notebook is written by the test (``quiz_probe.ipynb``: one ``conv_params`` exercise with a
fixed seed, its progress kept in a file next to it), so the answer typed here is computed in
this process by the same generator, not hard-coded.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from vizkit import exercises

from .conftest import LabServer
from .drive import ANSWER_MS, open_notebook, problems, run_all_cells, wait_until_run

pytestmark = pytest.mark.browser

PROBE = "quiz_probe.ipynb"
TOPIC, SEED = "conv_params", 3


def write_probe(lab: LabServer) -> None:
    source = (
        "import vizkit as vk\n"
        f'vk.Quiz([vk.exercises.make("{TOPIC}", seed={SEED})], '
        'progress_path="quiz_progress.json")'
    )
    notebook = {
        "cells": [
            {"cell_type": "code", "metadata": {}, "source": source, "outputs": [],
             "execution_count": None}
        ],
        "metadata": {
            "kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}
        },
        "nbformat": 4,
        "nbformat_minor": 5,
    }  # fmt: skip
    (lab.root_dir / PROBE).write_text(json.dumps(notebook))
    (lab.root_dir / "quiz_progress.json").unlink(missing_ok=True)


def _answer(page: Any, quiz: Any, text: str) -> str:
    """Type ``text``, press Check, return the feedback once it changed."""
    feedback = quiz.locator(".vizkit-quiz-feedback").first
    before = feedback.inner_text()
    box = quiz.locator(".vizkit-quiz-answer input").first
    box.fill(text)
    box.dispatch_event("change")  # ipywidgets Text syncs on input; change is harmless
    quiz.locator(".vizkit-quiz-check").first.click()
    page.wait_for_function(
        "([el, before]) => el.innerText !== before",
        arg=[feedback.element_handle(), before],
        timeout=ANSWER_MS,
    )
    return str(feedback.inner_text())


def test_wrong_answer_gets_the_hint_then_right_answer_scores(
    page: Any, lab_server: LabServer
) -> None:
    right = exercises.make(TOPIC, seed=SEED).answer
    write_probe(lab_server)
    try:
        open_notebook(page, lab_server, PROBE)
        run_all_cells(page)
        prompts = wait_until_run(page)
        assert problems(page) == [], prompts
        quiz = page.locator(".vizkit-quiz").first
        quiz.wait_for(timeout=ANSWER_MS)
        score = quiz.locator(".vizkit-quiz-score").first
        assert score.inner_text().startswith("Score: 0 / 1 solved"), score.inner_text()

        wrong = _answer(page, quiz, str(right + 1))
        assert "not right" in wrong and "Hint" in wrong, wrong
        assert score.inner_text().startswith("Score: 0 / 1 solved"), score.inner_text()

        correct = _answer(page, quiz, f"{right:,}")  # thousands separators are accepted
        assert "Right" in correct, correct
        page.wait_for_function(
            "el => el.innerText.startsWith('Score: 1 / 1 solved')",
            arg=score.element_handle(),
            timeout=ANSWER_MS,
        )
        saved = json.loads((lab_server.root_dir / "quiz_progress.json").read_text())
        assert saved, "the progress file records the solved exercise"
    finally:
        lab_server.shutdown_kernels()
