"""The three restoration tasks of Deep Image Prior: denoising, inpainting, super-resolution.

Each task builds the preset's untrained network (seeded), makes the input code ``z``, fits
the network's output to the corrupted image through the task's observation model, and
returns a :class:`~vizkit.dip.fit.FitResult`:

* denoising: ``‖x − noisy‖²``;
* inpainting: ``‖(x − image) ⊙ mask‖²`` (mask 1 = known pixel);
* super-resolution: ``‖D(x) − low_res‖²`` with ``D`` the Lanczos :class:`Downsampler`.

Images whose sides are not a multiple of the network's ``2**scales`` are handled by
``resize="pad"`` (the network draws on a larger canvas and the result is cropped back, so
``.image`` has the target's size) or ``resize="crop"``; either way a
:class:`~vizkit.dip.framing.SizeNotice` is warned and recorded in ``result.notes``.
"""

from __future__ import annotations

import warnings
from dataclasses import replace
from typing import Any, Literal

import numpy as np
import torch

from vizkit._validate import check_choice, check_int, check_number, check_seed
from vizkit.data.transforms import image_to_tensor
from vizkit.dip.corruptions import Downsampler, mask_from_image
from vizkit.dip.fit import FitResult, fit
from vizkit.dip.framing import Framing, SizeNotice, as_image, frame
from vizkit.dip.inputs import InputKind, make_input
from vizkit.dip.networks import NetSpec
from vizkit.dip.presets import Preset, PresetName, Task, get_preset

__all__ = ["bicubic", "denoise", "inpaint", "super_resolve"]

Resize = Literal["pad", "crop"]
_PRESET_FIELDS = ("lr", "reg_noise_std", "ema", "input_scale")
#: The most steps one fit may take (the paper's longest run is 11,000 steps).
MAX_STEPS = 1_000_000


def _check_common(seed: object, resize: object, device: object) -> None:
    check_seed(seed)
    check_choice("resize", resize, ("pad", "crop"))
    _device(device)  # type: ignore[arg-type]


def _device(device: str | torch.device | None) -> torch.device:
    from vizkit.device import pick_device

    try:
        return pick_device(device)
    except (TypeError, ValueError) as err:  # pick_device calls it `preferred`; here: device
        raise type(err)(f"device: {err}") from None


def _check_overrides(options: dict[str, Any]) -> None:
    """The preset fields a task accepts in ``**options``, checked before any work."""
    if "lr" in options:
        check_number("lr", options["lr"], above=0.0, fix="use e.g. lr=0.01 (the paper's)")
    if "reg_noise_std" in options:
        check_number(
            "reg_noise_std",
            options["reg_noise_std"],
            minimum=0.0,
            fix="use 0 (off) or e.g. 1/30 (the paper's)",
        )
    if "input_scale" in options:
        check_number("input_scale", options["input_scale"], above=0.0, fix="the paper uses 0.1")
    if options.get("ema") is not None:
        check_number("ema", options["ema"], minimum=0.0, below=1.0, fix="use e.g. ema=0.99")


def _setup(
    task: Task,
    preset: PresetName | Preset,
    steps: int | None,
    network: NetSpec | None,
    input: InputKind,
    factor: int,
    options: dict[str, Any],
) -> tuple[Preset, int]:
    _check_overrides(options)
    chosen = get_preset(task, preset, input=input, factor=factor)
    overrides = {k: options.pop(k) for k in _PRESET_FIELDS if k in options}
    if network is not None:
        if not isinstance(network, NetSpec):
            raise TypeError(
                f"network must be a vizkit.dip.NetSpec (e.g. vizkit.dip.unet()), "
                f"got {type(network).__name__}"
            )
        overrides["network"] = network
    chosen = replace(chosen, **overrides)
    if steps is None:
        steps = chosen.steps
    steps = check_int(
        "steps",
        steps,
        minimum=1,
        maximum=MAX_STEPS,
        fix=f"use 1 to {MAX_STEPS}, or None (the preset's {chosen.steps})",
    )
    if chosen.input == "meshgrid" and chosen.network.in_channels != 2:
        raise ValueError(
            f"input 'meshgrid' has 2 channels but the network expects "
            f"{chosen.network.in_channels}: build it with in_channels=2"
        )
    return chosen, steps


