"""A locally connected layer (every output position owns its filter) next to a convolution (one
filter shared by all positions), as Bakhshi's notes describe it for centred faces.

- :class:`LocallyConnected2d`: the layer, built on ``F.unfold``; with all its filters equal it is
  ``nn.Conv2d`` (tested);
- :func:`locally_connected_costs`: parameters of both for one layer (AlexNet's conv1:
  105,705,600 vs 34,944);
- :func:`position_dependent_fit`: fit both, by least squares, to a target that applies one edge
  filter on the left half of an image and another on the right: the locally connected layer
  learns it exactly, the convolution cannot (one filter must serve both halves).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from vizkit._validate import check_int, check_seed

__all__ = [
    "LocallyConnected2d",
    "LocallyConnectedCosts",
    "PositionDependentFit",
    "locally_connected_costs",
    "position_dependent_fit",
]


_MAX_WEIGHTS = 64 * 2**20  # float32 parameters one layer may hold (256 MiB)


class LocallyConnected2d(nn.Module):
    """Like ``nn.Conv2d`` (no padding) but with a separate filter and bias per output position.

    Args:
        in_channels, out_channels, kernel_size, stride: as ``nn.Conv2d`` (square kernel).
        input_size: side of the square input it is made for (the positions are fixed).

    Shapes: ``(N, in_channels, input_size, input_size)`` → ``(N, out_channels, L, L)`` with
    ``L = (input_size − kernel_size) // stride + 1``; ``weight`` is
    ``(L·L, out_channels, in_channels·kernel_size²)``, ``bias`` ``(L·L, out_channels)``.
    """

    def __init__(
        self,
        in_channels: int,
        out_channels: int,
        kernel_size: int,
        input_size: int,
        stride: int = 1,
    ) -> None:
        super().__init__()
        self.in_channels = check_int("in_channels", in_channels, minimum=1, maximum=4096)
        self.out_channels = check_int("out_channels", out_channels, minimum=1, maximum=4096)
        self.kernel_size = check_int("kernel_size", kernel_size, minimum=1, maximum=64)
        self.input_size = check_int("input_size", input_size, minimum=kernel_size, maximum=4096)
        self.stride = check_int("stride", stride, minimum=1, maximum=64)
        self.side = (input_size - kernel_size) // stride + 1
        positions = self.side * self.side
        fan_in = in_channels * kernel_size * kernel_size
        n_weights = positions * out_channels * (fan_in + 1)
        if n_weights > _MAX_WEIGHTS:
            raise ValueError(
                f"input_size {input_size}: {positions:,} positions × {out_channels} filters of "
                f"{fan_in + 1} weights = {n_weights:,} parameters, more than this teaching layer "
                f"allows ({_MAX_WEIGHTS:,}, 256 MiB): lower input_size, out_channels or "
                "kernel_size (count large layers with locally_connected_costs)"
            )
        bound = fan_in**-0.5
        self.weight = nn.Parameter(
            torch.empty(positions, out_channels, fan_in).uniform_(-bound, bound)
        )
        self.bias = nn.Parameter(torch.empty(positions, out_channels).uniform_(-bound, bound))

    @classmethod
    def from_conv(cls, conv: nn.Conv2d, input_size: int) -> LocallyConnected2d:
        """The locally connected layer whose every position holds ``conv``'s filter: it then
        computes exactly what ``conv`` (unpadded) computes."""
        layer = cls(
            conv.in_channels, conv.out_channels, conv.kernel_size[0], input_size, conv.stride[0]
        )
        with torch.no_grad():
            layer.weight.copy_(conv.weight.reshape(conv.out_channels, -1).expand_as(layer.weight))
            bias = conv.bias if conv.bias is not None else torch.zeros(conv.out_channels)
            layer.bias.copy_(bias.expand_as(layer.bias))
        return layer

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """``(N, C, S, S)`` → ``(N, out_channels, L, L)``."""
        cols = F.unfold(x, self.kernel_size, stride=self.stride)  # (N, C·k², L·L)
        out = torch.einsum("ncp,poc->nop", cols, self.weight) + self.bias.T
        return out.reshape(x.shape[0], self.out_channels, self.side, self.side)


@dataclass(frozen=True)
class LocallyConnectedCosts:
    """Parameters of one layer with and without sharing (weights + biases)."""

    in_channels: int
    out_channels: int
    kernel_size: int
    input_size: int
    stride: int
    output_side: int
    conv_params: int
    locally_connected_params: int

    def _repr_html_(self) -> str:
        from vizkit.demos._table import html_table

        return html_table(
            ["layer", "output", "parameters"],
            [
                (
                    "convolution (shared)",
                    (self.output_side, self.output_side, self.out_channels),
                    self.conv_params,
                ),
                (
                    "locally connected",
                    (self.output_side, self.output_side, self.out_channels),
                    self.locally_connected_params,
                ),
            ],
            css="locally-connected",
        )


def locally_connected_costs(
    in_channels: int = 3,
    out_channels: int = 96,
    kernel_size: int = 11,
    input_size: int = 227,
    stride: int = 4,
) -> LocallyConnectedCosts:
    """Parameters of a convolution and of the locally connected layer of the same shape.

    Counted on real modules built on the meta device (no memory): ``nn.Conv2d`` and
    :class:`LocallyConnected2d`. The defaults are AlexNet's first layer (Bakhshi's notes:
    34,944 shared vs 105,705,600 without sharing).

    Raises:
        TypeError, ValueError: an argument not an int in range.
    """
    in_channels = check_int("in_channels", in_channels, minimum=1, maximum=4096)
    out_channels = check_int("out_channels", out_channels, minimum=1, maximum=4096)
    kernel_size = check_int("kernel_size", kernel_size, minimum=1, maximum=64)
    input_size = check_int(
        "input_size",
        input_size,
        minimum=kernel_size,
        maximum=4096,
        fix=f"use input_size >= kernel_size ({kernel_size})",
    )
    stride = check_int("stride", stride, minimum=1, maximum=64)
    with torch.device("meta"):
        conv = nn.Conv2d(in_channels, out_channels, kernel_size, stride)
        side = (input_size - kernel_size) // stride + 1
        n_lc = side * side * out_channels * (in_channels * kernel_size**2 + 1)
    return LocallyConnectedCosts(
        in_channels,
        out_channels,
        kernel_size,
        input_size,
        stride,
        side,
        sum(p.numel() for p in conv.parameters()),
        n_lc,
    )


@dataclass(frozen=True)
class PositionDependentFit:
    """Least-squares fits of a convolution and of a locally connected layer (one 3×3 filter,
    grey images) to a target with an edge filter per half.

    Attributes:
        train_images, size: how many crops fitted, and their side.
        conv_error, lc_error: relative error ``‖pred − target‖ / ‖target‖`` on a held-out crop.
        conv_params, lc_params: parameters of each (weights, no bias).
        conv_filter: the one filter the convolution found, ``(3, 3)``.
        lc_left, lc_right: the locally connected filters at a position on the left and on the
            right: the two edge filters of the target.
    """

    train_images: int
    size: int
    conv_error: float
    lc_error: float
    conv_params: int
    lc_params: int
    conv_filter: np.ndarray
    lc_left: np.ndarray
    lc_right: np.ndarray

    def _repr_html_(self) -> str:
        from vizkit.demos._table import html_table

        return html_table(
            ["layer", "parameters", "relative error on a new image"],
            [
                ("convolution (one shared 3×3 filter)", self.conv_params, self.conv_error),
                ("locally connected (a 3×3 filter per position)", self.lc_params, self.lc_error),
            ],
            css="position-fit",
        )


SOBEL_X = np.array([[-1.0, 0.0, 1.0], [-2.0, 0.0, 2.0], [-1.0, 0.0, 1.0]])


def position_dependent_fit(
    image: object, *, size: int = 24, train_images: int = 40, seed: int = 0
) -> PositionDependentFit:
    """Fit a convolution and a locally connected layer to a position-dependent target.

    The target applies a vertical-edge (Sobel x) filter on the left half of each crop and a
    horizontal-edge (Sobel y) filter on the right half. Training data: ``train_images`` random
    ``size × size`` crops of ``image``; both layers are fitted exactly by least squares
    (``torch.linalg.lstsq``), then tested on a crop not seen.

    Args:
        image: ``(H, W)`` grey or ``(H, W, 3)`` RGB, numpy or torch, at least ``size + 16``
            pixels a side.
        size: side of the crops (8 … 64).
        train_images: crops to fit on (12 … 400; the locally connected layer needs at least 9
            per position, one per weight).
        seed: which crops.

    Raises:
        TypeError, ValueError: an argument of the wrong kind or value.
    """
    from vizkit.demos.equivariance import _as_map

    x = _as_map(image)
    size = check_int("size", size, minimum=8, maximum=64)
    train_images = check_int("train_images", train_images, minimum=12, maximum=400)
    if min(x.shape) < size + 16:
        raise ValueError(
            f"image is {x.shape[0]}×{x.shape[1]}: crops of size {size} need at least "
            f"{size + 16} pixels a side; lower size or pass a larger image"
        )
    rng = np.random.default_rng(check_seed(seed))
    n = train_images + 1
    rows = rng.integers(0, x.shape[0] - size, n)
    cols = rng.integers(0, x.shape[1] - size, n)
    crops = torch.stack([x[r : r + size, c : c + size] for r, c in zip(rows, cols, strict=True)])
    crops = (crops - crops.mean()) / (crops.std() + 1e-12)
    crops = crops[:, None]  # (n, 1, S, S)
    side = size - 2
    sobel = torch.tensor(SOBEL_X)
    left = F.conv2d(crops, sobel[None, None])
    right = F.conv2d(crops, sobel.T.contiguous()[None, None])
    half = torch.arange(side) < side // 2
    target = torch.where(half[None, None, None, :], left, right)  # (n, 1, L, L)
    cols_ = F.unfold(crops, 3)  # (n, 9, L·L)
    t = target.reshape(n, -1)  # (n, L·L)
    train, test = slice(0, train_images), slice(train_images, n)
    # convolution: one filter for every position of every training crop
    a = cols_[train].permute(0, 2, 1).reshape(-1, 9)
    w_conv = torch.linalg.lstsq(a, t[train].reshape(-1, 1)).solution  # (9, 1)
    # locally connected: one filter per position, fitted over the training crops
    a_lc = cols_[train].permute(2, 0, 1)  # (P, N, 9)
    w_lc = torch.linalg.lstsq(a_lc, t[train].T[..., None]).solution  # (P, 9, 1)
    pred_conv = (cols_[test].permute(0, 2, 1) @ w_conv)[..., 0]
    pred_lc = torch.einsum("nkp,pk->np", cols_[test], w_lc[..., 0])
    norm = t[test].norm()

    def filt(w: torch.Tensor) -> np.ndarray:
        return w.reshape(3, 3).numpy()

    mid = side // 2
    return PositionDependentFit(
        train_images,
        size,
        float((pred_conv - t[test]).norm() / norm),
        float((pred_lc - t[test]).norm() / norm),
        9,
        9 * side * side,
        filt(w_conv),
        filt(w_lc[mid * side + 1]),
        filt(w_lc[mid * side + side - 2]),
    )
