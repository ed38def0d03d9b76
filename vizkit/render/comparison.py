"""Several training runs side by side: loss and validation accuracy against steps.

Data in: anything with ``.label`` and ``.history`` (a :class:`vizkit.train.TrainHistory`),
e.g. the results of :func:`vizkit.train.deepnets.compare_training`. No torch here.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from vizkit._validate import check_int, describe
from vizkit.render._args import check_data, check_text

__all__ = ["smooth", "training_comparison_figure"]

COLORS = ("#4c78a8", "#f58518", "#54a24b", "#e45756", "#72b7b2", "#b279a2", "#ff9da6", "#9d755d")


def smooth(values: Sequence[float], window: int) -> list[float]:
    """Trailing moving average (the first points average what exists so far).

    Args:
        values: A curve.
        window: Points per average (1: unchanged).

    Returns:
        A list as long as ``values``.

    Raises:
        ValueError: ``window`` < 1.

    Example:
        >>> smooth([0.0, 2.0, 4.0, 6.0], 2)
        [0.0, 1.0, 3.0, 5.0]
    """
    window = check_int("window", window, minimum=1, fix="1 means no smoothing")
    if isinstance(values, str | bytes) or not hasattr(values, "__len__"):
        raise TypeError(f"values must be a list of numbers, got {describe(values)}")
    try:
        v = np.asarray(values, dtype=float)
    except (TypeError, ValueError) as err:
        raise TypeError(f"values must be a list of numbers ({err})") from None
    if v.ndim != 1:
        raise ValueError(f"values must be one curve (a flat list), got shape {v.shape}")
    if v.size == 0:
        return []
    c = np.cumsum(np.insert(v, 0, 0.0))
    idx = np.arange(1, v.size + 1)
    lo = np.maximum(idx - window, 0)
    return ((c[idx] - c[lo]) / (idx - lo)).tolist()


def training_comparison_figure(
    runs: Sequence[Any], *, smoothing: int = 5, title: str = "Training comparison"
) -> go.Figure:
    """Training loss (left, log scale) and validation accuracy (right) of several runs.

    Args:
        runs: Objects with ``.label`` (str) and ``.history`` (steps, losses, eval_steps,
            eval_accuracies); ``.test_accuracy`` and ``.steps`` are added to the legend when
            present.
        smoothing: Moving-average window for the training loss (1: raw).
        title: Figure title.

    Returns:
        ``go.Figure`` with two traces per run, in order: ``<label> loss``, ``<label> accuracy``.

    Raises:
        ValueError: ``runs`` is empty.
    """
    if isinstance(runs, str | bytes) or not isinstance(runs, Sequence):
        raise TypeError(
            f"runs must be a list of results (compare_training's), got {describe(runs)}"
        )
    if not runs:
        raise ValueError("runs is empty: pass the list compare_training returned")
    for run in runs:
        check_data("runs", run, ("label", "history"), "results with .label and .history")
    smoothing = check_int("smoothing", smoothing, minimum=1, maximum=100_000)
    check_text("title", title)
    fig = make_subplots(
        rows=1,
        cols=2,
        subplot_titles=(f"training loss (moving average of {smoothing})", "validation accuracy"),
    )
    for i, run in enumerate(runs):
        h, color = run.history, COLORS[i % len(COLORS)]
        label = run.label
        extra = []
        if getattr(run, "test_accuracy", None) is not None:
            extra.append(f"test {run.test_accuracy:.0%}")
        if getattr(run, "steps", None) is not None:
            extra.append(f"{run.steps} steps")
        legend = f"{label} ({', '.join(extra)})" if extra else label
        fig.add_trace(
            go.Scatter(
                x=list(h.steps),
                y=smooth(h.losses, smoothing),
                mode="lines",
                line={"color": color},
                name=legend,
                legendgroup=label,
                meta=f"{label} loss",
            ),
            1,
            1,
        )
        fig.add_trace(
            go.Scatter(
                x=list(h.eval_steps),
                y=list(h.eval_accuracies),
                mode="lines+markers",
                line={"color": color},
                name=legend,
                legendgroup=label,
                showlegend=False,
                meta=f"{label} accuracy",
            ),
            1,
            2,
        )
    fig.update_xaxes(title_text="step")
    fig.update_yaxes(type="log", dtick="D2", row=1, col=1)  # 1, 2, 5 labelled: not every digit
    fig.update_yaxes(range=[0, 1.02], tickformat=".0%", row=1, col=2)
    fig.update_layout(
        title={"text": title, "x": 0.01, "xanchor": "left"},
        height=400,
        width=980,
        margin={"t": 70, "b": 50},
    )
    return fig
