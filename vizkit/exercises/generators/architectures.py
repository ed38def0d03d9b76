"""Architecture walk: the shape after one layer of torchvision's AlexNet or VGG.

The network is torchvision's own builder on the meta device (shapes without memory or
weights, milliseconds); forward hooks record every feature layer's input and output shape in
one pass, cached per (architecture, image size).
"""

from __future__ import annotations

import functools
import random
from dataclasses import dataclass
from typing import Any

from vizkit.exercises.answers import SizeForm
from vizkit.exercises.exercise import Mistake, Spec
from vizkit.exercises.generators.common import dims_text, keep_distinct, quiet_torch

__all__ = ["ARCHITECTURES", "LayerStep", "architecture_step", "walk"]

ARCHITECTURES = ("alexnet", "vgg11", "vgg16")
_IMAGE_SIZES = (224, 224, 224, 192, 227, 256)


@dataclass(frozen=True)
class LayerStep:
    """One feature layer of a torchvision network, with the shapes it sees.

    Attributes:
        name: Dotted name in ``model.named_modules()``, e.g. ``"features.3"``.
        kind: ``"Conv2d"``, ``"MaxPool2d"`` or ``"AdaptiveAvgPool2d"``.
        text: ``repr`` of the module.
        settings: Kernel size, stride, padding, channels (ints), or the adaptive output size.
        in_shape: (C, H, W) it receives.
        out_shape: (C, H, W) it returns.
    """

    name: str
    kind: str
    text: str
    settings: tuple[tuple[str, Any], ...]
    in_shape: tuple[int, int, int]
    out_shape: tuple[int, int, int]


def _first(value: Any) -> Any:
    return value[0] if isinstance(value, tuple) else value


@functools.cache
def walk(arch: str, image_size: int) -> tuple[LayerStep, ...]:
    """The conv / pooling layers of ``torchvision.models.<arch>()`` with their shapes.

    Args:
        arch: One of :data:`ARCHITECTURES`.
        image_size: Height = width of the 3-channel input image.

    Returns:
        One step per ``Conv2d`` / ``MaxPool2d`` / ``AdaptiveAvgPool2d``, in forward order.
    """
    import torch
    import torchvision
    from torch import nn

    with quiet_torch(), torch.device("meta"):
        model = getattr(torchvision.models, arch)(weights=None).eval()
    steps: list[LayerStep] = []

    def record(name: str) -> Any:
        def hook(module: nn.Module, inputs: tuple[torch.Tensor, ...], out: torch.Tensor) -> None:
            if isinstance(module, nn.Conv2d):
                settings = {
                    "in_channels": module.in_channels,
                    "out_channels": module.out_channels,
                    "kernel_size": module.kernel_size[0],
                    "stride": module.stride[0],
                    "padding": _first(module.padding),
                }
            elif isinstance(module, nn.MaxPool2d):
                settings = {
                    "kernel_size": _first(module.kernel_size),
                    "stride": _first(module.stride),
                    "padding": _first(module.padding),
                    "ceil_mode": module.ceil_mode,
                }
            else:
                settings = {"output_size": _first(module.output_size)}
            steps.append(
                LayerStep(
                    name,
                    type(module).__name__,
                    repr(module),
                    tuple(settings.items()),
                    tuple(inputs[0].shape[1:]),
                    tuple(out.shape[1:]),
                )
            )

        return hook

    kinds = (nn.Conv2d, nn.MaxPool2d, nn.AdaptiveAvgPool2d)
    handles = [
        module.register_forward_hook(record(name))
        for name, module in model.named_modules()
        if isinstance(module, kinds)
    ]
    try:
        with quiet_torch():
            model(torch.zeros(1, 3, image_size, image_size, device="meta"))
    finally:
        for handle in handles:
            handle.remove()
    return tuple(steps)


def _conv(h: int, k: int, s: int, p: int) -> int:
    return (h + 2 * p - k) // s + 1


