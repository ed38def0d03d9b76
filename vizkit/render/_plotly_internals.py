"""Private: the one place that touches plotly's internals (fast frames, nbformat), with guards.

An animation of a 32×32 input has hundreds of frames; ``go.Frame(...)`` validates every trace
(about 2 ms a frame), so building frames through the public API would take seconds. Here a
frame keeps its traces as the plain dicts it was given, by filling a ``go.Frame``'s private
slots directly. That depends on plotly's private layout, so:

- :data:`TESTED_PLOTLY` names the plotly major versions this was written against; on any other
  version, and whenever a probe frame does not serialise exactly as given, the public (slow,
  validating) path is used instead;
- ``tests/render/test_plotly_internals.py`` fails loudly when the installed plotly no longer
  takes the fast path, so an upgrade is noticed rather than silently slow.

The first figure a kernel displays would also pay 2–3 s of CPU for nothing: the module behind
every display (``plotly.io._renderers``, which ``go.FigureWidget`` imports too) imports
``nbformat`` when it is loaded, only to check its version in ``pio.show()`` (which a figure's
``_ipython_display_`` calls); ``nbformat`` imports ``jsonschema``, whose format checkers import
``rfc3987_syntax``, which builds Earley parsers at import (plotly/plotly.py#4856,
python-jsonschema/jsonschema#1428). No plotly setting avoids it. :func:`defer_nbformat` loads
that module with ``nbformat`` held back and leaves in its place a stand-in that answers the
version check from the installed package's metadata and imports ``nbformat`` on any other use:
``pio.show()`` checks and displays as before, without the import. Guarded like the frames
(plotly majors in :data:`TESTED_PLOTLY`; any surprise leaves plotly alone);
``tests/render/test_plotly_nbformat.py`` fails when plotly stops importing ``nbformat``
eagerly (then delete this) or when the deferral no longer takes.
"""

from __future__ import annotations

import importlib
import importlib.metadata
import importlib.util
import sys
from typing import Any

import plotly
import plotly.graph_objects as go

__all__ = ["TESTED_PLOTLY", "build_figure", "defer_nbformat", "fast_frames_available"]

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


class NbformatOnFirstUse:
    """Stands for ``nbformat`` in ``plotly.io._renderers`` until something uses it.

    Every display of a figure goes through ``pio.show()``, which only checks
    ``nbformat.__version__ >= 4.2.0``: that is answered from the installed distribution's
    metadata (the same version, without importing the package). Any other attribute imports
    ``nbformat``, puts the real module back in plotly's slot and answers from it.
    """

    def __getattr__(self, name: str) -> Any:
        if name == "__version__":
            try:
                return importlib.metadata.version("nbformat")
            except importlib.metadata.PackageNotFoundError:
                pass  # importable but not installed as a distribution: ask the module
        module = importlib.import_module("nbformat")
        renderers = sys.modules.get("plotly.io._renderers")
        if renderers is not None and getattr(renderers, "nbformat", None) is self:
            renderers.nbformat = module
        return getattr(module, name)


def defer_nbformat() -> bool:
    """Load ``plotly.io._renderers`` without importing ``nbformat`` until it is needed.

    Call before the first figure is displayed (``vizkit.render`` and the widgets' figure do,
    in an IPython kernel). Does nothing when that module or ``nbformat`` is already loaded,
    ``nbformat`` is not installed (plotly then says so in ``show()`` as before), or plotly
    is not a version this was written against.

    Returns:
        Whether plotly's ``nbformat`` is now deferred.
    """
    if "plotly.io._renderers" in sys.modules or "nbformat" in sys.modules:
        return isinstance(
            getattr(sys.modules.get("plotly.io._renderers"), "nbformat", None),
            NbformatOnFirstUse,
        )
    if int(plotly.__version__.split(".")[0]) not in TESTED_PLOTLY:
        return False
    if importlib.util.find_spec("nbformat") is None:
        return False
    try:
        from _plotly_utils import optional_imports

        skipped = optional_imports._not_importable  # names plotly's get_module() skips
        held = "nbformat" not in skipped
        skipped.add("nbformat")
        try:
            renderers = importlib.import_module("plotly.io._renderers")
        finally:
            if held:
                skipped.discard("nbformat")
    except Exception:  # plotly's private layout changed: let it import nbformat itself
        return False
    if "nbformat" in vars(renderers) and renderers.nbformat is None:
        renderers.nbformat = NbformatOnFirstUse()
        return True
    return False
