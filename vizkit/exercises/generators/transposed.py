"""Exercise: the output size of a transposed convolution, with ``output_padding``.

The answer is the shape of a real ``nn.ConvTranspose2d`` forward; the formulas (and the
convolution's, for the "swapped formula" mistake) only build hints and wrong answers.
"""

from __future__ import annotations

import random

from vizkit.exercises.answers import SizeForm
from vizkit.exercises.exercise import Mistake, Spec
from vizkit.exercises.generators.common import (
    arguments,
    dims_text,
    keep_distinct,
    off_by_one,
    quiet_torch,
)
from vizkit.exercises.generators.conv_size import conv_dim, conv_text

__all__ = ["conv_transpose_output_size"]


def _transpose_dim(
    h: int,
    k: int,
    s: int,
    p: int,
    op: int,
    d: int,
    *,
    dilate: bool = True,
    output_padding: bool = True,
    pad_sign: int = -1,
    h_minus_one: bool = True,
) -> int:
    """One dimension of the transposed-conv output size, optionally with a mistake."""
    span = d * (k - 1) if dilate else k - 1
    return (
        (h - 1 if h_minus_one else h) * s
        + pad_sign * 2 * p
        + span
        + (op if output_padding else 0)
        + 1
    )


def _transpose_text(
    h: int,
    k: int,
    s: int,
    p: int,
    op: int,
    d: int,
    *,
    dilate: bool = True,
    output_padding: bool = True,
    pad_sign: int = -1,
    h_minus_one: bool = True,
) -> str:
    """The formula of :func:`_transpose_dim` with the numbers filled in (same switches)."""
    start = f"({h} − 1)·{s}" if h_minus_one else f"{h}·{s}"
    pad = f" {'−' if pad_sign < 0 else '+'} 2·{p}"
    span = f" + {d}·({k} − 1)" if dilate else f" + ({k} − 1)"
    extra = f" + {op}" if output_padding else ""
    return f"{start}{pad}{span}{extra} + 1"


def conv_transpose_output_size(rng: random.Random) -> Spec:
    """Output height × width of an ``nn.ConvTranspose2d`` with ``output_padding``."""
    import torch
    from torch import nn

    square = rng.random() < 0.6
    while True:
        kernel = rng.choice([1, 2, 3, 3, 4, 5])
        stride, dilation = rng.choice([1, 2, 2, 3]), rng.choice([1, 1, 1, 2])
        padding = rng.randint(0, min(3, dilation * (kernel - 1)))
        output_padding = rng.randint(0, max(stride, dilation) - 1)
        size = (rng.randint(2, 16),) * 2 if square else (rng.randint(2, 16), rng.randint(2, 16))
        if (square or size[0] != size[1]) and _transpose_dim(
            min(size), kernel, stride, padding, output_padding, dilation
        ) >= 1:
            break
    with quiet_torch():
        layer = nn.ConvTranspose2d(
            1,
            1,
            kernel,
            stride=stride,
            padding=padding,
            output_padding=output_padding,
            dilation=dilation,
            bias=False,
        )
        shape = layer(torch.zeros(1, 1, *size)).shape
    answer = (int(shape[-2]), int(shape[-1]))
    call = arguments(
        1,
        1,
        kernel,
        stride=(stride, 1),
        padding=(padding, 0),
        output_padding=(output_padding, 0),
        dilation=(dilation, 1),
    )
    form = SizeForm(2, allow_single=square)
    dims = ("H", "W")[: 1 if square else 2]
    numbers = (kernel, stride, padding, output_padding, dilation)
    working = "; ".join(
        f"{dim}_out = {_transpose_text(size[i], *numbers)}" for i, dim in enumerate(dims)
    )

    def variant(key: str, label: str, fix: str, **change: bool | int) -> Mistake:
        value = tuple(_transpose_dim(n, *numbers, **change) for n in size)
        steps = "; ".join(
            f"{dim}_out = {_transpose_text(size[i], *numbers, **change)} = {value[i]}"
            for i, dim in enumerate(dims)
        )
        return Mistake(key, value, label, steps, fix)

    conv_value = tuple(conv_dim(n, kernel, stride, padding, dilation) for n in size)
    conv_steps = "; ".join(
        f"{dim}_out = {conv_text(size[i], kernel, stride, padding, dilation)} = {conv_value[i]}"
        for i, dim in enumerate(dims)
    )
    mistakes: list[Mistake | None] = [
        Mistake(
            "used_conv_formula",
            conv_value,
            "used the convolution formula (the swapped formula)",
            conv_steps,
            "A transposed convolution runs the convolution "
            "backwards: H_out = (H − 1)·S − 2P + D·(K − 1) + output_padding + 1.",
        ),
        variant(
            "forgot_output_padding",
            "left out output_padding",
            f"output_padding={output_padding} adds {output_padding} row(s)/column(s) at the end.",
            output_padding=False,
        )
        if output_padding
        else None,
        variant(
            "forgot_dilation",
            "used K − 1 instead of D·(K − 1)",
            "A dilated kernel spans D·(K − 1) + 1 cells.",
            dilate=False,
        )
        if dilation > 1
        else None,
        variant(
            "added_padding",
            "added 2P",
            "In a transposed conv, padding *removes* P cells on each side: − 2P.",
            pad_sign=1,
        )
        if padding
        else None,
        variant(
            "h_times_s",
            "multiplied H by S instead of (H − 1)",
            "H inputs leave H − 1 steps of S cells between the first and the last kernel position.",
            h_minus_one=False,
        )
        if stride > 1
        else None,
        *off_by_one(
            answer,
            form,
            "The formula ends in + 1: count the output cells from the "
            "first kernel position to the last.",
        ),
    ]
    solution = "\n".join(
        f"- {dim}_out = {_transpose_text(size[i], *numbers)} = {(size[i] - 1) * stride} − "
        f"{2 * padding} + {dilation * (kernel - 1)} + {output_padding} + 1 = {answer[i]}"
        for i, dim in enumerate(dims)
    )
    return Spec(
        title="Output size of a transposed convolution",
        question=(
            f"A layer `nn.ConvTranspose2d({call})` reads a feature map of height × width "
            f"**{dims_text(size)}**. What is the output's height × width?"
        ),
        answer=answer,
        form=form,
        hint="H_out = (H − 1)·S − 2P + D·(K − 1) + output_padding + 1 (the same for W): the "
        "convolution formula run backwards.",
        working=working,
        solution=solution,
        torch_line=f"nn.ConvTranspose2d({call})(torch.zeros(1, 1, {size[0]}, {size[1]}))"
        ".shape[-2:]",
        torch_result=f"torch.Size([{answer[0]}, {answer[1]}])",
        mistakes=keep_distinct(mistakes, answer, form),
        params={
            "input_size": size,
            "kernel_size": kernel,
            "stride": stride,
            "padding": padding,
            "output_padding": output_padding,
            "dilation": dilation,
        },
    )
