"""The fit loop: learning, exact rollback, stop/interrupt keeping the best, snapshots."""

from __future__ import annotations

import importlib
import threading
from collections.abc import Callable

import numpy as np
import pytest
import torch

import vizkit.dip as dip
from vizkit.data.transforms import image_to_tensor
from vizkit.dip.fit import cpu_has_fast_bf16

fit_module = importlib.import_module("vizkit.dip.fit")  # vizkit.dip.fit is also the function

SPEC = dip.hourglass(8, 8, 3, 2)  # tiny: ~10 ms a step at 64×64


def setup(image: np.ndarray, seed: int = 0) -> tuple[torch.nn.Module, torch.Tensor, torch.Tensor]:
    torch.manual_seed(seed)
    net = SPEC.build()
    z = dip.make_input("noise", SPEC.in_channels, *image.shape[:2], seed=seed)
    return net, z, image_to_tensor(image, channels=None, batch=True)


def mse_to(target: torch.Tensor) -> Callable[[torch.Tensor], torch.Tensor]:
    return lambda out: torch.mean((out - target) ** 2)


def test_loss_falls_within_a_few_steps(small_rgb: np.ndarray) -> None:
    net, z, target = setup(small_rgb)
    result = dip.fit(net, z, mse_to(target), steps=25, lr=0.01, progress=False)
    losses = [r.loss for r in result.history]
    assert len(losses) == 25 and result.stop_reason == "done"
    assert np.mean(losses[-5:]) < 0.7 * losses[0]


def test_psnr_history_and_best_image(small_rgb: np.ndarray) -> None:
    net, z, target = setup(small_rgb)
    result = dip.fit(
        net, z, mse_to(target), steps=15, clean=target, ema=0.9, snapshot_every=5, progress=False
    )
    psnrs = [r.psnr for r in result.history]
    assert result.best_psnr == max(psnrs)
    assert result.best_step == int(np.argmax(psnrs))
    assert dip.psnr(
        image_to_tensor(result.best_image, channels=None, batch=True), target
    ) == pytest.approx(result.best_psnr, abs=1e-4)
    assert result.history[-1].psnr != result.history[-1].psnr_raw  # averaged vs raw output
    assert [s.step for s in result.snapshots] == [0, 5, 10, 14]
    assert np.array_equal(result.snapshots[-1].image, result.image)
    assert result.ssim is not None and -1 <= result.ssim <= 1


def test_rollback_restores_weights_and_optimizer_and_skips_the_bad_step(
    small_rgb: np.ndarray,
) -> None:
    # Without z-perturbation a run is deterministic, so we can say exactly where it must be.
    # Step 2's loss is made to "explode": the update of step 1 that led there is discarded and
    # the state before it (weights AND Adam moments/step count) comes back. So 6 steps with one
    # rollback must end bit-identical to 4 clean steps. The reference code would instead apply
    # the diverged step's gradient to the restored weights, with Adam's moments left as they were.
    net_a, z, target = setup(small_rgb)
    calls = {"n": 0}

    def exploding(out: torch.Tensor) -> torch.Tensor:
        calls["n"] += 1
        loss = torch.mean((out - target) ** 2)
        return loss * 1e6 if calls["n"] == 3 else loss

    optimizers: dict[str, torch.optim.Optimizer] = {}

    def keep(name: str) -> Callable[[dip.FitState], None]:
        return lambda state: optimizers.__setitem__(name, state.optimizer)

    a = dip.fit(net_a, z, exploding, steps=6, progress=False, callback=keep("a"))
    assert a.rollbacks == 1 and [r.rolled_back for r in a.history] == [
        False,
        False,
        True,
        False,
        False,
        False,
    ]
    net_b, z_b, _ = setup(small_rgb)
    b = dip.fit(net_b, z_b, mse_to(target), steps=4, progress=False, callback=keep("b"))
    for pa, pb in zip(net_a.parameters(), net_b.parameters(), strict=True):
        assert torch.equal(pa, pb)
    assert np.array_equal(a.image, b.image)
    assert a.history[3].loss == a.history[1].loss  # the redone step sees the restored state
    # Adam's state (step count, both moments) is bit-identical too, and a single rollback
    # leaves the learning rate alone (only a repeated divergence halves it)
    for pa, pb in zip(net_a.parameters(), net_b.parameters(), strict=True):
        state_a, state_b = optimizers["a"].state[pa], optimizers["b"].state[pb]
        assert sorted(state_a) == sorted(state_b)
        for key in state_a:
            assert torch.equal(state_a[key], state_b[key]), key
    assert {r.lr for r in a.history} == {0.01} and not a.notes


