"""Answer forms: how a typed answer is read, compared with the solution, and shown back.

A form is tolerant where the notation varies and the meaning does not (``(55, 55)``, ``55x55``,
``55 × 55`` and ``55`` for a square map; ``1,234``, ``1 234`` and ``1_234`` for one integer),
and strict where a different spelling is a different answer (``3.5`` is not a count). A
malformed answer raises :class:`AnswerFormatError` whose message says which form is expected;
:meth:`vizkit.exercises.Exercise.check` turns it into feedback, never into a traceback.

Standard library only: these run on every key press of the quiz widget.
"""

from __future__ import annotations

import ast
import math
import numbers
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

__all__ = [
    "NO_FIT",
    "AnswerForm",
    "AnswerFormatError",
    "BytesForm",
    "ChoiceForm",
    "FloatForm",
    "GridForm",
    "IntForm",
    "SizeForm",
    "format_int",
]

#: The answer for a layer that cannot be applied (the kernel does not fit the padded input).
NO_FIT = "does not fit"
_NO_FIT_NEGATION = re.compile(r"\b(not|no|cannot|can't|won't|doesn't|don't)\b.*\bfits?\b")
_NO_FIT_WORDS = {"impossible", "invalid", "error", "none", "n/a", "no", "no fit", "nofit"}
_MINUS = str.maketrans({"\u2212": "-", "\u2013": "-", "\u2014": "-", "\u2010": "-"})
# Thousands separators people type: comma, space, no-break / thin spaces, underscore, apostrophe.
_GROUPED = re.compile(r"\d{1,3}(?P<sep>[,  \u202f\u2009_'])\d{3}(?:(?P=sep)\d{3})*")


class AnswerFormatError(ValueError):
    """An answer that cannot be read; the message says which form is expected."""


def format_int(value: int) -> str:
    """An integer with thousands separators.

    >>> format_int(138357544)
    '138,357,544'
    """
    return f"{value:,}"


def _as_text(raw: object, expected: str) -> str:
    if raw is None:
        raise AnswerFormatError(f"no answer given: type {expected}")
    text = str(raw).translate(_MINUS).strip()
    if len(text) > 2000:
        raise AnswerFormatError(f"the answer is far too long: type {expected}")
    if not text:
        raise AnswerFormatError(f"the answer is empty: type {expected}")
    return text


def _plain(raw: object) -> object:
    """numpy / torch scalars and arrays as Python values (``.tolist()``), else unchanged."""
    tolist = getattr(raw, "tolist", None)
    if callable(tolist) and not isinstance(raw, str | bytes):
        return tolist()
    return raw


def _read_int(raw: object, expected: str) -> int:
    """One integer from an int, an integral float, or text with optional thousands separators."""
    raw = _plain(raw)
    if isinstance(raw, bool):
        raise AnswerFormatError(f"{raw} is a yes/no value: type {expected}")
    if isinstance(raw, numbers.Integral):
        return int(raw)
    if isinstance(raw, numbers.Real):
        if math.isfinite(raw) and float(raw).is_integer():
            return int(raw)
        raise AnswerFormatError(f"{raw} is not a whole number: type {expected}")
    text = _as_text(raw, expected)
    if len(text) > 40:
        raise AnswerFormatError(f"{text[:20]}… is far too long for this answer: type {expected}")
    sign = -1 if text.startswith("-") else 1
    body = text.lstrip("+-").strip()
    if re.fullmatch(r"\d+", body):
        return sign * int(body)
    if _GROUPED.fullmatch(body):
        return sign * int(re.sub(r"\D", "", body))
    if re.fullmatch(r"\d+\.0*", body):
        return sign * int(body.split(".")[0])
    if re.fullmatch(r"\d*\.\d+", body):
        raise AnswerFormatError(f"{text} is not a whole number: type {expected}")
    raise AnswerFormatError(f"could not read {text!r} as a whole number: type {expected}")


