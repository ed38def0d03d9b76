"""DIPPanel: watch Deep Image Prior restore an image, stop it when it looks best, scrub back.

Wiring only: the fit is :mod:`vizkit.dip`'s, the pictures :mod:`vizkit.render.dip`'s. Three
panels (corrupted input, current output, best output so far) and the PSNR curve are
``go.FigureWidget``\\ s updated in place; afterwards a slider scrubs through the snapshots.
Errors appear in the status line, not as tracebacks.

Two ways to run, one fit at a time:

- :meth:`DIPPanel.run` (what "Run All" does) fits in the calling cell: the cell stays busy
  (``[*]``, the kernel indicator busy) until the fit ends, and the cells below wait for its
  result. Stop still works while the cell runs — on ipykernel ≥ 7.4, whose shell channel
  thread delivers the click at once (:mod:`vizkit.widgets._kernel_clicks`;
  :attr:`DIPPanel.stops_while_busy` says whether this kernel does); elsewhere interrupt the
  kernel (■): the fit catches the interrupt. Either way the best result is kept.
- The Start button fits in a background thread: the kernel is free meanwhile (its indicator
  shows idle, other cells run, more slowly) and the status line says so; Stop ends it.

If a Start-ed fit is already running, :meth:`~DIPPanel.run` says so in the status line and
waits for that fit instead of starting a second one.
"""

from __future__ import annotations

import html
import threading
from typing import Any, Literal

import ipywidgets as widgets
import numpy as np

from vizkit._validate import check_choice, check_int
from vizkit.render.dip import (
    dip_images_figure,
    psnr_curve_figure,
    update_image,
    update_psnr_curve,
)
from vizkit.widgets._dip_options import check_task_options
from vizkit.widgets._figure_widget import FigureWidget
from vizkit.widgets._kernel_clicks import on_click_now

__all__ = ["DIPPanel"]

TaskName = Literal["denoise", "inpaint", "super_resolve"]


def _psnr(a: np.ndarray, b: np.ndarray) -> float:
    mse = float(np.mean((np.asarray(a, np.float64) - np.asarray(b, np.float64)) ** 2))
    return float("inf") if mse == 0 else 10.0 * np.log10(1.0 / mse)


#: Options the panel sets itself for every run (its Stop button and live redraws).
_PANEL_OWNED = ("stop", "callback", "callback_every", "clean", "mask", "factor")


def _check_options(task: str, options: dict[str, Any]) -> None:
    """``**options`` checked when the panel is made, not only when a run starts: the names
    the task and :func:`vizkit.dip.fit` take, and the values of the common ones."""
    check_task_options(
        task,
        options,
        owned=_PANEL_OWNED,
        why="Stop button, redraws, images",
        fix="pass it as DIPPanel's own argument or leave it out",
    )


