"""Recurrent cells in loops, reused modules and unpooling: one row per call, MACs by torch."""

from __future__ import annotations

import pytest
import torch
from torch import nn

from tests.summary.real_forward import half_flops, leaf_calls
from vizkit.summary import summarize

pytestmark = pytest.mark.usefixtures("torch_one_thread")


class Stepper(nn.Module):
    """A recurrent cell stepped over the sequence ``(L, N, H_in)``, then a head."""

    def __init__(self, cell: nn.Module, hidden: int) -> None:
        super().__init__()
        self.cell = cell
        self.head = nn.Linear(hidden, 3)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        state = None
        for step in x:
            state = self.cell(step, state)
        h = state[0] if isinstance(state, tuple) else state
        return self.head(h)


@pytest.mark.parametrize(
    ("cell", "gates"),
    [
        (nn.LSTMCell(6, 5), 5),
        (nn.GRUCell(6, 5), 3),
        (nn.RNNCell(6, 5), 1),
        (nn.RNNCell(6, 5, nonlinearity="relu", bias=False), 1),
    ],
    ids=["lstm_cell", "gru_cell", "rnn_cell", "rnn_relu_cell_no_bias"],
)
def test_cells_count_their_macs_per_call(cell, gates):
    steps, batch = 4, 3
    model = Stepper(cell, 5).eval()
    x = torch.randn(steps, batch, 6)
    table = summarize(model, input_data=x)
    assert table.fallback_reason is None  # the cell's zero state is made on the meta device
    calls = table.calls_of("cell")
    assert len(calls) == steps and [r.call for r in calls] == list(range(steps))
    assert [(r.name, r.output_shape) for r in table.rows] == leaf_calls(model, x)
    per_step = batch * (cell.weight_ih.numel() + cell.weight_hh.numel())
    assert all(r.macs == per_step for r in calls)
    assert table.total_macs == half_flops(model, x) == steps * per_step + batch * 5 * 3
    assert all(r.other_ops.get("activation") == batch * 5 * gates for r in calls)
    assert calls[0].params == sum(p.numel() for p in cell.parameters())
    assert sum(r.params for r in calls[1:]) == 0
    assert table.total_params == sum(p.numel() for p in model.parameters())


def test_unbatched_cell_counts_one_sample():
    table = summarize(nn.GRUCell(6, 5), (6,), batch_dim=None)
    assert table.input_shape == (6,) and table.total_macs == 3 * 5 * 6 + 3 * 5 * 5


class PoolUnpool(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.conv = nn.Conv2d(3, 4, 3, padding=1)
        self.pool = nn.MaxPool2d(2, return_indices=True)
        self.unpool = nn.MaxUnpool2d(2)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        y, indices = self.pool(self.conv(x))
        return self.unpool(y, indices, output_size=x.shape[-2:])


def test_max_unpool2d_works_and_moves_data_only():
    model = PoolUnpool().eval()
    x = torch.randn(2, 3, 9, 9)
    table = summarize(model, (3, 9, 9), batch_size=2)
    assert [(r.name, r.output_shape) for r in table.rows] == leaf_calls(model, x)
    assert table.row("unpool").output_shape == (2, 4, 9, 9)
    assert table.row("unpool").macs == 0 and table.row("unpool").other_ops == {}
    assert table.row("pool").other_ops == {"pool": 2 * 4 * 4 * 4 * 4}
    assert table.total_macs == half_flops(model, x) == 2 * 4 * 9 * 9 * 27
    assert table.total_params == sum(p.numel() for p in model.parameters()) == 4 * 27 + 4
    # the pooling returns its values and their int64 indices: both are new memory
    assert table.row("pool").activation_bytes == 2 * 4 * 4 * 4 * (4 + 8)
    assert any("max_unpool2d" in n for n in table.notes)  # no receptive field through it


@pytest.mark.parametrize(
    ("layer", "shape", "window"),
    [
        (nn.MaxPool1d(3), (2, 4, 12), 3),
        (nn.AvgPool3d(2), (2, 4, 4, 4, 4), 8),
        (nn.LPPool1d(2, 3), (2, 4, 12), 3),
        (nn.MaxPool2d((2, 3)), (2, 4, 6, 6), 6),
    ],
)
def test_pooling_windows_of_every_dimension(layer, shape, window):
    table = summarize(layer, shape, batch_dim=None)
    out = layer(torch.randn(shape))
    assert table.other_ops == {"pool": out.numel() * window}


def test_a_reused_relu_has_a_row_per_call_with_that_calls_shape():
    class Shrink(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.act = nn.ReLU()
            self.a, self.b = nn.Conv2d(3, 8, 3), nn.Conv2d(8, 4, 3, stride=2)

        def forward(self, x: torch.Tensor) -> torch.Tensor:
            return self.act(self.b(self.act(self.a(self.act(x)))))

    model = Shrink()
    x = torch.randn(1, 3, 16, 16)
    table = summarize(model, (3, 16, 16))
    assert [(r.name, r.output_shape) for r in table.rows] == leaf_calls(model, x)
    act = table.calls_of("act")
    assert [r.output_shape for r in act] == [(1, 3, 16, 16), (1, 8, 14, 14), (1, 4, 6, 6)]
    assert [r.other_ops["activation"] for r in act] == [768, 1568, 144]
    assert [r.activation_bytes for r in act] == [768 * 4, 1568 * 4, 144 * 4]
    assert [r.receptive_field.int_size for r in act] == [(1, 1), (3, 3), (5, 5)]
    assert table.total_params == sum(p.numel() for p in model.parameters())
    assert act[0].params == 0 and table.row("a").params == 8 * 27 + 8
    assert table.total_macs == half_flops(model, x) == 8 * 14 * 14 * 27 + 4 * 6 * 6 * 72
    html = table._repr_html_()
    assert "act (call 1/3)" in html and "act (call 3/3)" in html
