"""``LayerTable.unbatched`` drops the dimension the batch is in, as torch's forward has it."""

from __future__ import annotations

import pytest
import torch
from torch import nn

from vizkit.summary import summarize


@pytest.mark.parametrize(
    ("model", "size", "kwargs"),
    [
        (nn.Conv2d(3, 4, 3), (3, 8, 8), {"batch_size": 2}),  # batch first
        (nn.LSTM(5, 7), (9, 5), {"batch_size": 2}),  # batch_first=False: "auto" puts it at 1
        (nn.Conv2d(3, 4, 3), (3, 8, 8), {"batch_dim": None}),  # no batch dimension
    ],
)
def test_unbatched_matches_a_forward_without_the_batch(
    model: nn.Module, size: tuple[int, ...], kwargs: dict[str, object]
) -> None:
    table = summarize(model, size, **kwargs)  # type: ignore[arg-type]
    x = torch.zeros(size)
    out = model(x)
    out = out[0] if isinstance(out, tuple) else out  # nn.LSTM: output, (h, c)
    assert table.unbatched(table.input_shape) == size  # type: ignore[arg-type]
    assert table.unbatched(table.rows[0].output_shape) == tuple(out.shape)  # type: ignore[arg-type]
