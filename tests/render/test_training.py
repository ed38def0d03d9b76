"""Training curves redrawn in place."""

from __future__ import annotations

from vizkit.render.training import training_curves_figure, update_training_curves
from vizkit.train import TrainHistory


def test_curves_follow_the_history():
    history = TrainHistory([1, 2, 3], [2.0, 1.0, 0.5], [3], [0.6], [0.8])
    fig = training_curves_figure()
    assert all(len(t.x or ()) == 0 for t in fig.data)
    update_training_curves(fig, history)
    assert list(fig.data[0].y) == [2.0, 1.0, 0.5] and list(fig.data[2].y) == [0.8]
    assert "best 80.0%" in fig.layout.annotations[1].text
