"""The model recipes drop the batch dimension where the layer table says it is
(``LayerTable.batch_dim``), not blindly the first one."""

from __future__ import annotations

import pytest
import torch

from vizkit.lectures.models import Bench, zoo_last_shape, zoo_shape
from vizkit.summary import LayerTable, summarize


class _BenchWithBatchDim(Bench):
    """A bench whose tables are summarised with a given ``batch_dim``."""

    def __init__(self, batch_dim: int | None) -> None:
        super().__init__()
        self.batch_dim = batch_dim

    def table(self, key: str, input: tuple[int, ...] | None = None) -> LayerTable:
        return summarize(self.model(key), (64, 8, 8), batch_dim=self.batch_dim)


@pytest.mark.parametrize("batch_dim", [0, None])
def test_shapes_drop_the_batch_only_where_there_is_one(batch_dim: int | None) -> None:
    bench = _BenchWithBatchDim(batch_dim)
    assert bench.table("stack3x3").batch_dim == batch_dim
    with torch.device("meta"):
        out = bench.model("stack3x3")(torch.empty(1, 64, 8, 8))
    c, h, w = out.shape[1:]  # torch's forward, batch first
    assert zoo_shape(bench, model="stack3x3").value == (8, 8, 64)
    assert zoo_shape(bench, model="stack3x3", layer="4").value == (h, w, c)
    assert zoo_last_shape(bench, model="stack3x3").value == (h, w, c)
