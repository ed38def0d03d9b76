"""Argument checks shared by the figure functions: the data objects they draw, pictures,
step lists and indices. Generic checks (ints, numbers, choices) are :mod:`vizkit._validate`.

Figures never import torch, so the results they draw (``TopPatches``, ``BatchNormTrace`` …)
are checked by the attributes the figure reads, and named by where they come from.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import numpy as np

from vizkit._validate import check_int, check_shape, describe

__all__ = [
    "MAX_FRAMES",
    "check_data",
    "check_figure",
    "check_frames",
    "check_index",
    "check_mapping",
    "check_picture",
    "check_steps",
    "check_text",
]


def check_data(name: str, value: object, attrs: Iterable[str], expected: str) -> Any:
    """Return ``value`` if it has every attribute in ``attrs`` (a result object, duck-typed).

    Args:
        name: the parameter's name.
        value: what was passed.
        attrs: the attributes the figure reads.
        expected: what to pass, e.g. ``"a TopPatches from vizkit.inspect.top_patches"``.

    Raises:
        TypeError: an attribute is missing.
    """
    missing = [a for a in attrs if not hasattr(value, a)]
    if missing:
        raise TypeError(f"{name} must be {expected}, got {describe(value)}")
    return value


def check_figure(name: str, value: object, traces: int, made_by: str) -> Any:
    """A plotly figure with at least ``traces`` traces, as ``made_by`` (a function name) makes.

    Raises:
        TypeError: not a plotly ``go.Figure``.
        ValueError: fewer traces than the update needs (a figure from another function).
    """
    from plotly.basedatatypes import BaseFigure  # go.Figure and go.FigureWidget

    if not isinstance(value, BaseFigure):
        raise TypeError(f"{name} must be a plotly figure from {made_by}(), got {describe(value)}")
    if len(value.data) < traces:
        raise ValueError(
            f"{name} has {len(value.data)} trace(s), not the {traces} of {made_by}(): pass the "
            f"figure {made_by}() made"
        )
    return value


def check_picture(
    name: str,
    value: object,
    *,
    ndim: tuple[int, ...] = (2, 3),
    layout: str = "(H, W) or (H, W, 3)",
    finite: bool = True,
) -> np.ndarray:
    """``value`` as a float64 array of a picture's shape, with real, finite values.

    Raises:
        TypeError: not an array of real numbers (a tensor is read with ``numpy.asarray``).
        ValueError: wrong rank, an empty axis, NaN/inf.
    """
    if isinstance(value, str | bytes) or value is None:
        raise TypeError(f"{name} must be an array {layout}, got {describe(value)}")
    data: Any = value
    if hasattr(data, "detach"):
        data = data.detach().cpu()
    try:
        array = np.asarray(data)
    except (TypeError, ValueError, RuntimeError) as err:
        raise TypeError(
            f"{name} must be an array {layout}, got {describe(value)} ({err})"
        ) from None
    if array.dtype.kind not in "biuf":
        raise TypeError(f"{name} must hold real numbers, got dtype {array.dtype}")
    check_shape(name, array, ndim=ndim, layout=layout, finite=False)
    array = array.astype(np.float64)
    if finite and not np.isfinite(array).all():
        raise ValueError(f"{name} contains NaN or infinite values: clean them first")
    return array


def check_steps(name: str, steps: object, count: int) -> list[int]:
    """A non-empty list of step indices, each in ``0 … count − 1``.

    Raises:
        TypeError: not a list of ints.
        ValueError: empty, or an index out of range.
    """
    if isinstance(steps, str | bytes) or not isinstance(steps, Sequence | range | np.ndarray):
        raise TypeError(f"{name} must be a list of step indices, got {describe(steps)}")
    chosen = [
        check_int(
            name,
            k,
            minimum=0,
            maximum=count - 1,
            fix=f"the drawing has {count} steps (0 … {count - 1})",
        )
        for k in steps
    ]
    if not chosen:
        raise ValueError(f"{name} is empty: pass at least one step index, or None for all")
    return chosen


#: The most frames one animation may have: each frame copies the drawing's traces, so 2,000
#: frames of a 30×30 grid already take seconds to build and a large share of the budget.
MAX_FRAMES = 2000


def check_frames(steps: object, count: int) -> list[int]:
    """The steps an animation shows: all ``count`` (at most :data:`MAX_FRAMES`), or ``steps``.

    Raises:
        TypeError, ValueError: as :func:`check_steps`; or more than :data:`MAX_FRAMES` frames.
    """
    chosen = list(range(count)) if steps is None else check_steps("steps", steps, count)
    if len(chosen) > MAX_FRAMES:
        raise ValueError(
            f"steps: the animation would have {len(chosen)} frames, more than {MAX_FRAMES}: "
            f"pass steps=range({MAX_FRAMES}) (or fewer), or trace a smaller input"
        )
    return chosen


def check_index(name: str, value: object, count: int, what: str) -> int:
    """An index in ``0 … count − 1`` (``what`` says what is counted, e.g. ``"channels"``)."""
    return check_int(
        name, value, minimum=0, maximum=count - 1, fix=f"there are {count} {what} (0 … {count - 1})"
    )


def check_mapping(name: str, value: object, what: str) -> Mapping[Any, Any]:
    """A non-empty dict (title → thing)."""
    if not isinstance(value, Mapping):
        raise TypeError(f"{name} must be a dict of title → {what}, got {describe(value)}")
    if not value:
        raise ValueError(f"{name} is empty: pass at least one title → {what}")
    return value


def check_text(name: str, value: object) -> str | None:
    """An optional title or label: a str or None."""
    if value is not None and not isinstance(value, str):
        raise TypeError(f"{name} must be a str (or None), got {describe(value)}")
    return value
