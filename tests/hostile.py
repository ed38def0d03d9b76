"""Hostile arguments, and the one assertion every public entry point must pass with them.

A careless or curious user passes the wrong kind (``"3"``, ``2.5``, ``None``, a class instead
of a model), a wrong value (0, negatives, NaN, ±inf, 10⁹, an empty or wrong-rank tensor).
Each ``bad_*`` function returns a hypothesis strategy of values that are wrong for one kind of
parameter; :func:`assert_refuses` calls the entry point with one of them and checks the
contract (issue 13):

* only ``TypeError`` or ``ValueError`` (or a subclass) escapes;
* the message names the parameter;
* the call returns within :data:`SECONDS` (a hang is stopped by an alarm and reported);
* its peak memory (the process's resident high-water mark, reset before the call) rises by
  less than vizkit's budget, :data:`vizkit._validate.MEMORY_BUDGET_BYTES`.

A test table lists, per entry point, a function that builds valid arguments and the strategy of
bad values per parameter (:class:`Entry`); :func:`hostile_test` turns a table into one
property-based test per entry point. ``VIZKIT_HOSTILE_REPORT=path`` appends how many bad
calls each entry point made (for the closing note of issue 13).
"""

from __future__ import annotations

import atexit
import collections
import math
import os
import re
import signal
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pytest
import torch
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from torch import nn

from vizkit._validate import MEMORY_BUDGET_BYTES

#: A refusal must come back within this many seconds (it is checked before any work, so it
#: normally takes microseconds; the margin is for a loaded 2-core CI machine).
SECONDS = 10.0
#: A call still running after this long is a hang: an alarm stops it and the test fails.
HANG_SECONDS = 30

#: Examples per entry point: enough to hit every kind of bad value for each parameter a few
#: times, few enough that all the tables together add about a minute to ``make test``.
EXAMPLES = 40

HOSTILE = settings(
    max_examples=EXAMPLES,
    deadline=None,
    database=None,  # a fixed, reproducible set per run; no replay of earlier failures
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)

COUNTS: collections.Counter[str] = collections.Counter()


def _write_counts() -> None:
    path = os.environ.get("VIZKIT_HOSTILE_REPORT")
    if path and COUNTS:
        with open(path, "a") as fh:
            for name, n in sorted(COUNTS.items()):
                fh.write(f"{name}\t{n}\n")


atexit.register(_write_counts)


class Hang(Exception):
    """Raised by the alarm when a call runs past :data:`HANG_SECONDS`."""


def _on_alarm(signum: int, frame: object) -> None:
    raise Hang(f"still running after {HANG_SECONDS} s")


def _high_water_bytes() -> tuple[int, int]:
    """(current resident set, peak resident set) of this process, in bytes (Linux)."""
    try:
        with open("/proc/self/status") as fh:
            status = fh.read()
    except OSError:  # pragma: no cover - not Linux: no memory check
        return (0, 0)
    rss = int(re.search(r"VmRSS:\s+(\d+)", status).group(1)) * 1024
    hwm = int(re.search(r"VmHWM:\s+(\d+)", status).group(1)) * 1024
    return rss, hwm


def _reset_high_water() -> None:
    try:
        with open("/proc/self/clear_refs", "w") as fh:
            fh.write("5")  # resets VmHWM to the current RSS (Linux ≥ 4.0)
    except OSError:  # pragma: no cover
        pass


@dataclass
class Measured:
    """What one call did: its exception (None when it returned), seconds, peak memory rise."""

    error: BaseException | None
    seconds: float
    peak_bytes: int
    result: Any = None


def measure(call: Callable[[], Any]) -> Measured:
    """Run ``call`` under a hang alarm, timing it and measuring its peak memory rise."""
    _reset_high_water()
    before, _ = _high_water_bytes()
    previous = signal.signal(signal.SIGALRM, _on_alarm)
    signal.alarm(HANG_SECONDS)
    start = time.perf_counter()
    error: BaseException | None = None
    result = None
    try:
        result = call()
    except Hang:
        raise
    except BaseException as err:  # classified by the caller
        error = err
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)
    seconds = time.perf_counter() - start
    _, peak = _high_water_bytes()
    return Measured(error, seconds, max(0, peak - before), result)


