"""batchnorm_trace: the hand computation equals nn.BatchNorm2d's output and running buffers."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from torch import nn

from vizkit.demos.batchnorm import batchnorm_trace


def _batches(k: int = 5, shape: tuple[int, ...] = (8, 3, 4, 4)) -> list[torch.Tensor]:
    g = torch.Generator().manual_seed(0)
    shift = torch.tensor([2.0, -1.0, 0.5])[None, :, None, None]
    scale = torch.tensor([3.0, 0.5, 1.0])[None, :, None, None]
    return [torch.randn(shape, generator=g) * scale + shift for _ in range(k)]


@pytest.mark.parametrize("momentum", [0.1, 0.5, 1.0, None])
def test_running_stats_match_torch_after_k_steps(momentum):
    batches = _batches()
    trace = batchnorm_trace(batches, momentum=momentum)
    bn = nn.BatchNorm2d(3, momentum=momentum, affine=False).double().train()
    for b in batches:
        bn(b.double())
    last = trace.steps[-1]
    np.testing.assert_allclose(last.running_mean, bn.running_mean.numpy(), atol=1e-12)
    np.testing.assert_allclose(last.running_var, bn.running_var.numpy(), atol=1e-12)
    for s in trace.steps:
        np.testing.assert_allclose(s.running_mean, s.torch_running_mean, atol=1e-12)
        np.testing.assert_allclose(s.running_var, s.torch_running_var, atol=1e-12)
        assert s.output_error < 1e-10
    assert trace.eval_output_error < 1e-10


def test_statistics_are_per_channel_over_n_h_w():
    batches = _batches(k=1)
    x = batches[0]
    trace = batchnorm_trace(batches)
    step = trace.steps[0]
    assert trace.count == 8 * 4 * 4
    for c in range(3):
        values = x[:, c].reshape(-1).double()
        assert step.batch_mean[c] == pytest.approx(float(values.mean()), abs=1e-12)
        assert step.batch_var[c] == pytest.approx(float(values.var(unbiased=False)), abs=1e-12)
        assert step.batch_var_unbiased[c] == pytest.approx(float(values.var()), abs=1e-12)
    # momentum 0.1 from (0, 1): running = 0.1·batch (+ 0.9 for the variance)
    np.testing.assert_allclose(step.running_mean, 0.1 * step.batch_mean)
    np.testing.assert_allclose(step.running_var, 0.9 + 0.1 * step.batch_var_unbiased)


def test_train_mode_output_is_standardised_eval_mode_is_not_yet():
    trace = batchnorm_trace(_batches(k=3))
    np.testing.assert_allclose(trace.train_output_mean, 0, atol=1e-9)
    np.testing.assert_allclose(trace.train_output_std, 1, atol=1e-4)
    # channel 0 has mean 2, std 3: three EMA steps at 0.1 are far from it
    assert abs(trace.eval_output_mean[0]) > 0.5


def test_single_tensor_is_split_and_input_not_mutated():
    x = torch.randn(20, 2, 3, 3, generator=torch.Generator().manual_seed(1))
    before = x.clone()
    trace = batchnorm_trace(x, batch_size=8)
    assert len(trace.steps) == 2  # the short last batch of 4 is dropped
    assert torch.equal(x, before)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"momentum": 0.0}, "momentum 0.0 must lie in (0, 1]"),
        ({"eps": 0.0}, "eps 0.0 is not above 0: eps must be positive"),
    ],
)
def test_bad_options(kwargs, message):
    with pytest.raises(ValueError, match=message.replace("(", r"\(").replace("]", r"\]")):
        batchnorm_trace(_batches(k=1), **kwargs)


def test_bad_inputs():
    with pytest.raises(ValueError, match="batch_size None with a single tensor"):
        batchnorm_trace(torch.zeros(4, 2, 2, 2))
    with pytest.raises(ValueError, match=r"has shape \(4, 2\); BatchNorm2d needs \(N, C, H, W\)"):
        batchnorm_trace([torch.zeros(4, 2)])
    with pytest.raises(ValueError, match="batches\\[1\\] has 3 channels, batches\\[0\\] has 2"):
        batchnorm_trace([torch.zeros(4, 2, 2, 2), torch.zeros(4, 3, 2, 2)])
    with pytest.raises(TypeError, match="batches\\[0\\] is a list"):
        batchnorm_trace([[1.0]])


def test_describe_prints_each_channel_by_hand_beside_torch():
    trace = batchnorm_trace(_batches(k=2), momentum=0.1)
    first = trace.steps[0]
    lines = first.describe().splitlines()
    assert len(lines) == trace.num_channels + 1
    assert lines[0].startswith(f"c0: batch mean {first.batch_mean[0]:+.4f}  ")
    assert f"running_mean {first.running_mean[1]:+.5f} (torch " in lines[1]
    assert f"(torch {first.torch_running_var[2]:.5f})" in lines[2]
    assert lines[-1] == f"normalised batch, by hand vs torch: max |Δ| = {first.output_error:.1e}"