def architecture_step(rng: random.Random) -> Spec:
    """Output shape C × H × W of one layer of AlexNet / VGG, given its input shape."""
    arch, size = rng.choice(ARCHITECTURES), rng.choice(_IMAGE_SIZES)
    step = rng.choice(walk(arch, size))
    answer = step.out_shape
    c, h, w = step.in_shape
    s = dict(step.settings)
    form = SizeForm(3, names="channels × height × width")

    def mistake(
        key: str, value: tuple[int, int, int], label: str, fix: str, text: str = ""
    ) -> Mistake:
        shown = f"{dims_text(value)}, from {text}" if text else dims_text(value)
        return Mistake(key, value, label, shown, fix)

    candidates: list[Mistake | None]
    if step.kind == "Conv2d":
        k, st, p, out = s["kernel_size"], s["stride"], s["padding"], s["out_channels"]
        hint = "A conv outputs out_channels maps of size ⌊(H + 2P − K) / S⌋ + 1 (the same for W)."
        working = f"C = {out}; H_out = ⌊({h} + 2·{p} − {k}) / {st}⌋ + 1"
        candidates = [
            mistake(
                "kept_channels",
                (c, *answer[1:]),
                "kept the input's channel count",
                f"A conv has one output channel per filter: out_channels = {out}.",
            )
            if c != out
            else None,
            mistake(
                "forgot_padding",
                (out, _conv(h, k, st, 0), _conv(w, k, st, 0)),
                "left out the padding",
                f"padding={p} adds {p} cells on each side.",
                f"H_out = ⌊({h} − {k}) / {st}⌋ + 1",
            )
            if p
            else None,
            mistake(
                "forgot_stride",
                (out, h + 2 * p - k + 1, w + 2 * p - k + 1),
                "did not divide by the stride",
                f"stride={st}: windows are {st} apart.",
                f"H_out = ({h} + 2·{p} − {k}) + 1",
            )
            if st > 1
            else None,
            mistake(
                "forgot_plus_one",
                (out, answer[1] - 1, answer[2] - 1),
                "left out the + 1 (off by one)",
                "The + 1 counts the first window.",
            ),
        ]
    elif step.kind == "MaxPool2d":
        k, st, p = s["kernel_size"], s["stride"], s["padding"]
        hint = "Pooling keeps the channels; H_out = ⌊(H + 2P − K) / S⌋ + 1."
        working = f"C = {c}; H_out = ⌊({h} + 2·{p} − {k}) / {st}⌋ + 1"
        candidates = [
            mistake(
                "halved",
                (c, h // 2, w // 2),
                "halved the size",
                f"A {k}×{k} pool with stride {st} gives ⌊(H − {k}) / {st}⌋ + 1, not H/2.",
                f"H_out = ⌊{h} / 2⌋",
            )
            if k != st
            else None,
            mistake(
                "forgot_stride",
                (c, h - k + 1, w - k + 1),
                "did not divide by the stride",
                f"stride={st}: windows are {st} apart.",
                f"H_out = ({h} − {k}) + 1",
            ),
            mistake(
                "forgot_plus_one",
                (c, answer[1] - 1, answer[2] - 1),
                "left out the + 1 (off by one)",
                "The + 1 counts the first window.",
            ),
        ]
    else:
        hint = "AdaptiveAvgPool2d(output_size) always returns output_size, whatever its input."
        working = f"C = {c}; H_out × W_out = output_size = {s['output_size']}"
        candidates = [
            mistake(
                "kept_size",
                step.in_shape,
                "kept the spatial size",
                "The adaptive pool picks its windows so that the output is exactly output_size.",
            )
        ]
    candidates += (
        []
        if step.kind == "AdaptiveAvgPool2d"
        else [
            Mistake(
                "off_by_one",
                (answer[0], answer[1] + d, answer[2] + d),
                "are off by one",
                dims_text((answer[0], answer[1] + d, answer[2] + d)),
                "Count window positions: the first starts at 0.",
            )
            for d in (-1, 1)
        ]
    )
    module = step.name.split(".")
    index = (
        f"m.{module[0]}[:{int(module[1]) + 1}]"
        if len(module) == 2
        else f"lambda x: m.{step.name}(m.features(x))"
    )
    return Spec(
        title="Shape after a layer of AlexNet / VGG",
        question=(
            f"In torchvision's `{arch}()` fed a 3 × {size} × {size} image, layer "
            f"`{step.name}` is `{step.text}` and receives a tensor of shape "
            f"**{dims_text(step.in_shape)}** (C × H × W). What shape does it output?"
        ),
        answer=answer,
        form=form,
        hint=hint,
        working=working,
        solution=(
            f"{working} = {answer[1]} (and the same for W): output {dims_text(answer)}."
            if step.kind != "AdaptiveAvgPool2d"
            else f"AdaptiveAvgPool2d keeps the {c} channels and returns output_size "
            f"{answer[1]} × {answer[2]} whatever its input: output {dims_text(answer)}."
        ),
        torch_line=(
            f"with torch.device('meta'): m = torchvision.models.{arch}(); "
            f"({index})(torch.zeros(1, 3, {size}, {size})).shape"
        ),
        torch_result=f"torch.Size([1, {', '.join(map(str, answer))}])",
        mistakes=keep_distinct(candidates, answer, form),
        params={
            "arch": arch,
            "image_size": size,
            "layer": step.name,
            "kind": step.kind,
            "settings": dict(step.settings),
            "in_shape": step.in_shape,
        },
    )
