"""Top-k patches: the strongest units, cropped by the receptive field."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from torch import nn

from vizkit.inspect.patches import layer_field, top_patches


def _detector() -> nn.Module:
    """A 3×3 'bright spot' detector after a 2×2 pool: field 4×4... measured below."""
    model = nn.Sequential(nn.Conv2d(1, 1, 3, bias=False), nn.MaxPool2d(2), nn.Conv2d(1, 2, 3))
    with torch.no_grad():
        model[0].weight.fill_(1.0)
        model[2].weight.zero_()
        model[2].weight[0, 0, 1, 1] = 1.0
        model[2].bias.zero_()
    return model


def test_layer_field_matches_geometry():
    field = layer_field(_detector(), "2", torch.zeros(1, 1, 20, 20))
    # conv3 → size 3, pool2 → 4 (jump 2), conv3 → 4 + 2·2 = 8, jump 2
    assert field.size == (8, 8) and field.jump == (2, 2)
    assert field.box(0, 0) == (0, 0, 8, 8)


def test_top_patches_find_the_bright_spot():
    images = torch.zeros(5, 1, 20, 20)
    for i in range(5):
        images[i, 0, 8:10, 8:10] = float(i)  # image 4 has the brightest spot
    result = top_patches(_detector(), "2", images, channel=0, k=3)
    assert list(result.image_index) == [4, 3, 2]
    assert np.all(np.diff(result.scores) <= 0)
    assert result.patches.shape == (3, 8, 8, 3)
    top, left, bottom, right = result.boxes[0]
    assert top <= 8 and bottom >= 10 and left <= 8 and right >= 10  # the spot is inside
    assert result.patches[0].max() == pytest.approx(1.0)  # the spot is in the crop


def test_patch_errors(tiny_cnn):
    images = torch.rand(4, 1, 16, 16)
    with pytest.raises(ValueError, match="channel 9 is out of range: '3' has 8 channels"):
        top_patches(tiny_cnn, "3", images, channel=9)
    with pytest.raises(ValueError, match="k 0 must be at least 1"):
        top_patches(tiny_cnn, "3", images, channel=0, k=0)
    assert top_patches(tiny_cnn, "3", images, channel=0, k=10).patches.shape[0] == 4
