"""Dropout vs Dropout2d on feature maps: which entries get zeroed.

``nn.Dropout`` zeroes single cells independently; neighbouring cells of a feature map are
strongly correlated, so the dropped value is largely recoverable from its neighbours.
``nn.Dropout2d`` (spatial dropout, Tompson et al. 2015) zeroes whole channels of a sample
instead. :func:`dropout_masks` applies both, in training mode, to a tensor of ones and returns
the masks as numpy arrays for :func:`vizkit.render.regularization.dropout_masks_figure`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import torch
from torch import nn

from vizkit._validate import check_dims, check_memory, check_number, check_seed

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
        TypeError: an argument of the wrong kind.
        ValueError: ``shape`` is not four positive sizes (or is above the memory budget),
            ``p`` outside ``[0, 1)``, or a negative seed.
    """
    dims = check_dims("shape", shape, 4, layout="(N, C, H, W)")
    check_memory(
        math.prod(dims) * 4 * 4,
        name="shape",
        value=dims,
        what="two masks of that shape",
        fix="use a small shape such as (2, 4, 6, 6): it is a picture of the masks",
    )
    p = check_number(
        "p", p, minimum=0.0, below=1.0, fix="it is the probability of dropping, in [0, 1)"
    )
    seed = check_seed(seed)
    ones = torch.ones(dims)
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        a = nn.Dropout(p).train()(ones)
        b = nn.Dropout2d(p).train()(ones)
    return DropoutMasks(p=p, dropout=a.numpy(), dropout2d=b.numpy())
