"""Keyboard stepping, driven in code: the key map, the Stepper around a plotly animation, the
explorers' keys, and the figure state an explorer hands to a page that connects late (Voilà).
The browser half (real keys in JupyterLab and Voilà) is tests/browser/test_lecture_mode.py."""

from __future__ import annotations

import gzip
import json
import re
from typing import Any

import numpy as np
import plotly.graph_objects as go
import pytest

import vizkit.widgets.keyboard as keyboard
from vizkit.render._grid import SPEEDS, polygon_cells
from vizkit.render.browser_layers import path_points
from vizkit.render.conv import conv_animation
from vizkit.sliding import conv2d_trace
from vizkit.widgets.conv_explorer import ConvExplorer
from vizkit.widgets.keyboard import ACTIONS, KEYS, KeyboardControl, Stepper


@pytest.fixture
def animation() -> go.Figure:
    x = np.arange(25.0).reshape(1, 5, 5)
    return conv_animation(conv2d_trace(x, np.ones((1, 1, 3, 3))))  # 9 frames


@pytest.fixture
def explorer() -> ConvExplorer:
    return ConvExplorer(input_height=5, input_width=5, kernel_size=3)  # 9 steps


def _window(e: ConvExplorer) -> list[tuple[int, int]]:
    shape = next(s for s in e.figure.layout.shapes if s.name == "window")  # drawn as a shape
    return polygon_cells(*path_points(shape.path))


# --- the key map and the JavaScript that reads it ----------------------------------------------


def test_every_action_has_a_key_and_the_arrows_space_plus_minus_are_there() -> None:
    assert set(KEYS.values()) == set(ACTIONS)
    assert KEYS["ArrowRight"] == "next" and KEYS["ArrowLeft"] == "previous"
    assert KEYS[" "] == "play_pause"
    assert KEYS["+"] == KEYS["="] == "faster" and KEYS["-"] == KEYS["_"] == "slower"


def test_the_javascript_handles_every_action_and_listens_for_keys() -> None:
    js = keyboard._ESM.read_text()
    for action in ACTIONS:
        assert f"'{action}'" in js, f"keyboard.js does not handle {action!r}"
    for needed in ("addEventListener('keydown'", "Plotly.animate", "preventDefault", "focus("):
        assert needed in js
    # the views the two Python classes ask for
    assert "'stepper'" in js and Stepper._mode.default_value == "stepper"
    assert KeyboardControl._mode.default_value == "explorer"


# --- Stepper: a plotly animation that answers the keyboard -------------------------------------


def test_stepper_sends_the_whole_figure_and_the_key_map(animation: go.Figure) -> None:
    stepper = Stepper(animation)
    state = stepper.get_state()
    sent = json.loads(state["_figure"])
    assert [f["name"] for f in sent["frames"]] == [f.name for f in animation.frames]
    assert len(sent["data"]) == len(animation.data) == 9
    assert sent["layout"]["sliders"][0]["steps"][3]["args"][0] == ["3"]
    assert state["_keys"] == dict(KEYS)
    assert state["_speeds"] == [list(s) for s in SPEEDS]
    assert re.fullmatch(r"\d+\.\d+\.\d+", state["_plotly_version"])
    assert (stepper.step, stepper.playing, stepper.speed, stepper.n_steps) == (
        0,
        False,
        "normal",
        9,
    )
    assert stepper.figure is animation


def test_stepper_state_can_be_set_from_python_within_range(animation: go.Figure) -> None:
    stepper = Stepper(animation, step=2, speed="fast")
    assert (stepper.step, stepper.speed) == (2, "fast")
    stepper.step = 8
    stepper.playing = True
    assert stepper.get_state("step") == {"step": 8}
    with pytest.raises(ValueError, match=r"^step 9 is out of range: this animation has 9 frames"):
        stepper.step = 9
    with pytest.raises(
        ValueError, match=r"^speed 'warp' is not one of \('slow', 'normal', 'fast'\)"
    ):
        stepper.speed = "warp"
    assert stepper.step == 8


def test_stepper_refuses_what_it_cannot_step(animation: go.Figure) -> None:
    with pytest.raises(TypeError, match=r"Stepper wraps a plotly go\.Figure with frames"):
        Stepper({"data": []})  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="this figure has no frames, so there is nothing to step"):
        Stepper(go.Figure())
    with pytest.raises(ValueError, match="step -1 is out of range"):
        Stepper(animation, step=-1)


