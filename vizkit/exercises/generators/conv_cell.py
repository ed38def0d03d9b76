"""Exercise: one output cell of a small convolution — the dot product of kernel and window,
plus the bias.

The answer is the output of a real ``nn.Conv2d`` with the drawn weight and bias; the
plain-Python arithmetic only builds the working shown in the feedback and the values of
recognisable mistakes (a forgotten bias, a flipped kernel, a forgotten stride or padding).
"""

from __future__ import annotations

import random

from vizkit.exercises.answers import IntForm
from vizkit.exercises.exercise import Mistake, Spec
from vizkit.exercises.generators.common import (
    arguments,
    code_grid,
    keep_distinct,
    quiet_torch,
    signed_text,
)

__all__ = ["conv_output_cell"]

Matrix = list[list[int]]


def _window_terms(x: Matrix, w: Matrix, top: int, left: int, padding: int) -> list[tuple[int, int]]:
    """(weight, input) pairs of the window whose top-left corner is at padded (top, left)."""

    def read(r: int, c: int) -> int:
        r, c = r - padding, c - padding
        return x[r][c] if 0 <= r < len(x) and 0 <= c < len(x[0]) else 0

    return [(w[a][b], read(top + a, left + b)) for a in range(len(w)) for b in range(len(w))]


def _dot(terms: list[tuple[int, int]], bias: int) -> int:
    return sum(a * b for a, b in terms) + bias


def _dot_text(terms: list[tuple[int, int]], bias: int | None) -> str:
    text = " + ".join(f"{signed_text(a)}·{signed_text(b)}" for a, b in terms)
    return text + (f" + {signed_text(bias)}" if bias is not None else "")


def conv_output_cell(rng: random.Random) -> Spec:
    """One output cell of an ``nn.Conv2d`` on a small integer grid: the dot product (+ bias)."""
    import torch
    from torch import nn

    size, k = rng.choice([4, 5, 5, 6]), rng.choice([3, 3, 3, 2])
    stride, padding = rng.choice([1, 1, 2]), rng.choice([0, 0, 1])
    x = [[rng.randint(-2, 4) for _ in range(size)] for _ in range(size)]
    w = [[rng.randint(-1, 2) for _ in range(k)] for _ in range(k)]
    bias = rng.choice([0, 0, 1, -1, 2, -2, 3])
    with quiet_torch():
        conv = nn.Conv2d(1, 1, k, stride=stride, padding=padding)
        conv.weight.copy_(torch.tensor(w, dtype=torch.float32)[None, None])
        conv.bias.fill_(bias)
        out = conv(torch.tensor(x, dtype=torch.float32)[None, None])[0, 0]
        rows, cols = out.shape
        i, j = rng.randrange(rows), rng.randrange(cols)
        if padding and rng.random() < 0.5:  # an edge cell: the padding matters
            i, j = rng.choice([0, rows - 1]), rng.randrange(cols)
        answer = round(float(out[i, j]))
    form = IntForm("the output value", example=-7)
    terms = _window_terms(x, w, i * stride, j * stride, padding)
    working = f"output[{i}][{j}] = {_dot_text(terms, bias)}"

    def variant(
        key: str,
        top_left: tuple[int, int] | None,
        label: str,
        fix: str,
        *,
        kernel: Matrix = w,
        b: int = bias,
        pad: int = padding,
    ) -> Mistake | None:
        if top_left is None:
            return None
        top, left = top_left
        if top < 0 or left < 0 or top + k > size + 2 * pad or left + k > size + 2 * pad:
            return None  # the mistaken window would leave the grid: not a plausible answer
        wrong = _window_terms(x, kernel, top, left, pad)
        return Mistake(key, _dot(wrong, b), label, f"{_dot_text(wrong, b)} = {_dot(wrong, b)}", fix)

    flipped = [row[::-1] for row in w[::-1]]
    mistakes = [
        variant(
            "forgot_bias",
            (i * stride, j * stride),
            "forgot the bias",
            f"Add the bias {bias} to the dot product.",
            b=0,
        )
        if bias
        else None,
        variant(
            "flipped_kernel",
            (i * stride, j * stride),
            "flipped the kernel (a textbook convolution)",
            "nn.Conv2d computes a cross-correlation: the kernel is laid on"
            " the window as it is, not rotated by 180°.",
            kernel=flipped,
        ),
        variant(
            "forgot_stride",
            (i, j),
            "moved the window by 1 per output cell",
            f"With stride {stride}, output [{i}][{j}] reads the window starting at row "
            f"{i}·{stride}, column {j}·{stride} of the padded input.",
        )
        if stride > 1
        else None,
        variant(
            "forgot_padding",
            (i * stride, j * stride),
            "left out the zero padding",
            f"The window's corner is at row {i}·{stride}, column {j}·{stride} of the "
            "*padded* input (zeros around the border).",
            pad=0,
        )
        if padding
        else None,
        variant(
            "swapped_row_column",
            (j * stride, i * stride),
            "swapped row and column",
            "output[i][j]: i counts rows (down), j counts columns (across).",
        )
        if i != j and j < rows and i < cols
        else None,
    ]
    call = arguments(1, 1, k, stride=(stride, 1), padding=(padding, 0))
    question = (
        f"`conv = nn.Conv2d({call})` has weight (kernel)\n\n{code_grid(w)}\n\nand bias "
        f"**{bias}**. It reads this {size} × {size} input (one channel):\n\n{code_grid(x)}\n\n"
        f"What is `conv(x)[0, 0, {i}, {j}]`, the output in row {i}, column {j} (counting "
        "from 0)?"
    )
    return Spec(
        title="One output cell of a convolution",
        question=question,
        answer=answer,
        form=form,
        hint="output[i][j] = Σ kernel ⊙ window + bias, where the window is the K × K patch of "
        "the zero-padded input whose top-left corner is at row i·S, column j·S. "
        "nn.Conv2d does not flip the kernel.",
        working=working,
        solution=(
            f"The window starts at row {i}·{stride} = {i * stride}, column {j}·{stride} = "
            f"{j * stride} of the {'zero-padded ' if padding else ''}input. "
            f"{working} = {answer}."
        ),
        torch_line=(
            f"conv = nn.Conv2d({call}); conv.weight.data = torch.tensor([[{w}]], "
            f"dtype=torch.float32); conv.bias.data.fill_({bias}); "
            f"conv(torch.tensor([[{x}]], dtype=torch.float32))[0, 0, {i}, {j}]"
        ),
        torch_result=f"tensor({float(answer)})",
        mistakes=keep_distinct(mistakes, answer, form),
        params={
            "input": x,
            "weight": w,
            "bias": bias,
            "stride": stride,
            "padding": padding,
            "cell": (i, j),
        },
    )
