"""The untrained networks of Deep Image Prior: hourglass with skips, encoder-decoder, U-Net, ResNet.

Ulyanov, Vedaldi & Lempitsky, "Deep Image Prior" (CVPR 2018), supplementary Fig. 1: an
hourglass of ``scales`` levels. Level ``i`` reads ``c`` channels and sends them two ways:

* **deeper**: ``conv k×k stride 2 → BN → LeakyReLU → conv k×k → BN → LeakyReLU``, the next
  level, then ``Upsample ×2`` (``channels_down[i]`` channels);
* **skip** (when ``channels_skip[i] > 0``): ``conv 1×1 → BN → LeakyReLU``.

Both are concatenated (skip first) and merged by ``BN → conv k×k → BN → LeakyReLU →
conv 1×1 → BN → LeakyReLU`` to ``channels_up[i]`` channels. A final ``conv 1×1 → sigmoid``
gives the image. Convolutions pad by reflection, LeakyReLU has slope 0.2. With no skip
channels the hourglass is the lectures' *encoder-decoder*. :func:`unet` and :func:`resnet`
are the other two architectures of the lectures' comparison.

Every network is described by a frozen :class:`NetSpec` (validated once) and built with
:meth:`NetSpec.build`; :attr:`NetSpec.multiple` is the factor image sides must divide by.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, get_args

import torch
from torch import nn

from vizkit._validate import check_choice, check_int, check_memory, describe

#: At most this many scales (each halves the image: 12 scales need sides of 8192 pixels).
MAX_SCALES = 12
#: At most this many residual blocks (the paper's ResNet has 8).
MAX_BLOCKS = 1000

__all__ = [
    "Architecture",
    "Hourglass",
    "NetSpec",
    "ResNet",
    "UNet",
    "UpsampleMode",
    "encoder_decoder",
    "hourglass",
    "resnet",
    "unet",
]

Architecture = Literal["hourglass", "unet", "resnet"]
UpsampleMode = Literal["nearest", "bilinear"]
_SLOPE = 0.2  # LeakyReLU negative slope of the reference implementation


def _conv(c_in: int, c_out: int, kernel_size: int, stride: int = 1) -> nn.Conv2d:
    """k×k convolution with reflection padding (k odd), so every output pixel sees real data."""
    return nn.Conv2d(
        c_in,
        c_out,
        kernel_size,
        stride=stride,
        padding=(kernel_size - 1) // 2,
        padding_mode="reflect" if kernel_size > 1 else "zeros",
    )


def _block(c_in: int, c_out: int, kernel_size: int, stride: int = 1) -> list[nn.Module]:
    return [
        _conv(c_in, c_out, kernel_size, stride),
        nn.BatchNorm2d(c_out),
        nn.LeakyReLU(_SLOPE, inplace=True),
    ]


class _Level(nn.Module):
    """One scale of the hourglass; ``inner`` is the next (coarser) level or ``None``."""

    def __init__(
        self,
        c_in: int,
        down: int,
        up: int,
        skip: int,
        inner: _Level | None,
        kernel_size_down: int,
        kernel_size_up: int,
        kernel_size_skip: int,
        upsample_mode: str,
    ) -> None:
        super().__init__()
        self.skip = nn.Sequential(*_block(c_in, skip, kernel_size_skip)) if skip else None
        self.down = nn.Sequential(
            *_block(c_in, down, kernel_size_down, 2), *_block(down, down, kernel_size_down)
        )
        self.inner = inner
        self.upsample = nn.Upsample(scale_factor=2, mode=upsample_mode)
        k = inner.out_channels if inner is not None else down
        self.merge = nn.Sequential(
            nn.BatchNorm2d(skip + k), *_block(skip + k, up, kernel_size_up), *_block(up, up, 1)
        )
        self.out_channels = up

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        y = self.down(x)
        if self.inner is not None:
            y = self.inner(y)
        y = self.upsample(y)
        if self.skip is not None:
            y = torch.cat([self.skip(x), y], dim=1)
        return self.merge(y)


class Hourglass(nn.Module):
    """The DIP hourglass (see the module docstring). Input ``(N, C_in, H, W)`` → ``(N, 3, H, W)``
    in ``[0, 1]``; ``H`` and ``W`` must be multiples of ``2**scales``."""

    def __init__(self, spec: NetSpec, out_channels: int = 3) -> None:
        super().__init__()
        inner: _Level | None = None
        for i in reversed(range(spec.scales)):
            c_in = spec.in_channels if i == 0 else spec.channels_down[i - 1]
            inner = _Level(
                c_in,
                spec.channels_down[i],
                spec.channels_up[i],
                spec.channels_skip[i],
                inner,
                spec.kernel_size_down,
                spec.kernel_size_up,
                spec.kernel_size_skip,
                spec.upsample_mode,
            )
        assert inner is not None  # scales >= 1 is checked by NetSpec
        self.body = inner
        self.head = nn.Conv2d(spec.channels_up[0], out_channels, 1)
        self.sigmoid = nn.Sigmoid()

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.sigmoid(self.head(self.body(x)))


class UNet(nn.Module):
    """A U-Net: ``[conv 3×3 → BN → LeakyReLU] ×2`` per scale, max-pool down, up-sample + concat.

    Input ``(N, C_in, H, W)`` → ``(N, 3, H, W)``; ``H``, ``W`` multiples of ``2**scales``.
    """

    def __init__(self, spec: NetSpec, out_channels: int = 3) -> None:
        super().__init__()
        k = spec.kernel_size_down
        chans = spec.channels_down
        self.enc = nn.ModuleList()
        c = spec.in_channels
        for ch in chans:
            self.enc.append(nn.Sequential(*_block(c, ch, k), *_block(ch, ch, k)))
            c = ch
        self.pool = nn.MaxPool2d(2)
        self.bottom = nn.Sequential(*_block(c, c, k), *_block(c, c, k))
        self.upsample = nn.Upsample(scale_factor=2, mode=spec.upsample_mode)
        self.dec = nn.ModuleList()
        for ch in reversed(chans):
            self.dec.append(
                nn.Sequential(
                    *_block(c + ch, ch, spec.kernel_size_up), *_block(ch, ch, spec.kernel_size_up)
                )
            )
            c = ch
        self.head = nn.Conv2d(c, out_channels, 1)
        self.sigmoid = nn.Sigmoid()

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        skips = []
        for enc in self.enc:
            x = enc(x)
            skips.append(x)
            x = self.pool(x)
        x = self.bottom(x)
        for dec, skip in zip(self.dec, reversed(skips), strict=True):
            x = dec(torch.cat([self.upsample(x), skip], dim=1))
        return self.sigmoid(self.head(x))


class _ResBlock(nn.Module):
    def __init__(self, channels: int, kernel_size: int) -> None:
        super().__init__()
        self.body = nn.Sequential(
            *_block(channels, channels, kernel_size),
            _conv(channels, channels, kernel_size),
            nn.BatchNorm2d(channels),
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x + self.body(x)


class ResNet(nn.Module):
    """A ResNet at full resolution (no down-sampling), as in the paper's comparison.

    ``conv → LeakyReLU``, ``blocks`` residual blocks of ``channels_down[0]`` channels,
    ``conv → BN``, ``conv 1×1 → sigmoid``. Any ``H``, ``W`` ≥ 2.
    """

    def __init__(self, spec: NetSpec, out_channels: int = 3) -> None:
        super().__init__()
        c, k = spec.channels_down[0], spec.kernel_size_down
        self.stem = nn.Sequential(_conv(spec.in_channels, c, k), nn.LeakyReLU(_SLOPE, inplace=True))
        self.blocks = nn.Sequential(*(_ResBlock(c, k) for _ in range(spec.blocks)))
        self.tail = nn.Sequential(_conv(c, c, k), nn.BatchNorm2d(c))
        self.head = nn.Conv2d(c, out_channels, 1)
        self.sigmoid = nn.Sigmoid()

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.sigmoid(self.head(self.tail(self.blocks(self.stem(x)))))


def _check_channels(name: str, value: tuple[int, ...], scales: int, low: int) -> None:
    if len(value) != scales:
        raise ValueError(
            f"{name} has {len(value)} entries {value} but the network has {scales} scales: "
            f"give one entry per scale (e.g. {name}=({value[0] if value else 128},)*{scales})"
        )
    for v in value:
        check_int(name, v, minimum=low, fix=f"{name} entries must be ints ≥ {low}, got {value}")


def _as_tuple(name: str, value: object) -> tuple[int, ...]:
    if isinstance(value, str | bytes) or not isinstance(value, tuple | list):
        raise TypeError(f"{name} must be a tuple of ints, one per scale, got {describe(value)}")
    if len(value) > MAX_SCALES:
        raise ValueError(
            f"{name} has {len(value)} scales, more than {MAX_SCALES}: each scale halves the "
            f"image, so the image would need sides of at least 2**{len(value)}"
        )
    return tuple(value)


def _parameters(spec: NetSpec) -> int:
    """An upper estimate of the network's parameter count, from the spec alone (no build)."""
    kd, ku, ks = spec.kernel_size_down**2, spec.kernel_size_up**2, spec.kernel_size_skip**2
    down, up, skip = spec.channels_down, spec.channels_up, spec.channels_skip
    assert up is not None and skip is not None
    if spec.architecture == "resnet":
        c = down[0]
        return spec.in_channels * c * kd + (2 * spec.blocks + 1) * c * c * kd + 3 * c
    if spec.architecture == "unet":
        total, c = 0, spec.in_channels
        for ch in down:
            total += (c + ch) * ch * kd + (c + 2 * ch) * ch * ku
            c = ch
        return total + 2 * c * c * kd
    total = 0
    for i in range(len(down)):
        c_in = spec.in_channels if i == 0 else down[i - 1]
        inner = up[i + 1] if i + 1 < len(down) else down[i]
        total += skip[i] * c_in * ks + down[i] * (c_in + down[i]) * kd
        total += (skip[i] + inner) * up[i] * ku + up[i] * up[i]
    return total


