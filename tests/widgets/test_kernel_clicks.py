"""Clicks delivered while a cell runs: the ipykernel hook, its version guard, a real kernel."""

from __future__ import annotations

import json
import queue
import textwrap
import time
from typing import Any

import ipywidgets as widgets
import pytest

from vizkit.widgets import _kernel_clicks
from vizkit.widgets._kernel_clicks import is_click, kernel_routes_comms, on_click_now

CLICK = {"method": "custom", "content": {"event": "click"}}


class FakeComm:
    """The part of ipykernel's comm the hook uses: the routing method."""

    def __init__(self) -> None:
        self.routed: list[tuple[Any, Any]] = []

    def _reply_subshell_for(self, data: Any, default: Any) -> Any:
        self.routed.append((data, default))
        return f"route-of-{default}"


class FakeButton:
    def __init__(self) -> None:
        self.comm = FakeComm()


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (CLICK, True),
        ({"method": "custom", "content": {"event": "dblclick"}}, False),
        ({"method": "update", "state": {"value": 1}}, False),
        ({"method": "custom"}, False),
        (None, False),
        ("click", False),
    ],
)
def test_is_click(data: Any, expected: bool) -> None:
    assert is_click(data) is expected


def test_the_wrapper_calls_back_on_clicks_and_routes_every_message_as_before(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(_kernel_clicks, "kernel_routes_comms", lambda: True)
    button = FakeButton()
    seen: list[str] = []
    assert on_click_now(button, lambda: seen.append("first"))
    assert on_click_now(button, lambda: seen.append("second"))  # a second callback adds up

    def broken() -> None:
        raise RuntimeError("a bug in a callback must not break message routing")

    assert on_click_now(button, broken)
    update = {"method": "update", "state": {"value": 3}}
    assert button.comm._reply_subshell_for(update, "main") == "route-of-main"
    assert seen == []
    assert button.comm._reply_subshell_for(CLICK, None) == "route-of-None"
    assert seen == ["first", "second"]
    assert button.comm.routed == [(update, "main"), (CLICK, None)]  # each routed exactly once


def test_nothing_is_installed_outside_a_kernel() -> None:
    button = widgets.Button()
    assert not kernel_routes_comms()  # pytest is not an ipykernel
    assert on_click_now(button, lambda: None) is False
    assert on_click_now(object(), lambda: None) is False  # no comm at all


def test_the_installed_ipykernel_still_routes_comm_messages_through_the_hook() -> None:
    """Fails on an ipykernel upgrade that drops the hook: Stop would then need ■ again."""
    ipykernel = pytest.importorskip("ipykernel")
    version = tuple(int(p) for p in ipykernel.__version__.split(".")[:2])
    if version < (7, 4):
        pytest.skip(f"ipykernel {ipykernel.__version__} predates the hook (7.4): ■ stops runs")
    from ipykernel.comm.comm import BaseComm

    assert _kernel_clicks._dispatcher_routes_comms(), (
        f"ipykernel {ipykernel.__version__}'s shell channel thread no longer calls "
        "comm._reply_subshell_for: a Stop click cannot reach a running cell; update "
        "vizkit/widgets/_kernel_clicks.py"
    )
    comm = BaseComm(target_name="vizkit-test", primary=False)
    assert comm._reply_subshell_for(CLICK, "default") == "default"


# --- the whole chain in a real kernel: the training cell blocks, a click stops it ------------

_SETUP = """
import threading, torch
from torch import nn
from torch.utils.data import TensorDataset
from vizkit.train import Callback, fit
from vizkit.widgets.training_monitor import TrainingMonitor

torch.manual_seed(0)
x = torch.randn(256, 1, 8, 8); y = (x[:, 0, :4].mean((1, 2)) > 0).long()
data = TensorDataset(x, y)
monitor = TrainingMonitor(every=5)

class Announce(Callback):
    def on_step_end(self, state):
        if state.step == 30:
            print("TRAINING-RUNS", flush=True)

print(json.dumps({"comm": monitor.stop_button.comm.comm_id,
                  "now": monitor.stops_while_busy}))
"""

_TRAIN = """
result = fit(nn.Sequential(nn.Flatten(), nn.Linear(64, 2)), data, val=data, steps=10**7,
             seconds=90, eval_every=20, callbacks=[Announce(), monitor], progress=False,
             device="cpu", cpu_threads=1)
print(json.dumps({"reason": result.stop_reason, "steps": result.steps,
                  "best_step": result.best_step}))
"""


def _output(kc: Any, code: str, timeout: float) -> tuple[list[str], list[tuple[str, str]]]:
    """Run ``code``; its stdout lines and the kernel status changes until its reply."""
    msg_id = kc.execute(code)
    lines: list[str] = []
    statuses: list[tuple[str, str]] = []
    deadline = time.monotonic() + timeout
    while True:
        msg = kc.get_iopub_msg(timeout=max(0.1, deadline - time.monotonic()))
        parent = msg["parent_header"].get("msg_id")
        if msg["msg_type"] == "status":
            statuses.append(
                (msg["parent_header"].get("msg_type", ""), msg["content"]["execution_state"])
            )
            if parent == msg_id and msg["content"]["execution_state"] == "idle":
                return lines, statuses
        elif msg["msg_type"] == "stream" and parent == msg_id:
            lines += msg["content"]["text"].splitlines()
        elif msg["msg_type"] == "error" and parent == msg_id:
            raise AssertionError("\n".join(msg["content"]["traceback"]))


def test_a_click_stops_training_that_blocks_its_cell_in_a_real_kernel() -> None:
    """The chain a browser uses: comm_msg → shell channel thread → the loop stops."""
    ipykernel = pytest.importorskip("ipykernel")
    if not _kernel_clicks._dispatcher_routes_comms():
        pytest.skip(f"ipykernel {ipykernel.__version__} cannot deliver clicks during a cell")
    from jupyter_client.manager import start_new_kernel

    km, kc = start_new_kernel(kernel_name="python3", startup_timeout=120)
    try:
        lines, _ = _output(kc, "import json\n" + textwrap.dedent(_SETUP), timeout=120)
        info = json.loads(lines[-1])
        assert info["now"] is True
        msg_id = kc.execute(textwrap.dedent(_TRAIN))
        lines, statuses = [], []
        clicked_at = None
        deadline = time.monotonic() + 120
        while True:
            try:
                msg = kc.get_iopub_msg(timeout=max(0.1, deadline - time.monotonic()))
            except queue.Empty:
                pytest.fail(f"the training cell did not end within 120 s; output {lines}")
            parent = msg["parent_header"].get("msg_id")
            kind = msg["msg_type"]
            if kind == "status":
                statuses.append(msg["content"]["execution_state"])
                if parent == msg_id and statuses[-1] == "idle":
                    break
            elif kind == "stream" and parent == msg_id:
                lines += msg["content"]["text"].splitlines()
                if "TRAINING-RUNS" in lines and clicked_at is None:
                    click = {"comm_id": info["comm"], "data": CLICK}
                    kc.shell_channel.send(kc.session.msg("comm_msg", click))
                    clicked_at = time.monotonic()
            elif kind == "error" and parent == msg_id:
                pytest.fail("\n".join(msg["content"]["traceback"]))
        assert clicked_at is not None, f"training never announced itself: {lines}"
        result = json.loads(lines[-1])
        assert result["reason"] == "stopped", result
        assert 30 <= result["steps"] < 10**7 and result["best_step"] <= result["steps"]
        # the cell stayed busy from start to end: no "idle" before the cell's own
        assert statuses[-1] == "idle" and "idle" not in statuses[:-1], statuses
        # the click queued for the main thread is handled after the cell, harmlessly
        lines, _ = _output(kc, "print(monitor.stop_requested, monitor.status.value)", 60)
        assert "Stop button" in lines[-1] and "stop requested" not in lines[-1]
    finally:
        kc.stop_channels()
        km.shutdown_kernel(now=True)
