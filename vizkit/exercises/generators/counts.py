"""Counting exercises: parameters, multiply-accumulates and activation memory of a conv layer.

The answers come from PyTorch: ``numel()`` of the real layer's parameters (built on the meta
device: no memory, no initialisation), ``torch.utils.flop_counter.FlopCounterMode`` around a
forward pass (FLOPs / 2), and ``numel() * element_size()`` of a real float32 output.
"""

from __future__ import annotations

import random

from vizkit.exercises.answers import BytesForm, IntForm, format_int
from vizkit.exercises.exercise import Mistake, Spec
from vizkit.exercises.generators.common import arguments, keep_distinct, quiet_torch

__all__ = ["activation_memory", "conv_macs", "conv_params"]

_CHANNELS = [1, 3, 8, 16, 32, 48, 64, 96, 128, 192, 256, 384, 512]


def _groups(rng: random.Random, d: int, k: int) -> int:
    """A groups value dividing both channel counts (1 most of the time)."""
    options = [g for g in (2, 4, 8) if d % g == 0 and k % g == 0]
    if d == k and d > 1:
        options.append(d)  # depthwise
    return rng.choice(options) if options and rng.random() < 0.35 else 1


def _kernel(rng: random.Random) -> tuple[int, int]:
    if rng.random() < 0.2:
        return rng.choice([(1, 3), (3, 1), (1, 7), (7, 1), (3, 5)])
    k = rng.choice([1, 3, 3, 3, 5, 7, 11])
    return (k, k)


def _kernel_text(kernel: tuple[int, int]) -> str:
    return f"{kernel[0]}·{kernel[1]}"


def conv_params(rng: random.Random) -> Spec:
    """Learnable parameters of an ``nn.Conv2d``: F·F·(D/groups)·K weights + K biases."""
    import torch
    from torch import nn

    d = rng.choice(_CHANNELS)
    k = rng.choice(_CHANNELS[1:]) if rng.random() < 0.7 else d
    groups, kernel = _groups(rng, d, k), _kernel(rng)
    bias = rng.random() < 0.7
    with quiet_torch(), torch.device("meta"):
        layer = nn.Conv2d(d, k, kernel, groups=groups, bias=bias)
        answer = sum(p.numel() for p in layer.parameters())
    kernel_arg = kernel[0] if kernel[0] == kernel[1] else kernel
    call = arguments(d, k, kernel_arg, groups=(groups, 1), bias=(bias, True))
    form = IntForm("the number of parameters", example=1792)
    per = d // groups
    weights = kernel[0] * kernel[1] * per * k
    ff = _kernel_text(kernel)
    d_text = f"({d}/{groups})" if groups > 1 else f"{d}"
    working = f"F·F·(D/groups)·K + K = {ff}·{d_text}·{k}" + (f" + {k}" if bias else " (no bias)")

    def variant(key: str, value: int, text: str, label: str, fix: str) -> Mistake:
        return Mistake(key, value, label, f"{text} = {format_int(value)}", fix)

    full = kernel[0] * kernel[1] * d * k
    mistakes = [
        variant(
            "forgot_bias",
            weights,
            f"{ff}·{d_text}·{k}",
            "forgot the bias",
            f"Each of the K = {k} filters has one bias: + {k}.",
        )
        if bias
        else None,
        variant(
            "added_bias",
            weights + k,
            f"{ff}·{d_text}·{k} + {k}",
            "counted a bias the layer does not have",
            "bias=False: weights only.",
        )
        if not bias
        else None,
        variant(
            "forgot_groups",
            full + (k if bias else 0),
            f"{ff}·{d}·{k}" + (f" + {k}" if bias else ""),
            "forgot the groups",
            f"With groups={groups} each filter sees only D/groups = {per} input channels.",
        )
        if groups > 1
        else None,
        variant(
            "kernel_not_squared",
            kernel[0] * per * k + (k if bias else 0),
            f"{kernel[0]}·{d_text}·{k}" + (f" + {k}" if bias else ""),
            "used F once instead of F·F",
            "A kernel has F × F weights per input channel.",
        )
        if kernel[0] > 1
        else None,
        variant(
            "bias_per_weight",
            2 * weights,
            f"2·{ff}·{d_text}·{k}",
            "counted a bias per weight",
            "There is one bias per filter (output channel), not per weight.",
        )
        if bias
        else None,
    ]
    solution = f"Weights: F·F·(D/groups)·K = {ff}·{d_text}·{k} = {format_int(weights)}. " + (
        f"Biases: K = {k}. Total {format_int(weights)} + {k} = {format_int(answer)}."
        if bias
        else "No bias (bias=False)."
    )
    return Spec(
        title="Parameters of a conv layer",
        question=f"How many learnable parameters does `nn.Conv2d({call})` have?",
        answer=answer,
        form=form,
        hint="F·F·D·K weights + K biases (F × F kernel, D input channels, K filters); with "
        "groups each filter sees only D/groups channels; bias=False drops the K.",
        working=working,
        solution=solution,
        torch_line=f"sum(p.numel() for p in nn.Conv2d({call}).parameters())",
        torch_result=str(answer),
        mistakes=keep_distinct(mistakes, answer, form),
        params={
            "in_channels": d,
            "out_channels": k,
            "kernel_size": kernel,
            "groups": groups,
            "bias": bias,
        },
    )