def assert_refuses(
    call: Callable[[], Any], name: str, value: object, *, entry: str = "", names: Sequence[str] = ()
) -> None:
    """``call`` (which passes ``value`` as parameter ``name``) must refuse it by the contract.

    Args:
        call: runs the entry point with one bad argument.
        name: the parameter given the bad value; the message must contain it (or one of
            ``names``, for a parameter known by another name in the message, e.g. ``--stride``).
        value: the bad value (for the failure message).
        entry: the entry point's name, for counting and messages.
    """
    COUNTS[entry or "?"] += 1
    shown = _show(value)
    m = measure(call)
    assert m.peak_bytes < MEMORY_BUDGET_BYTES, (
        f"{entry}({name}={shown}) raised peak memory by {m.peak_bytes / 2**30:.2f} GiB"
    )
    assert m.seconds < SECONDS, f"{entry}({name}={shown}) took {m.seconds:.1f} s"
    if m.error is None:
        pytest.fail(f"{entry}({name}={shown}) accepted the bad value silently")
    if not isinstance(m.error, (TypeError, ValueError)):
        raise AssertionError(
            f"{entry}({name}={shown}) raised {type(m.error).__name__}, not TypeError/ValueError"
        ) from m.error
    message = str(m.error)
    wanted = (name, *names)
    assert any(w in message for w in wanted), (
        f"{entry}({name}={shown}): the {type(m.error).__name__} does not name {name!r}: {message!r}"
    )


def _show(value: object) -> str:
    if isinstance(value, torch.Tensor | np.ndarray):
        return f"<{type(value).__name__} {tuple(value.shape)} {value.dtype}>"
    text = repr(value)
    return text if len(text) < 80 else text[:77] + "..."


# --- strategies of wrong values, per kind of parameter -----------------------------------------

WRONG_KINDS = st.sampled_from(["3", b"3", [3], {"a": 3}, object(), 1 + 2j, print])
NON_FINITE = st.sampled_from([math.nan, math.inf, -math.inf])
HUGE = st.sampled_from([10**9, 2**31, 10**12, 2**63])


def bad_int(
    minimum: int | None = 1,
    maximum: int | None = None,
    *,
    optional: bool = False,
    huge: bool = False,
) -> st.SearchStrategy[Any]:
    """Values wrong for an int parameter: other kinds, floats, NaN/inf, out-of-range ints.

    Args:
        minimum, maximum: the allowed range; values outside it are generated.
        optional: ``None`` is allowed (else it is one of the bad values).
        huge: 10⁹-sized values are wrong too (sizes and counts that would allocate or run for
            ever must be refused, not attempted).
    """
    options = [
        WRONG_KINDS,
        st.sampled_from([2.5, 3.0, True, False, np.float64(2.0)]),
        NON_FINITE,
    ]
    if not optional:
        options.append(st.none())
    if minimum is not None:
        options.append(st.integers(max_value=minimum - 1, min_value=minimum - 10**9))
        options.append(st.just(minimum - 1))
    if maximum is not None:
        options.append(st.integers(min_value=maximum + 1, max_value=maximum + 10**9))
    if huge:
        options.append(HUGE)
    return st.one_of(*options)


def bad_number(
    minimum: float | None = None,
    maximum: float | None = None,
    *,
    above: float | None = None,
    below: float | None = None,
    optional: bool = False,
) -> st.SearchStrategy[Any]:
    """Values wrong for a float parameter: other kinds, bools, NaN/inf, out of range."""
    options = [WRONG_KINDS, st.sampled_from([True, "0.5"]), NON_FINITE]
    if not optional:
        options.append(st.none())
    low = minimum if minimum is not None else above
    high = maximum if maximum is not None else below
    if low is not None:
        options.append(st.floats(max_value=low, exclude_max=minimum is not None, min_value=-1e12))
    if high is not None:
        options.append(st.floats(min_value=high, exclude_min=maximum is not None, max_value=1e12))
    return st.one_of(*options)


