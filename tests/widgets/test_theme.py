"""``vk.theme``: one call switches figures (built afterwards) and widgets (CSS on the page)."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import plotly.io as pio
import pytest

import vizkit as vk
from vizkit.render.theme import current_theme, use_theme
from vizkit.widgets.theme import LECTURE_CSS, ThemeStyle


@pytest.fixture(autouse=True)
def notebook_theme() -> Iterator[None]:
    default = pio.templates.default
    yield
    use_theme("notebook")
    pio.templates.default = default


def test_lecture_switches_figures_and_returns_the_page_style() -> None:
    small = vk.conv_animation(vk.conv2d_trace(np.ones((1, 4, 4)), np.ones((1, 1, 3, 3))))
    style = vk.theme("lecture")
    assert isinstance(style, ThemeStyle) and style.name == "lecture"
    assert style.theme is current_theme() and current_theme().name == "lecture"
    large = vk.conv_animation(vk.conv2d_trace(np.ones((1, 4, 4)), np.ones((1, 1, 3, 3))))
    assert large.data[0].textfont.size > small.data[0].textfont.size
    state = style.get_state()
    assert state["name"] == "lecture" and state["_names"] == ["notebook", "lecture"]
    assert state["_css_text"] == LECTURE_CSS and "body.vizkit-lecture" in LECTURE_CSS
    assert "zoom: 1.3" in LECTURE_CSS
    assert 'vk.theme("notebook") goes back' in repr(style)


def test_notebook_goes_back() -> None:
    vk.theme("lecture")
    style = vk.theme("notebook")
    assert style.name == "notebook" and current_theme().name == "notebook"
    # the page script puts the named class on <body> and removes the others
    assert "classList.remove(`vizkit-${name}`)" in style._esm
    assert "classList.add(`vizkit-${model.get('name')}`)" in style._esm


def test_other_names_are_refused_with_the_choices() -> None:
    with pytest.raises(ValueError, match=r"^unknown theme 'projector': use one of 'notebook'"):
        vk.theme("projector")  # type: ignore[arg-type]
    assert current_theme().name == "notebook"


def test_no_name_takes_the_theme_from_vizkit_theme(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("VIZKIT_THEME", raising=False)
    quiet = vk.theme()
    assert quiet.name == "notebook" and quiet.get_state()["_note"] == ""  # nothing on the page
    monkeypatch.setenv("VIZKIT_THEME", "lecture")  # what make present sets for its kernels
    assert vk.theme().name == "lecture" and current_theme().name == "lecture"
    assert vk.theme("notebook").name == "notebook"  # a name given wins
    monkeypatch.setenv("VIZKIT_THEME", "huge")
    with pytest.raises(ValueError, match=r"^VIZKIT_THEME='huge' is not a theme: set it to one of"):
        vk.theme()
