"""A lecturer's problem set in one line, exported as Markdown or HTML, and the Markdown subset."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from vizkit import exercises
from vizkit.exercises.markup import markdown_to_html

TOPICS = ["conv_output_size", "conv_params", "receptive_field", "dropout2d_vs_dropout"]


def test_one_line_set_is_reproducible() -> None:
    sheet = exercises.problem_set(topics=TOPICS, count=4, seed=0)
    assert [ex.topic for ex in sheet] == TOPICS
    assert [ex.seed for ex in sheet] == [0, 0, 0, 0]
    again = exercises.problem_set(topics=TOPICS, count=4, seed=0)
    assert [ex.question for ex in sheet] == [ex.question for ex in again]
    other = exercises.problem_set(topics=TOPICS, count=4, seed=1)
    assert [ex.question for ex in sheet] != [ex.question for ex in other]


def test_count_repeats_topics_with_distant_seeds() -> None:
    sheet = exercises.problem_set(["conv_params", "conv_macs"], count=5, seed=3)
    assert [ex.key for ex in sheet] == [
        "conv_params#3",
        "conv_macs#3",
        "conv_params#1003",
        "conv_macs#1003",
        "conv_params#2003",
    ]
    assert len(sheet) == 5 and sheet[0].topic == "conv_params"
    assert len(exercises.problem_set(count=3)) == 3
    assert len(exercises.problem_set()) == len(exercises.topics())
    assert [ex.topic for ex in exercises.problem_set("same_padding", count=2)] == [
        "same_padding",
        "same_padding",
    ]


def test_markdown_export() -> None:
    sheet = exercises.problem_set(TOPICS, seed=2, title="Sheet 3")
    text = sheet.to_markdown()
    assert text.startswith("# Sheet 3\n\n## 1. Output size of a convolution\n\n")
    assert all(ex.question in text for ex in sheet)
    assert "Solutions" not in text and "Checked in PyTorch" not in text
    with_solutions = sheet.to_markdown(solutions=True)
    solutions = with_solutions.split("## Solutions", 1)[1]
    for number, ex in enumerate(sheet, start=1):
        assert f"### {number}. {ex.title}" in solutions
        assert f"**Answer: {ex.answer_text}**" in solutions
        assert ex.torch_line in solutions
    assert not any(ex.revealed for ex in sheet)  # exporting is not "showing the solution"


def test_html_export() -> None:
    sheet = exercises.problem_set(TOPICS, seed=2)
    page = sheet.to_html(solutions=True)
    assert page.startswith("<!DOCTYPE html>") and page.rstrip().endswith("</html>")
    assert page.count('<section class="vizkit-exercise"') == 4
    assert page.count('<section class="vizkit-solution"') == 4
    assert "<script" not in page
    fragment = sheet.to_html(standalone=False)
    assert fragment.startswith('<div class="vizkit-problem-set">')
    assert "vizkit-solution" not in fragment
    # the questions' code and grids survive as HTML
    assert "<code>nn.Conv2d(" in fragment and "<pre><code>nn.Sequential(" in fragment


def test_save_by_suffix(tmp_path: Path) -> None:
    sheet = exercises.problem_set(["conv_params"], count=2)
    md = sheet.save(tmp_path / "sheet.md", solutions=True)
    assert md.read_text(encoding="utf-8") == sheet.to_markdown(solutions=True)
    page = sheet.save(tmp_path / "sheet.HTML")
    assert page.read_text(encoding="utf-8") == sheet.to_html()
    with pytest.raises(ValueError, match=r"cannot tell the format of '.*sheet\.pdf': use a \.md"):
        sheet.save(tmp_path / "sheet.pdf")


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"topics": ["conv_parms"]}, ValueError, "did you mean 'conv_params'"),
        ({"topics": []}, ValueError, "topics is empty: give at least one of conv_output_size"),
        ({"topics": [1, 2]}, TypeError, "topics must be a list of topic names (str), got [1, 2]"),
        ({"count": 0}, ValueError, "count must be ≥ 1, got 0"),
        ({"count": "4"}, TypeError, "count must be an int, got '4' (str)"),
        ({"seed": 1.5}, TypeError, "seed must be an int, got 1.5 (float)"),
    ],
)
def test_problem_set_validation(kwargs: dict[str, object], error: type, message: str) -> None:
    with pytest.raises(error) as info:
        exercises.problem_set(**kwargs)  # type: ignore[arg-type]
    assert message in str(info.value)


def test_problem_set_holds_exercises_only() -> None:
    with pytest.raises(TypeError, match=r"exercises\[1\] is str, not an Exercise"):
        exercises.ProblemSet([exercises.make("conv_params"), "conv_params"])  # type: ignore[list-item]


def test_markdown_subset() -> None:
    text = (
        "Intro with `a<b>` and **bold** and *it*, 2 * 3 * 4 stays.\n\n```\n1  2\n3  <4>\n```"
        "\n\n- **(a)** first\n- second\n\n# Title"
    )
    assert markdown_to_html(text) == (
        "<p>Intro with <code>a&lt;b&gt;</code> and <strong>bold</strong> and <em>it</em>, "
        "2 * 3 * 4 stays.</p><pre><code>1  2\n3  &lt;4&gt;</code></pre><ul><li><strong>(a)"
        "</strong> first</li><li>second</li></ul><h2>Title</h2>"
    )


def test_every_question_renders_without_stray_markup() -> None:
    for topic in exercises.topics():
        for seed in range(5):
            ex = exercises.make(topic, seed=seed)
            for markdown in (ex.question, ex.solution_text()):
                rendered = markdown_to_html(markdown)
                text = re.sub(r"<pre>.*?</pre>|<code>.*?</code>", "", rendered, flags=re.S)
                assert "**" not in text and "`" not in text and "```" not in rendered, (topic, seed)