def _read_float(raw: object, expected: str) -> float:
    """One real number: ``0.71``, ``-1.2e-3``, ``3/4``, a decimal comma ``0,71``, ``1,234``."""
    raw = _plain(raw)
    if isinstance(raw, bool):
        raise AnswerFormatError(f"{raw} is a yes/no value: type {expected}")
    if isinstance(raw, numbers.Real):
        value = float(raw)
    else:
        text = _as_text(raw, expected)
        body = text.replace(" ", "")
        try:
            if re.fullmatch(r"[+-]?\d+/\d+", body):
                top, bottom = body.split("/")
                value = int(top) / int(bottom)
            elif re.fullmatch(r"[+-]?\d+,\d{1,2}|[+-]?\d+,\d{4,}", body):
                value = float(body.replace(",", "."))  # a decimal comma, not a thousands group
            else:
                value = float(body.replace(",", "").replace("_", ""))
        except (ValueError, ZeroDivisionError):
            message = f"could not read {text!r} as a number: type {expected}"
            raise AnswerFormatError(message) from None
    if not math.isfinite(value):
        raise AnswerFormatError(f"{value} is not a finite number: type {expected}")
    return value


def _show_number(value: float, decimals: int) -> str:
    if float(value).is_integer():
        return str(int(value))
    return f"{value:.{decimals}f}"


class AnswerForm:
    """How one kind of answer is read (:meth:`parse`), compared (:meth:`matches`) and shown.

    Attributes:
        expected: The form in words with an example, used in every "could not read" message.
    """

    expected: str = "an answer"

    def parse(self, raw: object) -> Any:
        """Read a typed or programmatic answer; raise :class:`AnswerFormatError` if malformed."""
        raise NotImplementedError

    def matches(self, parsed: Any, target: Any) -> bool:
        """Whether a parsed answer equals ``target`` (a value in the canonical form)."""
        return bool(parsed == target)

    def show(self, value: Any) -> str:
        """A value (parsed or canonical) as the learner would write it."""
        return str(value)


class IntForm(AnswerForm):
    """A whole number; thousands separators allowed (``1,234`` · ``1 234`` · ``1_234``)."""

    def __init__(self, what: str = "a whole number", example: int = 1234) -> None:
        self.expected = f"{what} as a whole number, e.g. {format_int(example)}"

    def parse(self, raw: object) -> int:
        return _read_int(raw, self.expected)

    def show(self, value: Any) -> str:
        return format_int(value) if isinstance(value, int) else str(value)


class FloatForm(AnswerForm):
    """A real number, right within ``tolerance`` (absolute).

    Args:
        tolerance: Largest accepted absolute difference from the solution.
        decimals: Decimals shown back to the learner.
    """

    def __init__(self, tolerance: float = 0.01, decimals: int = 2) -> None:
        self.tolerance = tolerance
        self.decimals = decimals
        self.expected = f"a number with at least {decimals} decimals, e.g. -0.71"

    def parse(self, raw: object) -> float:
        return _read_float(raw, self.expected)

    def matches(self, parsed: Any, target: Any) -> bool:
        return abs(float(parsed) - float(target)) <= self.tolerance + 1e-9

    def show(self, value: Any) -> str:
        return _show_number(float(value), self.decimals)


