"""Normalisation figures as data; the cube colours the values torch normalises together."""

from __future__ import annotations

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from vizkit.demos.batchnorm import batchnorm_trace
from vizkit.demos.normalization import NORMALIZATIONS, normalization_sets
from vizkit.render.normalization import (
    batchnorm_figure,
    batchnorm_modes_figure,
    normalization_axes_figure,
    reduced_axes_from_labels,
)

SHAPE = (3, 4, 2, 2)
TORCH = {
    "batch": lambda x: F.batch_norm(x, None, None, training=True),
    "layer": lambda x: F.layer_norm(x, x.shape[1:]),
    "instance": lambda x: F.instance_norm(x),
    "group": lambda x: F.group_norm(x, 2),
}


def _torch_set(kind: str, at: tuple[int, int, int, int]) -> np.ndarray:
    """Elements whose output changes when one input element changes: its normalisation set."""
    x = torch.randn(SHAPE, dtype=torch.float64, generator=torch.Generator().manual_seed(0))
    y = x.clone()
    y[at] += 5.0
    return ((TORCH[kind](y) - TORCH[kind](x)).abs() > 1e-9).numpy()


def _visible(n: int, c: int, s: int) -> bool:
    return c == 0 or s == SHAPE[2] * SHAPE[3] - 1 or n == SHAPE[0] - 1


@pytest.mark.parametrize("at", [(0, 0, 0, 0), (1, 3, 1, 0)])
def test_cube_colours_what_torch_normalises_together(at):
    sets = {k: normalization_sets(k, SHAPE, num_groups=2) for k in NORMALIZATIONS}
    fig = normalization_axes_figure(sets, highlight=at)
    panels = fig.layout.meta["panels"]
    assert [p["name"] for p in panels] == list(NORMALIZATIONS)
    for panel in panels:
        torch_set = _torch_set(panel["name"], at).reshape(SHAPE[0], SHAPE[1], -1)
        expected = sorted(
            [n, c, s] for n, c, s in zip(*np.nonzero(torch_set), strict=True) if _visible(n, c, s)
        )
        assert sorted(panel["highlighted"]) == expected, panel["name"]
    assert [p["reduced"] for p in panels] == [
        ["N", "H", "W"],
        ["C", "H", "W"],
        ["H", "W"],
        ["C/G", "H", "W"],
    ]
    # two traces per panel; polygons: N·S front + N·C top + C·S right per panel
    assert len(fig.data) == 8
    n, c, s = SHAPE[0], SHAPE[1], SHAPE[2] * SHAPE[3]
    polygons = sum(list(tr.x).count(None) for tr in fig.data[:2])
    assert polygons == n * s + n * c + c * s


def test_reduced_axes_and_errors():
    assert reduced_axes_from_labels(normalization_sets("instance", SHAPE)) == ["H", "W"]
    with pytest.raises(ValueError, match="sets is empty"):
        normalization_axes_figure({})
    with pytest.raises(ValueError, match=r"highlight \(5, 0, 0, 0\) lies outside"):
        normalization_axes_figure(
            {"batch": normalization_sets("batch", SHAPE)}, highlight=(5, 0, 0, 0)
        )


def _trace():
    g = torch.Generator().manual_seed(0)
    return batchnorm_trace([torch.randn(4, 3, 2, 2, generator=g) + 2 for _ in range(4)])


def test_batchnorm_figure_draws_batch_and_running_stats():
    trace = _trace()
    fig = batchnorm_figure(trace, max_channels=2)
    assert len(fig.data) == 2 * 2 * 3  # channels × panels × (batch, by hand, torch)
    batch, hand, torch_ = fig.data[0], fig.data[1], fig.data[2]
    assert list(batch.x) == [1, 2, 3, 4]
    assert batch.y[2] == pytest.approx(float(trace.steps[2].batch_mean[0]))
    np.testing.assert_allclose(hand.y, torch_.y, atol=1e-9)
    assert "N·H·W" in fig.layout.title.text and "momentum=0.1" in fig.layout.title.text
    with pytest.raises(ValueError, match="max_channels 0 is below 1"):
        batchnorm_figure(trace, max_channels=0)


def test_batchnorm_modes_figure():
    trace = _trace()
    fig = batchnorm_modes_figure(trace)
    assert [t.type for t in fig.data] == ["bar"] * 4
    np.testing.assert_allclose(fig.data[0].y, trace.train_output_mean)
    np.testing.assert_allclose(fig.data[2].y, trace.eval_output_mean)
