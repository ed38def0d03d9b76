"""TrainingMonitor as a callback: the FigureWidget fills while fit runs."""

from __future__ import annotations

import threading

import comm
import pytest
import torch
from torch import nn
from torch.utils.data import TensorDataset

from tests.support import RuinThenStop, blobs
from vizkit.train import Callback, TrainState, evaluate, fit
from vizkit.widgets import _kernel_clicks
from vizkit.widgets.training_monitor import TrainingMonitor

CLICK = {"method": "custom", "content": {"event": "click"}}


def test_monitor_updates_during_training():
    torch.manual_seed(0)
    data = TensorDataset(torch.randn(64, 1, 4, 4), torch.arange(64) % 2)
    model = nn.Sequential(nn.Flatten(), nn.Linear(16, 2))
    monitor = TrainingMonitor(every=2)
    result = fit(
        model,
        data,
        val=data,
        steps=8,
        batch_size=16,
        eval_every=4,
        callbacks=[monitor],
        progress=False,
        device="cpu",
    )
    assert list(monitor.figure.data[0].x) == list(range(1, 9))
    assert list(monitor.figure.data[2].x) == [4, 8]
    assert monitor.redraws >= 5
    assert "step 8" in monitor.status.value and "stopped: steps" in monitor.status.value
    assert result.steps == 8


def test_stop_button_stops_training_and_keeps_the_best_model():
    torch.manual_seed(0)
    model = nn.Sequential(
        nn.Conv2d(1, 4, 3, padding=1), nn.ReLU(), nn.Flatten(), nn.Linear(4 * 64, 2)
    )
    val = blobs(seed=1)
    monitor = TrainingMonitor(every=5)
    assert monitor.stop_button.disabled  # nothing to stop yet

    def click_stop() -> None:
        assert not monitor.stop_button.disabled  # enabled while training runs
        monitor.stop_button.click()

    # the clicker runs first, so the monitor sees the request in the same step
    result = fit(
        model,
        blobs(),
        val=val,
        steps=500,
        lr=1e-2,
        eval_every=10,
        callbacks=[RuinThenStop(23, click_stop), monitor],
        progress=False,
        device="cpu",
    )
    assert result.stop_reason == "stopped" and result.steps == 23
    assert monitor.stop_requested and monitor.stop_button.disabled
    assert "Stop button" in monitor.status.value and "kept the best model" in monitor.status.value
    assert result.best_step <= 20 and result.best_accuracy > 0.9  # zeroed weights score 0.5
    assert evaluate(result.model, val)[1] == result.best_accuracy
    # a new run starts without the old request
    again = fit(result.model, blobs(), steps=4, callbacks=[monitor], progress=False, device="cpu")
    assert again.stop_reason == "steps" and not monitor.stop_requested


def test_stop_from_code_takes_effect_at_the_next_step():
    class StopAt(Callback):
        def on_step_end(self, state: TrainState) -> None:
            if state.step == 6:
                monitor.stop()

    monitor = TrainingMonitor(every=2)
    data = blobs(32)
    # the monitor runs before the stopper: it sees the request one step later
    result = fit(
        nn.Sequential(nn.Flatten(), nn.Linear(64, 2)),
        data,
        steps=50,
        callbacks=[monitor, StopAt()],
        progress=False,
        device="cpu",
    )
    assert result.stop_reason == "stopped" and result.steps == 7


def _conv_net() -> nn.Module:
    torch.manual_seed(0)
    return nn.Sequential(
        nn.Conv2d(1, 4, 3, padding=1), nn.ReLU(), nn.Flatten(), nn.Linear(4 * 64, 2)
    )


class RuinAndWait(Callback):
    """At step ``at``: zero the weights, let another thread press Stop, wait until it did."""

    def __init__(self, at: int) -> None:
        self.at = at
        self.reached, self.clicked = threading.Event(), threading.Event()

    def on_step_end(self, state: TrainState) -> None:
        if state.step == self.at:
            with torch.no_grad():
                for p in state.model.parameters():
                    p.fill_(0.0)
            self.reached.set()
            assert self.clicked.wait(30), "the other thread never clicked"


def _click_when(ruin: RuinAndWait, click: object) -> threading.Thread:
    def run() -> None:
        if ruin.reached.wait(60):
            click()  # type: ignore[operator]
            ruin.clicked.set()

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread


def test_a_click_from_another_thread_mid_training_stops_it_with_the_best_model():
    val = blobs(seed=1)
    monitor = TrainingMonitor(every=5)
    ruin = RuinAndWait(23)
    clicker = _click_when(ruin, monitor.stop_button.click)
    result = fit(
        _conv_net(),
        blobs(),
        val=val,
        steps=10**6,
        seconds=60,  # a bound, should the click never land
        lr=1e-2,
        eval_every=10,
        callbacks=[ruin, monitor],
        progress=False,
        device="cpu",
    )
    clicker.join(10)
    assert not clicker.is_alive()
    assert result.stop_reason == "stopped" and result.steps == 23
    assert result.best_step <= 20 and result.best_accuracy > 0.9  # the ruined weights: 0.5
    assert evaluate(result.model, val)[1] == result.best_accuracy
    assert monitor.stop_button.disabled and "kept the best model" in monitor.status.value


@pytest.fixture
def kernel_delivers_clicks(monkeypatch: pytest.MonkeyPatch) -> None:
    """Pretend to be ipykernel ≥ 7.4: comms have the routing hook and the kernel uses it."""
    monkeypatch.setattr(_kernel_clicks, "kernel_routes_comms", lambda: True)
    monkeypatch.setattr(
        comm.DummyComm, "_reply_subshell_for", lambda self, data, default: default, raising=False
    )


@pytest.mark.usefixtures("kernel_delivers_clicks")
def test_a_click_the_kernel_delivers_while_the_cell_blocks_stops_training():
    """What the shell channel thread does with a click while ``fit`` blocks the main thread:
    it calls the comm's routing hook; the button's on_click handlers run only after the
    cell (simulated at the end), and then change nothing."""
    val = blobs(seed=1)
    monitor = TrainingMonitor(every=5)
    assert monitor.stops_while_busy
    handled: list[object] = []
    monitor.stop_button.on_click(handled.append)
    ruin = RuinAndWait(23)
    route = monitor.stop_button.comm._reply_subshell_for
    clicker = _click_when(ruin, lambda: route(CLICK, None))
    result = fit(
        _conv_net(),
        blobs(),
        val=val,
        steps=10**6,
        seconds=60,
        lr=1e-2,
        eval_every=10,
        callbacks=[ruin, monitor],
        progress=False,
        device="cpu",
    )
    clicker.join(10)
    assert result.stop_reason == "stopped" and result.steps == 23 and handled == []
    assert evaluate(result.model, val)[1] == result.best_accuracy > 0.9
    status = monitor.status.value
    assert monitor.stop_button.disabled and "Stop button" in status
    monitor.stop_button.click()  # the queued click, handled after the cell ended
    assert len(handled) == 1 and monitor.status.value == status


def test_without_the_kernel_hook_the_button_says_to_interrupt():
    monitor = TrainingMonitor()
    assert not monitor.stops_while_busy
    assert "interrupt the kernel" in monitor.stop_button.tooltip
