"""choose_setup: the preset, image size and step count a machine runs Deep Image Prior with."""

from __future__ import annotations

import numpy as np
import pytest
import torch

import vizkit.device
from vizkit.dip.presets import Setup, choose_setup


@pytest.mark.parametrize(
    ("device", "quick", "preset", "size", "steps"),
    [
        ("cuda", False, "paper", 512, None),
        ("cuda", True, "paper", 64, 12),
        ("cpu", False, "cpu", 96, None),
        ("cpu", True, "cpu", 64, 12),
        ("mps", False, "cpu", 96, None),
    ],
)
def test_preset_and_sizes_follow_the_device_and_mode(
    monkeypatch, device, quick, preset, size, steps
):
    # pretend the device exists: choose_setup asks pick_device, which checks availability
    monkeypatch.setattr(vizkit.device, "pick_device", lambda preferred=None: torch.device(device))
    setup = choose_setup(device, quick=quick)
    assert setup == Setup(torch.device(device), preset, size, quick, steps)


def test_quick_mode_is_read_from_the_environment(monkeypatch):
    monkeypatch.setenv("VIZKIT_QUICK", "1")
    assert choose_setup("cpu").quick and choose_setup("cpu").size == 64
    monkeypatch.setenv("VIZKIT_QUICK", "0")
    assert choose_setup("cpu") == Setup(torch.device("cpu"), "cpu", 96, False, None)


def test_describe_and_photo():
    setup = choose_setup("cpu", quick=True)
    assert setup.describe() == "device cpu → preset 'cpu', images 64×64 (quick mode)"
    assert "quick" not in choose_setup("cpu", quick=False).describe()
    photo = setup.photo("astronaut")
    assert photo.shape == (64, 64, 3) and photo.dtype == np.float32
    assert 0.0 <= photo.min() and photo.max() <= 1.0 and photo.std() > 0.1


def test_unknown_device_is_refused_with_what_is_available():
    with pytest.raises(ValueError, match="not available"):
        choose_setup("cuda:7", quick=True)
