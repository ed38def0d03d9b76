"""Exercise: BatchNorm on a tiny batch — one output value, or ``running_var`` after the step.

The answer comes from a real ``nn.BatchNorm2d`` in training mode; the plain-Python arithmetic
only builds the working and the values of recognisable mistakes (the unbiased variance, γ and
β left out, statistics mixed across channels, …).
"""

from __future__ import annotations

import math
import random

from vizkit.exercises.answers import FloatForm
from vizkit.exercises.exercise import Mistake, Spec
from vizkit.exercises.generators.common import keep_distinct, number_text, quiet_torch, signed_text

__all__ = ["batchnorm_output"]

# Short names: the working strings below are long.
_n, _s = number_text, signed_text


def _batchnorm(
    values: list[float],
    x: float,
    gamma: float,
    beta: float,
    *,
    unbiased: bool = False,
    sqrt: bool = True,
    center: bool = True,
    eps: float = 1e-5,
) -> float:
    """BatchNorm of one value from the channel's values (optionally with a mistake)."""
    m = len(values)
    mean = sum(values) / m
    var = sum((v - mean) ** 2 for v in values) / (m - 1 if unbiased else m)
    scale = math.sqrt(var + eps) if sqrt else var + eps
    return gamma * ((x - mean) if center else x) / scale + beta


