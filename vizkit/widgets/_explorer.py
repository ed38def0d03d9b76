"""What every step-through explorer shares: a FigureWidget updated in place, a step slider
with play/pause and a speed control, a status line, and keyboard stepping (click the
explorer, then ← / → step, space play/pause, + / − speed: :mod:`vizkit.widgets.keyboard`).

A subclass supplies ``_build()`` (controls → a render scene, or a ``GeometryError``) and
``_status(scene)``; the base class redraws. A *scene* (``vizkit.render.conv.ConvScene`` and its
siblings) has ``n_steps``, ``traces(step)``, ``frame(step)`` and ``layout()``.
"""

from __future__ import annotations

import html
from typing import Any, Protocol

import ipywidgets as widgets

from vizkit.geometry import GeometryError
from vizkit.render.browser_layers import (
    cell_px,
    label_image,
    label_layers,
    strip_labels,
    text_image,
    trace_shape,
    traces_as_shapes,
)
from vizkit.widgets._figure_widget import FigureWidget
from vizkit.widgets.keyboard import Action, KeyboardControl

SPEEDS_MS = {"slow": 900, "normal": 400, "fast": 120}
_MISSING = object()


def _differs(old: object, new: object) -> bool:
    """``old != new`` for plain values; True where numpy makes equality ambiguous."""
    try:
        return bool(old != new)
    except (ValueError, TypeError):
        return True


class Scene(Protocol):
    """The drawing interface of the render scenes."""

    n_steps: int

    def traces(self, step: int = 0) -> list[dict[str, Any]]: ...
    def frame(self, step: int) -> dict[str, Any]: ...
    def layout(self) -> dict[str, Any]: ...


def slider(
    name: str,
    value: int,
    low: int,
    high: int,
    description: str | None = None,
    *,
    limit: int | None = None,
) -> widgets.IntSlider:
    """An IntSlider whose starting value is checked (never silently clamped).

    A start above ``high`` widens the slider, up to ``limit`` (default ``4·high``): the
    drawing has a cell per value, and 10⁹ cells would never be drawn.

    Raises:
        TypeError: ``value`` is not an int.
        ValueError: ``value`` below ``low`` or above ``limit``.
    """
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{name} must be an int, got {value!r} ({type(value).__name__})")
    if value < low:
        raise ValueError(f"{name} {value} is below {low}, the smallest allowed: use {name}={low}")
    top = max(4 * high, low) if limit is None else limit
    if value > top:
        raise ValueError(
            f"{name} {value} is above {top}, the largest this explorer draws: "
            f"use {name}={high} or less (the slider goes up to {high})"
        )
    control = widgets.IntSlider(
        value=value,
        min=low,
        max=max(high, value),
        description=description or name,
        continuous_update=True,
        style={"description_width": "95px"},
        layout=widgets.Layout(width="330px"),
    )
    control.add_class(f"vizkit-slider-{name.replace('_', '-')}")
    return control


def error_html(message: str) -> str:
    """The status line for an impossible configuration."""
    return (
        "<div style='color:#b00020'>⚠ <b>Not a valid configuration.</b> "
        f"{html.escape(message)}</div>"
    )


def code_html(text: str) -> str:
    """Lines of text as ``<code>`` lines."""
    return "<br>".join(f"<code>{html.escape(line)}</code>" for line in text.splitlines())


