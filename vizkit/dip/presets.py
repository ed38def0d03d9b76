"""Presets: the paper's settings, and small ones that finish on a laptop CPU.

``"paper"`` reproduces the official settings (DmitryUlyanov/deep-image-prior notebooks):

=================  ===========================================  =====  =====  ======  =====
task               network                                       steps  lr     reg σ   ema
=================  ===========================================  =====  =====  ======  =====
denoise            hourglass 32→128×5, skip 4, bilinear          3000   0.01   1/30    0.99
inpaint (text)     hourglass 32→128×5, skip 128, nearest         6001   0.01   0.03    —
inpaint meshgrid   hourglass 2→128×5, no skip, nearest           5001   0.01   0.03    —
super-resolve ×4   hourglass 32→128×5, skip 4, bilinear          2000   0.01   0.03    —
super-resolve ×8   same                                          4000   0.01   0.05    —
=================  ===========================================  =====  =====  ======  =====

``"cpu"`` keeps the architecture with 32 instead of 128 channels (0.15–0.2 M instead of
2.2–3.0 M parameters), a 96×96 canvas (:func:`choose_setup`) and far fewer steps, aimed at
notebook 08's "Run All" within 5 minutes on 2 cores with each fit within about 0.5 dB of its
best PSNR (issue 16; measured: 354 s at load 2.4, about a minute over — README). The step
counts come from ``benchmarks/bench_dip.py --cpu-budget`` (astronaut at 96², one thread,
lr 0.01): the step at which the PSNR first came within 0.5 dB of the best of a longer run, a
figure the machine's load does not change. ``tests/dip/test_cpu_budget.py`` pins the
property on F16 at 64².

=================  =====  ==========================================  ========
task               steps  within 0.5 dB of the best of a longer run   ms/step
=================  =====  ==========================================  ========
denoise σ = 25       850  step 826 (27.4 dB at 1291 of 1500)                70
inpaint, text        800  step 882 (31.0 dB at 999 of 1000, rising)         85
inpaint, 50 % kept   800  step 653 (27.7 dB at 977 of 1000)                 85
inpaint meshgrid     300  step 239 (16.7 dB, a coarse fill of the hole)     77
super-resolve ×4     500  step 443 (21.2 dB at 935 of 1000)                 88
=================  =====  ==========================================  ========

ms/step: CPU time of one thread per step on a 2-core AMD EPYC (fp32, no bf16) measured on a
busy machine (load 5 for the first three rows, 15 for the last two; contention inflates CPU
time a little), so an upper bound of an idle core's wall time: 60 + 68 + 68 + 23 + 44 s ≈
4.4 minutes of fits on one core (two idle cores are faster: ``cpu_threads="auto"``).
Text inpainting still climbs slowly at 800 steps (≈ 0.4 dB per 100 steps; the paper runs
6001), the one fit that does not meet the 0.5 dB mark. A 128² canvas needed 1.8× the time per
step and more steps (denoise: 24.4 dB at 500 steps, still rising at 1000); a learning rate of
0.02 was worse at 96² (denoise 26.4 vs 26.8 dB at 800 steps, text 29.0 vs 30.1).
Not adopted yet (one run, not yet timed in the notebook): text inpainting *without* the
z-perturbation (``reg_noise_std=0``) came within 0.5 dB of its best (30.8 dB) at step 271.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal, get_args

from vizkit.dip.inputs import InputKind
from vizkit.dip.networks import NetSpec, encoder_decoder, hourglass

if TYPE_CHECKING:
    import numpy as np
    import torch

__all__ = ["Preset", "PresetName", "Setup", "Task", "choose_setup", "get_preset"]

PresetName = Literal["paper", "cpu"]
Task = Literal["denoise", "inpaint", "super_resolve"]


@dataclass(frozen=True)
class Preset:
    """Settings of one fit.

    Attributes:
        name: Preset name (``"paper"``, ``"cpu"``).
        network: The network to build.
        steps: Adam steps.
        lr: Learning rate.
        reg_noise_std: Std of the per-step perturbation of ``z``.
        ema: Exponential-average weight of outputs, or ``None``.
        input: ``"noise"`` or ``"meshgrid"``.
        input_scale: Upper bound of the uniform input noise.

    Raises:
        TypeError, ValueError: A field of the wrong kind or out of range (``steps`` outside
            1 … 10⁶, ``lr`` ≤ 0, NaN, an unknown ``input`` …); the message names it.
    """

    name: str
    network: NetSpec
    steps: int
    lr: float = 0.01
    reg_noise_std: float = 1.0 / 30.0
    ema: float | None = None
    input: InputKind = "noise"
    input_scale: float = 0.1

    def __post_init__(self) -> None:
        """Check every field (a ``Preset`` built by hand, or ``dataclasses.replace``)."""
        from vizkit._validate import (
            check_choice,
            check_instance,
            check_int,
            check_number,
            check_str,
        )
        from vizkit.dip.fit import MAX_STEPS

        check_str("name", self.name)
        check_instance(
            "network", self.network, NetSpec, "a vizkit.dip.NetSpec", "e.g. vizkit.dip.unet()"
        )
        check_int("steps", self.steps, minimum=1, maximum=MAX_STEPS)
        check_number("lr", self.lr, above=0.0, fix="use e.g. lr=0.01 (the paper's)")
        check_number("reg_noise_std", self.reg_noise_std, minimum=0.0, fix="e.g. 1/30, or 0")
        if self.ema is not None:
            check_number("ema", self.ema, minimum=0.0, below=1.0, fix="use e.g. 0.99, or None")
        check_choice("input", self.input, get_args(InputKind))
        check_number("input_scale", self.input_scale, above=0.0, fix="the paper uses 0.1")

    def describe(self) -> str:
        """One line for a notebook: what will run."""
        n = self.network
        skip = n.channels_skip[0] if n.channels_skip else 0
        return (
            f"preset {self.name!r}: {n.architecture} {n.in_channels}→"
            f"{n.channels_down[0]}×{n.scales or n.blocks}, skip {skip}, "
            f"{self.steps} steps, lr {self.lr}, input {self.input}"
        )


_CPU_CHANNELS = 32


def get_preset(
    task: Task, name: PresetName | Preset = "cpu", *, input: InputKind = "noise", factor: int = 4
) -> Preset:
    """The preset for a task.

    Args:
        task: ``"denoise"``, ``"inpaint"`` or ``"super_resolve"``.
        name: ``"paper"`` or ``"cpu"`` (a :class:`Preset` is returned as is).
        input: For inpainting: ``"noise"`` (text / small holes) or ``"meshgrid"`` (large
            holes: 2-channel coordinate input and no skip connections, as in the paper).
        factor: For super-resolution: 4 or 8 (more steps and noise for ×8).

    Returns:
        The :class:`Preset`.

    Raises:
        ValueError: Unknown task, preset or input, or ``factor`` outside 2 … 32.
        TypeError: An argument of the wrong kind (e.g. ``factor=4.0``).
    """
    from vizkit._validate import check_choice, check_int

    if isinstance(name, Preset):
        return name
    check_choice("task", task, get_args(Task))
    if isinstance(name, str) and name not in get_args(PresetName):
        raise ValueError(
            f"preset {name!r} is not one of {get_args(PresetName)}: use 'paper' "
            "on a GPU, 'cpu' otherwise, or pass a vizkit.dip.Preset"
        )
    check_choice("name", name, get_args(PresetName))
    check_choice("input", input, get_args(InputKind))
    check_int("factor", factor, minimum=2, maximum=32, fix="use 2, 4 or 8")
    paper = name == "paper"
    c = 128 if paper else _CPU_CHANNELS
    if task == "denoise":
        return Preset(
            name, hourglass(32, c, 5, 4), 3000 if paper else 850, reg_noise_std=1 / 30, ema=0.99
        )
    if task == "super_resolve":
        big = factor >= 8
        steps = (4000 if big else 2000) if paper else (800 if big else 500)
        return Preset(name, hourglass(32, c, 5, 4), steps, reg_noise_std=0.05 if big else 0.03)
    if input == "meshgrid":
        return Preset(
            name,
            encoder_decoder(2, c, 5),
            5001 if paper else 300,
            reg_noise_std=0.03,
            input="meshgrid",
        )
    return Preset(
        name,
        hourglass(32, c, 5, c, upsample_mode="nearest"),
        6001 if paper else 800,
        reg_noise_std=0.03,
    )


@dataclass(frozen=True)
class Setup:
    """What a Deep Image Prior session runs with on this machine, chosen once.

    Attributes:
        device: Where the fits run.
        preset: ``"paper"`` on a CUDA GPU (the official settings), ``"cpu"`` elsewhere.
        size: Side of the square working images: 512 with the paper's preset, 96 with the CPU
            one, 64 in quick mode.
        quick: Quick mode (``VIZKIT_QUICK=1``) was on.
        steps: Steps per fit: ``None`` (the preset's own count) or, in quick mode, 12.
    """

    device: torch.device
    preset: PresetName
    size: int
    quick: bool
    steps: int | None

    def describe(self) -> str:
        """One line for a notebook: device, preset, image size (and quick mode)."""
        mode = " (quick mode)" if self.quick else ""
        return (
            f"device {self.device} → preset {self.preset!r}, images {self.size}×{self.size}{mode}"
        )

    def photo(self, name: str = "astronaut") -> np.ndarray:
        """A bundled scikit-image photo resized (antialiased) to ``size × size``.

        Args:
            name: A ``skimage.data`` picture (``"astronaut"``, ``"coffee"``, ``"chelsea"`` …).

        Returns:
            ``(size, size, 3)`` float32 array in ``[0, 1]``.
        """
        import numpy as np
        from skimage.transform import resize

        from vizkit.data import natural_image

        image = resize(natural_image(name), (self.size, self.size), anti_aliasing=True)
        return np.clip(image, 0.0, 1.0).astype(np.float32)


_QUICK_SIZE, _QUICK_STEPS = 64, 12
_SIZES: dict[PresetName, int] = {"paper": 512, "cpu": 96}


def choose_setup(device: torch.device | str | None = None, *, quick: bool | None = None) -> Setup:
    """Choose the preset, image size and step count that fit this machine.

    A CUDA GPU runs the paper's settings on 512×512 images; anything else (CPU, Apple MPS)
    the small ``"cpu"`` preset on 96×96, which finishes in minutes. Quick mode (the
    notebooks' CI run) shrinks the images to 64×64 and every fit to 12 steps.

    Args:
        device: ``None`` picks the best available (cuda → mps → cpu), or e.g. ``"cpu"``.
        quick: ``None`` reads :func:`vizkit.is_quick`; ``True``/``False`` forces the mode.

    Returns:
        A :class:`Setup`.

    Raises:
        ValueError: ``device`` names a device this machine does not have.
        TypeError: ``quick`` is not ``None``, ``True`` or ``False``.
    """
    from vizkit._validate import check_bool
    from vizkit.device import pick_device
    from vizkit.quick import is_quick

    if quick is not None:
        check_bool("quick", quick)
    try:
        chosen = pick_device(device)
    except (TypeError, ValueError) as err:  # pick_device calls it `preferred`; here: device
        raise type(err)(f"device: {err}") from None
    quick = is_quick() if quick is None else bool(quick)
    preset: PresetName = "paper" if chosen.type == "cuda" else "cpu"
    size = _QUICK_SIZE if quick else _SIZES[preset]
    return Setup(chosen, preset, size, quick, _QUICK_STEPS if quick else None)
