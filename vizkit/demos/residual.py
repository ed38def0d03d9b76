"""Residual blocks up close (He et al. 2016, "Deep Residual Learning"; He et al. 2016b,
"Identity Mappings in Deep Residual Networks") and GoogLeNet's auxiliary classifiers:

- :func:`block_costs`: basic vs bottleneck block, weights and multiply-adds;
- :func:`shortcut_costs`: identity, zero-padding (option A) and projection (option B) shortcuts
  when a stage halves the grid and doubles the channels;
- :func:`identity_check`: a residual block whose convolutions have zero weights passes its input
  through (a plain stack loses it), checked numerically;
- :class:`PreActBlock`, :class:`ZeroPadShortcut`: the pre-activation block and option A;
- :func:`auxiliary_heads`: GoogLeNet's two side classifiers (loss weight 0.3) in training vs
  evaluation mode.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import nn

from vizkit._validate import check_int, check_number, check_seed
from vizkit.demos._table import html_table
from vizkit.demos._threads import one_thread

__all__ = [
    "AuxiliaryHeads",
    "BlockCost",
    "IdentityCheck",
    "PreActBlock",
    "ShortcutCost",
    "ZeroPadShortcut",
    "auxiliary_heads",
    "block_costs",
    "identity_check",
    "shortcut_costs",
]


class PreActBlock(nn.Module):
    """Pre-activation basic block: ``x + conv(relu(bn(conv(relu(bn(x))))))``, nothing after
    the addition, so the shortcut path is a pure identity from block to block."""

    def __init__(self, channels: int) -> None:
        super().__init__()
        channels = check_int("channels", channels, minimum=1, maximum=4096)
        self.bn1 = nn.BatchNorm2d(channels)
        self.conv1 = nn.Conv2d(channels, channels, 3, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(channels)
        self.conv2 = nn.Conv2d(channels, channels, 3, padding=1, bias=False)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """``(N, C, H, W)`` → ``(N, C, H, W)``."""
        out: torch.Tensor = x + self.conv2(F.relu(self.bn2(self.conv1(F.relu(self.bn1(x))))))
        return out


class ZeroPadShortcut(nn.Module):
    """Option A of He et al.: subsample by ``stride`` and pad the new channels with zeros
    (no parameters)."""

    def __init__(self, in_channels: int, out_channels: int, stride: int = 2) -> None:
        super().__init__()
        self.in_channels = check_int("in_channels", in_channels, minimum=1, maximum=4096)
        self.out_channels = check_int(
            "out_channels",
            out_channels,
            minimum=in_channels,
            maximum=4096,
            fix="a zero-padding shortcut only adds channels: use out_channels >= in_channels",
        )
        self.stride = check_int("stride", stride, minimum=1, maximum=8)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """``(N, C_in, H, W)`` → ``(N, C_out, ⌈H/s⌉, ⌈W/s⌉)``."""
        x = x[:, :, :: self.stride, :: self.stride]
        return F.pad(x, (0, 0, 0, 0, 0, self.out_channels - self.in_channels))


@dataclass(frozen=True)
class BlockCost:
    """One block of :func:`block_costs`.

    Attributes:
        name: ``"basic (64-d)"`` …
        layers: the convolutions, as the paper writes them.
        in_channels: channels in and out of the block.
        weights: convolution weights (the paper's count).
        params: every parameter (BatchNorm included).
        macs: multiply-adds on the grid.
    """

    name: str
    layers: str
    in_channels: int
    weights: int
    params: int
    macs: int


@dataclass(frozen=True)
class BlockCosts:
    """Rows of :func:`block_costs` on a ``grid``² map."""

    grid: int
    rows: tuple[BlockCost, ...]

    def row(self, name: str) -> BlockCost:
        """The row called ``name``."""
        from vizkit._validate import check_choice

        check_choice("name", name, [r.name for r in self.rows])
        return next(r for r in self.rows if r.name == name)

    def _repr_html_(self) -> str:
        return html_table(
            ["block", "layers", "channels", "weights", "parameters", "multiply-adds"],
            [(r.name, r.layers, r.in_channels, r.weights, r.params, r.macs) for r in self.rows],
            css="block-costs",
        )


def block_costs(grid: int = 56) -> BlockCosts:
    """Basic vs bottleneck residual blocks (Figure 5 of He et al.) on a ``grid``² map.

    The paper's comparison: a basic block on 64 channels (two 3×3, 64) and a bottleneck on 256
    channels (1×1, 64 → 3×3, 64 → 1×1, 256) have "similar time complexity"; a basic block on
    256 channels costs 17× more. torchvision's ``BasicBlock`` and ``Bottleneck``, counted by
    :func:`vizkit.summarize`.

    Args:
        grid: side of the square map (1 … 512; 56 is conv2_x of a 224×224 ResNet).

    Raises:
        TypeError, ValueError: ``grid`` not an int in range.
    """
    from torchvision.models.resnet import BasicBlock, Bottleneck  # torchvision costs ~2 s

    from vizkit.summary import summarize

    grid = check_int("grid", grid, minimum=1, maximum=512)
    specs: tuple[tuple[str, str, int, Callable[[], nn.Module]], ...] = (
        ("basic (64-d)", "3×3, 64 → 3×3, 64", 64, lambda: BasicBlock(64, 64)),
        ("bottleneck (256-d)", "1×1, 64 → 3×3, 64 → 1×1, 256", 256, lambda: Bottleneck(256, 64)),
        ("basic (256-d)", "3×3, 256 → 3×3, 256", 256, lambda: BasicBlock(256, 256)),
    )
    rows = []
    for name, layers, c, build in specs:
        with torch.device("meta"):
            block = build()
        table = summarize(block, (c, grid, grid))
        weights = sum(r.weight_params for r in table.rows if r.type == "Conv2d")
        rows.append(BlockCost(name, layers, c, weights, table.total_params, table.total_macs))
    return BlockCosts(grid, tuple(rows))


@dataclass(frozen=True)
class ShortcutCost:
    """One shortcut of :func:`shortcut_costs`: its weights and multiply-adds, whether it can
    join the main path (same output shape) and the output shape."""

    name: str
    params: int
    macs: int
    output_shape: tuple[int, int, int]
    fits: bool


@dataclass(frozen=True)
class ShortcutCosts:
    """Shortcuts of a block from ``in_channels`` to ``out_channels`` at ``stride``; also how far
    the zero-padding shortcut is from a 1×1 projection whose weights are ``[I; 0]``."""

    in_channels: int
    out_channels: int
    stride: int
    main_shape: tuple[int, int, int]
    rows: tuple[ShortcutCost, ...]
    zero_pad_vs_fixed_projection: float

    def _repr_html_(self) -> str:
        return html_table(
            ["shortcut", "parameters", "multiply-adds", "output", "fits the main path"],
            [(r.name, r.params, r.macs, r.output_shape, r.fits) for r in self.rows],
            css="shortcuts",
        )


def shortcut_costs(
    in_channels: int = 64, out_channels: int = 128, grid: int = 56, stride: int = 2
) -> ShortcutCosts:
    """Identity vs zero-padding vs projection shortcuts for a block that changes the shape.

    The identity only fits when the block keeps the shape; option A (zero padding) subsamples
    and pads channels with zeros, for free; option B (projection, torchvision's
    ``downsample``) is a strided 1×1 convolution with BatchNorm: ``C_in·C_out`` weights.

    Args:
        in_channels, out_channels: channels of the block (1 … 1024, ``out ≥ in``).
        grid: side of the input map (1 … 512).
        stride: the block's stride (1 … 4).

    Raises:
        TypeError, ValueError: an argument not an int in range.
    """
    from vizkit.summary import summarize

    in_channels = check_int("in_channels", in_channels, minimum=1, maximum=1024)
    out_channels = check_int(
        "out_channels",
        out_channels,
        minimum=in_channels,
        maximum=1024,
        fix="a stage never narrows: use out_channels >= in_channels",
    )
    grid = check_int("grid", grid, minimum=1, maximum=512)
    stride = check_int("stride", stride, minimum=1, maximum=4)
    side = (grid - 1) // stride + 1
    main = (out_channels, side, side)
    with torch.device("meta"):
        ways: dict[str, nn.Module] = {
            "identity": nn.Identity(),
            "zero padding (A)": ZeroPadShortcut(in_channels, out_channels, stride),
            "projection (B)": nn.Sequential(
                nn.Conv2d(in_channels, out_channels, 1, stride=stride, bias=False),
                nn.BatchNorm2d(out_channels),
            ),
        }
    rows = []
    for name, module in ways.items():
        x = torch.zeros(1, in_channels, grid, grid, device="meta")
        shape = tuple(int(s) for s in module(x).shape[1:])
        table = summarize(module, (in_channels, grid, grid))
        rows.append(ShortcutCost(name, table.total_params, table.total_macs, shape, shape == main))  # type: ignore[arg-type]
    # option A is option B with a fixed weight [I; 0] and no BatchNorm: check it with torch
    g = torch.Generator().manual_seed(0)
    x = torch.randn(1, in_channels, min(grid, 16), min(grid, 16), generator=g)
    weight = torch.zeros(out_channels, in_channels, 1, 1)
    weight[:in_channels, :, 0, 0] = torch.eye(in_channels)
    fixed = F.conv2d(x, weight, stride=stride)
    padded = ZeroPadShortcut(in_channels, out_channels, stride)(x)
    return ShortcutCosts(
        in_channels,
        out_channels,
        stride,
        main,
        tuple(rows),
        float((fixed - padded).abs().max()),
    )


@dataclass(frozen=True)
class IdentityCheck:
    """Largest ``|block(x) − x|`` once every convolution weight is zero.

    Attributes:
        basic_nonnegative: post-activation basic block (``relu(x + F(x))``), input ≥ 0 (as a
            block sees it after the previous block's ReLU): 0, the identity.
        basic_signed: the same block, input with negative values: the final ReLU clips them.
        bottleneck_nonnegative: the bottleneck block, input ≥ 0: 0.
        preact_signed: the pre-activation block, any input: 0 (no ReLU after the addition).
        plain_signed: the same two convolutions without the shortcut: the output is all zeros,
            the input is lost (``|0 − x|`` = the input's largest magnitude).
    """

    basic_nonnegative: float
    basic_signed: float
    bottleneck_nonnegative: float
    preact_signed: float
    plain_signed: float

    def _repr_html_(self) -> str:
        return html_table(
            ["block (zero weights)", "input", "max |block(x) − x|"],
            [
                ("basic (ReLU after the add)", "x ≥ 0", self.basic_nonnegative),
                ("basic (ReLU after the add)", "signed", self.basic_signed),
                ("bottleneck", "x ≥ 0", self.bottleneck_nonnegative),
                ("pre-activation", "signed", self.preact_signed),
                ("plain, no shortcut", "signed", self.plain_signed),
            ],
            css="identity-check",
        )


def _zero_convs(block: nn.Module) -> nn.Module:
    with torch.no_grad():
        for m in block.modules():
            if isinstance(m, nn.Conv2d):
                m.weight.zero_()
                if m.bias is not None:
                    m.bias.zero_()
    return block.eval()


def identity_check(*, channels: int = 64, grid: int = 14, seed: int = 0) -> IdentityCheck:
    """Zero every convolution weight of a residual block and see what comes out.

    With zero weights the residual branch ``F(x)`` is 0 (BatchNorm in evaluation mode with its
    initial statistics maps 0 to its bias, 0), so the block computes ``relu(x)``, which is
    ``x`` for the non-negative inputs a block receives: pushing ``F`` to 0 is all it takes to
    be the identity. A plain stack of the same layers outputs zeros.

    Args:
        channels: channels of the blocks (4 … 512; the bottleneck uses ``4·channels``).
        grid: side of the input map (1 … 64).
        seed: for the random input.

    Raises:
        TypeError, ValueError: an argument not an int in range.
    """
    from torchvision.models.resnet import BasicBlock, Bottleneck

    channels = check_int("channels", channels, minimum=4, maximum=512)
    grid = check_int("grid", grid, minimum=1, maximum=64)
    g = torch.Generator().manual_seed(check_seed(seed))
    signed = torch.randn(2, channels, grid, grid, generator=g)
    nonneg = signed.relu()
    wide = torch.randn(2, 4 * channels, grid, grid, generator=g).relu()
    basic = _zero_convs(BasicBlock(channels, channels))
    bottleneck = _zero_convs(Bottleneck(4 * channels, channels))
    preact = _zero_convs(PreActBlock(channels))
    plain = _zero_convs(
        nn.Sequential(
            nn.Conv2d(channels, channels, 3, padding=1),
            nn.ReLU(),
            nn.Conv2d(channels, channels, 3, padding=1),
            nn.ReLU(),
        )
    )

    def err(block: nn.Module, x: torch.Tensor) -> float:
        with torch.no_grad():
            return float((block(x) - x).abs().max())

    return IdentityCheck(
        err(basic, nonneg),
        err(basic, signed),
        err(bottleneck, wide),
        err(preact, signed),
        err(plain, signed),
    )


@dataclass(frozen=True)
class AuxiliaryHeads:
    """GoogLeNet with its side classifiers, one batch through it in each mode.

    Attributes:
        train_outputs: training mode: output name → shape (``logits``, ``aux2``, ``aux1``).
        eval_output: evaluation mode: the shape of the only output (the side heads do not run).
        losses: ``"main"``, ``"aux1"``, ``"aux2"`` cross-entropies and ``"total"`` =
            main + weight · (aux1 + aux2).
        weight: the side heads' loss weight (the paper's 0.3).
        grad_norm_main: norm of ``conv1``'s weight gradient from the main loss alone.
        grad_norm_total: the same from the total loss (the side heads add gradient to the
            lower layers, which is what they were for).
    """

    train_outputs: dict[str, tuple[int, ...]]
    eval_output: tuple[int, ...]
    losses: dict[str, float]
    weight: float
    grad_norm_main: float
    grad_norm_total: float

    def _repr_html_(self) -> str:
        rows: list[tuple[object, ...]] = [
            (f"train: {k}", v, f"{self.losses[k if k != 'logits' else 'main']:.4f}")
            for k, v in self.train_outputs.items()
        ]
        rows.append(("eval: logits only", self.eval_output, "—"))
        rows.append(
            (f"total = main + {self.weight:g}·(aux1 + aux2)", (), f"{self.losses['total']:.4f}")
        )
        return html_table(["output", "shape", "loss"], rows, css="aux-heads")


@one_thread(quick_only=True)
def auxiliary_heads(*, batch_size: int = 2, weight: float = 0.3, seed: int = 0) -> AuxiliaryHeads:
    """Run GoogLeNet (the paper's, ``vk.zoo.googlenet(aux_logits=True)``) on a random batch of
    224×224 images in training and evaluation mode; combine the losses as the paper does.

    Args:
        batch_size: images in the batch (1 … 16).
        weight: loss weight of each side head (0 … 1; the paper's 0.3).
        seed: for the weights, images and labels.

    In quick mode (``VIZKIT_QUICK=1``) it runs on one CPU thread: on a loaded 2-core machine a
    second thread made the forward and two backward passes about 9× slower.

    Raises:
        TypeError, ValueError: an argument of the wrong kind or out of range.
    """
    from vizkit.zoo.googlenet import googlenet

    batch_size = check_int("batch_size", batch_size, minimum=1, maximum=16)
    weight = check_number("weight", weight, minimum=0.0, maximum=1.0)
    torch.manual_seed(check_seed(seed))
    model = googlenet(aux_logits=True, num_classes=10)
    g = torch.Generator().manual_seed(seed)
    x = torch.randn(batch_size, 3, 224, 224, generator=g)
    y = torch.randint(0, 10, (batch_size,), generator=g)
    model.train()
    out = model(x)
    losses = {
        "main": F.cross_entropy(out.logits, y),
        "aux1": F.cross_entropy(out.aux1, y),
        "aux2": F.cross_entropy(out.aux2, y),
    }
    total = losses["main"] + weight * (losses["aux1"] + losses["aux2"])
    conv1: torch.Tensor = model.get_submodule("conv1.conv").weight  # type: ignore[assignment]
    (g_main,) = torch.autograd.grad(losses["main"], conv1, retain_graph=True)
    (g_total,) = torch.autograd.grad(total, conv1)
    model.eval()
    with torch.no_grad():
        evaluated = model(x)
    return AuxiliaryHeads(
        {k: tuple(getattr(out, k).shape) for k in ("logits", "aux2", "aux1")},
        tuple(evaluated.shape),
        {**{k: float(v.detach()) for k, v in losses.items()}, "total": float(total.detach())},
        weight,
        float(g_main.norm()),
        float(g_total.norm()),
    )
