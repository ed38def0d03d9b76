"""train_digits: the fixed entry point (a short budget here; the 60 s figure is a benchmark)."""

from __future__ import annotations

import torch

from vizkit.train import DigitsCNN, train_digits


def test_digits_cnn_shapes():
    model = DigitsCNN()
    assert model(torch.zeros(2, 1, 32, 32)).shape == (2, 10)
    assert sum(p.numel() for p in model.parameters()) == 29738
    assert DigitsCNN(in_channels=3, image_size=28)(torch.zeros(1, 3, 28, 28)).shape == (1, 10)


def test_train_digits_learns_quickly():
    result = train_digits(seconds=60, epochs=2, device="cpu")
    assert 0.0 <= result.test_accuracy <= 1.0
    assert result.test_accuracy > 0.8  # chance is 0.1; two epochs are plenty for this
    assert result.seconds > 0 and result.steps == 2 * 36
    assert not result.model.training
