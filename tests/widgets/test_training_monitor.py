"""TrainingMonitor as a callback: the FigureWidget fills while fit runs."""

from __future__ import annotations

import torch
from torch import nn
from torch.utils.data import TensorDataset

from vizkit.train import fit
from vizkit.widgets.training_monitor import TrainingMonitor


def test_monitor_updates_during_training():
    torch.manual_seed(0)
    data = TensorDataset(torch.randn(64, 1, 4, 4), torch.arange(64) % 2)
    model = nn.Sequential(nn.Flatten(), nn.Linear(16, 2))
    monitor = TrainingMonitor(every=2)
    result = fit(model, data, val=data, steps=8, batch_size=16, eval_every=4,
                 callbacks=[monitor], progress=False, device="cpu")
    assert list(monitor.figure.data[0].x) == list(range(1, 9))
    assert list(monitor.figure.data[2].x) == [4, 8]
    assert monitor.redraws >= 5
    assert "step 8" in monitor.status.value and "stopped: steps" in monitor.status.value
    assert result.steps == 8