class SceneExplorer(widgets.VBox):
    """Base class: controls on the left, the figure and the status line below.

    For a quick redraw in the browser (:mod:`vizkit.render.browser_layers`), a subclass may
    name in ``LABEL_IMAGES`` the heatmaps whose cell numbers, and the text scatters whose
    texts, are drawn as one picture each instead of one SVG text per label (plotly.js
    re-creates every label on every redraw; a step that changes them draws a new picture),
    and in ``SHAPES`` the reveal cover and outlines drawn as layout shapes above those
    pictures.
    """

    LABEL_IMAGES: tuple[str, ...] = ()
    SHAPES: tuple[str, ...] = ()

    def __init__(self, controls: list[widgets.Widget], css_class: str) -> None:
        self.figure = FigureWidget()
        self.status = widgets.HTML()
        self.status.add_class("vizkit-status")
        self.step = widgets.IntSlider(
            value=0,
            min=0,
            max=0,
            description="step",
            continuous_update=True,
            layout=widgets.Layout(width="420px"),
        )
        self.step.add_class("vizkit-step")
        self.play = widgets.Play(value=0, min=0, max=0, interval=SPEEDS_MS["normal"])
        self.speed = widgets.ToggleButtons(
            options=list(SPEEDS_MS),
            value="normal",
            description="speed",
            style={"button_width": "60px"},
        )
        widgets.jslink((self.play, "value"), (self.step, "value"))
        self.play.observe(self._sync_play, names="value")
        self.speed.observe(self._set_speed, names="value")
        self._scene: Any = None
        self._error: str | None = None
        self._shape: tuple[str, ...] = ()
        self._sent: list[dict[str, Any]] = []
        self._sent_layout: dict[str, Any] = {}
        self._moved: dict[int, dict[str, Any]] = {}  # trace index → trace drawn as a shape
        self._base_shapes: list[Any] = []
        # trace index → (its picture's index in layout.images, the trace with its labels)
        self._pictured: dict[int, tuple[int, dict[str, Any]]] = {}
        self.keyboard = KeyboardControl(self._on_key)
        player = widgets.HBox([self.play, self.step, self.speed, self.keyboard])
        super().__init__(
            children=[
                widgets.HBox(
                    [
                        widgets.VBox(controls[: (len(controls) + 1) // 2]),
                        widgets.VBox(controls[(len(controls) + 1) // 2 :]),
                    ]
                ),
                self.status,
                player,
                self.figure,
            ]
        )
        self.add_class(css_class)
        self.add_class("vizkit-keys")  # where self.keyboard listens
        for control in controls:
            control.observe(self._refresh, names="value")
        self.step.observe(self._show_step, names="value")

    # -- hooks for subclasses
    def _build(self) -> Scene:
        raise NotImplementedError

    def _status(self, scene: Any) -> str:
        raise NotImplementedError

    # -- public state
    @property
    def error(self) -> str | None:
        """The teaching message while the configuration is impossible, else ``None``."""
        return self._error

    @property
    def scene(self) -> Any:
        """The current render scene (``None`` while the configuration is impossible)."""
        return self._scene

    # -- wiring
    def _sync_play(self, change: dict[str, Any]) -> None:
        # jslink keeps them together in the browser; this keeps them together in Python.
        self.step.value = change["new"]

    def _set_speed(self, change: dict[str, Any]) -> None:
        self.play.interval = SPEEDS_MS[change["new"]]

    def _on_key(self, action: Action) -> None:
        """A key pressed in the explorer (see :mod:`vizkit.widgets.keyboard`)."""
        last = self.step.max
        if action == "play_pause":
            if not self.play.playing and self.step.value >= last:
                self._go_to(0)  # at the end: play again from the start
            self.play.playing = not self.play.playing
        elif action in ("faster", "slower"):
            names = list(SPEEDS_MS)  # slowest first
            index = names.index(self.speed.value) + (1 if action == "faster" else -1)
            self.speed.value = names[min(max(index, 0), len(names) - 1)]
        else:
            self.play.playing = False
            target = {
                "next": self.step.value + 1,
                "previous": self.step.value - 1,
                "first": 0,
                "last": last,
            }[action]
            self._go_to(min(max(target, 0), last))

    def _go_to(self, step: int) -> None:
        # Both: jslink joins them in the browser, but Python may run without one.
        self.play.value = step
        self.step.value = step

    def _refresh(self, change: object = None) -> None:
        """Controls changed: rebuild the scene and update the figure in place."""
        try:
            scene = self._build()
        except (GeometryError, ValueError) as err:
            self._scene, self._error = None, str(err)
            self.status.value = error_html(str(err))
            return
        self._scene, self._error = scene, None
        step = min(self.step.value, scene.n_steps - 1)
        traces, layout = self._browser_parts(scene.traces(step), scene.layout())
        shape = tuple(t["type"] for t in traces)
        if shape != self._shape:  # a different structure: replace the traces
            self.figure.data = ()
            self.figure.add_traces(traces)
            self._shape = shape
            self._sent = [dict(t) for t in traces]
            self._sent_layout = layout
            self.figure.layout = self._sent_layout
        else:
            changed = {
                k: v for k, v in layout.items() if _differs(self._sent_layout.get(k, _MISSING), v)
            }
            with self.figure.batch_update():
                for index, new in enumerate(traces):
                    self._update_trace(index, new)
                # only the parts that differ (usually the caption, sizes, images, shapes), each
                # assigned whole: plotly's layout.update merges and validates path by path,
                # 6× slower for these keys (20× for the list of images)
                for key, value in changed.items():
                    setattr(self.figure.layout, key, value)
            self._sent_layout.update(changed)
        for control in (self.step, self.play):
            control.max = scene.n_steps - 1
        self.status.value = self._status(scene)

    def _browser_parts(
        self, traces: list[dict[str, Any]], layout: dict[str, Any]
    ) -> tuple[list[dict[str, Any]], dict[str, Any]]:
        """The scene's traces and layout with LABEL_IMAGES and SHAPES applied."""
        self._pictured = {}
        if self.LABEL_IMAGES:
            labelled = traces
            traces, layout, slots = label_layers(traces, layout, self.LABEL_IMAGES)
            self._pictured = {i: (slot, labelled[i]) for i, slot in slots.items()}
        self._moved, self._base_shapes = {}, list(layout.get("shapes") or [])
        if self.SHAPES:
            traces, layout, self._moved = traces_as_shapes(traces, layout, self.SHAPES)
        return traces, layout

    def _show_step(self, change: object = None) -> None:
        """Step moved: replace only the traces that change from step to step."""
        if self._scene is None:
            return
        frame = self._scene.frame(min(self.step.value, self._scene.n_steps - 1))
        images = list(self._sent_layout.get("images") or [])
        with self.figure.batch_update():
            for index, new in zip(frame["traces"], frame["data"], strict=True):
                if index in self._moved:
                    self._moved[index] = {**self._moved[index], **new}
                elif index in self._pictured:
                    self._update_trace(index, self._repicture(index, new, images))
                else:
                    self._update_trace(index, new)
            if images != self._sent_layout.get("images", []):
                self.figure.layout.images = images
                self._sent_layout["images"] = images
            if self._moved:
                shapes = [*self._base_shapes, *(trace_shape(t) for t in self._moved.values())]
                if _differs(self._sent_layout.get("shapes"), shapes):
                    self.figure.layout.shapes = shapes
                    self._sent_layout["shapes"] = shapes

    def _repicture(
        self, index: int, new: dict[str, Any], images: list[dict[str, Any]]
    ) -> dict[str, Any]:
        """A frame's update of a trace drawn as a picture: redraw its picture into
        ``images`` (cached: an unchanged one costs a lookup) and return the update for the
        trace itself, without what the picture draws."""
        slot, full = self._pictured[index]
        full = {**full, **new}
        self._pictured[index] = (slot, full)
        if full.get("type") == "heatmap":
            images[slot] = label_image(full, cell_px(self._sent_layout))
            return strip_labels(new)  # what the picture draws stays off (as sent already)
        image = text_image(full, self._sent_layout)
        if image is None:  # the new texts would be clipped: plotly draws them (unclipped)
            images[slot] = {**images[slot], "visible": False}
            return {**{k: v for k, v in full.items() if k != "type"}, "visible": True}
        images[slot] = {**image, "visible": True}
        return {"visible": False}

    def _update_trace(self, index: int, new: dict[str, Any]) -> None:
        """Send only the properties that differ from what this explorer last sent.

        plotly validates every property it is given; most of a trace (colours, fonts, the
        kernel panel of the same filter) is unchanged from one step or setting to the next,
        so comparing plain Python values first saves most of the update's time.
        """
        sent = self._sent[index]
        changed = {
            k: v for k, v in new.items() if k != "type" and _differs(sent.get(k, _MISSING), v)
        }
        if changed:
            self.figure.data[index].update(changed)
            sent.update(changed)