def bad_bool() -> st.SearchStrategy[Any]:
    """Values wrong for a bool flag (0/1 and strings such as ``"false"`` are refused)."""
    return st.sampled_from(["yes", "false", 2, None, [], 0.5, math.nan])


def bad_choice(valid: Sequence[Any], *, optional: bool = False) -> st.SearchStrategy[Any]:
    """Values wrong for a closed choice: unknown strings, near misses, other kinds."""
    near = [v.upper() + "x" for v in valid if isinstance(v, str)][:3]
    options: list[Any] = ["nonsense", "", *near, 3, 2.5, ["max"], object()]
    if not optional:
        options.append(None)
    return st.sampled_from(options)


def bad_seed() -> st.SearchStrategy[Any]:
    """Seeds torch or numpy would refuse (or silently convert): floats, None, negatives, 2⁶⁴."""
    return st.sampled_from([2.5, None, -1, "0", math.nan, True, 2**64, [0], -(10**9)])


def bad_str(*, optional: bool = False) -> st.SearchStrategy[Any]:
    """Values wrong for a free-text parameter (empty, other kinds)."""
    options: list[Any] = [3, 2.5, b"name", ["a"], object()]
    if not optional:
        options.append(None)
    return st.sampled_from(options)


def bad_layer() -> st.SearchStrategy[Any]:
    """Layer names that are not in the model, and things that are not names."""
    return st.sampled_from(["nope", "features.99", "0.weight", 3, None, 2.5, ["nope"], b"0"])


def bad_module() -> st.SearchStrategy[Any]:
    """Things that are not an ``nn.Module``: None, strings, a class, a function, a tensor."""
    return st.sampled_from(
        [None, "alexnet", 3, nn.Conv2d, (lambda x: x), torch.zeros(3), [nn.ReLU()], object()]
    )


def _tensor(shape: tuple[int, ...], fill: float | None = None, dtype: Any = None) -> torch.Tensor:
    t = torch.rand(*shape, generator=torch.Generator().manual_seed(0))
    if fill is not None:
        t = t.clone()
        t.view(-1)[0] = fill
    return t if dtype is None else t.to(dtype)


def bad_tensor(
    shape: tuple[int, ...],
    *,
    wrong_shapes: Sequence[tuple[int, ...]] = (),
    optional: bool = False,
    numpy_ok: bool = False,
    kinds: bool = True,
) -> st.SearchStrategy[Any]:
    """Tensors wrong for a parameter whose valid shape is like ``shape``.

    Wrong ranks (one less, one more, a scalar), an empty tensor, NaN or inf inside, complex
    and bool dtypes, plus ``wrong_shapes`` (e.g. the wrong number of channels) and other
    kinds (a list, None unless ``optional``; a numpy array unless ``numpy_ok``).
    """
    empty = (0, *shape[1:])
    values: list[Any] = [
        _tensor(shape[1:]) if len(shape) > 1 else torch.tensor(1.0),
        _tensor((1, 1, *shape)),
        torch.tensor(0.5),
        torch.zeros(empty),
        torch.zeros((*shape[:-1], 0)),
        _tensor(shape, math.nan),
        _tensor(shape, math.inf),
        torch.zeros(shape, dtype=torch.complex64),
        *[_tensor(s) for s in wrong_shapes],
    ]
    if kinds:
        values += [[[0.5, 0.5]], "image", 3]
        if not optional:
            values.append(None)
        if not numpy_ok:
            values.append(np.zeros(shape, np.float32))
    return st.sampled_from(values)


