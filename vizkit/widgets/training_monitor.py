"""TrainingMonitor: a live loss/accuracy plot that is also a training callback."""

from __future__ import annotations

import html
import time

import ipywidgets as widgets
import plotly.graph_objects as go

from vizkit.render.training import training_curves_figure, update_training_curves
from vizkit.train.loop import Callback, TrainState

__all__ = ["TrainingMonitor"]


class TrainingMonitor(widgets.VBox, Callback):
    """Live training curves: show the widget, then pass it to ``fit(callbacks=[...])``.

    The figure is a ``go.FigureWidget`` updated in place (no flicker, no new output) every
    ``every`` steps and after every evaluation; the status line shows step, loss, best
    accuracy and elapsed time. To stop early, interrupt the kernel (Jupyter's ■ button):
    ``fit`` catches the interrupt and keeps the best model so far.

    Args:
        every: Redraw every this many steps (redrawing costs ~ms; keep it ≥ 10 on the CPU).
        title: Figure title.

    Attributes:
        figure: The ``go.FigureWidget``.
        status: The ``HTML`` status line.
        redraws: How many times the figure was redrawn.
    """

    def __init__(self, *, every: int = 20, title: str = "Training") -> None:
        if every < 1:
            raise ValueError(f"every {every} must be at least 1 step")
        self.every = every
        self.figure = go.FigureWidget(training_curves_figure(title=title))
        self.status = widgets.HTML("<i>waiting for training to start…</i>")
        self.redraws = 0
        self._last = 0.0
        super().__init__([self.figure, self.status])

    def _redraw(self, state: TrainState) -> None:
        update_training_curves(self.figure, state.history)
        self.redraws += 1
        best = "—" if state.best_accuracy < 0 else f"{state.best_accuracy:.1%}"
        self.status.value = (
            f"step {state.step} · epoch {state.epoch} · loss {state.loss:.4f} · best "
            f"validation accuracy {best} (step {state.best_step}) · {state.elapsed:.1f} s"
            + (f" · stopped: {html.escape(state.stop_reason)}" if state.stop_reason else "")
        )

    def on_train_start(self, state: TrainState) -> None:
        """Clear the curves."""
        self._redraw(state)

    def on_step_end(self, state: TrainState) -> None:
        """Redraw every ``every`` steps."""
        if state.step % self.every == 0:
            self._redraw(state)

    def on_eval_end(self, state: TrainState) -> None:
        """Redraw after each evaluation (at most every 0.2 s)."""
        now = time.perf_counter()
        if now - self._last > 0.2:
            self._last = now
            self._redraw(state)

    def on_train_end(self, state: TrainState) -> None:
        """Final redraw with the stop reason."""
        self._redraw(state)
