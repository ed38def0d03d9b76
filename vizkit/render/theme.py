"""The projector theme: one switch that makes vizkit's figures larger and high-contrast.

A :class:`Theme` is a frozen set of scales and colours that the figure builders read **when
they build** a figure (:func:`current_theme`): the cell numbers, labels and outlines of the
animations (:mod:`vizkit.render._grid`), the captions and tick labels of the other figures.
What a builder does not set itself comes from a plotly template, which :func:`use_theme`
makes plotly's default, so every plotly figure built afterwards (vizkit's or not) follows.

Two themes, a closed choice:

- ``"notebook"``: the sizes a laptop screen wants (the default);
- ``"lecture"``: fonts ×1.5, lines ×1.6, cells 1.4× larger, black text and outlines, a
  colour-blind-safe palette: readable from the back of a lecture hall.

The only state is the registry's own (:data:`THEMES` and which one is current); nothing is
redrawn: a figure keeps the theme it was built with, so switch first, then build. The
widgets' half of the switch (larger controls, CSS) is ``vk.theme`` in
:mod:`vizkit.widgets.theme`, which calls :func:`use_theme`.

Example:
    >>> from vizkit.render.theme import current_theme, use_theme
    >>> current_theme().name
    'notebook'
    >>> use_theme("lecture").font_size(11)
    16
    >>> use_theme("notebook").font_size(11)
    11
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any, Literal, get_args

import plotly.graph_objects as go
import plotly.io as pio

__all__ = [
    "THEMES",
    "THEME_ENV",
    "Theme",
    "ThemeName",
    "current_theme",
    "theme_from_env",
    "use_theme",
]

ThemeName = Literal["notebook", "lecture"]
THEME_NAMES: tuple[str, ...] = get_args(ThemeName)
LECTURE_TEMPLATE = "vizkit_lecture"
# The theme ``vk.theme()`` (no name) picks: ``make present`` sets it to "lecture" for Voilà.
THEME_ENV = "VIZKIT_THEME"
# Okabe & Ito's colour-blind-safe palette, darkest first (yellow last: weak on a projector).
HIGH_CONTRAST = ("#0072b2", "#d55e00", "#009e73", "#cc79a7", "#000000", "#56b4e9", "#e69f00")


@dataclass(frozen=True)
class Theme:
    """How large and how dark vizkit draws.

    Attributes:
        name: ``"notebook"`` or ``"lecture"``.
        font_scale: multiplies every font size a figure builder sets.
        line_scale: multiplies outline and curve widths a figure builder sets.
        cell_px: pixels per cell of the cell-grid animations (before fitting the width).
        max_width_px: the widest a cell-grid animation may grow.
        text_color: cell numbers, labels and captions.
        template: plotly template laid over the user's default (``""``: none).
    """

    name: ThemeName
    font_scale: float
    line_scale: float
    cell_px: float
    max_width_px: float
    text_color: str
    template: str

    def font_size(self, size: float) -> int:
        """``size`` scaled for this theme, in whole pixels.

        Example:
            >>> THEMES["lecture"].font_size(12), THEMES["notebook"].font_size(12)
            (18, 12)
        """
        return max(1, round(size * self.font_scale))

    def font(self, size: float, **extra: Any) -> dict[str, Any]:
        """A plotly font dict: the scaled size and the theme's text colour (``extra`` wins)."""
        return {"size": self.font_size(size), "color": self.text_color, **extra}

    def line_width(self, width: float) -> float:
        """A line width scaled for this theme."""
        return round(width * self.line_scale, 2)


THEMES: dict[str, Theme] = {
    "notebook": Theme(
        name="notebook",
        font_scale=1.0,
        line_scale=1.0,
        cell_px=34.0,
        max_width_px=900.0,
        text_color="#222",
        template="",
    ),
    "lecture": Theme(
        name="lecture",
        font_scale=1.5,
        line_scale=1.6,
        cell_px=48.0,
        max_width_px=1250.0,
        text_color="#000",
        template=LECTURE_TEMPLATE,
    ),
}


