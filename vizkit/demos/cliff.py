"""The exploding-gradient cliff, and what clipping does at it.

Goodfellow et al., *Deep Learning*, Figures 8.3 and 10.17 (after Pascanu et al. 2013), the
figures Straka's NPFL114 lecture 4 shows: highly non-linear nets and RNNs have loss surfaces
with steep walls; at the wall the gradient is huge and one step "can catapult the parameters
very far". :func:`cliff_loss` is such a surface in two parameters; :func:`cliff_descent` runs
gradient descent on it without and with ``torch.nn.utils.clip_grad_norm_``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from vizkit._validate import check_instance, check_int, check_number, check_sequence, describe

__all__ = ["CliffDescent", "cliff_descent", "cliff_loss"]


def cliff_loss(
    w: torch.Tensor, b: torch.Tensor, *, height: float = 4.0, sharpness: float = 15.0
) -> torch.Tensor:
    """A two-parameter loss with a cliff: a gentle bowl plus a steep step at ``w = 1``.

    ``L(w, b) = 0.05·(w² + b²) + height·σ(sharpness·(w − 1))`` — the plateau ``w > 1`` lies
    ``height`` above the bowl, and at the wall the gradient reaches ``height·sharpness/4``.
    A schematic of Goodfellow et al.'s Figure 8.3 (the wall of highly non-linear nets and RNNs).

    Args:
        w, b: Tensors of the same shape (a point, or a grid).
        height: Height of the step.
        sharpness: Steepness of the wall.

    Returns:
        The loss, shaped like ``w``.

    Raises:
        TypeError: ``w`` or ``b`` not a float tensor; ``height``/``sharpness`` not numbers.
        ValueError: ``w`` and ``b`` of different shapes, empty or not finite; a non-finite
            ``height`` or a ``sharpness`` that is not positive.
    """
    for name, value in (("w", w), ("b", b)):
        check_instance(
            name, value, torch.Tensor, "a float tensor", f"e.g. {name}=torch.tensor(0.5)"
        )
        if not value.is_floating_point():
            raise TypeError(
                f"{name} must be a float tensor, got dtype {value.dtype}: pass {name}.float()"
            )
        if value.numel() == 0:
            raise ValueError(f"{name} is empty ({describe(value)}): pass a point or a grid")
        if not bool(torch.isfinite(value.detach()).all()):
            raise ValueError(f"{name} contains NaN or infinite values: pass finite numbers")
    if w.shape != b.shape:
        raise ValueError(
            f"b has shape {tuple(b.shape)} but w has shape {tuple(w.shape)}: pass w and b of "
            "the same shape (a point, or grids from torch.meshgrid)"
        )
    height = check_number("height", height, fix="use e.g. height=4.0")
    sharpness = check_number("sharpness", sharpness, above=0.0, fix="use e.g. sharpness=15.0")
    return 0.05 * (w**2 + b**2) + height * torch.sigmoid(sharpness * (w - 1.0))


@dataclass(frozen=True)
class CliffDescent:
    """Gradient descent on :func:`cliff_loss` without and with clipping.

    Attributes:
        w, b: ``(G,)`` grid axes; ``surface``: ``(G, G)`` loss, rows along ``b``.
        path_plain, path_clipped: ``(steps + 1, 2)`` parameters ``(w, b)`` after each step.
        loss_plain, loss_clipped: ``(steps + 1,)`` loss along each path.
        grad_norms: ``(steps,)`` ‖∇L‖ of the plain run at each step.
        max_norm, lr: Clipping threshold and learning rate.
    """

    w: np.ndarray
    b: np.ndarray
    surface: np.ndarray
    path_plain: np.ndarray
    path_clipped: np.ndarray
    loss_plain: np.ndarray
    loss_clipped: np.ndarray
    grad_norms: np.ndarray
    max_norm: float
    lr: float

    @property
    def largest_jump(self) -> float:
        """Longest single step of the plain run (the catapult)."""
        return float(np.linalg.norm(np.diff(self.path_plain, axis=0), axis=1).max())

    @property
    def largest_clipped_step(self) -> float:
        """Longest step with clipping: at most ``lr · max_norm``."""
        return float(np.linalg.norm(np.diff(self.path_clipped, axis=0), axis=1).max())

    @property
    def jump_step(self) -> int:
        """Index of the plain run's longest step (0-based)."""
        return int(np.linalg.norm(np.diff(self.path_plain, axis=0), axis=1).argmax())

    def describe(self) -> str:
        """Both runs in two lines."""
        k = self.jump_step
        than = "higher" if self.loss_plain[k + 1] > self.loss_plain[0] else "not higher"
        return (
            f"without clipping: step {k + 1} is {self.largest_jump:.2f} long (‖∇L‖ = "
            f"{self.grad_norms[k]:.1f} at the wall): loss {self.loss_plain[k]:.2f} → "
            f"{self.loss_plain[k + 1]:.2f}, {than} than at the start ({self.loss_plain[0]:.2f})"
            f"; final loss {self.loss_plain[-1]:.3f}\n"
            f"with clipping (c = {self.max_norm:g}): largest step {self.largest_clipped_step:.2f}"
            f" ≤ lr·c = {self.lr * self.max_norm:.2f}, final loss {self.loss_clipped[-1]:.3f}"
        )


