"""OutputSizeCalculator driven in code: move a control, check the status line and size."""

from __future__ import annotations

import re

import pytest

from vizkit.geometry import conv_output_size
from vizkit.widgets import OutputSizeCalculator


def text(calc: OutputSizeCalculator) -> str:
    """Status line as plain text (tags dropped, entities kept as the user would see them)."""
    import html

    return html.unescape(re.sub(r"<[^>]+>", " ", calc.status.value))


def test_initial_state() -> None:
    calc = OutputSizeCalculator()
    assert calc.output_size == 3
    assert calc.error is None
    assert "output size: 3 × 3" in text(calc)
    assert "H_out = 5 − 3 + 1 = 3" in text(calc)
    assert "nn.Conv2d(1, 1, kernel_size=3)" in text(calc)


def test_moving_stride_updates_output_and_formula() -> None:
    calc = OutputSizeCalculator(input_size=5, kernel_size=3, padding=1)
    before = calc.status.value
    assert calc.output_size == 5
    calc.stride.value = 2
    assert calc.output_size == 3
    assert calc.status.value != before
    assert "output size: 3 × 3" in text(calc)
    assert "H_out = ⌊(5 + 2·1 − 3) / 2⌋ + 1 = 3" in text(calc)
    assert "nn.Conv2d(1, 1, kernel_size=3, stride=2, padding=1)" in text(calc)


@pytest.mark.parametrize(
    "control,value", [("input_size", 12), ("kernel_size", 5), ("padding", 2), ("dilation", 2)]
)
def test_every_slider_is_wired(control: str, value: int) -> None:
    calc = OutputSizeCalculator(input_size=9, kernel_size=3, stride=1, padding=0, dilation=1)
    getattr(calc, control).value = value
    settings = {"input_size": 9, "kernel_size": 3, "stride": 1, "padding": 0, "dilation": 1}
    settings[control] = value
    expected = conv_output_size(**settings)
    assert calc.output_size == expected
    assert f"output size: {expected} × {expected}" in text(calc)


def test_invalid_configuration_shows_the_teaching_message() -> None:
    calc = OutputSizeCalculator(input_size=5, kernel_size=3)
    calc.kernel_size.value = 7
    message = "kernel_size 7 is larger than the padded input 5: lower kernel_size, or raise padding"
    assert calc.output_size is None
    assert calc.geometry is None
    assert calc.error == message
    assert "Not a valid convolution." in text(calc)
    assert message in text(calc)
    assert "Traceback" not in calc.status.value
    # and it recovers once the configuration is possible again
    calc.padding.value = 2
    assert calc.output_size == 3
    assert calc.error is None


def test_padding_names() -> None:
    calc = OutputSizeCalculator(input_size=7, kernel_size=3)
    calc.padding_kind.value = "same"
    assert calc.output_size == 7
    assert calc.padding.disabled
    calc.padding_kind.value = "full"
    assert calc.output_size == 9
    calc.padding_kind.value = "number"
    assert not calc.padding.disabled
    assert calc.output_size == 5


def test_same_padding_with_stride_is_explained() -> None:
    calc = OutputSizeCalculator(input_size=7, kernel_size=3, padding="same")
    calc.stride.value = 2
    assert calc.output_size is None
    assert calc.error is not None and "padding 'same' with stride 2" in calc.error
    assert "padding &#x27;same&#x27; with stride 2" in calc.status.value  # escaped, not raw


def test_unread_column_is_reported() -> None:
    # Lecture notes: W=10, F=3, S=2, P=0 "does not fit": column 9 is never read.
    calc = OutputSizeCalculator(input_size=10, kernel_size=3, stride=2)
    assert calc.output_size == 4
    assert (
        "input rows/columns 9 are never read: the last window stops before the edge. "
        "Change padding or stride to use them." in text(calc)
    )
    calc.padding.value = 1
    assert "never read" not in text(calc)


def test_gaps_between_windows_are_reported() -> None:
    calc = OutputSizeCalculator(input_size=10, kernel_size=3, stride=4)
    assert calc.output_size == 2
    assert (
        "input rows/columns 3, 7, 8, 9 are never read: cells between the windows are skipped "
        "(stride or dilation leaves gaps); the last window stops before the edge." in text(calc)
    )
    calc.input_size.value = 11  # windows at 0-2, 4-6, 8-10: only the gaps remain
    assert "3, 7 are never read: cells between the windows are skipped" in text(calc)
    assert "edge" not in text(calc)


def test_large_start_value_raises_slider_maximum() -> None:
    calc = OutputSizeCalculator(input_size=227, kernel_size=11, stride=4)
    assert calc.input_size.max == 227
    assert calc.output_size == 55


@pytest.mark.parametrize(
    "kwargs,error,message",
    [
        ({"stride": 0}, ValueError, "stride 0 is below 1, the smallest allowed: use stride=1"),
        ({"padding": -1}, ValueError, "padding -1 is below 0, the smallest allowed: use padding=0"),
        ({"kernel_size": 2.0}, TypeError, "kernel_size must be an int, got 2.0 (float)"),
        (
            {"padding": "half"},
            ValueError,
            "padding 'half' is not understood: use a non-negative int, an (h, w) pair, or one of "
            "'valid' (no padding), 'same' (output = input, stride 1) and 'full' (every partial "
            "overlap, padding = dilation·(kernel_size − 1))",
        ),
    ],
)
def test_bad_start_values_raise_instead_of_clamping(
    kwargs: dict[str, object], error: type[Exception], message: str
) -> None:
    with pytest.raises(error) as excinfo:
        OutputSizeCalculator(**kwargs)  # type: ignore[arg-type]
    assert str(excinfo.value) == message


def test_is_a_displayable_box_with_all_controls() -> None:
    import ipywidgets as widgets

    calc = OutputSizeCalculator()
    assert isinstance(calc, widgets.VBox)
    assert calc.status in calc.children
    assert [c.description for c in calc.children if isinstance(c, widgets.IntSlider)] == [
        "input_size",
        "kernel_size",
        "stride",
        "padding",
        "dilation",
    ]


# --- the vizkit.widgets package itself -------------------------------------------------------


def test_every_exported_widget_resolves() -> None:
    import ipywidgets as widgets

    import vizkit.widgets as vw

    for name in vw.__all__:
        value = getattr(vw, name)
        assert isinstance(value, type) and issubclass(value, widgets.Widget), name
    assert sorted(vw.__all__) == sorted({"OutputSizeCalculator", *vw._NAMES})


def test_unknown_widget_name_lists_the_explorers() -> None:
    import vizkit.widgets as vw

    with pytest.raises(AttributeError, match=r"has no attribute 'Explorer'; did you mean "):
        vw.Explorer  # noqa: B018
