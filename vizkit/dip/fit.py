"""The Deep Image Prior fit loop: fit an untrained net to one corrupted image, keep the best.

Each step feeds the fixed code ``z`` plus a fresh perturbation ``reg_noise_std · N(0, 1)``,
computes the task's loss on the output, and takes an Adam step. Along the way it keeps an
exponential average of the outputs (``ema``), the PSNR against the clean image when known
(history and best image), snapshots every ``snapshot_every`` steps, and a per-step
:class:`~vizkit.dip.checkpoint.Checkpoint`: when the loss jumps by more than
``divergence_ratio`` (or is not finite) the weights *and* the optimizer state are restored
and the bad step is skipped. If the retried step diverges again from the restored state
(always so without z-perturbation: the same state gives the same update), the learning rate
of every parameter group is halved, so the run can get past the bad region instead of
repeating it. Divergence is also judged against the best loss so far, so a climb of steps
that each stay under the ratio (``lr=1e4``: ×2.7, then ×1.2 …) goes back to the best state
too, and a run that ends far above its best hands back the best state (``stop_reason
"diverged"``, with a note). A ``stop`` event, early stopping or Ctrl-C end the run early; the
result always keeps the best image seen.

With ``precision="auto"`` on a CPU with native bf16, bf16 autocast is kept only while it is
harmless: every ``bf16_check_every`` steps the bf16 output is compared with an fp32 forward
of the same net on the same input (see :func:`bf16_drift_db`), and the fit falls back to
fp32 for good when they differ by more than ``bf16_tolerance_db``.

On the CPU, ``cpu_threads="auto"`` times a few steps with torch's threads and with one and
keeps the faster (:mod:`vizkit.dip.cpu_threads`: on a busy machine one thread was measured
6× faster than two).
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable
from contextlib import nullcontext
from typing import Any, Literal, get_args

import torch
from torch import nn

from vizkit._validate import (
    check_bool,
    check_choice,
    check_instance,
    check_int,
    check_number,
    check_optional_int,
    check_seed,
    check_shape,
    describe,
)
from vizkit.data.transforms import tensor_to_image
from vizkit.dip.checkpoint import Checkpoint
from vizkit.dip.cpu_threads import CpuThreads, ThreadTuner
from vizkit.dip.framing import psnr
from vizkit.dip.results import FitResult, FitState, FitStopReason, Snapshot, StepRecord

__all__ = [
    "FitResult",
    "FitState",
    "Precision",
    "Snapshot",
    "StepRecord",
    "bf16_drift_db",
    "cpu_has_fast_bf16",
    "fit",
]

Precision = Literal["auto", "fp32", "bf16", "fp16"]

#: The most steps one fit may be asked for (the paper's longest run is 6001).
MAX_STEPS = 1_000_000

#: A loss that stays more than ``√divergence_ratio`` times the best loss so far (2.5 dB of
#: PSNR against the observed image at the default ratio) for this many steps in a row is a
#: slow divergence: the run goes back to the best state, as for a sudden jump.
DRIFT_STEPS = 10

#: Rollbacks to the best state described one by one in ``result.notes``; later ones are
#: summed up in one note at the end.
_NOTED_BEST_ROLLBACKS = 3


def cpu_has_fast_bf16() -> bool:
    """Whether this CPU runs bf16 convolutions natively (oneDNN with AVX512-BF16 or AMX)."""
    try:
        return bool(torch.ops.mkldnn._is_mkldnn_bf16_supported())
    except (AttributeError, RuntimeError):  # a build without oneDNN
        return False


def _resolve_precision(precision: str, device: torch.device) -> str:
    if precision not in get_args(Precision):
        raise ValueError(
            f"precision {precision!r} is not one of "
            + ", ".join(repr(p) for p in get_args(Precision))
        )
    if precision == "auto":
        if device.type == "cuda":
            return "bf16" if torch.cuda.is_bf16_supported() else "fp16"
        # Measured by benchmarks/bench_dip.py on a 2-core AVX512-BF16 CPU (official net, 256²):
        # bf16 autocast + channels_last runs 2.3–2.5× faster per step than the fp32 reference
        # loop, and PSNR after the same steps stays within 0.3 dB (-0.01 to -0.12 dB). That is
        # one image and one net, so fit() also checks at run time (bf16_check_every) and
        # falls back to fp32 if bf16 drifts. CPUs without native bf16 would emulate it
        # (slower), so they stay in fp32.
        if device.type == "cpu" and cpu_has_fast_bf16():
            return "bf16"
        return "fp32"
    if precision == "fp16" and device.type != "cuda":
        raise ValueError(
            f"precision 'fp16' needs a CUDA device, got {device}: use 'bf16' or 'fp32' on the CPU"
        )
    return precision


def bf16_drift_db(loss_bf16: float, loss_fp32: float) -> float:
    """How much bf16 changes the fit's PSNR against the observed image, in dB.

    The task losses are mean squared errors against the observation ``y`` (the noisy image,
    the known pixels, the low-res image), and ``PSNR = 10·log10(1 / MSE)`` for images in
    ``[0, 1]``, so the PSNR difference between the bf16 and the fp32 forward pass of the same
    net on the same input is ``|10·log10(L_bf16 / L_fp32)|`` (a mask's constant factor
    cancels). 0.3 dB is a loss ratio of 10^0.03 ≈ 1.072.

    Args:
        loss_bf16: The loss of the bf16-autocast output.
        loss_fp32: The loss of the fp32 output.

    Returns:
        The drift in dB (≥ 0); ``inf`` if exactly one loss is 0 or either is not finite.

    >>> round(bf16_drift_db(0.0107, 0.01), 3)
    0.294
    >>> bf16_drift_db(0.01, 0.01)
    0.0
    """
    if loss_bf16 == loss_fp32:
        return 0.0
    if (
        not (math.isfinite(loss_bf16) and math.isfinite(loss_fp32))
        or min(loss_bf16, loss_fp32) <= 0
    ):
        return math.inf
    return abs(10.0 * math.log10(loss_bf16 / loss_fp32))


def _fp32_loss(
    net: nn.Module, net_in: torch.Tensor, loss_fn: Callable[[torch.Tensor], torch.Tensor]
) -> float:
    """The loss of an fp32 forward pass, leaving the net's buffers (BatchNorm running
    statistics) exactly as they were, so the check does not change the run."""
    buffers = [b.detach().clone() for b in net.buffers()]
    try:
        with torch.no_grad(), torch.autocast(net_in.device.type, enabled=False):
            return float(loss_fn(net(net_in).float()))
    finally:
        with torch.no_grad():
            for b, saved in zip(net.buffers(), buffers, strict=True):
                b.copy_(saved)


def _check_callable(name: str, value: object, example: str) -> None:
    if value is not None and not callable(value):
        raise TypeError(f"{name} must be a function, got {describe(value)}: e.g. {example}")


def _first_forward(
    net: nn.Module,
    net_in: torch.Tensor,
    loss_fn: Callable[[torch.Tensor], torch.Tensor],
    autocast: Any,
) -> tuple[torch.Tensor, torch.Tensor]:
    """The first step's forward pass and loss, with errors that name ``z`` or ``loss_fn``."""
    try:
        with autocast:
            out = net(net_in)
    except RuntimeError as err:
        if "out of memory" in str(err):
            raise
        raise ValueError(
            f"z of shape {tuple(net_in.shape)} does not fit net: its first forward pass "
            f"failed ({str(err).splitlines()[0]}): build z with the net's input channels"
        ) from err
    if not isinstance(out, torch.Tensor):
        raise TypeError(f"net must return a tensor (1, C, H, W), got {describe(out)}")
    out = out.float()
    try:
        loss = loss_fn(out)
    except (TypeError, RuntimeError) as err:
        raise TypeError(
            f"loss_fn failed on the net's output of shape {tuple(out.shape)} "
            f"({str(err).splitlines()[0]}): pass a function of the output, e.g. "
            "lambda out: ((out - target) ** 2).mean()"
        ) from err
    if not isinstance(loss, torch.Tensor) or loss.numel() != 1 or not loss.is_floating_point():
        raise TypeError(
            f"loss_fn must return a scalar float tensor (the loss), got {describe(loss)}: "
            "e.g. lambda out: ((out - target) ** 2).mean()"
        )
    if not loss.requires_grad and torch.is_grad_enabled():
        raise ValueError(
            "loss_fn's result does not depend on the net's output (it has no gradient): "
            "compute it from the output, with torch operations"
        )
    return out, loss


