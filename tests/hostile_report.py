"""Issue 13's figures: per room, the public entry points the hostile property tests cover, the
ones they do not, and how many bad-argument calls the tests made.

Usage (from the repository root)::

    VIZKIT_HOSTILE_REPORT=/tmp/counts.tsv pytest tests/*/test_hostile*.py tests/test_hostile_*.py
    python -m tests.hostile_report /tmp/counts.tsv

The first command appends ``room:entry<TAB>calls`` for every entry point the tests called
(:data:`tests.hostile.COUNTS`); the second reads it (optional) and compares the test tables
with each room's ``__all__``. An entry point is covered when a table's entry calls that very
object, or is named after it (``"Downsampler.forward"`` covers ``Downsampler``). Names in
``__all__`` that are not functions or classes (constants, ``Literal`` aliases) are skipped;
dataclasses (mostly results such as ``FitResult``), exceptions, warnings and calls that take no
arguments (``StopRequest()``) are listed apart.
"""

from __future__ import annotations

import collections
import dataclasses
import importlib
import inspect
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
ROOMS = (
    "geometry",
    "sliding",
    "render",
    "inspect",
    "data",
    "dip",
    "train",
    "zoo",
    "demos",
    "device",
    "widgets",
    "export",
    "cli",
)


def tables() -> dict[str, dict[str, Any]]:
    """``test module → TABLE`` for every hostile test module."""
    found = {}
    for path in sorted(ROOT.glob("tests/**/test_hostile*.py")):
        name = ".".join(path.relative_to(ROOT).with_suffix("").parts)
        module = importlib.import_module(name)
        found[name] = getattr(module, "TABLE", {})
    return found


def _is_entry_point(obj: object) -> bool:
    return inspect.isfunction(obj) or inspect.isclass(obj) or inspect.isbuiltin(obj)


def _is_record(obj: object) -> bool:
    """A dataclass (mostly what the package returns: ``FitResult``, ``ConvTrace``), an
    exception or a warning: listed apart from the functions and classes users call."""
    return inspect.isclass(obj) and (
        dataclasses.is_dataclass(obj) or issubclass(obj, (Exception, Warning))
    )


def _takes_nothing(obj: object) -> bool:
    """A function or class called without arguments (``StopRequest()``): nothing to refuse."""
    try:
        parameters = inspect.signature(obj).parameters  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return False
    return not parameters


def public(room: str) -> dict[str, object]:
    """``name → object`` for a room's ``__all__`` (or its public submodules' when it has none,
    as ``vizkit.render``)."""
    module = importlib.import_module(f"vizkit.{room}")
    names = getattr(module, "__all__", None)
    if names is not None:
        return {name: getattr(module, name, None) for name in names}
    found: dict[str, object] = {}
    folder = ROOT / "vizkit" / room
    for path in sorted(folder.glob("[!_]*.py")):
        sub = importlib.import_module(f"vizkit.{room}.{path.stem}")
        found.update({name: getattr(sub, name, None) for name in getattr(sub, "__all__", [])})
    return found


#: Entry points covered by a property test that is not a table: the CLI test drives ``main``.
COVERED_ELSEWHERE = {"cli": {"main"}}


def coverage() -> dict[str, tuple[list[str], list[str], list[str]]]:
    """``room → (covered, not covered, result classes not covered)`` public names."""
    entries = [(key, spec) for table in tables().values() for key, spec in table.items()]
    objects = {id(spec.call) for _, spec in entries}
    keys = {key.split(".")[0].split("(")[0] for key, _ in entries}
    out = {}
    for room in ROOMS:
        covered, missing, results = [], [], []
        for name, obj in sorted(public(room).items()):
            if not _is_entry_point(obj):
                continue
            if id(obj) in objects or name in keys or name in COVERED_ELSEWHERE.get(room, ()):
                covered.append(name)
            elif _is_record(obj):
                results.append(name)
            elif _takes_nothing(obj):
                results.append(f"{name}()")
            else:
                missing.append(name)
        out[room] = (covered, missing, results)
    return out


def calls(path: str) -> collections.Counter[str]:
    """Bad-argument calls per room from a ``VIZKIT_HOSTILE_REPORT`` file."""
    per_room: collections.Counter[str] = collections.Counter()
    for line in Path(path).read_text().splitlines():
        label, _, n = line.rpartition("\t")
        room, _, entry = label.partition(":")
        if room == "test_hostile_export_cli":  # tests/test_hostile_export_cli.py: two rooms
            room = "render" if entry == "figure_frames" else "export"
        per_room[room] += int(n)
    return per_room


def main(argv: list[str]) -> None:
    counted = calls(argv[0]) if argv else collections.Counter()
    print(f"{'room':10} {'covered':>7} {'not':>4} {'calls':>6}  not covered")
    total_covered = total_missing = 0
    for room, (covered, missing, results) in coverage().items():
        total_covered += len(covered)
        total_missing += len(missing)
        note = ", ".join(missing) + (
            f" (records, no-argument calls: {', '.join(results)})" if results else ""
        )
        print(f"{room:10} {len(covered):7} {len(missing):4} {counted.get(room, 0):6}  {note}")
    others = {r: n for r, n in counted.items() if r not in ROOMS}
    if others:
        print("calls counted under other labels:", dict(others))
    print(
        f"total: {total_covered} entry points covered, {total_missing} not; "
        f"{sum(counted.values())} bad-argument calls"
    )


if __name__ == "__main__":
    main(sys.argv[1:])
