"""Pooling exercises: the output size of a pooling layer, and the pooled values of a small grid.

The answers are the output of a real ``nn.MaxPool2d`` / ``nn.AvgPool2d`` forward (its shape,
or its values); the formulas only build the hints and the values of recognisable mistakes.
"""

from __future__ import annotations

import math
import random

from vizkit.exercises.answers import GridForm, SizeForm
from vizkit.exercises.exercise import Mistake, Spec
from vizkit.exercises.generators.common import (
    arguments,
    code_grid,
    dims_text,
    keep_distinct,
    off_by_one,
    quiet_torch,
)

__all__ = ["pool_output_size", "pooled_values"]


def _pool_dim(
    h: int,
    k: int,
    s: int,
    p: int,
    *,
    ceil: bool,
    pad: int = 2,
    step: int = 0,
    plus_one: bool = True,
    drop_last: bool = True,
) -> int:
    """One dimension of a pooling output size; ``step`` overrides S (a mistake), 0 keeps it.

    With ``ceil`` and ``drop_last``, a last window starting beyond ``h + p`` is dropped, as
    PyTorch does.
    """
    divisor = step or s
    numerator = h + pad * p - k
    out = math.ceil(numerator / divisor) if ceil else numerator // divisor
    out += 1 if plus_one else 0
    if ceil and drop_last and plus_one and (out - 1) * divisor >= h + p:
        out -= 1
    return out


def _pool_text(
    h: int,
    k: int,
    s: int,
    p: int,
    *,
    ceil: bool,
    pad: int = 2,
    step: int = 0,
    plus_one: bool = True,
    drop_last: bool = True,
) -> str:
    """The formula of :func:`_pool_dim` with the numbers filled in."""
    pad_term = {2: f" + 2·{p}", 1: f" + {p}", 0: ""}[pad]
    divisor = step or s
    body = f"({h}{pad_term} − {k}) / {divisor}"
    text = (f"⌈{body}⌉" if ceil else f"⌊{body}⌋") + (" + 1" if plus_one else "")
    if ceil and drop_last and plus_one:
        text += f" (− 1 if the last window would start beyond {h} + {p})"
    return text