def _framed(
    height: int,
    width: int,
    spec: NetSpec,
    resize: Resize,
    what: str,
    notes: list[str],
    multiple_scale: int = 1,
) -> Framing:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", SizeNotice)
        framing = frame(
            height,
            width,
            max(1, spec.multiple // multiple_scale),
            -(-spec.min_size // multiple_scale),
            mode=resize,
            what=what,
        )
    for w in caught:
        notes.append(str(w.message))
        warnings.warn(w.message, SizeNotice, stacklevel=3)  # points at the caller of the task
    return framing


def _crop(a: np.ndarray, f: Framing, scale: int = 1) -> np.ndarray:
    if f.mode == "pad":
        return a
    return a[
        f.top * scale : (f.top + f.fitted_height) * scale,
        f.left * scale : (f.left + f.fitted_width) * scale,
    ]


def _run(
    target: np.ndarray,
    clean: Any,
    preset: Preset,
    steps: int,
    seed: int,
    device: Any,
    loss_of: Any,
    canvas: tuple[int, int],
    out_size: tuple[int, int],
    notes: list[str],
    options: dict[str, Any],
    clean_crop: Any,
) -> FitResult:
    dev = _device(device)
    oh, ow = out_size
    clean_t = None
    if clean is not None:
        clean_arr = clean_crop(as_image(clean, "clean", channels=target.shape[2]))
        if clean_arr.shape[:2] != (oh, ow):
            raise ValueError(
                f"clean is {clean_arr.shape[0]}×{clean_arr.shape[1]} but the "
                f"result will be {oh}×{ow}: pass the clean image of the same scene "
                "at the output size"
            )
        clean_t = image_to_tensor(clean_arr, channels=None, batch=True, device=dev)
    with torch.random.fork_rng(devices=[]):  # seeded weights without touching global RNG
        torch.manual_seed(seed)
        net = preset.network.build(out_channels=target.shape[2]).to(dev)
    z = make_input(
        preset.input,
        preset.network.in_channels,
        *canvas,
        seed=seed,
        scale=preset.input_scale,
        device=dev,
    )
    loss_fn = loss_of(dev)
    result = fit(
        net,
        z,
        loss_fn,
        steps=steps,
        lr=preset.lr,
        reg_noise_std=preset.reg_noise_std,
        ema=preset.ema,
        clean=clean_t,
        present=lambda t: t[:, :, :oh, :ow],
        seed=seed,
        **options,
    )
    result.notes[:0] = [*notes, preset.describe()]
    return result


def denoise(
    noisy: Any,
    *,
    clean: Any = None,
    preset: PresetName | Preset = "cpu",
    steps: int | None = None,
    seed: int = 0,
    device: str | torch.device | None = None,
    network: NetSpec | None = None,
    resize: Resize = "pad",
    **options: Any,
) -> FitResult:
    """Denoise one image with Deep Image Prior.

    Args:
        noisy: ``(H, W, 3)`` image in ``[0, 1]`` (e.g. from :func:`vizkit.dip.add_noise`).
        clean: The clean image, if known: PSNR per step, best image, early stopping.
        preset: ``"cpu"`` (small, minutes on a CPU) or ``"paper"`` (official settings).
        steps: Override the preset's step count.
        seed: Seed of the weights, ``z`` and its perturbations (same seed → same result on CPU).
        device: ``None`` = best available (cuda → mps → cpu), or e.g. ``"cpu"``.
        network: Override the preset's network (a :class:`NetSpec`).
        resize: ``"pad"`` or ``"crop"`` when the size is not a multiple of ``2**scales``.
        **options: ``lr``, ``reg_noise_std``, ``ema``, ``input_scale`` override the preset;
            the rest go to :func:`vizkit.dip.fit` (``stop``, ``callback``, ``patience``,
            ``snapshot_every``, ``precision``, ``progress``...).

    Returns:
        :class:`FitResult`; ``.image`` is the averaged output, ``(H, W, 3)``.

    Raises:
        TypeError, ValueError: Invalid images or settings (the message says which and how
            to fix it).
    """
    _check_common(seed, resize, device)
    target = as_image(noisy, "noisy")
    chosen, steps = _setup("denoise", preset, steps, network, "noise", 4, options)
    notes: list[str] = []
    f = _framed(*target.shape[:2], chosen.network, resize, "noisy image", notes)
    target = _crop(target, f)

    def loss_of(dev: torch.device) -> Any:
        t = image_to_tensor(target, channels=None, batch=True, device=dev)
        h, w = t.shape[2:]
        return lambda out: torch.mean((out[:, :, :h, :w] - t) ** 2)

    return _run(
        target,
        clean,
        chosen,
        steps,
        seed,
        device,
        loss_of,
        (f.fitted_height, f.fitted_width),
        (f.out_height, f.out_width),
        notes,
        options,
        lambda a: _crop(a, f),
    )


def inpaint(
    image: Any,
    mask: Any,
    *,
    clean: Any = None,
    preset: PresetName | Preset = "cpu",
    steps: int | None = None,
    seed: int = 0,
    device: str | torch.device | None = None,
    input: InputKind = "noise",
    network: NetSpec | None = None,
    resize: Resize = "pad",
    **options: Any,
) -> FitResult:
    """Fill the holes of an image with Deep Image Prior.

    Args:
        image: ``(H, W, 3)`` image in ``[0, 1]``; pixels under holes are ignored.
        mask: ``(H, W)`` mask, 1 (white) = known pixel, 0 (black) = hole; array or PIL image.
        clean: The full image, if known (PSNR, best image).
        preset: ``"cpu"`` or ``"paper"``.
        steps: Override the preset's step count.
        seed: Seed: different seeds give different plausible fills.
        device: ``None`` = best available, or e.g. ``"cpu"``.
        input: ``"noise"`` (text, scattered pixels) or ``"meshgrid"`` (large holes: the
            preset then uses a 2-channel grid input and no skip connections).
        network: Override the network (the architecture comparison).
        resize: ``"pad"`` or ``"crop"``.
        **options: As for :func:`denoise`.

    Returns:
        :class:`FitResult` with the inpainted ``.image``.

    Raises:
        TypeError, ValueError: Invalid images, mask or settings.
    """
    _check_common(seed, resize, device)
    target = as_image(image, "image")
    m = mask_from_image(mask, target.shape[:2])
    if m.min() == 1.0:
        warnings.warn("mask has no holes (all ones): nothing to inpaint", UserWarning, stacklevel=2)
    if m.max() == 0.0:
        raise ValueError(
            "mask is all zeros (no known pixel): 1 = known, 0 = hole; invert it "
            "with 1 - mask if you drew the holes in white"
        )
    chosen, steps = _setup("inpaint", preset, steps, network, input, 4, options)
    notes: list[str] = []
    f = _framed(*target.shape[:2], chosen.network, resize, "image", notes)
    target, m = _crop(target, f), _crop(m, f)

    def loss_of(dev: torch.device) -> Any:
        t = image_to_tensor(target * m[:, :, None], channels=None, batch=True, device=dev)
        mt = image_to_tensor(m[:, :, None], channels=None, batch=True, device=dev)
        h, w = t.shape[2:]
        return lambda out: torch.mean((out[:, :, :h, :w] * mt - t) ** 2)

    return _run(
        target,
        clean,
        chosen,
        steps,
        seed,
        device,
        loss_of,
        (f.fitted_height, f.fitted_width),
        (f.out_height, f.out_width),
        notes,
        options,
        lambda a: _crop(a, f),
    )


def super_resolve(
    low_res: Any,
    factor: int = 4,
    *,
    clean: Any = None,
    preset: PresetName | Preset = "cpu",
    steps: int | None = None,
    seed: int = 0,
    device: str | torch.device | None = None,
    network: NetSpec | None = None,
    resize: Resize = "pad",
    **options: Any,
) -> FitResult:
    """Upscale an image ``factor``× with Deep Image Prior.

    The network draws the high-resolution image ``x``; the loss compares ``D(x)``, its
    Lanczos down-sampling (the same :class:`Downsampler` that
    :func:`vizkit.dip.downsample` uses to make low-resolution inputs), with ``low_res``.

    Args:
        low_res: ``(h, w, 3)`` image in ``[0, 1]``.
        factor: 2, 4 or 8 (must divide the network's multiple, 32).
        clean: The ``(h·factor, w·factor, 3)`` ground truth, if known.
        preset: ``"cpu"`` or ``"paper"``.
        steps: Override the preset's step count.
        seed: Seed.
        device: ``None`` = best available, or e.g. ``"cpu"``.
        network: Override the network.
        resize: ``"pad"`` or ``"crop"`` (of the low-res image).
        **options: As for :func:`denoise`.

    Returns:
        :class:`FitResult`; ``.image`` is ``(h·factor, w·factor, 3)``.

    Raises:
        TypeError, ValueError: Invalid image, factor or settings.
    """
    factor = check_int("factor", factor, minimum=2, maximum=32, fix="use 2, 4 or 8")
    _check_common(seed, resize, device)
    target = as_image(low_res, "low_res")
    chosen, steps = _setup("super_resolve", preset, steps, network, "noise", factor, options)
    spec = chosen.network
    if factor < 2 or spec.multiple % factor:
        raise ValueError(
            f"factor {factor} must be ≥ 2 and divide the network's multiple "
            f"{spec.multiple}: use 2, 4 or 8"
        )
    notes: list[str] = []
    f = _framed(*target.shape[:2], spec, resize, "low-res image", notes, factor)
    target = _crop(target, f)
    h, w = target.shape[:2]

    def loss_of(dev: torch.device) -> Any:
        t = image_to_tensor(target, channels=None, batch=True, device=dev)
        down = Downsampler(factor).to(dev)
        return lambda out: torch.mean((down(out)[:, :, :h, :w] - t) ** 2)

    return _run(
        target,
        clean,
        chosen,
        steps,
        seed,
        device,
        loss_of,
        (f.fitted_height * factor, f.fitted_width * factor),
        (f.out_height * factor, f.out_width * factor),
        notes,
        options,
        lambda a: _crop(a, f, factor),
    )


def bicubic(low_res: Any, factor: int = 4) -> np.ndarray:
    """Bicubic up-sampling (Pillow), the baseline super-resolution is compared against.

    Args:
        low_res: ``(h, w, C)`` image in ``[0, 1]``.
        factor: Integer factor ≥ 1.

    Returns:
        ``(h·factor, w·factor, C)`` float32 array in ``[0, 1]``.

    Raises:
        TypeError, ValueError: not an image, or a factor that is not an int ≥ 1 (or whose
            result would exceed the memory budget).
    """
    from PIL import Image

    from vizkit._validate import check_memory

    factor = check_int("factor", factor, minimum=1, fix="use an integer factor such as 4")
    arr = as_image(low_res, "low_res")
    h, w = arr.shape[:2]
    check_memory(
        h * factor * w * factor * arr.shape[2] * 4 * 2,
        name="factor",
        value=factor,
        what=f"a {h * factor}×{w * factor} upscaled image",
        fix="use a smaller factor",
    )
    planes = [
        np.asarray(
            Image.fromarray(arr[:, :, c], mode="F").resize((w * factor, h * factor), Image.BICUBIC)
        )
        for c in range(arr.shape[2])
    ]
    return np.clip(np.stack(planes, axis=2), 0.0, 1.0).astype(np.float32)
