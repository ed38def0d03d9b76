"""dropout_masks: Dropout zeroes single cells, Dropout2d whole channels; both scale by 1/(1-p)."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from vizkit.demos.dropout import dropout_masks


def test_dropout2d_drops_whole_channels_dropout_single_cells():
    m = dropout_masks((4, 16, 6, 6), p=0.5, seed=0)
    per_map_2d = m.dropout2d.reshape(4, 16, -1)
    assert np.all(per_map_2d.min(axis=2) == per_map_2d.max(axis=2))  # constant per (n, c)
    per_map = m.dropout.reshape(4, 16, -1)
    assert np.any(per_map.min(axis=2) != per_map.max(axis=2))  # mixed within a map
    assert set(np.unique(m.dropout)) <= {0.0, 2.0}
    assert set(np.unique(m.dropout2d)) == {0.0, 2.0}
    fa, fb = m.dropped_fraction
    assert 0.4 < fa < 0.6 and 0.25 < fb < 0.75


def test_seeded_and_global_rng_untouched():
    state = torch.random.get_rng_state()
    a, b = dropout_masks((2, 3, 4, 4), seed=5), dropout_masks((2, 3, 4, 4), seed=5)
    assert np.array_equal(a.dropout, b.dropout) and np.array_equal(a.dropout2d, b.dropout2d)
    assert torch.equal(state, torch.random.get_rng_state())


def test_errors():
    with pytest.raises(ValueError, match=r"p 1.0 is not below 1: it is the probability of dro"):
        dropout_masks((1, 1, 2, 2), p=1.0)
    with pytest.raises(ValueError, match=r"shape \(1, 2\) must be 4 sizes \(N, C, H, W\)"):
        dropout_masks((1, 2))  # type: ignore[arg-type]
