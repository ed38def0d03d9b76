"""training_comparison_figure and smooth, as data."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from vizkit.render.comparison import smooth, training_comparison_figure
from vizkit.train.loop import TrainHistory


def _run(label: str, scale: float) -> SimpleNamespace:
    h = TrainHistory(
        steps=[1, 2, 3],
        losses=[scale, scale / 2, scale / 4],
        eval_steps=[3],
        eval_accuracies=[0.5 / scale],
    )
    return SimpleNamespace(label=label, history=h, test_accuracy=0.25, steps=3)


def test_two_traces_per_run_in_order():
    fig = training_comparison_figure([_run("a", 1.0), _run("b", 2.0)], smoothing=1)
    assert [t.meta for t in fig.data] == ["a loss", "a accuracy", "b loss", "b accuracy"]
    assert list(fig.data[2].y) == [2.0, 1.0, 0.5]
    assert list(fig.data[3].y) == [0.25]
    assert fig.data[0].name == "a (test 25%, 3 steps)"


def test_smoothing():
    assert smooth([0.0, 2.0, 4.0, 6.0], 2) == [0.0, 1.0, 3.0, 5.0]
    assert smooth([1.0, 3.0], 1) == [1.0, 3.0]
    assert smooth([], 3) == []
    with pytest.raises(ValueError, match="window 0 is below 1: 1 means no smoothing"):
        smooth([1.0], 0)
    with pytest.raises(ValueError, match="runs is empty"):
        training_comparison_figure([])
