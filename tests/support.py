"""Helpers shared by several test files (fixtures live in ``conftest.py``).

``pytest`` runs with ``pythonpath = ["."]`` (pyproject), so tests import these as
``from tests.support import blobs``.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import torch
from torch import nn
from torch.utils.data import TensorDataset

from vizkit.data.datasets import DatasetSplit
from vizkit.train import Callback, TrainState


def blobs(n: int = 128, seed: int = 0) -> TensorDataset:
    """Two classes of noisy 1×8×8 images; class 1 is bright on top. Learnable in a few steps."""
    g = torch.Generator().manual_seed(seed)
    y = torch.arange(n) % 2
    x = torch.randn(n, 1, 8, 8, generator=g) * 0.5
    x[y == 1, :, :4] += 1.0
    return TensorDataset(x, y)


def tiny_split() -> DatasetSplit:
    """16 random 1×8×8 training images (4 of them again as the test set): the smallest split
    the training demos accept, for tests of their argument checks."""
    g = torch.Generator().manual_seed(0)
    x, y = torch.randn(16, 1, 8, 8, generator=g), torch.arange(16) % 10
    return DatasetSplit(
        train=TensorDataset(x, y), test=TensorDataset(x[:4], y[:4]), classes=(), name="t"
    )


def digits_subset(train: int, test: int, size: int = 16) -> DatasetSplit:
    """The first ``train`` / ``test`` images of ``vk.load_digits_split(size=size)``: real
    digits, few enough for a training demo to run in a test."""
    from vizkit.data.datasets import load_digits_split

    full = load_digits_split(size=size)
    (x, y), (tx, ty) = full.train.tensors, full.test.tensors
    return DatasetSplit(
        train=TensorDataset(x[:train], y[:train]),
        test=TensorDataset(tx[:test], ty[:test]),
        classes=full.classes,
        name=full.name,
    )


def tiny_model() -> nn.Module:
    """A Linear classifier of 4×4 inputs (3 classes)."""
    return nn.Sequential(nn.Flatten(), nn.Linear(16, 3))


def small_astronaut() -> np.ndarray:
    """64×64 astronaut (every 8th pixel of ``skimage.data.astronaut()``), float32 in [0, 1]."""
    from skimage import data

    return (data.astronaut()[::8, ::8] / 255.0).astype(np.float32)


class RuinThenStop(Callback):
    """After step ``at``: zero the weights (so "best so far" matters), then call ``stop``.

    ``stop`` is what a user does: ``StopRequest.request`` or a Stop button's ``click``.
    """

    def __init__(self, at: int, stop: Callable[[], None]) -> None:
        self.at, self.stop = at, stop

    def on_step_end(self, state: TrainState) -> None:
        if state.step == self.at:
            with torch.no_grad():
                for p in state.model.parameters():
                    p.fill_(0.0)
            self.stop()
