"""Deep Image Prior figures: image rows, the PSNR curve, and a snapshot scrubber.

Data in, ``go.Figure`` out. Nothing here imports torch: images are ``(H, W, 3)`` or
``(H, W)`` numpy arrays in ``[0, 1]``; a history is any sequence of records with ``step``,
``loss``, ``psnr`` and ``psnr_raw`` attributes (e.g. :class:`vizkit.dip.StepRecord`);
snapshots have ``step``, ``image`` and ``psnr``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from vizkit._validate import check_int, check_number, check_optional_int, describe
from vizkit.render._args import (
    check_data,
    check_figure,
    check_index,
    check_mapping,
    check_picture,
    check_text,
)
from vizkit.render.theme import current_theme

__all__ = [
    "dip_images_figure",
    "dip_results_figure",
    "psnr_curve_figure",
    "snapshots_figure",
    "to_uint8",
    "update_image",
    "update_psnr_curve",
]


def to_uint8(image: Any) -> np.ndarray:
    """``(H, W)``, ``(H, W, 1)`` or ``(H, W, 3)`` floats in ``[0, 1]`` → ``(H, W, 3)`` uint8.

    Raises:
        TypeError: not an array of real numbers.
        ValueError: Another shape, an empty image, or NaN/inf values.
    """
    a = check_picture("image", image, ndim=(2, 3), layout="(H, W) or (H, W, 3)")
    if a.ndim == 3 and a.shape[2] == 1:
        a = a[:, :, 0]
    if a.ndim == 2:
        a = np.repeat(a[:, :, None], 3, axis=2)
    if a.ndim != 3 or a.shape[2] != 3:
        raise ValueError(
            f"image of shape {a.shape} is not (H, W) or (H, W, 3): pass an image with channels last"
        )
    return (np.clip(a, 0.0, 1.0) * 255.0 + 0.5).astype(np.uint8)


def _uint8(name: str, image: Any) -> np.ndarray:
    try:
        return to_uint8(image)
    except (TypeError, ValueError) as err:  # to_uint8 calls it `image`
        raise type(err)(f"{name}: {err}") from None


def dip_images_figure(
    images: Mapping[str, Any],
    *,
    columns: int | None = None,
    size: int = 260,
    title: str | None = None,
) -> go.Figure:
    """Images side by side (input, result, reference...), titled by their keys.

    Args:
        images: Title → image. Titles can carry numbers, e.g. ``"DIP (28.1 dB)"``.
        columns: Panels per row (default: all in one row).
        size: Panel width in pixels.
        title: Figure title.

    Returns:
        ``go.Figure`` with one ``go.Image`` trace per image, in order.
    """
    check_mapping("images", images, "image")
    names = [str(n) for n in images]
    columns = check_optional_int("columns", columns, minimum=1)
    size = check_int("size", size, minimum=16, maximum=4096, fix="use e.g. size=260 pixels")
    check_text("title", title)
    pictures = [_uint8(f"images[{name!r}]", images[name]) for name in images]
    cols = min(columns or len(names), len(names))
    rows = -(-len(names) // cols)
    fig = make_subplots(
        rows=rows, cols=cols, subplot_titles=names, horizontal_spacing=0.01, vertical_spacing=0.06
    )
    for i, name in enumerate(names):
        fig.add_trace(
            go.Image(z=pictures[i], name=name, hoverinfo="skip"),
            row=i // cols + 1,
            col=i % cols + 1,
        )
    fig.update_xaxes(visible=False)
    fig.update_yaxes(visible=False)
    fig.update_layout(
        width=size * cols + 40,
        height=int(size * rows * 1.05) + 70,
        margin={"l": 10, "r": 10, "t": 70 if title else 40, "b": 10},
        title=title,
    )
    return fig


def dip_results_figure(
    results: Mapping[str, Any],
    *,
    before: Mapping[str, Any] | None = None,
    columns: int | None = None,
    size: int = 260,
    title: str | None = None,
) -> go.Figure:
    """Fits side by side: each one's best image, titled with its label and PSNR when known.

    Args:
        results: Label → fit result (anything with ``best_image`` and ``best_psnr``, e.g.
            :class:`vizkit.dip.FitResult`; ``best_psnr`` is ``None`` without a clean image).
        before: Title → image panels shown first (the corrupted input, the mask …).
        columns: Panels per row (default: all in one row).
        size: Panel width in pixels.
        title: Figure title.

    Returns:
        ``go.Figure`` as :func:`dip_images_figure` draws it, ``before`` first, then one panel
        per result titled ``"label (28.1 dB)"`` (or just ``"label"``).

    Raises:
        ValueError: No panels at all.
    """
    if not isinstance(results, Mapping):
        raise TypeError(f"results must be a dict of label → fit result, got {describe(results)}")
    if before is not None and not isinstance(before, Mapping):
        raise TypeError(f"before must be a dict of title → image or None, got {describe(before)}")
    if not results and not before:
        raise ValueError("results is empty (and no before panels): pass label → fit result")
    panels = dict(before or {})
    for label, result in results.items():
        check_data("results", result, ("best_image",), "fit results (vizkit.dip.FitResult)")
        best = getattr(result, "best_psnr", None)
        panels[label if best is None else f"{label} ({best:.1f} dB)"] = result.best_image
    return dip_images_figure(panels, columns=columns, size=size, title=title)


def update_image(fig: go.Figure, index: int, image: Any, title: str | None = None) -> None:
    """Replace panel ``index``'s image (and title) in place, e.g. on a ``go.FigureWidget``.

    Raises:
        TypeError, ValueError: ``fig`` not a figure, ``index`` not one of its panels, a bad
            ``image`` or a ``title`` that is not a str.
    """
    check_figure("fig", fig, 1, "dip_results_figure")
    index = check_index("index", index, len(fig.data), "panels")
    title = check_text("title", title)
    z = to_uint8(image)
    with fig.batch_update():
        fig.data[index].z = z
        if title is not None:
            fig.layout.annotations[index].text = title


def _check_history(history: object) -> None:
    if isinstance(history, str | bytes) or not isinstance(history, Sequence):
        raise TypeError(f"history must be a list of step records, got {describe(history)}")
    for record in history:
        check_data("history", record, ("step",), "step records with .step and .psnr")


def _xy(history: Sequence[Any], attr: str) -> tuple[list[int], list[float]]:
    pairs = [(r.step, getattr(r, attr)) for r in history if getattr(r, attr, None) is not None]
    return [s for s, _ in pairs], [v for _, v in pairs]


def psnr_curve_figure(
    history: Sequence[Any] = (),
    *,
    reference_psnr: float | None = None,
    title: str = "PSNR against the clean image",
) -> go.Figure:
    """PSNR against steps: the raw output's curve rises, peaks and falls as the net starts
    fitting the noise; the averaged output's curve stays near the peak.

    Args:
        history: Records with ``step``, ``psnr`` and ``psnr_raw`` (empty: fill it later with
            :func:`update_psnr_curve`).
        reference_psnr: A horizontal line, e.g. the corrupted input's PSNR.
        title: Figure title.

    Returns:
        ``go.Figure`` with traces, in order: ``output`` (raw), ``reported`` (averaged, or the
        same as raw), ``best`` (one marker).
    """
    _check_history(history)
    if reference_psnr is not None:
        reference_psnr = check_number("reference_psnr", reference_psnr)
    check_text("title", title)
    fig = go.Figure()
    fig.add_trace(
        go.Scatter(name="output", mode="lines", line={"width": current_theme().line_width(1)})
    )
    fig.add_trace(
        go.Scatter(
            name="averaged output", mode="lines", line={"width": current_theme().line_width(2)}
        )
    )
    fig.add_trace(go.Scatter(name="best", mode="markers", marker={"size": 10, "symbol": "star"}))
    if reference_psnr is not None:
        fig.add_hline(
            y=reference_psnr, line_dash="dot", annotation_text=f"input {reference_psnr:.2f} dB"
        )
    fig.update_layout(
        title=title,
        xaxis_title="step",
        yaxis_title="PSNR (dB)",
        height=330,
        width=760,
        margin={"t": 50, "b": 40},
    )
    update_psnr_curve(fig, history)
    return fig


def update_psnr_curve(fig: go.Figure, history: Sequence[Any]) -> None:
    """Redraw the curves of :func:`psnr_curve_figure` in place from ``history``."""
    check_figure("fig", fig, 3, "psnr_curve_figure")
    _check_history(history)
    xs, raw = _xy(history, "psnr_raw")
    xa, avg = _xy(history, "psnr")
    with fig.batch_update():
        fig.data[0].x, fig.data[0].y = xs, raw
        same = raw == avg
        fig.data[1].x, fig.data[1].y = ([], []) if same else (xa, avg)
        fig.data[1].visible = not same
        if avg:
            best = int(np.argmax(avg))
            fig.data[2].x, fig.data[2].y = [xa[best]], [avg[best]]
            fig.data[2].name = f"best {avg[best]:.2f} dB @ {xa[best]}"
        else:
            fig.data[2].x, fig.data[2].y = [], []


def snapshots_figure(snapshots: Sequence[Any], *, title: str = "snapshots") -> go.Figure:
    """One image with a slider (and play button) over the snapshots of a fit.

    Args:
        snapshots: Records with ``step``, ``image`` and ``psnr`` (``None`` allowed).
        title: Figure title.

    Returns:
        ``go.Figure`` with one frame per snapshot, named by its step.
    """
    if isinstance(snapshots, str | bytes) or not isinstance(snapshots, Sequence):
        raise TypeError(f"snapshots must be a list of Snapshot records, got {describe(snapshots)}")
    if not snapshots:
        raise ValueError("snapshots is empty: run a fit with snapshot_every set")
    for s in snapshots:
        check_data("snapshots", s, ("step", "image", "psnr"), "Snapshot records of a fit")
    check_text("title", title)

    def label(s: Any) -> str:
        return f"step {s.step}" + (f" · {s.psnr:.2f} dB" if s.psnr is not None else "")

    frames = [
        go.Frame(
            data=[go.Image(z=to_uint8(s.image))],
            name=str(s.step),
            layout={"title": f"{title}: {label(s)}"},
        )
        for s in snapshots
    ]
    fig = go.Figure(
        data=[go.Image(z=to_uint8(snapshots[0].image), hoverinfo="skip")], frames=frames
    )
    steps = [
        {
            "label": str(s.step),
            "method": "animate",
            "args": [
                [str(s.step)],
                {"mode": "immediate", "frame": {"duration": 0}, "transition": {"duration": 0}},
            ],
        }
        for s in snapshots
    ]
    fig.update_layout(
        title=f"{title}: {label(snapshots[0])}",
        width=420,
        height=500,
        xaxis={"visible": False},
        yaxis={"visible": False},
        sliders=[{"steps": steps, "currentvalue": {"prefix": "step "}, "pad": {"t": 30}}],
        updatemenus=[
            {
                "type": "buttons",
                "showactive": False,
                "x": 0,
                "y": -0.05,
                "buttons": [
                    {
                        "label": "▶",
                        "method": "animate",
                        "args": [None, {"frame": {"duration": 300}}],
                    }
                ],
            }
        ],
        margin={"l": 10, "r": 10, "t": 50, "b": 10},
    )
    return fig
