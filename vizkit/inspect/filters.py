"""Conv filters as pictures: one grid of kernels, built on ``torchvision.utils.make_grid``.

How a kernel's numbers become grey levels is a choice that changes what you see, so it is
explicit (``normalize``) and every :class:`FilterGrid` carries a one-line ``caption`` that
states it, for the figure to print:

- ``"per_filter"``: each filter stretched to its own min → max. Shapes are easy to see;
  strengths cannot be compared (a near-dead filter looks as bold as a strong one).
- ``"per_layer"``: one min → max for the whole layer. Strengths compare; weak filters fade.
- ``"symmetric"``: zero is mid-grey, ±max|w| of the layer is white/black (per colour channel
  for RGB). Signs and strengths compare.

First-layer filters of an RGB network are shown in colour (``mode="rgb"``); deeper layers
have many input channels, shown either one tile per input channel (``"per_channel"``, a row
per filter) or as the channel-summed map (``"channel_sum"``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal, get_args

import numpy as np
import torch
from torch import nn

from vizkit._validate import (
    check_choice,
    check_int,
    check_memory,
    check_optional_int,
    check_sequence,
    check_shape,
    check_str,
    describe,
)
from vizkit.inspect._args import check_model

__all__ = [
    "FilterGrid",
    "FilterMode",
    "Normalization",
    "conv_weight",
    "filter_evolution",
    "filter_grid",
]

Normalization = Literal["per_filter", "per_layer", "symmetric"]
FilterMode = Literal["auto", "rgb", "per_channel", "channel_sum"]

_CAPTIONS = {
    "per_filter": "per filter: each filter stretched to its own min→max (compare shapes, "
    "not strengths)",
    "per_layer": "per layer: one min→max for all filters (compare strengths)",
    "symmetric": "symmetric: 0 = mid-grey, ±max|w| of the layer = white/black (compare signs "
    "and strengths)",
}
_MODE_TEXT = {
    "rgb": "RGB filters in colour",
    "grey": "single-channel filters",
    "per_channel": "one tile per input channel (a row per filter)",
    "channel_sum": "summed over input channels",
}
MAX_TILES = 4096


@dataclass(frozen=True)
class FilterGrid:
    """A grid of filter tiles as one RGB image.

    Attributes:
        image: ``(H, W, 3)`` float32 in ``[0, 1]``; tiles separated by white ``padding``.
        n_filters: Filters (output channels) shown.
        tiles_per_filter: 1, or ``in_channels`` for ``mode="per_channel"``.
        kernel_size: ``(kH, kW)``.
        nrow: Tiles per grid row (``make_grid``'s ``nrow``).
        padding: Pixels between tiles.
        normalize: The normalisation used.
        mode: The display mode used (``"rgb"``, ``"grey"``, ``"per_channel"``, ``"channel_sum"``).
        value_range: ``(low, high)`` weight values mapped to black/white for ``per_layer``
            and ``symmetric``; ``None`` for ``per_filter``.
        caption: One line stating the normalisation and mode, for the figure.
        title: What is shown, e.g. ``"conv1: 8 filters 5×5"``.
    """

    image: np.ndarray
    n_filters: int
    tiles_per_filter: int
    kernel_size: tuple[int, int]
    nrow: int
    padding: int
    normalize: str
    mode: str
    value_range: tuple[float, float] | None
    caption: str
    title: str

    def tile_origin(self, index: int) -> tuple[int, int]:
        """Top-left pixel ``(row, col)`` of tile ``index`` (row-major, as ``make_grid`` does)."""
        kh, kw = self.kernel_size
        r, c = divmod(index, self.nrow)
        return (self.padding + r * (kh + self.padding), self.padding + c * (kw + self.padding))

    def tile(self, index: int) -> np.ndarray:
        """The ``(kH, kW, 3)`` pixels of tile ``index``."""
        r, c = self.tile_origin(index)
        kh, kw = self.kernel_size
        return self.image[r : r + kh, c : c + kw]


def conv_weight(model: nn.Module, layer: str) -> torch.Tensor:
    """The ``(out, in, kH, kW)`` weight of the conv layer named ``layer`` (a detached copy).

    Raises:
        TypeError: ``model`` is not a module or ``layer`` not a str.
        ValueError: ``layer`` is not a module of ``model`` or has no 4-D weight; the message
            lists the conv layers.
    """
    check_model(model)
    check_str("layer", layer)
    modules = dict(model.named_modules())
    convs = [
        n
        for n, m in modules.items()
        if isinstance(getattr(m, "weight", None), torch.Tensor) and m.weight.dim() == 4
    ]
    module = modules.get(layer)
    weight = getattr(module, "weight", None)
    if not isinstance(weight, torch.Tensor) or weight.dim() != 4:
        what = "no layer" if module is None else f"{type(module).__name__} has no 4-D weight:"
        raise ValueError(f"layer: {what} {layer!r}; the conv layers are {convs}")
    return weight.detach().to("cpu", torch.float32, copy=True)


def _resolve_mode(mode: str, in_channels: int) -> str:
    check_choice("mode", mode, get_args(FilterMode))
    if mode == "auto":
        return "rgb" if in_channels == 3 else "grey" if in_channels == 1 else "channel_sum"
    if mode == "rgb" and in_channels != 3:
        raise ValueError(
            f"mode='rgb' needs 3 input channels, the filters have {in_channels}: use "
            "'per_channel' or 'channel_sum'"
        )
    if in_channels == 1 and mode in ("per_channel", "channel_sum"):
        return "grey"
    return mode


def _tiles(weights: torch.Tensor, mode: str) -> torch.Tensor:
    """Weights ``(..., out, in, kH, kW)`` → tiles ``(..., B, C, kH, kW)`` with C in {1, 3}."""
    if mode == "rgb":
        return weights
    if mode == "channel_sum":
        return weights.sum(dim=-3, keepdim=True)
    if mode == "grey":
        return weights
    shape = weights.shape  # per_channel: every (filter, input channel) pair is a tile
    return weights.reshape(*shape[:-4], shape[-4] * shape[-3], 1, *shape[-2:])


def _normalise(
    tiles: torch.Tensor, normalize: str, scope: torch.Tensor
) -> tuple[torch.Tensor, tuple[float, float] | None]:
    """Map tiles ``(B, C, kH, kW)`` to [0, 1]; ``scope`` holds every value sharing one scale."""
    if normalize == "per_filter":
        low = tiles.amin(dim=(1, 2, 3), keepdim=True)
        high = tiles.amax(dim=(1, 2, 3), keepdim=True)
        return (tiles - low) / (high - low).clamp_min(1e-12), None
    if normalize == "per_layer":
        low, high = float(scope.min()), float(scope.max())
        return (tiles - low) / max(high - low, 1e-12), (low, high)
    bound = max(float(scope.abs().max()), 1e-12)
    return tiles / (2 * bound) + 0.5, (-bound, bound)


def _check(weights: object, normalize: object, name: str = "source") -> None:
    if not isinstance(weights, torch.Tensor):
        raise TypeError(
            f"{name} must be a (out, in, kH, kW) weight tensor or a model, got "
            f"{describe(weights)}: e.g. model.features[0].weight, or pass the model and layer="
        )
    check_shape(name, weights, ndim=4, layout="(out, in, kH, kW)")
    if weights.is_complex() or weights.dtype == torch.bool:
        raise TypeError(f"{name} must hold real numbers, got dtype {weights.dtype}")
    check_choice("normalize", normalize, get_args(Normalization))


def _grid(tiles: torch.Tensor, nrow: int, padding: int) -> np.ndarray:
    from torchvision.utils import make_grid

    if tiles.shape[1] == 1:
        tiles = tiles.expand(-1, 3, -1, -1)
    grid = make_grid(tiles.clamp(0, 1), nrow=nrow, padding=padding, pad_value=1.0)
    return np.ascontiguousarray(grid.permute(1, 2, 0).numpy(), dtype=np.float32)


@torch.no_grad()
def filter_grid(
    source: torch.Tensor | nn.Module,
    layer: str | None = None,
    *,
    normalize: Normalization = "per_filter",
    mode: FilterMode = "auto",
    max_filters: int | None = None,
    nrow: int | None = None,
    padding: int = 1,
    _scope: torch.Tensor | None = None,
) -> FilterGrid:
    """Lay out a conv layer's kernels as one image.

    Args:
        source: A weight tensor ``(out, in, kH, kW)``, or a model (then name ``layer``).
        layer: Dotted name of a conv layer of ``source`` when it is a model.
        normalize: ``"per_filter"``, ``"per_layer"`` or ``"symmetric"`` (see module docs).
        mode: ``"auto"`` (RGB for 3 inputs, grey for 1, channel sum otherwise), ``"rgb"``,
            ``"per_channel"`` or ``"channel_sum"``.
        max_filters: Show only the first this many filters.
        nrow: Tiles per row; default ``ceil(sqrt(filters))``, or ``in`` for ``per_channel``.
        padding: White pixels between tiles.

    Returns:
        A :class:`FilterGrid` (the weights are not modified).

    Raises:
        ValueError: Wrong weight shape, NaN/inf weights, unknown ``normalize``/``mode``,
            ``rgb`` without 3 inputs, ``max_filters``/``nrow`` < 1, ``padding`` outside
            0…64, or more than 4096 tiles (pick ``channel_sum`` or lower ``max_filters``).
        TypeError: ``source`` is a model but ``layer`` is missing, or an argument of the
            wrong kind.
    """
    title_name = "filters"
    if isinstance(source, nn.Module):
        if layer is None:
            raise TypeError("pass layer='...' (a conv layer's name) when source is a model")
        weights, title_name = conv_weight(source, layer), layer
    else:
        if layer is not None:
            raise TypeError(
                f"layer={layer!r} is only for a model source; source is a weight tensor already"
            )
        _check(source, normalize)
        assert isinstance(source, torch.Tensor)
        weights = source.detach().to("cpu", torch.float32)
    _check(weights, normalize)
    max_filters = check_optional_int("max_filters", max_filters, minimum=1)
    nrow = check_optional_int("nrow", nrow, minimum=1)
    padding = check_int("padding", padding, minimum=0, maximum=64, fix="use 0 to 64 pixels")
    if max_filters is not None:
        weights = weights[:max_filters]
    out_c, in_c, kh, kw = weights.shape
    resolved = _resolve_mode(mode, in_c)
    tiles = _tiles(weights, resolved)
    if len(tiles) > MAX_TILES:
        raise ValueError(
            f"{len(tiles)} tiles ({out_c} filters × {in_c} channels) is too many to draw: use "
            "mode='channel_sum', or max_filters= to show fewer"
        )
    scope = _tiles(_scope, resolved) if _scope is not None else tiles
    shown, value_range = _normalise(tiles, normalize, scope)
    per_row = nrow or (in_c if resolved == "per_channel" else int(np.ceil(np.sqrt(out_c))))
    columns = min(per_row, len(tiles))
    rows = -(-len(tiles) // columns)
    check_memory(
        (rows * (kh + padding) + padding) * (columns * (kw + padding) + padding) * 3 * 4 * 2,
        name="source",
        value=f"<{out_c} filters {kh}×{kw}>",
        what=f"a grid of {len(tiles)} tiles of {kh}×{kw} pixels",
        fix="show fewer filters with max_filters=, or a smaller padding",
    )
    caption = f"{_CAPTIONS[normalize]}; {_MODE_TEXT[resolved]}"
    if _scope is not None and normalize != "per_filter":
        caption += "; one scale for all snapshots"
    return FilterGrid(
        image=_grid(shown, per_row, padding),
        n_filters=out_c,
        tiles_per_filter=in_c if resolved == "per_channel" else 1,
        kernel_size=(kh, kw),
        nrow=per_row,
        padding=padding,
        normalize=normalize,
        mode=resolved,
        value_range=value_range,
        caption=caption,
        title=f"{title_name}: {out_c} filters {kh}×{kw}" + (f"×{in_c}" if in_c > 1 else ""),
    )


@torch.no_grad()
def filter_evolution(
    snapshots: torch.Tensor | Sequence[torch.Tensor],
    *,
    normalize: Normalization = "symmetric",
    mode: FilterMode = "auto",
    max_filters: int | None = None,
    layer: str = "filters",
) -> list[FilterGrid]:
    """One :class:`FilterGrid` per training snapshot, on a common scale.

    With ``"per_layer"``/``"symmetric"`` the scale is shared by all snapshots, so filters are
    seen growing from small random values into structure.

    Args:
        snapshots: ``(T, out, in, kH, kW)`` tensor or a list of ``(out, in, kH, kW)`` tensors
            (e.g. ``FilterSnapshots.weights["conv1"]``).
        normalize: As :func:`filter_grid`; default ``"symmetric"``.
        mode: As :func:`filter_grid`.
        max_filters: Show only the first this many filters.
        layer: Name used in the titles.

    Returns:
        A list of ``T`` grids.

    Raises:
        TypeError: ``snapshots`` is not a tensor or a list of tensors.
        ValueError: No snapshots, shapes that differ, NaN/inf weights, or a bad option.
    """
    if isinstance(snapshots, torch.Tensor):
        stack = snapshots
    else:
        items = check_sequence("snapshots", snapshots, what="(out, in, kH, kW) weight tensors")
        if not items:
            raise ValueError("snapshots is empty: pass at least one (out, in, kH, kW) tensor")
        for item in items:
            if not isinstance(item, torch.Tensor):
                raise TypeError(
                    f"snapshots must hold (out, in, kH, kW) tensors, got {describe(item)} among "
                    "them"
                )
        shapes = {tuple(t.shape) for t in items}
        if len(shapes) > 1:
            raise ValueError(
                f"snapshots have different shapes {sorted(shapes)}: pass the same layer's "
                "weights at each step"
            )
        stack = torch.stack(list(items))
    check_shape("snapshots", stack, ndim=5, layout="(T, out, in, kH, kW)")
    if stack.is_complex() or stack.dtype == torch.bool:
        raise TypeError(f"snapshots must hold real numbers, got dtype {stack.dtype}")
    check_str("layer", layer)
    max_filters = check_optional_int("max_filters", max_filters, minimum=1)
    check_choice("normalize", normalize, get_args(Normalization))
    check_choice("mode", mode, get_args(FilterMode))
    stack = stack.detach().to("cpu", torch.float32)
    if max_filters is not None:
        stack = stack[:, :max_filters]
    grids = []
    for weights in stack:
        grid = filter_grid(weights, normalize=normalize, mode=mode, _scope=stack.flatten(0, 1))
        grids.append(
            FilterGrid(**{**grid.__dict__, "title": grid.title.replace("filters", layer, 1)})
        )
    return grids
