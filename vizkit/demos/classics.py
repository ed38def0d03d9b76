"""The classic architectures side by side, measured on the zoo's paper-faithful models:

- :func:`allconv_variants`: Springenberg et al.'s base model, Strided-CNN, ConvPool-CNN and
  All-CNN (Table 3: parameters, with the printed ≈ figures beside);
- :func:`zfnet_vs_alexnet`: how ZFNet changed AlexNet's first layers (7×7 stride 2 instead of
  11×11 stride 4, 5×5 stride 2 next), and the 512/1024/512 middle layers some lecture slides
  give it.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass

import torch
from torch import nn

from vizkit._validate import check_choice
from vizkit.demos._table import html_table

__all__ = ["AllConvVariant", "LayerPair", "allconv_variants", "zfnet_vs_alexnet"]

# Table 3 of Springenberg et al. (≈ parameters in millions), as Raschka's lecture prints it
_TABLE3 = {
    "A": {"base": "0.9", "strided": "0.9", "convpool": "1.28", "all": "1.28"},
    "B": {"base": "1", "strided": "1", "convpool": "1.35", "all": "1.35"},
    "C": {"base": "1.3", "strided": "1.3", "convpool": "1.4", "all": "1.4"},
}
_NAMES = {"base": "Model {m}", "strided": "Strided-CNN-{m}", "convpool": "ConvPool-CNN-{m}",
          "all": "All-CNN-{m}"}  # fmt: skip


@dataclass(frozen=True)
class AllConvVariant:
    """One network of Table 3: name, parameters, multiply-adds at 32×32, the layers that
    shrink the grid, and the printed ≈ parameters (millions, as printed)."""

    name: str
    params: int
    macs: int
    downsampling: tuple[str, ...]
    paper_millions: str

    @property
    def agrees(self) -> bool:
        """The count, in millions, rounds or truncates to the printed ≈ figure's digits."""
        digits = len(self.paper_millions.partition(".")[2])
        millions = self.params / 1e6
        truncated = int(millions * 10**digits) / 10**digits
        printed = float(self.paper_millions)
        return printed in (round(millions, digits), truncated)


@dataclass(frozen=True)
class AllConvTable:
    """The four variants of one base model."""

    model: str
    rows: tuple[AllConvVariant, ...]

    def row(self, name: str) -> AllConvVariant:
        """The row called ``name`` (``"All-CNN-C"`` …)."""
        check_choice("name", name, [r.name for r in self.rows])
        return next(r for r in self.rows if r.name == name)

    def _repr_html_(self) -> str:
        return html_table(
            ["network", "parameters", "multiply-adds", "grid halved by", "paper (≈ M)", "agrees"],
            [(r.name, r.params, r.macs, ", ".join(r.downsampling), r.paper_millions, r.agrees)
             for r in self.rows],
            css="allconv",
        )  # fmt: skip


def allconv_variants(model: str = "C") -> AllConvTable:
    """Springenberg et al.'s four variants of base model ``model`` on 32×32 CIFAR images.

    Base: conv layers then 3×3/2 max pooling; Strided-CNN: no pooling, the conv before it gets
    stride 2 (fewer operations, same parameters); ConvPool-CNN: an extra 3×3 conv before each
    pooling (the control); All-CNN: the pooling replaced by a 3×3/2 convolution.

    Args:
        model: ``"A"``, ``"B"`` or ``"C"``.

    Raises:
        TypeError, ValueError: unknown model.
    """
    from vizkit.summary import summarize
    from vizkit.zoo.nin import allconv

    model = check_choice("model", model, ("A", "B", "C"))
    rows = []
    for variant in ("base", "strided", "convpool", "all"):
        with torch.device("meta"):
            net = allconv(model, variant)  # type: ignore[arg-type]
        table = summarize(net, (3, 32, 32))
        down = tuple(
            r.name
            for r in table.rows
            if r.type in ("Conv2d", "MaxPool2d")
            and r.output_shape is not None
            and r.receptive_field is not None
            and r.receptive_field.jump[0] > 1
            and _stride(net, r.name) > 1
        )
        rows.append(
            AllConvVariant(
                _NAMES[variant].format(m=model),
                table.total_params,
                table.total_macs,
                down,
                _TABLE3[model][variant],
            )
        )
    return AllConvTable(model, tuple(rows))


