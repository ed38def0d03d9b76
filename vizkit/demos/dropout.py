"""Dropout vs Dropout2d on feature maps: which entries get zeroed.

``nn.Dropout`` zeroes single cells independently; neighbouring cells of a feature map are
strongly correlated, so the dropped value is largely recoverable from its neighbours.
``nn.Dropout2d`` (spatial dropout, Tompson et al. 2015) zeroes whole channels of a sample
instead. :func:`dropout_masks` applies both, in training mode, to a tensor of ones and returns
the masks as numpy arrays for :func:`vizkit.render.regularization.dropout_masks_figure`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch
from torch import nn

__all__ = ["DropoutMasks", "dropout_masks"]


@dataclass(frozen=True)
class DropoutMasks:
    """Multipliers each dropout applied, per element.

    Attributes:
        p: Drop probability.
        dropout: ``(N, C, H, W)`` multipliers of ``nn.Dropout(p)``: 0 (dropped) or
            ``1/(1−p)`` (kept and scaled so the expected value is unchanged).
        dropout2d: The same for ``nn.Dropout2d(p)``: constant over each ``(n, c)`` map.
    """

    p: float
    dropout: np.ndarray
    dropout2d: np.ndarray

    @property
    def dropped_fraction(self) -> tuple[float, float]:
        """Share of zeroed entries for ``(dropout, dropout2d)``; both near ``p`` on average."""
        return float(np.mean(self.dropout == 0)), float(np.mean(self.dropout2d == 0))


@torch.no_grad()
def dropout_masks(
    shape: tuple[int, int, int, int], *, p: float = 0.5, seed: int = 0
) -> DropoutMasks:
    """Apply ``nn.Dropout`` and ``nn.Dropout2d`` in training mode to ones of ``shape``.

    Args:
        shape: ``(N, C, H, W)`` of the feature maps.
        p: Drop probability in ``[0, 1)``.
        seed: Seeds the masks (torch's global generator is left as it was).

    Returns:
        A :class:`DropoutMasks`.

    Raises:
        ValueError: ``shape`` is not four positive sizes, or ``p`` outside ``[0, 1)``.
    """
    if len(shape) != 4 or any(int(s) < 1 for s in shape):
        raise ValueError(f"shape {tuple(shape)} must be four positive sizes (N, C, H, W)")
    if not 0.0 <= p < 1.0:
        raise ValueError(f"p {p} must lie in [0, 1): it is the probability of dropping")
    ones = torch.ones(tuple(int(s) for s in shape))
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        a = nn.Dropout(p).train()(ones)
        b = nn.Dropout2d(p).train()(ones)
    return DropoutMasks(p=p, dropout=a.numpy(), dropout2d=b.numpy())
