"""Answer forms: tolerant where the notation varies, strict where the meaning differs, and a
message naming the expected form for anything malformed."""

from __future__ import annotations

import pytest
import torch

from vizkit.exercises.answers import (
    NO_FIT,
    AnswerFormatError,
    BytesForm,
    ChoiceForm,
    FloatForm,
    GridForm,
    IntForm,
    SizeForm,
)


@pytest.mark.parametrize(
    "text",
    [
        "(55, 55)",
        "55x55",
        "55 × 55",
        "55 X 55",
        "55*55",
        "55 by 55",
        "[55, 55]",
        "55",
        " 55 ",
        "torch.Size([55, 55])",
        (55, 55),
        [55, 55],
        55,
        torch.Size([55, 55]),
        torch.tensor([55, 55]),
        55.0,
    ],
)
def test_square_size_spellings(text: object) -> None:
    form = SizeForm(2, allow_single=True)
    assert form.parse(text) == (55, 55)


def test_rectangular_size_needs_both_numbers() -> None:
    form = SizeForm(2)
    assert form.parse("27 x 13") == (27, 13)
    with pytest.raises(AnswerFormatError, match=r"has 1 number\(s\), this answer has 2"):
        form.parse("27")


@pytest.mark.parametrize("text", ["55x", "x55", "55,,55", "(55, )"])
def test_a_missing_number_is_named(text: str) -> None:
    with pytest.raises(AnswerFormatError, match="has a number missing") as info:
        SizeForm(2, allow_single=True).parse(text)
    assert "height × width as 2 whole numbers, e.g. 16 × 8" in str(info.value)


@pytest.mark.parametrize(
    "text",
    [
        "does not fit",
        "Doesn't fit",
        "does not fit.",
        "it doesn’t fit",
        "won't fit",
        "cannot fit",
        "no fit",
        "impossible",
        "error",
        "none",
    ],
)
def test_does_not_fit_spellings(text: str) -> None:
    assert SizeForm(2, allow_no_fit=True).parse(text) == NO_FIT


def test_does_not_fit_only_where_allowed() -> None:
    with pytest.raises(AnswerFormatError):
        SizeForm(2).parse("does not fit")


def test_channels_height_width_with_batch_one() -> None:
    form = SizeForm(3, names="channels × height × width")
    assert form.parse("192x27x27") == (192, 27, 27)
    assert form.parse("[1, 192, 27, 27]") == (192, 27, 27)
    assert form.show((192, 27, 27)) == "192 × 27 × 27"
    with pytest.raises(AnswerFormatError, match="has 2 number"):
        form.parse("27 x 27")


@pytest.mark.parametrize(
    "text",
    [
        "1234",
        "1,234",
        "1 234",
        "1_234",
        "1\u202f234",
        "1'234",
        "+1234",
        1234,
        1234.0,
        "1234.0",
        torch.tensor(1234),
    ],
)
def test_integer_spellings(text: object) -> None:
    assert IntForm().parse(text) == 1234


def test_integers_large_and_negative() -> None:
    form = IntForm()
    assert form.parse("138,357,544") == 138357544
    assert form.parse("−7") == -7  # a typographic minus
    assert form.show(138357544) == "138,357,544"


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (3.5, "3.5 is not a whole number"),
        ("3.5", "3.5 is not a whole number"),
        ("abc", "could not read 'abc' as a whole number"),
        ("", "the answer is empty"),
        (None, "no answer given"),
        (True, "True is a yes/no value"),
        ("1,23", "could not read '1,23' as a whole number"),
        ("12,34,567", "could not read '12,34,567'"),
        (float("nan"), "nan is not a whole number"),
    ],
)
def test_malformed_integers_say_what_is_expected(value: object, message: str) -> None:
    with pytest.raises(AnswerFormatError) as info:
        IntForm("the number of parameters", example=1792).parse(value)
    assert message in str(info.value)
    assert "type the number of parameters as a whole number, e.g. 1,792" in str(info.value)


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("0.71", 0.71),
        ("-0.71", -0.71),
        ("−0.71", -0.71),
        ("0,71", 0.71),
        ("3/4", 0.75),
        ("1e-2", 0.01),
        (2, 2.0),
        ("1,500", 1500.0),
    ],
)
def test_float_spellings(text: object, value: float) -> None:
    assert FloatForm().parse(text) == pytest.approx(value)


