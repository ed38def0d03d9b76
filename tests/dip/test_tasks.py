"""The three tasks and their presets: shapes, sizes, masks, seeds, errors."""

from __future__ import annotations

import numpy as np
import pytest
import torch

import vizkit.dip as dip

TINY = dip.hourglass(8, 8, 3, 2)  # multiple 8, min size 16
FAST = {"network": TINY, "progress": False}


def test_denoise_returns_images_and_psnr_history(small_rgb: np.ndarray) -> None:
    noisy = dip.add_noise(small_rgb, 25)
    result = dip.denoise(noisy, clean=small_rgb, steps=12, **FAST)
    assert result.image.shape == result.best_image.shape == (64, 64, 3)
    assert [r.step for r in result.history] == list(range(12))
    assert all(r.psnr is not None and r.loss > 0 for r in result.history)
    assert result.best_psnr == max(r.psnr for r in result.history)
    assert "hourglass 8→8×3" in result.notes[-1]


def test_denoise_without_clean_has_no_psnr(small_rgb: np.ndarray) -> None:
    result = dip.denoise(dip.add_noise(small_rgb, 25), steps=3, **FAST)
    assert result.best_psnr is None and result.history[0].psnr is None
    assert np.array_equal(result.best_image, result.image)


def test_cpu_preset_runs_and_improves_on_64px(small_rgb: np.ndarray) -> None:
    noisy = dip.add_noise(small_rgb, 25)
    result = dip.denoise(noisy, clean=small_rgb, steps=20, progress=False)
    assert result.history[-1].psnr_raw > result.history[0].psnr_raw + 1.0


def test_odd_sizes_are_padded_with_a_notice_and_cropped_back(small_rgb: np.ndarray) -> None:
    image = small_rgb[:60, :52]
    with pytest.warns(dip.SizeNotice, match="60×52 extended at the bottom/right to 64×56"):
        result = dip.denoise(image, clean=image, steps=2, **FAST)
    assert result.image.shape == (60, 52, 3)
    assert any("cropped back" in note for note in result.notes)
    with pytest.warns(dip.SizeNotice, match="centre-cropped to 56×48"):
        cropped = dip.denoise(image, steps=2, resize="crop", **FAST)
    assert cropped.image.shape == (56, 48, 3)


def test_too_small_images_are_refused(small_rgb: np.ndarray) -> None:
    with pytest.raises(ValueError, match=r"noisy image of 40×64 is too small .* at least 64"):
        dip.denoise(small_rgb[:40], steps=1, progress=False)  # the cpu preset: 5 scales


def test_same_seed_same_result_other_seed_other_result(small_rgb: np.ndarray) -> None:
    noisy = dip.add_noise(small_rgb, 25)
    state = torch.random.get_rng_state()
    a = dip.denoise(noisy, steps=4, seed=1, **FAST)
    assert torch.equal(state, torch.random.get_rng_state())  # global RNG left alone
    b = dip.denoise(noisy, steps=4, seed=1, **FAST)
    c = dip.denoise(noisy, steps=4, seed=2, **FAST)
    assert np.array_equal(a.image, b.image) and not np.array_equal(a.image, c.image)


def test_inpainting_ignores_what_is_under_the_holes(small_rgb: np.ndarray) -> None:
    mask = dip.hole_mask(64)
    scribbled = small_rgb.copy()
    scribbled[mask == 0] = 1.0 - scribbled[mask == 0]
    a = dip.inpaint(small_rgb, mask, steps=4, **FAST)
    b = dip.inpaint(scribbled, mask, steps=4, **FAST)
    assert np.array_equal(a.image, b.image)
    other_mask = dip.inpaint(small_rgb, dip.random_mask(64, 0.5), steps=4, **FAST)
    assert not np.array_equal(a.image, other_mask.image)


