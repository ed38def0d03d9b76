"""``channels_last`` vs the default memory format, timed on your device.

Torch stores ``(N, C, H, W)`` tensors channels-first (NCHW) by default; ``channels_last``
(NHWC, the lecture's "channels_last" data format) keeps a pixel's channels together, which
tensor-core convolutions on recent NVIDIA GPUs and oneDNN on CPUs often prefer. Whether it helps
depends on the device, the layer shapes and the dtype — so measure: :func:`time_memory_formats`.
"""

from __future__ import annotations

import copy
import time
from dataclasses import dataclass

import torch
from torch import nn

from vizkit.inspect._args import run_model

__all__ = ["MemoryFormatTiming", "time_memory_formats"]


@dataclass(frozen=True)
class MemoryFormatTiming:
    """Median seconds per pass in each memory format.

    Attributes:
        device: Where it ran.
        contiguous_s: Median seconds per pass, default (NCHW) format.
        channels_last_s: The same with model and input in ``torch.channels_last``.
        repeats: Timed passes per format (fewer than asked when ``seconds`` ran out).
        backward: Whether a backward pass was included.
    """

    device: str
    contiguous_s: float
    channels_last_s: float
    repeats: int
    backward: bool

    @property
    def speedup(self) -> float:
        """``contiguous_s / channels_last_s``: above 1 means channels_last is faster."""
        return self.contiguous_s / self.channels_last_s


def _median_time(
    model: nn.Module,
    x: torch.Tensor,
    repeats: int,
    warmup: int,
    backward: bool,
    seconds: float | None = None,
) -> tuple[float, int]:
    sync = torch.cuda.synchronize if x.device.type == "cuda" else (lambda: None)
    times: list[float] = []
    began = time.perf_counter()
    for i in range(warmup + repeats):
        if seconds is not None and len(times) >= 3 and time.perf_counter() - began > seconds:
            break  # enough for a median; a slow or busy device must not stall a notebook
        sync()
        start = time.perf_counter()
        if backward:
            with torch.enable_grad():
                out = run_model(model, x, "input_shape's random input")
                if not isinstance(out, torch.Tensor) or not out.requires_grad:
                    raise ValueError("backward=True needs a model whose output has a gradient")
                out.sum().backward()
        else:
            with torch.no_grad():
                run_model(model, x, "input_shape's random input")
        sync()
        if i >= warmup:
            times.append(time.perf_counter() - start)
    times.sort()
    return times[len(times) // 2], len(times)


def time_memory_formats(
    model: nn.Module,
    input_shape: tuple[int, int, int, int],
    *,
    device: str | torch.device | None = None,
    repeats: int = 10,
    warmup: int = 2,
    backward: bool = False,
    seconds: float | None = 15.0,
) -> MemoryFormatTiming:
    """Time a model's forward (and optionally backward) pass in NCHW and in channels_last.

    The model is copied (the original keeps its format and device). The input is random.
    Timings are medians; other work on the machine makes them noisy, so read the ratio, not
    the digits.

    Args:
        model: Any module taking ``(N, C, H, W)`` input.
        input_shape: ``(N, C, H, W)``.
        device: ``None`` picks cuda → mps → cpu.
        repeats: Timed passes per format (>= 1).
        warmup: Untimed passes first (cuDNN picks algorithms, caches warm up).
        backward: Also run ``.sum().backward()``.
        seconds: Time budget per format: once it is spent (and at least 3 passes were
            timed) the remaining repeats are skipped, so a slow or busy machine answers in
            about ``2 × seconds``; ``None``: always all ``repeats``.

    Returns:
        A :class:`MemoryFormatTiming` (``.speedup`` > 1: channels_last is faster).

    Raises:
        TypeError: an argument of the wrong kind.
        ValueError: ``input_shape`` is not 4-D (or too large for the memory budget),
            ``repeats`` outside 1 … 1000, ``warmup`` outside 0 … 100, a model that cannot
            run on the input, or an unknown device.
    """
    from vizkit._validate import check_bool, check_int
    from vizkit.device.determinism import _setup

    if isinstance(input_shape, tuple | list) and len(input_shape) != 4:
        raise ValueError(
            f"input_shape {tuple(input_shape)} must be (N, C, H, W): "
            "channels_last is defined for 4-D tensors"
        )
    dev, shape = _setup(model, input_shape, device, (4,))
    repeats = check_int("repeats", repeats, minimum=1, maximum=1000)
    warmup = check_int("warmup", warmup, minimum=0, maximum=100)
    backward = check_bool("backward", backward)
    x = torch.randn(shape, device=dev)
    plain = copy.deepcopy(model).to(dev)
    last = copy.deepcopy(model).to(dev).to(memory_format=torch.channels_last)
    if seconds is not None and not seconds > 0:
        raise ValueError(f"seconds {seconds} must be positive (a time budget), or None")
    t_plain, n_plain = _median_time(plain, x.contiguous(), repeats, warmup, backward, seconds)
    t_last, n_last = _median_time(
        last, x.to(memory_format=torch.channels_last), repeats, warmup, backward, seconds
    )
    return MemoryFormatTiming(
        device=str(dev),
        contiguous_s=t_plain,
        channels_last_s=t_last,
        repeats=min(n_plain, n_last),
        backward=backward,
    )
