"""Exercise: the output size of a convolution (square or rectangular, or "does not fit").

The answer is the shape of a real ``nn.Conv2d`` forward, or the ``RuntimeError`` torch raises
when the dilated kernel does not fit the padded input; the formula only builds the hints and
the wrong answers of recognisable mistakes (also reused by :mod:`.transposed`).
"""

from __future__ import annotations

import math
import random

from vizkit.exercises.answers import NO_FIT, SizeForm
from vizkit.exercises.exercise import Mistake, Spec
from vizkit.exercises.generators.common import (
    arguments,
    dims_text,
    keep_distinct,
    off_by_one,
    quiet_torch,
)

__all__ = ["conv_dim", "conv_output_size", "conv_text"]

CONV_HINT = (
    "H_out = ⌊(H + 2P − D·(K − 1) − 1) / S⌋ + 1 (the same for W), after checking that the "
    "dilated kernel D·(K − 1) + 1 fits in the padded input H + 2P."
)


def conv_dim(
    h: int,
    k: int,
    s: int,
    p: int,
    d: int,
    *,
    dilate: bool = True,
    pad: int = 2,
    divide: int = 1,
    ceil: bool = False,
    plus_one: bool = True,
) -> int:
    """One dimension of the conv output size, optionally with a mistake switched on.

    ``divide`` is 1 for the right division by S, 0 for none, 2 for a division by S + 1.
    """
    numerator = h + pad * p - (d * (k - 1) + 1 if dilate else k)
    if divide:
        step = s if divide == 1 else s + 1
        numerator = math.ceil(numerator / step) if ceil else numerator // step
    return numerator + (1 if plus_one else 0)


def conv_text(
    h: int,
    k: int,
    s: int,
    p: int,
    d: int,
    *,
    dilate: bool = True,
    pad: int = 2,
    divide: int = 1,
    ceil: bool = False,
    plus_one: bool = True,
) -> str:
    """The formula of :func:`conv_dim` with the numbers filled in (same switches)."""
    pad_term = {2: f" + 2·{p}", 1: f" + {p}", 0: ""}[pad]
    kernel_term = f" − {d}·({k} − 1) − 1" if dilate else f" − {k}"
    inner = f"{h}{pad_term}{kernel_term}"
    if divide:
        step = str(s) if divide == 1 else f"({s} + 1)"
        inner = f"⌈({inner}) / {step}⌉" if ceil else f"⌊({inner}) / {step}⌋"
    else:
        inner = f"({inner})"
    return inner + (" + 1" if plus_one else "")


def _pair(values: tuple[int, int], square: bool) -> int | tuple[int, int]:
    return values[0] if square else values