def cliff_descent(
    *,
    start: tuple[float, float] = (4.0, 2.0),
    lr: float = 1.0,
    steps: int = 40,
    max_norm: float = 1.0,
    height: float = 4.0,
    sharpness: float = 15.0,
    grid: int = 121,
) -> CliffDescent:
    """Gradient descent from ``start`` on :func:`cliff_loss`, plain and with global clipping.

    Both runs take ``θ ← θ − lr·∇L``; the clipped one first applies
    ``torch.nn.utils.clip_grad_norm_([θ], max_norm)``, so no step is longer than
    ``lr·max_norm``. The plain run walks down the plateau until it lands on the wall, where
    the gradient is huge and one step throws it far past the minimum.

    Args:
        start: ``(w, b)`` to start from (each within ±50).
        lr: Learning rate (> 0).
        steps: Steps of each run (1…10,000).
        max_norm: Clipping threshold (> 0).
        height, sharpness: Shape of the cliff (> 0).
        grid: Points per axis of the drawn surface (10…501).

    Returns:
        A :class:`CliffDescent`.

    Raises:
        TypeError, ValueError: an argument of the wrong kind or out of range.
    """
    pair = check_sequence("start", start, what="two numbers (w, b)")
    if len(pair) != 2:
        raise ValueError(f"start must be two numbers (w, b), got {len(pair)}: e.g. (3.0, 2.0)")
    w0, b0 = (check_number("start", v, minimum=-50.0, maximum=50.0) for v in pair)
    lr = check_number("lr", lr, above=0.0, maximum=100.0)
    steps = check_int("steps", steps, minimum=1, maximum=10_000)
    max_norm = check_number("max_norm", max_norm, above=0.0, fix="e.g. 1.0")
    height = check_number("height", height, above=0.0, maximum=1e3)
    sharpness = check_number("sharpness", sharpness, above=0.0, maximum=1e3)
    grid = check_int("grid", grid, minimum=10, maximum=501)

    def run(clip: bool) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        p = torch.tensor([w0, b0], dtype=torch.float64, requires_grad=True)
        path, losses, norms = [p.detach().clone()], [], []
        for _ in range(steps):
            p.grad = None
            loss = cliff_loss(p[0], p[1], height=height, sharpness=sharpness)
            loss.backward()
            losses.append(loss.item())
            norms.append(float(p.grad.norm()))
            if clip:
                torch.nn.utils.clip_grad_norm_([p], max_norm)
            with torch.no_grad():
                p -= lr * p.grad
            path.append(p.detach().clone())
        with torch.no_grad():
            losses.append(float(cliff_loss(p[0], p[1], height=height, sharpness=sharpness)))
        return torch.stack(path).numpy(), np.array(losses), np.array(norms)

    plain, loss_plain, norms = run(False)
    clipped, loss_clipped, _ = run(True)
    both = np.concatenate([plain, clipped])
    span = max(4.0, float(np.abs(both).max()) * 1.1)
    w = np.linspace(-span, span, grid)
    b = np.linspace(-span, span, grid)
    with torch.no_grad():
        ww, bb = torch.meshgrid(torch.from_numpy(w), torch.from_numpy(b), indexing="xy")
        surface = cliff_loss(ww, bb, height=height, sharpness=sharpness).numpy()
    return CliffDescent(
        w=w,
        b=b,
        surface=surface,
        path_plain=plain,
        path_clipped=clipped,
        loss_plain=loss_plain,
        loss_clipped=loss_clipped,
        grad_norms=norms,
        max_norm=max_norm,
        lr=lr,
    )
