"""Own rows: what a module with children holds or runs itself, so the rows add up to the model."""

from __future__ import annotations

import warnings

import pytest
import torch
import torchvision
from torch import nn
from torch.utils.flop_counter import FlopCounterMode

from vizkit.summary import summarize


def _meta(name: str) -> nn.Module:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)
        with torch.device("meta"):
            return torchvision.models.get_model(name)


def _half_flops(model: nn.Module, shape: tuple[int, ...]) -> float:  # model on meta
    with FlopCounterMode(display=False) as counter, torch.no_grad():
        model(torch.empty(shape, device="meta"))
    return counter.get_total_flops() / 2


class _Attention(nn.Module):
    def __init__(self, e: int = 8, heads: int = 2) -> None:
        super().__init__()
        self.attn = nn.MultiheadAttention(e, heads, batch_first=True)
        self.head = nn.Linear(e, 3)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.head(self.attn(x, x, x, need_weights=False)[0])


def test_multihead_attention_owns_its_input_projection():
    e, length = 8, 5
    model = _Attention(e)
    table = summarize(model, (length, e), batch_size=2)
    own = table.row("attn")
    assert own.own and own.type == "MultiheadAttention" and own.label == "attn (own)"
    assert (own.weight_params, own.bias_params) == (3 * e * e, 3 * e)  # in_proj weight, bias
    assert own.params == model.attn.in_proj_weight.numel() + model.attn.in_proj_bias.numel()
    # F.multi_head_attention_forward uses out_proj's weights without calling the module
    out_proj = table.row("attn.out_proj")
    assert out_proj.params == e * e + e and out_proj.output_shape is None and out_proj.macs == 0
    assert own.output_shape == (2, length, e)
    assert sum(r.params for r in table.all_rows) == sum(p.numel() for p in model.parameters())
    assert own.macs + table.row("head").macs == table.total_macs
    # q, k, v and output projections, then scores and weighted sum (FlopCounterMode is no
    # reference on CPU: it misses the fused fast path in eval and the attention in train)
    n = 2
    assert own.macs == 4 * n * length * e * e + 2 * n * length * length * e
    assert table.total_macs == own.macs + n * length * e * 3
    # the attention output is a new tensor the block itself returns: its own row has it
    assert own.activations == n * length * e and own.activation_bytes == 4 * n * length * e


def test_vit_b_16_rows_account_for_class_token_position_embedding_and_attention():
    model = _meta("vit_b_16")
    table = summarize(model, (3, 224, 224))
    assert table.row("").params == model.class_token.numel() == 768
    assert table.row("").label == "model (own)"
    assert table.row("encoder").params == model.encoder.pos_embedding.numel() == 197 * 768
    attention = [r for r in table.all_rows if r.type == "MultiheadAttention"]
    assert len(attention) == 12 and all(r.own for r in attention)
    assert all(r.params == 3 * 768 * 768 + 3 * 768 for r in attention)
    assert sum(r.params for r in table.all_rows) == sum(p.numel() for p in model.parameters())
    assert sum(r.params for r in table.all_rows) == 86_567_656
    assert sum(r.macs for r in table.all_rows) == table.total_macs
    reference = _half_flops(model.eval(), (1, 3, 224, 224))
    assert table.total_macs == pytest.approx(reference, rel=1e-3)
    assert round(table.total_macs / 1e9, 1) == 17.6


def test_convnext_layer_scale_is_in_its_blocks_row():
    model = _meta("convnext_tiny")
    table = summarize(model, (3, 64, 64))
    block = table.row("features.1.0")
    assert block.own and block.type == "CNBlock"
    assert block.params == model.features[1][0].layer_scale.numel() == 96
    assert block.other_ops == {"residual add": 96 * 16 * 16}
    assert sum(r.params for r in table.all_rows) == sum(p.numel() for p in model.parameters())


def test_plain_containers_get_no_row():
    # VGG: Sequential stages and a root that only flattens, so one row per leaf, as before
    model = _meta("vgg11")
    table = summarize(model, (3, 64, 64))
    leaves = [n for n, m in model.named_modules() if next(m.children(), None) is None]
    assert [r.name for r in table.all_rows] == leaves and not any(r.own for r in table.all_rows)


def test_ops_run_in_a_containers_forward_go_to_its_own_row():
    class Block(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.conv = nn.Conv2d(4, 4, 3, padding=1, bias=False)
            self.scale = nn.Parameter(torch.ones(4, 1, 1))

        def forward(self, x: torch.Tensor) -> torch.Tensor:
            y = torch.relu(self.conv(x) * self.scale + x)
            return nn.functional.conv2d(y, self.conv.weight, padding=1)  # the conv reused

    table = summarize(nn.Sequential(Block(), nn.Flatten()), (4, 8, 8))
    n = 4 * 8 * 8
    assert [r.label for r in table.all_rows] == ["0.conv", "0 (own)", "1"]
    own = table.row("0")
    assert own.params == own.weight_params == 4
    assert own.macs == n * 4 * 9 == table.row("0.conv").macs
    assert own.other_ops == {"residual add": n, "activation": n}
    assert own.output_shape == (1, 4, 8, 8) and own.receptive_field.int_size == (5, 5)
    assert sum(r.macs for r in table.all_rows) == table.total_macs == 2 * n * 4 * 9


def test_a_module_that_did_not_run_keeps_its_own_parameters():
    class Head(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.fc = nn.Linear(4, 2)
            self.temperature = nn.Parameter(torch.ones(1))

        def forward(self, x: torch.Tensor) -> torch.Tensor:
            return self.fc(x) / self.temperature

    class Net(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.body = nn.Linear(3, 4)
            self.aux = Head()

        def forward(self, x: torch.Tensor) -> torch.Tensor:
            y = self.body(x)
            return y + self.aux(y).sum() if self.training else y

    table = summarize(Net(), (3,))
    assert [r.label for r in table.all_rows] == ["body", "aux.fc", "aux (own)"]
    assert table.row("aux").output_shape is None and table.row("aux").params == 1
    assert sum(r.params for r in table.all_rows) == table.total_params == 3 * 4 + 4 + 4 * 2 + 2 + 1


def test_a_parameter_shared_by_a_leaf_and_a_block_counts_once():
    class Tied(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.embed = nn.Linear(6, 6, bias=False)
            self.weight = self.embed.weight  # registered on both modules

        def forward(self, x: torch.Tensor) -> torch.Tensor:
            return self.embed(x) @ self.weight

    model = Tied()
    table = summarize(model, (6,))
    assert table.total_params == 36 == sum(r.params for r in table.all_rows)
    assert table.row("embed").params == 36 and table.row("").params == 0
    assert table.row("").macs == 36  # the matmul in Tied.forward


def test_html_and_records_mark_own_rows():
    table = summarize(_meta("resnet18"), (3, 64, 64))
    html = table._repr_html_()
    assert "layer1.0 (own)" in html and 'class="vk-own"' in html and "rows marked (own)" in html
    records = {r["label"]: r for r in table.records()}
    assert records["layer1.0 (own)"]["own"] and records["layer1.0 (own)"]["name"] == "layer1.0"
    assert not records["layer1.0.conv1"]["own"]
    assert table.activation_bytes == table.input_bytes + sum(
        r.activation_bytes for r in table.all_rows if not r.own and not r.inplace
    )