def _stride(net: nn.Module, name: str) -> int:
    s: int | tuple[int, ...] = getattr(net.get_submodule(name), "stride", 1)
    return int(s[0] if isinstance(s, tuple) else s)


@dataclass(frozen=True)
class LayerPair:
    """One layer of AlexNet (paper) and ZFNet: kernel/stride and output ``(C, H, W)``."""

    layer: str
    alexnet: str
    alexnet_output: tuple[int, ...]
    zfnet: str
    zfnet_output: tuple[int, ...]


@dataclass(frozen=True)
class ZFNetComparison:
    """:func:`zfnet_vs_alexnet`'s layers and parameter totals."""

    layers: tuple[LayerPair, ...]
    params: dict[str, int]

    def _repr_html_(self) -> str:
        rows: list[tuple[object, ...]] = [
            (p.layer, p.alexnet, p.alexnet_output, p.zfnet, p.zfnet_output) for p in self.layers
        ]
        rows.append(("parameters", "", self.params["alexnet"], "", self.params["zfnet"]))
        return html_table(["layer", "AlexNet", "output", "ZFNet", "output"], rows, css="zfnet")


def _describe(m: nn.Module) -> str:
    if isinstance(m, nn.Conv2d):
        return f"{m.out_channels} × {m.kernel_size[0]}×{m.kernel_size[1]} / {m.stride[0]}"
    if isinstance(m, nn.MaxPool2d):
        return f"max {m.kernel_size}×{m.kernel_size} / {m.stride}"
    return type(m).__name__


def zfnet_vs_alexnet() -> ZFNetComparison:
    """The convolution and pooling layers of the paper's AlexNet (227×227) and of ZFNet
    (224×224, Figure 3 of Zeiler & Fergus), and the parameters of both and of the variant with
    512 / 1024 / 512 filters in conv3–5 (``"zfnet 512-1024-512"``, Table 2 of the paper).
    """
    from vizkit.summary import summarize
    from vizkit.zoo.alexnet import alexnet, zfnet

    with torch.device("meta"):
        a, z = alexnet(), zfnet()
        wide = zfnet()
        f: nn.Module = wide.features  # type: ignore[assignment]
        head: nn.Module = wide.classifier  # type: ignore[assignment]
        f.conv3 = nn.Conv2d(256, 512, 3, padding=1)
        f.conv4 = nn.Conv2d(512, 1024, 3, padding=1)
        f.conv5 = nn.Conv2d(1024, 512, 3, padding=1)
        head.fc6 = nn.Linear(512 * 6 * 6, 4096)
    ta, tz, tw = (
        summarize(a, (3, 227, 227)),
        summarize(z, (3, 224, 224)),
        summarize(wide, (3, 224, 224)),
    )
    pairs = []
    names = OrderedDict.fromkeys(
        n.split(".")[1] for n, m in a.named_modules() if isinstance(m, (nn.Conv2d, nn.MaxPool2d))
    )
    for name in names:
        full = f"features.{name}"
        pairs.append(
            LayerPair(
                name,
                _describe(a.get_submodule(full)),
                ta.unbatched(ta.row(full).output_shape),  # type: ignore[arg-type]
                _describe(z.get_submodule(full)),
                tz.unbatched(tz.row(full).output_shape),  # type: ignore[arg-type]
            )
        )
    return ZFNetComparison(
        tuple(pairs),
        {
            "alexnet": ta.total_params,
            "zfnet": tz.total_params,
            "zfnet 512-1024-512": tw.total_params,
        },
    )
