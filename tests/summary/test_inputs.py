"""Every way of giving summarize the input, each checked against a real forward on CPU.

For each: the per-call output shapes of the leaf modules (in the order forward hooks fire),
the parameter count, the MACs against ``torch.utils.flop_counter`` (which counts the
convolutions and matrix products these models have) and the model's output.
"""

from __future__ import annotations

import warnings

import pytest
import torch
from torch import nn

from tests.summary.real_forward import half_flops, leaf_calls, output_shapes
from vizkit.summary import LayerTable, summarize

pytestmark = pytest.mark.usefixtures("torch_one_thread")


class TwoInputs(nn.Module):
    """An image and token ids, plus a non-tensor scale and a string choice."""

    def __init__(self) -> None:
        super().__init__()
        self.conv = nn.Conv2d(3, 4, 3)
        self.emb = nn.Embedding(10, 4)
        self.head = nn.Linear(4, 2)

    def forward(
        self, x: torch.Tensor, ids: torch.Tensor, scale: float = 1.0, reduce: str = "sum"
    ) -> torch.Tensor:
        tokens = self.emb(ids)
        tokens = tokens.sum(1) if reduce == "sum" else tokens.mean(1)
        return self.head(self.conv(x).mean((2, 3)) * scale + tokens)


def _agrees(table: LayerTable, model: nn.Module, *args: object, **kwargs: object) -> None:
    """The table against a real forward of ``model(*args, **kwargs)`` (real tensors)."""
    model.eval()
    ran = [(r.name, r.output_shape) for r in table.rows if r.output_shape is not None]
    assert ran == leaf_calls(model, *args, **kwargs)
    assert table.total_params == sum(p.numel() for p in model.parameters())
    assert sum(r.params for r in table.all_rows) == table.total_params
    assert table.total_macs == half_flops(model, *args, **kwargs)
    with torch.no_grad():
        out = model(*args, **kwargs)
    assert [o.shape for o in table.outputs] == output_shapes(out)


def test_a_tensor_as_input_data():
    model = nn.Sequential(nn.Conv2d(3, 8, 3), nn.ReLU(), nn.Flatten(), nn.Linear(8 * 6 * 6, 5))
    x = torch.randn(2, 3, 8, 8)
    table = summarize(model, input_data=x)
    _agrees(table, model, x)
    assert table.input_shape == (2, 3, 8, 8) and [str(t) for t in table.inputs] == [
        "input 2×3×8×8 float32"
    ]
    assert table.output_text == "Tensor 2×5 float32"
    assert table.total_macs == summarize(model, (3, 8, 8), batch_size=2).total_macs


def test_a_tuple_of_tensors_and_plain_values():
    model = TwoInputs()
    x, ids = torch.randn(2, 3, 8, 8), torch.randint(0, 10, (2, 5))
    table = summarize(model, input_data=(x, ids, 2.0, "mean"))
    _agrees(table, model, x, ids, 2.0, "mean")
    assert [(t.path, t.shape, t.dtype) for t in table.inputs] == [
        ("input[0]", (2, 3, 8, 8), "float32"),
        ("input[1]", (2, 5), "int64"),
    ]
    assert table.row("emb").output_shape == (2, 5, 4)
    assert table.input_bytes == x.numel() * 4 + ids.numel() * 8
    assert [n.name for n in table.nodes if n.kind == "input"] == ["input[0]", "input[1]"]


def test_a_dict_and_keyword_arguments():
    model = TwoInputs()
    x, ids = torch.randn(2, 3, 8, 8), torch.randint(0, 10, (2, 5))
    table = summarize(model, input_data={"x": x, "ids": ids}, scale=3.0)
    _agrees(table, model, x=x, ids=ids, scale=3.0)
    assert [t.path for t in table.inputs] == ["x", "ids"]
    same = summarize(model, input_data=x, ids=ids, reduce="mean")  # kwargs beside a tensor
    _agrees(same, model, x, ids=ids, reduce="mean")


