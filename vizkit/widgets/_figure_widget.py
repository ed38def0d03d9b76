"""FigureWidget: plotly's ``go.FigureWidget`` whose messages are valid JSON and whose full
state is the figure as it is now (also for a page that connects later: Voilà).

Figures mark gaps with NaN (the separators of a feature-map mosaic, padding outside an input,
an evaluation not yet run). A ``go.Figure`` shown as output is fine — plotly's JSON encoder
writes NaN as ``null`` — but a ``go.FigureWidget`` sends its data through the widget comm,
where plotly turns arrays into lists of floats and jupyter_client's serializer meets NaN:
the user sees "Message serialization failed with: Out of range float values are not JSON
compliant" printed into the notebook, and the browser receives non-standard JSON. This class
replaces every non-finite float in the state it sends by ``None`` (``null``: plotly draws a
gap, as it does for NaN) where all widget state passes: ipywidgets' ``get_state`` asks
``trait_metadata(name, "to_json")`` for each synced trait's serializer, and this class wraps
that serializer (public traitlets/ipywidgets API; plotly's serializer runs unchanged after).

The state a page builds the figure from: plotly keeps the synced ``_widget_data`` /
``_widget_layout`` as they were when the widget was **created** and sends every later change
as a message; it refreshes them only when the figure itself is displayed. A figure inside a
box (every explorer) is never displayed itself, and a page that asks for the widgets' state
after the cell ran — Voilà, which runs the whole notebook before its page connects, or a
reloaded JupyterLab tab — got the empty figure of ``__init__`` (issue 11: empty axes in
lecture mode). :meth:`FigureWidget.get_state` therefore fills those two keys from the
current figure whenever the **full** state is asked for (ipywidgets' ``send_state()`` on
open and the ``request_state`` of a page that connects); single-key updates are unchanged.

A batch update that sets a property on some of its traces only (``with fig.batch_update():``
``fig.data[0].update(z=…)``, ``fig.data[1].update(z=…, colorscale=…)``) sends the others
plotly's "undefined" placeholder. plotly.js skips those, but plotly's widget *model* stores
them: its copy of the figure then has ``colorscale: undefined`` on trace 0, and a view made
from the model later (a widget inside a box shown after the update: KernelPlayground's
"grey" photo came out in plotly's default plasma colours) draws the default.
:meth:`FigureWidget._send_update_msg` therefore sends each such trace its current value
instead (``null`` where it has none: plotly's "unset", which changes nothing).

Every widget in vizkit makes its figures with :class:`FigureWidget`, never
``go.FigureWidget`` directly (``tests/widgets/test_figure_widget.py`` checks the source).
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from copy import deepcopy
from typing import Any

import numpy as np
import plotly.graph_objects as go
from plotly.basedatatypes import BaseFigure, Undefined

from vizkit.render._plotly_internals import defer_nbformat

__all__ = ["FigureWidget", "json_safe"]

defer_nbformat()  # before go.FigureWidget loads plotly's renderers (2–3 s of nbformat saved)


def json_safe(value: Any) -> Any:
    """``value`` with every NaN and ±inf float replaced by ``None`` (in dicts, lists, tuples
    and N-d numpy arrays, which become nested lists).

    Cheap when there is nothing to replace: arrays are checked in numpy, lists of numbers
    with one C-level ``sum``. 1-d numeric arrays pass unchanged — plotly sends those as
    binary buffers, where NaN is fine — and so does everything else (strings, ints, ``None``).

    >>> json_safe({"z": [[1.0, float("nan")], [2, 3]], "name": "a", "x": (float("inf"),)})
    {'z': [[1.0, None], [2, 3]], 'name': 'a', 'x': [None]}
    >>> json_safe(np.array([[0.5, np.nan]]))
    [[0.5, None]]
    >>> row = [0.5, 1.0]
    >>> json_safe(row) is row
    True
    """
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, np.ndarray):
        if value.ndim <= 1 or value.dtype.kind not in "fc" or np.isfinite(value).all():
            return value
        return np.where(np.isfinite(value), value, None).tolist()
    if isinstance(value, dict):
        return {k: json_safe(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        try:
            if math.isfinite(sum(value)):  # only numbers, none of them NaN or inf
                return value
        # nested lists, strings, None…; arrays of different shapes (a batch update's
        # per-trace values) fail to broadcast with ValueError
        except (TypeError, ValueError, OverflowError):
            pass
        return [json_safe(v) for v in value]
    return value


def _current(trace: dict[str, Any], prop: str) -> Any:
    """The value of the property ``prop`` (dotted: ``"marker.color"``, or with an index:
    ``"dimensions[0].values"``, split as plotly splits it) in a trace dict; ``None`` where
    it is not set.

    >>> _current({"z": [[1]], "marker": {"color": "red"}}, "marker.color")
    'red'
    >>> _current({"z": [[1]]}, "colorscale"), _current({"d": [{"v": 1}]}, "d[0].v")
    (None, 1)
    """
    value: Any = trace
    for key in BaseFigure._str_to_dict_path(prop):
        if isinstance(key, int):
            value = value[key] if isinstance(value, list) and key < len(value) else None
        else:
            value = value.get(key) if isinstance(value, dict) else None
        if value is None:
            return None
    return value


class FigureWidget(go.FigureWidget):
    """A ``go.FigureWidget`` that never sends NaN or infinity to the browser and whose full
    state is always the current figure (see module)."""

    def get_state(
        self, key: str | Iterable[str] | None = None, drop_defaults: bool = False
    ) -> dict[str, Any]:
        """ipywidgets' state; the full state (``key=None``) carries the figure as it is now."""
        state: dict[str, Any] = super().get_state(key, drop_defaults=drop_defaults)
        # a page builds the figure from the full state: the current one, not __init__'s
        # (during __init__, ipywidgets opens the comm before plotly has built the figure)
        if key is None and getattr(self, "_layout_obj", None) is not None:
            current = {
                "_widget_data": deepcopy(self._data),
                "_widget_layout": deepcopy(self._layout_obj._props),
            }
            for name, value in current.items():
                to_json = self.trait_metadata(name, "to_json", self._trait_to_json)
                state[name] = to_json(value, self)
        return state

    def _send_update_msg(
        self,
        restyle_data: dict[str, Any],
        relayout_data: dict[str, Any],
        trace_indexes: Any = None,
        source_view_id: Any = None,
    ) -> None:
        """plotly's update message, each trace's "undefined" placeholder replaced by the
        value that trace has now, ``None`` (unset: nothing changes) where it has none (see
        module). Python's own copy was updated before, with the placeholders skipped."""
        indexes = self._normalize_trace_indexes(trace_indexes)
        filled = {}
        for prop, values in restyle_data.items():
            if isinstance(values, list) and any(v is Undefined for v in values):
                values = [
                    _current(self._data[indexes[i % len(indexes)]], prop) if v is Undefined else v
                    for i, v in enumerate(values)
                ]
            filled[prop] = values
        super()._send_update_msg(filled, relayout_data, trace_indexes, source_view_id)

    def trait_metadata(self, traitname: str, key: str, default: Any = None) -> Any:
        """ipywidgets serializes each synced trait with its ``to_json`` metadata; plotly's
        turns N-d arrays into lists of floats, so clean the value before it runs."""
        value = super().trait_metadata(traitname, key, default)
        if key != "to_json" or not callable(value):
            return value
        return lambda data, widget: value(json_safe(data), widget)
