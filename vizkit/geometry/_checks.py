"""Argument normalisation and the teaching error type shared by the geometry modules.

Everything here is standard library only: ``import vizkit.geometry`` must stay instant and
must not pull in numpy, torch or plotly (``tests/test_layering.py`` checks this).
"""

from __future__ import annotations

from typing import Literal, TypeAlias, get_args

from vizkit._validate import describe

Pair: TypeAlias = tuple[int, int]
IntOrPair: TypeAlias = int | tuple[int, int]
PaddingName: TypeAlias = Literal["valid", "same", "full"]
PaddingSpec: TypeAlias = int | tuple[int, int] | PaddingName
PaddingMode: TypeAlias = Literal["zeros", "reflect", "replicate", "circular"]

# The one list of each closed choice; everything else (widgets, CLI, figures) reads these.
PADDING_NAMES: tuple[str, ...] = get_args(PaddingName)
PADDING_MODES: tuple[str, ...] = get_args(PaddingMode)
AXES: tuple[str, str] = ("height", "width")


class GeometryError(ValueError):
    """An impossible convolution / pooling configuration.

    Raised where PyTorch would refuse the configuration (or where it would produce an output
    smaller than one cell). The message names the parameter, the value received, the limit and
    a fix, so it can be shown to a learner as it is.

    Example:
        >>> import vizkit as vk
        >>> try:
        ...     vk.conv_output_size(5, 7, padding=1, dilation=2)
        ... except vk.GeometryError as err:
        ...     print(err)  # doctest: +NORMALIZE_WHITESPACE
        kernel_size 7 (dilated to 13) is larger than the padded input 5 + 2·1 = 7:
        lower kernel_size or dilation, or raise padding
    """


def is_pair_like(value: object) -> bool:
    """True for a tuple/list (the ``(h, w)`` form torch accepts next to a single int)."""
    return isinstance(value, (tuple, list))


#: torch stores sizes, strides and paddings as signed 64-bit ints.
INT64_LIMIT = 2**63


def check_int(name: str, value: object) -> int:
    """Return ``value`` if it is a real int (bools and floats are refused with a TypeError)
    that torch can hold (|value| < 2⁶³, else a :class:`GeometryError`)."""
    if isinstance(value, bool) or not isinstance(value, int):
        hint = ""
        if isinstance(value, float) and value.is_integer():
            hint = f": pass {name}={int(value)}"
        raise TypeError(
            f"{name} must be an int or a (height, width) pair of ints, got {describe(value)}{hint}"
        )
    if abs(value) >= INT64_LIMIT:
        raise GeometryError(
            f"{name} {value} does not fit in the 64-bit ints torch uses for sizes "
            f"(|{name}| < 2**63): use a realistic size"
        )
    return value


def to_pair(name: str, value: object) -> Pair:
    """Normalise an int or an ``(h, w)`` pair to a pair of ints.

    Raises:
        TypeError: ``value`` is neither an int nor a sequence of two ints.
    """
    if is_pair_like(value):
        seq = list(value)  # type: ignore[call-overload]
        if len(seq) != 2:
            raise TypeError(
                f"{name} must be an int or a (height, width) pair of ints, got {value!r} "
                f"with {len(seq)} entries: pass {name}=k or {name}=(kh, kw)"
            )
        return (check_int(name, seq[0]), check_int(name, seq[1]))
    v = check_int(name, value)
    return (v, v)


def require_at_least(name: str, pair: Pair, minimum: int, meaning: str) -> None:
    """Raise :class:`GeometryError` when an entry of ``pair`` is below ``minimum``."""
    for axis, v in zip(AXES, pair, strict=True):
        if v < minimum:
            where = "" if pair[0] == pair[1] else f" (in {axis})"
            raise GeometryError(
                f"{name} {v}{where} is not allowed: {name} must be ≥ {minimum} ({meaning}); "
                f"use {name}={minimum} or more"
            )


def check_padding_name(value: str) -> PaddingName:
    """Accept exactly "valid", "same" or "full"."""
    if value not in PADDING_NAMES:
        raise GeometryError(
            f"padding {value!r} is not understood: use a non-negative int, an (h, w) pair, "
            f"or one of 'valid' (no padding), 'same' (output = input, stride 1) and 'full' "
            f"(every partial overlap, padding = dilation·(kernel_size − 1))"
        )
    return value  # type: ignore[return-value]


def check_padding_mode(value: object) -> PaddingMode:
    """Accept one of torch's four ``padding_mode`` values."""
    if value not in PADDING_MODES:
        raise GeometryError(
            f"padding_mode {value!r} is not one of "
            + ", ".join(repr(m) for m in PADDING_MODES)
            + " (torch's nn.Conv2d modes): pick one of those"
        )
    return value  # type: ignore[return-value]
