"""Ready-made callbacks: filter snapshots, early stopping and a stop request."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import torch
from torch import nn

from vizkit._validate import check_int, check_names, check_number
from vizkit.train.loop import Callback, TrainState

__all__ = ["EarlyStopping", "FilterSnapshots", "StopRequest"]


def _conv_weight(model: nn.Module, layer: str) -> torch.Tensor:
    modules = dict(model.named_modules())
    if layer not in modules:
        convs = [n for n, m in modules.items() if isinstance(m, nn.Conv2d)]
        raise ValueError(f"no layer {layer!r} in the model; its conv layers are {convs}")
    weight = getattr(modules[layer], "weight", None)
    if not isinstance(weight, torch.Tensor) or weight.dim() != 4:
        raise ValueError(
            f"layer {layer!r} ({type(modules[layer]).__name__}) has no 4-D conv weight to snapshot"
        )
    return weight


@dataclass
class FilterSnapshots(Callback):
    """Copy chosen layers' conv weights at the start and every ``every`` steps.

    Args:
        layers: Dotted ``named_modules()`` names of conv layers, e.g. ``("conv1",)``.
        every: Take a snapshot every this many optimiser steps (≥ 1).

    Attributes:
        steps: The step of each snapshot (0 = before training).
        weights: ``layer → list`` of CPU tensors ``(out_channels, in_channels, kH, kW)``, one
            per entry of ``steps``.

    Raises:
        TypeError: ``layers`` is not a name or a list of names, ``every`` not an int.
        ValueError: no layers, ``every`` < 1, or (at the start of training) a name is not a
            conv layer.
    """

    layers: Sequence[str]
    every: int = 10
    steps: list[int] = field(default_factory=list, init=False)
    weights: dict[str, list[torch.Tensor]] = field(default_factory=dict, init=False)

    def __post_init__(self) -> None:
        if isinstance(self.layers, str):
            self.layers = (self.layers,)
        self.layers = check_names("layers", self.layers, what="layer name")
        if not self.layers:
            raise ValueError("layers is empty: name at least one conv layer, e.g. ['conv1']")
        self.every = check_int("every", self.every, minimum=1, fix="use e.g. every=10 (steps)")

    def _take(self, state: TrainState) -> None:
        self.steps.append(state.step)
        for name in self.layers:
            weight = _conv_weight(state.model, name)
            self.weights.setdefault(name, []).append(weight.detach().to("cpu", copy=True))

    def on_train_start(self, state: TrainState) -> None:
        """Validate the names and take the step-0 snapshot."""
        self.steps.clear()
        self.weights.clear()
        self._take(state)

    def on_step_end(self, state: TrainState) -> None:
        """Snapshot every ``every`` steps."""
        if state.step % self.every == 0:
            self._take(state)

    def on_train_end(self, state: TrainState) -> None:
        """Add the final step if it was not on the grid (the restored best weights)."""
        if self.steps and self.steps[-1] != state.step:
            self._take(state)

    def stacked(self, layer: str) -> torch.Tensor:
        """All snapshots of ``layer`` as one ``(T, out, in, kH, kW)`` tensor."""
        return torch.stack(self.weights[layer])


@dataclass
class EarlyStopping(Callback):
    """Stop when validation accuracy has not improved for ``patience`` evaluations.

    Args:
        patience: Evaluations without improvement before stopping (≥ 1).
        target: Stop as soon as validation accuracy reaches this (0–1), or ``None``.

    Raises:
        TypeError: ``patience`` not an int, ``target`` not a number.
        ValueError: ``patience`` < 1, ``target`` outside 0–1 (or NaN).
    """

    patience: int = 5
    target: float | None = None
    _waited: int = field(default=0, init=False, repr=False)
    _best: float = field(default=-1.0, init=False, repr=False)

    def __post_init__(self) -> None:
        self.patience = check_int(
            "patience", self.patience, minimum=1, fix="use e.g. patience=5 (evaluations)"
        )
        if self.target is not None:
            self.target = check_number(
                "target", self.target, minimum=0.0, maximum=1.0, fix="an accuracy such as 0.98"
            )

    def on_train_start(self, state: TrainState) -> None:
        """Reset the counter."""
        self._waited, self._best = 0, -1.0

    def on_eval_end(self, state: TrainState) -> None:
        """Count evaluations without improvement; request a stop when patience runs out."""
        acc = state.history.eval_accuracies[-1]
        if self.target is not None and acc >= self.target:
            state.stop = True
        if acc > self._best:
            self._best, self._waited = acc, 0
        else:
            self._waited += 1
            if self._waited >= self.patience:
                state.stop = True


class StopRequest(Callback):
    """A flag that asks :func:`~vizkit.train.fit` to stop after the current step.

    Call :meth:`request` from anywhere — a button's click handler, another thread, another
    callback; the loop checks the flag after every step, stops with ``stop_reason
    "stopped"`` and, as for every stop, hands back the best model so far. The flag clears at
    the start of each run, so a request left over from an earlier run does not stop the next.
    """

    def __init__(self) -> None:
        self.requested = False

    def request(self) -> None:
        """Ask the running training to stop after its current step."""
        self.requested = True

    def on_train_start(self, state: TrainState) -> None:
        """Clear an old request."""
        self.requested = False

    def on_step_end(self, state: TrainState) -> None:
        """Stop after this step if a stop was requested."""
        if self.requested:
            state.stop, state.stop_reason = True, "stopped"
