"""How many CPU threads a fit should use, decided by timing it: all of torch's threads, or one.

torch runs a convolution on all cores, and its threads wait for each other after every op.
On an idle machine that is faster; on a busy one — two cores shared with a browser, a
JupyterLab server, other kernels, a CI job — a thread that loses its core holds the others
up, and a step gets many times *slower*: measured on a loaded 2-core machine, the 128² CPU
denoiser took 2.0 s/step with torch's two threads and 0.31 s with one (0.13 s of CPU time
against 0.94 s: the waiting threads spin). No fixed setting is right everywhere, so
:class:`ThreadTuner` times a few steps each way early in a fit — and again every
``recheck_every`` steps, as the load changes — and keeps the faster setting. torch's thread
count is process-wide: the tuner restores it when the fit ends (it sets and restores the count
through :class:`vizkit.device.torch_threads`, the one place that does).
"""

from __future__ import annotations

import math
from typing import Literal

import torch

from vizkit.device.threads import torch_threads

__all__ = ["CpuThreads", "ThreadTuner"]

CpuThreads = int | Literal["auto"] | None
"""``"auto"`` (time both, keep the faster), an int (that many threads), ``None`` (leave
torch's setting alone)."""


class ThreadTuner:
    """Set torch's CPU threads step by step for a loop of similar steps.

    Call :meth:`before` at the start of each step and :meth:`after` with its duration;
    :meth:`restore` at the end. With ``"auto"``: steps ``1 … trials`` run with one thread,
    the next ``trials`` with all of torch's threads (step 0 is left out: it warms caches up);
    then the setting whose fastest step was faster is kept — all threads only if at least
    10 % faster. A step with all threads 1.5× slower than one thread ends the trial at once
    (on a busy machine such a step can take seconds). The trial repeats every
    ``recheck_every`` steps.

    Args:
        setting: ``"auto"``, a thread count ≥ 1, or ``None`` (do nothing).
        device: Only a CPU device is tuned; elsewhere the tuner does nothing.
        trials: Steps timed per setting in each trial (≥ 1).
        recheck_every: Steps between trials.

    Attributes:
        chosen: The thread count in use after the last trial.
        reason: What the last trial measured (``""`` before one ran).

    Raises:
        ValueError: ``setting`` is neither ``"auto"``, ``None`` nor an int ≥ 1.
    """

    def __init__(
        self,
        setting: CpuThreads,
        device: torch.device,
        *,
        trials: int = 2,
        recheck_every: int = 200,
    ) -> None:
        if not (
            setting is None
            or setting == "auto"
            or (isinstance(setting, int) and not isinstance(setting, bool) and setting >= 1)
        ):
            raise ValueError(
                f"cpu_threads must be 'auto', None or an int ≥ 1, got {setting!r}: 'auto' "
                "times torch's threads against one and keeps the faster"
            )
        self.previous = torch.get_num_threads()
        self.many = self.previous
        self.active = device.type == "cpu" and setting is not None
        # entered now with the current count (no change), left in restore()
        self._threads = torch_threads(self.many if self.active else None, device=device)
        self._threads.__enter__()
        self.auto = self.active and setting == "auto" and self.many > 1
        self.trials, self.recheck_every = trials, recheck_every
        self.chosen = setting if isinstance(setting, int) else self.many
        self.reason = ""
        self._times: dict[int, list[float]] = {}
        self._decided_round = -1

    def _trial(self, step: int) -> int | None:
        """The thread count this step is a trial of, or None outside a trial."""
        if not self.auto or step < 1:
            return None
        offset = (step - 1) % self.recheck_every
        if (step - 1) // self.recheck_every == self._decided_round:
            return None
        if offset < self.trials:
            return 1
        if offset < 2 * self.trials:
            return self.many
        return None

    def before(self, step: int) -> None:
        """Set the threads for ``step``."""
        if not self.active:
            return
        self._threads.set(self._trial(step) or self.chosen)

    def after(self, step: int, seconds: float) -> None:
        """Record how long ``step`` took; decide at the end of a trial, or as soon as all
        threads were clearly slower (a busy machine: one slow step is enough to know)."""
        threads = self._trial(step)
        if threads is None:
            return
        self._times.setdefault(threads, []).append(seconds)
        one = min(self._times.get(1, [math.inf]))
        many = min(self._times.get(self.many, [math.inf]))
        last = (step - 1) % self.recheck_every == 2 * self.trials - 1
        if not last and not (threads == self.many and many > 1.5 * one):
            return
        self._times.clear()
        self._decided_round = (step - 1) // self.recheck_every
        self.chosen = self.many if many < 0.9 * one else 1
        self.reason = (
            f"{self.many} threads {many * 1e3:.0f} ms/step, one {one * 1e3:.0f} ms/step"
            + (
                ""
                if self.chosen == self.many
                else ": the cores are busy"
                if many > 1.5 * one
                else ": one is as fast"
            )
        )

    def describe(self) -> str | None:
        """``"1 (2 threads 2040 ms/step, one 310 ms/step: …)"``, or None when not tuning."""
        if not self.active:
            return None
        return f"{self.chosen}" + (f" ({self.reason})" if self.reason else "")

    def restore(self) -> None:
        """Put torch's thread count back as it was before the fit."""
        self._threads.restore()
