"""Boxes of ``FigureWidget``\\ s that show the figure they hold, also in Voilà.

plotly keeps a ``FigureWidget``'s synced state (``_widget_data``, ``_widget_layout``) as it
was **created**, and sends later changes as messages; it refreshes the state only when the
figure itself is displayed. A figure inside a box is never displayed itself, so a page that
connects after the cell ran — Voilà, which runs the whole notebook first — builds the figure
from that first state: an explorer created empty and filled in ``__init__`` shows empty axes.
:class:`FigureBox` asks each figure in the box to refresh its state (plotly's own
``_repr_mimebundle_``) whenever the box is displayed.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import ipywidgets as widgets
import plotly.graph_objects as go

__all__ = ["FigureBox", "figure_widgets"]


def figure_widgets(widget: widgets.Widget) -> Iterator[go.FigureWidget]:
    """Every ``FigureWidget`` in ``widget`` and its children, depth first."""
    if isinstance(widget, go.FigureWidget):
        yield widget
    for child in getattr(widget, "children", ()):
        yield from figure_widgets(child)


class FigureBox(widgets.Box):
    """Mixin for a box holding ``FigureWidget``\\ s: each is synced when the box is shown.

    Put it first among the bases: ``class ConvExplorer(FigureBox, widgets.VBox)``.
    """

    def _repr_mimebundle_(self, **kwargs: Any) -> Any:
        for figure in figure_widgets(self):
            figure._repr_mimebundle_()  # plotly's refresh of the synced data and layout
        return super()._repr_mimebundle_(**kwargs)
