"""``vk.theme``: the projector theme for figures **and** widgets, in one call.

``vk.theme("lecture")`` does two things:

- figures: makes :mod:`vizkit.render.theme`'s ``"lecture"`` theme current, so every figure
  built afterwards has larger cell numbers, fonts and lines, black text and a high-contrast
  palette (vizkit's builders read the theme; a plotly template covers the rest);
- widgets: returns a :class:`ThemeStyle`, a one-line widget which, once displayed (leave the
  call as the cell's last expression), puts one ``<style>`` into the page and the class
  ``vizkit-lecture`` on ``<body>``: controls scaled up 1.3×, larger text and markdown.

``vk.theme("notebook")`` undoes both. Figures already on the page keep the theme they were
built with (run the cells again to rebuild them), which is why the call comes first.

``vk.theme()`` without a name takes the theme from the ``VIZKIT_THEME`` environment variable
(``"notebook"`` when unset): a notebook that starts with it is shown normally in JupyterLab
and in the lecture theme under ``make present``, which sets ``VIZKIT_THEME=lecture``.
"""

from __future__ import annotations

import anywidget
import traitlets

from vizkit.render.theme import THEME_NAMES, Theme, ThemeName, theme_from_env, use_theme

__all__ = ["LECTURE_CSS", "ThemeStyle", "theme"]

# Scoped by the body class, so switching back only changes the class. `zoom` scales an
# ipywidgets control with its fixed pixel widths (labels, sliders, status lines) in
# proportion; the --jp-* variables enlarge the text around them (markdown, printed output).
LECTURE_CSS = """
body.vizkit-lecture {
  --jp-content-font-size1: 20px;
  --jp-content-font-color1: #000;
  --jp-ui-font-size1: 17px;
  --jp-ui-font-color1: #000;
  --jp-code-font-size: 17px;
}
body.vizkit-lecture .jupyter-widgets.widget-inline-hbox,
body.vizkit-lecture .jupyter-widgets.widget-button,
body.vizkit-lecture .vizkit-keys-hint {
  zoom: 1.3;
}
/* once is enough: no compounding for controls inside a zoomed control (Play, ToggleButtons) */
body.vizkit-lecture .widget-inline-hbox .widget-inline-hbox,
body.vizkit-lecture .widget-inline-hbox .widget-button,
body.vizkit-lecture .widget-inline-hbox .vizkit-keys-hint {
  zoom: 1;
}
body.vizkit-lecture .widget-html-content { color: #000; }
body.vizkit-lecture .vizkit-keys-hint { color: #333; }
body.vizkit-lecture .vizkit-theme-note { display: none; }
"""

_ESM = """
const STYLE_ID = 'vizkit-theme-style';

function render({ model, el }) {
  const apply = () => {
    let style = document.getElementById(STYLE_ID);
    if (!style) {
      style = document.createElement('style');
      style.id = STYLE_ID;
      document.head.append(style);
    }
    style.textContent = model.get('_css_text');
    for (const name of model.get('_names')) document.body.classList.remove(`vizkit-${name}`);
    document.body.classList.add(`vizkit-${model.get('name')}`);
    el.className = 'vizkit-theme-note';
    el.textContent = model.get('_note');
  };
  apply();
  model.on('change', apply);
  return () => model.off('change', apply);
}

export default { render };
"""


class ThemeStyle(anywidget.AnyWidget):  # type: ignore[misc]
    """What ``vk.theme(name)`` returns: display it to restyle the page's widgets.

    Attributes:
        name: ``"notebook"`` or ``"lecture"``.
        theme: the figure side (:class:`vizkit.render.theme.Theme`) now current.
    """

    _esm = _ESM
    name = traitlets.Unicode("notebook").tag(sync=True)
    _names = traitlets.List(list(THEME_NAMES)).tag(sync=True)
    _css_text = traitlets.Unicode(LECTURE_CSS).tag(sync=True)
    _note = traitlets.Unicode("").tag(sync=True)

    def __init__(self, theme: Theme) -> None:
        # Shown on the page only in the notebook theme (the lecture CSS hides it), and empty
        # there: a student's notebook that starts with vk.theme() shows nothing.
        note = (
            "lecture theme: figures built from now on are larger and high-contrast, and so "
            'are the widgets; vk.theme("notebook") goes back'
            if theme.name == "lecture"
            else ""
        )
        super().__init__(name=theme.name, _note=note)
        self.theme = theme

    def __repr__(self) -> str:
        return f"ThemeStyle({self.name!r}){': ' + self._note if self._note else ''}"


def theme(name: ThemeName | None = None) -> ThemeStyle:
    """Switch vizkit between the ``"notebook"`` and the projector (``"lecture"``) theme.

    Figures built after the call use the theme (larger fonts, cell numbers and lines,
    high contrast); the returned widget, displayed, restyles the page's widgets. Leave the
    call as a cell's last expression so it is displayed.

    Args:
        name: ``"lecture"`` for a projector, ``"notebook"`` to go back; ``None``: the theme
            the ``VIZKIT_THEME`` environment variable names (``make present`` sets
            ``"lecture"``), else ``"notebook"``.

    Returns:
        A :class:`ThemeStyle` widget (one line of text; hidden in the lecture theme).

    Raises:
        TypeError: ``name`` is not a string.
        ValueError: ``name`` (or ``VIZKIT_THEME``) is not ``"notebook"`` or ``"lecture"``.

    Example:
        >>> import vizkit as vk
        >>> vk.theme("lecture").theme.font_size(11)
        16
        >>> vk.theme("notebook").name
        'notebook'
    """
    return ThemeStyle(use_theme(theme_from_env() if name is None else name))
