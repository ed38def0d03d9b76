"""Export animations for slides: GIF, MP4 (where ffmpeg exists) and standalone HTML.

GIF and MP4 frames are drawn by :func:`vizkit.render.raster.figure_frames` with Pillow, straight
from the figure's traces and frames (no browser, no kaleido): a 30-frame GIF takes about a
second. HTML keeps the full interactive figure (play/pause, slider, hover) with plotly.js
inlined, so the file opens offline and contains no external script URL.

Example:
    >>> import numpy as np, tempfile, pathlib
    >>> from vizkit.sliding import conv2d_trace
    >>> from vizkit.render.conv import conv_animation
    >>> fig = conv_animation(conv2d_trace(np.ones((1, 4, 4)), np.ones((1, 1, 3, 3))))
    >>> out = pathlib.Path(tempfile.mkdtemp()) / "conv.gif"
    >>> save(fig, out).suffix
    '.gif'
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Sequence
from pathlib import Path

import plotly.graph_objects as go

from vizkit._validate import check_bool, describe

__all__ = ["ffmpeg_available", "save", "write_gif", "write_html", "write_mp4"]

SUFFIXES = (".gif", ".mp4", ".html")


def _check_fps(fps: float) -> float:
    if isinstance(fps, bool) or not isinstance(fps, (int, float)):
        raise TypeError(f"fps must be a number, got {fps!r} ({type(fps).__name__})")
    if not 0 < fps <= 50:  # NaN fails this too
        raise ValueError(
            f"fps {fps} is outside (0, 50]: GIF viewers cap near 50 frames per "
            "second; use e.g. fps=2 for a lecture"
        )
    return float(fps)


def _check_figure(fig: object) -> None:
    if not isinstance(fig, go.Figure):
        raise TypeError(
            f"fig must be a plotly go.Figure (e.g. from vizkit.render.conv.conv_animation), got "
            f"{describe(fig)}"
        )


def _target(path: str | Path, suffix: str) -> Path:
    if not isinstance(path, str | os.PathLike) or isinstance(path, bytes):
        raise TypeError(f"path must be a file path (str or Path), got {describe(path)}")
    if not str(path).strip():
        raise ValueError(f"path is empty: pass a file name ending in {suffix!r}")
    target = Path(path)
    if target.suffix.lower() != suffix:
        raise ValueError(
            f"path {str(path)!r} should end in {suffix!r} for this format: "
            f"rename it, or call vizkit.export.save to pick the format by suffix"
        )
    if not target.parent.exists():
        raise FileNotFoundError(
            f"folder {str(target.parent)!r} of path {str(path)!r} does not exist: create it first"
        )
    return target


def write_gif(
    fig: go.Figure,
    path: str | Path,
    *,
    fps: float = 2.0,
    frames: Sequence[int] | None = None,
    cell_px: float = 28,
) -> Path:
    """Write an animation as a looping GIF (a still figure gives a one-frame GIF).

    Args:
        fig: a vizkit animation (``conv_animation``, ``pool_animation``, …).
        path: output file, ending in ``.gif``.
        fps: frames per second (0 < fps ≤ 50).
        frames: which frames (default all).
        cell_px: pixels per grid cell.

    Returns:
        The path written.

    Raises:
        TypeError: ``fig`` is not a figure, ``path`` not a path, or an option of the wrong kind.
        ValueError: wrong suffix, bad fps, frames or cell_px, a figure the drawer does not
            support, or frames above the memory budget.
        FileNotFoundError: the folder does not exist.
    """
    from PIL import Image

    from vizkit.render.raster import figure_frames

    _check_figure(fig)
    delay = 1000 / _check_fps(fps)
    target = _target(path, ".gif")
    images = [
        Image.fromarray(a).quantize(colors=128, method=Image.Quantize.FASTOCTREE)
        for a in figure_frames(fig, frames=frames, cell_px=cell_px)
    ]
    images[0].save(
        target, save_all=True, append_images=images[1:], duration=int(delay), loop=0, optimize=False
    )
    return target


def ffmpeg_available() -> bool:
    """True when an ffmpeg binary can be found (system ``ffmpeg`` or ``imageio-ffmpeg``)."""
    if shutil.which("ffmpeg"):
        return True
    try:
        import imageio_ffmpeg  # type: ignore[import-not-found]

        return bool(imageio_ffmpeg.get_ffmpeg_exe())
    except Exception:  # not installed, or its binary is missing
        return False


def write_mp4(
    fig: go.Figure,
    path: str | Path,
    *,
    fps: float = 2.0,
    frames: Sequence[int] | None = None,
    cell_px: float = 28,
) -> Path:
    """Write an animation as an H.264 MP4 (needs ffmpeg).

    Raises:
        RuntimeError: no ffmpeg here (the message says how to get one, or to use GIF).
        TypeError, ValueError, FileNotFoundError: as :func:`write_gif`.
    """
    from vizkit.render.raster import figure_frames

    _check_figure(fig)
    rate = _check_fps(fps)
    target = _target(path, ".mp4")
    # drawing the frames checks frames, cell_px, the figure and the memory budget: a bad
    # argument is refused as such (TypeError/ValueError) also where ffmpeg is missing
    images = figure_frames(fig, frames=frames, cell_px=cell_px)
    if not ffmpeg_available():
        raise RuntimeError(
            "MP4 export needs ffmpeg, which is not installed here: `apt-get install ffmpeg` "
            "or `pip install imageio-ffmpeg`, or export a GIF instead (path ending in .gif)"
        )
    import imageio.v2 as imageio
    import numpy as np

    h = max(a.shape[0] for a in images) + 1 & ~1  # even sizes for yuv420p
    w = max(a.shape[1] for a in images) + 1 & ~1
    with imageio.get_writer(target, fps=rate, codec="libx264", macro_block_size=2) as writer:
        for a in images:
            padded = np.full((h, w, 3), 255, np.uint8)
            padded[: a.shape[0], : a.shape[1]] = a
            writer.append_data(padded)
    return target


def write_html(fig: go.Figure, path: str | Path, *, auto_play: bool = False) -> Path:
    """Write a standalone, offline HTML file with plotly.js inlined (no external script URL).

    Raises:
        ValueError, FileNotFoundError: wrong suffix, missing folder.
    """
    _check_figure(fig)
    check_bool("auto_play", auto_play)
    target = _target(path, ".html")
    fig.write_html(
        target, include_plotlyjs=True, include_mathjax=False, full_html=True, auto_play=auto_play
    )
    return target


def save(
    fig: go.Figure, path: str | Path, *, fps: float = 2.0, frames: Sequence[int] | None = None
) -> Path:
    """Write ``fig`` in the format its suffix names: ``.gif``, ``.mp4`` or ``.html``.

    Raises:
        ValueError: another suffix (the message lists the allowed ones).
    """
    _check_figure(fig)
    if not isinstance(path, str | os.PathLike) or isinstance(path, bytes):
        raise TypeError(f"path must be a file path (str or Path), got {describe(path)}")
    suffix = Path(path).suffix.lower()
    if suffix == ".gif":
        return write_gif(fig, path, fps=fps, frames=frames)
    if suffix == ".mp4":
        return write_mp4(fig, path, fps=fps, frames=frames)
    if suffix == ".html":
        return write_html(fig, path)
    raise ValueError(
        f"path {str(path)!r} has suffix {suffix or '(none)'!r}; allowed: "
        f"{', '.join(SUFFIXES)}: rename the output file"
    )
