"""One exercise: input validation of make(), the feedback ladder, state, and no side effects."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable

import pytest
import torch

from vizkit import exercises
from vizkit.exercises import NO_FIT, Exercise
from vizkit.exercises.answers import format_int


def find(topic: str, condition: Callable[[Exercise], bool], seeds: int = 300) -> Exercise:
    """The first exercise of a topic (by seed) meeting a condition."""
    for seed in range(seeds):
        ex = exercises.make(topic, seed=seed)
        if condition(ex):
            return ex
    raise AssertionError(f"no {topic} exercise in {seeds} seeds meets the condition")


# -- make(): validation ----------------------------------------------------------------------
def test_topics() -> None:
    names = exercises.topics()
    assert len(names) >= 12 and len(set(names)) == len(names)
    assert all(isinstance(name, str) for name in names)
    assert [t.name for t in exercises.CATALOGUE] == names
    assert all(t.checked_against for t in exercises.CATALOGUE)


def test_unknown_topic_names_the_closest_and_lists_all() -> None:
    with pytest.raises(ValueError) as info:
        exercises.make("conv_outptu_size")
    assert str(info.value) == (
        "no exercise topic named 'conv_outptu_size': did you mean 'conv_output_size' or "
        "'pool_output_size' or 'conv_output_cell'? The topics are: " + ", ".join(exercises.topics())
    )


def test_nonsense_topic_lists_the_topics() -> None:
    with pytest.raises(ValueError) as info:
        exercises.make("nonsense")
    assert str(info.value) == (
        "no exercise topic named 'nonsense': the exercise topics are "
        + ", ".join(repr(name) for name in exercises.topics())
    )


def test_topic_spelling_is_forgiven() -> None:
    assert exercises.make("Conv Output-Size", seed=2).topic == "conv_output_size"


@pytest.mark.parametrize(
    ("seed", "message"),
    [
        ("1", "seed must be an int, got '1' (str): e.g. make(topic, seed=3)"),
        (1.5, "seed must be an int, got 1.5 (float): e.g. make(topic, seed=3)"),
        (True, "seed must be an int, got True (bool): e.g. make(topic, seed=3)"),
        (None, "seed must be an int, got None (NoneType): e.g. make(topic, seed=3)"),
    ],
)
def test_seed_must_be_an_int(seed: object, message: str) -> None:
    with pytest.raises(TypeError) as info:
        exercises.make("conv_params", seed=seed)  # type: ignore[arg-type]
    assert str(info.value) == message


def test_negative_seed_and_non_string_topic() -> None:
    with pytest.raises(ValueError, match=r"^seed must be ≥ 0, got -1: e.g. make\(topic, seed=3\)$"):
        exercises.make("conv_params", seed=-1)
    with pytest.raises(TypeError, match=r"^topic must be a str \(one of \['conv_output_size'"):
        exercises.make(3)  # type: ignore[arg-type]


# -- the feedback ladder ---------------------------------------------------------------------
def test_forgotten_bias_hint_then_working_then_right() -> None:
    ex = find("conv_params", lambda e: e.params["bias"] and e.params["groups"] == 1)
    k = ex.params["out_channels"]
    wrong = ex.answer - k
    first = ex.check(format_int(wrong))
    assert first.message == (
        f"✗ {format_int(wrong)} is not right. It looks like you forgot the bias. Hint: F·F·D·K "
        "weights + K biases (F × F kernel, D input channels, K filters); with groups each "
        "filter sees only D/groups channels; bias=False drops the K."
    )
    assert (first.correct, first.mistake, first.attempt) == (False, "forgot_bias", 1)
    second = ex.check(wrong)
    kh, kw = ex.params["kernel_size"]
    d = ex.params["in_channels"]
    assert second.message.startswith(
        f"✗ {format_int(wrong)} is still not right. Your answer is {kh}·{kw}·{d}·{k} = "
        f"{format_int(wrong)}: you forgot the bias. Each of the K = {k} filters has one bias: "
        f"+ {k}. With this exercise's numbers: F·F·(D/groups)·K + K = {kh}·{kw}·{d}·{k} + {k}"
    )
    assert second.attempt == 2
    right = ex.check(f"{ex.answer:_}")
    assert right.correct and right.message == f"✓ Right: {format_int(ex.answer)}."
    assert (ex.attempts, ex.solved) == (3, True)


def test_unrecognised_wrong_answer_gets_the_formula_then_the_numbers() -> None:
    ex = find("conv_transpose_output_size", lambda e: e.answer[0] > 20)
    first = ex.check("3 x 3" if ex.answer != (3, 3) else "4 x 4")
    assert first.mistake is None and first.mistakes == ()
    assert "It looks like" not in first.message
    assert "Hint: H_out = (H − 1)·S − 2P + D·(K − 1) + output_padding + 1" in first.message
    second = ex.check("3 x 3")
    assert (
        f"With this exercise's numbers: {ex.working} (finish the arithmetic, or press Show "
        "solution)." in second.message
    )


def test_swapped_formula_is_diagnosed() -> None:
    ex = exercises.make("conv_transpose_output_size", seed=0)
    conv = next(m for m in ex.mistakes if m.key == "used_conv_formula")
    result = ex.check(conv.value)
    assert result.mistake == "used_conv_formula"
    assert "It looks like you used the convolution formula (the swapped formula)" in result.message


def test_two_mistakes_giving_one_number_are_both_named() -> None:
    def ambiguous(ex: Exercise) -> bool:
        values = [repr(m.value) for m in ex.mistakes]
        return len(values) != len(set(values))

    ex = find("conv_output_size", ambiguous)
    values = [repr(m.value) for m in ex.mistakes]
    twice = next(m for m in ex.mistakes if values.count(repr(m.value)) > 1)
    result = ex.check(twice.value)
    assert len(result.mistakes) >= 2
    assert ", or you " in result.message
    assert "(Or: " in ex.check(twice.value).message


def test_does_not_fit_both_ways() -> None:
    fits = find("conv_output_size", lambda e: e.answer != NO_FIT)
    result = fits.check("doesn't fit")
    assert result.mistake == "said_no_fit" and "thought the kernel does not fit" in result.message
    no_fit = find("conv_output_size", lambda e: e.answer == NO_FIT)
    formula = next(m for m in no_fit.mistakes if m.key == "no_fit_check")
    result = no_fit.check(formula.value)
    assert not result.correct and "no_fit_check" in result.mistakes
    right = no_fit.check("Does not fit.")
    assert right.correct and "PyTorch raises" in right.message


@pytest.mark.parametrize("topic", exercises.topics())
def test_malformed_answers_never_raise_and_do_not_count(topic: str) -> None:
    weird: list[object] = [
        "abc",
        "",
        "   ",
        None,
        "55x",
        "x",
        "()",
        "[[",
        "1,23",
        object(),
        [],
        {},
        {"a": 1},
        b"12",
        float("nan"),
        float("inf"),
        True,
        [[1, 2], [3]],
        "- 3",
        "🙂",
        "1" * 5000,
        Ellipsis,
        type,
    ]
    for seed in range(3):
        ex = exercises.make(topic, seed=seed)
        for answer in weird:
            before = ex.attempts
            result = ex.check(answer)
            assert isinstance(result.message, str) and result.message
            assert not result.correct, answer
            if not result.readable:
                assert ex.attempts == before
                assert result.message.startswith("⚠ ")
                assert ex.expected_form in result.message


def test_a_float_where_a_count_is_expected() -> None:
    ex = exercises.make("conv_params", seed=0)
    result = ex.check(3.5)
    assert not result.readable
    assert result.message == (
        "⚠ 3.5 is not a whole number: type the number of parameters as a whole number, e.g. 1,792."
    )


def test_hint_solution_and_state() -> None:
    ex = exercises.make("conv_output_size", seed=4)
    assert ex.hint().startswith("H_out = ⌊(H + 2P − D·(K − 1) − 1) / S⌋ + 1")
    assert ex.hints_used == 1 and not ex.revealed
    solution = ex.solution()
    assert ex.revealed
    assert f"**Answer: {ex.answer_text}**" in solution
    assert "Checked in PyTorch:" in solution and ex.torch_line in solution
    assert ex.torch_line.startswith("nn.Conv2d(")
    ex.check("1")
    ex.reset()
    assert (ex.attempts, ex.solved, ex.hints_used, ex.revealed) == (0, False, 0, False)


def test_new_numbers_and_display() -> None:
    ex = exercises.make("pooled_values", seed=7)
    fresh = ex.new_numbers()
    assert (fresh.topic, fresh.seed) == ("pooled_values", 8)
    assert fresh.question != ex.question
    assert ex.key == "pooled_values#7"
    assert ex.question in ex._repr_markdown_()
    assert "Solution." in ex.to_markdown(solutions=True)
    with pytest.raises(TypeError):
        ex.params["kernel_size"] = 5  # type: ignore[index]


def test_make_leaves_torch_global_state_alone() -> None:
    torch.manual_seed(123)
    state = torch.get_rng_state()
    threads, onednn = torch.get_num_threads(), torch.backends.mkldnn.enabled
    for topic in exercises.topics():
        exercises.make(topic, seed=1)
    assert torch.equal(torch.get_rng_state(), state)
    assert torch.is_grad_enabled()
    assert (torch.get_num_threads(), torch.backends.mkldnn.enabled) == (threads, onednn)


def test_importing_exercises_loads_neither_torch_nor_widgets() -> None:
    code = (
        "import sys, json; import vizkit.exercises as e; e.topics(); "
        "print(json.dumps(sorted(m for m in ('torch', 'ipywidgets', 'plotly', 'numpy', "
        "'torchvision') if m in sys.modules)))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True
    )
    assert json.loads(result.stdout.strip().splitlines()[-1]) == []