class SizeForm(AnswerForm):
    """A tuple of ``n`` integers: a feature-map size ``H × W``, a shape ``C × H × W``, a padding.

    Accepts ``(16, 16)``, ``16x16``, ``16 × 16``, ``16 by 16``, ``[16, 16]``, ``torch.Size([16,
    16])``; with ``allow_single`` one number means the same in every dimension (a square map);
    a shape ``C × H × W`` may carry a leading batch size 1 (``1 × 64 × 55 × 55``).

    Args:
        n: How many numbers.
        names: The dimensions in words, for messages (``"height × width"``).
        allow_single: Accept one number for all dimensions (the question's map is square).
        allow_no_fit: Accept "does not fit" (and its spellings) as the answer :data:`NO_FIT`.
        style: ``"size"`` shows ``16 × 16``; ``"tuple"`` shows ``(1, 2)`` (and ``2`` when square).
    """

    def __init__(
        self,
        n: int = 2,
        *,
        names: str = "height × width",
        allow_single: bool = False,
        allow_no_fit: bool = False,
        style: Literal["size", "tuple"] = "size",
    ) -> None:
        self.n = n
        self.allow_single = allow_single
        self.allow_no_fit = allow_no_fit
        self.style = style
        example = " × ".join(str(v) for v in (64, 27, 27)[-n:]) if n == 3 else "16 × 8"
        if style == "tuple":
            example = "(1, 2)"
        parts = [f"{names} as {n} whole numbers, e.g. {example}"]
        if allow_single:
            parts.append("(one number if all are equal)")
        if allow_no_fit:
            parts.append(f"or `{NO_FIT}`")
        self.expected = " ".join(parts)

    def parse(self, raw: object) -> tuple[int, ...] | str:
        raw = _plain(raw)
        if isinstance(raw, str) and self.allow_no_fit:
            words = raw.strip().lower().replace("’", "'").rstrip(".!")
            if words in _NO_FIT_WORDS or _NO_FIT_NEGATION.search(words):
                return NO_FIT
        if isinstance(raw, Sequence) and not isinstance(raw, str):
            values = [_read_int(v, self.expected) for v in raw]
        elif isinstance(raw, numbers.Real) and not isinstance(raw, bool):
            values = [_read_int(raw, self.expected)]
        else:
            text = _as_text(raw, self.expected).lower()
            text = re.sub(r"^torch\.size\s*", "", text)
            text = text.strip("()[]{} ").strip()
            tokens = re.split(r"\s*(?:[x×*,;]|\bby\b)\s*|\s+", text)
            if any(token == "" for token in tokens):
                raise AnswerFormatError(
                    f"{str(raw).strip()!r} has a number missing: type {self.expected}"
                )
            values = [_read_int(token.strip("()[]"), self.expected) for token in tokens]
        if len(values) == 1 and self.allow_single:
            return tuple(values * self.n)
        if len(values) == self.n + 1 and self.n == 3 and values[0] == 1:
            values = values[1:]  # a leading batch size of 1
        if len(values) != self.n:
            raise AnswerFormatError(
                f"{self.show(tuple(values))} has {len(values)} number(s), this answer has "
                f"{self.n}: type {self.expected}"
            )
        return tuple(values)

    def show(self, value: Any) -> str:
        if isinstance(value, str):
            return value
        values = tuple(value)
        if self.style == "tuple":
            if self.allow_single and len(set(values)) == 1:
                return str(values[0])
            return "(" + ", ".join(str(v) for v in values) + ")"
        return " × ".join(str(v) for v in values)


class GridForm(AnswerForm):
    """A small matrix of numbers, right within ``tolerance`` per entry.

    Accepts ``[[1, 2], [3, 4]]``, ``1 2; 3 4``, rows on separate lines, nested lists, numpy
    arrays and tensors.

    Args:
        tolerance: Largest accepted absolute difference per entry.
        decimals: Decimals shown back to the learner.
    """

    def __init__(self, tolerance: float = 0.01, decimals: int = 2) -> None:
        self.tolerance = tolerance
        self.decimals = decimals
        self.expected = "the grid row by row, e.g. [[1, 2], [3, 4]] or 1 2; 3 4"

    def parse(self, raw: object) -> tuple[tuple[float, ...], ...]:
        raw = _plain(raw)
        if isinstance(raw, str):
            text = _as_text(raw, self.expected)
            if "[" in text:
                try:
                    raw = ast.literal_eval(text)
                except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
                    raise AnswerFormatError(
                        f"could not read {text!r} as a grid: type {self.expected}"
                    ) from None
            else:
                lines = [line for line in re.split(r"[;\n|]", text) if line.strip()]
                raw = [re.split(r"[\s,]+", line.strip()) for line in lines]
        if raw is None or isinstance(raw, numbers.Number | str):
            raise AnswerFormatError(f"{raw!r} is not a grid: type {self.expected}")
        if not isinstance(raw, Sequence) or not raw:
            raise AnswerFormatError(f"could not read {raw!r} as a grid: type {self.expected}")
        if not all(isinstance(row, Sequence) and not isinstance(row, str) for row in raw):
            raise AnswerFormatError(
                f"give the grid as rows (a list of lists), not one flat list: type {self.expected}"
            )
        rows = tuple(tuple(_read_float(v, self.expected) for v in row) for row in raw)
        if len({len(row) for row in rows}) != 1 or not rows[0]:
            lengths = ", ".join(str(len(row)) for row in rows)
            raise AnswerFormatError(
                f"the rows have different lengths ({lengths}): type {self.expected}"
            )
        return rows

    def matches(self, parsed: Any, target: Any) -> bool:
        if len(parsed) != len(target) or len(parsed[0]) != len(target[0]):
            return False
        return all(
            abs(float(a) - float(b)) <= self.tolerance + 1e-9
            for row_a, row_b in zip(parsed, target, strict=True)
            for a, b in zip(row_a, row_b, strict=True)
        )

    def show(self, value: Any) -> str:
        rows = ("[" + ", ".join(_show_number(v, self.decimals) for v in row) + "]" for row in value)
        return "[" + ", ".join(rows) + "]"


