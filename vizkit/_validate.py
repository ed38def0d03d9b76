"""One set of argument checks for the whole package (standard library only).

Every public function checks its arguments before doing any work, with the same sentence
shapes everywhere: ``TypeError`` for the wrong kind of value, ``ValueError`` for the wrong
value; the message names the parameter, the value received, what is allowed and the fix:

    >>> check_int("stride", 0, minimum=1)
    Traceback (most recent call last):
    ...
    ValueError: stride 0 is below 1: use stride=1 or more

    >>> check_int("max_filters", 2.0)
    Traceback (most recent call last):
    ...
    TypeError: max_filters must be an int, got 2.0 (float): pass max_filters=2

Sizes that would allocate more than :data:`MEMORY_BUDGET_BYTES` are refused before anything
is allocated (:func:`check_memory`), with the budget in the message: a laptop has a few GB,
and a typo such as ``size=10**9`` should not freeze it.

Array checks are duck-typed (anything with ``.shape``: numpy arrays, torch tensors), so this
module stays importable from every room without pulling in numpy or torch. Widgets show these
messages in their status line as they are.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Iterable, Sequence
from typing import Any, TypeVar

from vizkit._suggest import suggestion

__all__ = [
    "MEMORY_BUDGET_BYTES",
    "check_bool",
    "check_choice",
    "check_dims",
    "check_instance",
    "check_int",
    "check_memory",
    "check_names",
    "check_number",
    "check_optional_int",
    "check_pair",
    "check_seed",
    "check_sequence",
    "check_shape",
    "check_str",
    "describe",
    "human_bytes",
]

#: The most memory one call may ask for (2 GiB): a few GB is all a laptop has, and a learner's
#: notebook shares it with the browser. Requests above it are refused before allocating.
MEMORY_BUDGET_BYTES = 2 * 1024**3

#: The largest seed accepted (torch and numpy both take 0 … 2**63 − 1).
MAX_SEED = 2**63 - 1

T = TypeVar("T")


def describe(value: object, limit: int = 60) -> str:
    """``repr`` of ``value`` (shortened) with its type: ``"2.5 (float)"``.

    >>> describe([1, 2])
    '[1, 2] (list)'
    """
    shape = getattr(value, "shape", None)
    if shape is not None and not isinstance(value, numbers.Number):
        try:
            dims = tuple(int(s) for s in shape)
        except TypeError:
            dims = None
        if dims is not None:
            return f"a {type(value).__name__} of shape {dims}"
    text = repr(value)
    if len(text) > limit:
        text = text[: limit - 1] + "…"
    return f"{text} ({type(value).__name__})"


def human_bytes(n: float) -> str:
    """``2147483648`` → ``"2 GiB"``.

    >>> human_bytes(3 * 1024**2)
    '3 MiB'
    """
    for unit in ("B", "KiB", "MiB", "GiB", "TiB", "PiB"):
        if abs(n) < 1024 or unit == "PiB":
            return f"{n:.3g} {unit}"
        n /= 1024
    raise AssertionError("unreachable")  # pragma: no cover


def _is_int(value: object) -> bool:
    return (
        isinstance(value, numbers.Integral)
        and not isinstance(value, bool)
        and (type(value).__name__ not in ("bool_", "bool"))
    )


def check_int(
    name: str,
    value: object,
    *,
    minimum: int | None = None,
    maximum: int | None = None,
    fix: str | None = None,
) -> int:
    """Return ``value`` as an ``int`` (numpy integers accepted; bools and floats refused).

    Args:
        name: the parameter's name, quoted in the message.
        value: what the caller passed.
        minimum, maximum: inclusive bounds, if any.
        fix: the advice for a value outside the bounds (default: the nearest allowed value).

    Raises:
        TypeError: not an integer (a whole float such as ``2.0`` gets a ``pass name=2`` hint).
        ValueError: outside ``[minimum, maximum]``.
    """
    if not _is_int(value):
        hint = ""
        if isinstance(value, float) and value.is_integer():
            hint = f": pass {name}={int(value)}"
        elif isinstance(value, str) and value.strip().lstrip("+-").isdigit():
            hint = f": pass {name}={int(value)} (a number, not a string)"
        raise TypeError(f"{name} must be an int, got {describe(value)}{hint}")
    number: int = int(value)  # type: ignore[call-overload]
    if minimum is not None and number < minimum:
        raise ValueError(
            f"{name} {number} is below {minimum}: {fix or f'use {name}={minimum} or more'}"
        )
    if maximum is not None and number > maximum:
        raise ValueError(
            f"{name} {number} is above {maximum}: {fix or f'use {name}={maximum} or less'}"
        )
    return number


def check_optional_int(
    name: str,
    value: object,
    *,
    minimum: int | None = None,
    maximum: int | None = None,
    fix: str | None = None,
) -> int | None:
    """:func:`check_int`, with ``None`` passed through."""
    if value is None:
        return None
    return check_int(name, value, minimum=minimum, maximum=maximum, fix=fix)


def check_number(
    name: str,
    value: object,
    *,
    minimum: float | None = None,
    maximum: float | None = None,
    above: float | None = None,
    below: float | None = None,
    fix: str | None = None,
) -> float:
    """Return ``value`` as a finite ``float`` within the bounds given.

    Args:
        name: the parameter's name.
        value: an int or float (numpy scalars accepted; bools, NaN and ±inf refused).
        minimum, maximum: inclusive bounds.
        above, below: exclusive bounds (``above=0`` for "positive").
        fix: the advice for a value outside the bounds.

    Raises:
        TypeError: not a real number.
        ValueError: NaN, infinite, or outside the bounds.

    >>> check_number("lr", 0.0, above=0)
    Traceback (most recent call last):
    ...
    ValueError: lr 0.0 is not above 0: use a value above 0
    """
    if (
        isinstance(value, bool)
        or not isinstance(value, numbers.Real)
        or (type(value).__name__ == "bool_")
    ):
        raise TypeError(f"{name} must be a number, got {describe(value)}")
    number = float(value)
    if math.isnan(number):
        raise ValueError(f"{name} is NaN: pass a real number")
    if math.isinf(number):
        raise ValueError(f"{name} {number} is infinite: pass a finite number")
    advice = fix

    def refuse(relation: str, bound: float, suggested: str) -> ValueError:
        return ValueError(f"{name} {value!r} is {relation} {bound:g}: {advice or suggested}")

    if minimum is not None and number < minimum:
        raise refuse("below", minimum, f"use {minimum:g} or more")
    if maximum is not None and number > maximum:
        raise refuse("above", maximum, f"use {maximum:g} or less")
    if above is not None and not number > above:
        raise refuse("not above", above, f"use a value above {above:g}")
    if below is not None and not number < below:
        raise refuse("not below", below, f"use a value below {below:g}")
    return number


def check_bool(name: str, value: object) -> bool:
    """Return ``value`` if it is a bool (numpy's too); anything else is a ``TypeError``.

    ``0``/``1`` and strings such as ``"false"`` (which is truthy) are refused rather than guessed.
    """
    if isinstance(value, bool):
        return value
    if type(value).__name__ == "bool_":
        return bool(value)
    raise TypeError(f"{name} must be True or False, got {describe(value)}")


def check_str(name: str, value: object, *, empty: bool = False) -> str:
    """Return ``value`` if it is a str (non-empty unless ``empty``)."""
    if not isinstance(value, str):
        raise TypeError(f"{name} must be a str, got {describe(value)}")
    if not empty and not value.strip():
        raise ValueError(f"{name} is empty: pass a non-empty name")
    return value


def check_choice(name: str, value: object, choices: Iterable[T], *, what: str | None = None) -> T:
    """Return ``value`` if it is one of ``choices`` (a closed choice such as a ``Literal``).

    Raises:
        ValueError: anything else, listing the choices (the closest first).

    >>> check_choice("mode", "rbg", ("auto", "rgb", "per_channel"))
    Traceback (most recent call last):
    ...
    ValueError: mode 'rbg' is not one of 'auto', 'rgb', 'per_channel': did you mean 'rgb'?
    """
    options = list(choices)
    try:
        if value in options:
            for option in options:
                if option == value and type(option) is type(value):
                    return option
    except TypeError:  # unhashable or uncomparable values are simply not a choice
        pass
    listed = ", ".join(repr(c) for c in options)
    hint = ""
    if isinstance(value, str):
        close = suggestion(value, [c for c in options if isinstance(c, str)], what=what or name)
        hint = f": {close}" if close.startswith("did you mean") else ""
    if not isinstance(value, str) and all(isinstance(c, str) for c in options):
        raise TypeError(f"{name} must be one of {listed} (a str), got {describe(value)}")
    raise ValueError(f"{name} {value!r} is not one of {listed}{hint}")


def check_instance(
    name: str, value: object, kinds: type | tuple[type, ...], expected: str, fix: str = ""
) -> Any:
    """Return ``value`` if it is an instance of ``kinds``; else a ``TypeError`` saying what to pass.

    Args:
        name: the parameter's name.
        value: what the caller passed.
        kinds: the accepted classes.
        expected: how to call them in the message, e.g. ``"a torch.nn.Module"``.
        fix: an example of the right thing, appended after a colon.
    """
    if not isinstance(value, kinds):
        hint = ""
        if isinstance(value, type) and isinstance(kinds, type) and issubclass(value, kinds):
            hint = " (a class: call it to build one)"
        raise TypeError(
            f"{name} must be {expected}, got {describe(value)}{hint}" + (f": {fix}" if fix else "")
        )
    return value


def check_seed(value: object, name: str = "seed") -> int:
    """A seed: an int in ``0 … 2**63 − 1`` (what both torch and numpy accept)."""
    return check_int(name, value, minimum=0, maximum=MAX_SEED, fix=f"use e.g. {name}=0")


def check_names(name: str, value: object, *, what: str = "name") -> tuple[str, ...]:
    """A sequence of strings; a lone str is refused (it would be read letter by letter).

    Raises:
        TypeError: a str, or not a sequence of str.
    """
    if isinstance(value, str):
        raise TypeError(
            f"{name} must be a list of {what}s, got the single str {value!r} (which would be "
            f"read letter by letter): pass {name}=[{value!r}]"
        )
    if not isinstance(value, Iterable) or isinstance(value, (bytes, dict)):
        raise TypeError(f"{name} must be a list of {what}s (str), got {describe(value)}")
    items = tuple(value)
    bad = [v for v in items if not isinstance(v, str)]
    if bad:
        raise TypeError(f"{name} must hold only {what}s (str), got {describe(bad[0])} among them")
    return items


def check_sequence(name: str, value: object, *, what: str = "values") -> tuple[Any, ...]:
    """A list, tuple or other sized iterable (not a str, bytes or dict), as a tuple."""
    if isinstance(value, (str, bytes, dict)) or not (
        isinstance(value, Sequence) or (hasattr(value, "__len__") and hasattr(value, "__iter__"))
    ):
        raise TypeError(f"{name} must be a list or tuple of {what}, got {describe(value)}")
    return tuple(value)


def check_pair(
    name: str, value: object, *, minimum: int | None = 1, maximum: int | None = None
) -> tuple[int, int]:
    """An int or an ``(h, w)`` pair of ints, as a pair, each within the bounds."""
    if isinstance(value, (tuple, list)):
        if len(value) != 2:
            raise TypeError(
                f"{name} must be an int or a (height, width) pair, got {describe(value)} with "
                f"{len(value)} entries: pass {name}=n or {name}=(h, w)"
            )
        first, second = value
    elif _is_int(value):
        first = second = value
    else:
        hint = (
            f": pass {name}={int(value)}" if isinstance(value, float) and value.is_integer() else ""
        )
        raise TypeError(
            f"{name} must be an int or a (height, width) pair of ints, got {describe(value)}{hint}"
        )
    return (
        check_int(name, first, minimum=minimum, maximum=maximum),
        check_int(name, second, minimum=minimum, maximum=maximum),
    )


def check_dims(
    name: str, value: object, count: int, *, layout: str, minimum: int = 1
) -> tuple[int, ...]:
    """A shape argument: ``count`` ints, each ≥ ``minimum`` (e.g. ``(N, C, H, W)``).

    >>> check_dims("shape", (2, 3, 4), 4, layout="(N, C, H, W)")
    Traceback (most recent call last):
    ...
    ValueError: shape (2, 3, 4) must be 4 sizes (N, C, H, W), got 3
    """
    if isinstance(value, (str, bytes)) or not isinstance(value, Sequence):
        raise TypeError(f"{name} must be a tuple of {count} ints {layout}, got {describe(value)}")
    if len(value) != count:
        raise ValueError(f"{name} {tuple(value)} must be {count} sizes {layout}, got {len(value)}")
    return tuple(
        check_int(name, v, minimum=minimum, fix=f"every size is ≥ {minimum}") for v in value
    )


def check_memory(
    nbytes: float, *, name: str, value: object, what: str, fix: str | None = None
) -> None:
    """Refuse a request whose allocation would exceed :data:`MEMORY_BUDGET_BYTES`.

    Call it with the size computed from the arguments, before allocating anything.

    Args:
        nbytes: bytes the request would allocate.
        name, value: the parameter responsible and its value, quoted in the message.
        what: what would be allocated, e.g. ``"a (1, 3, 10⁹, 10⁹) float32 image"``.
        fix: how to ask for less (default: lower ``name``).

    Raises:
        ValueError: ``nbytes`` is above the budget.

    >>> check_memory(3 * 1024**3, name="size", value=40000, what="the image")
    ... # doctest: +NORMALIZE_WHITESPACE
    Traceback (most recent call last):
    ...
    ValueError: size 40000: the image would need 3 GiB, more than vizkit's memory budget
    of 2 GiB: lower size
    """
    if nbytes > MEMORY_BUDGET_BYTES:
        raise ValueError(
            f"{name} {value!r}: {what} would need {human_bytes(nbytes)}, more than vizkit's "
            f"memory budget of {human_bytes(MEMORY_BUDGET_BYTES)}: {fix or f'lower {name}'}"
        )


def check_shape(
    name: str,
    value: object,
    *,
    ndim: int | tuple[int, ...],
    layout: str,
    empty: bool = False,
    finite: bool = True,
) -> tuple[int, ...]:
    """Check an array or tensor's rank, emptiness and values (duck-typed: needs ``.shape``).

    Args:
        name: the parameter's name.
        value: a numpy array or torch tensor (the caller checks which kind it accepts).
        ndim: the allowed number(s) of dimensions.
        layout: the layout(s) in words, e.g. ``"(C, H, W) or (1, C, H, W)"``.
        empty: allow a dimension of size 0.
        finite: refuse NaN and infinite values (real dtypes only).

    Returns:
        The shape as a tuple of ints.

    Raises:
        TypeError: ``value`` has no shape (not an array), or holds non-numbers.
        ValueError: wrong rank, an empty dimension, NaN or infinite values.
    """
    shape = getattr(value, "shape", None)
    if shape is None or isinstance(value, numbers.Number):
        raise TypeError(f"{name} must be an array of shape {layout}, got {describe(value)}")
    dims = tuple(int(s) for s in shape)
    allowed = (ndim,) if isinstance(ndim, int) else ndim
    if len(dims) not in allowed:
        raise ValueError(
            f"{name} must have shape {layout} ({' or '.join(map(str, allowed))} dimensions), "
            f"got shape {dims}"
        )
    if not empty and 0 in dims:
        raise ValueError(f"{name} is empty (shape {dims}): pass at least one value per dimension")
    dtype = str(getattr(value, "dtype", ""))
    if "complex" in dtype or "str" in dtype or dtype.endswith("object") or "<U" in dtype:
        raise TypeError(f"{name} must hold real numbers, got dtype {dtype}")
    if finite and "float" in dtype and 0 not in dims:
        array: Any = value
        peak = abs(array).max()
        if not math.isfinite(float(peak)):
            raise ValueError(
                f"{name} contains NaN or infinite values: clean them first "
                "(e.g. torch.nan_to_num or numpy.nan_to_num)"
            )
    return dims
