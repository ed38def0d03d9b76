"""``torch.backends.cudnn.benchmark``: cuDNN tries its convolution algorithms, keeps the fastest.

cuDNN implements each convolution several ways (implicit GEMM, precomputed-index GEMM, FFT,
tiled FFT, Winograd — Lavin & Gray 2016 — …). By default PyTorch asks cuDNN's heuristics for
one. With ``torch.backends.cudnn.benchmark = True`` the first call with a new input shape
times the candidates and caches the fastest for that shape: the first pass is slower, later
ones can be faster; a new shape triggers a new search, and the choice may differ from run to
run (so it is off when you need bit-for-bit repeatability — Raschka, STAT 479 L13).

:func:`cudnn_benchmark` measures it on the device it is given: a conv stack timed with the flag
off and on (first call and steady state). Without a CUDA device nothing is timed and the result
says what the flag would do.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import torch
from torch import nn

from vizkit._validate import check_dims, check_int, describe

__all__ = ["CudnnBenchmark", "cudnn_benchmark"]


@dataclass(frozen=True)
class CudnnBenchmark:
    """Timings of the same convolutions with ``cudnn.benchmark`` off and on.

    Attributes:
        device: Where it ran (``"cpu"`` when nothing was timed).
        timed: ``False`` without CUDA/cuDNN (all times ``None``).
        first_off_s, first_on_s: Seconds of the first forward+backward with each setting
            (with the flag on, the first call includes the algorithm search).
        steady_off_s, steady_on_s: Median seconds of later passes.
        note: What happened, in words.
    """

    device: str
    timed: bool
    first_off_s: float | None
    first_on_s: float | None
    steady_off_s: float | None
    steady_on_s: float | None
    note: str

    @property
    def speedup(self) -> float | None:
        """Steady-state time off / on (> 1: the search paid off)."""
        if self.steady_off_s is None or self.steady_on_s is None:
            return None
        return self.steady_off_s / self.steady_on_s

    def describe(self) -> str:
        """The timings (or the explanation) in a few lines."""
        if not self.timed:
            return self.note
        return (
            f"{self.device}: benchmark=False first pass {self.first_off_s * 1e3:.1f} ms, then "
            f"{self.steady_off_s * 1e3:.2f} ms\n"
            f"{self.device}: benchmark=True  first pass {self.first_on_s * 1e3:.1f} ms (the "
            f"search), then {self.steady_on_s * 1e3:.2f} ms → steady speed-up "
            f"{self.speedup:.2f}×\n{self.note}"
        )


def _net(channels: int) -> nn.Sequential:
    return nn.Sequential(
        nn.Conv2d(channels, 64, 7, stride=2, padding=3),
        nn.ReLU(),
        nn.Conv2d(64, 128, 3, padding=1),
        nn.ReLU(),
        nn.Conv2d(128, 128, 5, padding=2),
    )


def _time(model: nn.Module, x: torch.Tensor, repeats: int) -> tuple[float, float]:
    def one() -> float:
        torch.cuda.synchronize(x.device)
        start = time.perf_counter()
        model(x).sum().backward()
        torch.cuda.synchronize(x.device)
        return time.perf_counter() - start

    first = one()
    times = sorted(one() for _ in range(repeats))
    return first, times[len(times) // 2]


def cudnn_benchmark(
    device: str | torch.device | None = None,
    *,
    shape: tuple[int, int, int, int] = (32, 3, 128, 128),
    repeats: int = 10,
) -> CudnnBenchmark:
    """Time a small conv stack's forward+backward with ``cudnn.benchmark`` off, then on.

    The flag is restored to its previous value afterwards. Each setting gets a fresh model
    with the same weights; the first pass is timed separately (with the flag on it holds the
    search over algorithms), then the median of ``repeats`` passes.

    Args:
        device: A CUDA device to measure on; ``None`` or a non-CUDA device: nothing is timed
            and the result explains what the flag would do.
        shape: ``(N, C, H, W)`` input of the timed convolutions (C ≤ 64, H, W in 8…1024).
        repeats: Timed passes per setting (1…1,000).

    Returns:
        A :class:`CudnnBenchmark`.

    Raises:
        TypeError: ``device`` not a str/device, or bad shape kinds.
        ValueError: a shape or ``repeats`` out of range.
    """
    n, c, h, w = check_dims("shape", shape, 4, layout="(N, C, H, W)")
    check_int("shape", n, maximum=1024)
    check_int("shape", c, maximum=64)
    for side in (h, w):
        check_int("shape", side, minimum=8, maximum=1024)
    if n * c * h * w * 4 * 128 > 2**31:
        raise ValueError(f"shape {shape}: the activations would be too large; lower N or H, W")
    repeats = check_int("repeats", repeats, minimum=1, maximum=1000)
    if device is not None and not isinstance(device, (str, torch.device)):
        raise TypeError(f"device must be a str, torch.device or None, got {describe(device)}")
    dev = torch.device(device) if device is not None else torch.device("cpu")
    if (
        dev.type != "cuda"
        or not torch.cuda.is_available()
        or not torch.backends.cudnn.is_available()
    ):
        return CudnnBenchmark(
            device=str(dev),
            timed=False,
            first_off_s=None,
            first_on_s=None,
            steady_off_s=None,
            steady_on_s=None,
            note=(
                f"no CUDA device here ({dev}), so nothing was timed. On an NVIDIA GPU, "
                "torch.backends.cudnn.benchmark = True makes the first forward/backward with "
                "each new input shape try cuDNN's convolution algorithms (implicit GEMM, FFT, "
                "Winograd, …), keep the fastest per shape, and reuse it: the first pass is "
                "slower, later ones are as fast or faster. It pays off when shapes stay fixed "
                "(fixed crops, fixed batch size); with changing shapes it searches again each "
                "time. The choice can change between runs, so leave it off (and set "
                "cudnn.deterministic = True) for bit-for-bit repeatable training."
            ),
        )
    previous = torch.backends.cudnn.benchmark
    with torch.random.fork_rng(devices=[dev]):
        torch.manual_seed(0)
        base = _net(c)
        x = torch.randn(n, c, h, w, device=dev)
    results = {}
    try:
        for flag in (False, True):
            torch.backends.cudnn.benchmark = flag
            model = _net(c).to(dev)
            model.load_state_dict(base.state_dict())
            results[flag] = _time(model, x, repeats)
    finally:
        torch.backends.cudnn.benchmark = previous
    return CudnnBenchmark(
        device=str(dev),
        timed=True,
        first_off_s=results[False][0],
        first_on_s=results[True][0],
        steady_off_s=results[False][1],
        steady_on_s=results[True][1],
        note=(
            f"cuDNN {torch.backends.cudnn.version()}, input {tuple(shape)}: the first pass with "
            "the flag on includes the search; the steady state uses the algorithm it kept."
        ),
    )
