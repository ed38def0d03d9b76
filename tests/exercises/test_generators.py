"""Every generator over 200 seeds: the stored answer equals an independent PyTorch computation
done here (functional ops or a layer built from the exercise's numbers, and vizkit.geometry as
a third opinion), the answer is accepted, and the signature mistakes of the topic (off by one,
forgotten bias, swapped formula, …) are rejected with the matching diagnosis.

Seeds run in a loop inside one test per topic: 15 test ids, not 3000.
"""

from __future__ import annotations

import ast
import functools
import math
import re
from collections.abc import Callable
from typing import Any

import pytest
import torch
import torch.nn.functional as F
from torch import nn
from torch.utils.flop_counter import FlopCounterMode

from vizkit import exercises, geometry
from vizkit.exercises import NO_FIT
from vizkit.exercises.generators.dip import DIP_QUESTIONS

SEEDS = range(200)
# (a wrong answer, the mistake key it must be diagnosed as, or several keys any of which fits)
Signature = tuple[Any, str | tuple[str, ...]]


def zeros(*shape: int) -> torch.Tensor:
    return torch.zeros(1, 1, *shape)


def pair(value: int | tuple[int, int]) -> tuple[int, int]:
    return value if isinstance(value, tuple) else (value, value)


def minus_one(value: tuple[int, ...]) -> tuple[int, ...]:
    return tuple(v - 1 for v in value)


# -- independent computations, one per topic -------------------------------------------------
def verify_conv_output_size(ex: exercises.Exercise) -> list[Signature]:
    p = ex.params
    size, kernel = p["input_size"], p["kernel_size"]
    conv = functools.partial(F.conv2d, stride=p["stride"], padding=p["padding"])
    try:
        out: Any = tuple(conv(zeros(*size), zeros(*kernel), dilation=p["dilation"]).shape[-2:])
    except RuntimeError:
        out = NO_FIT
    assert ex.answer == out
    try:
        expected = pair(
            geometry.conv_output_size(
                size, kernel, stride=p["stride"], padding=p["padding"], dilation=p["dilation"]
            )
        )
    except geometry.GeometryError:
        expected = NO_FIT
    assert expected == out
    signatures: list[Signature] = []
    if out != NO_FIT:
        signatures += [(minus_one(out), "forgot_plus_one"), (NO_FIT, "said_no_fit")]
    if p["dilation"] > 1:  # the formula without dilation: the same layer with dilation 1
        try:
            signatures.append(
                (tuple(conv(zeros(*size), zeros(*kernel)).shape[-2:]), "forgot_dilation")
            )
        except RuntimeError:
            pass
    return signatures


def verify_conv_transpose_output_size(ex: exercises.Exercise) -> list[Signature]:
    p = ex.params
    size, k = p["input_size"], p["kernel_size"]
    settings = {"stride": p["stride"], "padding": p["padding"], "dilation": p["dilation"]}
    out = tuple(
        F.conv_transpose2d(
            zeros(*size), zeros(k, k), output_padding=p["output_padding"], **settings
        ).shape[-2:]
    )
    assert ex.answer == out
    assert (
        pair(
            geometry.conv_transpose_output_size(
                size, k, output_padding=p["output_padding"], **settings
            )
        )
        == out
    )
    signatures: list[Signature] = [(minus_one(out), "off_by_one")]
    try:  # the swapped formula: what a Conv2d with these settings gives
        signatures.append(
            (tuple(F.conv2d(zeros(*size), zeros(k, k), **settings).shape[-2:]), "used_conv_formula")
        )
    except RuntimeError:
        pass
    if p["output_padding"]:
        try:
            signatures.append(
                (
                    tuple(F.conv_transpose2d(zeros(*size), zeros(k, k), **settings).shape[-2:]),
                    "forgot_output_padding",
                )
            )
        except RuntimeError:  # without output_padding the output would be empty
            pass
    return signatures


