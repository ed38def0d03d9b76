"""GIF / MP4 / HTML export: files written, frame counts, offline HTML, clear errors."""

from __future__ import annotations

import re

import numpy as np
import pytest
from PIL import Image

from vizkit import export
from vizkit.render.conv import conv_animation, conv_figure
from vizkit.sliding import conv2d_trace


@pytest.fixture
def fig():
    return conv_animation(
        conv2d_trace(np.arange(25.0).reshape(1, 5, 5), np.ones((1, 1, 3, 3)), stride=2, padding=1)
    )


def test_gif_has_one_frame_per_animation_frame(fig, tmp_path):
    path = export.write_gif(fig, tmp_path / "conv.gif", fps=4)
    with Image.open(path) as im:
        assert im.n_frames == len(fig.frames) == 9
        assert im.info["duration"] == 250
        first = np.asarray(im.convert("RGB"))
        im.seek(8)
        last = np.asarray(im.convert("RGB"))
    assert first.shape == last.shape and not np.array_equal(first, last)


def test_gif_frames_subset_and_still(fig, tmp_path):
    with Image.open(export.save(fig, tmp_path / "a.gif", frames=[0, 4])) as im:
        assert im.n_frames == 2
    still = conv_figure(conv2d_trace(np.ones((1, 3, 3)), np.ones((1, 1, 2, 2))))
    with Image.open(export.save(still, tmp_path / "s.gif")) as im:
        assert im.n_frames == 1


def test_html_is_standalone(fig, tmp_path):
    text = export.write_html(fig, tmp_path / "conv.html").read_text()
    assert "Plotly.newPlot" in text or "Plotly.react" in text
    assert not re.search(r"<script[^>]+src=", text)  # plotly.js inlined, no external script
    assert not re.search(r"""src=["']https?://""", text)
    assert len(text) > 1_000_000  # the library itself is in the file


def test_mp4_without_ffmpeg_explains(fig, tmp_path, monkeypatch):
    monkeypatch.setattr(export, "ffmpeg_available", lambda: False)
    with pytest.raises(RuntimeError, match="MP4 export needs ffmpeg"):
        export.write_mp4(fig, tmp_path / "a.mp4")


@pytest.mark.skipif(not export.ffmpeg_available(), reason="no ffmpeg here")
def test_mp4_with_ffmpeg(fig, tmp_path):
    assert export.write_mp4(fig, tmp_path / "a.mp4").stat().st_size > 0


def test_errors_name_the_problem(fig, tmp_path):
    with pytest.raises(ValueError, match=r"suffix '.png'; allowed: .gif, .mp4, .html"):
        export.save(fig, tmp_path / "a.png")
    with pytest.raises(ValueError, match=r"should end in '.gif'"):
        export.write_gif(fig, tmp_path / "a.html")
    with pytest.raises(ValueError, match=r"fps 0 is outside \(0, 50\]"):
        export.write_gif(fig, tmp_path / "a.gif", fps=0)
    with pytest.raises(FileNotFoundError, match="does not exist: create it first"):
        export.write_gif(fig, tmp_path / "missing" / "a.gif")
