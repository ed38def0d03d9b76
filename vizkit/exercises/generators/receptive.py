"""Receptive-field exercises: the field of a stack, and stacked 3×3 convs vs one large kernel.

Receptive fields are measured with autograd, not computed from the formula: a stack with all
weights 1 (max pooling replaced by average pooling of the same geometry, so every input of a
window gets gradient) runs forward on ones, one central output unit is back-propagated, and
the field is the extent of the non-zero input gradient. Parameter counts are ``numel()`` of
the real layers.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from vizkit.exercises.answers import SizeForm
from vizkit.exercises.exercise import Mistake, Spec
from vizkit.exercises.generators.common import arguments, keep_distinct, off_by_one, quiet_torch

__all__ = ["measure_receptive_field", "receptive_field"]

_PROBE_LIMIT = 768  # largest probe input; fields here stay far below


@dataclass(frozen=True)
class _Layer:
    kind: str  # "Conv2d" | "MaxPool2d"
    kernel: int
    stride: int = 1
    padding: int = 0
    dilation: int = 1

    @property
    def span(self) -> int:
        return self.dilation * (self.kernel - 1) + 1

    def source(self) -> str:
        if self.kind == "Conv2d":
            return (
                "nn.Conv2d("
                + arguments(
                    1,
                    1,
                    self.kernel,
                    stride=(self.stride, 1),
                    padding=(self.padding, 0),
                    dilation=(self.dilation, 1),
                )
                + ")"
            )
        return (
            "nn.MaxPool2d("
            + arguments(self.kernel, stride=(self.stride, self.kernel), padding=(self.padding, 0))
            + ")"
        )


def measure_receptive_field(layers: list[tuple[str, int, int, int, int]]) -> tuple[int, int]:
    """Receptive field (height, width) of a stack, measured with autograd.

    Args:
        layers: ``(kind, kernel_size, stride, padding, dilation)`` per layer, kind
            ``"Conv2d"`` or ``"MaxPool2d"`` (measured as an ``AvgPool2d`` of the same geometry,
            whose gradient reaches every cell of the window).

    Returns:
        The extent of the input region one central output unit depends on.

    Raises:
        RuntimeError: No two probe sizes (48², 96², … 768²) agree on a field inside them.
    """
    import torch
    from torch import nn

    modules: list[nn.Module] = []
    with quiet_torch():  # building a conv draws initial weights from the global generator
        for kind, kernel, stride, padding, dilation in layers:
            if kind == "Conv2d":
                conv = nn.Conv2d(
                    1, 1, kernel, stride=stride, padding=padding, dilation=dilation, bias=False
                )
                nn.init.ones_(conv.weight)
                modules.append(conv.requires_grad_(False))  # only the input's gradient counts
            else:
                modules.append(nn.AvgPool2d(kernel, stride=stride, padding=padding))
    stack = nn.Sequential(*modules)
    size, previous = 48, None
    while size <= _PROBE_LIMIT:
        with quiet_torch(), torch.enable_grad():
            x = torch.ones(1, 1, size, size, requires_grad=True)
            try:
                y = stack(x)
            except RuntimeError:  # the probe shrinks below a later kernel: a larger probe
                size *= 2
                continue
            y[0, 0, y.shape[-2] // 2, y.shape[-1] // 2].backward()
            grad = x.grad[0, 0].abs()
            rows = torch.nonzero(grad.sum(dim=1)).flatten()
            cols = torch.nonzero(grad.sum(dim=0)).flatten()
        field = int(rows[-1] - rows[0] + 1), int(cols[-1] - cols[0] + 1)
        inside = min(rows[0], cols[0]) > 0 and max(rows[-1], cols[-1]) < size - 1
        # A unit near the output's edge may see zero padding instead of pixels: trust a size
        # only once a probe twice as large measures the same.
        if inside and field == previous:
            return field
        previous = field if inside else None
        size *= 2
    raise RuntimeError(f"no stable receptive field on probes up to {_PROBE_LIMIT}²")


def _draw_stack(rng: random.Random) -> list[_Layer]:
    while True:
        layers = []
        for index in range(rng.randint(2, 4)):
            if index > 0 and rng.random() < 0.3:
                kernel = rng.choice([2, 3])
                layers.append(_Layer("MaxPool2d", kernel, 2, rng.choice([0, kernel // 2])))
            else:
                kernel = rng.choice([1, 3, 3, 3, 5, 7])
                dilation = rng.choice([1, 1, 1, 2]) if kernel == 3 else 1
                layers.append(
                    _Layer(
                        "Conv2d",
                        kernel,
                        rng.choice([1, 1, 2]),
                        rng.choice([0, kernel // 2]),
                        dilation,
                    )
                )
        jump, field = 1, 1
        for layer in layers:
            field += (layer.span - 1) * jump
            jump *= layer.stride
        if 3 <= field <= 60:
            return layers


def receptive_field(rng: random.Random) -> Spec:
    """Receptive field of one output unit of a stack of convolutions and pooling layers."""
    layers = _draw_stack(rng)
    answer = measure_receptive_field(
        [(la.kind, la.kernel, la.stride, la.padding, la.dilation) for la in layers]
    )
    form = SizeForm(2, allow_single=True)
    jumps = [1]
    for layer in layers[:-1]:
        jumps.append(jumps[-1] * layer.stride)
    terms = [
        f"({la.dilation}·({la.kernel} − 1))·{j}" if la.dilation > 1 else f"({la.kernel} − 1)·{j}"
        for la, j in zip(layers, jumps, strict=True)
    ]
    working = (
        "r = 1 + Σ (K_l_dilated − 1)·J_l = 1 + "
        + " + ".join(terms)
        + (f", with jumps J = {', '.join(map(str, jumps))} (products of the earlier strides)")
    )

    def mistake(key: str, value: int, text: str, label: str, fix: str) -> Mistake:
        return Mistake(key, (value, value), label, f"{text} = {value}", fix)

    summed = sum(la.span for la in layers)
    no_stride = 1 + sum(la.span - 1 for la in layers)
    no_dilation = 1 + sum((la.kernel - 1) * j for la, j in zip(layers, jumps, strict=True))
    own_jumps = [j * la.stride for la, j in zip(layers, jumps, strict=True)]
    own = 1 + sum((la.span - 1) * j for la, j in zip(layers, own_jumps, strict=True))
    padded = answer[0] + sum(2 * la.padding * j for la, j in zip(layers, jumps, strict=True))
    mistakes = [
        mistake(
            "summed_kernels",
            summed,
            " + ".join(str(la.span) for la in layers),
            "added the kernel sizes",
            "Each layer widens the field by (K − 1)·J, J being "
            "the product of the strides before it.",
        ),
        mistake(
            "forgot_stride",
            no_stride,
            "1 + " + " + ".join(f"({la.span} − 1)" for la in layers),
            "ignored the strides",
            "After a stride-S layer, neighbouring"
            " units are S input cells apart: later kernels are multiplied by the jump J.",
        )
        if any(la.stride > 1 for la in layers[:-1])
        else None,
        mistake(
            "forgot_dilation",
            no_dilation,
            "1 + Σ (K − 1)·J without dilation",
            "left out the dilation",
            "A dilated 3×3 kernel spans D·(3 − 1) + 1 cells.",
        )
        if any(la.dilation > 1 for la in layers)
        else None,
        mistake(
            "own_stride",
            own,
            "1 + Σ (K − 1)·J with each layer's own stride in J",
            "multiplied each layer by its own stride too",
            "A layer's jump is the product of the strides *before* it.",
        )
        if own != answer[0]
        else None,
        mistake(
            "counted_padding",
            padded,
            "the field + 2·P·J per layer",
            "added the padding",
            "Padding moves where windows sit; it does not widen the field.",
        )
        if any(la.padding for la in layers)
        else None,
        *off_by_one(answer, form, "The field of a single cell is 1; each layer adds (K − 1)·J."),
    ]
    stack = ",\n    ".join(la.source() for la in layers)
    return Spec(
        title="Receptive field of a stack",
        question=(
            f"How large (height = width) is the receptive field of one output unit of "
            f"this stack, in input pixels?\n\n```python\nnn.Sequential(\n    {stack},\n)"
            "\n```"
        ),
        answer=answer,
        form=form,
        hint="r = 1 + Σ_l (K_l − 1)·J_l, with K_l the (dilated) kernel of layer l and J_l the "
        "product of the strides of the layers before it; padding does not change r.",
        working=working,
        solution=f"{working.split(', with')[0]} = {answer[0]}; jumps J = "
        f"{', '.join(map(str, jumps))}.",
        torch_line="x = torch.ones(1, 1, 64, 64, requires_grad=True); y = stack(x); "
        "y[0, 0, h // 2, w // 2].backward(); extent of x.grad.nonzero()",
        torch_result=f"{answer[0]} × {answer[1]} (max pooling measured as average pooling)",
        mistakes=keep_distinct(mistakes, answer, form),
        params={
            "layers": [(la.kind, la.kernel, la.stride, la.padding, la.dilation) for la in layers]
        },
    )
