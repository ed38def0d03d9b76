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
2.2–3.0 M parameters) and far fewer steps, sized so that notebook 08 runs all its fits at the
CPU canvas (128², :func:`choose_setup`) within its 5-minute "Run All" budget on 2 cores
(issue 16). 32 channels learn about as fast *per step* as 48 at 128² (same PSNR after the same
steps, within ~0.4 dB) at ~55 % of the time per step; a higher learning rate (0.02) did not
converge faster. Measured on a 2-core AMD EPYC (fp32, no bf16), astronaut at 128², CPU time
of one thread per step (PSNR against the clean image):

=================  =====  =======  =================================================
task               steps  ms/step  PSNR (dB): corrupted → at the last step (best)
=================  =====  =======  =================================================
denoise σ = 25       500      115  20.8 → 24.4 (rising: 48 ch reach 25.1 at 600)
inpaint, text        400      150  13.6 → 27.0 (28.1 at 500)
inpaint, 50 % kept   400      150   8.3 → 26.0 (26.9 at 600)
inpaint meshgrid     400       84  a large hole: 16.3 at step 174, the fill is coarse
super-resolve ×4     500      121  bicubic 20.9 → 21.0 (21.2 at 569; 20.7 at 400)
=================  =====  =======  =================================================

Timed in notebook 08 (``benchmarks/bench_notebooks.py``, load average ≈ 2 on the 2 cores)
a step took 0.15 s (denoise), 0.14 s (text), 0.08 s (super-resolution): 30–75 s per fit.
Earlier, 48 channels at 256² (2 cores with AVX512-BF16, bf16 autocast) denoised F16 from
20.3 to 27.2 dB in 600 steps (133 s, ``benchmarks/bench_dip.py``).
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
            name, hourglass(32, c, 5, 4), 3000 if paper else 500, reg_noise_std=1 / 30, ema=0.99
        )
    if task == "super_resolve":
        big = factor >= 8
        steps = (4000 if big else 2000) if paper else (800 if big else 500)
        return Preset(name, hourglass(32, c, 5, 4), steps, reg_noise_std=0.05 if big else 0.03)
    if input == "meshgrid":
        return Preset(
            name,
            encoder_decoder(2, c, 5),
            5001 if paper else 400,
            reg_noise_std=0.03,
            input="meshgrid",
        )
    return Preset(
        name,
        hourglass(32, c, 5, c, upsample_mode="nearest"),
        6001 if paper else 400,
        reg_noise_std=0.03,
    )


@dataclass(frozen=True)
class Setup:
    """What a Deep Image Prior session runs with on this machine, chosen once.

    Attributes:
        device: Where the fits run.
        preset: ``"paper"`` on a CUDA GPU (the official settings), ``"cpu"`` elsewhere.
        size: Side of the square working images: 512 with the paper's preset, 128 with the CPU
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
_SIZES: dict[PresetName, int] = {"paper": 512, "cpu": 128}


def choose_setup(device: torch.device | str | None = None, *, quick: bool | None = None) -> Setup:
    """Choose the preset, image size and step count that fit this machine.

    A CUDA GPU runs the paper's settings on 512×512 images; anything else (CPU, Apple MPS)
    the small ``"cpu"`` preset on 128×128, which finishes in minutes. Quick mode (the
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
