"""ActivationExplorer driven in code: layer, channel, upload (good and bad files)."""

from __future__ import annotations

import io

import numpy as np
from PIL import Image

from vizkit.widgets.activation_explorer import ActivationExplorer


def test_layer_channel_and_upload(tiny_cnn):
    image = np.zeros((16, 16, 3), np.float32)
    image[4:8, 4:8] = 1.0
    explorer = ActivationExplorer(tiny_cnn, image, size=16, channels=1)
    labels = [label for label, _ in explorer.layer.options]
    assert labels[0] == "0  Conv2d  (4, 16, 16)"
    assert all("(10,)" not in label for label in labels)  # only (C, H, W) outputs
    assert explorer.channel.max == 3
    explorer.channel.value = 2
    np.testing.assert_allclose(np.asarray(explorer.single.data[0].z), explorer.maps[2])
    explorer.layer.value = "3"
    assert explorer.channel.max == 7 and explorer.maps.shape == (8, 3, 3)

    before = explorer.maps.copy()
    buffer = io.BytesIO()
    Image.fromarray((np.random.default_rng(0).random((30, 30, 3)) * 255).astype("uint8")).save(
        buffer, "PNG")
    explorer.load_upload(buffer.getvalue())
    assert not np.allclose(before, explorer.maps)
    explorer.load_upload(b"not an image")
    assert "not an image Pillow can read" in explorer.status.value
