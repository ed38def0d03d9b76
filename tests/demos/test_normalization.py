"""normalization_sets: normalising by the labelled sets equals torch's four normalisations."""

from __future__ import annotations

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from vizkit.demos.normalization import (
    NORMALIZATIONS,
    normalization_sets,
    normalization_sets_by_kind,
    normalize_by_sets,
    reduced_axes,
)

SHAPE = (3, 6, 4, 5)


def _torch_norm(kind: str, x: torch.Tensor, groups: int) -> torch.Tensor:
    if kind == "batch":
        return F.batch_norm(x, None, None, training=True, eps=1e-5)
    if kind == "layer":
        return F.layer_norm(x, x.shape[1:], eps=1e-5)
    if kind == "instance":
        return F.instance_norm(x, eps=1e-5)
    return F.group_norm(x, groups, eps=1e-5)


@pytest.mark.parametrize("kind", NORMALIZATIONS)
@pytest.mark.parametrize("groups", [1, 2, 3])
def test_labelled_sets_reproduce_torch(kind, groups):
    x = torch.randn(SHAPE, dtype=torch.float64, generator=torch.Generator().manual_seed(0)) * 3 + 1
    labels = normalization_sets(kind, SHAPE, num_groups=groups)
    ours = normalize_by_sets(x.numpy(), labels)
    np.testing.assert_allclose(ours, _torch_norm(kind, x, groups).numpy(), atol=1e-9)


@pytest.mark.parametrize("kind", NORMALIZATIONS)
def test_wrong_sets_would_fail(kind):
    """The comparison can fail: another kind's labels give a different result."""
    x = torch.randn(SHAPE, dtype=torch.float64, generator=torch.Generator().manual_seed(0))
    other = "layer" if kind != "layer" else "batch"
    ours = normalize_by_sets(x.numpy(), normalization_sets(other, SHAPE))
    assert not np.allclose(ours, _torch_norm(kind, x, 2).numpy(), atol=1e-3)


def test_set_counts():
    n, c = SHAPE[:2]
    assert normalization_sets("batch", SHAPE).max() + 1 == c
    assert normalization_sets("layer", SHAPE).max() + 1 == n
    assert normalization_sets("instance", SHAPE).max() + 1 == n * c
    assert normalization_sets("group", SHAPE, num_groups=3).max() + 1 == n * 3
    assert reduced_axes("layer") == "C, H, W (one per sample)"


def test_errors():
    with pytest.raises(ValueError, match="kind 'bn' is not one of"):
        normalization_sets("bn", SHAPE)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="num_groups 4 must be >= 1 and divide the 6 channels"):
        normalization_sets("group", SHAPE, num_groups=4)
    with pytest.raises(ValueError, match=r"shape \(2, 3\) must be 4 sizes \(N, C, H, W\)"):
        normalization_sets("batch", (2, 3))  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="labels shape"):
        normalize_by_sets(np.zeros((2, 2)), np.zeros((2, 3), dtype=int))


def test_sets_by_kind_is_every_kind_in_order():
    sets = normalization_sets_by_kind(SHAPE, num_groups=3)
    assert tuple(sets) == NORMALIZATIONS
    for kind, labels in sets.items():
        np.testing.assert_array_equal(labels, normalization_sets(kind, SHAPE, num_groups=3))
    with pytest.raises(ValueError, match="num_groups 4 must be >= 1 and divide the 6 channels"):
        normalization_sets_by_kind(SHAPE, num_groups=4)