def test_repeated_divergence_halves_the_lr_and_recovers(small_rgb: np.ndarray) -> None:
    # A target the fresh net almost matches (loss ~1e-3) and a far too large lr: every update
    # from the start state overshoots (loss ×30). Without z-perturbation the retried step is
    # the same update, so a plain rollback repeats it forever (good, bad, good, bad...). Each
    # repeated divergence must halve the lr until an update is small enough to help.
    image = small_rgb[::2, ::2]  # 32×32
    net, z, photo = setup(image)
    with torch.no_grad():
        target = 0.9 * net(z) + 0.1 * photo
    result = dip.fit(
        net,
        z,
        mse_to(target),
        steps=40,
        lr=0.3,
        reg_noise_std=0.0,
        precision="fp32",
        progress=False,
    )
    assert result.stop_reason == "done"
    assert 2 <= result.rollbacks < 20
    assert not any(r.rolled_back for r in result.history[-10:])  # got past the bad region
    assert result.history[-1].loss < 0.8 * result.history[0].loss
    halvings = result.rollbacks - 1  # the first rollback retries at the same lr
    assert result.history[-1].lr == pytest.approx(0.3 * 0.5**halvings)
    assert len(result.notes) == halvings
    assert "diverged again after a rollback; learning rate halved to 0.15" in result.notes[0]


def test_repeated_divergence_without_progress_counts_as_diverged(small_rgb: np.ndarray) -> None:
    # The same alternating pattern with a budget of 3 rollbacks: the good retried steps in
    # between do not count as progress, so the run ends "diverged" instead of idling to the end.
    image = small_rgb[::2, ::2]
    net, z, photo = setup(image)
    with torch.no_grad():
        target = 0.9 * net(z) + 0.1 * photo
    result = dip.fit(
        net, z, mse_to(target), steps=40, lr=10.0, max_rollbacks=3, precision="fp32", progress=False
    )
    assert result.stop_reason == "diverged" and result.rollbacks == 3
    assert [r.rolled_back for r in result.history] == [False, True, False, True, False, True]


def test_final_psnr_skips_a_rolled_back_last_step(small_rgb: np.ndarray) -> None:
    net, z, target = setup(small_rgb)
    calls = {"n": 0}

    def last_explodes(out: torch.Tensor) -> torch.Tensor:
        calls["n"] += 1
        loss = torch.mean((out - target) ** 2)
        return loss * 1e6 if calls["n"] == 5 else loss

    result = dip.fit(net, z, last_explodes, steps=5, clean=target, progress=False)
    assert result.history[-1].rolled_back and result.history[-1].psnr is None
    assert result.psnr == result.history[-2].psnr is not None
    assert dip.psnr(
        image_to_tensor(result.image, channels=None, batch=True), target
    ) == pytest.approx(result.psnr, abs=1e-4)
    assert result.snapshots[-1].psnr == result.psnr


def test_endless_divergence_stops_with_a_reason(small_rgb: np.ndarray) -> None:
    net, z, _ = setup(small_rgb)
    result = dip.fit(
        net, z, lambda out: out.sum() * float("nan"), steps=50, max_rollbacks=4, progress=False
    )
    assert result.stop_reason == "diverged" and result.rollbacks == 4
    assert result.image.shape == (64, 64, 3)


def test_stop_event_ends_the_run_and_keeps_the_best(small_rgb: np.ndarray) -> None:
    net, z, target = setup(small_rgb)
    stop = threading.Event()
    seen: list[int] = []

    def on_step(state: dip.FitState) -> None:
        seen.append(state.step)
        if state.step == 7:
            stop.set()

    result = dip.fit(
        net,
        z,
        mse_to(target),
        steps=100,
        clean=target,
        stop=stop,
        callback=on_step,
        callback_every=1,
        progress=False,
    )
    assert result.stop_reason == "stopped" and result.steps == 8 and seen[-1] == 7
    assert result.best_psnr == max(r.psnr for r in result.history)
    assert dip.psnr(
        image_to_tensor(result.best_image, channels=None, batch=True), target
    ) == pytest.approx(result.best_psnr, abs=1e-4)


