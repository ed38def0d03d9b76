"""The papers' tables recomputed: what the zoo's models measure, next to what was printed.

Each function builds the paper-faithful models on the meta device (shapes and counts only, no
memory, no random initialisation), runs :func:`vizkit.summary.summarize` on them and pairs the
measured numbers with :func:`vizkit.zoo.published` figures, one row per line of the paper's table:

- :func:`layer_walk`: a layer-by-layer walk of any :class:`~vizkit.summary.LayerTable` (the
  lecture notes' AlexNet and VGG-16 walks: output volume, activations, parameters);
- :func:`vgg_table2`: Simonyan & Zisserman's Table 2, parameters of VGG A–E;
- :func:`googlenet_table1`: Szegedy et al.'s Table 1, the inception blocks' parameters and
  operations;
- :func:`resnet_flops`: He et al.'s Table 1 "FLOPs" of ResNet-18 … 152, for v1 and v1.5.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, NamedTuple

import torch

from vizkit._validate import (
    check_choice,
    check_instance,
    check_names,
    check_optional_int,
    check_sequence,
)
from vizkit.summary.table import drop_batch_dim
from vizkit.zoo.published import published
from vizkit.zoo.vgg import VGG_CONFIGS, vgg

if TYPE_CHECKING:
    from vizkit.summary import LayerTable

__all__ = [
    "WALK_TYPES",
    "InceptionLine",
    "LayerWalk",
    "ResNetFlops",
    "VGGCount",
    "WalkLine",
    "googlenet_table1",
    "layer_walk",
    "resnet_flops",
    "vgg_table2",
]

WALK_TYPES: tuple[str, ...] = ("Conv2d", "MaxPool2d", "Linear")
"""The layers a lecture's memory walk lists (no ReLU, dropout or flatten lines)."""

_IMAGENET = (3, 224, 224)
_VGG_NAMES: tuple[str, ...] = tuple(VGG_CONFIGS)


class WalkLine(NamedTuple):
    """One line of a layer walk.

    Attributes:
        name: dotted module name (``"features.conv1"``).
        output_shape: output volume without the batch, e.g. ``(96, 55, 55)`` (the whole
            shape when the table's input has no batch dimension).
        activations: values in that output (the notes' "memory" column), for the whole batch.
        params: parameters of the layer.
    """

    name: str
    output_shape: tuple[int, ...]
    activations: int
    params: int


@dataclass(frozen=True)
class LayerWalk:
    """A layer-by-layer walk through a model, as lecture notes print it.

    Attributes:
        input_shape: the input batch, e.g. ``(1, 3, 224, 224)``.
        lines: one :class:`WalkLine` per listed layer, in execution order.
        batch_dim: where the batch is in ``input_shape`` (the table's
            :attr:`~vizkit.summary.LayerTable.batch_dim`); None when the input has none.
    """

    input_shape: tuple[int, ...]
    lines: tuple[WalkLine, ...]
    batch_dim: int | None = 0

    @property
    def input_activations(self) -> int:
        """Values in the input batch (the walk's first line, "INPUT")."""
        n = 1
        for s in self.input_shape:
            n *= s
        return n

    @property
    def total_activations(self) -> int:
        """Input plus every listed layer's output: what the notes' "TOTAL memory" adds up."""
        return self.input_activations + sum(line.activations for line in self.lines)

    @property
    def total_params(self) -> int:
        """Parameters of the listed layers."""
        return sum(line.params for line in self.lines)

    def _repr_html_(self) -> str:
        def shape(s: tuple[int, ...]) -> str:
            return " × ".join(map(str, s)) if s else "—"

        head = "<tr><th>layer</th><th>output</th><th>activations</th><th>parameters</th></tr>"
        first = (
            f"<tr><td>input</td><td>{shape(drop_batch_dim(self.input_shape, self.batch_dim))}</td>"
            f"<td>{self.input_activations:,}</td><td>0</td></tr>"
        )
        body = "".join(
            f"<tr><td>{html.escape(line.name)}</td><td>{shape(line.output_shape)}</td>"
            f"<td>{line.activations:,}</td><td>{line.params:,}</td></tr>"
            for line in self.lines
        )
        total = (
            f"<tr><th>total</th><th></th><th>{self.total_activations:,}</th>"
            f"<th>{self.total_params:,}</th></tr>"
        )
        return f"<table class='vizkit-walk'>{head}{first}{body}{total}</table>"


def layer_walk(
    table: LayerTable, *, types: Sequence[str] | None = WALK_TYPES, first: int | None = None
) -> LayerWalk:
    """Walk a model layer by layer: output volume, activations and parameters of each layer.

    Args:
        table: what :func:`vizkit.summarize` returned for the model.
        types: class names of the layers to list (default: convolutions, max pooling and
            fully-connected layers, as the lecture notes list them); ``None`` lists every leaf.
        first: list only the first this many layers (after filtering by ``types``).

    Returns:
        A :class:`LayerWalk` (displays as a table in Jupyter).

    Raises:
        TypeError: ``table`` is not a LayerTable, ``types`` not a list of names, ``first``
            not an int.
        ValueError: ``first`` below 1, ``types`` matches no layer of the model, or ``table``
            is a parameters-only table (no input given, so no output volumes).
    """
    _check_table(table)
    check_optional_int("first", first, minimum=1, fix="pass a positive count, or None for all")
    if table.input_shape is None:
        raise ValueError(
            "table is a parameters-only table (summarize(model) was given no input), and a "
            "walk lists every layer's output volume: summarize with an input, e.g. "
            "vizkit.summarize(model, (3, 224, 224))"
        )
    rows = [r for r in table.rows if r.output_shape is not None]
    if types is not None:
        wanted = set(check_names("types", types, what="layer class name"))
        rows = [r for r in rows if r.type in wanted]
        if not rows:
            present = sorted({r.type for r in table.rows})
            raise ValueError(f"types {sorted(wanted)} match no layer; the model has {present}")
    batch_dim = table.batch_dim
    lines = tuple(
        WalkLine(r.name, drop_batch_dim(r.output_shape, batch_dim), r.activations, r.params)
        for r in rows[:first]
    )
    return LayerWalk(tuple(table.input_shape), lines, batch_dim)