def _no_fit_size(
    rng: random.Random, square: bool, dilation: int
) -> tuple[tuple[int, int], tuple[int, int], int]:
    """Kernel, input size and padding for which the dilated kernel exceeds the padded input."""
    k = rng.choice([5, 7, 11]) if dilation == 1 else rng.choice([3, 5])
    kernel = (k, k) if square else (k, rng.choice([1, 3]))
    padding = rng.randint(0, (dilation * (k - 1) - 1) // 2)
    height = rng.randint(1, dilation * (k - 1) - 2 * padding)
    size = (height, height) if square else (height, rng.randint(dilation * (k - 1) + 1, 40))
    return kernel, size, padding


def conv_output_size(rng: random.Random) -> Spec:
    """Output height × width of an ``nn.Conv2d``, or "does not fit"."""
    import torch
    from torch import nn

    square = rng.random() < 0.5
    stride, dilation = rng.choice([1, 1, 2, 2, 3, 4]), rng.choice([1, 1, 1, 2, 3])
    if rng.random() >= 0.2:
        kernel = (
            (rng.choice([1, 3, 3, 5, 7, 11]),) * 2
            if square
            else (rng.choice([1, 3, 5, 7]), rng.choice([1, 3, 5, 7]))
        )
        padding = rng.choice([0, 0, 1, 1, 2, 3])
        low = max(1, dilation * (max(kernel) - 1) + 1 - 2 * padding)
        size = (rng.randint(low, 64), rng.randint(low, 64))
        size = (size[0], size[0]) if square else size
    else:
        kernel, size, padding = _no_fit_size(rng, square, dilation)
    if not square and size[0] == size[1]:
        size = (size[0], size[1] + 1)
    with quiet_torch():
        layer = nn.Conv2d(
            1,
            1,
            kernel_size=_pair(kernel, square),
            stride=stride,
            padding=padding,
            dilation=dilation,
            bias=False,
        )
        try:
            shape = layer(torch.zeros(1, 1, *size)).shape
            answer: tuple[int, ...] | str = (int(shape[-2]), int(shape[-1]))
            torch_result, error = f"torch.Size([{shape[-2]}, {shape[-1]}])", ""
        except RuntimeError as err:
            answer, error = NO_FIT, str(err)
            torch_result = f"RuntimeError: {error}"
    call = arguments(
        1,
        1,
        kernel_size=(_pair(kernel, square), None),
        stride=(stride, 1),
        padding=(padding, 0),
        dilation=(dilation, 1),
    )
    form = SizeForm(2, allow_single=square, allow_no_fit=True)
    dims = ("H", "W")[: 1 if square else 2]
    effective = [dilation * (k - 1) + 1 for k in kernel]
    padded = [n + 2 * padding for n in size]
    working = "; ".join(
        f"check {dilation}·({kernel[i]} − 1) + 1 ≤ {size[i]} + 2·{padding}, then {dim}_out = "
        + conv_text(size[i], kernel[i], stride, padding, dilation)
        for i, dim in enumerate(dims)
    )

    def variant(key: str, label: str, fix: str, **change: object) -> Mistake:
        value = tuple(
            conv_dim(size[i], kernel[i], stride, padding, dilation, **change) for i in range(2)
        )
        steps = "; ".join(
            f"{dim}_out = {conv_text(size[i], kernel[i], stride, padding, dilation, **change)}"
            f" = {value[i]}"
            for i, dim in enumerate(dims)
        )
        return Mistake(key, value, label, steps, fix)

    mistakes: list[Mistake | None] = [
        variant(
            "forgot_dilation",
            "used the kernel size K instead of the dilated size D·(K − 1) + 1",
            f"With dilation {dilation} a {kernel[0]}-wide kernel spans {effective[0]} input cells.",
            dilate=False,
        )
        if dilation > 1
        else None,
        variant(
            "forgot_padding",
            "left out the padding",
            "Padding adds P cells on *each* side: H + 2P.",
            pad=0,
        )
        if padding
        else None,
        variant(
            "padding_once",
            "added the padding on one side only",
            "Padding adds P cells on each side: H + 2P.",
            pad=1,
        )
        if padding
        else None,
        variant(
            "forgot_stride",
            "did not divide by the stride",
            "Consecutive windows are S cells apart, so divide by S.",
            divide=0,
        )
        if stride > 1
        else None,
        variant(
            "divided_by_s_plus_1",
            "divided by S + 1",
            "The formula is ⌊(…) / S⌋ + 1: divide by S, then add 1.",
            divide=2,
            plus_one=False,
        ),
        variant(
            "rounded_up",
            "rounded up",
            "A window that would stick out of the padded input is dropped: round down, ⌊·⌋.",
            ceil=True,
        )
        if stride > 1
        else None,
        variant(
            "forgot_plus_one",
            "left out the + 1 (off by one)",
            "The + 1 counts the first window, at position 0.",
            plus_one=False,
        ),
    ]
    if answer == NO_FIT:
        mistakes.append(
            variant(
                "no_fit_check",
                "applied the formula without checking that the kernel fits",
                f"The dilated kernel {dims_text(effective)} is larger than the padded input "
                f"{dims_text(padded)}: PyTorch refuses this layer.",
            )
        )
        reason = (
            f"The dilated kernel ({dims_text(effective[: len(dims)])}) is larger than the "
            f"padded input ({dims_text(padded[: len(dims)])}) in "
            f"{'height' if effective[0] > padded[0] else 'width'}, so no window position "
            f"fits; PyTorch raises: “{error}”."
        )
        solution = reason
    else:
        mistakes.append(
            Mistake(
                "said_no_fit",
                NO_FIT,
                "thought the kernel does not fit",
                f"“{NO_FIT}”",
                f"It fits: the dilated kernel {dims_text(effective)} is not larger "
                f"than the padded input {dims_text(padded)}.",
            )
        )
        mistakes += off_by_one(
            answer,
            form,
            "Count window positions: the first starts at 0, the "
            "last must end inside the padded input.",
        )
        reason = ""
        solution = "\n".join(
            f"- {dim}: dilated kernel {dilation}·({kernel[i]} − 1) + 1 = {effective[i]}, padded "
            f"input {size[i]} + 2·{padding} = {padded[i]}; {dim}_out = ⌊({padded[i]} − "
            f"{effective[i]}) / {stride}⌋ + 1 = ⌊{padded[i] - effective[i]}/{stride}⌋ + 1 = "
            f"{answer[i]}"
            for i, dim in enumerate(dims)
        )
    question = (
        f"A layer `nn.Conv2d({call})` reads a feature map of height × width "
        f"**{dims_text(size)}**. What is the output's height × width? If the kernel does not "
        f"fit, answer `{NO_FIT}`."
    )
    return Spec(
        title="Output size of a convolution",
        question=question,
        answer=answer,
        form=form,
        hint=CONV_HINT,
        working=working,
        solution=solution,
        torch_line=f"nn.Conv2d({call})(torch.zeros(1, 1, {size[0]}, {size[1]})).shape[-2:]",
        torch_result=torch_result,
        mistakes=keep_distinct(mistakes, answer, form),
        params={
            "input_size": size,
            "kernel_size": kernel,
            "stride": stride,
            "padding": padding,
            "dilation": dilation,
            "error": error,
        },
        on_correct=reason,
    )