class DIPPanel(widgets.VBox):
    """A live Deep Image Prior run: Start / Stop, images, PSNR curve, snapshot slider.

    Args:
        task: ``"denoise"``, ``"inpaint"`` or ``"super_resolve"``.
        corrupted: The image to restore, ``(H, W, 3)`` in ``[0, 1]`` (the low-res image for
            super-resolution).
        clean: The clean image if known (PSNR curve and best image).
        mask: Inpainting mask (1 = known, 0 = hole); required for ``"inpaint"``.
        factor: Super-resolution factor.
        every: Redraw every this many steps (redraws cost a few ms).
        **options: Passed to the task (``preset``, ``steps``, ``seed``, ``device``,
            ``network``, ``input``, ``snapshot_every``...).

    Attributes:
        images: ``go.FigureWidget`` with three image panels (input, current, best).
        curve: ``go.FigureWidget`` with the PSNR curve.
        start_button, stop_button: The buttons.
        slider: Snapshot scrubber (enabled when a run ends).
        status: ``HTML`` status line.
        result: The :class:`vizkit.dip.FitResult` of the last run, or ``None``.
        redraws: How many times the figures were redrawn.
        stops_while_busy: Whether a click on Stop reaches a fit that blocks its cell
            (:meth:`run`; ipykernel ≥ 7.4); otherwise only ■ (interrupt) stops it.

    Raises:
        TypeError, ValueError: A bad argument or option, when the panel is made (the same
            messages the status line would show): an unknown task or option name, ``every``
            below 1, ``factor`` outside 2 … 32, ``lr`` ≤ 0, an image of the wrong shape …
    """

    def __init__(
        self,
        task: TaskName,
        corrupted: Any,
        *,
        clean: Any = None,
        mask: Any = None,
        factor: int = 4,
        every: int = 10,
        **options: Any,
    ) -> None:
        import vizkit.dip as dip  # the torch side, loaded only when a panel is made

        task = check_choice("task", task, ("denoise", "inpaint", "super_resolve"))
        if task == "inpaint" and mask is None:
            raise ValueError(
                "task 'inpaint' needs mask= (1 = known pixel, 0 = hole): e.g. "
                "vizkit.dip.text_mask(image.shape[:2])"
            )
        every = check_int("every", every, minimum=1, fix="use e.g. every=10 (steps per redraw)")
        factor = check_int("factor", factor, minimum=2, maximum=32, fix="use 2, 4 or 8")
        _check_options(task, options)
        self._dip = dip
        self.task, self.factor, self.every = task, factor, every
        self.corrupted = dip.as_image(corrupted, "corrupted")
        self.clean = None if clean is None else dip.as_image(clean, "clean")
        self.mask = None if mask is None else dip.mask_from_image(mask, self.corrupted.shape[:2])
        self.options = options
        self.result: Any = None
        self.redraws = 0
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._running = threading.Lock()  # held while a fit runs

        shown = self.corrupted
        if self.mask is not None:
            shown = shown * self.mask[:, :, None]
        if task == "super_resolve":
            shown = np.repeat(np.repeat(shown, factor, axis=0), factor, axis=1)
        self._blank = np.full_like(shown, 0.5)
        titles = {"input": shown, "current output": self._blank, "best output": self._blank}
        if self.clean is not None and self.clean.shape == shown.shape:
            titles = {
                f"input ({_psnr(shown, self.clean):.2f} dB)": shown,
                "current output": self._blank,
                "best output": self._blank,
            }
        self.images = FigureWidget(dip_images_figure(titles, size=240))
        reference = (
            _psnr(shown, self.clean)
            if self.clean is not None and self.clean.shape == shown.shape
            else None
        )
        self.curve = FigureWidget(psnr_curve_figure(reference_psnr=reference))
        self.start_button = widgets.Button(description="Start", icon="play", button_style="success")
        self.stop_button = widgets.Button(description="Stop", icon="stop", disabled=True)
        self.slider = widgets.IntSlider(
            value=0, min=0, max=0, description="snapshot", disabled=True, continuous_update=True
        )
        self.status = widgets.HTML("<i>press Start (or call .run()) to fit the network</i>")
        self.start_button.on_click(lambda _: self.start())
        self.stop_button.on_click(lambda _: self.stop())
        self._background = False
        # the click as it arrives, also while run() blocks its cell; the fit checks the event
        # before every step
        self.stops_while_busy = on_click_now(self.stop_button, self._stop.set)
        if not self.stops_while_busy:
            self.stop_button.tooltip = "while a cell runs the fit: interrupt the kernel (■)"
        self.slider.observe(self._on_slider, names="value")
        super().__init__(
            [
                widgets.HBox([self.start_button, self.stop_button, self.slider]),
                self.status,
                self.images,
                self.curve,
            ]
        )

    # ---- running -----------------------------------------------------------------------
    @property
    def running(self) -> bool:
        """Whether a fit is running now."""
        return self._running.locked()

    def run(self) -> Any:
        """Fit in this thread (blocks until done or stopped); returns the ``FitResult``.

        In a notebook cell, the cell stays busy until the fit ends. Stop ends it early
        (where :attr:`stops_while_busy`; otherwise interrupt the kernel, ■), keeping the
        best result. If a fit is already running (e.g. started with Start), no second
        one starts: the status line says so and this waits for that fit and returns its
        result (Stop or an interrupt while waiting stops it too).

        Returns:
            The ``FitResult``, or ``None`` if the settings were invalid (the status line
            shows why).
        """
        if not self._running.acquire(blocking=False):
            return self._wait_for_running_fit()
        try:
            return self._run_locked()
        finally:
            self._running.release()

    def _wait_for_running_fit(self) -> Any:
        self.status.value = (
            "<i>a fit is already running (started with Start): waiting for "
            "it instead of starting a second one — press Stop, or interrupt "
            "the kernel (■) to end it; the best result is kept</i>"
        )
        if self._thread is threading.current_thread():  # pragma: no cover - defensive
            return None
        try:
            while not self._running.acquire(timeout=0.1):
                pass
        except KeyboardInterrupt:
            self.stop()
            self._running.acquire()
        self._running.release()
        return self.result

    def _run_locked(self) -> Any:
        self._background = threading.current_thread() is self._thread
        if not self._background:  # start() cleared it already: a Stop since then counts
            self._stop.clear()
        self.start_button.disabled, self.stop_button.disabled = True, False
        self.slider.disabled = True
        self.status.value = "<i>starting…</i>" + self._where()
        history: list[Any] = []
        options = {
            "progress": False,
            **self.options,
            "stop": self._stop,
            "callback": lambda state: self._on_step(state, history),
            "callback_every": 1,
        }
        try:
            if self.task == "denoise":
                result = self._dip.denoise(self.corrupted, clean=self.clean, **options)
            elif self.task == "inpaint":
                result = self._dip.inpaint(self.corrupted, self.mask, clean=self.clean, **options)
            else:
                result = self._dip.super_resolve(
                    self.corrupted, self.factor, clean=self.clean, **options
                )
        except (TypeError, ValueError, RuntimeError) as error:
            self.status.value = f"<b style='color:#b00'>{html.escape(str(error))}</b>"
            return None
        finally:
            self.start_button.disabled, self.stop_button.disabled = False, True
        self.result = result
        self._show_result(result)
        return result

    def start(self) -> None:
        """Run the fit in a background thread (the buttons stay responsive)."""
        if self.running or (self._thread is not None and self._thread.is_alive()):
            self.status.value = "<i>already running — press Stop first</i>"
            return
        self._stop.clear()
        self._thread = threading.Thread(target=self.run, daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Ask the running fit to stop after its current step (the best result is kept).

        Does nothing when no fit runs (a click queued while the cell ran reaches this only
        after the fit ended).
        """
        if not (self.running or (self._thread is not None and self._thread.is_alive())):
            return
        self._stop.set()
        self.status.value = "<i>stopping after this step…</i>"

    def _where(self) -> str:
        if self._background:
            return (
                " · <b>running in the background</b> (Start): the kernel is free meanwhile,"
                " so it shows idle — Stop ends the fit"
            )
        return " · Stop ends the fit early" if self.stops_while_busy else " · ■ ends it early"

    def wait(self, timeout: float | None = None) -> Any:
        """Wait for a :meth:`start`-ed run to finish; returns the ``FitResult``."""
        if self._thread is not None:
            self._thread.join(timeout)
        return self.result

    # ---- drawing -----------------------------------------------------------------------
    def _on_step(self, state: Any, history: list[Any]) -> None:
        history.append(state.record)
        if state.step % self.every and state.step != state.steps - 1:
            return
        image = state.output[0].permute(1, 2, 0).float().cpu().numpy()
        update_image(self.images, 1, image, f"current output · step {state.step}")
        if state.best_output is not None:
            best = state.best_output[0].permute(1, 2, 0).float().cpu().numpy()
            update_image(self.images, 2, best, "best output so far")
        update_psnr_curve(self.curve, history)
        self.redraws += 1
        psnr = state.record.psnr
        self.status.value = (
            f"step {state.step + 1}/{state.steps} · loss {state.record.loss:.5f}"
            + (f" · PSNR {psnr:.2f} dB" if psnr is not None else "")
            + (" · <b>stopping</b>…" if self._stop.is_set() else self._where())
        )

    def _show_result(self, result: Any) -> None:
        best = (
            f" · best {result.best_psnr:.2f} dB at step {result.best_step}"
            if result.best_psnr is not None
            else ""
        )
        update_image(self.images, 1, result.image, f"final output · step {result.steps - 1}")
        update_image(
            self.images,
            2,
            result.best_image,
            "best output"
            + (f" ({result.best_psnr:.2f} dB)" if result.best_psnr is not None else ""),
        )
        update_psnr_curve(self.curve, result.history)
        self.slider.max = max(0, len(result.snapshots) - 1)
        self.slider.value = self.slider.max
        self.slider.disabled = False
        self.status.value = (
            f"{html.escape(result.stop_reason)} after {result.steps} steps in "
            f"{result.seconds:.1f} s{best} · drag the slider to scrub "
            "snapshots"
        )

    def _on_slider(self, change: dict[str, Any]) -> None:
        if self.result is None:
            return
        snap = self.result.snapshots[change["new"]]
        psnr = f" ({snap.psnr:.2f} dB)" if snap.psnr is not None else ""
        update_image(self.images, 1, snap.image, f"snapshot · step {snap.step}{psnr}")