def _check_cpu_threads(value: object) -> None:
    if value is None or (isinstance(value, str) and value == "auto"):
        return
    if isinstance(value, str):
        raise ValueError(f"cpu_threads {value!r} is not 'auto', None or an int ≥ 1")
    check_int("cpu_threads", value, minimum=1, maximum=1024, fix="use 'auto', 1 or None")


def fit(
    net: nn.Module,
    z: torch.Tensor,
    loss_fn: Callable[[torch.Tensor], torch.Tensor],
    *,
    steps: int,
    lr: float = 0.01,
    reg_noise_std: float = 0.0,
    ema: float | None = None,
    clean: torch.Tensor | None = None,
    present: Callable[[torch.Tensor], torch.Tensor] | None = None,
    snapshot_every: int | None = 100,
    divergence_ratio: float = 10**0.5,
    max_rollbacks: int = 10,
    patience: int | None = None,
    seed: int = 0,
    precision: Precision = "auto",
    channels_last: bool | None = None,
    stop: threading.Event | None = None,
    callback: Callable[[FitState], None] | None = None,
    callback_every: int = 10,
    progress: bool = True,
    bf16_check_every: int | None = 100,
    bf16_tolerance_db: float = 0.3,
    cpu_threads: CpuThreads = "auto",
) -> FitResult:
    """Fit ``net`` so that ``loss_fn(net(z + noise))`` falls; return the images and history.

    ``net`` and ``z`` must already be on the device to use; ``net`` is trained in place.

    Args:
        net: Untrained network, ``(1, C_in, H, W)`` → ``(1, C, H, W)`` in ``[0, 1]``.
        z: Fixed input code ``(1, C_in, H, W)`` (not modified).
        loss_fn: Maps the float32 output ``(1, C, H, W)`` to a scalar loss.
        steps: Number of steps (≥ 1).
        lr: Adam learning rate.
        reg_noise_std: Std of the fresh Gaussian perturbation of ``z`` each step (0 = off).
        ema: Exponential-average weight of outputs (e.g. 0.99), or ``None`` for none.
        clean: Clean image ``(1, C, h, w)`` for PSNR and best-image tracking (same size as
            ``present(output)``).
        present: Maps the network's output to the image to report (e.g. crops padding);
            identity by default.
        snapshot_every: Keep a snapshot every this many steps (``None`` = only the last).
        divergence_ratio: A loss above this times the previous step's counts as divergence
            (the default 10^0.5 is the reference code's 5 dB PSNR drop): the step is undone.
            A loss above this times the *best* loss so far, or above its square root times
            the best for :data:`DRIFT_STEPS` steps in a row (a climb of steps that each look
            harmless), is a divergence too: the run goes back to the state that gave the
            best loss and halves the learning rate (``result.notes`` says so). A run that
            ends above ``√divergence_ratio`` × its best loss hands back that best state, with
            ``stop_reason "diverged"`` and a note. Must be above 1.
        max_rollbacks: Stop with ``"diverged"`` after this many rollbacks without progress
            (a rollback, the retried step, and a divergence again count as "in a row"; two
            good steps after a rollback reset the count). Each repeated divergence halves
            the learning rate (noted in ``result.notes``; ``StepRecord.lr`` shows it).
        patience: Early stop after this many steps without a better PSNR (needs ``clean``).
        seed: Seed of the ``z`` perturbations.
        precision: ``"auto"`` (CUDA: bf16 or fp16 autocast; CPU: bf16 autocast where the CPU
            has native bf16, guarded at run time — see ``bf16_check_every`` — else fp32;
            see :func:`cpu_has_fast_bf16`), ``"fp32"``,
            ``"bf16"`` (autocast) or ``"fp16"`` (CUDA, with gradient scaling).
        channels_last: Use the channels-last memory format; ``None`` = on with autocast
            (CUDA, or bf16 on the CPU: measured faster) and off in fp32.
        stop: Set this event (e.g. from a widget's Stop button) to end after the current step.
        callback: Called with a :class:`FitState` every ``callback_every`` steps and at the end.
        callback_every: See ``callback``.
        progress: Show a ``tqdm`` progress bar.
        bf16_check_every: Only when ``precision="auto"`` picked bf16 on the CPU: every this
            many steps (steps N−1, 2N−1, …: the net has trained by then), also run the net
            in fp32 on the step's input (no gradient; one extra forward, ≈ 1/3 of a step,
            so ≈ 0.3 % at the default 100) and compare the losses with
            :func:`bf16_drift_db`. ``None`` = never check.
        bf16_tolerance_db: If the drift exceeds this (dB of PSNR against the observed image),
            switch to fp32 for the rest of the fit (``result.precision`` becomes ``"fp32"``
            and ``result.notes`` says when and why).
        cpu_threads: On the CPU, torch's thread count during the fit (restored after):
            ``"auto"`` times a few steps with torch's threads and with one, early and every
            200 steps, and keeps the faster (on a busy machine one thread can be many times
            faster; :mod:`vizkit.dip.cpu_threads`; ``result.cpu_threads`` says what it
            chose); an int fixes it; ``None`` leaves torch's setting alone.

    Returns:
        A :class:`FitResult`.

    Raises:
        TypeError: An argument of the wrong kind (e.g. ``net`` not a module, ``steps=2.5``,
            ``stop`` not a ``threading.Event``); the message names it.
        ValueError: A setting out of range (``lr`` ≤ 0, NaN or infinite numbers, ``steps``
            outside 1 … :data:`MAX_STEPS` …); the message names it and says what is allowed.
    """
    check_instance("net", net, nn.Module, "a torch.nn.Module", "e.g. vizkit.dip.unet().build()")
    check_instance("z", z, torch.Tensor, "a torch.Tensor (1, C_in, H, W)", "vizkit.dip.make_input")
    check_shape("z", z, ndim=4, layout="(1, C_in, H, W)")
    if not z.is_floating_point():
        raise TypeError(f"z must be a floating-point tensor, got dtype {z.dtype}: use z.float()")
    if not callable(loss_fn) or isinstance(loss_fn, type):
        raise TypeError(
            f"loss_fn must be a function of the output, got {describe(loss_fn)}: "
            "e.g. lambda out: ((out - target) ** 2).mean()"
        )
    steps = check_int("steps", steps, minimum=1, maximum=MAX_STEPS)
    lr = check_number("lr", lr, above=0.0, fix="use e.g. lr=0.01 (the paper's)")
    reg_noise_std = check_number(
        "reg_noise_std", reg_noise_std, minimum=0.0, fix="use 0 (off) or e.g. 1/30 (the paper's)"
    )
    if ema is not None:
        ema = check_number("ema", ema, minimum=0.0, below=1.0, fix="use e.g. ema=0.99, or None")
    if clean is not None:
        check_instance("clean", clean, torch.Tensor, "a torch.Tensor (1, C, H, W), or None")
        check_shape("clean", clean, ndim=4, layout="(1, C, H, W)")
    _check_callable("present", present, "lambda out: out[:, :, :h, :w]")
    check_optional_int("snapshot_every", snapshot_every, minimum=1, fix="use e.g. 100, or None")
    divergence_ratio = check_number(
        "divergence_ratio",
        divergence_ratio,
        above=1.0,
        fix="a loss ratio above 1, e.g. 10**0.5 (a 5 dB drop)",
    )
    max_rollbacks = check_int("max_rollbacks", max_rollbacks, minimum=1, fix="use e.g. 10")
    check_optional_int("patience", patience, minimum=1, fix="use e.g. patience=200, or None")
    seed = check_seed(seed)
    check_choice("precision", precision, get_args(Precision))
    if channels_last is not None:
        check_bool("channels_last", channels_last)
    if stop is not None:
        check_instance("stop", stop, threading.Event, "a threading.Event, or None")
    _check_callable("callback", callback, "lambda state: print(state.step)")
    check_int("callback_every", callback_every, minimum=1, fix="use e.g. callback_every=10")
    check_bool("progress", progress)
    check_optional_int("bf16_check_every", bf16_check_every, minimum=1, fix="e.g. 100, or None")
    bf16_tolerance_db = check_number(
        "bf16_tolerance_db", bf16_tolerance_db, minimum=0.0, fix="use e.g. 0.3 (dB)"
    )
    _check_cpu_threads(cpu_threads)
    tuner = ThreadTuner(cpu_threads, z.device)  # sets threads only in the loop
    if patience is not None and clean is None:
        raise ValueError(
            "patience (early stopping) needs the clean image to measure PSNR: "
            "pass clean=..., or patience=None"
        )
    device = z.device
    precision_used = _resolve_precision(precision, device)
    guard_bf16 = (
        precision == "auto"
        and precision_used == "bf16"
        and device.type == "cpu"
        and bf16_check_every is not None
    )
    if channels_last is None:
        channels_last = device.type == "cuda" or precision_used != "fp32"
    present = present or (lambda t: t)
    fmt = torch.channels_last if channels_last else torch.contiguous_format
    net.to(memory_format=fmt)
    z = z.detach().clone().contiguous(memory_format=fmt)
    z_step = torch.empty_like(z)
    noise = torch.empty_like(z, memory_format=torch.contiguous_format)  # same draws in any layout
    gen = torch.Generator(device=device).manual_seed(seed)
    optimizer = torch.optim.Adam(net.parameters(), lr=lr)
    scaler = torch.amp.GradScaler(device.type) if precision_used == "fp16" else None
    dtype = {"bf16": torch.bfloat16, "fp16": torch.float16}.get(precision_used)
    autocast = torch.autocast(device.type, dtype=dtype) if dtype else nullcontext()
    checkpoint = Checkpoint(net, optimizer)
    checkpoint.save()  # so even a first step that diverges has a state to return to
    best_state = Checkpoint(net, optimizer)  # the state that gave the lowest loss so far
    drift_ratio = math.sqrt(divergence_ratio)
    net.train()

    history: list[StepRecord] = []
    notes: list[str] = []
    snapshots: list[Snapshot] = []
    avg: torch.Tensor | None = None
    best: torch.Tensor | None = None
    best_psnr, best_step = -math.inf, None
    last_loss, run_of_rollbacks, rollbacks = math.inf, 0, 0
    best_loss, best_loss_step, best_loss_out = math.inf, 0, None  # the lowest loss so far
    steps_above, best_rollbacks = 0, 0  # steps in a row far above best_loss; rollbacks to it
    good_since_restore: int | None = None  # None: no rollback yet
    stop_reason: FitStopReason = "done"
    reported: torch.Tensor | None = None
    start = time.perf_counter()
    bar = None
    if progress:
        from tqdm.auto import tqdm

        bar = tqdm(total=steps, desc="DIP fit", leave=False)
    step = -1
    try:
        for step in range(steps):
            if stop is not None and stop.is_set():
                stop_reason = "stopped"
                step -= 1  # this step did not run
                break
            tuner.before(step)
            step_start = time.perf_counter()
            if reg_noise_std > 0:
                torch.add(z, noise.normal_(generator=gen), alpha=reg_noise_std, out=z_step)
                net_in = z_step
            else:
                net_in = z
            # the guard's fp32 forward runs first: restoring the BatchNorm statistics after
            # the bf16 forward would modify tensors its backward pass still needs
            check = guard_bf16 and (step + 1) % bf16_check_every == 0  # type: ignore[operator]
            loss_fp32 = _fp32_loss(net, net_in, loss_fn) if check else None
            if history:
                with autocast:
                    out = net(net_in)
                out = out.float()
                loss = loss_fn(out)
            else:  # the first step: say which argument does not fit, not torch's internals
                out, loss = _first_forward(net, net_in, loss_fn, autocast)
            loss_value = float(loss.detach())
            lr_now = optimizer.param_groups[0]["lr"]
            jumped = not math.isfinite(loss_value) or loss_value > divergence_ratio * last_loss
            if not jumped:  # a jump is undone on its own and does not count here
                steps_above = steps_above + 1 if loss_value > drift_ratio * best_loss else 0
            if not jumped and (
                loss_value > divergence_ratio * best_loss or steps_above >= DRIFT_STEPS
            ):
                # Diverged relative to the best loss so far, by a climb of steps that each
                # looked harmless (e.g. lr=1e4: ×2.7 then ×1.17 ...): go back to the best
                # state; the same state at the same lr would climb again, so halve it.
                best_state.restore()
                checkpoint.save()
                rollbacks += 1
                run_of_rollbacks += 1
                best_rollbacks += 1
                history.append(StepRecord(step, loss_value, rolled_back=True, lr=lr_now))
                for group in optimizer.param_groups:
                    group["lr"] *= 0.5
                if best_rollbacks <= _NOTED_BEST_ROLLBACKS:
                    how = (
                        f"is {loss_value / best_loss:.2f}×"
                        if steps_above < DRIFT_STEPS
                        else f"has stayed above {drift_ratio:.2f}× for {steps_above} steps"
                    )
                    notes.append(
                        f"step {step}: diverged: the loss ({loss_value:.3g}) {how} the best so "
                        f"far ({best_loss:.3g} at step {best_loss_step}); rolled back to that "
                        f"state and halved the learning rate to "
                        f"{optimizer.param_groups[0]['lr']:.3g}"
                    )
                last_loss, steps_above, good_since_restore = best_loss, 0, 0
                if best_loss_out is not None:
                    if avg is not None:
                        avg.copy_(best_loss_out)
                        reported = avg
                    else:
                        reported = best_loss_out.clone()
                if run_of_rollbacks >= max_rollbacks:
                    stop_reason = "diverged"
                    break
                continue
            if jumped:
                checkpoint.restore()  # weights + optimizer state; the bad update is dropped
                rollbacks += 1
                run_of_rollbacks += 1
                record = StepRecord(step, loss_value, rolled_back=True, lr=lr_now)
                history.append(record)
                if run_of_rollbacks >= max_rollbacks:
                    stop_reason = "diverged"
                    break
                if good_since_restore is not None and good_since_restore <= 1:
                    # The retried step from the restored state diverged again: retrying at
                    # the same lr would repeat it (exactly so without z-perturbation).
                    for group in optimizer.param_groups:
                        group["lr"] *= 0.5
                    notes.append(
                        f"step {step}: diverged again after a rollback; learning "
                        f"rate halved to {optimizer.param_groups[0]['lr']:.3g}"
                    )
                good_since_restore = 0
                continue
            if good_since_restore is not None:
                good_since_restore += 1
                if good_since_restore >= 2:  # got past the restored state: progress
                    run_of_rollbacks = 0
            last_loss = loss_value
            if loss_fp32 is not None:
                drift = bf16_drift_db(loss_value, loss_fp32)
                if drift > bf16_tolerance_db:
                    autocast = nullcontext()
                    precision_used, guard_bf16 = "fp32", False
                    notes.append(
                        f"step {step}: bf16 autocast moved the PSNR against the "
                        f"observed image by {drift:.2f} dB (> {bf16_tolerance_db} "
                        "dB) from fp32: switched to fp32 for the remaining steps"
                    )
            checkpoint.save()  # the state that produced a good loss
            new_best = loss_value < best_loss
            if new_best:
                best_state.save()
                best_loss, best_loss_step = loss_value, step
            optimizer.zero_grad(set_to_none=True)
            if scaler is not None:
                scaler.scale(loss).backward()
                scaler.step(optimizer)
                scaler.update()
            else:
                loss.backward()
                optimizer.step()

            with torch.no_grad():
                raw = present(out.detach())
                if ema is not None:
                    if avg is None:
                        avg = raw.clone()
                    else:
                        avg.mul_(ema).add_(raw, alpha=1.0 - ema)
                    reported = avg
                else:
                    reported = raw
                if new_best:
                    if best_loss_out is None:
                        best_loss_out = reported.clone()
                    else:
                        best_loss_out.copy_(reported)
                p = p_raw = None
                if clean is not None:
                    p_raw = psnr(raw, clean)
                    p = psnr(reported, clean) if ema is not None else p_raw
                    if p > best_psnr:
                        best_psnr, best_step = p, step
                        if best is None:
                            best = reported.clone()
                        else:
                            best.copy_(reported)
            record = StepRecord(step, loss_value, p, p_raw, lr=lr_now)
            history.append(record)
            if snapshot_every is not None and step % snapshot_every == 0:
                snapshots.append(Snapshot(step, tensor_to_image(reported, rescale=False), p))
            if bar is not None:
                bar.update(1)
                if p is not None and step % 10 == 0:
                    bar.set_postfix(psnr=f"{p:.2f}", best=f"{best_psnr:.2f}")
            if callback is not None and (step % callback_every == 0 or step == steps - 1):
                callback(FitState(step, steps, record, reported, best, net, optimizer))
            tuner.after(step, time.perf_counter() - step_start)
            if patience is not None and best_step is not None and step - best_step >= patience:
                stop_reason = "early stop"
                break
    except KeyboardInterrupt:
        stop_reason = "interrupted"
    finally:
        tuner.restore()
        if bar is not None:
            bar.close()
    seconds = time.perf_counter() - start
    if best_rollbacks > _NOTED_BEST_ROLLBACKS:
        notes.append(
            f"{best_rollbacks} rollbacks to the best state in all; the learning rate is now "
            f"{optimizer.param_groups[0]['lr']:.3g} (lr={lr:g} is too high for this run)"
        )
    restored_best = best_loss_out is not None and last_loss > drift_ratio * best_loss
    if restored_best:
        # the run ended far above its best loss: hand back the best state, and say so
        best_state.restore()
        reported = best_loss_out
        notes.append(
            f"the run ended with loss {last_loss:.3g}, {last_loss / best_loss:.2f}× its best "
            f"({best_loss:.3g} at step {best_loss_step}): the result is the state of step "
            f"{best_loss_step}"
        )
        if stop_reason == "done":
            stop_reason = "diverged"
    if reported is None:
        with torch.no_grad(), autocast:
            reported = present(net(z).float())
    image = tensor_to_image(reported, rescale=False)
    scored = [r.psnr for r in history if not r.rolled_back]
    final_psnr = scored[-1] if scored else None
    if restored_best:
        final_psnr = psnr(reported, clean) if clean is not None else None
        if snapshots and snapshots[-1].step == step:
            snapshots.pop()  # it shows the diverged output, not the image handed back
    if not snapshots or snapshots[-1].step != step:
        snapshots.append(Snapshot(max(step, 0), image, final_psnr))
    best_image = tensor_to_image(best, rescale=False) if best is not None else image
    result = FitResult(
        image=image,
        best_image=best_image,
        best_step=best_step,
        best_psnr=best_psnr if best_step is not None else None,
        history=history,
        snapshots=snapshots,
        stop_reason=stop_reason,
        rollbacks=rollbacks,
        seconds=seconds,
        device=str(device),
        precision=precision_used,
        notes=notes,
        cpu_threads=tuner.describe(),
        final_psnr=final_psnr,  # the PSNR of `image`, also when the best state was handed back
    )
    if clean is not None:
        from skimage.metrics import structural_similarity

        ref = tensor_to_image(clean, rescale=False)
        result.ssim = float(structural_similarity(ref, image, channel_axis=2, data_range=1.0))
        result.best_ssim = float(
            structural_similarity(ref, best_image, channel_axis=2, data_range=1.0)
        )
    return result
