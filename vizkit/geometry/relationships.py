"""Dumoulin & Visin's fifteen relationships of convolution arithmetic, as data.

V. Dumoulin and F. Visin, *A guide to convolution arithmetic for deep learning* (2016), state
the output size of every convolution they draw as a numbered relationship: six for direct
convolutions (no / zero / half / full padding, unit and non-unit strides), one for pooling,
seven for transposed convolutions and one for dilated convolutions. Each is a special case of
:func:`~vizkit.geometry.conv_output_size`, :func:`~vizkit.geometry.pool_output_size` or
:func:`~vizkit.geometry.conv_transpose_output_size`; :data:`RELATIONSHIPS` holds all fifteen so
that the tests, the notebook table (:func:`vizkit.demos.relationships.check_relationships`) and
anyone else share one list.

Letters follow the guide (one spatial axis; square inputs and kernels): ``i`` input size (``i′``
for the input of a transposed convolution), ``k`` kernel size, ``s`` stride, ``p`` zero padding,
``a`` the transposed convolution's extra cells (torch's ``output_padding``), ``d`` dilation. A
transposed convolution is described, as torch does, by the ``k``, ``s`` and ``p`` of the direct
convolution it transposes.

Example:
    >>> r6 = RELATIONSHIPS[5]
    >>> r6.formula
    'o = ⌊(i + 2p − k) / s⌋ + 1'
    >>> r6.example, r6.closed_form(r6.example), r6.vizkit(r6.example)
    (Setting(input_size=5, kernel_size=3, stride=2, padding=1, output_padding=0, dilation=1), 3, 3)
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, TypeAlias

from vizkit.geometry._checks import GeometryError, check_int, require_at_least
from vizkit.geometry.conv import conv_output_size
from vizkit.geometry.pool import pool_output_size
from vizkit.geometry.transpose import conv_transpose_output_size

__all__ = ["RELATIONSHIPS", "Relationship", "RelationshipKind", "Setting", "relationship"]

RelationshipKind: TypeAlias = Literal["conv", "pool", "transposed"]


_MINIMUMS: tuple[tuple[str, int, str], ...] = (
    ("input_size", 1, "i, an input needs at least one cell"),
    ("kernel_size", 1, "k, a kernel needs at least one tap"),
    ("stride", 1, "s, 1 = move one cell at a time"),
    ("padding", 0, "p, zeros added on each side"),
    ("output_padding", 0, "a, extra cells after a transposed convolution"),
    ("dilation", 1, "d, 1 = adjacent kernel taps"),
)


@dataclass(frozen=True)
class Setting:
    """One configuration along one spatial axis, in torch's names (the guide's letters).

    Attributes:
        input_size: ``i`` (``i′``, the input of a transposed convolution), ≥ 1.
        kernel_size: ``k`` ≥ 1.
        stride: ``s`` ≥ 1.
        padding: ``p`` ≥ 0 on each side.
        output_padding: ``a`` ≥ 0, transposed convolutions only.
        dilation: ``d`` ≥ 1.

    Raises:
        TypeError: a field is not an int.
        GeometryError: a field is below its minimum.

    Example:
        >>> Setting(5, 3, stride=2, padding=1)
        Setting(input_size=5, kernel_size=3, stride=2, padding=1, output_padding=0, dilation=1)
    """

    input_size: int
    kernel_size: int
    stride: int = 1
    padding: int = 0
    output_padding: int = 0
    dilation: int = 1

    def __post_init__(self) -> None:
        for name, minimum, meaning in _MINIMUMS:
            value = check_int(name, getattr(self, name))
            require_at_least(name, (value, value), minimum, meaning)

    @property
    def dilated_kernel_size(self) -> int:
        """``k + (k − 1)(d − 1)``, the span of the dilated kernel (the guide's ``k̂``)."""
        k, d = self.kernel_size, self.dilation
        return k + (k - 1) * (d - 1)


_UNIT = {"stride": 1, "dilation": 1, "output_padding": 0}


@dataclass(frozen=True)
class Relationship:
    """One of the guide's numbered relationships: its conditions, closed form and example.

    Attributes:
        number: 1 … 15, as numbered in the guide.
        name: the guide's title for the case (e.g. ``"half (same) padding, unit strides"``).
        formula: the closed form as text, in the guide's letters.
        conditions: what a setting must satisfy for the relationship to hold, as text
            (besides ``d = 1`` for all but relationship 15 and ``a = 0`` for all but 14).
        kind: ``"conv"``, ``"pool"`` or ``"transposed"``: which layer it describes.
        example: the setting of the guide's figure for this case.
        figure: where the guide draws that example (e.g. ``"Figure 2.1"``).

    Example:
        >>> r3 = relationship(3)
        >>> r3.applies_to(Setting(7, 5, padding=2)), r3.applies_to(Setting(7, 4, padding=2))
        (True, False)
        >>> r3.closed_form(Setting(7, 5, padding=2)), r3.vizkit(Setting(7, 5, padding=2))
        (7, 7)
    """

    number: int
    name: str
    formula: str
    conditions: str
    kind: RelationshipKind
    example: Setting
    figure: str

    def _fixed(self) -> dict[str, int]:
        """Settings fields the relationship pins to one value."""
        n = self.number
        if n in (1, 8):
            return {**_UNIT, "padding": 0}
        if n in (2, 3, 4, 9, 10, 11):
            return dict(_UNIT)
        if n in (5, 7, 12):
            return {"padding": 0, "dilation": 1, "output_padding": 0}
        if n in (6, 13):
            return {"dilation": 1, "output_padding": 0}
        if n == 14:
            return {"dilation": 1}
        return {"output_padding": 0}  # 15

    def applies_to(self, setting: Setting) -> bool:
        """Whether ``setting`` meets this relationship's conditions and is a legal layer.

        Legal means what the guide assumes and torch accepts: the (dilated) kernel fits in the
        padded input, a transposed output has at least one cell and ``a < s``. Checked with the
        closed form's own arithmetic, independently of the vizkit function it is compared with.
        """
        if any(getattr(setting, name) != value for name, value in self._fixed().items()):
            return False
        i, k, s, p, a = (
            setting.input_size,
            setting.kernel_size,
            setting.stride,
            setting.padding,
            setting.output_padding,
        )
        if self.number in (3, 10) and (k % 2 == 0 or p != k // 2):
            return False
        if self.number in (4, 11) and p != k - 1:
            return False
        if self.kind == "transposed":
            return a < s and self._formula(setting) >= 1
        return setting.dilated_kernel_size <= i + 2 * p

    def _formula(self, setting: Setting) -> int:
        i, k, s, p = setting.input_size, setting.kernel_size, setting.stride, setting.padding
        a, d = setting.output_padding, setting.dilation
        n = self.number
        if n == 1:
            return i - k + 1
        if n == 2:
            return i - k + 2 * p + 1
        if n == 3:
            return i + 2 * (k // 2) - (k - 1)
        if n == 4:
            return i + 2 * (k - 1) - (k - 1)
        if n in (5, 7):
            return (i - k) // s + 1
        if n == 6:
            return (i + 2 * p - k) // s + 1
        if n == 8:
            return i + (k - 1)
        if n == 9:
            return i + (k - 1) - 2 * p
        if n == 10:
            return i
        if n == 11:
            return i - (k - 1)
        if n == 12:
            return s * (i - 1) + k
        if n == 13:
            return s * (i - 1) + k - 2 * p
        if n == 14:
            return s * (i - 1) + a + k - 2 * p
        return (i + 2 * p - k - (k - 1) * (d - 1)) // s + 1  # 15

    def closed_form(self, setting: Setting) -> int:
        """The guide's closed form evaluated on ``setting`` (the formula of :attr:`formula`).

        Raises:
            GeometryError: ``setting`` does not meet the relationship's conditions.
        """
        if not self.applies_to(setting):
            raise GeometryError(
                f"relationship {self.number} ({self.name}) does not apply to {setting}: it "
                f"needs {self.conditions}; pick a setting that meets them, e.g. {self.example}"
            )
        return self._formula(setting)

    def vizkit(self, setting: Setting) -> int:
        """The output size vizkit's geometry function gives for ``setting``.

        Half and full padding (relationships 3 and 4) are passed by name, ``"same"`` and
        ``"full"``, so the named paddings are checked too.

        Raises:
            GeometryError: vizkit (like torch) rejects the configuration.
        """
        s = setting
        if self.kind == "pool":
            return pool_output_size(
                s.input_size, s.kernel_size, stride=s.stride, padding=s.padding, dilation=s.dilation
            )
        if self.kind == "transposed":
            return conv_transpose_output_size(
                s.input_size,
                s.kernel_size,
                stride=s.stride,
                padding=s.padding,
                output_padding=s.output_padding,
                dilation=s.dilation,
            )
        if self.number == 3:
            return conv_output_size(s.input_size, s.kernel_size, padding="same")
        if self.number == 4:
            return conv_output_size(s.input_size, s.kernel_size, padding="full")
        return conv_output_size(
            s.input_size, s.kernel_size, stride=s.stride, padding=s.padding, dilation=s.dilation
        )

    def params_text(self, setting: Setting) -> str:
        """``setting`` in the guide's letters, e.g. ``"i′ = 3, k = 3, s = 2, p = 1, a = 1"``.

        Example:
            >>> relationship(15).params_text(relationship(15).example)
            'i = 7, k = 3, s = 1, p = 0, d = 2'
        """
        s = setting
        first = "i′" if self.kind == "transposed" else "i"
        parts = [
            f"{first} = {s.input_size}",
            f"k = {s.kernel_size}",
            f"s = {s.stride}",
            f"p = {s.padding}",
        ]
        if self.kind == "transposed":
            parts.append(f"a = {s.output_padding}")
        if self.number == 15 or s.dilation != 1:
            parts.append(f"d = {s.dilation}")
        return ", ".join(parts)


RELATIONSHIPS: tuple[Relationship, ...] = (
    Relationship(
        1,
        "no zero padding, unit strides",
        "o = i − k + 1",
        "s = 1, p = 0",
        "conv",
        Setting(4, 3),
        "Figure 2.1",
    ),
    Relationship(
        2,
        "zero padding, unit strides",
        "o = i − k + 2p + 1",
        "s = 1",
        "conv",
        Setting(5, 4, padding=2),
        "Figure 2.2",
    ),
    Relationship(
        3,
        "half (same) padding, unit strides",
        "o = i + 2⌊k/2⌋ − (k − 1) = i",
        "s = 1, k odd, p = ⌊k/2⌋",
        "conv",
        Setting(5, 3, padding=1),
        "Figure 2.3",
    ),
    Relationship(
        4,
        "full padding, unit strides",
        "o = i + 2(k − 1) − (k − 1) = i + (k − 1)",
        "s = 1, p = k − 1",
        "conv",
        Setting(5, 3, padding=2),
        "Figure 2.4",
    ),
    Relationship(
        5,
        "no zero padding, non-unit strides",
        "o = ⌊(i − k) / s⌋ + 1",
        "p = 0",
        "conv",
        Setting(5, 3, stride=2),
        "Figure 2.5",
    ),
    Relationship(
        6,
        "zero padding, non-unit strides",
        "o = ⌊(i + 2p − k) / s⌋ + 1",
        "any s, p",
        "conv",
        Setting(5, 3, stride=2, padding=1),
        "Figure 2.6",
    ),
    Relationship(
        7,
        "pooling",
        "o = ⌊(i − k) / s⌋ + 1",
        "p = 0",
        "pool",
        Setting(5, 3, stride=1),
        "Figure 1.6",
    ),
    Relationship(
        8,
        "transposed: no zero padding, unit strides",
        "o′ = i′ + (k − 1)",
        "s = 1, p = 0",
        "transposed",
        Setting(2, 3),
        "Figure 4.1",
    ),
    Relationship(
        9,
        "transposed: zero padding, unit strides",
        "o′ = i′ + (k − 1) − 2p",
        "s = 1",
        "transposed",
        Setting(6, 4, padding=2),
        "Figure 4.2",
    ),
    Relationship(
        10,
        "transposed: half (same) padding, unit strides",
        "o′ = i′",
        "s = 1, k odd, p = ⌊k/2⌋",
        "transposed",
        Setting(5, 3, padding=1),
        "Figure 4.3",
    ),
    Relationship(
        11,
        "transposed: full padding, unit strides",
        "o′ = i′ − (k − 1)",
        "s = 1, p = k − 1",
        "transposed",
        Setting(7, 3, padding=2),
        "Figure 4.4",
    ),
    Relationship(
        12,
        "transposed: no zero padding, non-unit strides",
        "o′ = s(i′ − 1) + k",
        "p = 0",
        "transposed",
        Setting(2, 3, stride=2),
        "Figure 4.5",
    ),
    Relationship(
        13,
        "transposed: zero padding, non-unit strides",
        "o′ = s(i′ − 1) + k − 2p",
        "i + 2p − k a multiple of s",
        "transposed",
        Setting(3, 3, stride=2, padding=1),
        "Figure 4.6",
    ),
    Relationship(
        14,
        "transposed: zero padding, non-unit strides, any input",
        "o′ = s(i′ − 1) + a + k − 2p",
        "a = (i + 2p − k) mod s < s",
        "transposed",
        Setting(3, 3, stride=2, padding=1, output_padding=1),
        "Figure 4.7",
    ),
    Relationship(
        15,
        "dilated convolution",
        "o = ⌊(i + 2p − k − (k − 1)(d − 1)) / s⌋ + 1",
        "any s, p, d",
        "conv",
        Setting(7, 3, dilation=2),
        "Figure 5.1",
    ),
)
"""All fifteen, in the guide's order (``RELATIONSHIPS[n - 1].number == n``)."""


def relationship(number: int) -> Relationship:
    """Relationship ``number`` (1 … 15) of the guide.

    Raises:
        TypeError: ``number`` is not an int.
        GeometryError: ``number`` is outside 1 … 15.

    Example:
        >>> relationship(14).formula
        'o′ = s(i′ − 1) + a + k − 2p'
    """
    check_int("number", number)
    if not 1 <= number <= len(RELATIONSHIPS):
        raise GeometryError(
            f"relationship {number} does not exist: Dumoulin & Visin number them 1 … "
            f"{len(RELATIONSHIPS)}; use e.g. relationship(6) for ⌊(i + 2p − k) / s⌋ + 1"
        )
    return RELATIONSHIPS[number - 1]
