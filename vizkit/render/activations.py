"""Figures of what a network computes: feature maps, top patches, saliency, maximisation.

Inputs are numpy arrays or the data objects of :mod:`vizkit.inspect` (read by attribute,
never imported here); outputs are ``go.Figure``.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Literal

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from vizkit._validate import (
    check_choice,
    check_int,
    check_number,
    check_optional_int,
    describe,
)
from vizkit.render._args import check_data, check_picture, check_text
from vizkit.render.filters import image_trace
from vizkit.render.theme import current_theme

if TYPE_CHECKING:
    from vizkit.inspect.maximize import Maximization
    from vizkit.inspect.patches import TopPatches
    from vizkit.inspect.saliency import Attribution

__all__ = [
    "attribution_figure",
    "feature_maps_figure",
    "map_mosaic",
    "maximization_figure",
    "top_patches_figure",
]

_MAP_CAPTIONS = {
    "per_map": "each map scaled to its own min→max (compare patterns, not strengths)",
    "per_layer": "one scale for all maps of the layer (compare strengths)",
}


def map_mosaic(
    maps: np.ndarray,
    *,
    normalize: Literal["per_map", "per_layer"] = "per_map",
    ncols: int | None = None,
) -> np.ndarray:
    """Tile ``(C, H, W)`` maps into one 2-D array, NaN between tiles (drawn transparent).

    Args:
        maps: ``(C, H, W)`` array (a tensor is converted with ``np.asarray``).
        normalize: ``"per_map"`` (each to [0, 1]) or ``"per_layer"`` (one min/max).
        ncols: Tiles per row; default ``ceil(sqrt(C))``.

    Returns:
        ``(rows·(H+1)-1, ncols·(W+1)-1)`` float array with values in [0, 1] and NaN gaps.

    Raises:
        ValueError: ``maps`` is not 3-D, or ``normalize`` is unknown.
    """
    maps = check_picture("maps", maps, ndim=(3,), layout="(C, H, W)")
    check_choice("normalize", normalize, ("per_map", "per_layer"))
    c, h, w = maps.shape
    ncols = check_optional_int("ncols", ncols, minimum=1, maximum=max(c, 1))
    if normalize == "per_map":
        low = maps.min(axis=(1, 2), keepdims=True)
        high = maps.max(axis=(1, 2), keepdims=True)
    elif normalize == "per_layer":
        low, high = maps.min(), maps.max()
    else:
        raise ValueError(f"normalize {normalize!r} must be 'per_map' or 'per_layer'")
    scaled = (maps - low) / np.maximum(high - low, 1e-12)
    c, h, w = maps.shape
    ncols = ncols or math.ceil(math.sqrt(c))
    rows = math.ceil(c / ncols)
    mosaic = np.full((rows * (h + 1) - 1, ncols * (w + 1) - 1), np.nan)
    for i in range(c):
        r, col = divmod(i, ncols)
        mosaic[r * (h + 1) : r * (h + 1) + h, col * (w + 1) : col * (w + 1) + w] = scaled[i]
    return mosaic


def feature_maps_figure(
    maps: np.ndarray,
    *,
    title: str = "Feature maps",
    normalize: Literal["per_map", "per_layer"] = "per_map",
    max_maps: int = 64,
    colorscale: str = "Viridis",
) -> go.Figure:
    """A layer's feature maps for one image as a grid of heat maps.

    Args:
        maps: ``(C, H, W)`` array, e.g. from :func:`vizkit.inspect.activations.feature_maps`.
        title: Figure title.
        normalize: See :func:`map_mosaic`; stated under the figure.
        max_maps: Show the first this many channels.
        colorscale: Plotly colour scale.

    Returns:
        ``go.Figure`` with one ``go.Heatmap`` (``customdata`` holds each cell's channel).
    """
    max_maps = check_int("max_maps", max_maps, minimum=1)
    check_text("title", title)
    maps = check_picture("maps", maps, ndim=(3,), layout="(C, H, W)")[:max_maps]
    mosaic = map_mosaic(maps, normalize=normalize)
    c, h, w = maps.shape
    ncols = math.ceil(math.sqrt(c))
    rr, cc = np.indices(mosaic.shape)
    channel = (rr // (h + 1)) * ncols + cc // (w + 1)
    channel = np.where(np.isnan(mosaic), -1, channel)
    fig = go.Figure(
        go.Heatmap(
            z=mosaic,
            colorscale=colorscale,
            zmin=0,
            zmax=1,
            showscale=False,
            customdata=channel,
            hovertemplate="channel %{customdata}<br>value %{z:.2f}<extra></extra>",
        )
    )
    side = 620
    fig.update_layout(
        title={
            "text": f"{title} — {c} of {c} channels, {h}×{w}"
            if c < max_maps
            else f"{title} — first {c} channels, {h}×{w}",
            "x": 0.01,
            "xanchor": "left",
        },
        width=side + 40,
        height=int(side * mosaic.shape[0] / mosaic.shape[1]) + 130,
        xaxis={"visible": False},
        yaxis={"visible": False, "autorange": "reversed", "scaleanchor": "x"},
        plot_bgcolor="white",
        margin={"l": 20, "r": 20, "t": 50, "b": 60},
        annotations=[
            {
                "text": f"<i>{_MAP_CAPTIONS[normalize]}</i>",
                "xref": "paper",
                "yref": "paper",
                "x": 0,
                "y": -0.02,
                "xanchor": "left",
                "yanchor": "top",
                "showarrow": False,
                "font": current_theme().font(11),
            }
        ],
    )
    return fig


def top_patches_figure(top: TopPatches, *, title: str | None = None) -> go.Figure:
    """The top-k patches of one channel in a row, each titled with its score and image.

    Args:
        top: A :class:`~vizkit.inspect.patches.TopPatches`.
        title: Figure title (default names layer, channel and field size).

    Returns:
        ``go.Figure`` with one ``go.Image`` subplot per patch.
    """
    check_data(
        "top",
        top,
        ("patches", "scores", "image_index", "field_size", "layer", "channel"),
        "a TopPatches from vizkit.inspect.top_patches",
    )
    check_text("title", title)
    k = len(top.patches)
    names = [f"#{int(i)}: {s:.2f}" for i, s in zip(top.image_index, top.scores, strict=True)]
    fig = make_subplots(rows=1, cols=k, subplot_titles=names, horizontal_spacing=0.01)
    for j in range(k):
        fig.add_trace(image_trace(top.patches[j]), 1, j + 1)
    fig.update_xaxes(visible=False)
    fig.update_yaxes(visible=False)
    fh, fw = top.field_size
    fig.update_layout(
        title={
            "text": title
            or f"Top {k} patches for {top.layer} channel {top.channel} "
            f"(receptive field {fh}×{fw} px)",
            "x": 0.01,
            "xanchor": "left",
        },
        width=max(120 * k, 500),
        height=250,
        margin={"l": 10, "r": 10, "t": 80, "b": 10},
    )
    fig.update_annotations(font=current_theme().font(10))
    return fig


def attribution_figure(
    image: np.ndarray,
    *attributions: Attribution,
    classes: list[str] | None = None,
    opacity: float = 0.55,
) -> go.Figure:
    """The image, then each attribution's heat map laid over it.

    Args:
        image: ``(H, W, 3)`` display image in [0, 1] (same size as the heat maps).
        attributions: :class:`~vizkit.inspect.saliency.Attribution` objects.
        classes: Class names for the titles.
        opacity: Heat-map opacity over the image.

    Returns:
        ``go.Figure``, one column for the image and one per attribution.

    Raises:
        ValueError: No attributions, or a heat map of another size than the image.
    """
    if not attributions:
        raise ValueError("pass at least one Attribution (saliency_map or grad_cam)")
    image = check_picture("image", image, ndim=(2, 3))
    for a in attributions:
        check_data(
            "attributions",
            a,
            ("heatmap", "target", "method", "layer", "probability"),
            "Attribution objects from vizkit.inspect.saliency_map or grad_cam",
        )
    if classes is not None and (isinstance(classes, str) or not isinstance(classes, list | tuple)):
        raise TypeError(f"classes must be a list of class names or None, got {describe(classes)}")
    opacity = check_number("opacity", opacity, minimum=0.0, maximum=1.0)
    titles = ["image"]
    for a in attributions:
        if a.heatmap.shape != image.shape[:2]:
            raise ValueError(f"heat map {a.heatmap.shape} and image {image.shape[:2]} differ")
        if classes and not 0 <= a.target < len(classes):
            raise ValueError(
                f"classes has {len(classes)} names but an attribution explains class {a.target}"
            )
        name = classes[a.target] if classes else str(a.target)
        where = f" @ {a.layer}" if a.layer else ""
        titles.append(f"{a.method}{where}: class {name} (p={a.probability:.2f})")
    fig = make_subplots(rows=1, cols=len(titles), subplot_titles=titles, horizontal_spacing=0.02)
    fig.add_trace(image_trace(image), 1, 1)
    for j, a in enumerate(attributions, start=2):
        fig.add_trace(image_trace(image), 1, j)
        heat = a.heatmap / max(float(a.heatmap.max()), 1e-12)
        fig.add_trace(
            go.Heatmap(
                z=heat,
                colorscale="Inferno",
                opacity=opacity,
                zmin=0,
                zmax=1,
                showscale=False,
                name=a.method,
            ),
            1,
            j,
        )
    fig.update_xaxes(visible=False)
    fig.update_yaxes(visible=False, autorange="reversed")
    fig.update_layout(
        width=300 * len(titles) + 40, height=360, margin={"l": 10, "r": 10, "t": 60, "b": 10}
    )
    fig.update_annotations(font=current_theme().font(11))
    return fig


def maximization_figure(result: Maximization) -> go.Figure:
    """The maximising image beside its objective curve; a failure's diagnostic in the title.

    Args:
        result: A :class:`~vizkit.inspect.maximize.Maximization`.

    Returns:
        ``go.Figure`` with an image and a line plot.
    """
    check_data(
        "result",
        result,
        ("image", "objective", "layer", "channel", "diagnostic"),
        "a Maximization from vizkit.inspect.maximize_activation",
    )
    fig = make_subplots(
        rows=1,
        cols=2,
        column_widths=[0.45, 0.55],
        subplot_titles=("image", "mean activation per step"),
    )
    fig.add_trace(image_trace(result.image), 1, 1)
    fig.add_trace(go.Scatter(y=result.objective, mode="lines", name="objective"), 1, 2)
    fig.update_xaxes(visible=False, row=1, col=1)
    fig.update_yaxes(visible=False, row=1, col=1)
    fig.update_xaxes(title_text="step", row=1, col=2)
    head = f"Activation maximisation: {result.layer} channel {result.channel}"
    if result.diagnostic:
        head += f"<br><span style='color:#b00020'>⚠ {result.diagnostic}</span>"
    fig.update_layout(
        title={"text": head, "x": 0.01, "xanchor": "left", "font": current_theme().font(13)},
        width=820,
        height=400,
        showlegend=False,
        margin={"t": 90},
    )
    return fig
