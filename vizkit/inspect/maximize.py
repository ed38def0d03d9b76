"""Activation maximisation: the input a channel likes best, with the usual regularisers.

Gradient ascent on the input alone gives high-frequency noise; three standard tricks make
the pictures readable (Olah et al., "Feature Visualization", Distill 2017): random jitter
(shift the image a few pixels every step), blur (smooth the parameters every few steps), and
a decorrelated colour space (optimise in ImageNet's whitened colour basis, squash with a
sigmoid). When the result is a flat grey image — a dead channel, a too-small learning rate,
too much blur — :class:`Maximization` says so in ``diagnostic`` instead of leaving the
learner to guess.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from vizkit._validate import (
    check_bool,
    check_choice,
    check_int,
    check_memory,
    check_number,
    check_seed,
    check_sequence,
)
from vizkit.inspect._args import check_layer, check_model, model_device, run_model
from vizkit.inspect.activations import resolve_layers
from vizkit.inspect.modes import eval_mode

#: The most gradient-ascent steps one call takes (a typo such as steps=10**9 must not run
#: for days); 128 to 512 is typical.
MAX_STEPS = 100_000

__all__ = ["Maximization", "maximize_activation"]

# ImageNet colour correlation, square root via SVD (as in lucid); columns normalised below.
_COLOR_SQRT = torch.tensor([[0.26, 0.09, 0.02], [0.27, 0.00, -0.05], [0.27, -0.09, 0.03]])
_COLOR = _COLOR_SQRT / _COLOR_SQRT.norm(dim=0).max()


@dataclass(frozen=True)
class Maximization:
    """Result of :func:`maximize_activation`.

    Attributes:
        image: ``(H, W, 3)`` float32 in [0, 1] (grey models: the channel repeated).
        objective: Mean activation of the channel after each step.
        ok: False when the result looks like a failure (see ``diagnostic``).
        diagnostic: ``None``, or what went wrong and what to try.
        layer, channel: What was maximised.
    """

    image: np.ndarray
    objective: list[float]
    ok: bool
    diagnostic: str | None
    layer: str
    channel: int


def _blur(t: torch.Tensor) -> torch.Tensor:
    kernel = torch.tensor([1.0, 2.0, 1.0], device=t.device) / 4
    k2 = (kernel[:, None] * kernel[None, :]).expand(t.shape[1], 1, 3, 3)
    return F.conv2d(F.pad(t, (1, 1, 1, 1), mode="reflect"), k2, groups=t.shape[1])


def maximize_activation(
    model: nn.Module,
    layer: str,
    channel: int,
    *,
    size: int = 96,
    in_channels: int = 3,
    steps: int = 128,
    lr: float = 0.05,
    jitter: int = 4,
    blur_every: int = 4,
    decorrelate: bool = True,
    mean: Sequence[float] | None = None,
    std: Sequence[float] | None = None,
    seed: int = 0,
) -> Maximization:
    """Find an input that makes ``channel`` of ``layer`` respond strongly (mean over positions).

    Args:
        model: The network (eval mode during the run; every submodule's own mode is restored
            afterwards, also when the forward raises; weights untouched).
        layer: Dotted name of a layer with 4-D output.
        channel: Channel to maximise.
        size: Side of the square image optimised (≥ 8; memory-bounded by vizkit's budget).
        in_channels: 3 (RGB) or 1 (grey models such as the digits CNN).
        steps: Gradient-ascent steps (Adam), 1 to :data:`MAX_STEPS`.
        lr: Adam's learning rate (> 0).
        jitter: Random shift of up to this many pixels each step (0 = off; at most size // 2).
        blur_every: Blur the parameters every this many steps (0 = off).
        decorrelate: Optimise in a decorrelated colour basis (RGB only).
        mean, std: The model's input normalisation (e.g. ImageNet's); the image in [0, 1]
            is normalised with them before the forward pass.
        seed: Seeds the starting noise and the jitter.

    Returns:
        A :class:`Maximization`.

    Raises:
        TypeError: an argument of the wrong kind.
        ValueError: Unknown layer or non-4-D output, ``channel`` out of range, a size or count
            out of range (``steps`` < 1, ``lr`` ≤ 0, NaN …), ``mean``/``std`` of the wrong
            length, or a size whose optimisation would exceed the memory budget.
    """
    check_model(model)
    check_layer(model, layer)
    channel = check_int("channel", channel, minimum=0, fix="channels count from 0")
    size = check_int("size", size, minimum=8, fix="use size=64 or more (96 is typical)")
    in_channels = check_choice("in_channels", in_channels, (1, 3))
    check_memory(
        64 * in_channels * size * size * 4,
        name="size",
        value=size,
        what=f"optimising a {size}×{size} image (the image, its gradient, Adam's moments and the "
        "model's activations, ~64 copies)",
        fix="use size=96 to 512",
    )
    steps = check_int("steps", steps, minimum=1, maximum=MAX_STEPS)
    lr = check_number("lr", lr, above=0.0, fix="use a small positive rate such as lr=0.05")
    jitter = check_int("jitter", jitter, minimum=0, maximum=size // 2, fix="use 0 to size // 2")
    blur_every = check_int("blur_every", blur_every, minimum=0, fix="use 0 (off) or more")
    decorrelate = check_bool("decorrelate", decorrelate)
    seed = check_seed(seed)
    norm = {}
    for name, values, positive in (("mean", mean, False), ("std", std, True)):
        if values is None:
            continue
        entries = check_sequence(name, values, what="numbers, one per input channel")
        if len(entries) not in (1, in_channels):
            raise ValueError(
                f"{name} has {len(entries)} values but in_channels is {in_channels}: give one "
                "value per input channel (or one for all)"
            )
        norm[name] = [check_number(name, v, above=0.0 if positive else None) for v in entries]
    module = resolve_layers(model, layer)[layer]
    device = model_device(model)
    gen = torch.Generator().manual_seed(seed)
    params = (torch.randn(1, in_channels, size, size, generator=gen) * 0.01).to(device)
    params.requires_grad_(True)
    colour = _COLOR.to(device) if decorrelate and in_channels == 3 else None
    norm_mean = torch.tensor(norm.get("mean", [0.0]), device=device).view(1, -1, 1, 1)
    norm_std = torch.tensor(norm.get("std", [1.0]), device=device).view(1, -1, 1, 1)

    def to_image(p: torch.Tensor) -> torch.Tensor:
        if colour is not None:
            p = torch.einsum("ij,bjhw->bihw", colour, p)
        return torch.sigmoid(p)

    stored: list[torch.Tensor] = []
    handle = module.register_forward_hook(lambda m, a, out: stored.append(out))
    optimizer = torch.optim.Adam([params], lr=lr)
    objective: list[float] = []
    try:
        with eval_mode(model), torch.enable_grad():
            for step in range(steps):
                stored.clear()
                image = to_image(params)
                if jitter:
                    dy, dx = torch.randint(-jitter, jitter + 1, (2,), generator=gen).tolist()
                    image = torch.roll(image, shifts=(dy, dx), dims=(2, 3))
                run_model(
                    model, (image - norm_mean) / norm_std, f"the in_channels={in_channels} image"
                )
                out = stored[-1] if stored else None
                if not isinstance(out, torch.Tensor) or out.dim() != 4:
                    shape = tuple(out.shape) if isinstance(out, torch.Tensor) else None
                    raise ValueError(
                        f"layer {layer!r} outputs {shape}, not (N, C, H, W): pick a "
                        "convolution or pooling layer before the flatten"
                    )
                if not 0 <= channel < out.shape[1]:
                    raise ValueError(
                        f"channel {channel} is out of range: {layer!r} has {out.shape[1]} "
                        f"channels (0..{out.shape[1] - 1})"
                    )
                value = out[0, channel].mean()
                (grad,) = torch.autograd.grad(-value, params)
                params.grad = grad
                optimizer.step()
                objective.append(float(value.detach()))
                if blur_every and (step + 1) % blur_every == 0:
                    with torch.no_grad():
                        params.copy_(_blur(params))
    finally:
        handle.remove()
    with torch.no_grad():
        final = to_image(params)[0].permute(1, 2, 0).cpu().numpy()
    if in_channels == 1:
        final = np.repeat(final, 3, axis=2)
    diagnostic = _diagnose(final, objective, lr, blur_every)
    return Maximization(
        final.astype(np.float32), objective, diagnostic is None, diagnostic, layer, channel
    )


def _diagnose(image: np.ndarray, objective: list[float], lr: float, blur_every: int) -> str | None:
    """Explain a failed run: flat image, objective stuck at zero, or no progress."""
    spread = float(image.std())
    start, end = objective[0], objective[-1]
    if max(abs(v) for v in objective) < 1e-6:
        return (
            f"the channel never responded (objective stayed {end:.2g}): probably a dead ReLU "
            "unit for this kind of input; pick another channel or layer"
        )
    if spread < 0.02:
        return (
            f"the image stayed flat grey (pixel std {spread:.3f}): raise lr (now {lr}), "
            f"take more steps, or blur less often (blur_every={blur_every})"
        )
    if end <= start + 1e-3 * max(abs(start), 1.0):
        return (
            f"the objective did not rise ({start:.3g} → {end:.3g}): raise lr (now {lr}) or "
            "take more steps"
        )
    return None
