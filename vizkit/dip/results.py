"""What a Deep Image Prior fit records and returns: per-step records, snapshots, the result.

Plain data (dataclasses); :mod:`vizkit.render.dip` draws them without importing torch.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import torch
from torch import nn

__all__ = ["FitResult", "FitState", "Snapshot", "StepRecord"]


FitStopReason = Literal["done", "stopped", "interrupted", "early stop", "diverged"]
"""Why a Deep Image Prior fit ended."""


@dataclass(frozen=True)
class StepRecord:
    """One step of the history.

    Attributes:
        step: Step index (0-based).
        loss: The task loss on this step's output (before the update).
        psnr: PSNR (dB) of the reported image (the average when ``ema`` is on) against the
            clean image, or ``None`` without one.
        psnr_raw: PSNR of this step's raw output (shows the rise, peak and fall).
        rolled_back: True if this step's loss diverged and the previous state was restored
            (its ``psnr`` is then ``None``: the diverged output is not scored).
        lr: The learning rate in force at this step (rollbacks can halve it).
    """

    step: int
    loss: float
    psnr: float | None = None
    psnr_raw: float | None = None
    rolled_back: bool = False
    lr: float | None = None


@dataclass(frozen=True)
class Snapshot:
    """The reported image at a step: ``image`` is ``(H, W, C)`` float32 in ``[0, 1]``."""

    step: int
    image: np.ndarray
    psnr: float | None = None


@dataclass
class FitResult:
    """What a fit returns.

    Attributes:
        image: Final reported image ``(H, W, C)`` (the exponential average when ``ema`` is on).
        best_image: Best image by PSNR when the clean image was given, else ``image``.
        best_step: Step of ``best_image`` (``None`` without a clean image).
        best_psnr: Its PSNR in dB (``None`` without a clean image).
        history: One :class:`StepRecord` per step run.
        snapshots: :class:`Snapshot` every ``snapshot_every`` steps and at the end.
        stop_reason: ``"done"``, ``"stopped"``, ``"interrupted"``, ``"early stop"`` or
            ``"diverged"``.
        rollbacks: How many times a diverged step was rolled back.
        seconds: Wall time of the loop.
        device: Device the fit ran on.
        precision: ``"fp32"``, ``"bf16"`` or ``"fp16"``.
        ssim: SSIM of ``image`` against the clean image (``skimage.metrics``), or ``None``.
        best_ssim: SSIM of ``best_image``, or ``None``.
        notes: Human-readable notices (padding, precision choice) for the notebook to show.
        cpu_threads: On the CPU, torch's thread count the fit ended with, and why (e.g.
            ``"1 (2 threads 2040 ms/step, one 310 ms/step: the cores are busy)"``); ``None``
            elsewhere or when left to torch (``fit(cpu_threads=None)``).
        final_psnr: PSNR of ``image`` as the fit measured it (read it as :attr:`psnr`);
            ``None`` without a clean image, or for a result built by hand.
    """

    image: np.ndarray
    best_image: np.ndarray
    best_step: int | None
    best_psnr: float | None
    history: list[StepRecord]
    snapshots: list[Snapshot]
    stop_reason: FitStopReason
    rollbacks: int
    seconds: float
    device: str
    precision: Literal["fp32", "bf16", "fp16"]
    ssim: float | None = None
    best_ssim: float | None = None
    notes: list[str] = field(default_factory=list)
    cpu_threads: str | None = None
    final_psnr: float | None = None

    @property
    def steps(self) -> int:
        """Number of steps run."""
        return len(self.history)

    @property
    def psnr(self) -> float | None:
        """PSNR of the final image (:attr:`image`), or ``None`` without a clean image.

        Usually the last *scored* step's PSNR: a last step that was rolled back has no PSNR,
        and the final image is the one from the step before it. When a run that ended far
        above its best loss hands back the best state (``stop_reason "diverged"``), it is
        that state's PSNR, which is the image handed back (:attr:`final_psnr`).
        """
        if self.final_psnr is not None:
            return self.final_psnr
        for record in reversed(self.history):
            if record.psnr is not None:
                return record.psnr
        return None


@dataclass(frozen=True)
class FitState:
    """Passed to ``callback``: the step's record and live objects (read, don't modify).

    ``output`` is the reported image as a ``(1, C, H, W)`` tensor (detached; copy it to keep
    it). ``best_output`` is the best so far (same layout) or ``None``.
    """

    step: int
    steps: int
    record: StepRecord
    output: torch.Tensor
    best_output: torch.Tensor | None
    net: nn.Module
    optimizer: torch.optim.Optimizer