def batchnorm_output(rng: random.Random) -> Spec:
    """One output value (or ``running_var``) of ``nn.BatchNorm2d`` on a tiny batch."""
    import torch
    from torch import nn

    n, channels = rng.choice([2, 3, 3, 4, 4]), rng.choice([1, 1, 2])
    width = rng.choice([1, 1, 2])
    while True:
        x = [
            [[[rng.randint(0, 9) for _ in range(width)]] for _ in range(channels)] for _ in range(n)
        ]
        per_channel = [
            [x[s][c][0][v] for s in range(n) for v in range(width)] for c in range(channels)
        ]
        if all(len(set(vals)) > 1 for vals in per_channel):
            break
    gamma, beta = rng.choice([1, 1, 2, 0.5]), rng.choice([0, 0, 1, -1])
    asks_running_var = rng.random() < 0.25
    s0, c0, v0 = rng.randrange(n), rng.randrange(channels), rng.randrange(width)
    with quiet_torch():
        bn = nn.BatchNorm2d(channels)  # training mode, eps=1e-5, momentum=0.1
        bn.weight.fill_(gamma)
        bn.bias.fill_(beta)
        y = bn(torch.tensor(x, dtype=torch.float32))
        value = bn.running_var[c0] if asks_running_var else y[s0, c0, 0, v0]
        answer = round(float(value), 4)
    form = FloatForm(tolerance=0.01, decimals=2)
    vals = per_channel[c0]
    m = len(vals)
    mean = sum(vals) / m
    var = sum((v - mean) ** 2 for v in vals) / m
    unbiased_var = var * m / (m - 1)
    tensor_text = f"torch.tensor({x}, dtype=torch.float32)"
    affine = f"nn.BatchNorm2d({channels})" + (
        f" with weight γ = {gamma:g} and bias β = {beta:g}" if (gamma, beta) != (1, 0) else ""
    )
    common = (
        f"A fresh {affine} (training mode, eps = 1e-5, momentum = 0.1) is applied to a "
        f"batch `x = {tensor_text}` of shape ({n}, {channels}, 1, {width}). Channel "
        f"{c0} holds the {m} values {vals}."
    )
    if asks_running_var:
        question = (
            f"{common}\n\nAfter this one forward pass, what is `bn.running_var[{c0}]` "
            "(it starts at 1)? Two decimals."
        )
        hint = (
            "running_var ← (1 − momentum)·running_var + momentum·σ²_unbiased: the running "
            "estimate uses the *unbiased* variance (divide by m − 1)."
        )
        working = (
            f"running_var = 0.9·1 + 0.1·Σ(x − {mean:g})² / ({m} − 1), the sum over the "
            f"{m} values of channel {c0}"
        )
        candidates = [
            (
                "biased_variance",
                0.9 + 0.1 * var,
                "used the biased variance (divided by m)",
                f"0.9·1 + 0.1·{_n(var)}",
                "The running estimate uses the unbiased variance, Σ(x − μ)² / (m − 1).",
            ),
            (
                "forgot_momentum",
                unbiased_var,
                "took the batch variance without the momentum update",
                f"σ²_unbiased = {_n(unbiased_var)}",
                "running_var moves only 10 % of the way: 0.9·old + 0.1·new.",
            ),
            (
                "swapped_momentum",
                0.1 + 0.9 * unbiased_var,
                "swapped the momentum weights",
                f"0.1·1 + 0.9·{_n(unbiased_var)}",
                "PyTorch's momentum=0.1 weights the *new* value by 0.1: 0.9·old + 0.1·new.",
            ),
        ]
        solution = (
            f"μ = {_n(mean)}; unbiased σ² = Σ(x − μ)² / {m - 1} = {_n(unbiased_var)};"
            f" running_var = 0.9·1 + 0.1·{_n(unbiased_var)} = {_n(answer)}."
        )
        torch_line = f"bn = nn.BatchNorm2d({channels}); bn({tensor_text}); bn.running_var[{c0}]"
    else:
        xv = x[s0][c0][0][v0]
        question = (
            f"{common}\n\nWhat is the output `bn(x)[{s0}, {c0}, 0, {v0}]` (the input "
            f"there is {xv})? Two decimals."
        )
        hint = (
            "y = γ·(x − μ) / √(σ² + eps) + β with μ and σ² the mean and the *biased* "
            "variance (divide by m) of this channel over the whole batch."
        )
        working = (
            f"y = {gamma:g}·({xv} − μ) / √(σ² + 1e-5) + {_s(beta)}, μ and σ² over the "
            f"{m} values {vals}"
        )
        candidates = [
            (
                "unbiased_variance",
                _batchnorm(vals, xv, gamma, beta, unbiased=True),
                "used the unbiased variance (divided by m − 1)",
                f"{gamma:g}·({xv} − {_n(mean)}) / √({_n(unbiased_var)} + 1e-5) + {_s(beta)}",
                "BatchNorm normalises with the biased variance, Σ(x − μ)² / m.",
            ),
            (
                "forgot_affine",
                _batchnorm(vals, xv, 1, 0),
                "left out γ and β",
                f"({xv} − {_n(mean)}) / √({_n(var)} + 1e-5)",
                f"The output is γ·x̂ + β with γ = {gamma:g}, β = {beta:g}.",
            )
            if (gamma, beta) != (1, 0)
            else None,
            (
                "divided_by_variance",
                _batchnorm(vals, xv, gamma, beta, sqrt=False),
                "divided by the variance instead of the standard deviation",
                f"{gamma:g}·({xv} − {_n(mean)}) / ({_n(var)} + 1e-5) + {_s(beta)}",
                "Divide by √(σ² + eps).",
            ),
            (
                "forgot_mean",
                _batchnorm(vals, xv, gamma, beta, center=False),
                "did not subtract the mean",
                f"{gamma:g}·{xv} / √({_n(var)} + 1e-5) + {_s(beta)}",
                f"Subtract μ = {_n(mean)} first.",
            ),
        ]
        if channels > 1:
            everything = [v for vals_c in per_channel for v in vals_c]
            all_mean = sum(everything) / len(everything)
            all_var = sum((v - all_mean) ** 2 for v in everything) / len(everything)
            candidates.append(
                (
                    "mixed_channels",
                    _batchnorm(everything, xv, gamma, beta),
                    "took the statistics over all channels together",
                    f"{gamma:g}·({xv} − {_n(all_mean)}) / √({_n(all_var)} + 1e-5) "
                    f"+ {_s(beta)}, μ and σ² over all {len(everything)} values",
                    "BatchNorm2d keeps one mean and variance *per channel*, over batch and space.",
                )
            )
        solution = (
            f"μ = {_n(mean)}; σ² = Σ(x − μ)² / {m} = {_n(var)}; y = {gamma:g}·({xv} − "
            f"{_n(mean)}) / √({_n(var)} + 1e-5) + {_s(beta)} = {_n(answer)}."
        )
        torch_line = (
            f"bn = nn.BatchNorm2d({channels}); bn.weight.data.fill_({gamma:g}); "
            f"bn.bias.data.fill_({beta:g}); bn({tensor_text})[{s0}, {c0}, 0, {v0}]"
        )
    mistakes = [
        Mistake(key, round(value, 4), label, f"{shown} = {value:.2f}", fix)
        for candidate in candidates
        if candidate is not None
        for key, value, label, shown, fix in [candidate]
    ]
    return Spec(
        title="BatchNorm on a tiny batch",
        question=question,
        answer=answer,
        form=form,
        hint=hint,
        working=working,
        solution=solution,
        torch_line=torch_line,
        torch_result=f"tensor({_n(answer)})",
        mistakes=keep_distinct(mistakes, answer, form),
        params={
            "input": x,
            "gamma": gamma,
            "beta": beta,
            "ask": "running_var" if asks_running_var else "output",
            "index": (s0, c0, 0, v0),
        },
    )
