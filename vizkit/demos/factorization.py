"""Inception-v2/v3's factorised convolutions (Szegedy et al. 2016, "Rethinking the Inception
Architecture"), counted with real ``nn.Conv2d`` stacks and :func:`vizkit.summarize`:

- :func:`factorization_costs`: 5×5 vs two 3×3, 3×3 vs 1×3 + 3×1 (and two 2×2), 7×7 vs 1×7 + 7×1,
  each with its parameters, multiply-adds and receptive field (the field stays the same);
- :func:`inception_modules`: the zoo's modules of Figures 5, 6 and 7, each on its grid;
- :func:`grid_reduction_costs`: halving the grid while doubling the channels, three ways
  (pool then conv, conv then pool, the paper's parallel stride-2 conv and pool);
- :func:`inception_v3_walk`: the paper's Table 1, row by row, beside the input size of that row in
  torchvision's Inception-v3 (the released model, ``vk.zoo.inception_v3``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import torch
from torch import nn

from vizkit._validate import check_int
from vizkit.demos._table import html_table

__all__ = [
    "FACTORIZATIONS",
    "Factorization",
    "FactorizationRow",
    "GridReduction",
    "InceptionV3Walk",
    "factorization_costs",
    "grid_reduction_costs",
    "inception_modules",
    "inception_v3_walk",
]

# name → (kernels of the stack, paper's stated relative cost of the factorised form or None)
FACTORIZATIONS: dict[str, tuple[tuple[int, int], ...]] = {
    "5×5": ((5, 5),),
    "two 3×3": ((3, 3), (3, 3)),
    "3×3": ((3, 3),),
    "1×3 then 3×1": ((1, 3), (3, 1)),
    "two 2×2": ((2, 2), (2, 2)),
    "7×7": ((7, 7),),
    "1×7 then 7×1": ((1, 7), (7, 1)),
}
"""The stacks compared: each factorised form follows the full filter it replaces."""

# The paper's words for each factorised form: (the full filter it replaces, stated cost ratio).
_REPLACES = {"two 3×3": "5×5", "1×3 then 3×1": "3×3", "two 2×2": "3×3", "1×7 then 7×1": "7×7"}
_PAPER_RATIO = {"two 3×3": 18 / 25, "1×3 then 3×1": 6 / 9, "two 2×2": 8 / 9}


def _stack(channels: int, kernels: Sequence[tuple[int, int]]) -> nn.Sequential:
    layers: list[nn.Module] = []
    for kh, kw in kernels:
        # asymmetric 'same' padding for the even 2×2 pair: torch pads both sides alike, so
        # pad 0 and let the pair shrink the grid by 2, as the paper's Figure 3 draws it
        pad = (kh // 2, kw // 2) if kh % 2 and kw % 2 else 0
        layers.append(nn.Conv2d(channels, channels, (kh, kw), padding=pad, bias=False))
    return nn.Sequential(*layers)


@dataclass(frozen=True)
class FactorizationRow:
    """One stack of :func:`factorization_costs`.

    Attributes:
        name: ``"5×5"``, ``"two 3×3"`` …
        kernels: ``(h, w)`` of each convolution in the stack.
        params: weights of the stack (no biases, as the paper counts).
        macs: multiply-adds on the grid given.
        receptive_field: ``(h, w)`` input pixels one output unit sees.
        replaces: the full filter this form factorises, or ``""`` for a full filter.
        ratio: ``params`` divided by the replaced filter's (``nan`` for a full filter).
        paper_ratio: the ratio the paper states (``nan`` where it states none).
    """

    name: str
    kernels: tuple[tuple[int, int], ...]
    params: int
    macs: int
    receptive_field: tuple[int, int]
    replaces: str
    ratio: float
    paper_ratio: float


@dataclass(frozen=True)
class Factorization:
    """Costs of full and factorised filters with ``channels`` in and out on an ``grid``² map."""

    channels: int
    grid: int
    rows: tuple[FactorizationRow, ...]

    def row(self, name: str) -> FactorizationRow:
        """The row called ``name`` (a key of :data:`FACTORIZATIONS`)."""
        from vizkit._validate import check_choice

        check_choice("name", name, [r.name for r in self.rows])
        return next(r for r in self.rows if r.name == name)

    def _repr_html_(self) -> str:
        return html_table(
            ["stack", "replaces", "weights", "multiply-adds", "field", "ratio", "paper says"],
            [
                (
                    r.name,
                    r.replaces or "—",
                    r.params,
                    r.macs,
                    r.receptive_field,
                    "—" if r.ratio != r.ratio else f"{r.ratio:.3f}",
                    "—" if r.paper_ratio != r.paper_ratio else f"{r.paper_ratio:.3f}",
                )
                for r in self.rows
            ],
            css="factorization",
        )


def factorization_costs(channels: int = 64, grid: int = 35) -> Factorization:
    """Weights, multiply-adds and receptive field of each stack in :data:`FACTORIZATIONS`.

    A 5×5 filter with ``C`` channels in and out has ``25C²`` weights; two 3×3 see the same 5×5
    field with ``18C²`` (the paper: "a relative gain of 28 %"); 1×3 then 3×1 replaces a 3×3
    with ``6C²`` (33 % cheaper), two 2×2 only with ``8C²`` (11 %); 1×7 then 7×1 replaces a 7×7
    (``14C²`` instead of ``49C²``).

    Args:
        channels: ``C``, channels in and out of every convolution (1 … 2048).
        grid: side of the square input map (3 … 512); 'same' padding keeps it (the 2×2 pair
            uses none and shrinks it by 2, so its multiply-adds are a little lower).

    Returns:
        A :class:`Factorization` (displays as a table).

    Raises:
        TypeError: an argument is not an int.
        ValueError: an argument out of range.
    """
    from vizkit.summary import summarize

    channels = check_int("channels", channels, minimum=1, maximum=2048)
    grid = check_int("grid", grid, minimum=3, maximum=512)
    rows = []
    full: dict[str, int] = {}
    for name, kernels in FACTORIZATIONS.items():
        with torch.device("meta"):
            model = _stack(channels, kernels)
        table = summarize(model, (channels, grid, grid))
        field = table.rows[-1].receptive_field
        assert field is not None  # a 4-D output always has one
        replaces = _REPLACES.get(name, "")
        if not replaces:
            full[name] = table.total_params
        ratio = table.total_params / full[replaces] if replaces else float("nan")
        rows.append(
            FactorizationRow(
                name,
                kernels,
                table.total_params,
                table.total_macs,
                (int(field.size[0]), int(field.size[1])),
                replaces,
                ratio,
                _PAPER_RATIO.get(name, float("nan")),
            )
        )
    return Factorization(channels, grid, tuple(rows))


class _Parallel(nn.Module):
    """Figure 10 of the paper: stride-2 convolution and stride-2 pooling side by side."""

    def __init__(self, channels: int) -> None:
        super().__init__()
        self.conv = nn.Conv2d(channels, channels, 3, stride=2, bias=False)
        self.pool = nn.MaxPool2d(3, 2)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return torch.cat([self.conv(x), self.pool(x)], 1)


@dataclass(frozen=True)
class GridReduction:
    """Three ways from ``d × d × k`` to ``d/2 × d/2 × 2k`` (Section 7 of the paper).

    Attributes:
        grid, channels: ``d`` and ``k``.
        output_shapes: way → ``(C, H, W)`` it produces.
        macs: way → multiply-adds.
        params: way → weights.
    """

    grid: int
    channels: int
    output_shapes: dict[str, tuple[int, int, int]]
    macs: dict[str, int]
    params: dict[str, int]

    def _repr_html_(self) -> str:
        return html_table(
            ["way", "output", "weights", "multiply-adds"],
            [(w, self.output_shapes[w], self.params[w], self.macs[w]) for w in self.macs],
            css="grid-reduction",
        )


def grid_reduction_costs(grid: int = 35, channels: int = 320) -> GridReduction:
    """Costs of the three grid-size reductions of the paper's Figures 9 and 10.

    - ``"pool, then conv"``: cheap, but the pooled ``d/2 × d/2 × k`` grid is a representational
      bottleneck;
    - ``"conv, then pool"``: a 3×3 convolution ``k → 2k`` on the full grid: four times the
      cost of the first;
    - ``"parallel (Figure 10)"``: a stride-2 3×3 convolution ``k → k`` beside a stride-2 pool,
      concatenated: ``2k`` channels for half the cost of the first.

    Args:
        grid: ``d`` (7 … 512; the paper's example 35).
        channels: ``k`` (1 … 1024; the paper's example 320, giving 17 × 17 × 640).

    Returns:
        A :class:`GridReduction` (displays as a table).

    Raises:
        TypeError: an argument is not an int.
        ValueError: an argument out of range.
    """
    from vizkit.summary import summarize

    grid = check_int("grid", grid, minimum=7, maximum=512)
    channels = check_int("channels", channels, minimum=1, maximum=1024)
    k = channels
    with torch.device("meta"):
        ways: dict[str, nn.Module] = {
            "pool, then conv": nn.Sequential(
                nn.MaxPool2d(3, 2), nn.Conv2d(k, 2 * k, 3, padding=1, bias=False)
            ),
            "conv, then pool": nn.Sequential(
                nn.Conv2d(k, 2 * k, 3, padding=1, bias=False), nn.MaxPool2d(3, 2)
            ),
            "parallel (Figure 10)": _Parallel(k),
        }
    shapes, macs, params = {}, {}, {}
    for way, model in ways.items():
        table = summarize(model, (k, grid, grid))
        out = [r.output_shape for r in table.all_rows if r.output_shape is not None][-1]
        shapes[way] = (int(out[1]), int(out[2]), int(out[3]))
        macs[way] = table.total_macs
        params[way] = table.total_params
    return GridReduction(grid, channels, shapes, macs, params)


# Table 1 of the paper: row, the input size it prints (h, w, c), the torchvision layer whose
# output is that row's input ("" for the image), and why the two differ where they do.
_RELEASED = "torchvision's Inception-v3 (the released model) differs: "
_V3_TABLE1: tuple[tuple[str, tuple[int, int, int], str, str], ...] = (
    ("conv 3×3/2", (299, 299, 3), "", ""),
    ("conv 3×3/1", (149, 149, 32), "Conv2d_1a_3x3", ""),
    ("conv padded 3×3/1", (147, 147, 32), "Conv2d_2a_3x3", ""),
    ("pool 3×3/2", (147, 147, 64), "Conv2d_2b_3x3", ""),
    ("conv 3×3/1", (73, 73, 64), "maxpool1", ""),
    (
        "conv 3×3/2",
        (71, 71, 80),
        "Conv2d_4a_3x3",
        _RELEASED + "a 1×1 conv to 80 at 73×73, then a 3×3 conv to 192 (71×71), so this row's "
        "input has 192 channels, and the step to 35×35 is a 3×3/2 max pool, not a conv",
    ),
    ("conv 3×3/1", (35, 35, 192), "maxpool2", ""),
    (
        "3×Inception (Figure 5)",
        (35, 35, 288),
        "maxpool2",
        _RELEASED + "no 3×3 conv to 288 here; the first Figure-5 module (Mixed_5b) takes the "
        "35×35×192 grid and the three modules output 256, 288, 288",
    ),
    ("5×Inception (Figure 6)", (17, 17, 768), "Mixed_6a", ""),
    ("2×Inception (Figure 7)", (8, 8, 1280), "Mixed_7a", ""),
    ("pool 8×8", (8, 8, 2048), "Mixed_7c", ""),
    ("linear (logits)", (1, 1, 2048), "avgpool", ""),
    ("softmax (classifier)", (1, 1, 1000), "fc", ""),
)


@dataclass(frozen=True)
class V3Row:
    """One row of :func:`inception_v3_walk`.

    Attributes:
        row: the row's type as Table 1 prints it.
        paper: input size ``(h, w, c)`` as printed.
        torch: the same input in torchvision's model (output of ``layer``).
        layer: torchvision module whose output is this row's input (``""``: the image).
        explanation: why the two differ (``""`` where they agree).
    """

    row: str
    paper: tuple[int, int, int]
    torch: tuple[int, int, int]
    layer: str
    explanation: str

    @property
    def agrees(self) -> bool:
        """The printed size is what torch computes."""
        return self.paper == self.torch


@dataclass(frozen=True)
class InceptionV3Walk:
    """Table 1 of the Inception-v3 paper beside torchvision's model, plus its block outputs.

    Attributes:
        rows: one :class:`V3Row` per line of Table 1.
        blocks: torchvision's top-level modules with their output ``(h, w, c)``, in order.
        params: parameters of the model (auxiliary head left out).
        macs: multiply-adds at 299×299.
    """

    rows: tuple[V3Row, ...]
    blocks: tuple[tuple[str, tuple[int, int, int]], ...]
    params: int
    macs: int

    def _repr_html_(self) -> str:
        return html_table(
            ["Table 1 row", "input (paper)", "input (torch)", "agrees", "why not"],
            [(r.row, r.paper, r.torch, r.agrees, r.explanation) for r in self.rows],
            css="inception-v3-walk",
        )


def _hwc(shape: Sequence[int]) -> tuple[int, int, int]:
    if len(shape) == 2:  # (N, C) after the classifier
        return (1, 1, int(shape[1]))
    return (int(shape[2]), int(shape[3]), int(shape[1]))


def inception_v3_walk() -> InceptionV3Walk:
    """Inception-v3's Table 1 down to 8 × 8 × 2048, measured on torchvision's model at 299×299.

    Built on the meta device (shapes only; milliseconds, no memory).

    Returns:
        An :class:`InceptionV3Walk` (displays as the table, with the rows that differ
        explained).
    """
    from vizkit.summary import summarize
    from vizkit.zoo.inception import inception_v3

    with torch.device("meta"):
        model = inception_v3()
    table = summarize(model, (3, 299, 299))
    shapes: dict[str, tuple[int, int, int]] = {}
    for row in table.rows:
        top = row.name.split(".")[0]
        if row.output_shape is not None and len(row.output_shape) in (2, 4):
            shapes[top] = _hwc(row.output_shape)  # the last call inside a top-level module
    for block in table.blocks:
        if "." not in block.name and block.output_shape is not None:
            shapes[block.name] = _hwc(block.output_shape)
    order = [name for name, _ in model.named_children() if name in shapes]
    rows = tuple(
        V3Row(label, paper, shapes[layer] if layer else (299, 299, 3), layer, why)
        for label, paper, layer, why in _V3_TABLE1
    )
    return InceptionV3Walk(
        rows, tuple((n, shapes[n]) for n in order), table.total_params, table.total_macs
    )


@dataclass(frozen=True)
class ModuleRow:
    """One Inception-v3 module of :func:`inception_modules`.

    Attributes:
        figure: ``"Figure 5"`` …
        input_shape, output_shape: ``(C, H, W)`` in and out (torchvision's Mixed_5b, Mixed_6b,
            Mixed_7b sizes).
        params: every parameter (convolutions and BatchNorm).
        macs: multiply-adds.
        kernels: the distinct ``(h, w)`` kernel sizes of its convolutions.
    """

    figure: str
    input_shape: tuple[int, int, int]
    output_shape: tuple[int, int, int]
    params: int
    macs: int
    kernels: tuple[tuple[int, int], ...]


@dataclass(frozen=True)
class InceptionModules:
    """The three module types of Inception-v3."""

    rows: tuple[ModuleRow, ...]

    def _repr_html_(self) -> str:
        return html_table(
            ["module", "input", "output", "parameters", "multiply-adds", "kernels"],
            [
                (
                    r.figure,
                    r.input_shape,
                    r.output_shape,
                    r.params,
                    r.macs,
                    ", ".join(f"{h}×{w}" for h, w in r.kernels),
                )
                for r in self.rows
            ],
            css="inception-modules",
        )


def inception_modules() -> InceptionModules:
    """``vk.zoo.InceptionFig5`` on 35×35×192, ``InceptionFig6`` (n = 7) on 17×17×768 and
    ``InceptionFig7`` (the expanded filter bank) on 8×8×1280, counted on the meta device.

    Figure 5 has no 5×5 (two 3×3 instead), Figure 6 no 7×7 (1×7 and 7×1), and Figure 7 sets
    1×3 and 3×1 side by side, so the 8×8 grid leaves with 2048 channels.
    """
    from vizkit.summary import summarize
    from vizkit.zoo.inception import InceptionFig5, InceptionFig6, InceptionFig7

    specs: tuple[tuple[str, tuple[int, int, int], type[nn.Module]], ...] = (
        ("Figure 5", (192, 35, 35), InceptionFig5),
        ("Figure 6", (768, 17, 17), InceptionFig6),
        ("Figure 7", (1280, 8, 8), InceptionFig7),
    )
    rows = []
    for figure, shape, cls in specs:
        with torch.device("meta"):
            module = cls(shape[0])
        table = summarize(module, shape)
        out = [r.output_shape for r in table.all_rows if r.output_shape is not None][-1]
        kernels = sorted(
            {
                (int(m.kernel_size[0]), int(m.kernel_size[1]))
                for m in module.modules()
                if isinstance(m, nn.Conv2d)
            }
        )
        rows.append(
            ModuleRow(
                figure,
                shape,
                (int(out[1]), int(out[2]), int(out[3])),
                table.total_params,
                table.total_macs,
                tuple(kernels),
            )
        )
    return InceptionModules(tuple(rows))
