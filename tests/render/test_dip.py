"""DIP figures, tested as data: which image each panel holds, curve points, slider frames."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pytest

from vizkit.render.dip import (
    dip_images_figure,
    dip_results_figure,
    psnr_curve_figure,
    snapshots_figure,
    to_uint8,
    update_image,
    update_psnr_curve,
)


@dataclass
class Rec:
    step: int
    loss: float
    psnr: float | None
    psnr_raw: float | None


@dataclass
class Snap:
    step: int
    image: np.ndarray
    psnr: float | None


def test_to_uint8_rounds_clips_and_makes_rgb() -> None:
    out = to_uint8(np.array([[0.0, 0.5], [1.2, -1.0]]))
    assert out.shape == (2, 2, 3) and out.dtype == np.uint8
    assert out[:, :, 0].tolist() == [[0, 128], [255, 0]]
    with pytest.raises(ValueError, match=r"image of shape \(2, 2, 4\)"):
        to_uint8(np.zeros((2, 2, 4)))


def test_images_figure_has_one_panel_per_image_in_order() -> None:
    a, b = np.zeros((4, 6, 3)), np.ones((4, 6))
    fig = dip_images_figure({"noisy": a, "restored (30.1 dB)": b})
    assert [t.type for t in fig.data] == ["image", "image"]
    assert [ann.text for ann in fig.layout.annotations] == ["noisy", "restored (30.1 dB)"]
    assert np.array_equal(np.asarray(fig.data[1].z), np.full((4, 6, 3), 255))
    update_image(fig, 0, b, "changed")
    assert np.asarray(fig.data[0].z).max() == 255 and fig.layout.annotations[0].text == "changed"
    with pytest.raises(ValueError, match="images is empty"):
        dip_images_figure({})


@dataclass
class Fit:
    best_image: np.ndarray
    best_psnr: float | None


def test_results_figure_titles_each_fit_with_its_psnr_after_the_before_panels() -> None:
    dark, light = np.zeros((4, 6, 3)), np.ones((4, 6, 3))
    fig = dip_results_figure(
        {"U-Net": Fit(light, 28.14), "seed 1": Fit(dark, None)}, before={"holes": dark}
    )
    assert [ann.text for ann in fig.layout.annotations] == ["holes", "U-Net (28.1 dB)", "seed 1"]
    assert np.asarray(fig.data[1].z).min() == 255 and np.asarray(fig.data[2].z).max() == 0
    with pytest.raises(ValueError, match="results is empty"):
        dip_results_figure({})


def test_psnr_curve_draws_raw_averaged_and_best() -> None:
    history = [Rec(0, 0.1, 10.0, 10.0), Rec(1, 0.05, 12.0, 14.0), Rec(2, 0.04, 13.0, 12.0)]
    fig = psnr_curve_figure(history, reference_psnr=20.2)
    assert list(fig.data[0].y) == [10.0, 14.0, 12.0]  # raw: rises, peaks, falls
    assert list(fig.data[1].y) == [10.0, 12.0, 13.0]
    assert list(fig.data[2].x) == [2] and "13.00 dB" in fig.data[2].name
    assert fig.layout.shapes[0].y0 == 20.2
    update_psnr_curve(fig, history[:2])
    assert list(fig.data[1].x) == [0, 1] and list(fig.data[2].x) == [1]


def test_psnr_curve_without_averaging_or_clean() -> None:
    same = [Rec(0, 0.1, 10.0, 10.0), Rec(1, 0.1, 11.0, 11.0)]
    fig = psnr_curve_figure(same)
    assert fig.data[1].visible is False and list(fig.data[0].y) == [10.0, 11.0]
    empty = psnr_curve_figure([Rec(0, 0.1, None, None)])
    assert list(empty.data[0].x) == [] and list(empty.data[2].x) == []


def test_snapshots_figure_has_a_frame_and_slider_step_per_snapshot() -> None:
    snaps = [Snap(0, np.zeros((3, 3, 3)), 9.0), Snap(100, np.ones((3, 3, 3)), None)]
    fig = snapshots_figure(snaps)
    assert [f.name for f in fig.frames] == ["0", "100"]
    assert [s.label for s in fig.layout.sliders[0].steps] == ["0", "100"]
    assert np.asarray(fig.frames[1].data[0].z).min() == 255
    assert "9.00 dB" in fig.layout.title.text
    with pytest.raises(ValueError, match="snapshots is empty"):
        snapshots_figure([])


def test_render_does_not_import_torch() -> None:
    import subprocess
    import sys

    code = "import sys, vizkit.render.dip; print('torch' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