def test_inpaint_meshgrid_uses_the_large_hole_network(small_rgb: np.ndarray) -> None:
    preset = dip.get_preset("inpaint", "cpu", input="meshgrid")
    assert preset.network.in_channels == 2 and set(preset.network.channels_skip) == {0}
    result = dip.inpaint(
        small_rgb,
        dip.hole_mask(64),
        clean=small_rgb,
        steps=3,
        input="meshgrid",
        network=dip.encoder_decoder(2, 8, 3),
        progress=False,
    )
    assert result.image.shape == (64, 64, 3)
    with pytest.raises(
        ValueError, match="input 'meshgrid' has 2 channels but the network expects 8"
    ):
        dip.inpaint(small_rgb, dip.hole_mask(64), steps=1, input="meshgrid", **FAST)


def test_inpaint_mask_errors(small_rgb: np.ndarray) -> None:
    with pytest.raises(ValueError, match=r"mask is all zeros .* 1 = known"):
        dip.inpaint(small_rgb, np.zeros((64, 64)), steps=1, **FAST)
    with pytest.raises(ValueError, match="mask is 32×32 but the image is 64×64"):
        dip.inpaint(small_rgb, np.ones((32, 32)), steps=1, **FAST)


def test_super_resolution_output_size_and_loss_through_the_downsampler(
    small_rgb: np.ndarray,
) -> None:
    low = dip.downsample(small_rgb, 4)
    assert low.shape == (16, 16, 3)
    result = dip.super_resolve(low, 4, clean=small_rgb, steps=15, **FAST)
    assert result.image.shape == (64, 64, 3)
    assert result.history[-1].loss < result.history[0].loss
    again = dip.downsample(result.image, 4)  # the loss measured exactly this
    assert np.mean((again - low) ** 2) == pytest.approx(result.history[-1].loss, rel=0.5)
    with pytest.raises(ValueError, match="clean is 64×64 but the result will be 32×32"):
        dip.super_resolve(low[:8, :8], 4, clean=small_rgb, steps=1, **FAST)
    with pytest.raises(ValueError, match="factor 3 must be ≥ 2 and divide"):
        dip.super_resolve(low, 3, steps=1, **FAST)


def test_bicubic_baseline() -> None:
    up = dip.bicubic(np.full((4, 5, 3), 0.25), 4)
    assert up.shape == (16, 20, 3) and np.allclose(up, 0.25, atol=1e-6)


def test_paper_presets_match_the_official_settings() -> None:
    d = dip.get_preset("denoise", "paper")
    assert (d.steps, d.lr, d.reg_noise_std, d.ema) == (3000, 0.01, 1 / 30, 0.99)
    assert d.network == dip.hourglass(32, 128, 5, 4, upsample_mode="bilinear")
    sr4, sr8 = (
        dip.get_preset("super_resolve", "paper"),
        dip.get_preset("super_resolve", "paper", factor=8),
    )
    assert (sr4.steps, sr4.reg_noise_std, sr8.steps, sr8.reg_noise_std) == (2000, 0.03, 4000, 0.05)
    text = dip.get_preset("inpaint", "paper")
    assert text.steps == 6001 and text.network.channels_skip == (128,) * 5
    assert text.network.upsample_mode == "nearest"
    hole = dip.get_preset("inpaint", "paper", input="meshgrid")
    assert hole.steps == 5001 and hole.input == "meshgrid"
    assert hole.network.channels_skip == (0,) * 5


def test_preset_options_override(small_rgb: np.ndarray) -> None:
    seen = []
    dip.denoise(
        small_rgb,
        steps=2,
        lr=0.5,
        callback=lambda s: seen.append(s.optimizer.param_groups[0]["lr"]),
        **FAST,
    )
    assert seen == [0.5, 0.5]


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"preset": "gpu"}, ValueError, "preset 'gpu' is not one of \\('paper', 'cpu'\\)"),
        ({"steps": 0}, ValueError, "steps 0 is below 1: use 1 to 1000000, or None"),
        ({"network": "unet"}, TypeError, "network must be a vizkit.dip.NetSpec"),
        ({"device": "cuda:7"}, ValueError, "not available"),
    ],
)
def test_task_errors(small_rgb: np.ndarray, kwargs: dict, error: type, message: str) -> None:
    with pytest.raises(error, match=message):
        dip.denoise(small_rgb, progress=False, **kwargs)
