"""Training curves: loss and accuracy against steps, redrawable in place while training."""

from __future__ import annotations

from typing import TYPE_CHECKING

import plotly.graph_objects as go
from plotly.subplots import make_subplots

from vizkit.render._args import check_data, check_figure, check_text
from vizkit.render.theme import current_theme

if TYPE_CHECKING:
    from vizkit.train.loop import TrainHistory

__all__ = ["training_curves_figure", "update_training_curves"]


def training_curves_figure(
    history: TrainHistory | None = None, *, title: str = "Training"
) -> go.Figure:
    """Loss (left) and validation accuracy (right) against optimiser steps.

    Args:
        history: A :class:`~vizkit.train.TrainHistory` (or anything with its list
            attributes); ``None`` gives empty curves to fill while training.
        title: Figure title.

    Returns:
        ``go.Figure`` with three traces in a fixed order: ``train loss``, ``val loss``,
        ``val accuracy`` (:func:`update_training_curves` relies on it).
    """
    check_text("title", title)
    if history is not None:
        _check_history(history)
    fig = make_subplots(rows=1, cols=2, subplot_titles=("loss", "validation accuracy"))
    fig.add_trace(
        go.Scatter(name="train loss", mode="lines", line={"width": current_theme().line_width(1)}),
        1,
        1,
    )
    fig.add_trace(go.Scatter(name="val loss", mode="lines+markers"), 1, 1)
    fig.add_trace(go.Scatter(name="val accuracy", mode="lines+markers", showlegend=True), 1, 2)
    fig.update_xaxes(title_text="step")
    fig.update_yaxes(type="log", dtick="D2", row=1, col=1)  # 1, 2, 5 labelled: not every digit
    fig.update_yaxes(range=[0, 1.02], tickformat=".0%", row=1, col=2)
    fig.update_layout(
        title={"text": title, "x": 0.01, "xanchor": "left"},
        height=360,
        width=900,
        margin={"t": 70, "b": 50},
    )
    if history is not None:
        update_training_curves(fig, history)
    return fig


def _check_history(history: object) -> None:
    check_data(
        "history",
        history,
        ("steps", "losses", "eval_steps", "eval_losses", "eval_accuracies"),
        "a TrainHistory (vizkit.train's fit result .history)",
    )


def update_training_curves(fig: go.Figure, history: TrainHistory) -> None:
    """Replace the curves' data in place (works on a ``go.FigureWidget`` while it is shown).

    Args:
        fig: A figure from :func:`training_curves_figure`.
        history: The history to draw.
    """
    check_figure("fig", fig, 3, "training_curves_figure")
    _check_history(history)
    with fig.batch_update():
        fig.data[0].x, fig.data[0].y = list(history.steps), list(history.losses)
        fig.data[1].x, fig.data[1].y = list(history.eval_steps), list(history.eval_losses)
        fig.data[2].x, fig.data[2].y = list(history.eval_steps), list(history.eval_accuracies)
        if history.eval_accuracies:
            best = max(history.eval_accuracies)
            fig.layout.annotations[1].text = f"validation accuracy (best {best:.1%})"
