"""The equivariance and pooling-invariance figures, tested as data."""

from __future__ import annotations

import math

import numpy as np
import pytest

import vizkit as vk
from vizkit import demos


def _image() -> np.ndarray:
    return np.random.default_rng(0).random((32, 40))


def test_shift_equivariance_figure() -> None:
    r = demos.shift_equivariance(_image(), shift=(2, 3), kernel_size=3)
    fig = vk.shift_equivariance_figure(r)
    assert [t.name for t in fig.data] == ["image", "conv(x)", "conv(shift(x))"]
    assert np.allclose(np.asarray(fig.data[2].z)[::-1], r.response_of_shifted)
    assert "(2, 3)" in fig.layout.annotations[2].text


def test_pooling_invariance_figure() -> None:
    p = demos.pooling_invariance(_image(), kernel_size=2, max_shift=3)
    fig = vk.pooling_invariance_figure(p)
    unchanged, moved = fig.data
    assert list(unchanged.y) == pytest.approx(list(p.unchanged))
    assert moved.y[1] is None and moved.y[2] == 1.0 and not math.isnan(moved.y[0])


def test_shift_equivariance_figure_subsamples_large_images() -> None:
    r = demos.shift_equivariance(np.random.default_rng(1).random((300, 90)), shift=(1, 1))
    fig = vk.shift_equivariance_figure(r, max_side=100)
    assert np.asarray(fig.data[0].z).shape == (100, 30)
    with pytest.raises(ValueError, match="max_side"):
        vk.shift_equivariance_figure(r, max_side=4)


def test_pooling_shift_animation() -> None:
    p = demos.pooling_invariance(_image(), kernel_size=2, max_shift=3)
    fig = vk.pooling_shift_animation(p, crop=16)
    assert [f.name for f in fig.frames] == ["shift 0", "shift 1", "shift 2", "shift 3"]
    assert len(fig.layout.sliders[0].steps) == 4
    slider = fig.layout.sliders[0]
    assert slider.currentvalue.prefix == "shift " and slider.steps[3].label == "3 px"
    assert [list(s.args[0]) for s in slider.steps] == [[f.name] for f in fig.frames]
    for i, frame in enumerate(fig.frames):
        same = np.asarray(frame.data[1].z)[::-1]
        assert same.shape == (8, 8)
        expected = p.pooled_shifted[i][:8, :8] == p.pooled[:8, :8]
        assert np.array_equal(same.astype(bool), expected)
        assert f"{p.unchanged[i]:.0%}" in frame.layout.title.text
    assert np.asarray(fig.frames[0].data[1].z).all()  # no shift: everything unchanged
    assert vk.Stepper(fig).n_steps == 4
    with pytest.raises(ValueError, match="crop"):
        vk.pooling_shift_animation(p, crop=2)


def test_figures_refuse_other_data() -> None:
    with pytest.raises(TypeError, match="result"):
        vk.pooling_invariance_figure(object())  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="result"):
        vk.shift_equivariance_figure("x")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="result"):
        vk.pooling_shift_animation(3)  # type: ignore[arg-type]
