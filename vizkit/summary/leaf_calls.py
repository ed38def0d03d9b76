"""The one torch function a plain leaf module's ``forward`` runs, to record it without running it.

``nn.Conv2d(x)`` goes through the module's ``forward``, ``F.conv2d``'s Python wrapper and
torch's ``__torch_function__`` dispatch before the recorder sees ``conv2d``; for the few module
types that make up most classifiers that costs more than the recording itself. For those types
(exact types: a subclass may override ``forward``), :data:`LEAF_CALLS` knows which function
their ``forward`` calls and with which arguments: exactly the ``(args, kwargs)`` the recorder
would receive, so that counts, fields and memory are the same. A module whose configuration
leaves the plain case (``padding_mode="reflect"``, BatchNorm or Dropout in training mode,
``return_indices=True``, an input of the wrong rank) gets ``None`` and runs as usual.

``tests/summary/test_leaf_calls.py`` checks, for each type, that the table is the same with and
without this shortcut.
"""

from __future__ import annotations

from collections.abc import Callable

import torch
import torch.nn.functional as F
from torch import nn

__all__ = ["LEAF_CALLS", "MISS", "PASS_THROUGH", "LeafCall"]

Arguments = tuple[tuple, dict[str, object]]
LeafCall = tuple[object, Callable[[nn.Module, torch.Tensor], "Arguments | None"]]
"""``(torch function, arguments(module, x) -> (args, kwargs) or None)``."""

#: the function of a module that returns its input and runs no op (``nn.Identity``)
PASS_THROUGH = object()
#: what a shortcut call returns when the module must run as usual after all
MISS = object()


def _conv2d(m: nn.Module, x: torch.Tensor) -> Arguments | None:
    p = m._parameters
    weight = p.get("weight")
    if weight is None or m.padding_mode != "zeros":
        return None
    return (x, weight, p.get("bias"), m.stride, m.padding, m.dilation, m.groups), {}


def _linear(m: nn.Module, x: torch.Tensor) -> Arguments | None:
    p = m._parameters
    weight = p.get("weight")
    return None if weight is None else ((x, weight, p.get("bias")), {})


def _batch_norm(rank: tuple[int, ...]) -> Callable[[nn.Module, torch.Tensor], Arguments | None]:
    """``_BatchNorm.forward`` in eval mode (in training it updates its statistics: not here)."""

    def arguments(m: nn.Module, x: torch.Tensor) -> Arguments | None:
        if m.training or x.dim() not in rank:
            return None
        b, p = m._buffers, m._parameters
        mean, var = b.get("running_mean"), b.get("running_var")
        kwargs = {
            "weight": p.get("weight"),
            "bias": p.get("bias"),
            "training": mean is None and var is None,
            "momentum": 0.0 if m.momentum is None else m.momentum,
            "eps": m.eps,
        }
        return (x, mean, var), kwargs

    return arguments


def _relu(m: nn.Module, x: torch.Tensor) -> Arguments | None:
    return (x,), {"inplace": m.inplace}


def _max_pool2d(m: nn.Module, x: torch.Tensor) -> Arguments | None:
    if m.return_indices:
        return None
    kwargs = {
        "stride": m.stride,
        "padding": m.padding,
        "dilation": m.dilation,
        "ceil_mode": m.ceil_mode,
        "return_indices": False,
    }
    return (x, m.kernel_size), kwargs


def _adaptive_avg_pool2d(m: nn.Module, x: torch.Tensor) -> Arguments | None:
    return (x, m.output_size), {}


def _dropout(m: nn.Module, x: torch.Tensor) -> Arguments | None:
    if m.training:
        return None
    return (x,), {"p": m.p, "training": False, "inplace": m.inplace}


def _layer_norm(m: nn.Module, x: torch.Tensor) -> Arguments | None:
    p = m._parameters
    return (x, m.normalized_shape), {"weight": p.get("weight"), "bias": p.get("bias"), "eps": m.eps}


def _gelu(m: nn.Module, x: torch.Tensor) -> Arguments | None:
    return (x,), {"approximate": m.approximate}


def _plain(m: nn.Module, x: torch.Tensor) -> Arguments | None:
    return (x,), {}


def _flatten(m: nn.Module, x: torch.Tensor) -> Arguments | None:
    return (x, m.start_dim, m.end_dim), {}


def _identity(m: nn.Module, x: torch.Tensor) -> Arguments | None:
    return (x,), {}


LEAF_CALLS: dict[type, LeafCall] = {
    nn.Conv2d: (F.conv2d, _conv2d),
    nn.Linear: (F.linear, _linear),
    nn.BatchNorm1d: (F.batch_norm, _batch_norm((2, 3))),
    nn.BatchNorm2d: (F.batch_norm, _batch_norm((4,))),
    nn.ReLU: (F.relu, _relu),
    nn.SiLU: (F.silu, _relu),
    nn.Hardswish: (F.hardswish, _relu),
    nn.Hardsigmoid: (F.hardsigmoid, _relu),
    nn.GELU: (F.gelu, _gelu),
    nn.Sigmoid: (torch.sigmoid, _plain),
    nn.Tanh: (torch.tanh, _plain),
    nn.MaxPool2d: (F.max_pool2d, _max_pool2d),
    nn.AdaptiveAvgPool2d: (F.adaptive_avg_pool2d, _adaptive_avg_pool2d),
    nn.Dropout: (F.dropout, _dropout),
    nn.LayerNorm: (F.layer_norm, _layer_norm),
    nn.Flatten: (torch.Tensor.flatten, _flatten),
    nn.Identity: (PASS_THROUGH, _identity),
}
"""Exact module type → the torch function its ``forward`` calls and that call's arguments."""
