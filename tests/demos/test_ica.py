"""ICA of natural patches gives localised, oriented filters; the Gabor bank is well formed."""

from __future__ import annotations

import numpy as np
import pytest

from vizkit.data import natural_image
from vizkit.demos.ica import gabor_bank, ica_filters, sample_patches


def test_sample_patches_shapes_and_errors():
    image = np.random.default_rng(0).random((20, 30, 3))
    patches = sample_patches([image, image], patch_size=5, n_patches=7)
    assert patches.shape == (7, 3, 5, 5)
    with pytest.raises(ValueError, match="smaller than patch_size 40"):
        sample_patches([image], patch_size=40, n_patches=1)
    with pytest.raises(ValueError, match="expected \\(H, W, 3\\)"):
        sample_patches([image[..., 0]], patch_size=3, n_patches=1)


def test_ica_on_a_photo_finds_structured_filters():
    result = ica_filters(
        [natural_image("astronaut")], n_components=12, patch_size=8, n_patches=3000
    )
    assert result.filters.shape == (12, 3, 8, 8)
    # Structured filters concentrate energy at low spatial frequency; white noise does not.
    energy = np.abs(np.fft.fft2(result.filters.mean(1))) ** 2
    low = energy[:, :2, :2].sum(axis=(1, 2)) + energy[:, -1:, :2].sum(axis=(1, 2))
    noise = np.abs(np.fft.fft2(np.random.default_rng(0).standard_normal((12, 8, 8)))) ** 2
    noise_low = noise[:, :2, :2].sum(axis=(1, 2)) + noise[:, -1:, :2].sum(axis=(1, 2))
    assert np.median(low / energy.sum(axis=(1, 2))) > 2 * np.median(
        noise_low / noise.sum(axis=(1, 2))
    )
    with pytest.raises(ValueError, match=r"n_components 500 must lie in 1\.\.192"):
        ica_filters([natural_image("astronaut")], n_components=500, patch_size=8)


def test_gabor_bank_orientations():
    bank = gabor_bank(frequencies=(0.2,), n_orientations=4, size=9)
    assert bank.kernels.shape == (4, 9, 9)
    np.testing.assert_allclose(bank.thetas, np.pi * np.arange(4) / 4)
    # θ = 0 (horizontal frequency) varies along columns; θ = π/2 along rows
    k0, k90 = bank.kernels[0], bank.kernels[2]
    assert np.abs(np.diff(k0, axis=1)).sum() > np.abs(np.diff(k0, axis=0)).sum()
    np.testing.assert_allclose(k90, k0.T, atol=1e-6)
    with pytest.raises(ValueError, match=r"frequency 0\.7 must lie in"):
        gabor_bank(frequencies=(0.7,))
