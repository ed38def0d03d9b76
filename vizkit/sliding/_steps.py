"""A lazy, read-only sequence of trace steps: step ``k`` is built only when it is asked for.

A 32×32 input with 16 output channels has 16 384 steps; building them all up front would
cost memory for nothing when an animation shows a few hundred. ``len()``, indexing (negative
indices and slices too) and iteration behave like a tuple's.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from typing import TypeVar, overload

StepT = TypeVar("StepT")


def unravel(index: int, shape: tuple[int, ...]) -> tuple[int, ...]:
    """C-order multi-index of flat ``index`` (``np.unravel_index`` without its overhead).

    Example:
        >>> unravel(7, (2, 2, 3))
        (1, 0, 1)
    """
    result = []
    for size in reversed(shape):
        index, rest = divmod(index, size)
        result.append(rest)
    return tuple(reversed(result))


class Steps(Sequence[StepT]):
    """``len(steps)`` steps, step ``k`` computed by ``make(k)`` on access.

    Example:
        >>> squares = Steps(4, lambda k: k * k)
        >>> len(squares), squares[-1], list(squares[1:3])
        (4, 9, [1, 4])
    """

    __slots__ = ("_length", "_make")

    def __init__(self, length: int, make: Callable[[int], StepT]) -> None:
        self._length = length
        self._make = make

    def __len__(self) -> int:
        return self._length

    @overload
    def __getitem__(self, index: int) -> StepT: ...
    @overload
    def __getitem__(self, index: slice) -> list[StepT]: ...
    def __getitem__(self, index: int | slice) -> StepT | list[StepT]:
        if isinstance(index, slice):
            return [self._make(k) for k in range(*index.indices(self._length))]
        if isinstance(index, bool) or not isinstance(index, int):
            raise TypeError(
                f"step index must be an int or a slice, got {index!r} ({type(index).__name__})"
            )
        k = index + self._length if index < 0 else index
        if not 0 <= k < self._length:
            raise IndexError(
                f"step {index} is out of range: this trace has {self._length} steps "
                f"(0 … {self._length - 1})"
            )
        return self._make(k)

    def __iter__(self) -> Iterator[StepT]:
        for k in range(self._length):
            yield self._make(k)

    def __repr__(self) -> str:
        return f"Steps(<{self._length} steps>)"
