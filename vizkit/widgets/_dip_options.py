"""The ``**options`` a Deep Image Prior panel passes to a task, checked when the panel is made.

:class:`~vizkit.widgets.dip_panel.DIPPanel` and :class:`~vizkit.widgets.dip_compare.
DIPComparePanel` hand their ``**options`` to :func:`vizkit.dip.denoise` / ``inpaint`` /
``super_resolve``, which pass what they do not take themselves on to :func:`vizkit.dip.fit`.
A misspelt name would fail only when Run is pressed, minutes later; this checks the names
against those signatures (plus the preset fields the tasks accept) and the common values now.
"""

from __future__ import annotations

import importlib
import inspect
from collections.abc import Collection, Mapping
from typing import Any

from vizkit._suggest import suggestion
from vizkit._validate import check_bool, check_number, check_optional_int, check_seed

__all__ = ["check_task_options", "task_options"]

#: Preset fields a task takes in ``**options`` (``vizkit.dip.tasks._PRESET_FIELDS``).
_PRESET_FIELDS = ("lr", "reg_noise_std", "ema", "input_scale")
#: Parameters of the task and of ``fit`` that are not options: the data, and what the task
#: passes to ``fit`` itself.
_NOT_OPTIONS = ("options", "net", "z", "loss_fn", "noisy", "image", "mask", "low_res", "present")


def task_options(task: str) -> frozenset[str]:
    """Every name ``task``'s ``**options`` may hold: its own keywords, ``fit``'s, presets'."""
    tasks = importlib.import_module("vizkit.dip.tasks")  # the functions, even when patched
    fit = importlib.import_module("vizkit.dip.fit").fit  # (vizkit.dip.fit is the function)
    names = {
        *inspect.signature(getattr(tasks, task)).parameters,
        *inspect.signature(fit).parameters,
        *_PRESET_FIELDS,
    }
    return frozenset(names - set(_NOT_OPTIONS))


def check_task_options(
    task: str, options: Mapping[str, Any], *, owned: Collection[str], why: str, fix: str
) -> None:
    """Refuse an option ``task`` does not take, or one the panel sets itself; check values.

    Args:
        task: ``"denoise"``, ``"inpaint"`` or ``"super_resolve"``.
        options: the panel's ``**options``.
        owned: names the panel sets itself (its Stop button's ``stop``, ``callback`` …).
        why: what the panel uses them for, for the message.
        fix: what to do instead, for the message.

    Raises:
        TypeError: an owned or unknown name (closest names suggested), or a value of the
            wrong kind.
        ValueError: a value out of range (``lr`` ≤ 0, ``steps`` below 1 …).
    """
    known = task_options(task) - set(owned)
    for name, value in options.items():
        if name in owned:
            raise TypeError(f"{name} is set by the panel itself ({why}): {fix}")
        if name not in known:
            raise TypeError(
                f"{name} is not an option of {task}: "
                + suggestion(name, sorted(known), what="option")
            )
        if name in ("lr", "input_scale"):
            check_number(name, value, above=0.0, fix="use e.g. 0.01 (lr) or 0.1 (input_scale)")
        elif name == "reg_noise_std":
            check_number(name, value, minimum=0.0, fix="use 0 (off) or e.g. 1/30")
        elif name == "ema" and value is not None:
            check_number(name, value, minimum=0.0, below=1.0, fix="use e.g. ema=0.99, or None")
        elif name == "steps":
            check_optional_int(name, value, minimum=1, maximum=1_000_000)
        elif name == "seed":
            check_seed(value)
        elif name in ("snapshot_every", "patience"):
            check_optional_int(name, value, minimum=1)
        elif name == "progress":
            check_bool(name, value)
