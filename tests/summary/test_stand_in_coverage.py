"""The meta stand-ins cover the common CNN ops of real models (no slow meta decompositions).

Speed is measured in ``benchmarks/bench_summarize.py``, never asserted here. What is asserted is
the reason for it: on these models every call of an op that has a stand-in is answered by the
stand-in, so summarize never falls back to torch's Python meta decompositions for them (each
~0.2-3 ms). A stand-in that starts declining a case it used to cover fails here.
"""

from __future__ import annotations

from collections import Counter
from unittest import mock

import pytest
import torch
import torchvision

import vizkit.summary.record as tracing
from vizkit.summary import summarize
from vizkit.zoo import googlenet


def _step_counter(args: tuple) -> bool:
    """BatchNorm's ``num_batches_tracked += 1`` in train mode: an integer buffer, no activation."""
    first = args[0] if args else None
    return isinstance(first, torch.Tensor) and not first.is_floating_point()


def _declined(model, size, mode="eval") -> tuple[Counter, Counter]:
    answered: Counter = Counter()
    declined: Counter = Counter()

    def watched(name, stand_in):
        def call(args, kwargs, save):
            out = stand_in(args, kwargs, save)
            if out is not None:
                answered[name] += 1
            elif not _step_counter(args):
                declined[name] += 1
            return out

        return call

    wrapped = {name: watched(name, f) for name, f in tracing.SHORTCUTS.items()}
    with mock.patch.dict(tracing.SHORTCUTS, wrapped):
        summarize(model, size, mode=mode)
    return answered, declined


_VIT_CLASS_TOKEN = Counter({"cat": 1})  # torch.cat of an expand()ed view: left to torch


@pytest.mark.parametrize(
    ("build", "size", "expected", "left"),
    [
        (
            torchvision.models.vgg16,
            (3, 224, 224),
            {"conv2d", "relu", "max_pool2d", "linear"},
            Counter(),
        ),
        (
            torchvision.models.resnet50,
            (3, 64, 64),
            {"conv2d", "batch_norm", "relu", "add_"},
            Counter(),
        ),
        (googlenet, (3, 224, 224), {"conv2d", "relu", "cat", "max_pool2d"}, Counter()),
        (
            torchvision.models.mobilenet_v3_small,
            (3, 64, 64),
            {"hardswish", "mul", "add_"},
            Counter(),
        ),
        (torchvision.models.efficientnet_b0, (3, 64, 64), {"silu", "sigmoid", "mul"}, Counter()),
        (
            lambda: torchvision.models.VisionTransformer(32, 8, 2, 2, 32, 64),
            (3, 32, 32),
            {"multi_head_attention_forward", "layer_norm", "gelu", "linear"},
            _VIT_CLASS_TOKEN,
        ),
    ],
)
@pytest.mark.parametrize("mode", ["eval", "train"])
def test_every_call_with_a_stand_in_is_answered_by_it(build, size, expected, left, mode):
    answered, declined = _declined(build(), size, mode)
    assert expected <= set(answered), answered
    assert declined == left, declined
