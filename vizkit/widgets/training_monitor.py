"""TrainingMonitor: live loss/accuracy curves and a Stop button, as a training callback."""

from __future__ import annotations

import html
import time

import ipywidgets as widgets

from vizkit._validate import check_int, check_str
from vizkit.render.training import training_curves_figure, update_training_curves
from vizkit.train.callbacks import StopRequest
from vizkit.train.loop import Callback, TrainState
from vizkit.widgets._figure_widget import FigureWidget
from vizkit.widgets._kernel_clicks import on_click_now

__all__ = ["TrainingMonitor"]


class TrainingMonitor(widgets.VBox, Callback):
    """Live training curves: show the widget, then pass it to ``fit(callbacks=[...])``.

    The figure is a ``go.FigureWidget`` updated in place (no flicker, no new output) every
    ``every`` steps and after every evaluation; the status line shows step, loss, best
    accuracy and elapsed time.

    Stopping: a click on :attr:`stop_button` (or :meth:`stop`, from code or another thread)
    asks ``fit`` to stop after the current step; it ends with ``stop_reason "stopped"`` and
    the best model so far (:func:`~vizkit.train.compare_training` then also skips the nets
    not yet trained). Training runs in the cell that called ``fit``: that cell stays busy
    (``[*]``, the kernel indicator busy) until training ends, and the next cells wait for it.
    The click still reaches the loop while the cell runs — on ipykernel ≥ 7.4, whose shell
    channel thread sees it (:mod:`vizkit.widgets._kernel_clicks`); :attr:`stops_while_busy`
    says whether that works in this kernel. Where it does not, interrupt the kernel
    (Jupyter's ■): ``fit`` catches the interrupt and also keeps the best model.

    Args:
        every: Redraw every this many steps (redrawing costs ~ms; keep it ≥ 10 on the CPU).
        title: Figure title.

    Attributes:
        figure: The ``go.FigureWidget``.
        status: The ``HTML`` status line.
        stop_button: ``Button`` that calls :meth:`stop` (enabled while training runs).
        redraws: How many times the figure was redrawn.
        stops_while_busy: Whether a click on Stop reaches a training loop that blocks its
            cell (ipykernel ≥ 7.4); otherwise only ■ (interrupt) stops it.

    Raises:
        TypeError: ``every`` not an int, ``title`` not a str.
        ValueError: ``every`` < 1.
    """

    def __init__(self, *, every: int = 20, title: str = "Training") -> None:
        every = check_int("every", every, minimum=1, fix="use e.g. every=20 (steps per redraw)")
        title = check_str("title", title, empty=True)
        self.every = every
        self.figure = FigureWidget(training_curves_figure(title=title))
        self.status = widgets.HTML("<i>waiting for training to start…</i>")
        self.stop_button = widgets.Button(
            description="■ Stop",
            button_style="danger",
            disabled=True,
            tooltip="stop after the current step and keep the best model so far",
        )
        self.stop_button.on_click(lambda _button: self.stop())
        self.redraws = 0
        self._last = 0.0
        self._running = False
        self._request = StopRequest()
        # the click as it arrives, while the training cell still blocks the main thread; the
        # loop picks the request up after its current step (on the main thread)
        self.stops_while_busy = on_click_now(self.stop_button, self._request.request)
        if not self.stops_while_busy:
            self.stop_button.tooltip += " (while a cell runs: interrupt the kernel, ■)"
        super().__init__([self.figure, widgets.HBox([self.stop_button, self.status])])

    @property
    def stop_requested(self) -> bool:
        """True once :meth:`stop` was called during the current run."""
        return self._request.requested

    def stop(self) -> None:
        """Ask the training this monitor watches to stop after the current step.

        Does nothing when no training runs (a click queued while the cell ran reaches this
        only after the run ended).
        """
        if not self._running:
            return
        self._request.request()
        self.stop_button.disabled = True
        self.status.value += " · <b>stop requested</b>: finishing this step…"

    def _redraw(self, state: TrainState) -> None:
        update_training_curves(self.figure, state.history)
        self.redraws += 1
        best = "—" if state.best_accuracy < 0 else f"{state.best_accuracy:.1%}"
        reason = state.stop_reason
        if reason == "stopped":
            reason = f"stopped (Stop button): kept the best model, step {state.best_step}"
        self.status.value = (
            f"step {state.step} · epoch {state.epoch} · loss {state.loss:.4f} · best "
            f"validation accuracy {best} (step {state.best_step}) · {state.elapsed:.1f} s"
            + (f" · stopped: {html.escape(reason)}" if reason else "")
        )

    def on_train_start(self, state: TrainState) -> None:
        """Clear the curves and an old stop request; enable the Stop button."""
        self._request.on_train_start(state)
        self._running = True
        self.stop_button.disabled = False
        self._redraw(state)

    def on_step_end(self, state: TrainState) -> None:
        """Pass on a stop request; redraw every ``every`` steps."""
        self._request.on_step_end(state)
        if state.stop_reason == "stopped" and not self.stop_button.disabled:
            self.stop_button.disabled = True  # a click the kernel delivered early
            self._redraw(state)
        elif state.step % self.every == 0:
            self._redraw(state)

    def on_eval_end(self, state: TrainState) -> None:
        """Redraw after each evaluation (at most every 0.2 s)."""
        now = time.perf_counter()
        if now - self._last > 0.2:
            self._last = now
            self._redraw(state)

    def on_train_end(self, state: TrainState) -> None:
        """Final redraw with the stop reason; disable the Stop button."""
        self._running = False
        self.stop_button.disabled = True
        self._redraw(state)
