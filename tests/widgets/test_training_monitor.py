"""TrainingMonitor as a callback: the FigureWidget fills while fit runs."""

from __future__ import annotations

import torch
from torch import nn
from torch.utils.data import TensorDataset

from tests.support import RuinThenStop, blobs
from vizkit.train import Callback, TrainState, evaluate, fit
from vizkit.widgets.training_monitor import TrainingMonitor


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
