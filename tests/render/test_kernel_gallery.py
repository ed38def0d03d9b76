"""Kernels on a photo and padding modes, against torch."""

from __future__ import annotations

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from vizkit.render.kernel_gallery import kernel_gallery_figure, padding_modes_figure, to_grey
from vizkit.sliding.kernels import classic_kernels, gabor


def test_gallery_panels_are_torch_feature_maps(gradient_image):
    kernels = classic_kernels()
    fig = kernel_gallery_figure(gradient_image, kernels)
    assert len(fig.data) == 1 + len(kernels)
    for panel, (name, k) in zip(fig.data[1:], kernels.items(), strict=True):
        x = torch.tensor(gradient_image)[None, None]
        expected = F.conv2d(x, torch.tensor(k)[None, None], padding="same")[0, 0].numpy()
        assert np.allclose(np.array(panel.z), expected), name


@pytest.mark.parametrize("mode", ["reflect", "replicate", "circular"])
def test_padding_modes_match_torch(gradient_image, mode):
    fig = padding_modes_figure(gradient_image, padding=4)
    panel = {"zeros": 0, "reflect": 1, "replicate": 2, "circular": 3}[mode]
    expected = F.pad(torch.tensor(gradient_image)[None, None], (4,) * 4, mode=mode)[0, 0]
    assert np.allclose(np.array(fig.data[panel].z), expected.numpy())


def test_kernel_facts_and_errors():
    k = classic_kernels()
    assert np.isclose(k["blur (gaussian 5×5)"].sum(), 1) and np.isclose(k["sharpen"].sum(), 1)
    assert abs(gabor().mean()) < 1e-12
    with pytest.raises(ValueError, match=r"frequency 0\.8 is outside"):
        gabor(0.8)
    with pytest.raises(ValueError, match=r"image of shape \(2, 2, 2\)"):
        to_grey(np.zeros((2, 2, 2)))
