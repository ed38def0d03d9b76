"""Keyboard stepping: click an animation, then drive it from the keyboard (lecture mode).

=============  ===========================
key            action
=============  ===========================
→ / ←          one step forward / back
Home / End     first / last step
space          play / pause
\\+ / −         faster / slower
=============  ===========================

Two carriers of the same key map (:data:`KEYS`), one JavaScript module (``keyboard.js``):

- :class:`Stepper` wraps a plotly animation (a ``*_animation`` figure: frames, play buttons,
  a slider) in an anywidget that draws it with plotly.js and listens for the keys. A figure
  shown the usual way runs no code of ours, hence the wrapper; the figure itself is
  unchanged (``stepper.figure``), and its own buttons and slider keep working. plotly.js
  comes from the page when it already has that version, else once per page from the
  kernel (the ``plotly`` package's own copy; nothing is downloaded).
- :class:`KeyboardControl` sits inside an explorer (``ConvExplorer`` and its siblings) and
  sends the keys pressed anywhere in the explorer to Python, which moves the explorer's
  step slider, Play button and speed control (:meth:`KeyboardControl.press` does the same
  from code).

Keys typed into a text box, and arrows on a focused slider handle (which move that slider),
are left alone. Both work in JupyterLab and in Voilà (``make present``).
"""

from __future__ import annotations

import functools
import gzip
import json
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, Literal, get_args

import anywidget
import plotly.graph_objects as go
import traitlets

from vizkit._validate import check_choice, check_int
from vizkit.render._grid import SPEEDS

__all__ = ["ACTIONS", "KEYS", "Action", "KeyboardControl", "Stepper"]

Action = Literal["next", "previous", "first", "last", "play_pause", "faster", "slower"]
ACTIONS: tuple[str, ...] = get_args(Action)
# ``KeyboardEvent.key`` → action. "=" and "_" are + and − without shift on most keyboards.
KEYS: Mapping[str, Action] = {
    "ArrowRight": "next",
    "ArrowLeft": "previous",
    "Home": "first",
    "End": "last",
    " ": "play_pause",
    "+": "faster",
    "=": "faster",
    "-": "slower",
    "_": "slower",
    "−": "slower",  # U+2212, what some keyboard layouts send for the minus key
}
SPEED_NAMES: tuple[str, ...] = tuple(name for name, _ in SPEEDS)  # slowest first

_ESM = Path(__file__).with_name("keyboard.js")
_CSS = """
.vizkit-keys:focus, .vizkit-keys:focus-visible { outline: 2px solid #1f77b4; outline-offset: 2px; }
.vizkit-keys-hint { font-size: 0.85em; color: #666; margin: 2px 0 0 4px; user-select: none; }
.vizkit-keys:focus-within .vizkit-keys-hint { color: #1f4e9c; font-weight: 600; }
.vizkit-keys-control { align-self: center; }
"""


def _check_key(key: object) -> Action:
    if not isinstance(key, str):
        raise TypeError(f"key must be a str (KeyboardEvent.key), got {key!r}")
    action = KEYS.get(key)
    if action is None:
        raise ValueError(f"key {key!r} does nothing here: use one of {sorted(KEYS)}")
    return action


@functools.cache
def _plotly_js_gzip() -> bytes:
    """The plotly package's plotly.min.js, gzipped (about 1.5 MB instead of 4.8 MB)."""
    from plotly.offline import get_plotlyjs

    return gzip.compress(get_plotlyjs().encode(), compresslevel=6)


def _figure_dict(figure: go.Figure) -> dict[str, Any]:
    """``figure`` as plotly.js takes it. Not ``figure.to_dict()``: that deep-copies and
    re-encodes every frame (a 900-frame animation: 4 s instead of 0.6 s)."""
    return {
        "data": [trace.to_plotly_json() for trace in figure.data],
        "layout": figure.layout.to_plotly_json(),
        "frames": [frame.to_plotly_json() for frame in figure.frames],
    }


