"""The projector theme, as data: a figure built under "lecture" has larger cell numbers,
fonts, lines and cells than the same figure built under "notebook", and switching back
builds exactly the original figure again."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import numpy as np
import plotly.io as pio
import pytest

from vizkit.render.conv import conv_animation
from vizkit.render.theme import (
    LECTURE_TEMPLATE,
    THEMES,
    current_theme,
    use_theme,
)
from vizkit.render.training import training_curves_figure
from vizkit.sliding import conv2d_trace


@pytest.fixture(autouse=True)
def notebook_theme() -> Iterator[None]:
    """Every test starts and ends in the notebook theme with plotly's default template."""
    default = pio.templates.default
    use_theme("notebook")
    yield
    use_theme("notebook")
    pio.templates.default = default


def _animation() -> Any:
    x = np.arange(25.0).reshape(1, 5, 5)
    return conv_animation(conv2d_trace(x, np.ones((1, 1, 3, 3))))


def _by_name(fig: Any) -> dict[str, Any]:
    return {trace.name: trace for trace in fig.data}


def test_lecture_enlarges_cell_numbers_lines_cells_and_captions() -> None:
    before = _animation()
    use_theme("lecture")
    after = _animation()
    b, a = _by_name(before), _by_name(after)
    # cell numbers (heatmap text), headings, outlines
    assert b["input"].textfont.size == 11 and a["input"].textfont.size == 16
    assert a["input"].textfont.color == "#000" and b["input"].textfont.color == "#222"
    assert a["headings"].textfont.size == 18 > b["headings"].textfont.size == 12
    assert b["current"].line.width == 3.5 and a["current"].line.width == pytest.approx(5.6)
    # the frames carry themed traces too (what the animation shows after step 0)
    frames = [f.to_plotly_json()["data"] for f in after.frames]
    sizes = {t["textfont"]["size"] for data in frames for t in data if t.get("textfont")}
    assert sizes and min(sizes) >= 15
    # larger cells, caption and controls
    assert after.layout.width > before.layout.width
    assert after.layout.height > before.layout.height
    assert after.layout.title.font.size == 21 > before.layout.title.font.size == 14
    assert after.layout.sliders[0].currentvalue.font.size == 18


def test_back_to_notebook_builds_the_original_figure() -> None:
    original = _animation().to_plotly_json()
    use_theme("lecture")
    assert _animation().to_plotly_json() != original
    use_theme("notebook")
    assert _animation().to_plotly_json() == original


def test_figures_outside_the_cell_grid_follow_the_theme() -> None:
    thin = training_curves_figure().data[0].line.width
    use_theme("lecture")
    assert training_curves_figure().data[0].line.width == pytest.approx(thin * 1.6)


def test_lecture_template_is_laid_over_the_default_and_taken_back() -> None:
    pio.templates.default = "plotly_white"
    use_theme("lecture")
    assert pio.templates.default == f"plotly_white+{LECTURE_TEMPLATE}"
    use_theme("lecture")  # twice: not stacked twice
    assert pio.templates.default == f"plotly_white+{LECTURE_TEMPLATE}"
    fig = training_curves_figure()
    assert fig.layout.template.layout.font.size == 18
    assert fig.layout.template.layout.colorway[0] == "#0072b2"
    use_theme("notebook")
    assert pio.templates.default == "plotly_white"


def test_a_default_changed_by_the_user_is_left_alone() -> None:
    use_theme("lecture")
    pio.templates.default = "seaborn"
    use_theme("notebook")
    assert pio.templates.default == "seaborn"


def test_current_theme_and_scales() -> None:
    assert current_theme() is THEMES["notebook"]
    lecture = use_theme("lecture")
    assert current_theme() is lecture and lecture.name == "lecture"
    assert lecture.font(12) == {"size": 18, "color": "#000"}
    assert lecture.font(12, family="monospace")["family"] == "monospace"
    assert THEMES["notebook"].line_width(2.5) == 2.5


def test_unknown_theme_names_the_choices() -> None:
    with pytest.raises(ValueError) as info:
        use_theme("dark")  # type: ignore[arg-type]
    assert str(info.value) == (
        "unknown theme 'dark': use one of 'notebook', 'lecture' "
        '(vk.theme("lecture") for a projector, vk.theme("notebook") to go back)'
    )
    with pytest.raises(TypeError, match=r"theme must be a str, one of \('notebook', 'lecture'\)"):
        use_theme(1)  # type: ignore[arg-type]
    assert current_theme().name == "notebook"  # a failed switch changes nothing