def test_stepper_sends_plotly_js_once_asked(
    animation: go.Figure, monkeypatch: pytest.MonkeyPatch
) -> None:
    stepper = Stepper(animation)
    sent: list[tuple[Any, Any]] = []
    monkeypatch.setattr(
        stepper, "send", lambda content, buffers=None: sent.append((content, buffers))
    )
    stepper._answer(stepper, {"type": "something else"}, [])
    assert sent == []
    stepper._answer(stepper, {"type": "plotly.js?", "gzip": True}, [])
    stepper._answer(stepper, {"type": "plotly.js?", "gzip": False}, [])
    (zipped, zipped_buffers), (plain, plain_buffers) = sent
    assert zipped == {"type": "plotly.js", "gzip": True} and plain["gzip"] is False
    source = gzip.decompress(zipped_buffers[0])
    assert source == plain_buffers[0]
    assert source.startswith(b"/**\n* plotly.js v" + stepper._plotly_version.encode())
    assert len(zipped_buffers[0]) < len(source) / 2


# --- explorers: the keys move the step slider, Play and speed ---------------------------------


def test_arrows_step_the_explorer_and_redraw_the_window(explorer: ConvExplorer) -> None:
    first = _window(explorer)
    assert explorer.keyboard.press("ArrowRight") == "next"
    assert (explorer.step.value, explorer.play.value) == (1, 1)
    assert _window(explorer) == [(r, c + 1) for r, c in first]
    explorer.keyboard.press("ArrowLeft")
    assert explorer.step.value == 0 and _window(explorer) == first
    explorer.keyboard.press("ArrowLeft")  # already at the first step: stays
    assert explorer.step.value == 0
    explorer.keyboard.press("End")
    assert explorer.step.value == 8
    explorer.keyboard.press("ArrowRight")  # already at the last: stays
    assert explorer.step.value == 8
    explorer.keyboard.press("Home")
    assert explorer.step.value == 0


def test_space_plays_and_pauses_from_the_start_when_at_the_end(explorer: ConvExplorer) -> None:
    explorer.keyboard.press(" ")
    assert explorer.play.playing is True
    explorer.keyboard.press("ArrowRight")  # stepping pauses
    assert explorer.play.playing is False and explorer.step.value == 1
    explorer.keyboard.press("End")
    explorer.keyboard.press(" ")
    assert explorer.play.playing is True and explorer.step.value == 0
    explorer.keyboard.press(" ")
    assert explorer.play.playing is False


def test_plus_and_minus_change_the_speed_within_its_choices(explorer: ConvExplorer) -> None:
    assert explorer.speed.value == "normal"
    explorer.keyboard.press("+")
    assert (explorer.speed.value, explorer.play.interval) == ("fast", 120)
    explorer.keyboard.press("=")
    assert explorer.speed.value == "fast"
    for _ in range(3):
        explorer.keyboard.press("-")
    assert (explorer.speed.value, explorer.play.interval) == ("slow", 900)


def test_keys_from_the_browser_arrive_as_actions(explorer: ConvExplorer) -> None:
    explorer.keyboard._receive(explorer.keyboard, {"type": "action", "action": "next"}, [])
    assert explorer.step.value == 1
    for junk in ({"type": "action", "action": "explode"}, {"action": "next"}, "next", None):
        explorer.keyboard._receive(explorer.keyboard, junk, [])
    assert explorer.step.value == 1


def test_a_key_that_does_nothing_says_which_do(explorer: ConvExplorer) -> None:
    with pytest.raises(ValueError, match=r"^key 'q' does nothing here: use one of \[' ', '\+'"):
        explorer.keyboard.press("q")
    with pytest.raises(TypeError, match="key must be a str"):
        explorer.keyboard.press(39)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="on_action must be callable"):
        KeyboardControl("next")  # type: ignore[arg-type]


def test_the_explorer_box_is_where_the_keys_listen(explorer: ConvExplorer) -> None:
    assert "vizkit-keys" in explorer._dom_classes
    assert explorer.keyboard in explorer.children[2].children  # in the player row


# --- the figure a late page (Voilà) receives ---------------------------------------------------


def test_displaying_an_explorer_hands_over_its_current_figure(explorer: ConvExplorer) -> None:
    # Filled after it was created, the figure's full state (what Voilà or a reloaded tab asks
    # for) is the figure the explorer shows, before and after it is displayed.
    before = [t["name"] for t in explorer.figure.get_state()["_widget_data"]]
    assert before == [t.name for t in explorer.figure.data] and "window" in before
    bundle = explorer._repr_mimebundle_()
    assert "application/vnd.jupyter.widget-view+json" in bundle
    names = [t["name"] for t in explorer.figure.get_state()["_widget_data"]]
    assert names == [t.name for t in explorer.figure.data] and "window" in names
    layout = explorer.figure.get_state()["_widget_layout"]
    assert layout["title"]["text"] == explorer.figure.layout.title.text
