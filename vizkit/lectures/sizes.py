"""Recipes for sizes, counts and small arithmetic, each computed with real torch layers.

Every recipe takes keyword arguments (the claim's :class:`~vizkit.lectures.claim.Computation`)
and returns a :class:`Measured`: the value and one line saying how torch produced it. Layers run
on the meta device (shapes only) unless values are needed.

An output size that "does not fit" is reported as the real number the formula gives
(``(10 − 3 + 0)/2 + 1 = 4.5``): torch's integer size ``n`` plus the ``r`` input columns no window
reaches, over the stride (``n + r/S``), so a fitting layer gives exactly torch's ``n``.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from typing import NamedTuple

import torch
import torch.nn.functional as F
from torch import nn

from vizkit.lectures.claim import Value

__all__ = ["RECIPES", "Measured", "hwc"]

META = torch.device("meta")


class Measured(NamedTuple):
    """What a recipe computed, and how (one line, with the torch call)."""

    value: Value
    how: str


def hwc(shape: tuple[int, ...]) -> tuple[int, ...]:
    """A batch-free torch shape as the notes write volumes: ``(C, H, W)`` → ``(H, W, C)``;
    a flat ``(C,)`` → ``(1, 1, C)``."""
    if len(shape) == 3:
        c, h, w = shape
        return (h, w, c)
    if len(shape) == 1:
        return (1, 1, shape[0])
    raise ValueError(f"shape {shape} is neither (C, H, W) nor (C,)")


def _fit(n: int, span: int, stride: int) -> tuple[float | int, int]:
    """Torch's size ``n`` → the formula's real value and the unread remainder."""
    rest = span - (n - 1) * stride
    return (n + rest / stride if rest else n), rest


def conv_size(
    *,
    input_size: int,
    kernel_size: int,
    stride: int = 1,
    padding: int = 0,
    pad_total: int = 0,
    rounded: bool = False,
) -> Measured:
    """``(W − F + 2P)/S + 1`` from ``nn.Conv2d`` (``pad_total``: extra pixels, split left/right;
    ``rounded``: torch's integer size even where the windows do not fit)."""
    x = torch.empty(1, 1, input_size, input_size, device=META)
    if pad_total:
        lo = pad_total // 2
        x = F.pad(x, (lo, pad_total - lo, lo, pad_total - lo))
    conv = nn.Conv2d(1, 1, kernel_size, stride=stride, padding=padding, device=META)
    n = conv(x).shape[-1]
    span = input_size + pad_total + 2 * padding - kernel_size
    value, rest = _fit(n, span, stride)
    extra = f" after padding {pad_total} pixels" if pad_total else ""
    how = f"nn.Conv2d(kernel_size={kernel_size}, stride={stride}, padding={padding}) on "
    how += f"{input_size}×{input_size}{extra} → {n}×{n}"
    if rest:
        how += f"; {rest} input column(s) never read, so ({span})/{stride} + 1 = {value:g}"
    return Measured(n if rounded else value, how)


def pool_size(
    *, input_size: int, kernel_size: int, stride: int, padding: int = 0, ceil_mode: bool = False
) -> Measured:
    """``(W − F)/S + 1`` from ``nn.MaxPool2d`` (real value when windows do not fit)."""
    pool = nn.MaxPool2d(kernel_size, stride, padding=padding, ceil_mode=ceil_mode)
    n = pool(torch.empty(1, 1, input_size, input_size, device=META)).shape[-1]
    span = input_size + 2 * padding - kernel_size
    how = f"nn.MaxPool2d({kernel_size}, {stride}, padding={padding}, ceil_mode={ceil_mode}) on "
    how += f"{input_size}×{input_size} → {n}×{n}"
    if ceil_mode:
        return Measured(n, how)
    value, rest = _fit(n, span, stride)
    if rest:
        how += f"; {rest} input column(s) never read, so ({span})/{stride} + 1 = {value:g}"
    return Measured(value, how)


_LAYERS: dict[str, Callable[..., nn.Module]] = {
    "conv": lambda x, out, k, s=1, p=0: nn.Conv2d(x.shape[1], out, k, stride=s, padding=p),
    "relu": lambda x: nn.ReLU(),
    "maxpool": lambda x, k, s: nn.MaxPool2d(k, s),
    "flatten": lambda x: nn.Flatten(),
    "linear": lambda x, out: nn.Linear(x.shape[1], out),
}


def sequential_shape(*, input: tuple[int, ...], layers: tuple[tuple[object, ...], ...]) -> Measured:
    """Output volume ``(H, W, C)`` of a small ``nn.Sequential`` (layer specs: ``("conv", out,
    k, s, p)``, ``("relu",)``, ``("maxpool", k, s)``, ``("flatten",)``, ``("linear", out)``)."""
    modules = []
    with torch.device(META):
        x = torch.empty(1, *input)
        for kind, *args in layers:
            modules.append(_LAYERS[str(kind)](x, *args))
            x = modules[-1](x)
    names = ", ".join(type(m).__name__ for m in modules)
    return Measured(
        hwc(tuple(x.shape[1:])), f"nn.Sequential({names}) on {input} → {tuple(x.shape)}"
    )


def conv_weights(*, in_channels: int, kernel_size: int, out_channels: int = 1) -> Measured:
    """Weights (no bias) of ``nn.Conv2d(in_channels, out_channels, kernel_size)``."""
    conv = nn.Conv2d(in_channels, out_channels, kernel_size, device=META)
    n = conv.weight.numel()
    return Measured(n, f"nn.Conv2d({in_channels}, {out_channels}, {kernel_size}).weight.numel()")


def conv_params(*, in_channels: int, kernel_size: int, out_channels: int) -> Measured:
    """All parameters (weights and biases) of ``nn.Conv2d``."""
    conv = nn.Conv2d(in_channels, out_channels, kernel_size, device=META)
    n = sum(p.numel() for p in conv.parameters())
    return Measured(
        n, f"sum of numel over nn.Conv2d({in_channels}, {out_channels}, {kernel_size}).parameters()"
    )


def linear_weights(*, in_features: int) -> Measured:
    """Weights of one fully connected neuron: ``nn.Linear(in_features, 1).weight.numel()``."""
    return Measured(
        nn.Linear(in_features, 1, device=META).weight.numel(),
        f"nn.Linear({in_features}, 1).weight.numel()",
    )


def numel(*, shape: tuple[int, ...]) -> Measured:
    """Values in a tensor of ``shape``."""
    n = torch.empty(shape, device=META).numel()
    return Measured(n, f"torch.empty({shape}).numel()")


def activation_bytes(
    *, shape: tuple[int, ...], copies: int = 1, dtype: str = "float32"
) -> Measured:
    """Bytes of a float tensor of ``shape``, times ``copies`` (2: values and gradients)."""
    t = torch.empty(shape, dtype=getattr(torch, dtype), device=META)
    n = t.numel() * t.element_size() * copies
    return Measured(n, f"{t.numel():,} values × {t.element_size()} bytes × {copies}")


def locally_connected_params(
    *, input: tuple[int, int, int], kernel_size: int, stride: int, out_channels: int
) -> Measured:
    """Parameters without sharing: every output neuron owns its weights and bias."""
    conv = nn.Conv2d(input[0], out_channels, kernel_size, stride=stride, device=META)
    neurons = conv(torch.empty(1, *input, device=META)).numel()
    per = conv.weight[0].numel() + 1
    how = f"{neurons:,} outputs of nn.Conv2d({input[0]}, {out_channels}, {kernel_size}, "
    how += f"stride={stride}) × ({per - 1} weights + 1 bias) each"
    return Measured(neurons * per, how)


def pool_discarded(*, input: tuple[int, int, int], kernel_size: int, stride: int) -> Measured:
    """Fraction of the activations a pooling layer drops: ``1 − out.numel()/in.numel()``."""
    x = torch.empty(1, *input, device=META)
    out = nn.MaxPool2d(kernel_size, stride)(x)
    frac = 1 - out.numel() / x.numel()
    return Measured(frac, f"1 − {out.numel():,}/{x.numel():,} values after nn.MaxPool2d")


# The 4×4 slice of CS231n's max-pooling figure (the extracted notes keep only its output).
_POOL_EXAMPLE = ((1.0, 1, 2, 4), (5, 6, 7, 8), (3, 2, 1, 0), (1, 2, 3, 4))


def max_pool_example() -> Measured:
    """``F.max_pool2d(x, 2, 2)`` of the 4×4 slice in the notes' figure, row by row."""
    out = F.max_pool2d(torch.tensor(_POOL_EXAMPLE).view(1, 1, 4, 4), 2, 2)
    values = tuple(int(v) for v in out.flatten().tolist())
    return Measured(values, f"F.max_pool2d(x, 2, 2) of x = {[list(r) for r in _POOL_EXAMPLE]}")


def crops(*, scheme: str) -> Measured:
    """Test-time crops per image: ``"ten"`` (AlexNet: corners + centre, and their flips) or
    ``"googlenet"`` (4 scales × 3 squares × 6 crops × 2 flips), cut with torchvision."""
    n = _crop_count(scheme)
    if scheme == "ten":
        return Measured(n, "len(torchvision ten_crop(256×256 image, 224))")
    return Measured(
        n,
        "torchvision five_crop + the resized square, ×2 flips, for 3 squares "
        "at 4 scales (shorter side 256, 288, 320, 352)",
    )


@cache
def _crop_count(scheme: str) -> int:
    from torchvision.transforms.v2 import functional as TF

    if scheme == "ten":  # only the sizes matter: one-channel uint8 images keep this fast
        return len(TF.ten_crop(torch.zeros(1, 256, 256, dtype=torch.uint8), [224, 224]))
    if scheme != "googlenet":
        raise ValueError(f"scheme {scheme!r} is not 'ten' or 'googlenet'")
    found = 0
    for side in (256, 288, 320, 352):  # shorter side after rescaling
        image = torch.zeros(1, side, side * 4 // 3, dtype=torch.uint8)
        width = image.shape[-1]
        for left in (0, (width - side) // 2, width - side):  # left, centre, right square
            square = image[..., left : left + side]
            six = [
                *TF.five_crop(square, [224, 224]),
                TF.resize(square, [224, 224], antialias=False),
            ]
            found += len(six) + len([TF.horizontal_flip(c) for c in six])
    return found


def ensemble_cost(*, models: int, scheme: str) -> Measured:
    """Forward passes per image: models × crops (crops counted by :func:`crops`)."""
    n = 1 if scheme == "one" else _crop_count(scheme)
    cost = int(torch.tensor(models) * torch.tensor(n))
    return Measured(cost, f"{models} model(s) × {n} crop(s)")


def difference(*, a: float, b: float) -> Measured:
    """``a − b`` in float64, to 10 decimals."""
    d = round(float(torch.tensor(a, dtype=torch.float64) - b), 10)
    return Measured(d, f"{a} − {b} in float64")


def printed_formula(*, input_size: int, kernel_size: int, padding: int, stride: int) -> Measured:
    """The fraction as printed in the worked examples: ``(W − F + 2P)/(S + 1)``."""
    num = torch.tensor(input_size - kernel_size + 2 * padding, dtype=torch.float64)
    value = round(float(num / (stride + 1)), 10)
    return Measured(value, f"({input_size} − {kernel_size} + 2·{padding})/({stride} + 1)")


def bytes_per_value(*, dtype: str) -> Measured:
    """Bytes per element of a torch dtype (``"float32"`` → 4)."""
    size = torch.empty(0, dtype=getattr(torch, dtype)).element_size()
    return Measured(size, f"torch.empty(0, dtype=torch.{dtype}).element_size()")


def optimizer_copies() -> Measured:
    """Tensors kept per parameter by SGD with momentum: weight, gradient, momentum buffer."""
    layer = nn.Linear(2, 1)
    opt = torch.optim.SGD(layer.parameters(), lr=0.1, momentum=0.9)
    layer(torch.ones(1, 2)).sum().backward()
    opt.step()
    state = opt.state[layer.weight]
    n = 1 + (layer.weight.grad is not None) + sum(torch.is_tensor(v) for v in state.values())
    return Measured(n, f"weight + grad + optimizer state {sorted(state)} after one SGD step")


def pool_overlap(*, kernel_size: int, stride: int) -> Measured:
    """Whether windows of size ``kernel_size`` at ``stride`` read some input cell twice."""
    windows = torch.arange(16.0).unfold(0, kernel_size, stride)
    twice = windows.numel() != windows.unique().numel()
    return Measured(
        twice,
        f"torch.arange(16).unfold(0, {kernel_size}, {stride}): "
        f"{windows.numel()} reads of {windows.unique().numel()} cells",
    )


def min_overlapping_kernel(*, stride: int) -> Measured:
    """Smallest window size whose windows overlap at ``stride``."""
    k = next(k for k in range(1, 16) if pool_overlap(kernel_size=k, stride=stride).value)
    return Measured(k, f"first k with overlapping torch unfold windows at stride {stride}")


RECIPES: dict[str, Callable[..., Measured]] = {
    f.__name__: f
    for f in (
        conv_size,
        pool_size,
        sequential_shape,
        conv_weights,
        conv_params,
        linear_weights,
        numel,
        activation_bytes,
        locally_connected_params,
        pool_discarded,
        max_pool_example,
        crops,
        ensemble_cost,
        difference,
        printed_formula,
        bytes_per_value,
        optimizer_copies,
        pool_overlap,
        min_overlapping_kernel,
    )
}
"""Recipe name → function (keyword arguments only)."""
