"""Turning user data (numpy arrays, torch tensors, nested lists) into float64 arrays.

Torch tensors are accepted without importing torch: anything with ``.detach()`` is detached
and moved to the CPU first, then read with :func:`numpy.asarray`. The result is always a
fresh float64 copy, so a trace never shares memory with (or mutates) what the caller passed.
"""

from __future__ import annotations

from typing import Any, TypeVar

import numpy as np
import numpy.typing as npt

from vizkit._validate import MEMORY_BUDGET_BYTES, check_memory

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]
ArrayT = TypeVar("ArrayT", bound="np.ndarray[Any, Any]")


def frozen(array: ArrayT) -> ArrayT:
    """Mark ``array`` read-only (traces are frozen records) and return it."""
    array.flags.writeable = False
    return array


def _describe(value: object) -> str:
    shape = getattr(value, "shape", None)
    kind = type(value).__name__
    return f"a {kind} of shape {tuple(shape)}" if shape is not None else f"a {kind}"


def as_float_array(name: str, value: object) -> FloatArray:
    """A float64 copy of ``value`` (numpy array, torch tensor, nested list or scalar).

    Raises:
        TypeError: ``value`` is None, not numeric (bool, complex, strings, objects), or a
            tensor numpy cannot read (e.g. bfloat16).
    """
    if value is None:
        raise TypeError(f"{name} must be an array or a tensor of numbers, got None")
    data: Any = value
    if hasattr(data, "detach") and callable(data.detach):
        data = data.detach()
        if hasattr(data, "cpu") and callable(data.cpu):
            data = data.cpu()
    try:
        array = np.asarray(data)
    except (TypeError, ValueError, RuntimeError) as err:
        raise TypeError(
            f"{name} could not be read as a numeric array ({_describe(value)}: {err}); "
            f"pass a numpy array or a float32/float64 tensor (e.g. {name}.float())"
        ) from err
    if array.dtype.kind not in "iuf":
        hint = f" (e.g. {name}.astype(float))" if array.dtype.kind == "b" else ""
        raise TypeError(
            f"{name} must hold real numbers (int or float), got dtype {array.dtype} "
            f"({_describe(value)}): convert it to floats{hint}"
        )
    return np.array(array, dtype=np.float64, copy=True)


def require_ndim(name: str, array: FloatArray, allowed: tuple[int, ...], layout: str) -> None:
    """Raise a ValueError naming the layouts allowed when ``array.ndim`` is not in ``allowed``."""
    if array.ndim not in allowed:
        raise ValueError(
            f"{name} must have {' or '.join(str(n) for n in allowed)} dimensions {layout}, "
            f"got {array.ndim} dimensions with shape {array.shape}"
            + (f": add a batch axis with {name}[None]" if array.ndim == min(allowed) - 1 else "")
        )


def check_bias(bias: object, out_channels: int) -> FloatArray:
    """The bias as a ``(K,)`` float64 array (zeros when ``bias`` is None).

    Raises:
        ValueError: the bias does not have shape ``(out_channels,)``.
    """
    if bias is None:
        return np.zeros(out_channels)
    b = as_float_array("bias", bias)
    if b.shape != (out_channels,):
        raise ValueError(
            f"bias must have shape ({out_channels},), one value per output channel, "
            f"got shape {b.shape}"
        )
    return b


def check_allocation(
    elements: int, blame: dict[str, tuple[object, int]], what: str, fix: str
) -> None:
    """Refuse a trace whose float64 arrays would exceed vizkit's memory budget, before
    allocating any of them.

    Args:
        elements: float64 values the trace would hold at its peak.
        blame: parameter → (its value, the elements it is responsible for); the message names
            the parameter responsible for the most.
        what: what would be allocated, in words.
        fix: how to ask for less.

    Raises:
        ValueError: over the budget (the message states it).
    """
    nbytes = elements * 8
    if nbytes <= MEMORY_BUDGET_BYTES:
        return
    name = max(blame, key=lambda key: blame[key][1])
    check_memory(nbytes, name=name, value=blame[name][0], what=what, fix=fix)
