"""image_to_tensor / tensor_to_image."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from vizkit.data import image_to_tensor, tensor_to_image


def test_round_trip_and_normalisation():
    image = np.random.default_rng(0).random((6, 8, 3)).astype(np.float32)
    before = image.copy()
    x = image_to_tensor(image, mean=(0.5, 0.5, 0.5), std=(0.25, 0.25, 0.25))
    assert x.shape == (3, 6, 8)
    torch.testing.assert_close(x[1, 2, 3], torch.tensor((image[2, 3, 1] - 0.5) / 0.25))
    np.testing.assert_array_equal(image, before)
    back = tensor_to_image(x)
    scaled = (image - image.min()) / (image.max() - image.min())
    np.testing.assert_allclose(back, scaled, atol=1e-5)
    assert image_to_tensor(image, size=4, channels=1).shape == (1, 4, 4)
    assert tensor_to_image(torch.zeros(1, 1, 5, 5)).shape == (5, 5, 3)
    with pytest.raises(
        ValueError, match=r"channels must be 1, 3 or None \(keep the image's\), got 2"
    ):
        image_to_tensor(image, channels=2)


def test_keeping_the_image_channels_with_batch_and_back() -> None:
    import numpy as np
    import torch

    from vizkit.data.transforms import image_to_tensor, tensor_to_image

    rng = np.random.default_rng(0)
    rgb = rng.random((5, 4, 3), dtype=np.float32)
    mask = rng.random((5, 4, 1), dtype=np.float32)
    t = image_to_tensor(rgb, channels=None, batch=True, device="cpu")
    assert t.shape == (1, 3, 5, 4) and t.dtype == torch.float32
    assert torch.equal(t[0], torch.from_numpy(rgb).permute(2, 0, 1))
    assert image_to_tensor(mask, channels=None, batch=True).shape == (1, 1, 5, 4)
    assert image_to_tensor(mask[..., 0], channels=None).shape == (1, 5, 4)
    back = tensor_to_image(t, rescale=False)
    assert np.array_equal(back, rgb) and back.base is None  # a copy, values kept
    assert tensor_to_image(image_to_tensor(mask, channels=None), rescale=False).shape == (5, 4, 1)
