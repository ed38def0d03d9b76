"""DIPComparePanel driven in code: nothing runs until Run; Stop keeps what finished."""

from __future__ import annotations

import time

import numpy as np
import pytest

import vizkit.dip as dip
from tests.support import small_astronaut
from vizkit.widgets.dip_compare import DIPComparePanel

pytestmark = pytest.mark.usefixtures("torch_one_thread")

TINY = dip.hourglass(8, 8, 3, 2)


@pytest.fixture
def clean() -> np.ndarray:
    return small_astronaut()


def test_nothing_runs_until_run_then_one_panel_per_seed(clean: np.ndarray) -> None:
    hole = dip.hole_mask(64)
    panel = DIPComparePanel(
        "seeds",
        clean,
        hole,
        seeds=range(3),
        before={"holes": clean * hole[..., None]},
        clean=clean,
        network=TINY,
        steps=3,
        device="cpu",
    )
    assert panel.results == {} and len(panel.figure.data) == 1  # only the "before" panel
    assert panel.run_button.description == "Run 3 fits" and "press Run" in panel.status.value
    results = panel.run()
    assert list(results) == ["z with seed 0", "z with seed 1", "z with seed 2"]
    assert all(r.steps == 3 for r in results.values())
    assert not np.array_equal(results["z with seed 0"].image, results["z with seed 1"].image)
    assert len(panel.figure.data) == 4
    titles = [a.text for a in panel.figure.layout.annotations]
    assert titles[0] == "holes" and titles[1].startswith("z with seed 0 (")
    assert "3/3 fits" in panel.status.value and not panel.run_button.disabled


def test_networks_default_to_the_prior_networks(clean: np.ndarray) -> None:
    panel = DIPComparePanel("networks", clean, dip.hole_mask(64), input="meshgrid")
    assert list(panel.variants) == list(dip.prior_networks())


def test_stop_from_another_thread_keeps_the_fit_in_progress_and_skips_the_rest(
    clean: np.ndarray,
) -> None:
    panel = DIPComparePanel(
        "seeds",
        clean,
        dip.text_mask(64),
        clean=clean,
        network=TINY,
        steps=10**6,
        device="cpu",
    )
    panel.run_button.click()  # runs in a background thread
    deadline = time.monotonic() + 60
    while "step 2" not in panel.status.value and time.monotonic() < deadline:
        time.sleep(0.02)
    assert "running in the background" in panel.status.value
    panel.stop_button.click()
    results = panel.wait(timeout=60)
    assert not panel.running
    assert list(results) == ["z with seed 0"]  # the other three were skipped
    fit = results["z with seed 0"]
    assert fit.stop_reason == "stopped" and fit.steps < 10**6
    assert fit.best_psnr == max(r.psnr for r in fit.history)
    assert "1/4 fits" in panel.status.value and "stopped" in panel.status.value


def test_errors() -> None:
    image = np.zeros((64, 64, 3), np.float32)
    mask = np.ones((64, 64), np.float32)
    mask[20:30, 20:30] = 0.0
    with pytest.raises(ValueError, match="experiment 'lr' is not"):
        DIPComparePanel("lr", image, mask)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="pass the seeds in `seeds`"):
        DIPComparePanel("seeds", image, mask, seed=1)
    with pytest.raises(ValueError, match="pass the networks in `networks`"):
        DIPComparePanel("networks", image, mask, network=TINY)
    with pytest.raises(ValueError, match="nothing to compare: no seeds"):
        DIPComparePanel("seeds", image, mask, seeds=[])
    bad = DIPComparePanel("seeds", image[:40], mask[:40], seeds=[0], steps=2)
    assert bad.run() == {} and "too small" in bad.status.value


@pytest.mark.parametrize(
    ("options", "error", "message"),
    [
        ({"stpes": 10}, TypeError, r"stpes is not an option of inpaint: did you mean 'steps'"),
        ({"learning_rate": 0.01}, TypeError, "learning_rate is not an option of inpaint"),
        ({"stop": None}, TypeError, r"stop is set by the panel itself \(Stop button"),
        ({"callback": print}, TypeError, "callback is set by the panel itself"),
        ({"callback_every": 5}, TypeError, "callback_every is set by the panel itself"),
        ({"steps": 0}, ValueError, "steps 0 is below 1"),
        ({"lr": -1.0}, ValueError, "lr -1.0 is not above 0"),
    ],
)
def test_options_are_checked_when_the_panel_is_made(
    options: dict[str, object], error: type[Exception], message: str
) -> None:
    image = np.zeros((64, 64, 3), np.float32)
    mask = dip.hole_mask(64)
    with pytest.raises(error, match=message):
        DIPComparePanel("seeds", image, mask, seeds=[0], network=TINY, **options)
    if error is TypeError and "not an option" in message:
        # the ground truth: what Run calls refuses the name too (only later, minutes in)
        with pytest.raises(TypeError, match=next(iter(options))):
            dip.inpaint(image, mask, network=TINY, steps=1, progress=False, **options)


def test_every_option_the_check_accepts_reaches_a_fit(clean: np.ndarray) -> None:
    # options of inpaint itself, of fit and of the preset, all given at once, all run
    hole = dip.hole_mask(64)
    panel = DIPComparePanel(
        "networks",
        clean,
        hole,
        networks={"tiny": TINY},
        clean=clean,
        steps=2,
        seed=3,
        device="cpu",
        preset="cpu",
        input="noise",
        resize="pad",
        lr=0.02,
        reg_noise_std=0.0,
        ema=None,
        input_scale=0.1,
        snapshot_every=None,
        patience=None,
        precision="fp32",
        cpu_threads=1,
    )
    results = panel.run()
    assert list(results) == ["tiny"] and results["tiny"].steps == 2, panel.status.value
