"""ReLU vs tanh, bias before BN, BN placement, clipping scopes, the cliff, cudnn.benchmark."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from torch import nn

from tests.support import digits_subset
from vizkit.data.datasets import DatasetSplit
from vizkit.demos.activations_speed import relu_vs_tanh
from vizkit.demos.bn_block import bias_before_bn, bn_placement
from vizkit.demos.cliff import cliff_descent, cliff_loss
from vizkit.demos.clipping import clip_scopes
from vizkit.demos.cudnn import cudnn_benchmark

pytestmark = pytest.mark.usefixtures("torch_one_thread")


def _split() -> DatasetSplit:
    return digits_subset(256, 32)


def test_relu_vs_tanh_curves_and_steps_to_target_are_consistent() -> None:
    speed = relu_vs_tanh(
        _split(), target_error=0.6, max_steps=30, eval_every=5, eval_images=200, progress=False
    )
    assert list(speed.steps) == [0, 5, 10, 15, 20, 25, 30]
    for name in ("relu", "tanh"):
        errors = speed.errors[name]
        assert errors.shape == speed.steps.shape and errors[-1] < errors[0]
        np.testing.assert_allclose(errors * 200, np.round(errors * 200), atol=1e-4)  # of 200
        hit = speed.steps_to_target[name]
        below = speed.steps[errors <= 0.6]
        assert hit == (int(below[below > 0][0]) if (below > 0).any() else None)
    if speed.steps_to_target["relu"] and speed.steps_to_target["tanh"]:
        ratio = speed.steps_to_target["tanh"] / speed.steps_to_target["relu"]
        assert speed.speedup == pytest.approx(ratio)
    assert len(speed.errors["relu"]) == len(speed.errors["tanh"])


def test_activation_speed_describe_names_who_reached_the_target() -> None:
    from vizkit.demos.activations_speed import ActivationSpeed

    def speed(relu: int | None, tanh: int | None) -> str:
        errors = {"relu": np.array([1.0, 0.1]), "tanh": np.array([1.0, 0.1])}
        return ActivationSpeed(
            np.array([0, 10]), errors, 0.25, {"relu": relu, "tanh": tanh}, 0.05
        ).describe()

    assert "tanh needs 3.00× ReLU's steps" in speed(10, 30)
    assert "only ReLU reached" in speed(10, None)
    assert "only tanh reached" in speed(None, 10)
    assert "neither reached" in speed(None, None)


def test_bias_before_bn_cancels() -> None:
    x = torch.randn(6, 3, 7, 7, generator=torch.Generator().manual_seed(0))
    result = bias_before_bn(x, out_channels=5)
    assert result.max_output_difference < 1e-12
    assert result.weight_grad_difference < 1e-12
    assert result.bias_grad_norm < 1e-10
    assert result.max_pre_bn_difference == pytest.approx(np.abs(result.bias).max())
    assert result.max_pre_bn_difference > 0.1  # the bias is really there
    # the cancellation is BN's mean subtraction: F.batch_norm of (z + b) equals that of z
    z = torch.randn(6, 5, 4, 4, dtype=torch.float64)
    b = torch.randn(5, dtype=torch.float64)[None, :, None, None]
    bn = lambda t: torch.nn.functional.batch_norm(t, None, None, training=True)  # noqa: E731
    torch.testing.assert_close(bn(z + b), bn(z))


def test_bn_placement_statistics() -> None:
    x = torch.randn(16, 3, 10, 10, generator=torch.Generator().manual_seed(0))
    p = bn_placement(x, out_channels=6)
    assert p.negative_fractions[0] == 0.0 and 0.4 < p.zero_fractions[0] < 0.6
    assert p.means[0] == pytest.approx(1 / np.sqrt(2 * np.pi), abs=0.05)
    assert p.means[1] == pytest.approx(0.0, abs=1e-9) and p.stds[1] == pytest.approx(1.0, abs=1e-3)
    assert p.zero_fractions[1] == 0.0


def test_clip_scopes_equal_torch_per_parameter_and_global() -> None:
    torch.manual_seed(0)
    model = nn.Sequential(nn.Flatten(), nn.Linear(16, 8), nn.ReLU(), nn.Linear(8, 3))
    x, y = torch.randn(10, 16) * 5, torch.arange(10) % 3
    scopes = clip_scopes(model, x, y, max_norm=0.5)
    assert all(p.grad is None for p in model.parameters())  # left as it was
    nn.functional.cross_entropy(model(x), y).backward()
    grads = [p.grad.clone() for p in model.parameters()]
    norms = np.array([float(g.norm()) for g in grads])
    np.testing.assert_allclose(scopes.norms_before, norms, rtol=1e-6)
    np.testing.assert_allclose(scopes.norms_per_variable, np.minimum(norms, 0.5), rtol=1e-5)
    total = float(torch.nn.utils.clip_grad_norm_(list(model.parameters()), 0.5))
    np.testing.assert_allclose(scopes.total_before, total, rtol=1e-6)
    after = np.array([float(p.grad.norm()) for p in model.parameters()])
    np.testing.assert_allclose(scopes.norms_global, after, rtol=1e-5)
    assert total > 0.5 and scopes.total_global == pytest.approx(0.5, rel=1e-4)
    assert scopes.cosine_global == pytest.approx(1.0, abs=1e-9)
    assert scopes.cosine_per_variable < 0.999
    assert scopes.total_per_variable > 0.5  # up to c·√P remains


def test_cliff_descent_catapults_without_clipping() -> None:
    cliff = cliff_descent()
    assert cliff.largest_clipped_step <= cliff.lr * cliff.max_norm + 1e-12
    assert cliff.largest_jump > 5 * cliff.lr * cliff.max_norm
    k = cliff.jump_step
    assert cliff.loss_plain[k + 1] > cliff.loss_plain[0]  # lost all the progress
    assert cliff.loss_clipped[-1] < cliff.loss_clipped[0]
    # the path is gradient descent on cliff_loss: check one plain step with autograd
    p = torch.tensor(cliff.path_plain[k], requires_grad=True)
    cliff_loss(p[0], p[1]).backward()
    np.testing.assert_allclose(cliff.path_plain[k + 1], (p - cliff.lr * p.grad).detach().numpy())
    assert cliff.grad_norms[k] == pytest.approx(float(p.grad.norm()))
    assert cliff.surface.shape == (len(cliff.b), len(cliff.w))


def test_cudnn_benchmark_explains_without_cuda() -> None:
    before = torch.backends.cudnn.benchmark
    result = cudnn_benchmark("cpu")
    assert not result.timed and result.speedup is None
    assert "cudnn.benchmark = True" in result.describe()
    assert torch.backends.cudnn.benchmark == before


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA GPU")
def test_cudnn_benchmark_times_on_cuda() -> None:
    before = torch.backends.cudnn.benchmark
    result = cudnn_benchmark("cuda", shape=(4, 3, 64, 64), repeats=3)
    assert result.timed and result.speedup is not None and result.speedup > 0
    assert torch.backends.cudnn.benchmark == before
