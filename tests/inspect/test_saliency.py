"""Saliency and Grad-CAM: shapes, a model that ignores half the image, no side effects."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from torch import nn

from vizkit.inspect.saliency import grad_cam, saliency_map


class LeftHalfOnly(nn.Module):
    """Looks only at the left half of the image."""

    def __init__(self) -> None:
        super().__init__()
        torch.manual_seed(0)
        self.conv = nn.Conv2d(3, 4, 3, padding=1)
        self.relu = nn.ReLU(inplace=True)
        self.head = nn.Linear(4, 5)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        maps = self.relu(self.conv(x[..., : x.shape[-1] // 2]))
        return self.head(maps.mean(dim=(2, 3)))


def test_saliency_is_zero_where_the_model_does_not_look():
    model = LeftHalfOnly()
    image = torch.rand(3, 16, 16, generator=torch.Generator().manual_seed(1))
    result = saliency_map(model, image, target=2)
    assert result.heatmap.shape == (16, 16) and result.target == 2
    # the conv's padding lets column 8 leak nothing: the slice ends at 8
    assert np.all(result.heatmap[:, 8:] == 0)
    assert result.heatmap[:, :8].max() > 0
    assert 0 < result.probability < 1


def test_grad_cam_shapes_range_and_no_side_effects(tiny_cnn):
    image = torch.rand(1, 1, 16, 16)
    before = image.clone()
    result = grad_cam(tiny_cnn, image, "3")
    assert result.heatmap.shape == (16, 16)
    assert result.heatmap.min() >= 0 and result.heatmap.max() <= 1
    assert result.target == int(tiny_cnn(image).argmax())
    assert torch.equal(image, before)
    assert all(p.grad is None for p in tiny_cnn.parameters())
    assert sum(len(m._forward_hooks) for m in tiny_cnn.modules()) == 0


def test_grad_cam_equals_the_class_activation_map_for_conv_gap_linear():
    # conv → global average pool → linear: ∂score/∂A_k = w_ck / (H·W) everywhere, so
    # Grad-CAM = ReLU(Σ_k w_ck A_k), normalised — the CAM of Zhou et al. (2016).
    torch.manual_seed(0)
    model = nn.Sequential(
        nn.Conv2d(1, 3, 3, padding=1),
        nn.ReLU(),
        nn.AdaptiveAvgPool2d(1),
        nn.Flatten(),
        nn.Linear(3, 2),
    )
    with torch.no_grad():
        model[4].weight[1] = torch.tensor([1.0, -0.5, 0.25])
    image = torch.rand(1, 1, 8, 8)
    cam = grad_cam(model, image, "1", target=1).heatmap
    maps = model[1](model[0](image)).detach()[0]
    expected = torch.relu((model[4].weight[1].detach()[:, None, None] * maps).sum(0))
    assert expected.max() > 0
    np.testing.assert_allclose(cam, (expected / expected.max()).numpy(), atol=1e-5)


def test_errors():
    model = LeftHalfOnly()
    with pytest.raises(ValueError, match="target 7 is out of range: the model has 5 classes"):
        saliency_map(model, torch.rand(3, 8, 8), target=7)
    with pytest.raises(ValueError, match="image must be one image, \\(C, H, W\\)"):
        saliency_map(model, torch.rand(2, 3, 8, 8))
    with pytest.raises(ValueError, match="not \\(N, C, H, W\\)"):
        grad_cam(model, torch.rand(3, 8, 8), "head")
    with pytest.raises(ValueError, match="did you mean 'conv'"):
        grad_cam(model, torch.rand(3, 8, 8), "conv1")
