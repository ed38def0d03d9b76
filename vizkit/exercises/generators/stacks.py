"""Exercise: VGG's argument — n stacked 3×3 convolutions see as far as one (2n+1)×(2n+1)
convolution, with fewer parameters.

Parameter counts are ``numel()`` of the real layers (meta device); receptive fields are
measured with autograd by :func:`~vizkit.exercises.generators.receptive.measure_receptive_field`.
"""

from __future__ import annotations

import random

from vizkit.exercises.answers import IntForm, format_int
from vizkit.exercises.exercise import Mistake, Spec
from vizkit.exercises.generators.common import keep_distinct, off_by_one, quiet_torch
from vizkit.exercises.generators.receptive import measure_receptive_field

__all__ = ["three_3x3_vs_7x7"]


def _stack_params(channels: int, n: int, bias: bool, kernel: int = 3) -> int:
    import torch
    from torch import nn

    with quiet_torch(), torch.device("meta"):
        stack = nn.Sequential(
            *[
                nn.Conv2d(channels, channels, kernel, padding=kernel // 2, bias=bias)
                for _ in range(n)
            ]
        )
        return sum(p.numel() for p in stack.parameters())


def three_3x3_vs_7x7(rng: random.Random) -> Spec:
    """VGG's argument: n stacked 3×3 convs see as far as one (2n+1)×(2n+1) conv, with fewer
    parameters."""
    big = rng.choice([5, 7, 7, 7, 9, 11])
    n = (big - 1) // 2
    channels, bias = rng.choice([16, 32, 64, 128, 256, 512]), rng.random() < 0.5
    ask = rng.choice(["stack_params", "big_params", "saved", "layers_needed", "stack_field"])
    c, b = channels, (f" + {channels}" if bias else "")
    form = IntForm("the number", example=1234)
    bias_text = "with bias" if bias else "without bias (bias=False)"
    layer = f"nn.Conv2d({c}, {c}, 3, padding=1{'' if bias else ', bias=False'})"

    def mistake(key: str, value: int, text: str, label: str, fix: str) -> Mistake:
        return Mistake(key, value, label, f"{text} = {format_int(value)}", fix)

    if ask in ("layers_needed", "stack_field"):
        # Add 3×3 layers one by one until autograd measures the big kernel's field.
        fields: dict[int, int] = {}
        while not fields or max(fields.values()) < big:
            m = len(fields) + 1
            fields[m] = measure_receptive_field([("Conv2d", 3, 1, 1, 1)] * m)[0]
        if ask == "layers_needed":
            answer = max(fields)
            question = (
                f"How many stacked `{layer}` layers (stride 1) does it take to see as "
                f"far as one {big} × {big} convolution (the same receptive field)?"
            )
            mistakes = [
                mistake(
                    "divided_by_3",
                    round(big / 3),
                    f"{big} / 3",
                    "divided the kernel size by 3",
                    "Each 3×3 layer adds only 2 to the field (1 + 2n), not 3.",
                )
            ]
            working = f"1 + 2·n = {big}"
        else:
            answer = fields[n]
            question = (
                f"What is the receptive field (height = width) of {n} stacked `{layer}` layers?"
            )
            mistakes = [
                mistake(
                    "summed_kernels",
                    3 * n,
                    f"{n}·3",
                    "added the kernel sizes",
                    "Each 3×3 layer (stride 1) adds 3 − 1 = 2 to the field.",
                )
            ]
            working = f"r = 1 + {n}·(3 − 1)"
        mistakes += off_by_one(
            answer, form, "Start from 1 (a single cell); every 3×3, stride-1 layer adds 2."
        )
        torch_line = (
            "x = torch.ones(1, 1, 64, 64, requires_grad=True); "
            f"nn.Sequential(*[nn.Conv2d(1, 1, 3, padding=1)] * {n})(x)[0, 0, 32, 32]"
            ".backward()  # channels do not change the field"
        )
        torch_result = ", ".join(f"n={m}: {f}" for m, f in fields.items())
        hint = "Stacked stride-1 K×K convs: r = 1 + n·(K − 1)."
        solution = f"{working}: " + (
            f"n = {answer}." if ask == "layers_needed" else f"r = {answer}."
        )
    else:
        big_params = _stack_params(channels, 1, bias, big)
        stack_params = _stack_params(channels, n, bias)
        one = 9 * c * c + (c if bias else 0)
        big_text = f"{big}·{big}·{c}·{c}{b}"
        stack_text = f"{n}·(3·3·{c}·{c}{b})"
        if ask == "stack_params":
            answer, what = stack_params, f"the stack of {n} 3×3 layers ({c} → {c} channels)"
            mistakes = [
                mistake(
                    "forgot_bias",
                    n * 9 * c * c,
                    f"{n}·3·3·{c}·{c}",
                    "forgot the bias",
                    f"Each layer has {c} biases.",
                )
                if bias
                else None,
                mistake(
                    "one_layer",
                    one,
                    f"3·3·{c}·{c}{b}",
                    "counted one layer only",
                    f"There are {n} layers.",
                ),
            ]
            working = stack_text
        elif ask == "big_params":
            answer, what = big_params, f"one {big}×{big} conv ({c} → {c} channels)"
            mistakes = [
                mistake(
                    "forgot_bias",
                    big * big * c * c,
                    f"{big}·{big}·{c}·{c}",
                    "forgot the bias",
                    f"{c} filters, one bias each.",
                )
                if bias
                else None,
                mistake(
                    "kernel_not_squared",
                    big * c * c + (c if bias else 0),
                    f"{big}·{c}·{c}{b}",
                    "used F once instead of F·F",
                    "The kernel has F × F weights per input channel.",
                ),
            ]
            working = big_text
        else:
            answer = big_params - stack_params
            what = f"saved by {n} 3×3 layers instead of one {big}×{big} ({c} → {c} channels)"
            mistakes = [
                mistake(
                    "forgot_bias",
                    (big * big - 9 * n) * c * c,
                    f"({big}·{big} − {n}·9)·{c}·{c}",
                    "forgot the biases",
                    f"The big conv has {c} biases, the stack {n}·{c}.",
                )
                if bias
                else None,
                mistake(
                    "one_layer",
                    big_params - one,
                    f"{big_text} − 3·3·{c}·{c}{b}",
                    "subtracted one 3×3 layer only",
                    f"The stack has {n} layers.",
                ),
                mistake(
                    "reversed",
                    -answer,
                    "stack − big",
                    "subtracted the wrong way round",
                    "Saved = big − stack (a positive number).",
                ),
            ]
            working = f"({big_text}) − {stack_text}"
        question = (
            f"How many parameters are {what}, {bias_text}? (Both see {big} × {big} input pixels.)"
        )
        torch_line = (
            f"sum(p.numel() for p in nn.Conv2d({c}, {c}, {big}).parameters()), "
            f"sum(p.numel() for p in nn.Sequential(*[{layer}] * {n}).parameters())"
        )
        torch_result = f"{big_params}, {stack_params}"
        hint = (
            "A K×K conv from C to C channels has K·K·C·C weights + C biases; n stacked 3×3 "
            "layers have n·(9·C·C + C) and see 1 + 2n pixels."
        )
        solution = f"{working} = {format_int(answer)}."
    return Spec(
        title="Stacked 3×3 convolutions vs one large kernel",
        question=question,
        answer=answer,
        form=form,
        hint=hint,
        working=working,
        solution=solution,
        torch_line=torch_line,
        torch_result=torch_result,
        mistakes=keep_distinct(mistakes, answer, form),
        params={"ask": ask, "big_kernel": big, "layers": n, "channels": c, "bias": bias},
    )
