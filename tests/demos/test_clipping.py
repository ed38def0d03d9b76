"""clip_comparison equals torch's clip_grad_norm_/clip_grad_value_ and the formulas."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from vizkit.demos.clipping import clip_comparison


def _batch():
    g = torch.Generator().manual_seed(0)
    return torch.randn(8, 1, 16, 16, generator=g) * 5, torch.arange(8) % 10


def test_equals_torch_clipping_of_the_model_grads(tiny_cnn):
    x, y = _batch()
    clip = clip_comparison(tiny_cnn, x, y, max_norm=0.05, clip_value=0.01)
    # the same on the model itself
    tiny_cnn.zero_grad()
    torch.nn.functional.cross_entropy(tiny_cnn(x), y).backward()
    params = [p for p in tiny_cnn.parameters()]
    raw = torch.cat([p.grad.reshape(-1) for p in params]).double().numpy()
    np.testing.assert_allclose(clip.before, raw, rtol=1e-6)
    norm = torch.nn.utils.clip_grad_norm_(params, 0.05)
    np.testing.assert_allclose(clip.total_norm, float(norm), rtol=1e-5)
    clipped = torch.cat([p.grad.reshape(-1) for p in params]).double().numpy()
    np.testing.assert_allclose(clip.by_norm, clipped, rtol=1e-5, atol=1e-9)
    # the formulas
    np.testing.assert_allclose(
        clip.by_norm, raw * min(1.0, 0.05 / np.linalg.norm(raw)), rtol=1e-4, atol=1e-9
    )
    np.testing.assert_allclose(clip.by_value, np.clip(raw, -0.01, 0.01), rtol=1e-6)
    assert clip.total_norm > 0.05  # the test clips for real
    assert clip.norm_after_norm == pytest.approx(0.05, rel=1e-4)
    assert clip.cosine_by_norm == pytest.approx(1.0, abs=1e-9)
    assert clip.cosine_by_value < 0.999 and clip.clipped_entries > 0
    assert sum(clip.sizes) == clip.before.size and len(clip.names) == len(params)


def test_model_grads_and_weights_left_alone(tiny_cnn):
    x, y = _batch()
    first = next(tiny_cnn.parameters())
    first.grad = torch.full_like(first, 7.0)
    weights = [p.detach().clone() for p in tiny_cnn.parameters()]
    clip_comparison(tiny_cnn, x, y, max_norm=1.0, clip_value=1.0)
    assert torch.equal(first.grad, torch.full_like(first, 7.0))
    assert all(p.grad is None for p in list(tiny_cnn.parameters())[1:])
    assert all(torch.equal(a, b) for a, b in zip(weights, tiny_cnn.parameters(), strict=True))


def test_thresholds_must_be_positive(tiny_cnn):
    x, y = _batch()
    with pytest.raises(ValueError, match="max_norm 0 is not above 0: it is the clipping threshold"):
        clip_comparison(tiny_cnn, x, y, max_norm=0, clip_value=1)
    with pytest.raises(ValueError, match="clip_value -1 is not above 0"):
        clip_comparison(tiny_cnn, x, y, max_norm=1, clip_value=-1)
