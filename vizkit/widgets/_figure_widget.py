"""FigureWidget: plotly's ``go.FigureWidget`` whose messages are valid JSON.

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

Every widget in vizkit makes its figures with :class:`FigureWidget`, never
``go.FigureWidget`` directly (``tests/widgets/test_figure_widget.py`` checks the source).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import plotly.graph_objects as go

__all__ = ["FigureWidget", "json_safe"]


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
        except (TypeError, OverflowError):  # nested lists, arrays, strings, None, …
            pass
        return [json_safe(v) for v in value]
    return value


class FigureWidget(go.FigureWidget):
    """A ``go.FigureWidget`` that never sends NaN or infinity to the browser (see module)."""

    def trait_metadata(self, traitname: str, key: str, default: Any = None) -> Any:
        """ipywidgets serializes each synced trait with its ``to_json`` metadata; plotly's
        turns N-d arrays into lists of floats, so clean the value before it runs."""
        value = super().trait_metadata(traitname, key, default)
        if key != "to_json" or not callable(value):
            return value
        return lambda data, widget: value(json_safe(data), widget)
