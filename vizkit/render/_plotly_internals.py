"""Private: the one place that touches plotly's internals (fast frames), with a guard.

An animation of a 32×32 input has hundreds of frames; ``go.Frame(...)`` validates every trace
(about 2 ms a frame), so building frames through the public API would take seconds. Here a
frame keeps its traces as the plain dicts it was given, by filling a ``go.Frame``'s private
slots directly. That depends on plotly's private layout, so:

- :data:`TESTED_PLOTLY` names the plotly major versions this was written against; on any other
  version, and whenever a probe frame does not serialise exactly as given, the public (slow,
  validating) path is used instead;
- ``tests/render/test_plotly_internals.py`` fails loudly when the installed plotly no longer
  takes the fast path, so an upgrade is noticed rather than silently slow.
"""

from __future__ import annotations

from typing import Any

import plotly
import plotly.graph_objects as go

__all__ = ["TESTED_PLOTLY", "build_figure", "fast_frames_available"]

TESTED_PLOTLY = (6, 7)  # plotly major versions whose private frame slots this module fills


class _RawFrame(go.Frame):
    """A frame that keeps its traces as the plain dicts it was given.

    ``go.Frame(...)`` turns every trace into a validated object (about 2 ms a frame); a
    900-frame animation would take seconds. This frame stores the dicts as they are (what
    ``to_dict()``/``write_html`` serialise anyway) and builds trace objects only when
    ``.data`` is read.
    """

    @property
    def data(self) -> tuple[Any, ...]:  # type: ignore[override]
        cached = self.__dict__.get("_vizkit_data")
        if cached is None:
            cached = go.Figure(data=self._orphan_props.get("data", [])).data
            self.__dict__["_vizkit_data"] = cached
        return cached


def _raw_frame(props: dict[str, Any]) -> go.Frame:
    frame = object.__new__(_RawFrame)
    frame.__dict__.update(
        _skip_invalid=False,
        _validate=False,
        _plotly_name="frames",
        _compound_props={},
        _compound_array_props={},
        _orphan_props=props,
        _parent=None,
        _change_callbacks={},
        _BasePlotlyType__validators=None,
    )
    return frame


def _fast_frames_work() -> bool:
    """Check once that plotly's internals still serialise a raw frame as given."""
    if int(plotly.__version__.split(".")[0]) not in TESTED_PLOTLY:
        return False
    probe = {"name": "0", "data": [{"type": "scatter", "x": [1]}], "traces": [0]}
    try:
        return (
            _raw_frame(dict(probe)).to_plotly_json() == probe
            and _raw_frame(dict(probe)).name == "0"
        )
    except Exception:  # any change in plotly's private layout: use the slow, public path
        return False


_FAST_FRAMES: list[bool] = []


def fast_frames_available() -> bool:
    """Whether :func:`build_figure` takes the fast path on the installed plotly."""
    if not _FAST_FRAMES:
        _FAST_FRAMES.append(_fast_frames_work())
    return _FAST_FRAMES[0]


def build_figure(
    traces: list[dict[str, Any]], layout: dict[str, Any], frames: list[dict[str, Any]] | None = None
) -> go.Figure:
    """Assemble a ``go.Figure`` from plain dicts without per-attribute validation.

    The dicts are produced by this package (valid by construction); skipping plotly's
    validator, and keeping frames as dicts, is what keeps a several-hundred-frame animation
    near 100 ms instead of several seconds.
    """
    fig = go.Figure(data=traces, layout=layout, _validate=False)
    if frames:
        if fast_frames_available():
            fig._frame_objs = tuple(_raw_frame(f) for f in frames)
        else:
            fig.frames = [go.Frame(f, _validate=False) for f in frames]
    return fig