class VGGCount(NamedTuple):
    """One column of Simonyan & Zisserman's Table 2.

    Attributes:
        params: parameters vizkit counts.
        millions: the same, rounded to millions as the paper prints it.
        paper_millions: the paper's figure.
    """

    params: int
    millions: int
    paper_millions: int


def vgg_table2(configs: Sequence[str] = _VGG_NAMES) -> dict[str, VGGCount]:
    """Parameters of VGG A–E at 224×224, beside the paper's Table 2 (133/133/134/138/144 M).

    Built on the meta device: VGG-E's 144 M parameters cost no memory.

    Args:
        configs: VGG configurations (``"A"``, ``"A-LRN"``, ``"B"``, ``"C"``, ``"D"``, ``"E"``).

    Returns:
        Configuration → :class:`VGGCount`.

    Raises:
        TypeError: ``configs`` is a single str or holds non-strings.
        ValueError: an unknown configuration.
    """
    from vizkit.summary import summarize

    for config in check_names("configs", configs, what="VGG configuration"):
        check_choice("configs", config, tuple(VGG_CONFIGS))

    paper = published("vgg_params_millions")
    out: dict[str, VGGCount] = {}
    for config in configs:
        with torch.device("meta"):
            model = vgg(config)  # type: ignore[arg-type]
        n = summarize(model, _IMAGENET).total_params
        out[config] = VGGCount(n, round(n / 1e6), paper[config])
    return out


class InceptionLine(NamedTuple):
    """One inception row of GoogLeNet's Table 1 (params in K = 1024 weights, biases left out;
    operations in M multiply-adds).
    """

    name: str
    paper_params_k: float
    params_k: int
    paper_ops_m: float
    ops_m: int


def googlenet_table1(table: LayerTable | None = None) -> list[InceptionLine]:
    """The inception rows of Szegedy et al.'s Table 1, measured beside printed.

    Args:
        table: ``vizkit.summarize(vizkit.zoo.googlenet(), (3, 224, 224))`` if you have it;
            ``None`` builds it (on the meta device).

    Returns:
        One :class:`InceptionLine` per inception block, in the paper's order.

    Raises:
        TypeError: ``table`` is not a LayerTable or None.
        ValueError: ``table`` is not GoogLeNet's (it has no inception blocks).
    """
    if table is not None:
        _check_table(table)
        names = {b.name for b in table.blocks}
        if "inception3a" not in names:
            raise ValueError(
                "table is not GoogLeNet's (it has no block 'inception3a'): pass "
                "vizkit.summarize(vizkit.zoo.googlenet(), (3, 224, 224)) or None"
            )
    if table is None:
        from vizkit.summary import summarize
        from vizkit.zoo.googlenet import googlenet

        with torch.device("meta"):
            model = googlenet()
        table = summarize(model, _IMAGENET)
    rows = published("googlenet_table1")["rows"]
    return [
        InceptionLine(
            name,
            paper["params_k"],
            round(table.block(name).weight_params / 1024),
            paper["ops_m"],
            round(table.block(name).macs / 1e6),
        )
        for name, paper in rows.items()
        if name.startswith("inception")
    ]


class ResNetFlops(NamedTuple):
    """He et al.'s "FLOPs" (multiply-adds, ×10⁹) for one depth.

    Attributes:
        v1: measured on the paper's ResNet (stride on the first 1×1 of a bottleneck).
        paper: the paper's figure.
        v1_5: measured on torchvision's variant (stride on the 3×3).
    """

    v1: float
    paper: float
    v1_5: float


def resnet_flops(depths: Sequence[int] = (18, 34, 50, 101, 152)) -> dict[str, ResNetFlops]:
    """G multiply-adds of ResNet v1 and v1.5 at 224×224, beside the paper's Table 1.

    Args:
        depths: ResNet depths (18, 34, 50, 101, 152).

    Returns:
        ``"resnet18"`` … → :class:`ResNetFlops`, rounded to 2 decimals.

    Raises:
        TypeError: ``depths`` is not a list of ints.
        ValueError: a depth other than 18, 34, 50, 101, 152.
    """
    from vizkit.summary import summarize
    from vizkit.zoo.resnet import resnet  # imports torchvision: only for this table

    depths = check_sequence("depths", depths, what="ints")
    for depth in depths:
        check_choice("depths", depth, (18, 34, 50, 101, 152))

    paper = published("resnet_flops_billions")
    out: dict[str, ResNetFlops] = {}
    for depth in depths:
        with torch.device("meta"):
            v1, v15 = resnet(depth), resnet(depth, v1_5=True)
        out[f"resnet{depth}"] = ResNetFlops(
            round(summarize(v1, _IMAGENET).total_macs / 1e9, 2),
            paper[f"resnet{depth}"],
            round(summarize(v15, _IMAGENET).total_macs / 1e9, 2),
        )
    return out


def _check_table(table: object) -> None:
    from vizkit.summary import LayerTable

    check_instance(
        "table", table, LayerTable, "a LayerTable", "table = vizkit.summarize(model, input_size)"
    )
