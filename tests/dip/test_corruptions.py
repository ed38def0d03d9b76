"""Corruptions: noise statistics, masks and the Lanczos down-sampler against their definitions."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from PIL import Image

import vizkit.dip as dip


def test_add_noise_has_the_requested_sigma_and_is_seeded() -> None:
    grey = np.full((200, 200, 3), 0.5, np.float32)
    noisy = dip.add_noise(grey, 25, seed=3)
    assert noisy.dtype == np.float32 and noisy.shape == grey.shape
    assert abs(float((noisy - grey).std()) - 25 / 255) < 0.002
    assert np.array_equal(noisy, dip.add_noise(grey, 25, seed=3))
    assert not np.array_equal(noisy, dip.add_noise(grey, 25, seed=4))
    assert np.array_equal(grey, np.full((200, 200, 3), 0.5, np.float32))  # input untouched


def test_add_noise_clips_to_unit_range() -> None:
    noisy = dip.add_noise(np.ones((50, 50, 3)), 100)
    assert noisy.max() == 1.0 and noisy.min() >= 0.0


def test_add_noise_accepts_uint8_and_pil() -> None:
    arr = np.full((8, 8, 3), 255, np.uint8)
    assert np.array_equal(dip.add_noise(arr, 0), np.ones((8, 8, 3), np.float32))
    assert dip.add_noise(Image.fromarray(arr), 0).shape == (8, 8, 3)


@pytest.mark.parametrize(
    ("sigma", "error", "message"),
    [
        (-1, ValueError, "sigma -1 is below 0: it is in 0–255 units, e.g. 25"),
        ("25", TypeError, "sigma must be a number"),
        (float("nan"), ValueError, "sigma is NaN: pass a real number"),
    ],
)
def test_add_noise_rejects_bad_sigma(sigma: object, error: type, message: str) -> None:
    with pytest.raises(error, match=message):
        dip.add_noise(np.zeros((4, 4, 3)), sigma)  # type: ignore[arg-type]


def test_random_mask_drops_the_requested_fraction() -> None:
    mask = dip.random_mask((300, 200), drop=0.9, seed=1)
    assert mask.shape == (300, 200) and set(np.unique(mask)) == {0.0, 1.0}
    assert abs(1 - mask.mean() - 0.9) < 0.01
    assert np.array_equal(mask, dip.random_mask((300, 200), drop=0.9, seed=1))
    assert dip.random_mask(10, drop=0.0).min() == 1.0
    with pytest.raises(ValueError, match=r"drop 1.5 is above 1: it is a fraction in \[0, 1\]"):
        dip.random_mask(10, drop=1.5)


def test_hole_mask_is_the_box() -> None:
    mask = dip.hole_mask((10, 12), box=(2, 3, 4, 5))
    assert mask.sum() == 10 * 12 - 4 * 5
    assert mask[2:6, 3:8].max() == 0.0 and mask[1, 3] == 1.0 and mask[2, 8] == 1.0
    assert dip.hole_mask(8).sum() == 64 - 16  # default: central half × half
    with pytest.raises(ValueError, match=r"box \(8, 0, 4, 4\) .* does not fit inside 10×12"):
        dip.hole_mask((10, 12), box=(8, 0, 4, 4))


def test_text_mask_hides_some_text_shaped_pixels() -> None:
    mask = dip.text_mask((128, 160))
    assert mask.shape == (128, 160)
    assert 0.75 < mask.mean() < 0.97  # mostly known, like the paper's 95.7 %
    thick = dip.text_mask((128, 160), stroke=1)
    assert thick.mean() < mask.mean()


def test_mask_from_image_thresholds_and_checks_size() -> None:
    drawn = np.zeros((6, 6, 3), np.uint8)
    drawn[:, 3:] = 255
    mask = dip.mask_from_image(Image.fromarray(drawn), (6, 6))
    assert mask[:, :3].max() == 0.0 and mask[:, 3:].min() == 1.0
    assert dip.mask_from_image(np.eye(3, dtype=bool)).trace() == 3
    with pytest.raises(ValueError, match="mask is 6×6 but the image is 5×6"):
        dip.mask_from_image(drawn, (5, 6))


def test_lanczos_weights_follow_the_formula() -> None:
    w = dip.lanczos_weights(4)
    assert w.shape == (24,) and np.isclose(w.sum(), 1.0)
    assert np.allclose(w, w[::-1])  # symmetric about the output pixel's centre
    d = (np.arange(24) + 0.5 - 12) / 4
    raw = np.sinc(d) * np.sinc(d / 3)
    assert np.allclose(w, raw / raw.sum())


@pytest.mark.parametrize("factor", [2, 4, 8])
def test_downsampler_equals_pillow_lanczos(factor: int) -> None:
    image = np.random.default_rng(factor).random((64, 48)).astype(np.float32)
    ours = dip.Downsampler(factor)(torch.from_numpy(image)[None, None])[0, 0].numpy()
    pil = np.asarray(
        Image.fromarray(image, mode="F").resize((48 // factor, 64 // factor), Image.LANCZOS)
    )
    assert np.abs(ours - pil).max() < 1e-5


def test_downsampler_keeps_constants_and_is_differentiable() -> None:
    x = torch.full((1, 3, 32, 32), 0.3, requires_grad=True)
    y = dip.Downsampler(4)(x)
    assert y.shape == (1, 3, 8, 8) and torch.allclose(y, torch.full_like(y, 0.3))
    y.sum().backward()
    assert x.grad is not None and torch.isclose(x.grad.sum(), torch.tensor(64.0 * 3))


def test_downsample_and_errors() -> None:
    low = dip.downsample(np.random.default_rng(0).random((32, 16, 3)), 4)
    assert low.shape == (8, 4, 3) and low.min() >= 0 and low.max() <= 1
    with pytest.raises(ValueError, match="image of 30×16 is not a multiple of factor 4"):
        dip.downsample(np.zeros((30, 16, 3)), 4)
    with pytest.raises(ValueError, match="factor 1 is below 2"):
        dip.Downsampler(1)
    with pytest.raises(TypeError, match="factor must be an int"):
        dip.Downsampler(2.0)  # type: ignore[arg-type]
