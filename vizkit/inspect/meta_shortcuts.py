"""Fast stand-ins for ops whose meta-device implementation is a slow Python decomposition.

On the meta device torch runs ``F.linear`` (``addmm``) and ``F.batch_norm`` through Python
reference decompositions costing ~0.3-3 ms per call, more than everything else in a ResNet's meta
forward. These stand-ins give the same output shape and, with grad enabled, keep for backward
the same activations (their inputs), so memory accounting is unchanged.
"""

from __future__ import annotations

import torch

__all__ = ["SHORTCUTS"]


def _meta_linear(args: tuple, kwargs: dict) -> torch.Tensor | None:
    """``F.linear`` on meta through ``matmul`` (torch decomposes ``addmm`` slowly in Python)."""
    x = args[0] if args else kwargs.get("input")
    if not isinstance(x, torch.Tensor) or not x.is_meta:
        return None
    weight = args[1] if len(args) > 1 else kwargs["weight"]
    bias = args[2] if len(args) > 2 else kwargs.get("bias")
    out = torch.matmul(x, weight.t())
    return out + bias if bias is not None else out


def _meta_batch_norm(args: tuple, kwargs: dict) -> torch.Tensor | None:
    """BatchNorm on meta without torch's slow Python decomposition (same shape, same saves).

    Without grad the output is just an empty tensor of the input's shape; with grad
    ``x · weight + bias`` keeps for backward what BatchNorm keeps (its input).
    """
    x = args[0] if args else kwargs.get("input")
    if not isinstance(x, torch.Tensor) or not x.is_meta:
        return None
    if not torch.is_grad_enabled():
        return torch.empty_like(x)
    weight = args[3] if len(args) > 3 else kwargs.get("weight")
    bias = args[4] if len(args) > 4 else kwargs.get("bias")
    shape = [1, x.shape[1]] + [1] * (x.dim() - 2)
    if weight is None:
        weight = torch.ones(x.shape[1], device="meta", dtype=x.dtype, requires_grad=True)
    out = x * weight.view(shape)
    return out + bias.view(shape) if bias is not None else out


SHORTCUTS = {"batch_norm": _meta_batch_norm, "linear": _meta_linear}
