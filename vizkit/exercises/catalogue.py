"""The catalogue of exercise topics, and :func:`make`, which draws one instance.

Each topic names a generator function ``(random.Random) -> Spec`` in
:mod:`vizkit.exercises.generators`; the generator modules import torch inside their functions,
so reading the catalogue is instant.
"""

from __future__ import annotations

import importlib
import random
from dataclasses import dataclass

from vizkit._suggest import suggestion
from vizkit.exercises.exercise import Exercise, Spec

__all__ = ["CATALOGUE", "Topic", "make", "topic_info", "topics"]


@dataclass(frozen=True)
class Topic:
    """One exercise topic.

    Attributes:
        name: The name :func:`make` takes.
        title: Short human title.
        checked_against: What PyTorch computes to produce (and verify) the answer.
        module: Generator module (under ``vizkit.exercises.generators``).
    """

    name: str
    title: str
    checked_against: str
    module: str


CATALOGUE: tuple[Topic, ...] = (
    Topic(
        "conv_output_size",
        "Output size of a convolution",
        "nn.Conv2d forward on zeros: output .shape, or the RuntimeError it raises",
        "conv_size",
    ),
    Topic(
        "conv_transpose_output_size",
        "Output size of a transposed convolution",
        "nn.ConvTranspose2d(..., output_padding) forward: output .shape",
        "transposed",
    ),
    Topic(
        "pool_output_size",
        "Output size of a pooling layer",
        "nn.MaxPool2d / nn.AvgPool2d (with ceil_mode) forward: output .shape",
        "pooling",
    ),
    Topic(
        "same_padding",
        'Padding that keeps the size ("same")',
        "nn.Conv2d forward for each padding: the one whose output shape equals the input's, "
        "compared with padding='same'",
        "same_padding",
    ),
    Topic(
        "pooled_values",
        "Values of a pooled grid",
        "nn.MaxPool2d / nn.AvgPool2d forward on the grid",
        "pooling",
    ),
    Topic(
        "conv_output_cell",
        "One output cell of a convolution",
        "nn.Conv2d with the given weight and bias, forward on the grid",
        "conv_cell",
    ),
    Topic(
        "batchnorm_output",
        "BatchNorm on a tiny batch",
        "nn.BatchNorm2d in training mode: forward output, or running_var after the step",
        "batchnorm",
    ),
    Topic(
        "conv_params",
        "Parameters of a conv layer",
        "sum(p.numel() for p in nn.Conv2d(...).parameters()) on the meta device",
        "counts",
    ),
    Topic(
        "conv_macs",
        "Multiply-accumulates of a conv layer",
        "torch.utils.flop_counter.FlopCounterMode on a forward (FLOPs / 2)",
        "counts",
    ),
    Topic(
        "activation_memory",
        "Activation memory of a layer",
        "output.numel() * output.element_size() of a float32 forward (meta device)",
        "counts",
    ),
    Topic(
        "receptive_field",
        "Receptive field of a stack",
        "autograd: the extent of the non-zero input gradient of one output unit",
        "receptive",
    ),
    Topic(
        "three_3x3_vs_7x7",
        "Stacked 3×3 convolutions vs one large kernel",
        "numel of the real layers' parameters; autograd for the receptive field",
        "stacks",
    ),
    Topic(
        "architecture_step",
        "Shape after a layer of AlexNet / VGG",
        "torchvision's alexnet / vgg on the meta device: a forward hook on the layer",
        "architectures",
    ),
    Topic(
        "dropout2d_vs_dropout",
        "Dropout2d vs Dropout",
        "the options are outputs of real nn.Dropout2d / nn.Dropout modules (train or eval)",
        "dropout",
    ),
    Topic(
        "dip_concepts",
        "Deep Image Prior: concepts",
        "multiple choice with an explanation per option (Ulyanov et al., Deep Image Prior)",
        "dip",
    ),
)
_BY_NAME = {topic.name: topic for topic in CATALOGUE}


def topics() -> list[str]:
    """Names of all exercise topics, in teaching order.

    Returns:
        The topic names :func:`make` accepts.

    >>> "conv_output_size" in topics()
    True
    """
    return [topic.name for topic in CATALOGUE]


def _normalise(name: str) -> str:
    return name.strip().lower().replace("-", "_").replace(" ", "_")


def topic_info(topic: str) -> Topic:
    """The catalogue entry of a topic (title, what it is checked against).

    Args:
        topic: A topic name; case, spaces and hyphens are forgiven (``"Conv output-size"``).

    Raises:
        TypeError: ``topic`` is not a string.
        ValueError: Unknown topic; the message lists the topics and suggests the closest.
    """
    if not isinstance(topic, str):
        raise TypeError(
            f"topic must be a str (one of {topics()}), got {topic!r} ({type(topic).__name__})"
        )
    entry = _BY_NAME.get(_normalise(topic))
    if entry is None:
        names = topics()
        hint = suggestion(_normalise(topic), names, what="exercise topic", shown=len(names))
        message = f"no exercise topic named {topic!r}: {hint}"
        if hint.startswith("did you mean"):
            message += f" The topics are: {', '.join(names)}"
        raise ValueError(message)
    return entry


def make(topic: str, seed: int = 0) -> Exercise:
    """Draw one exercise: the same topic and seed always give the same numbers.

    Args:
        topic: One of :func:`topics`.
        seed: A non-negative int; each seed gives other numbers ("new numbers" is ``seed + 1``).

    Returns:
        The exercise, with its answer computed by PyTorch.

    Raises:
        TypeError: ``topic`` is not a str or ``seed`` is not an int.
        ValueError: Unknown topic (the closest one is suggested) or a negative seed.
    """
    entry = topic_info(topic)
    if isinstance(seed, bool) or not isinstance(seed, int):
        raise TypeError(
            f"seed must be an int, got {seed!r} ({type(seed).__name__}): e.g. make(topic, seed=3)"
        )
    if seed < 0:
        raise ValueError(f"seed must be ≥ 0, got {seed}: e.g. make(topic, seed=3)")
    module = importlib.import_module(f"vizkit.exercises.generators.{entry.module}")
    generate = getattr(module, entry.name)
    # A string seed keeps topics independent: seed 0 of one topic says nothing about another.
    spec: Spec = generate(random.Random(f"{entry.name}:{seed}"))
    return Exercise(entry.name, seed, spec)
