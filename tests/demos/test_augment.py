"""Crops and flips, 10-crop and 144-crop testing, ensembles — against torchvision and by hand."""

from __future__ import annotations

import pytest
import torch
from torch import nn
from torch.utils.data import TensorDataset
from torchvision.transforms.v2 import functional as TF

from vizkit.demos.augment import (
    center_crop,
    crop_accuracies,
    crop_accuracy,
    ensemble_accuracy,
    eval_crops,
    multi_crop_count,
    random_crop_flip,
)

pytestmark = pytest.mark.usefixtures("torch_one_thread")


def _images(n: int = 6, c: int = 2, h: int = 9, w: int = 9) -> torch.Tensor:
    return torch.rand(n, c, h, w, generator=torch.Generator().manual_seed(0))


def test_random_crops_are_crops_or_mirrored_crops_of_each_image() -> None:
    x = _images()
    out = random_crop_flip(x, 5, flip=True, generator=torch.Generator().manual_seed(1))
    assert out.shape == (6, 2, 5, 5)
    flipped = 0
    for img, crop in zip(x, out, strict=True):
        plain = [img[:, i : i + 5, j : j + 5] for i in range(5) for j in range(5)]
        if any(torch.equal(crop, p) for p in plain):
            continue
        assert any(torch.equal(crop, p.flip(-1)) for p in plain)
        flipped += 1
    assert 0 < flipped < 6
    again = random_crop_flip(x, 5, flip=True, generator=torch.Generator().manual_seed(1))
    assert torch.equal(out, again)
    assert torch.equal(x, _images())  # input untouched


def test_eval_crops_match_torchvision() -> None:
    x = _images(h=10, w=12)
    torch.testing.assert_close(eval_crops(x, 6, kind="center")[0], TF.center_crop(x, [6, 6]))
    ten = eval_crops(x, 6, kind="ten")
    assert ten.shape == (10, 6, 2, 6, 6)
    for got, want in zip(ten, TF.ten_crop(x, [6, 6]), strict=True):
        torch.testing.assert_close(got, want)
    torch.testing.assert_close(center_crop(x, 6), TF.center_crop(x, [6, 6]))


def test_multi_crop_is_googlenets_144() -> None:
    assert multi_crop_count() == 4 * 3 * 6 * 2 == 144
    x = _images(n=2, h=14, w=21)  # not square: three different squares
    crops = eval_crops(x, 7, kind="multi")
    assert crops.shape == (144, 2, 2, 7, 7)
    # every second crop is the mirror image of the one before
    torch.testing.assert_close(crops[1::2], crops[0::2].flip(-1))
    # the 6th crop of the first square at the first scale (8/7 of 7 = 8) is the whole square
    resized = TF.resize(x, [8], antialias=True)
    whole = TF.resize(resized[..., :8], [7, 7], antialias=True)
    torch.testing.assert_close(crops[10], whole)
    assert eval_crops(x, 7, kind="multi", scales=[7, 9]).shape[0] == multi_crop_count(scales=2)


def test_crop_accuracy_averages_softmax_over_crops() -> None:
    torch.manual_seed(0)
    model = nn.Sequential(nn.Flatten(), nn.Linear(2 * 5 * 5, 3)).eval()
    x, y = _images(n=12, h=7, w=7), torch.arange(12) % 3
    data = TensorDataset(x, y)
    with torch.no_grad():
        probs = torch.stack([model(c).softmax(1) for c in TF.ten_crop(x, [5, 5])]).mean(0)
    expected = float((probs.argmax(1) == y).float().mean())
    assert crop_accuracy(model, data, 5, kind="ten") == pytest.approx(expected)
    first = float((probs[:5].argmax(1) == y[:5]).float().mean())
    assert crop_accuracy(model, data, 5, kind="ten", limit=5) == pytest.approx(first)
    both = crop_accuracies(model, data, 5, kinds=["center", "ten"])
    assert list(both) == ["center", "ten"] and both["ten"] == pytest.approx(expected)


@pytest.mark.parametrize("h", [7, 9])  # square images: the shortcut; 7×9: all 144 crops
def test_multi_crop_accuracy_averages_all_144_crops(h: int) -> None:
    torch.manual_seed(0)
    model = nn.Sequential(nn.Flatten(), nn.Linear(2 * 5 * 5, 3)).eval()
    x, y = _images(n=40, h=h, w=7), torch.arange(40) % 3
    crops = eval_crops(x, 5, kind="multi")
    assert crops.shape[0] == 144
    if h == 7:  # the three squares of a square image coincide (crop_accuracy judges one)
        groups = crops.reshape(4, 3, 12, *crops.shape[1:])
        assert torch.equal(groups[:, 0], groups[:, 1]) and torch.equal(groups[:, 0], groups[:, 2])
    with torch.no_grad():
        probs = torch.stack([model(c).softmax(1) for c in crops]).mean(0)
    expected = float((probs.argmax(1) == y).float().mean())
    assert 0 < expected < 1
    assert crop_accuracy(model, TensorDataset(x, y), 5, kind="multi") == pytest.approx(expected)


def test_ensemble_averages_the_softmax_of_its_members() -> None:
    torch.manual_seed(0)
    models = [nn.Sequential(nn.Flatten(), nn.Linear(2 * 7 * 7, 3)).eval() for _ in range(3)]
    x, y = _images(n=30, h=7, w=7), torch.arange(30) % 3
    result = ensemble_accuracy(models, TensorDataset(x, y))
    with torch.no_grad():
        probs = [m(x).softmax(1) for m in models]
    singles = [float((p.argmax(1) == y).float().mean()) for p in probs]
    mean = torch.stack(probs).mean(0)
    assert result.accuracies == pytest.approx(singles)
    assert result.ensemble_accuracy == pytest.approx(float((mean.argmax(1) == y).float().mean()))
    assert "ensemble of 3" in result.describe()
    with pytest.raises(ValueError, match="an ensemble needs 2 to 50"):
        ensemble_accuracy(models[:1], TensorDataset(x, y))