def _conv_layer(rng: random.Random) -> tuple[int, int, tuple[int, int], int, int, int, int]:
    """(D, K, kernel, stride, padding, groups, input size) of a typical conv layer."""
    d = rng.choice(_CHANNELS)
    k = rng.choice(_CHANNELS[1:])
    kernel = _kernel(rng)
    stride = rng.choice([1, 1, 1, 2, 2, 4])
    padding = rng.choice([0, kernel[0] // 2, kernel[0] // 2])
    size = rng.choice([7, 14, 28, 32, 56, 64, 112, 224])
    if kernel[0] > size + 2 * padding or kernel[1] > size + 2 * padding:
        kernel = (1, 1)
    return d, k, kernel, stride, padding, _groups(rng, d, k), size


def conv_macs(rng: random.Random) -> Spec:
    """Multiply-accumulates of one forward of an ``nn.Conv2d`` (batch 1, bias not counted).

    The first call in a process takes seconds, not milliseconds: ``FlopCounterMode``'s first
    use imports sympy and torch's dispatch machinery (once; later calls take ~1 ms).
    """
    import torch
    from torch import nn
    from torch.utils.flop_counter import FlopCounterMode

    d, k, kernel, stride, padding, groups, size = _conv_layer(rng)
    with quiet_torch(), torch.device("meta"):
        layer = nn.Conv2d(d, k, kernel, stride=stride, padding=padding, groups=groups)
        x = torch.zeros(1, d, size, size)
        with FlopCounterMode(display=False) as counter:
            out = layer(x)
        answer = counter.get_total_flops() // 2  # FLOPs count a multiply-add as 2
        h_out, w_out = int(out.shape[-2]), int(out.shape[-1])
    kernel_arg = kernel[0] if kernel[0] == kernel[1] else kernel
    call = arguments(d, k, kernel_arg, stride=(stride, 1), padding=(padding, 0), groups=(groups, 1))
    form = IntForm("the number of MACs", example=118013952)
    ff, per = _kernel_text(kernel), d // groups
    d_text = f"({d}/{groups})" if groups > 1 else f"{d}"
    working = (
        f"MACs = H_out·W_out·K·F·F·(D/groups) = H_out·W_out·{k}·{ff}·{d_text}, "
        f"H_out × W_out from the conv output-size formula on {size} × {size}"
    )
    per_output = kernel[0] * kernel[1] * per

    def variant(key: str, value: int, text: str, label: str, fix: str) -> Mistake:
        return Mistake(key, value, label, f"{text} = {format_int(value)}", fix)

    mistakes = [
        variant(
            "counted_flops",
            2 * answer,
            f"2·{h_out}·{w_out}·{k}·{ff}·{d_text}",
            "counted FLOPs (2 per multiply-add)",
            "One MAC is one multiply and one add: do not double.",
        ),
        variant(
            "used_input_size",
            size * size * k * per_output,
            f"{size}·{size}·{k}·{ff}·{d_text}",
            "used the input size instead of the output size",
            f"Each *output* cell costs F·F·(D/groups) MACs: the output is {h_out} × {w_out}.",
        )
        if (h_out, w_out) != (size, size)
        else None,
        variant(
            "forgot_groups",
            h_out * w_out * k * kernel[0] * kernel[1] * d,
            f"{h_out}·{w_out}·{k}·{ff}·{d}",
            "forgot the groups",
            f"With groups={groups} each filter reads only D/groups = {per} channels.",
        )
        if groups > 1
        else None,
        variant(
            "forgot_in_channels",
            h_out * w_out * k * kernel[0] * kernel[1],
            f"{h_out}·{w_out}·{k}·{ff}",
            "left out the input channels",
            "Each filter spans all (D/groups) input channels: F·F·(D/groups) MACs per output cell.",
        )
        if per > 1
        else None,
        variant(
            "counted_bias",
            answer + h_out * w_out * k,
            f"{h_out}·{w_out}·{k}·({ff}·{d_text} + 1)",
            "counted the bias additions",
            "The convention here (and torch.utils.flop_counter's) counts the weights' "
            "multiply-adds only.",
        ),
    ]
    solution = (
        f"Output {k} × {h_out} × {w_out}; each output value costs F·F·(D/groups) = "
        f"{ff}·{d_text} = {per_output} MACs: {h_out}·{w_out}·{k}·{per_output} = "
        f"{format_int(answer)}."
    )
    return Spec(
        title="Multiply-accumulates of a conv layer",
        question=(
            f"How many multiply-accumulate operations (MACs) does `nn.Conv2d({call})` "
            f"perform on one input of shape ({d}, {size}, {size})? Count the weights' "
            "multiply-adds only (not the bias), as `torch.utils.flop_counter` does."
        ),
        answer=answer,
        form=form,
        hint="MACs = H_out·W_out·K·F·F·(D/groups): every output value is one dot product of "
        "F·F·(D/groups) terms. A FLOP counter reports 2 FLOPs per MAC.",
        working=working,
        solution=solution,
        torch_line=(
            f"with FlopCounterMode(display=False) as c: nn.Conv2d({call})"
            f"(torch.zeros(1, {d}, {size}, {size})); c.get_total_flops() // 2"
        ),
        torch_result=str(answer),
        mistakes=keep_distinct(mistakes, answer, form),
        params={
            "in_channels": d,
            "out_channels": k,
            "kernel_size": kernel,
            "stride": stride,
            "padding": padding,
            "groups": groups,
            "input_size": size,
        },
    )


def activation_memory(rng: random.Random) -> Spec:
    """Bytes of a conv layer's float32 output for a batch (the activation memory)."""
    import torch
    from torch import nn

    d, k, kernel, stride, padding, groups, size = _conv_layer(rng)
    batch = rng.choice([1, 1, 8, 16, 32, 64, 128])
    with quiet_torch(), torch.device("meta"):
        layer = nn.Conv2d(d, k, kernel, stride=stride, padding=padding, groups=groups)
        out = layer(torch.zeros(batch, d, size, size, dtype=torch.float32))
        answer = out.numel() * out.element_size()
        h_out, w_out = int(out.shape[-2]), int(out.shape[-1])
    kernel_arg = kernel[0] if kernel[0] == kernel[1] else kernel
    call = arguments(d, k, kernel_arg, stride=(stride, 1), padding=(padding, 0), groups=(groups, 1))
    form = BytesForm()
    working = (
        f"bytes = N·K·H_out·W_out·4 = {batch}·{k}·H_out·W_out·4, H_out × W_out from the "
        f"conv output-size formula on {size} × {size}"
    )
    elements = batch * k * h_out * w_out

    def variant(key: str, value: int, text: str, label: str, fix: str) -> Mistake:
        return Mistake(key, value, label, f"{text} = {format_int(value)}", fix)

    mistakes = [
        variant(
            "counted_elements",
            elements,
            f"{batch}·{k}·{h_out}·{w_out}",
            "counted values, not bytes",
            "Each float32 value takes 4 bytes.",
        ),
        variant(
            "counted_bits",
            elements * 32,
            f"{batch}·{k}·{h_out}·{w_out}·32",
            "counted bits",
            "float32 is 32 bits = 4 bytes per value.",
        ),
        variant(
            "forgot_batch",
            k * h_out * w_out * 4,
            f"{k}·{h_out}·{w_out}·4",
            "left out the batch size",
            f"All N = {batch} samples' outputs are kept.",
        )
        if batch > 1
        else None,
        variant(
            "used_input",
            batch * d * size * size * 4,
            f"{batch}·{d}·{size}·{size}·4",
            "computed the input's memory",
            "The layer's activation is its *output*: K channels of H_out × W_out.",
        ),
        variant(
            "used_in_channels",
            batch * d * h_out * w_out * 4,
            f"{batch}·{d}·{h_out}·{w_out}·4",
            "used the input channels",
            f"The output has K = {k} channels.",
        )
        if d != k
        else None,
    ]
    return Spec(
        title="Activation memory of a layer",
        question=(
            f"A batch of shape ({batch}, {d}, {size}, {size}) in float32 goes through "
            f"`nn.Conv2d({call})`. How many bytes does the layer's output take? (A "
            "plain number is bytes; `MiB`/`MB` with the usual rounding also work.)"
        ),
        answer=answer,
        form=form,
        hint="Output memory = N·K·H_out·W_out values × 4 bytes (float32), with H_out × W_out "
        "from the output-size formula.",
        working=working,
        solution=(
            f"Output shape ({batch}, {k}, {h_out}, {w_out}): {format_int(elements)} "
            f"values × 4 bytes = {format_int(answer)} bytes "
            f"({answer / 2**20:.2f} MiB)."
        ),
        torch_line=(
            f"y = nn.Conv2d({call})(torch.zeros({batch}, {d}, {size}, {size})); "
            "y.numel() * y.element_size()"
        ),
        torch_result=str(answer),
        mistakes=keep_distinct(mistakes, answer, form),
        params={
            "in_channels": d,
            "out_channels": k,
            "kernel_size": kernel,
            "stride": stride,
            "padding": padding,
            "groups": groups,
            "input_size": size,
            "batch": batch,
        },
    )