@dataclass(frozen=True)
class _Reading:
    """A byte count as read: the candidate values (unit interpretations) with a tolerance each."""

    text: str
    candidates: tuple[tuple[float, float], ...]


_UNITS: dict[str, tuple[int, ...]] = {
    "": (1,),
    "b": (1,),
    "byte": (1,),
    "bytes": (1,),
    "kb": (1000, 1024),  # "KB" is used for both; either reading counts
    "kib": (1024,),
    "mb": (1000**2, 1024**2),
    "mib": (1024**2,),
    "gb": (1000**3, 1024**3),
    "gib": (1024**3,),
}


class BytesForm(AnswerForm):
    """A memory size in bytes: ``12845056``, ``12,845,056 bytes``, ``12.25 MiB``, ``12.8 MB``.

    A plain number is exact bytes. With a unit the number needs at least 3 significant digits
    and must be the size rounded to the decimals given (``12.25 MiB`` or ``12.3 MiB`` for
    12,845,056 bytes); ``KB``/``MB``/``GB`` may mean powers of 1000 or of 1024.
    """

    expected = "bytes as a whole number (e.g. 12,845,056) or with a unit (e.g. 12.25 MiB)"

    def parse(self, raw: object) -> _Reading:
        raw = _plain(raw)
        if not isinstance(raw, str):
            value = _read_int(raw, self.expected)
            return _Reading(format_int(value), ((float(value), 0.0),))
        text = _as_text(raw, self.expected)
        match = re.fullmatch(r"([-+]?[\d.,_  \u202f\u2009']*\d)\s*([a-zA-Z]*)", text)
        unit = match.group(2).lower() if match else ""
        if match is None or unit not in _UNITS:
            hint = " (bits are not bytes: divide by 8)" if "bit" in text.lower() else ""
            raise AnswerFormatError(f"could not read {text!r}{hint}: type {self.expected}")
        number = match.group(1)
        if _UNITS[unit] == (1,):
            value = _read_int(number, self.expected)
            return _Reading(text, ((float(value), 0.0),))
        amount = _read_float(number, self.expected)
        digits = re.sub(r"\D", "", number).lstrip("0")
        if len(digits) < 3:
            raise AnswerFormatError(
                f"{text!r} is too rounded to check: give at least 3 "
                f"significant digits, or {self.expected}"
            )
        decimals = len(number.split(".")[1]) if "." in number else 0
        rounding = 0.5 * 10.0**-decimals
        return _Reading(text, tuple((amount * size, rounding * size) for size in _UNITS[unit]))

    def matches(self, parsed: Any, target: Any) -> bool:
        target = float(target)
        return any(
            abs(value - target) <= tol + 1e-9 and abs(value - target) <= 0.05 * abs(target) + 1e-9
            for value, tol in parsed.candidates
        )

    def show(self, value: Any) -> str:
        if isinstance(value, _Reading):
            return value.text
        return f"{format_int(int(value))} bytes"


class ChoiceForm(AnswerForm):
    """One letter of a multiple-choice question: ``b``, ``(b)``, ``B)``, or the option's text.

    Args:
        options: The options' texts in display order (letter ``a`` first).
    """

    def __init__(self, options: Sequence[str]) -> None:
        self.options = tuple(options)
        self.letters = "abcdefghij"[: len(self.options)]
        self.expected = f"one letter: {', '.join(self.letters)}"

    def parse(self, raw: object) -> str:
        raw = _plain(raw)
        if isinstance(raw, numbers.Number):
            raise AnswerFormatError(f"{raw} is a number: type {self.expected}")
        text = _as_text(raw, self.expected)
        letter = text.lower().strip("()[]. ").rstrip(")")
        if len(letter) == 1 and letter in self.letters:
            return letter
        for option_letter, option in zip(self.letters, self.options, strict=True):
            if text.lower().rstrip(".") == option.lower().rstrip("."):
                return option_letter
        raise AnswerFormatError(f"{text!r} is not one of the options: type {self.expected}")

    def show(self, value: Any) -> str:
        return f"({value})"
