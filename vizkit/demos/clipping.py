"""Gradient clipping by norm vs by value, on a real model's real gradients.

Clipping by norm rescales the whole gradient, ``g ← g · min(1, c / ‖g‖)`` (Pascanu et al.
2013; the lecture's formula): its direction is kept. Clipping by value clamps every entry to
``[−c, c]`` independently: large entries are cut, small ones untouched, so the direction
changes. :func:`clip_comparison` runs one backward pass and applies both of torch's functions
(``torch.nn.utils.clip_grad_norm_``, ``clip_grad_value_``) to copies of the gradients.

The lecture (Straka, NPFL114 lecture 4) lists three scopes: per weight (by value), **per
variable** (each parameter tensor's norm clipped on its own) and **for the whole gradient**.
:func:`clip_scopes` does both norm scopes with ``clip_grad_norm_`` — called once per parameter,
and once over all of them. Why clipping exists at all — the exploding-gradient cliff — is
:mod:`vizkit.demos.cliff`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch
from torch import nn

from vizkit._validate import check_number, check_shape, describe
from vizkit.inspect._args import check_model, run_model

__all__ = ["ClipScopes", "GradientClipping", "clip_comparison", "clip_scopes"]


@dataclass(frozen=True)
class GradientClipping:
    """Gradients before and after both kinds of clipping, flattened in parameter order.

    Attributes:
        names: Parameter names (``named_parameters()``) that received a gradient.
        sizes: Entries per parameter (to split the flat arrays back).
        before: 1-D float array, all gradient entries.
        by_norm: After ``clip_grad_norm_(max_norm)``.
        by_value: After ``clip_grad_value_(clip_value)``.
        max_norm, clip_value: The thresholds.
        total_norm: ‖g‖ (2-norm over all entries) before clipping.
        norm_after_norm, norm_after_value: ‖g‖ after each kind.
        cosine_by_norm, cosine_by_value: Cosine between the clipped and original gradient
            (1 means same direction).
        clipped_entries: Entries changed by value clipping.
    """

    names: list[str]
    sizes: list[int]
    before: np.ndarray
    by_norm: np.ndarray
    by_value: np.ndarray
    max_norm: float
    clip_value: float
    total_norm: float
    norm_after_norm: float
    norm_after_value: float
    cosine_by_norm: float
    cosine_by_value: float
    clipped_entries: int


def _cos(a: np.ndarray, b: np.ndarray) -> float:
    den = float(np.linalg.norm(a) * np.linalg.norm(b))
    return float(a @ b / den) if den > 0 else 1.0


def _flat(ts: list[torch.Tensor]) -> np.ndarray:
    return torch.cat([t.reshape(-1) for t in ts]).double().cpu().numpy()


def _holders(grads: list[torch.Tensor]) -> list[torch.Tensor]:
    holders = []
    for g in grads:
        h = torch.zeros_like(g, requires_grad=True)
        h.grad = g.clone()
        holders.append(h)
    return holders


def clip_comparison(
    model: nn.Module,
    inputs: torch.Tensor,
    targets: torch.Tensor,
    *,
    max_norm: float,
    clip_value: float,
) -> GradientClipping:
    """One cross-entropy backward pass, then both clippings applied to copies of the gradient.

    The model's own ``.grad`` fields are left as they were before the call (saved and put
    back), and its weights are not changed.

    Args:
        model: A classifier mapping ``inputs`` to ``(N, classes)`` logits.
        inputs: A batch for the model.
        targets: ``(N,)`` int64 class labels.
        max_norm: Threshold ``c`` of clipping by norm (> 0).
        clip_value: Threshold ``c`` of clipping by value (> 0).

    Returns:
        A :class:`GradientClipping`.

    Raises:
        TypeError: ``model`` is not a module, ``inputs``/``targets`` not tensors, or a
            threshold not a number.
        ValueError: A threshold ≤ 0 (or NaN/inf), inputs the model cannot run on, targets of
            the wrong shape or outside the classes, or no parameter received a gradient.
    """
    check_model(model)
    for name, value in (("max_norm", max_norm), ("clip_value", clip_value)):
        check_number(name, value, above=0.0, fix="it is the clipping threshold, e.g. 1.0")
    if not isinstance(inputs, torch.Tensor):
        raise TypeError(f"inputs must be a batch tensor (N, ...), got {describe(inputs)}")
    check_shape("inputs", inputs, ndim=tuple(range(1, 6)), layout="(N, ...)")
    if not isinstance(targets, torch.Tensor):
        raise TypeError(f"targets must be a (N,) int64 tensor of labels, got {describe(targets)}")
    if targets.dtype.is_floating_point or targets.is_complex() or targets.dtype == torch.bool:
        raise TypeError(f"targets must hold integer class labels, got dtype {targets.dtype}")
    if targets.dim() != 1 or len(targets) != len(inputs):
        raise ValueError(
            f"targets must be (N,) with N = {len(inputs)} (one label per row of inputs), got shape "
            f"{tuple(targets.shape)}"
        )
    params = [(n, p) for n, p in model.named_parameters() if p.requires_grad]
    saved = [None if p.grad is None else p.grad.clone() for _, p in params]
    try:
        for _, p in params:
            p.grad = None
        with torch.enable_grad():
            logits = run_model(model, inputs, "inputs")
            if not isinstance(logits, torch.Tensor) or logits.dim() != 2:
                shape = tuple(logits.shape) if isinstance(logits, torch.Tensor) else None
                raise ValueError(f"model must return (N, classes) logits, got {shape}")
            low, high = int(targets.min()), int(targets.max())
            if low < 0 or high >= logits.shape[1]:
                raise ValueError(
                    f"targets hold labels {low}..{high} but the model has {logits.shape[1]} "
                    f"classes (0..{logits.shape[1] - 1})"
                )
            loss = nn.functional.cross_entropy(logits, targets.long())
            loss.backward()
        used = [(n, p) for n, p in params if p.grad is not None]
        if not used:
            raise ValueError("no parameter received a gradient: does the loss depend on model?")
        grads = [p.grad.detach().clone() for _, p in used]

        # stand-in leaves holding copies of the gradients: torch's functions clip ``.grad``
        holders = _holders(grads)
        torch.nn.utils.clip_grad_norm_(holders, max_norm)
        by_norm_t = [h.grad for h in holders]
        holders = _holders(grads)
        torch.nn.utils.clip_grad_value_(holders, clip_value)
        by_value_t = [h.grad for h in holders]
    finally:
        for (_, p), g in zip(params, saved, strict=True):
            p.grad = g
    before, by_norm, by_value = _flat(grads), _flat(by_norm_t), _flat(by_value_t)
    return GradientClipping(
        names=[n for n, _ in used],
        sizes=[g.numel() for g in grads],
        before=before,
        by_norm=by_norm,
        by_value=by_value,
        max_norm=float(max_norm),
        clip_value=float(clip_value),
        total_norm=float(np.linalg.norm(before)),
        norm_after_norm=float(np.linalg.norm(by_norm)),
        norm_after_value=float(np.linalg.norm(by_value)),
        cosine_by_norm=_cos(before, by_norm),
        cosine_by_value=_cos(before, by_value),
        clipped_entries=int(np.count_nonzero(by_value != before)),
    )


# --- per variable vs global ------------------------------------------------------------------


@dataclass(frozen=True)
class ClipScopes:
    """Each parameter's gradient norm before and after clipping per variable and globally.

    Attributes:
        names: Parameter names that received a gradient.
        norms_before: ``(P,)`` ‖g_p‖ of each parameter.
        norms_per_variable: ``(P,)`` after ``clip_grad_norm_(p, max_norm)`` for each ``p`` on
            its own: ``min(‖g_p‖, c)``.
        norms_global: ``(P,)`` after one ``clip_grad_norm_(all, max_norm)``: every ‖g_p‖ times
            the same factor ``min(1, c / ‖g‖)``.
        total_before, total_per_variable, total_global: ‖g‖ over all entries.
        cosine_per_variable, cosine_global: Cosine with the original whole gradient.
        max_norm: The threshold ``c``.
    """

    names: list[str]
    norms_before: np.ndarray
    norms_per_variable: np.ndarray
    norms_global: np.ndarray
    total_before: float
    total_per_variable: float
    total_global: float
    cosine_per_variable: float
    cosine_global: float
    max_norm: float

    def describe(self) -> str:
        """The totals and directions in two lines."""
        return (
            f"per variable: each ‖g_p‖ ≤ {self.max_norm:g}, total ‖g‖ {self.total_before:.3g} → "
            f"{self.total_per_variable:.3g}, cosine with g {self.cosine_per_variable:.4f}\n"
            f"global: total ‖g‖ {self.total_before:.3g} → {self.total_global:.3g}, cosine "
            f"{self.cosine_global:.4f} (direction kept)"
        )


def clip_scopes(
    model: nn.Module, inputs: torch.Tensor, targets: torch.Tensor, *, max_norm: float
) -> ClipScopes:
    """One backward pass, then clipping by norm per variable and over all parameters.

    Per variable: ``clip_grad_norm_([p], c)`` for each parameter — each tensor's norm is
    capped at ``c`` on its own, so a total of up to ``c·√P`` remains and the direction of the
    whole gradient turns (small tensors keep their size, large ones shrink). Global:
    ``clip_grad_norm_(model.parameters(), c)`` — one factor for all, the direction is kept.
    In Keras these are ``clipnorm`` (per variable, in ``tf.keras`` since TF 2) and
    ``global_clipnorm``. The model's ``.grad`` fields and weights are left as they were.

    Args:
        model, inputs, targets: As in :func:`clip_comparison`.
        max_norm: The threshold ``c`` (> 0).

    Returns:
        A :class:`ClipScopes`.

    Raises:
        TypeError, ValueError: As :func:`clip_comparison`.
    """
    check_number("max_norm", max_norm, above=0.0, fix="it is the clipping threshold, e.g. 1.0")
    base = clip_comparison(model, inputs, targets, max_norm=max_norm, clip_value=1.0)
    pieces = np.split(base.before, np.cumsum(base.sizes)[:-1])
    grads = [torch.from_numpy(p.copy()) for p in pieces]
    per_var = _holders(grads)
    for h in per_var:
        torch.nn.utils.clip_grad_norm_([h], max_norm)
    whole = _holders(grads)
    torch.nn.utils.clip_grad_norm_(whole, max_norm)
    flat_var, flat_whole = _flat([h.grad for h in per_var]), _flat([h.grad for h in whole])
    return ClipScopes(
        names=base.names,
        norms_before=np.array([np.linalg.norm(p) for p in pieces]),
        norms_per_variable=np.array([float(h.grad.norm()) for h in per_var]),
        norms_global=np.array([float(h.grad.norm()) for h in whole]),
        total_before=base.total_norm,
        total_per_variable=float(np.linalg.norm(flat_var)),
        total_global=float(np.linalg.norm(flat_whole)),
        cosine_per_variable=_cos(base.before, flat_var),
        cosine_global=_cos(base.before, flat_whole),
        max_norm=float(max_norm),
    )
