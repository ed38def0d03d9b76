"""compare_networks / compare_seeds: one inpainting fit per network or per seed, in order."""

from __future__ import annotations

import numpy as np
import pytest

import vizkit.dip as dip


@pytest.fixture
def hole(small_rgb: np.ndarray) -> np.ndarray:
    return dip.hole_mask(small_rgb.shape[:2])


def test_prior_networks_are_the_four_architectures_on_two_input_channels():
    nets = dip.prior_networks(16)
    assert list(nets) == [
        "encoder-decoder, 5 scales",
        "encoder-decoder, 3 scales",
        "U-Net",
        "ResNet (no down-sampling)",
    ]
    assert all(spec.in_channels == 2 for spec in nets.values())
    assert nets["encoder-decoder, 3 scales"].scales == 3
    assert nets["U-Net"].channels_down == (8, 16, 16)
    with pytest.raises(ValueError, match="width 1 is below 2"):
        dip.prior_networks(1)


def test_compare_networks_runs_each_network(small_rgb: np.ndarray, hole: np.ndarray):
    nets = dict(list(dip.prior_networks(8).items())[2:])  # the two cheapest
    fits = dip.compare_networks(
        small_rgb, hole, nets, clean=small_rgb, input="meshgrid", device="cpu", steps=2
    )
    assert list(fits) == list(nets)
    assert all(fit.steps == 2 and fit.best_psnr is not None for fit in fits.values())
    assert all(fit.image.shape == small_rgb.shape for fit in fits.values())
    with pytest.raises(ValueError, match="networks is empty"):
        dip.compare_networks(small_rgb, hole, {})
    with pytest.raises(ValueError, match="not as network="):
        dip.compare_networks(small_rgb, hole, nets, network=nets["U-Net"])


def test_compare_seeds_gives_different_fills(small_rgb: np.ndarray, hole: np.ndarray):
    fits = dip.compare_seeds(small_rgb, hole, seeds=(0, 1), device="cpu", steps=2)
    assert list(fits) == ["z with seed 0", "z with seed 1"]
    first, second = fits.values()
    assert not np.allclose(first.image, second.image)
    again = dip.compare_seeds(small_rgb, hole, seeds=[0], device="cpu", steps=2)
    np.testing.assert_array_equal(again["z with seed 0"].image, first.image)
    with pytest.raises(ValueError, match="seeds is empty"):
        dip.compare_seeds(small_rgb, hole, seeds=[])
    with pytest.raises(ValueError, match="not as seed="):
        dip.compare_seeds(small_rgb, hole, seed=3)