def test_several_input_sizes_with_dtypes():
    model = TwoInputs()
    table = summarize(model, [(3, 8, 8), (5,)], batch_size=3, dtypes=[torch.float, torch.long])
    _agrees(table, model, torch.randn(3, 3, 8, 8), torch.zeros(3, 5, dtype=torch.long))
    assert [t.dtype for t in table.inputs] == ["float32", "int64"]


def test_token_ids_for_an_embedding_model():
    model = nn.Sequential(
        nn.Embedding(100, 16), nn.LSTM(16, 8, batch_first=True), _First(), nn.Linear(8, 3)
    )
    table = summarize(model, (12,), batch_size=2, dtypes=[torch.long])
    ids = torch.randint(0, 100, (2, 12))
    with torch.backends.mkldnn.flags(enabled=False):  # oneDNN's fused LSTM hides from the counter
        _agrees(table, model, ids)
    assert table.row("0").output_shape == (2, 12, 16) and table.inputs[0].dtype == "int64"
    assert table.fallback_reason is None  # long ids run on the meta device, no real forward
    assert table.notes == ()  # batch_first=True: the batch stays at dim 0
    # float "ids" fail as they would on a real forward, and say how to fix it
    with pytest.raises(TypeError) as info:
        summarize(model, (12,))
    assert "in a Embedding layer '0'" in str(info.value)
    assert "pass dtypes=[torch.long] with input_size" in str(info.value)


class _First(nn.Module):
    """``nn.LSTM`` returns ``(output, (h, c))``: keep the output."""

    def forward(self, out: tuple) -> torch.Tensor:
        return out[0]


def test_no_batch_dimension():
    model = nn.Sequential(nn.Conv2d(3, 4, 3), nn.ReLU())  # torch convolutions take (C, H, W)
    table = summarize(model, (3, 8, 8), batch_dim=None)
    _agrees(table, model, torch.randn(3, 8, 8))
    assert table.input_shape == (3, 8, 8) and table.row("0").output_shape == (4, 6, 6)
    assert table.batch_dim is None  # recorded: the shapes have no batch dimension to drop
    assert table.total_macs == 4 * 6 * 6 * 27
    with pytest.raises(ValueError, match="batch_size 2 with batch_dim=None"):
        summarize(model, (3, 8, 8), batch_dim=None, batch_size=2)


def test_batch_dim_places_the_batch():
    model = nn.Linear(4, 2)
    table = summarize(model, (5, 4), batch_dim=1, batch_size=3)
    assert table.input_shape == (5, 3, 4) and table.batch_dim == 1
    assert summarize(model, (5, 4)).batch_dim == 0
    assert summarize(model, input_data=torch.zeros(2, 4)).batch_dim == 0  # given batch first
    with pytest.raises(ValueError, match=r"batch_dim 3 is outside 0…2 for input_size \(5, 4\)"):
        summarize(model, (5, 4), batch_dim=3)


def test_batch_first_false_puts_the_batch_second():
    lstm = nn.LSTM(8, 6, num_layers=2)  # reads (L, N, H_in)
    table = summarize(lstm, (5, 8), batch_size=3)
    assert table.input_shape == (5, 3, 8) and table.batch_dim == 1
    assert table.notes[0].startswith("batch dimension placed at dim 1: the model (LSTM) reads")
    x = torch.randn(5, 3, 8)
    with torch.backends.mkldnn.flags(enabled=False):  # oneDNN's fused LSTM hides from the counter
        _agrees(table, lstm, x)
    assert table.output_text == (
        "tuple: output[0] 5×3×6 float32, output[1][0] 2×3×6 float32, output[1][1] 2×3×6 float32"
    )
    first = summarize(lstm, (5, 8), batch_size=3, batch_dim=0)
    assert first.input_shape == (3, 5, 8) and first.batch_dim == 0
    encoder = nn.TransformerEncoder(
        nn.TransformerEncoderLayer(8, 2, 16), 1, enable_nested_tensor=False
    )
    assert summarize(encoder, (5, 8), batch_size=3).input_shape == (5, 3, 8)