def bad_array(
    shape: tuple[int, ...],
    *,
    wrong_shapes: Sequence[tuple[int, ...]] = (),
    optional: bool = False,
    tensor_ok: bool = False,
) -> st.SearchStrategy[Any]:
    """numpy arrays wrong for an image/array parameter of shape like ``shape``."""
    rng = np.random.default_rng(0)

    def arr(s: tuple[int, ...], fill: float | None = None) -> np.ndarray:
        a = rng.random(s).astype(np.float32)
        if fill is not None:
            a.flat[0] = fill
        return a

    values: list[Any] = [
        arr(shape[:1]),
        arr((1, *shape)),
        np.zeros((0, *shape[1:]), np.float32),
        np.zeros(()),
        arr(shape, math.nan),
        arr(shape, math.inf),
        np.zeros(shape, np.complex64),
        np.full(shape, "a"),
        *[arr(s) for s in wrong_shapes],
        "image",
        3,
        [[0.5]],
    ]
    if not optional:
        values.append(None)
    if not tensor_ok:
        values.append(torch.zeros(shape))
    return st.sampled_from(values)


# --- tables -------------------------------------------------------------------------------------


@dataclass
class Entry:
    """One public entry point: how to call it validly, and bad values per parameter.

    Attributes:
        call: the function or class.
        valid: builds fresh valid keyword arguments (called per example, so a test may mutate
            them); positional parameters are passed by name too.
        bad: parameter name → strategy of bad values for it.
        names: parameter name → other words its message may use instead (e.g. ``"--stride"``).
    """

    call: Callable[..., Any]
    valid: Callable[[], dict[str, Any]]
    bad: Mapping[str, st.SearchStrategy[Any]]
    names: Mapping[str, Sequence[str]] = field(default_factory=dict)

    def run(self, name: str, value: object) -> Callable[[], Any]:
        kwargs = self.valid()
        kwargs[name] = value
        return lambda: self.call(**kwargs)


def hostile_test(table: Mapping[str, Entry], examples: int = EXAMPLES) -> Callable[..., None]:
    """One property-based test per entry of ``table`` (parametrised by the entry's name).

    Each example picks a parameter and one of its bad values, calls the entry point with
    otherwise valid arguments and asserts :func:`assert_refuses`.
    """
    # the calling test module, e.g. "inspect.test_hostile" → counts per room ("inspect")
    room = sys._getframe(1).f_globals.get("__name__", "?").removeprefix("tests.")
    room = room.split(".")[0] if "." in room else room

    @pytest.mark.parametrize("entry", sorted(table))
    @settings(HOSTILE, max_examples=examples)
    @given(data=st.data())
    def test_refuses_bad_arguments(entry: str, data: st.DataObject) -> None:
        spec = table[entry]
        name = data.draw(st.sampled_from(sorted(spec.bad)), label="parameter")
        value = data.draw(spec.bad[name], label=name)
        assert_refuses(
            spec.run(name, value),
            name,
            value,
            entry=f"{room}:{entry}",
            names=spec.names.get(name, ()),
        )

    return test_refuses_bad_arguments


def sweep(table: Mapping[str, Entry], per_param: int = 40) -> list[str]:
    """Every entry × parameter × many bad values, without hypothesis's shrinking: the problems.

    For development (``python -m tests.hostile_sweep``), not run by pytest.
    """
    problems = []
    for entry, spec in sorted(table.items()):
        for name, strategy in spec.bad.items():
            seen = set()
            for _ in range(per_param):
                value = strategy.example()
                key = _show(value)
                if key in seen:
                    continue
                seen.add(key)
                try:
                    assert_refuses(
                        spec.run(name, value),
                        name,
                        value,
                        entry=entry,
                        names=spec.names.get(name, ()),
                    )
                except (AssertionError, pytest.fail.Exception, Hang) as err:
                    cause = err.__cause__
                    detail = f" <- {type(cause).__name__}: {str(cause)[:150]}" if cause else ""
                    problems.append(f"{entry}: {str(err).splitlines()[0][:220]}{detail}")
    return problems