def test_interrupt_keeps_the_best(small_rgb: np.ndarray) -> None:
    net, z, target = setup(small_rgb)
    calls = {"n": 0}

    def interrupted(out: torch.Tensor) -> torch.Tensor:
        calls["n"] += 1
        if calls["n"] == 6:
            raise KeyboardInterrupt
        return torch.mean((out - target) ** 2)

    result = dip.fit(net, z, interrupted, steps=100, clean=target, progress=False)
    assert result.stop_reason == "interrupted" and result.steps == 5
    assert result.best_step is not None and result.best_image.shape == (64, 64, 3)


def test_early_stopping_after_patience(small_rgb: np.ndarray) -> None:
    net, z, target = setup(small_rgb)
    # a clean image the fit moves away from: PSNR peaks at once, patience ends the run
    away = 1.0 - target
    result = dip.fit(net, z, mse_to(target), steps=200, clean=away, patience=3, progress=False)
    assert result.stop_reason == "early stop"
    assert result.steps == result.best_step + 4


def test_inputs_are_not_modified_and_seeds_are_reproducible(small_rgb: np.ndarray) -> None:
    results = []
    for _ in range(2):
        net, z, target = setup(small_rgb)
        z_before = z.clone()
        results.append(
            dip.fit(net, z, mse_to(target), steps=5, reg_noise_std=0.05, seed=3, progress=False)
        )
        assert torch.equal(z, z_before)
    assert np.array_equal(results[0].image, results[1].image)
    net, z, target = setup(small_rgb)
    other = dip.fit(net, z, mse_to(target), steps=5, reg_noise_std=0.05, seed=4, progress=False)
    assert not np.array_equal(other.image, results[0].image)


def test_bf16_autocast_runs_on_cpu(small_rgb: np.ndarray) -> None:
    net, z, target = setup(small_rgb)
    result = dip.fit(net, z, mse_to(target), steps=3, precision="bf16", progress=False)
    assert result.precision == "bf16" and np.isfinite(result.image).all()


