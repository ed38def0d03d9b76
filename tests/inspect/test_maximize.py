"""Activation maximisation: the objective rises; failures get a diagnostic."""

from __future__ import annotations

import pytest
import torch
from torch import nn

from vizkit.inspect.maximize import maximize_activation


def _model() -> nn.Module:
    torch.manual_seed(0)
    return nn.Sequential(nn.Conv2d(3, 4, 3), nn.ReLU(), nn.Conv2d(4, 4, 3), nn.ReLU())


def test_objective_rises_and_weights_are_untouched():
    model = _model()
    with torch.no_grad():  # channel 1 of layer "2" = a red-minus-green-and-blue detector
        model[0].weight.zero_()
        model[0].weight[0, 0] = 1.0
        model[0].weight[0, 1:] = -1.0
        model[0].bias.fill_(5.0)  # alive (positive) for a grey start
        model[2].weight[1].zero_()
        model[2].weight[1, 0, 1, 1] = 1.0
    before = [p.detach().clone() for p in model.parameters()]
    result = maximize_activation(model, "2", 1, size=24, steps=40, lr=0.1)
    red, others = result.image[..., 0].mean(), result.image[..., 1:].mean()
    assert red > others + 0.15 and others < 0.4  # it drew red (G and B pushed down)
    assert result.image.shape == (24, 24, 3)
    assert 0 <= result.image.min() and result.image.max() <= 1
    assert result.objective[-1] > result.objective[0]
    assert result.ok and result.diagnostic is None
    assert all(torch.equal(a, b) for a, b in zip(before, model.parameters(), strict=True))
    assert all(p.grad is None for p in model.parameters())


def test_dead_channel_and_tiny_lr_are_diagnosed():
    model = _model()
    with torch.no_grad():
        model[2].weight[3].zero_()
        model[2].bias[3] = -1.0  # ReLU(−1) = 0 everywhere: a dead unit
    dead = maximize_activation(model, "3", 3, size=16, steps=5)
    assert not dead.ok and "never responded" in dead.diagnostic
    flat = maximize_activation(model, "2", 0, size=16, steps=5, lr=1e-7)
    assert not flat.ok and "flat grey" in flat.diagnostic


def test_errors():
    model = _model()
    with pytest.raises(ValueError, match="channel 9 is out of range"):
        maximize_activation(model, "2", 9, size=16, steps=1)
    with pytest.raises(ValueError, match="steps 0 is below 1: use steps=1 or more"):
        maximize_activation(model, "2", 0, steps=0)