class Stepper(anywidget.AnyWidget):  # type: ignore[misc]
    """A plotly animation that answers the keyboard once clicked.

    ← / → one frame, Home / End first / last, space play / pause, + / − speed (the figure's
    own slow / normal / fast). The figure's buttons and slider keep working; whichever moved
    it, :attr:`step`, :attr:`playing` and :attr:`speed` follow, and setting them from Python
    moves the animation.

    Args:
        figure: a figure with frames (``vk.conv_animation(...)`` and the other
            ``*_animation`` figures); it is not changed.
        step: the frame shown first (index into ``figure.frames``).
        speed: ``"slow"``, ``"normal"`` or ``"fast"`` (the figure's play buttons).

    Raises:
        TypeError: ``figure`` is not a ``go.Figure``.
        ValueError: the figure has no frames, or ``step`` / ``speed`` is out of range.

    Example:
        >>> import numpy as np, vizkit as vk
        >>> fig = vk.conv_animation(vk.conv2d_trace(np.ones((1, 4, 4)), np.ones((1, 1, 3, 3))))
        >>> stepper = vk.Stepper(fig)
        >>> stepper.n_steps, stepper.step, stepper.speed
        (4, 0, 'normal')
    """

    _esm = _ESM
    _css = _CSS
    _mode = traitlets.Unicode("stepper").tag(sync=True)
    _keys = traitlets.Dict(dict(KEYS)).tag(sync=True)
    _speeds = traitlets.List([list(s) for s in SPEEDS]).tag(sync=True)
    _figure = traitlets.Unicode("").tag(sync=True)
    _plotly_version = traitlets.Unicode("").tag(sync=True)

    step = traitlets.Int(0).tag(sync=True)
    """Index of the frame shown (synced both ways)."""
    playing = traitlets.Bool(False).tag(sync=True)
    """Whether the animation is playing (synced both ways)."""
    speed = traitlets.Unicode("normal").tag(sync=True)
    """``"slow"``, ``"normal"`` or ``"fast"``: the frame duration of :data:`SPEEDS`."""

    def __init__(self, figure: go.Figure, *, step: int = 0, speed: str = "normal") -> None:
        if not isinstance(figure, go.Figure):
            raise TypeError(
                f"figure: Stepper wraps a plotly go.Figure with frames (e.g. "
                f"vk.conv_animation(...)); got {type(figure).__name__}"
            )
        if not figure.frames:
            raise ValueError(
                "this figure has no frames, so there is nothing to step through: wrap an "
                "animation (a vk.*_animation figure); show a still figure as it is"
            )
        n = len(figure.frames)
        step = check_int("step", step)
        if not 0 <= step < n:
            raise ValueError(
                f"step {step} is out of range: this animation has {n} frames (0 … {n - 1})"
            )
        speed = check_choice("speed", speed, SPEED_NAMES)
        from plotly.offline import get_plotlyjs_version
        from plotly.utils import PlotlyJSONEncoder

        self._fig = figure
        super().__init__(
            _figure=json.dumps(_figure_dict(figure), cls=PlotlyJSONEncoder),
            _plotly_version=get_plotlyjs_version(),
            step=step,
            speed=speed,
        )
        self.on_msg(self._answer)

    @traitlets.validate("step")
    def _valid_step(self, proposal: dict[str, Any]) -> int:
        step = proposal["value"]
        n = len(self._fig.frames)
        if not 0 <= step < n:
            raise ValueError(
                f"step {step} is out of range: this animation has {n} frames (0 … {n - 1})"
            )
        return int(step)

    @traitlets.validate("speed")
    def _valid_speed(self, proposal: dict[str, Any]) -> str:
        speed = proposal["value"]
        if speed not in SPEED_NAMES:
            raise ValueError(f"speed {speed!r} is not one of {SPEED_NAMES}")
        return str(speed)

    @property
    def figure(self) -> go.Figure:
        """The wrapped figure (for ``vk.export`` and friends)."""
        return self._fig

    @property
    def n_steps(self) -> int:
        """Number of frames."""
        return len(self._fig.frames)

    def _answer(self, _widget: object, content: Any, _buffers: object) -> None:
        # The page asks once for plotly.js when it has no copy of the right version.
        if isinstance(content, dict) and content.get("type") == "plotly.js?":
            from plotly.offline import get_plotlyjs

            if content.get("gzip"):
                self.send({"type": "plotly.js", "gzip": True}, buffers=[_plotly_js_gzip()])
            else:
                self.send({"type": "plotly.js", "gzip": False}, buffers=[get_plotlyjs().encode()])


class KeyboardControl(anywidget.AnyWidget):  # type: ignore[misc]
    """The keyboard of an explorer: put it anywhere inside a box with the CSS class
    ``vizkit-keys``; keys pressed in that box (after a click) call ``on_action``.

    Args:
        on_action: called with the :data:`Action` of each key (``"next"``, ``"play_pause"``…).
    """

    _esm = _ESM
    _css = _CSS
    _mode = traitlets.Unicode("explorer").tag(sync=True)
    _keys = traitlets.Dict(dict(KEYS)).tag(sync=True)

    def __init__(self, on_action: Callable[[Action], None]) -> None:
        if not callable(on_action):
            raise TypeError(f"on_action must be callable, got {on_action!r}")
        super().__init__()
        self._on_action = on_action
        self.on_msg(self._receive)

    def press(self, key: str) -> Action:
        """Act as if ``key`` (a ``KeyboardEvent.key``: ``"ArrowRight"``, ``" "``…) was pressed.

        Returns:
            The action taken.

        Raises:
            ValueError: a key that does nothing (the message lists those that do).
        """
        action = _check_key(key)
        self._on_action(action)
        return action

    def _receive(self, _widget: object, content: Any, _buffers: object) -> None:
        if isinstance(content, dict) and content.get("type") == "action":
            action = content.get("action")
            if action in ACTIONS:
                self._on_action(action)
