"""Filter figures as data: image pixels, caption, frames and slider steps."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from vizkit.inspect.filters import filter_evolution, filter_grid
from vizkit.render.filters import filter_banks_figure, filter_evolution_figure, filter_grid_figure


def test_grid_figure_shows_the_grid_and_states_the_normalisation():
    grid = filter_grid(torch.randn(4, 3, 5, 5), normalize="per_layer")
    fig = filter_grid_figure(grid)
    z = np.asarray(fig.data[0].z)
    np.testing.assert_array_equal(z, (grid.image * 255).round().astype(np.uint8))
    assert "one min→max" in fig.layout.annotations[0].text
    assert fig.layout.title.text == grid.title


def test_evolution_figure_has_a_frame_and_slider_step_per_snapshot():
    snaps = [torch.randn(2, 1, 3, 3) * s for s in (0.1, 0.5, 1.0)]
    grids = filter_evolution(snaps, layer="conv1")
    fig = filter_evolution_figure(grids, [0, 10, 20])
    assert [f.name for f in fig.frames] == ["0", "10", "20"]
    assert [s.label for s in fig.layout.sliders[0].steps] == ["0", "10", "20"]
    last = np.asarray(fig.frames[2].data[0].z)
    np.testing.assert_array_equal(last, (grids[2].image * 255).round().astype(np.uint8))
    assert "step 20" in fig.frames[2].layout.title.text
    with pytest.raises(ValueError, match="one step per grid"):
        filter_evolution_figure(grids, [0, 10])


def test_banks_side_by_side():
    a = filter_grid(torch.randn(4, 3, 5, 5))
    b = filter_grid(torch.randn(9, 1, 5, 5))
    fig = filter_banks_figure({"ICA": a, "Gabor": b})
    assert len(fig.data) == 2
    assert [ann.text for ann in fig.layout.annotations[:2]] == ["ICA", "Gabor"]
    assert "Gabor: per filter" in fig.layout.annotations[-1].text