@dataclass(frozen=True)
class NetSpec:
    """What network to build. Validated once; :meth:`build` makes a fresh, randomly set net.

    Attributes:
        architecture: ``"hourglass"`` (the paper's; no skip channels = encoder-decoder),
            ``"unet"`` or ``"resnet"``.
        in_channels: Channels of the input code ``z`` (32 for noise, 2 for a meshgrid).
        channels_down: Channels per scale on the way down (finest first). Its length is
            the number of scales (hourglass, U-Net); ResNet uses ``channels_down[0]``.
        channels_up: Channels per scale on the way up (hourglass); defaults to
            ``channels_down``.
        channels_skip: Skip-connection channels per scale (hourglass; 0 = no skip);
            defaults to 4 per scale.
        kernel_size_down: Kernel size of the down path (odd).
        kernel_size_up: Kernel size of the up path (odd).
        kernel_size_skip: Kernel size of the skip convolutions (odd).
        upsample_mode: ``"bilinear"`` or ``"nearest"``.
        blocks: Residual blocks (ResNet only).
    """

    architecture: Architecture = "hourglass"
    in_channels: int = 32
    channels_down: tuple[int, ...] = (128, 128, 128, 128, 128)
    channels_up: tuple[int, ...] | None = None
    channels_skip: tuple[int, ...] | None = None
    kernel_size_down: int = 3
    kernel_size_up: int = 3
    kernel_size_skip: int = 1
    upsample_mode: UpsampleMode = "bilinear"
    blocks: int = 8

    def __post_init__(self) -> None:
        check_choice("architecture", self.architecture, get_args(Architecture))
        check_choice("upsample_mode", self.upsample_mode, get_args(UpsampleMode))
        check_int("in_channels", self.in_channels, minimum=1)
        check_int(
            "blocks",
            self.blocks,
            minimum=1,
            maximum=MAX_BLOCKS,
            fix=f"the paper's ResNet has 8 blocks; at most {MAX_BLOCKS}",
        )
        for name in ("kernel_size_down", "kernel_size_up", "kernel_size_skip"):
            v = check_int(name, getattr(self, name), minimum=1, maximum=31)
            if v % 2 == 0:
                raise ValueError(
                    f"{name} must be an odd int ≥ 1 (so padding keeps the size), "
                    f"got {v!r}: use {v + 1}"
                )
        down = _as_tuple("channels_down", self.channels_down)
        if not down:
            raise ValueError("channels_down is empty: give at least one scale, e.g. (128,)")
        object.__setattr__(self, "channels_down", down)
        up = down if self.channels_up is None else _as_tuple("channels_up", self.channels_up)
        skip = (
            (4,) * len(down)
            if self.channels_skip is None
            else _as_tuple("channels_skip", self.channels_skip)
        )
        object.__setattr__(self, "channels_up", up)
        object.__setattr__(self, "channels_skip", skip)
        _check_channels("channels_down", down, len(down), 1)
        _check_channels("channels_up", up, len(down), 1)
        _check_channels("channels_skip", skip, len(down), 0)
        # Weights, their gradients and Adam's two moments: four float32 copies.
        parameters = _parameters(self)
        widest = max(down)
        check_memory(
            parameters * 4 * 4,
            name="channels_down" if widest > 1 else "blocks",
            value=widest if widest > 1 else self.blocks,
            what=f"a {self.architecture} of ~{parameters:,} parameters (weights, gradients and "
            "Adam's moments)",
            fix="use fewer channels (128 is the paper's), blocks or scales",
        )

    @property
    def scales(self) -> int:
        """Number of down-sampling scales (0 for ResNet)."""
        return 0 if self.architecture == "resnet" else len(self.channels_down)

    @property
    def multiple(self) -> int:
        """Image height and width must be multiples of this (``2**scales``)."""
        return 2**self.scales

    @property
    def min_size(self) -> int:
        """Smallest image side the net accepts: the coarsest feature map must stay larger than
        the reflection padding, i.e. at least ``max(2, (k + 1) // 2)`` pixels."""
        k = max(self.kernel_size_down, self.kernel_size_up)
        return self.multiple * max(2, (k + 1) // 2)

    def build(self, out_channels: int = 3) -> nn.Module:
        """Build the network with fresh random weights (seed with ``torch.manual_seed``).

        Args:
            out_channels: Image channels of the output (3 for RGB, 1 for grey).

        Returns:
            An ``nn.Module`` mapping ``(N, in_channels, H, W)`` to ``(N, out_channels, H, W)``
            in ``[0, 1]``.
        """
        out_channels = check_int("out_channels", out_channels, minimum=1, maximum=4)
        cls = {"hourglass": Hourglass, "unet": UNet, "resnet": ResNet}[self.architecture]
        return cls(self, out_channels)


def hourglass(
    in_channels: int = 32,
    channels: int = 128,
    scales: int = 5,
    skip: int = 4,
    *,
    upsample_mode: UpsampleMode = "bilinear",
    kernel_size_down: int = 3,
) -> NetSpec:
    """The paper's hourglass with the same channels at every scale.

    ``hourglass()`` is the official denoising / super-resolution network (32 input channels,
    128 channels at 5 scales, 4 skip channels, bilinear): 2,217,831 parameters.

    Raises:
        TypeError, ValueError: a count of the wrong kind or value (``scales`` 1 … 12; the
            network's size within vizkit's memory budget).
    """
    scales = check_int("scales", scales, minimum=1, maximum=MAX_SCALES)
    check_int("channels", channels, minimum=1)
    check_int("skip", skip, minimum=0)
    return NetSpec(
        "hourglass",
        in_channels,
        (channels,) * scales,
        None,
        (skip,) * scales,
        kernel_size_down=kernel_size_down,
        upsample_mode=upsample_mode,
    )


def encoder_decoder(
    in_channels: int = 32,
    channels: int = 128,
    scales: int = 5,
    *,
    upsample_mode: UpsampleMode = "nearest",
) -> NetSpec:
    """The hourglass without skip connections (the paper's large-hole inpainting net)."""
    scales = check_int("scales", scales, minimum=1, maximum=MAX_SCALES)
    check_int("channels", channels, minimum=1)
    return hourglass(in_channels, channels, scales, 0, upsample_mode=upsample_mode)


def unet(
    in_channels: int = 32,
    channels: tuple[int, ...] = (16, 32, 64, 128),
    *,
    upsample_mode: UpsampleMode = "nearest",
) -> NetSpec:
    """A U-Net with the given channels per scale."""
    return NetSpec(
        "unet", in_channels, _as_tuple("channels", channels), upsample_mode=upsample_mode
    )


def resnet(in_channels: int = 32, channels: int = 32, blocks: int = 8) -> NetSpec:
    """A full-resolution ResNet (the paper's comparison: 8 blocks of 32 channels)."""
    check_int("channels", channels, minimum=1)
    return NetSpec("resnet", in_channels, (channels,), blocks=blocks)