def _lecture_template() -> go.layout.Template:
    """Defaults for whatever a figure does not set itself: large, black, thick."""
    axis = {
        "tickfont": {"size": 16, "color": "#000"},
        "title": {"font": {"size": 18, "color": "#000"}},
        "linecolor": "#000",
        "linewidth": 2,
        "gridcolor": "#b0b0b0",
        "gridwidth": 1.5,
        "zerolinecolor": "#333",
        "zerolinewidth": 2,
    }
    return go.layout.Template(
        layout={
            "font": {"size": 18, "color": "#000"},
            "title": {"font": {"size": 22, "color": "#000"}},
            "colorway": list(HIGH_CONTRAST),
            "xaxis": axis,
            "yaxis": axis,
            "legend": {"font": {"size": 16}},
            "hoverlabel": {"font": {"size": 16}},
            "annotationdefaults": {"font": {"size": 16, "color": "#000"}},
            "sliderdefaults": {"font": {"size": 16}},
            "updatemenudefaults": {"font": {"size": 16}},
        },
        data={
            "scatter": [go.Scatter(line={"width": 3}, marker={"size": 9})],
            "bar": [go.Bar(textfont={"size": 16})],
            "heatmap": [go.Heatmap(textfont={"size": 16})],
        },
    )


class _ThemeState:
    """The registry's one piece of mutable state: the current theme, and the plotly default
    template it replaced (restored on the way back to ``"notebook"``)."""

    def __init__(self) -> None:
        self.current: Theme = THEMES["notebook"]
        self.replaced_default: str | None = None
        self.set_default: str | None = None


_STATE = _ThemeState()


def current_theme() -> Theme:
    """The theme figures are built with now (``"notebook"`` until :func:`use_theme`)."""
    return _STATE.current


def _check_name(name: object) -> Theme:
    if not isinstance(name, str):
        raise TypeError(f"theme must be a str, one of {THEME_NAMES}; got {name!r}")
    theme = THEMES.get(name)
    if theme is None:
        raise ValueError(
            f"unknown theme {name!r}: use one of {', '.join(map(repr, THEME_NAMES))} "
            '(vk.theme("lecture") for a projector, vk.theme("notebook") to go back)'
        )
    return theme


def theme_from_env() -> ThemeName:
    """The theme named by the ``VIZKIT_THEME`` environment variable (``"notebook"`` if unset).

    Raises:
        ValueError: the variable names no theme.
    """
    name = os.environ.get(THEME_ENV, "").strip() or "notebook"
    if name not in THEMES:
        raise ValueError(
            f"{THEME_ENV}={name!r} is not a theme: set it to one of "
            f"{', '.join(map(repr, THEME_NAMES))}, or unset it"
        )
    return THEMES[name].name


def use_theme(name: ThemeName) -> Theme:
    """Make ``name`` the theme of every figure built from now on; return it.

    Sets plotly's default template too: ``"lecture"`` lays :data:`LECTURE_TEMPLATE` over
    the default in place (``"plotly"`` → ``"plotly+vizkit_lecture"``); ``"notebook"`` puts
    back the default it replaced, unless someone changed the default since.

    Args:
        name: ``"notebook"`` or ``"lecture"``.

    Returns:
        The :class:`Theme` now current.

    Raises:
        TypeError: ``name`` is not a string.
        ValueError: ``name`` is not one of the themes.
    """
    theme = _check_name(name)
    if LECTURE_TEMPLATE not in pio.templates:
        pio.templates[LECTURE_TEMPLATE] = _lecture_template()
    default = pio.templates.default
    ours = _STATE.set_default is not None and default == _STATE.set_default
    if theme.template:
        base = _STATE.replaced_default if ours else default
        combined = f"{base}+{theme.template}" if base and base != "none" else theme.template
        _STATE.replaced_default, _STATE.set_default = base, combined
        pio.templates.default = combined
    elif ours:
        pio.templates.default = _STATE.replaced_default
        _STATE.replaced_default = _STATE.set_default = None
    _STATE.current = theme
    return theme
