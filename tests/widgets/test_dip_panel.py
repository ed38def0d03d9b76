"""DIPPanel driven in code: run, live updates, stop keeps the best, scrubbing, errors."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

import comm
import numpy as np
import pytest

import vizkit.dip as dip
from tests.support import small_astronaut
from vizkit.widgets import _kernel_clicks
from vizkit.widgets.dip_panel import DIPPanel

TINY = {"network": dip.hourglass(8, 8, 3, 2), "seed": 0}


pytestmark = pytest.mark.usefixtures("torch_one_thread")


@pytest.fixture
def clean() -> np.ndarray:
    return small_astronaut()


def test_run_updates_images_curve_and_slider(clean: np.ndarray) -> None:
    noisy = dip.add_noise(clean, 25)
    panel = DIPPanel("denoise", noisy, clean=clean, steps=12, every=5, snapshot_every=4, **TINY)
    blank = np.asarray(panel.images.data[1].z).copy()
    result = panel.run()
    assert result is panel.result and result.steps == 12
    assert panel.redraws == 4  # steps 0, 5, 10 and the last, 11
    assert len(panel.curve.data[0].x) == 12
    assert not np.array_equal(np.asarray(panel.images.data[1].z), blank)
    assert np.array_equal(
        np.asarray(panel.images.data[2].z),
        (np.clip(result.best_image, 0, 1) * 255 + 0.5).astype(np.uint8),
    )
    assert panel.images.layout.annotations[0].text.startswith("input (")
    assert not panel.slider.disabled and panel.slider.max == len(result.snapshots) - 1 == 3
    panel.slider.value = 0  # scrub back to the first snapshot
    assert np.array_equal(
        np.asarray(panel.images.data[1].z),
        (np.clip(result.snapshots[0].image, 0, 1) * 255 + 0.5).astype(np.uint8),
    )
    assert "step 0" in panel.images.layout.annotations[1].text
    assert "done after 12 steps" in panel.status.value


def test_stop_from_another_thread_keeps_the_best(clean: np.ndarray) -> None:
    panel = DIPPanel(
        "denoise", dip.add_noise(clean, 25), clean=clean, steps=100000, every=1, **TINY
    )
    panel.start()
    for _ in range(400):  # wait until a few steps ran, then press Stop
        if panel.redraws >= 3:
            break
        panel._thread.join(0.05)  # type: ignore[union-attr]
    panel.stop_button.click()
    result = panel.wait(timeout=60)
    assert result is not None and result.stop_reason == "stopped"
    assert 3 <= result.steps < 100000
    assert result.best_psnr == max(r.psnr for r in result.history)
    assert "stopped after" in panel.status.value and not panel.start_button.disabled


def test_inpaint_and_super_resolve_panels(clean: np.ndarray) -> None:
    mask = dip.hole_mask(64)
    panel = DIPPanel("inpaint", clean, mask=mask, clean=clean, steps=2, **TINY)
    assert np.asarray(panel.images.data[0].z)[32, 32].max() == 0  # holes shown black
    assert panel.run().image.shape == (64, 64, 3)
    low = dip.downsample(clean, 4)
    panel = DIPPanel("super_resolve", low, clean=clean, factor=4, steps=2, **TINY)
    assert np.asarray(panel.images.data[0].z).shape == (64, 64, 3)
    assert panel.run().image.shape == (64, 64, 3)


def test_errors_show_in_the_status_line(clean: np.ndarray) -> None:
    panel = DIPPanel("denoise", clean[:40], steps=2)  # too small for the cpu preset
    assert panel.run() is None
    assert "too small" in panel.status.value and not panel.start_button.disabled
    with pytest.raises(ValueError, match="task 'inpaint' needs mask="):
        DIPPanel("inpaint", clean)
    with pytest.raises(ValueError, match="task 'deblur' is not"):
        DIPPanel("deblur", clean)  # type: ignore[arg-type]


class _InterruptOnce:
    """A lock whose first waiting acquire raises KeyboardInterrupt (the kernel's ■)."""

    def __init__(self, lock: threading.Lock) -> None:
        self.lock, self.raised = lock, False

    def acquire(self, blocking: bool = True, timeout: float = -1) -> bool:
        if timeout > 0 and not self.raised:
            self.raised = True
            raise KeyboardInterrupt
        return self.lock.acquire(blocking, timeout)

    def release(self) -> None:
        self.lock.release()

    def locked(self) -> bool:
        return self.lock.locked()


def _started(panel: DIPPanel) -> None:
    panel.start()
    for _ in range(400):  # until the background fit has drawn a few steps
        if panel.redraws >= 2:
            break
        panel._thread.join(0.05)  # type: ignore[union-attr]
    assert panel.running


@pytest.mark.parametrize("how", ["stop button", "kernel interrupt"])
def test_run_while_a_started_fit_runs_waits_for_it_instead_of_a_second_fit(
    clean: np.ndarray, monkeypatch: pytest.MonkeyPatch, how: str
) -> None:
    fits = []
    real = dip.denoise

    def counting(*args: Any, **kwargs: Any) -> Any:
        fits.append(threading.current_thread().name)
        return real(*args, **kwargs)

    monkeypatch.setattr(dip, "denoise", counting)
    panel = DIPPanel(
        "denoise", dip.add_noise(clean, 25), clean=clean, steps=100000, every=1, **TINY
    )
    statuses: list[str] = []
    panel.status.observe(lambda change: statuses.append(change["new"]), names="value")
    _started(panel)
    if how == "stop button":
        timer = threading.Timer(0.5, panel.stop_button.click)
        timer.start()
    else:
        panel._running = _InterruptOnce(panel._running)  # type: ignore[assignment]
    result = panel.run()  # what the notebook cell does while the Start-ed fit runs
    assert len(fits) == 1 and fits[0] != threading.current_thread().name  # no second fit
    assert result is not None and result is panel.result and result.stop_reason == "stopped"
    assert any(
        "a fit is already running (started with Start): waiting for it" in s for s in statuses
    )
    assert not panel.running and not panel.start_button.disabled
    panel.start_button.click()  # the panel is free again: a new fit can start
    panel.stop()
    assert panel.wait(timeout=60) is not None and len(fits) == 2


def test_start_while_running_is_refused(clean: np.ndarray) -> None:
    panel = DIPPanel(
        "denoise", dip.add_noise(clean, 25), clean=clean, steps=100000, every=1, **TINY
    )
    _started(panel)
    thread = panel._thread
    panel.start_button.click()
    assert panel._thread is thread and "already running" in panel.status.value
    panel.stop()
    assert panel.wait(timeout=60).stop_reason == "stopped"


def _click_after_redraws(panel: DIPPanel, click: Callable[[], Any], n: int = 3) -> threading.Thread:
    """Press Stop from another thread once ``n`` redraws happened (at the latest after 60 s,
    so a test cannot hang)."""

    def run() -> None:
        deadline = time.monotonic() + 60
        while panel.redraws < n and time.monotonic() < deadline:
            time.sleep(0.02)
        click()

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread


def test_a_click_from_another_thread_stops_run_in_this_thread(clean: np.ndarray) -> None:
    """run() — what "Run All" executes — blocks this thread; Stop still ends it, best kept."""
    panel = DIPPanel(
        "denoise", dip.add_noise(clean, 25), clean=clean, steps=100000, every=1, **TINY
    )
    clicker = _click_after_redraws(panel, panel.stop_button.click)
    result = panel.run()
    clicker.join(10)
    assert not clicker.is_alive()
    assert result is not None and result.stop_reason == "stopped"
    assert 3 <= result.steps < 100000
    assert result.best_psnr == max(r.psnr for r in result.history)
    assert result.best_step is not None and result.best_step < result.steps
    assert "stopped after" in panel.status.value and not panel.start_button.disabled


def test_a_click_the_kernel_delivers_while_run_blocks_stops_the_fit(
    clean: np.ndarray, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The shell channel thread's path (ipykernel ≥ 7.4, simulated): the routing hook sets
    the stop event while run() blocks; the queued on_click after the fit changes nothing."""
    monkeypatch.setattr(_kernel_clicks, "kernel_routes_comms", lambda: True)
    monkeypatch.setattr(
        comm.DummyComm, "_reply_subshell_for", lambda self, data, default: default, raising=False
    )
    panel = DIPPanel(
        "denoise", dip.add_noise(clean, 25), clean=clean, steps=100000, every=1, **TINY
    )
    assert panel.stops_while_busy and "Stop ends the fit" in panel._where()
    route = panel.stop_button.comm._reply_subshell_for
    click = {"method": "custom", "content": {"event": "click"}}
    clicker = _click_after_redraws(panel, lambda: route(click, None))
    result = panel.run()
    clicker.join(10)
    assert result is not None and result.stop_reason == "stopped" and result.steps < 100000
    assert result.best_psnr == max(r.psnr for r in result.history)
    status = panel.status.value
    panel.stop_button.click()  # the click, handled by the main thread after the cell
    assert panel.status.value == status and not panel.running


def test_start_says_the_fit_runs_in_the_background(clean: np.ndarray) -> None:
    panel = DIPPanel(
        "denoise", dip.add_noise(clean, 25), clean=clean, steps=100000, every=1, **TINY
    )
    statuses: list[str] = []
    panel.status.observe(lambda change: statuses.append(change["new"]), names="value")
    _started(panel)
    panel.stop()
    assert panel.wait(timeout=60).stop_reason == "stopped"
    assert any("running in the background" in s and "kernel is free" in s for s in statuses)
