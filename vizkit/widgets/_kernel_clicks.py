"""Clicks that reach Python while a cell runs — the one module that uses ipykernel internals.

While a notebook cell runs, ipykernel's main thread is busy with it and handles no other
shell message: a click on a widget button waits in the queue until the cell ends, so a Stop
button could not stop the loop that the cell itself runs. ipykernel ≥ 7.4 receives every
shell message on a separate *shell channel* thread and, for a comm message, asks the target
comm where to route it — the comm's ``_reply_subshell_for(data, default)`` method, added for
kernel subshells. :func:`on_click_now` wraps that method on one button's comm: the wrapper
notices a click as the message passes through the shell channel thread, calls ``callback``
there and then, and routes the message exactly as before, so the button's ordinary
``on_click`` handlers still run when the main thread gets to the message (after the cell).

The callback runs on the shell channel thread: it must be quick and thread-safe (set a flag
or a ``threading.Event``; no widget updates), and it must tolerate the click arriving again
through ``on_click`` later. An exception in it is swallowed: message routing must never break.

Version guard and fallback: the wrapper is installed only when a kernel runs, it has a shell
channel thread, and its dispatcher calls ``_reply_subshell_for`` (checked once, in the
source). Elsewhere (plain Python, ipykernel < 7.4, another kernel) nothing is installed and
:func:`on_click_now` returns ``False``; the caller then tells the user to stop with ■
(interrupt the kernel). ``tests/widgets/test_kernel_clicks.py`` fails loudly when an ipykernel
upgrade removes the hook, and drives the mechanism through a real kernel.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping
from typing import Any

__all__ = ["is_click", "kernel_routes_comms", "on_click_now"]

_MARK = "_vizkit_on_click_now"


def is_click(data: Any) -> bool:
    """Whether a comm message's ``data`` is an ipywidgets ``Button`` click.

    >>> is_click({"method": "custom", "content": {"event": "click"}})
    True
    >>> is_click({"method": "update", "state": {"value": 3}})
    False
    """
    if not isinstance(data, Mapping) or data.get("method") != "custom":
        return False
    content = data.get("content")
    return isinstance(content, Mapping) and content.get("event") == "click"


@functools.cache
def _dispatcher_routes_comms() -> bool:
    """ipykernel's shell channel thread asks the comm where to route (ipykernel ≥ 7.4)."""
    import inspect

    try:
        from ipykernel.kernelbase import Kernel

        source = inspect.getsource(Kernel.shell_channel_thread_main)
    except (ImportError, AttributeError, OSError, TypeError):
        return False
    return "_reply_subshell_for" in source


def kernel_routes_comms() -> bool:
    """Whether this process is an ipykernel whose shell channel thread routes comm messages.

    False outside a kernel (tests, scripts), with ipykernel < 7.4, or with a kernel started
    without a shell channel thread.
    """
    try:
        from ipykernel.kernelbase import Kernel
    except ImportError:
        return False
    if not Kernel.initialized():
        return False
    kernel = Kernel.instance()
    if getattr(kernel, "shell_channel_thread", None) is None:
        return False
    return _dispatcher_routes_comms()


def _wrap(comm: Any, callback: Callable[[], None]) -> None:
    """Make ``comm``'s routing hook call ``callback`` on every button click passing through."""
    route = comm._reply_subshell_for
    if getattr(route, _MARK, None) is not None:  # wrapped before: add this callback
        getattr(route, _MARK).append(callback)
        return
    callbacks = [callback]

    def routed(data: Any, default: Any) -> Any:
        if is_click(data):
            for cb in callbacks:
                try:
                    cb()
                except Exception:  # never break the kernel's message routing
                    pass
        return route(data, default)

    setattr(routed, _MARK, callbacks)
    comm._reply_subshell_for = routed


def on_click_now(button: Any, callback: Callable[[], None]) -> bool:
    """Call ``callback`` as soon as ``button`` is clicked, even while a cell blocks the kernel.

    Args:
        button: An ``ipywidgets.Button`` (anything whose ``comm`` carries the hook).
        callback: Called on ipykernel's shell channel thread: quick and thread-safe (set a
            ``threading.Event``), and harmless when the click also reaches ``on_click`` later.

    Returns:
        ``True`` if installed; ``False`` where the kernel cannot deliver clicks while a cell
        runs (see the module docstring): there only interrupting the kernel (■) stops it.
    """
    comm = getattr(button, "comm", None)
    if comm is None or not callable(getattr(comm, "_reply_subshell_for", None)):
        return False
    if not kernel_routes_comms():
        return False
    _wrap(comm, callback)
    return True