def test_no_input_gives_a_parameters_only_table():
    model = TwoInputs()
    table = summarize(model)
    assert [r.name for r in table.all_rows] == ["conv", "emb", "head"]
    assert all(r.output_shape is None and r.macs == 0 for r in table.all_rows)
    assert table.input_shape is None and table.batch_dim is None
    assert table.total_params == sum(p.numel() for p in model.parameters()) == 4 * 27 + 4 + 40 + 10
    assert table.total_macs == table.activation_bytes == table.inference_peak_bytes == 0
    assert table.input_shape is None and table.inputs == () and table.outputs == ()
    assert table.output_text == "not run (no input given)"
    html = table._repr_html_()
    assert "parameters only" in html and "did not run" not in html
    with pytest.raises(ValueError, match="dtypes given without input_size"):
        summarize(model, dtypes=[torch.long])


def test_a_forward_without_arguments_runs_with_empty_input_data():
    class Prior(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.z = nn.Parameter(torch.randn(1, 4))
            self.fc = nn.Linear(4, 6)

        def forward(self) -> torch.Tensor:
            return self.fc(self.z)

    table = summarize(Prior(), input_data=())
    assert table.inputs == () and table.row("fc").output_shape == (1, 6)
    assert table.total_macs == 24 and table.output_text == "Tensor 1×6 float32"


@pytest.mark.parametrize("how", ["script", "trace"])
def test_scripted_models_get_parameters_or_one_clear_sentence(how):
    model = nn.Sequential(nn.Conv2d(3, 4, 3), nn.ReLU(), nn.Flatten(), nn.Linear(4 * 36, 2))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # torch.jit is deprecated; tracing warns too
        if how == "script":
            scripted = torch.jit.script(model)
        else:
            scripted = torch.jit.trace(model, torch.randn(1, 3, 8, 8))
    table = summarize(scripted)  # no input: its modules and parameters, as the Python model's
    real = [
        (n, type(m).__name__, sum(p.numel() for p in m.parameters()))
        for n, m in model.named_children()
    ]
    assert [(r.name, r.type, r.params) for r in table.rows] == real
    assert table.total_params == sum(p.numel() for p in model.parameters())
    assert table.param_bytes == summarize(model).param_bytes
    with pytest.raises(TypeError) as info:
        summarize(scripted, (3, 8, 8))
    assert str(info.value) == (
        "model is a TorchScript module (torch.jit.script / trace / load): its layers run inside "
        "TorchScript, where summarize cannot follow them with hooks or on the meta device; pass "
        "the Python nn.Module you scripted instead, or no input for a parameters-only table "
        "(summarize(model))"
    )


@pytest.mark.parametrize(
    ("kwargs", "error", "text"),
    [
        (
            {"input_size": (3,), "input_data": torch.zeros(1, 3)},
            ValueError,
            "give input_size or input_data, not both",
        ),
        (
            {"input_data": torch.zeros(1, 3), "dtypes": [torch.long]},
            ValueError,
            "dtypes is for input_size; input_data keeps its tensors' dtypes",
        ),
        (
            {"input_data": torch.zeros(1, 3), "batch_size": 4},
            ValueError,
            "batch_size and batch_dim are for input_size",
        ),
        ({"input_data": "x"}, TypeError, "input_data must be a tensor, a tuple or list"),
        (
            {"input_size": (3,), "dtypes": "long"},
            TypeError,
            "dtypes must be a list of torch dtypes",
        ),
        (
            {"input_size": [(3,), (3,)], "dtypes": [torch.float] * 3},
            ValueError,
            "dtypes has 3 entries for 2 input sizes",
        ),
        ({"input_size": (3,), "batch_dim": "last"}, TypeError, "batch_dim must be an int, None"),
    ],
)
def test_contradicting_or_wrong_input_arguments(kwargs, error, text):
    with pytest.raises(error) as info:
        summarize(nn.Linear(3, 2), **kwargs)
    assert text in str(info.value)


def test_inputs_are_not_touched():
    model = nn.Sequential(nn.Conv2d(3, 4, 3), nn.ReLU(inplace=True))
    x = torch.randn(1, 3, 8, 8)
    before = x.clone()
    summarize(model, input_data=x)
    assert torch.equal(x, before) and x.device.type == "cpu"