def _pretend_fast_bf16(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """Make precision="auto" pick bf16 here and record each guard check's drift."""
    drifts: list[float] = []
    real = fit_module.bf16_drift_db

    def recording(loss_bf16: float, loss_fp32: float) -> float:
        drifts.append(real(loss_bf16, loss_fp32))
        return drifts[-1]

    monkeypatch.setattr(fit_module, "cpu_has_fast_bf16", lambda: True)
    monkeypatch.setattr(fit_module, "bf16_drift_db", recording)
    return drifts


def test_auto_bf16_is_kept_while_it_stays_within_the_tolerance(
    small_rgb: np.ndarray, monkeypatch: pytest.MonkeyPatch
) -> None:
    drifts = _pretend_fast_bf16(monkeypatch)
    net, z, target = setup(small_rgb[::2, ::2])
    result = dip.fit(net, z, mse_to(target), steps=5, bf16_check_every=2, progress=False)
    assert result.precision == "bf16" and not result.notes
    assert len(drifts) == 2  # steps 1 and 3
    assert all(0 <= d < 0.3 for d in drifts)


def test_auto_bf16_falls_back_to_fp32_when_it_drifts(
    small_rgb: np.ndarray, monkeypatch: pytest.MonkeyPatch
) -> None:
    drifts = _pretend_fast_bf16(monkeypatch)
    net, z, target = setup(small_rgb[::2, ::2])
    # a tolerance no rounding can meet: the first check fails
    result = dip.fit(
        net, z, mse_to(target), steps=5, bf16_check_every=2, bf16_tolerance_db=0.0, progress=False
    )
    assert result.precision == "fp32" and len(drifts) == 1 and drifts[0] > 0
    assert len(result.notes) == 1 and result.notes[0].startswith(
        "step 1: bf16 autocast moved the PSNR against the observed image by "
    )
    assert "switched to fp32 for the remaining steps" in result.notes[0]
    # after the switch the steps run in fp32: with the forward's dtype hooked, steps 0 and 1
    # (up to the check) produced bf16 outputs, the check's own forward and steps 2, 3 fp32
    net, z, target = setup(small_rgb[::2, ::2])
    dtypes: list[torch.dtype] = []
    net.register_forward_hook(lambda _m, _i, out: dtypes.append(out.dtype))
    dip.fit(
        net, z, mse_to(target), steps=4, bf16_check_every=2, bf16_tolerance_db=0.0, progress=False
    )
    assert dtypes == [torch.bfloat16, torch.float32, torch.bfloat16, torch.float32, torch.float32]


def test_the_bf16_check_does_not_change_the_run(
    small_rgb: np.ndarray, monkeypatch: pytest.MonkeyPatch
) -> None:
    # the extra fp32 forward must leave BatchNorm's running statistics as they were
    drifts = _pretend_fast_bf16(monkeypatch)
    runs = []
    for every in (1, None):
        net, z, target = setup(small_rgb[::2, ::2])
        runs.append(
            (
                dip.fit(net, z, mse_to(target), steps=3, bf16_check_every=every, progress=False),
                [b.clone() for b in net.buffers()],
            )
        )
    assert len(drifts) == 3
    assert np.array_equal(runs[0][0].image, runs[1][0].image)
    for a, b in zip(runs[0][1], runs[1][1], strict=True):
        assert torch.equal(a, b)


def test_explicit_bf16_is_not_checked(
    small_rgb: np.ndarray, monkeypatch: pytest.MonkeyPatch
) -> None:
    drifts = _pretend_fast_bf16(monkeypatch)
    net, z, target = setup(small_rgb[::2, ::2])
    result = dip.fit(
        net, z, mse_to(target), steps=2, precision="bf16", bf16_tolerance_db=0.0, progress=False
    )
    assert result.precision == "bf16" and not drifts


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"steps": 0}, "steps 0 is below 1"),
        ({"steps": 5, "ema": 1.0}, "ema 1.0 is not below 1"),
        ({"steps": 5, "patience": 3}, "patience .* needs the clean image"),
        ({"steps": 5, "precision": "fp16"}, "precision 'fp16' needs a CUDA device"),
        ({"steps": 5, "precision": "fp8"}, "precision 'fp8' is not one of"),
        ({"steps": 5, "reg_noise_std": -1}, "reg_noise_std -1 is below 0"),
        ({"steps": 5, "bf16_check_every": 0}, "bf16_check_every 0 is below 1"),
        ({"steps": 5, "bf16_tolerance_db": -0.1}, "bf16_tolerance_db -0.1 is below 0"),
        ({"steps": 5, "lr": 0.0}, "lr 0.0 is not above 0"),
        ({"steps": 5, "divergence_ratio": float("nan")}, "divergence_ratio is NaN"),
    ],
)
def test_bad_settings_are_explained(small_rgb: np.ndarray, kwargs: dict, message: str) -> None:
    net, z, target = setup(small_rgb)
    with pytest.raises(ValueError, match=message):
        dip.fit(net, z, mse_to(target), progress=False, **kwargs)


def test_auto_precision_uses_bf16_only_on_cpus_with_native_bf16(small_rgb: np.ndarray) -> None:
    net, z, target = setup(small_rgb)
    result = dip.fit(net, z, mse_to(target), steps=1, progress=False)
    expected = "bf16" if cpu_has_fast_bf16() else "fp32"
    assert result.precision == expected
    net, z, target = setup(small_rgb)
    assert (
        dip.fit(net, z, mse_to(target), steps=1, precision="fp32", progress=False).precision
        == "fp32"
    )


def test_memory_layout_does_not_change_the_noise_draws(small_rgb: np.ndarray) -> None:
    images = []
    for channels_last in (False, True):
        net, z, target = setup(small_rgb)
        images.append(
            dip.fit(
                net,
                z,
                mse_to(target),
                steps=3,
                reg_noise_std=0.1,
                precision="fp32",
                channels_last=channels_last,
                progress=False,
            ).image
        )
    assert np.abs(images[0] - images[1]).max() < 1e-3  # only float rounding differs
