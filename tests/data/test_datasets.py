"""Offline digits, and torchvision's sets falling back to them when they cannot be had."""

from __future__ import annotations

from urllib.error import URLError

import pytest
import torch

from vizkit.data import DatasetSplit, load_cifar10, load_digits_split, load_mnist, natural_image


def test_digits_split_shapes_and_standardisation():
    split = load_digits_split(size=32)
    assert split.image_shape == (1, 32, 32)
    assert len(split.train) + len(split.test) == 1797
    assert len(split.test) == 450
    x, y = split.train.tensors
    assert x.dtype == torch.float32 and y.dtype == torch.int64
    assert abs(float(x.mean())) < 1e-4 and abs(float(x.std()) - 1) < 1e-3
    assert set(y.tolist()) == set(range(10))
    assert load_digits_split(size=16, channels=3).image_shape == (3, 16, 16)


def test_digits_split_is_seeded():
    a, b = load_digits_split(seed=1), load_digits_split(seed=1)
    assert torch.equal(a.test.tensors[1], b.test.tensors[1])
    assert not torch.equal(a.test.tensors[1], load_digits_split(seed=2).test.tensors[1])


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"size": 4}, "below the digits' native 8"),
        ({"channels": 2}, "channels must be 1"),
        ({"test_fraction": 1.0}, "strictly between 0 and 1"),
    ],
)
def test_digits_split_rejects_bad_values(kwargs, message):
    with pytest.raises(ValueError, match=message):
        load_digits_split(**kwargs)


@pytest.mark.parametrize(
    ("loader", "kind", "shape"),
    [(load_mnist, "MNIST", (1, 28, 28)), (load_cifar10, "CIFAR10", (3, 32, 32))],
)
def test_offline_fallback_says_so_in_one_line(monkeypatch, tmp_path, loader, kind, shape):
    import torchvision

    def offline(*args, **kwargs):
        raise URLError("[Errno -3] Temporary failure in name resolution")

    monkeypatch.setattr(torchvision.datasets, kind, offline)
    with pytest.warns(UserWarning, match=rf"{kind} is not available \(URLError") as record:
        split = loader(tmp_path)
    assert isinstance(split, DatasetSplit)
    assert split.name == "digits" and split.image_shape == shape
    assert split.note is not None and "\n" not in split.note and "offline digits" in split.note
    assert len(record) == 1
    with pytest.raises(URLError):
        loader(tmp_path, fallback=False)


def test_torchvision_path_when_data_is_available(monkeypatch, tmp_path):
    import torchvision

    class FakeMNIST:
        def __init__(self, root, train, download):
            n = 20 if train else 10
            self.data = torch.randint(0, 256, (n, 28, 28), dtype=torch.uint8)
            self.targets = torch.arange(n) % 10
            self.classes = [f"{d} - digit" for d in range(10)]

    monkeypatch.setattr(torchvision.datasets, "MNIST", FakeMNIST)
    split = load_mnist(tmp_path, limit=8)
    assert split.name == "mnist" and split.note is None
    assert len(split.train) == 8 and split.image_shape == (1, 28, 28)


def test_natural_image_formats():
    for name in ("astronaut", "camera"):
        image = natural_image(name)
        assert image.ndim == 3 and image.shape[2] == 3 and image.dtype.name == "float32"
        assert 0 <= image.min() and image.max() <= 1
    with pytest.raises(ValueError, match=r"not an image in skimage\.data"):
        natural_image("nonexistent")


def test_downloads_run_under_a_socket_timeout_that_is_restored(monkeypatch, tmp_path):
    """A stalled server must end in the fallback: torchvision's fetch sees a finite timeout."""
    import socket

    import torchvision

    from vizkit.data.download import DOWNLOAD_TIMEOUT_S

    seen = []

    def stalled(*args, **kwargs):
        seen.append(socket.getdefaulttimeout())
        raise TimeoutError("timed out")

    monkeypatch.setattr(torchvision.datasets, "MNIST", stalled)
    before = socket.getdefaulttimeout()
    with pytest.warns(UserWarning, match=r"MNIST is not available \(TimeoutError: timed out\)"):
        split = load_mnist(tmp_path)
    assert seen == [DOWNLOAD_TIMEOUT_S]
    assert socket.getdefaulttimeout() == before
    assert split.name == "digits"
