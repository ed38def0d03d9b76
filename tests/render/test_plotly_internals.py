"""The private plotly access (fast frames) still works on the installed plotly, and is exact."""

from __future__ import annotations

import plotly
import plotly.graph_objects as go

from vizkit.render import _plotly_internals as internals


def test_fast_path_is_taken_on_the_installed_plotly() -> None:
    # Fails loudly after a plotly upgrade that breaks the private frame slots: animations would
    # silently fall back to the validating path (seconds instead of ~100 ms for 900 frames).
    assert int(plotly.__version__.split(".")[0]) in internals.TESTED_PLOTLY, (
        f"plotly {plotly.__version__} is untested: check render/_plotly_internals.py and "
        "extend TESTED_PLOTLY"
    )
    assert internals.fast_frames_available()


def test_fast_frames_serialise_like_public_frames() -> None:
    traces = [{"type": "heatmap", "z": [[0, 1], [2, 3]]}]
    frames = [
        {"name": str(k), "data": [{"type": "heatmap", "z": [[k, 0], [0, k]]}], "traces": [0]}
        for k in range(3)
    ]
    fast = internals.build_figure(traces, {"title": {"text": "t"}}, frames)
    slow = go.Figure(data=traces, layout={"title": {"text": "t"}}, frames=frames)
    assert fast.to_plotly_json()["frames"] == slow.to_plotly_json()["frames"]
    assert [f.name for f in fast.frames] == ["0", "1", "2"]
    assert [list(row) for row in fast.frames[1].data[0].z] == [[1, 0], [0, 1]]


def test_untested_version_takes_the_public_path(monkeypatch) -> None:
    monkeypatch.setattr(internals, "TESTED_PLOTLY", ())
    monkeypatch.setattr(internals, "_FAST_FRAMES", [])
    assert not internals.fast_frames_available()
    frames = [{"name": "0", "data": [{"type": "scatter", "x": [1]}], "traces": [0]}]
    fig = internals.build_figure([{"type": "scatter", "x": [0]}], {}, frames)
    assert type(fig.frames[0]) is go.Frame
    assert fig.frames[0].data[0].x == (1,)