def test_float_tolerance() -> None:
    form = FloatForm(tolerance=0.01)
    assert form.matches(form.parse("2.68"), 2.6833)
    assert form.matches(form.parse("2.6833"), 2.6833)
    assert not form.matches(form.parse("2.66"), 2.6833)
    assert not form.matches(form.parse("2.7"), 2.6833)
    with pytest.raises(AnswerFormatError, match=r"could not read '2\.6\.8' as a number"):
        form.parse("2.6.8")
    with pytest.raises(AnswerFormatError, match="inf is not a finite number"):
        form.parse("inf")


@pytest.mark.parametrize(
    "text",
    [
        "[[1, 2], [3, 4.5]]",
        "1 2; 3 4.5",
        "1, 2\n3, 4.5",
        "1 2 | 3 4.5",
        [[1, 2], [3, 4.5]],
        torch.tensor([[1, 2], [3, 4.5]]),
    ],
)
def test_grid_spellings(text: object) -> None:
    form = GridForm()
    assert form.matches(form.parse(text), ((1.0, 2.0), (3.0, 4.5)))


def test_grid_shape_and_tolerance() -> None:
    form = GridForm(tolerance=0.01)
    target = ((3.67, 3.89), (1.56, 3.78))
    assert form.matches(form.parse("3.67 3.89; 1.56 3.78"), ((3.6667, 3.8889), (1.5556, 3.7778)))
    assert not form.matches(form.parse("3.67 3.89"), target)  # one row only
    assert not form.matches(form.parse("3 4; 2 4"), target)
    with pytest.raises(AnswerFormatError, match=r"different lengths \(2, 1\)"):
        form.parse("1 2; 3")
    with pytest.raises(AnswerFormatError, match="not one flat list"):
        form.parse([1, 2, 3, 4])
    with pytest.raises(AnswerFormatError, match="could not read"):
        form.parse("[[1, 2], [3, 4]")


def test_bytes_plain_and_with_units() -> None:
    form = BytesForm()
    answer = 12_845_056  # 12.25 MiB, 12.85 MB
    for text in [
        "12845056",
        "12,845,056",
        "12,845,056 bytes",
        "12845056 B",
        "12.25 MiB",
        "12.3 MiB",
        "12.85 MB",
        "12.8 MB",
        "12544 KiB",
        12845056,
    ]:
        assert form.matches(form.parse(text), answer), text
    for text in ["12845057", "12.1 MiB", "12.9 MB", "3211264", "12.24 MiB"]:
        assert not form.matches(form.parse(text), answer), text
    with pytest.raises(
        AnswerFormatError,
        match="'12 MiB' is too rounded to check: give at least 3 significant digits",
    ):
        form.parse("12 MiB")
    with pytest.raises(AnswerFormatError, match="bits are not bytes"):
        form.parse("102760448 bits")
    with pytest.raises(AnswerFormatError, match="could not read '12 parsecs'"):
        form.parse("12 parsecs")


def test_choice_spellings_and_strictness() -> None:
    form = ChoiceForm(["alpha", "beta", "gamma", "delta"])
    for text in ["b", "B", "(b)", "b)", "b.", " (B) ", "beta", "Beta."]:
        assert form.parse(text) == "b", text
    with pytest.raises(
        AnswerFormatError, match="'e' is not one of the options: type one letter: a, b, c, d"
    ):
        form.parse("e")
    with pytest.raises(AnswerFormatError, match="2 is a number: type one letter"):
        form.parse(2)