def pool_output_size(rng: random.Random) -> Spec:
    """Output height × width of an ``nn.MaxPool2d`` / ``nn.AvgPool2d``."""
    import torch
    from torch import nn

    kind = rng.choice(["MaxPool2d", "MaxPool2d", "AvgPool2d"])
    square = rng.random() < 0.6
    kernel = rng.choice([2, 2, 3, 3, 4, 5])
    stride = rng.choice([None, None, 1, 2, 2, 3])
    padding = rng.choice([0, 0, 0, 1, 2]) if kernel >= 2 else 0
    padding = min(padding, kernel // 2)
    ceil_mode = rng.random() < 0.35
    size = (rng.randint(kernel, 64), rng.randint(kernel, 64))
    size = (size[0], size[0]) if square else size
    if not square and size[0] == size[1]:
        size = (size[0], size[1] + 1)
    step = stride or kernel
    with quiet_torch():
        layer = getattr(nn, kind)(kernel, stride=stride, padding=padding, ceil_mode=ceil_mode)
        shape = layer(torch.zeros(1, 1, *size)).shape
    answer = (int(shape[-2]), int(shape[-1]))
    call = arguments(
        kernel, stride=(stride, None), padding=(padding, 0), ceil_mode=(ceil_mode, False)
    )
    form = SizeForm(2, allow_single=square)
    dims = ("H", "W")[: 1 if square else 2]
    working = "; ".join(
        f"{dim}_out = {_pool_text(size[i], kernel, step, padding, ceil=ceil_mode)}"
        for i, dim in enumerate(dims)
    )

    def variant(key: str, label: str, fix: str, **change: bool | int) -> Mistake:
        settings: dict[str, bool | int] = {"ceil": ceil_mode, **change}
        value = tuple(_pool_dim(n, kernel, step, padding, **settings) for n in size)
        steps = "; ".join(
            f"{dim}_out = {_pool_text(size[i], kernel, step, padding, **settings)} = {value[i]}"
            for i, dim in enumerate(dims)
        )
        return Mistake(key, value, label, steps, fix)

    rounding = "ceil_mode=True rounds up" if ceil_mode else "without ceil_mode PyTorch rounds down"
    mistakes: list[Mistake | None] = [
        variant(
            "stride_default_one",
            "took the default stride to be 1",
            "A pooling layer's stride defaults to kernel_size.",
            step=1,
        )
        if stride is None and kernel > 1
        else None,
        variant(
            "wrong_rounding",
            "rounded the other way",
            f"{rounding}.",
            ceil=not ceil_mode,
            drop_last=False,
        ),
        variant(
            "ceil_last_window",
            "kept a last window that starts in the padding",
            "With "
            "ceil_mode=True PyTorch drops a last window that would start beyond the input "
            "and its left padding.",
            drop_last=False,
        )
        if ceil_mode
        else None,
        variant(
            "forgot_padding",
            "left out the padding",
            "Padding adds P cells on each side: H + 2P.",
            pad=0,
        )
        if padding
        else None,
        variant(
            "divided_by_s_plus_1",
            "divided by S + 1",
            "The formula is ⌊(…) / S⌋ + 1: divide by S, then add 1.",
            step=step + 1,
            plus_one=False,
        ),
        variant(
            "forgot_plus_one",
            "left out the + 1 (off by one)",
            "The + 1 counts the first window, at position 0.",
            plus_one=False,
        ),
        *off_by_one(answer, form, "Count window positions: the first starts at 0."),
    ]
    solution = "\n".join(
        f"- {dim}_out = {_pool_text(size[i], kernel, step, padding, ceil=ceil_mode)} = {answer[i]}"
        for i, dim in enumerate(dims)
    )
    if stride is None:
        solution = f"The stride defaults to kernel_size = {kernel}.\n" + solution
    return Spec(
        title="Output size of a pooling layer",
        question=(
            f"A layer `nn.{kind}({call})` reads a feature map of height × width "
            f"**{dims_text(size)}**. What is the output's height × width?"
        ),
        answer=answer,
        form=form,
        hint="H_out = ⌊(H + 2P − K) / S⌋ + 1 (⌈·⌉ with ceil_mode=True, dropping a last window "
        "that would start in the right padding); the stride defaults to kernel_size.",
        working=working,
        solution=solution,
        torch_line=f"nn.{kind}({call})(torch.zeros(1, 1, {size[0]}, {size[1]})).shape[-2:]",
        torch_result=f"torch.Size([{answer[0]}, {answer[1]}])",
        mistakes=keep_distinct(mistakes, answer, form),
        params={
            "kind": kind,
            "input_size": size,
            "kernel_size": kernel,
            "stride": stride,
            "padding": padding,
            "ceil_mode": ceil_mode,
        },
    )


Grid = tuple[tuple[float, ...], ...]


def _windows(grid: list[list[int]], k: int, s: int) -> list[list[list[int]]]:
    """The values each K×K window reads, output cell by output cell (no padding)."""
    rows = (len(grid) - k) // s + 1
    cols = (len(grid[0]) - k) // s + 1
    return [
        [[grid[i * s + a][j * s + b] for a in range(k) for b in range(k)] for j in range(cols)]
        for i in range(rows)
    ]


def _apply(windows: list[list[list[int]]], how: str, k: int) -> Grid:
    reduce = {"max": max, "avg": lambda w: sum(w) / (k * k), "sum": sum}[how]
    return tuple(tuple(float(reduce(w)) for w in row) for row in windows)


def pooled_values(rng: random.Random) -> Spec:
    """The values an ``nn.MaxPool2d`` / ``nn.AvgPool2d`` computes on a small grid."""
    import torch
    from torch import nn

    shape, kernel, stride = rng.choice(
        [
            ((4, 4), 2, None),
            ((4, 4), 2, None),
            ((6, 6), 2, None),
            ((6, 6), 3, None),
            ((5, 5), 3, 2),
            ((4, 6), 2, None),
            ((4, 4), 2, 1),
            ((5, 5), 3, 1),
        ]
    )
    kind = rng.choice(["MaxPool2d", "MaxPool2d", "AvgPool2d"])
    grid = [[rng.randint(0, 9) for _ in range(shape[1])] for _ in range(shape[0])]
    step = stride or kernel
    with quiet_torch():
        layer = getattr(nn, kind)(kernel, stride=stride)
        out = layer(torch.tensor(grid, dtype=torch.float32)[None, None])[0, 0]
    answer: Grid = tuple(tuple(round(float(v), 6) for v in row) for row in out.tolist())
    form = GridForm(tolerance=0.01, decimals=2)
    how = "max" if kind == "MaxPool2d" else "avg"
    windows = _windows(grid, kernel, step)
    name = "max" if how == "max" else "mean"

    def cells(windows: list[list[list[int]]], fn: str) -> str:
        return "; ".join(
            f"[{i}][{j}] = {fn}({', '.join(map(str, w))})"
            for i, row in enumerate(windows)
            for j, w in enumerate(row)
        )

    def variant(
        key: str, value: Grid, label: str, fn: str, fix: str, wins: list[list[list[int]]] = windows
    ) -> Mistake:
        return Mistake(key, value, label, f"{form.show(value)} from {cells(wins, fn)}", fix)

    other = "avg" if how == "max" else "max"
    mistakes: list[Mistake | None] = [
        variant(
            "swapped_pool",
            _apply(windows, other, kernel),
            f"took the {'mean' if how == 'max' else 'maximum'} where the layer takes the "
            f"{'maximum' if how == 'max' else 'mean'}",
            "mean" if how == "max" else "max",
            f"nn.{kind} takes the {'largest value' if how == 'max' else 'mean'} of each window.",
        ),
        variant(
            "summed",
            _apply(windows, "sum", kernel),
            f"added the window without dividing by K·K = {kernel * kernel}",
            "sum",
            "Average pooling divides the window's sum by the number of cells.",
        )
        if how == "avg"
        else None,
        variant(
            "stride_default_one",
            _apply(_windows(grid, kernel, 1), how, kernel),
            "slid the window by 1",
            name,
            "A pooling layer's stride defaults to kernel_size: the windows do not overlap.",
            _windows(grid, kernel, 1),
        )
        if stride is None
        else None,
        variant(
            "transposed",
            tuple(zip(*answer, strict=True)),
            "wrote the columns as rows",
            name,
            "Row i of the output comes from rows i·S … i·S + K − 1 of the input.",
        ),
    ]
    call = arguments(kernel, stride=(stride, None))
    return Spec(
        title="Values of a pooled grid",
        question=(
            f"`nn.{kind}({call})` is applied to this {shape[0]} × {shape[1]} feature map "
            f"(one channel):\n\n{code_grid(grid)}\n\nWrite the output grid row by row, "
            "e.g. `[[1, 2], [3, 4]]` or `1 2; 3 4` (two decimals where needed)."
        ),
        answer=answer,
        form=form,
        hint=f"Each output cell is the {'maximum' if how == 'max' else 'mean'} of one "
        f"{kernel} × {kernel} window; windows start every S cells (S defaults to "
        "kernel_size).",
        working=f"output{cells(windows, name)}",
        solution="Output cell by cell: "
        + "; ".join(
            f"[{i}][{j}] = {name}({', '.join(map(str, w))}) = {form.show([[answer[i][j]]])[2:-2]}"
            for i, row in enumerate(windows)
            for j, w in enumerate(row)
        )
        + ".",
        torch_line=f"nn.{kind}({call})(torch.tensor({grid}, dtype=torch.float32)[None, None])",
        torch_result=f"tensor({form.show(answer)})",
        mistakes=keep_distinct(mistakes, answer, form),
        params={"kind": kind, "grid": grid, "kernel_size": kernel, "stride": stride},
    )