def verify_pool_output_size(ex: exercises.Exercise) -> list[Signature]:
    p = ex.params
    pool = F.max_pool2d if p["kind"] == "MaxPool2d" else F.avg_pool2d
    size, k = p["input_size"], p["kernel_size"]
    out = tuple(
        pool(
            zeros(*size), k, stride=p["stride"], padding=p["padding"], ceil_mode=p["ceil_mode"]
        ).shape[-2:]
    )
    assert ex.answer == out
    assert (
        pair(
            geometry.pool_output_size(
                size, k, stride=p["stride"], padding=p["padding"], ceil_mode=p["ceil_mode"]
            )
        )
        == out
    )
    # With ceil_mode the dropped last window can make "forgetting + 1" give the right size.
    signatures: list[Signature] = [(minus_one(out), ("forgot_plus_one", "off_by_one"))]
    if p["stride"] is None and k > 1:
        signatures.append(
            (
                tuple(
                    pool(
                        zeros(*size), k, stride=1, padding=p["padding"], ceil_mode=p["ceil_mode"]
                    ).shape[-2:]
                ),
                "stride_default_one",
            )
        )
    return signatures


def verify_same_padding(ex: exercises.Exercise) -> list[Signature]:
    p = ex.params
    size, kernel, d = p["input_size"], p["kernel_size"], p["dilation"]
    answer = ex.answer
    weight = zeros(*kernel)
    assert tuple(F.conv2d(zeros(*size), weight, padding=answer, dilation=d).shape[-2:]) == size
    assert tuple(F.conv2d(zeros(*size), weight, padding="same", dilation=d).shape[-2:]) == size
    for axis in range(2):  # the smallest such padding: one less loses cells on that axis
        if answer[axis] > 0:
            less = list(answer)
            less[axis] -= 1
            shape = F.conv2d(zeros(*size), weight, padding=tuple(less), dilation=d).shape
            assert shape[2 + axis] < size[axis]
    signatures: list[Signature] = [(minus_one(answer), "off_by_one")]
    if d > 1:
        signatures.append((tuple((k - 1) // 2 for k in kernel), "forgot_dilation"))
    return signatures


def verify_pooled_values(ex: exercises.Exercise) -> list[Signature]:
    p = ex.params
    x = torch.tensor(p["grid"], dtype=torch.float32)[None, None]
    args = (p["kernel_size"], p["stride"])
    maxed, averaged = F.max_pool2d(x, *args)[0, 0], F.avg_pool2d(x, *args)[0, 0]
    out, other = (maxed, averaged) if p["kind"] == "MaxPool2d" else (averaged, maxed)
    assert torch.allclose(torch.tensor(ex.answer), out, atol=1e-5)
    return [(other.tolist(), "swapped_pool")] if not torch.allclose(out, other, atol=0.02) else []


def verify_conv_output_cell(ex: exercises.Exercise) -> list[Signature]:
    p = ex.params
    x = torch.tensor(p["input"], dtype=torch.float32)[None, None]
    w = torch.tensor(p["weight"], dtype=torch.float32)[None, None]
    bias = torch.tensor([float(p["bias"])])
    i, j = p["cell"]

    def cell(weight: torch.Tensor, b: torch.Tensor | None) -> int:
        out = F.conv2d(x, weight, b, stride=p["stride"], padding=p["padding"])
        return round(float(out[0, 0, i, j]))

    answer = cell(w, bias)
    assert ex.answer == answer
    signatures: list[Signature] = []
    if p["bias"]:
        signatures.append((cell(w, None), "forgot_bias"))
    flipped = cell(w.flip(-1, -2), bias)  # a textbook convolution: the kernel rotated 180°
    if flipped != answer:
        signatures.append((flipped, "flipped_kernel"))
    return signatures


def verify_batchnorm_output(ex: exercises.Exercise) -> list[Signature]:
    p = ex.params
    x = torch.tensor(p["input"], dtype=torch.float32)
    channels = x.shape[1]
    running_mean, running_var = torch.zeros(channels), torch.ones(channels)
    y = F.batch_norm(
        x,
        running_mean,
        running_var,
        torch.full((channels,), float(p["gamma"])),
        torch.full((channels,), float(p["beta"])),
        training=True,
        momentum=0.1,
        eps=1e-5,
    )
    s, c, h, w = p["index"]
    values = x[:, c].flatten()
    if p["ask"] == "running_var":
        assert ex.answer == pytest.approx(float(running_var[c]), abs=1e-4)
        wrong = 0.9 + 0.1 * float(values.var(unbiased=False))
        return [(wrong, "biased_variance")] if abs(wrong - ex.answer) > 0.02 else []
    assert ex.answer == pytest.approx(float(y[s, c, h, w]), abs=1e-4)
    unbiased = float(
        p["gamma"] * (x[s, c, h, w] - values.mean()) / torch.sqrt(values.var(unbiased=True) + 1e-5)
        + p["beta"]
    )
    return [(unbiased, "unbiased_variance")] if abs(unbiased - ex.answer) > 0.02 else []


def meta_conv(*args: Any, **kwargs: Any) -> nn.Conv2d:
    return nn.Conv2d(*args, device="meta", **kwargs)


def verify_conv_params(ex: exercises.Exercise) -> list[Signature]:
    p = ex.params
    d, k, kernel, groups, bias = (
        p["in_channels"],
        p["out_channels"],
        p["kernel_size"],
        p["groups"],
        p["bias"],
    )
    layer = meta_conv(d, k, kernel, groups=groups, bias=bias)
    count = math.prod(layer.weight.shape) + (layer.bias.shape[0] if bias else 0)
    assert ex.answer == count
    assert geometry.conv_params(d, k, kernel, groups=groups, bias=bias) == count
    signatures: list[Signature] = []
    if bias:
        signatures.append((count - k, "forgot_bias"))
    if groups > 1:
        ungrouped = meta_conv(d, k, kernel, bias=bias)
        signatures.append((sum(t.numel() for t in ungrouped.parameters()), "forgot_groups"))
    return signatures


def flop_macs(
    d: int, k: int, kernel: tuple[int, int], size: int, p: dict[str, Any], groups: int
) -> tuple[int, torch.Size]:
    x = torch.zeros(1, d, size, size, device="meta")
    w = torch.zeros(k, d // groups, *kernel, device="meta")
    with FlopCounterMode(display=False) as counter:
        out = F.conv2d(x, w, stride=p["stride"], padding=p["padding"], groups=groups)
    return counter.get_total_flops() // 2, out.shape


def verify_conv_macs(ex: exercises.Exercise) -> list[Signature]:
    p = dict(ex.params)
    d, k, kernel, groups = p["in_channels"], p["out_channels"], p["kernel_size"], p["groups"]
    macs, shape = flop_macs(d, k, kernel, p["input_size"], p, groups)
    assert ex.answer == macs
    assert geometry.conv_macs(d, k, kernel, tuple(shape[-2:]), groups=groups) == macs
    signatures: list[Signature] = [(2 * macs, "counted_flops")]
    if groups > 1:
        signatures.append((flop_macs(d, k, kernel, p["input_size"], p, 1)[0], "forgot_groups"))
    return signatures


def verify_activation_memory(ex: exercises.Exercise) -> list[Signature]:
    p = ex.params
    x = torch.zeros(p["batch"], p["in_channels"], p["input_size"], p["input_size"], device="meta")
    w = torch.zeros(
        p["out_channels"], p["in_channels"] // p["groups"], *p["kernel_size"], device="meta"
    )
    out = F.conv2d(x, w, stride=p["stride"], padding=p["padding"], groups=p["groups"])
    size = out.numel() * torch.finfo(torch.float32).bits // 8
    assert ex.answer == size
    signatures: list[Signature] = [(size // 4, "counted_elements")]
    if p["batch"] > 1:
        signatures.append((size // p["batch"], "forgot_batch"))
    return signatures


def autograd_field(layers: list[tuple[str, int, int, int, int]], size: int = 128) -> int:
    """Field of a unit a third of the way into the output (not the centre the generator
    probes), on a size × size input (128 by default), by autograd."""
    modules: list[nn.Module] = []
    for kind, k, s, pad, d in layers:
        if kind == "Conv2d":
            conv = nn.Conv2d(1, 1, k, stride=s, padding=pad, dilation=d, bias=False)
            nn.init.constant_(conv.weight, 0.5)
            modules.append(conv)
        else:
            modules.append(nn.AvgPool2d(k, stride=s, padding=pad))
    x = torch.ones(1, 1, size, size, requires_grad=True)
    y = nn.Sequential(*modules)(x)
    y[0, 0, y.shape[-2] // 3, y.shape[-1] // 3].backward()
    rows = torch.nonzero(x.grad[0, 0].abs().sum(dim=1)).flatten()
    assert 0 < rows[0] and rows[-1] < size - 1, "probe too small"
    return int(rows[-1] - rows[0] + 1)


def verify_receptive_field(ex: exercises.Exercise) -> list[Signature]:
    layers = ex.params["layers"]
    field = autograd_field(layers)
    assert ex.answer == (field, field)
    chain = geometry.receptive_field_chain(
        geometry.Window(k, stride=s, padding=pad, dilation=d) for _, k, s, pad, d in layers
    )
    assert chain[-1].size == (field, field)
    summed = sum(d * (k - 1) + 1 for _, k, _, _, d in layers)
    signatures: list[Signature] = [((field - 1,) * 2, "off_by_one")]
    if summed != field:
        signatures.append(((summed, summed), "summed_kernels"))
    return signatures


def verify_three_3x3_vs_7x7(ex: exercises.Exercise) -> list[Signature]:
    p = ex.params
    c, n, big, bias = p["channels"], p["layers"], p["big_kernel"], p["bias"]

    def params(*layers: nn.Module) -> int:
        return sum(t.numel() for layer in layers for t in layer.parameters())

    big_count = params(meta_conv(c, c, big, bias=bias))
    stack_count = params(*[meta_conv(c, c, 3, bias=bias) for _ in range(n)])
    ask = p["ask"]
    if ask == "stack_field":
        assert ex.answer == autograd_field([("Conv2d", 3, 1, 1, 1)] * n, size=40)
        return [(ex.answer + 1, "off_by_one")]
    if ask == "layers_needed":
        fields = [autograd_field([("Conv2d", 3, 1, 0, 1)] * m, size=40) for m in range(1, n + 2)]
        assert ex.answer == 1 + next(i for i, f in enumerate(fields) if f == big)
        assert ex.answer - 1 == 0 or fields[ex.answer - 2] < big
        return [(ex.answer + 1, "off_by_one")]
    answer = {
        "stack_params": stack_count,
        "big_params": big_count,
        "saved": big_count - stack_count,
    }[ask]
    assert ex.answer == answer
    if not bias:
        return []
    biases = {"stack_params": n * c, "big_params": c, "saved": c - n * c}[ask]
    return [(answer - biases, "forgot_bias")]


@functools.cache
def torchvision_inputs(arch: str, size: int) -> dict[str, tuple[int, ...]]:
    """Input shape of every module of a torchvision model, by forward pre-hooks (meta)."""
    import torchvision

    with torch.device("meta"):
        model = getattr(torchvision.models, arch)(weights=None)
    shapes: dict[str, tuple[int, ...]] = {}

    def remember(name: str) -> Callable[..., None]:
        def hook(_module: nn.Module, args: tuple[torch.Tensor, ...]) -> None:
            shapes.setdefault(name, tuple(args[0].shape[1:]))

        return hook

    handles = [
        module.register_forward_pre_hook(remember(name))
        for name, module in model.named_modules()
        if name
    ]
    model(torch.zeros(1, 3, size, size, device="meta"))
    for handle in handles:
        handle.remove()
    return shapes


def verify_architecture_step(ex: exercises.Exercise) -> list[Signature]:
    p = ex.params
    s = p["settings"]
    assert torchvision_inputs(p["arch"], p["image_size"])[p["layer"]] == p["in_shape"]
    if p["kind"] == "Conv2d":
        layer: nn.Module = meta_conv(
            s["in_channels"],
            s["out_channels"],
            s["kernel_size"],
            stride=s["stride"],
            padding=s["padding"],
        )
    elif p["kind"] == "MaxPool2d":
        layer = nn.MaxPool2d(s["kernel_size"], s["stride"], s["padding"], ceil_mode=s["ceil_mode"])
    else:
        layer = nn.AdaptiveAvgPool2d(s["output_size"])
    out = tuple(layer(torch.zeros(1, *p["in_shape"], device="meta")).shape[1:])
    assert ex.answer == out
    signatures: list[Signature] = []
    if p["kind"] != "AdaptiveAvgPool2d":
        signatures.append(((out[0], out[1] - 1, out[2] - 1), "forgot_plus_one"))
    if p["kind"] == "Conv2d" and s["in_channels"] != s["out_channels"]:
        signatures.append(((s["in_channels"], *out[1:]), "kept_channels"))
    return signatures


def parse_option(text: str) -> torch.Tensor:
    """'c0: [[0, 36], [4, 0]] · c1: …' → a (C, 2, 2) tensor."""
    channels = [re.sub(r"^c\d+: ", "", part) for part in text.split(" · ")]
    return torch.tensor([ast.literal_eval(channel) for channel in channels], dtype=torch.float32)


def verify_dropout2d_vs_dropout(ex: exercises.Exercise) -> list[Signature]:
    p = ex.params
    x = torch.tensor(p["input"], dtype=torch.float32)
    options = [parse_option(text) for text in p["outputs"]]
    letters = "abcd"
    right = p["options"].index("right")
    assert ex.answer == letters[right]
    scale = 1 / (1 - p["p"])

    def dropout2d_could_return(out: torch.Tensor) -> bool:
        if p["eval"]:
            return torch.allclose(out, x, atol=0.01)
        return all(
            bool((out[c] == 0).all()) or torch.allclose(out[c], x[c] * scale, atol=0.01)
            for c in range(x.shape[0])
        )

    for index, out in enumerate(options):
        assert dropout2d_could_return(out) == (index == right), (index, out)
    # and the rule above is what the real module does
    with torch.random.fork_rng(devices=[]):
        module = nn.Dropout2d(p["p"])
        sample = (module.eval() if p["eval"] else module.train())(x[None])[0]
    assert dropout2d_could_return(sample)
    return [(letters[i], key) for i, key in enumerate(p["options"]) if key != "right"]


def verify_dip_concepts(ex: exercises.Exercise) -> list[Signature]:
    stem, (right_text, _), wrongs = DIP_QUESTIONS[ex.params["question"]]
    keys = ex.params["options"]
    letter = "abcd"[keys.index("right")]
    assert ex.answer == letter
    assert ex.question.startswith(stem)
    assert f"**({letter})** {right_text}" in ex.question
    assert sorted(keys) == sorted(["right", *(key for _, key, _, _ in wrongs)])
    return [("abcd"[i], key) for i, key in enumerate(keys) if key != "right"]


VERIFY: dict[str, Callable[[exercises.Exercise], list[Signature]]] = {
    name.removeprefix("verify_"): function
    for name, function in globals().items()
    if name.startswith("verify_")
}


def test_every_topic_is_verified() -> None:
    assert sorted(VERIFY) == sorted(exercises.topics())
    assert len(exercises.topics()) >= 12


# Which signature mistakes each topic must meet in 200 seeds (at least this many times).
MINIMUM = {
    "conv_output_cell": {"forgot_bias": 60, "flipped_kernel": 100},
    "conv_params": {"forgot_bias": 100, "forgot_groups": 20},
    "conv_transpose_output_size": {
        "used_conv_formula": 100,
        "off_by_one": 190,
        "forgot_output_padding": 60,
    },
    "conv_output_size": {"forgot_plus_one": 120, "forgot_dilation": 40},
    "batchnorm_output": {"unbiased_variance": 100, "biased_variance": 20},
    "three_3x3_vs_7x7": {"forgot_bias": 30, "off_by_one": 40},
}


@pytest.mark.parametrize("topic", sorted(VERIFY))
def test_answers_match_torch_and_mistakes_are_diagnosed(topic: str) -> None:
    verify = VERIFY[topic]
    met: dict[str, int] = {}
    for seed in SEEDS:
        ex = exercises.make(topic, seed=seed)
        signatures = verify(ex)
        assert ex.check(ex.answer).correct, (seed, ex.answer)
        assert ex.check(ex.answer_text).correct, (seed, ex.answer_text)
        for mistake in ex.mistakes:
            ex.reset()
            first = ex.check(mistake.value)
            assert not first.correct and first.attempt == 1, (seed, mistake)
            assert mistake.key in first.mistakes and first.mistake == first.mistakes[0]
            assert f"you {mistake.label}" in first.message
            assert "Hint: " in first.message
            second = ex.check(mistake.value)
            assert mistake.key in second.mistakes and not second.correct
            assert mistake.working in second.message and ex.working in second.message
            assert "still not right" in second.message
        for value, key in signatures:
            if value == ex.answer:  # e.g. dilation on a 1 × 1 kernel changes nothing
                continue
            ex.reset()
            result = ex.check(value)
            assert not result.correct and result.readable, (seed, value, result)
            accepted = (key,) if isinstance(key, str) else key
            assert set(accepted) & set(result.mistakes), (seed, value, key, result)
            met[accepted[0]] = met.get(accepted[0], 0) + 1
    for key, least in MINIMUM.get(topic, {}).items():
        assert met.get(key, 0) >= least, (key, met)


@pytest.mark.parametrize("topic", sorted(VERIFY))
def test_off_by_one_answers_are_rejected(topic: str) -> None:
    for seed in range(40):
        ex = exercises.make(topic, seed=seed)
        answer = ex.answer
        if isinstance(answer, int):
            wrong = [answer - 1, answer + 1]
        elif isinstance(answer, tuple) and all(isinstance(v, int) for v in answer):
            wrong = [tuple(v + 1 for v in answer), tuple(v - 1 for v in answer)]
        else:
            continue
        for value in wrong:
            ex.reset()
            assert not ex.check(value).correct


@pytest.mark.parametrize("topic", sorted(VERIFY))
def test_numbers_differ_by_seed_and_repeat_for_a_seed(topic: str) -> None:
    questions = {exercises.make(topic, seed=seed).question for seed in range(12)}
    assert len(questions) >= 4
    assert exercises.make(topic, seed=5).question == exercises.make(topic, seed=5).question


def test_square_and_rectangular_and_not_fitting_configurations_all_occur() -> None:
    answers = [exercises.make("conv_output_size", seed=s) for s in SEEDS]
    no_fit = [ex for ex in answers if ex.answer == NO_FIT]
    rectangular = [ex for ex in answers if ex.params["input_size"][0] != ex.params["input_size"][1]]
    assert 20 <= len(no_fit) <= 80
    assert 50 <= len(rectangular) <= 150
    assert any(ex.params["dilation"] > 1 for ex in answers)
    ex = no_fit[0]
    result = ex.check("does not fit")
    assert result.correct
    assert "is larger than the padded input" in result.message
    assert "Kernel size can't be greater than actual input size" in result.message
