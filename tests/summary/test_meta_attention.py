"""The attention stand-in gives the output and the saved bytes of a real CPU forward.

It answers ``F.multi_head_attention_forward`` for self-attention without weights or masks (what
ViT runs) and declines everything else, which torch then runs as before.
"""

from __future__ import annotations

import pytest
import torch
import torchvision
from torch import nn

from vizkit.summary import summarize
from vizkit.summary._meta.attention import ATTENTION

pytestmark = pytest.mark.usefixtures("torch_one_thread")

_STAND_IN = ATTENTION["multi_head_attention_forward"]


class SelfAttention(nn.Module):
    def __init__(self, batch_first: bool, bias: bool, need_weights: bool = False) -> None:
        super().__init__()
        self.attn = nn.MultiheadAttention(32, 4, batch_first=batch_first, bias=bias)
        self.need_weights = need_weights

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.attn(x, x, x, need_weights=self.need_weights)[0]


def _real_saved_bytes(model: nn.Module, x: torch.Tensor) -> int:
    params = {p.untyped_storage().data_ptr() for p in model.parameters()}
    saved: dict[int, int] = {}

    def pack(t: torch.Tensor) -> torch.Tensor:
        storage = t.untyped_storage()
        if storage.data_ptr() not in params:
            saved[storage.data_ptr()] = storage.nbytes()
        return t

    with torch.autograd.graph.saved_tensors_hooks(pack, lambda t: t):
        model(x)
    return sum(saved.values())


def _answered(model: nn.Module, x: torch.Tensor, mode: str = "eval") -> tuple[object, int]:
    calls = []

    def watched(args, kwargs, save):
        out = _STAND_IN(args, kwargs, save)
        calls.append(out is not None)
        return out

    with pytest.MonkeyPatch.context() as patch:
        patch.setitem(ATTENTION, "multi_head_attention_forward", watched)
        import vizkit.summary._meta.shortcuts as shortcuts

        patch.setitem(shortcuts.SHORTCUTS, "multi_head_attention_forward", watched)
        table = summarize(model, input_data=x, mode=mode)
    return table, sum(calls)


@pytest.mark.parametrize("batch_first", [True, False])
@pytest.mark.parametrize("bias", [True, False])
@pytest.mark.parametrize("mode", ["eval", "train"])
def test_self_attention_saves_what_a_real_forward_saves(batch_first, bias, mode):
    torch.manual_seed(0)
    model = SelfAttention(batch_first, bias).train(mode == "train")
    x = torch.randn(2, 10, 32) if batch_first else torch.randn(10, 2, 32)
    table, answered = _answered(model, x, mode)
    assert answered == 1
    assert table.training_saved_bytes == _real_saved_bytes(model, x) == 13_120
    with torch.no_grad():
        assert table.row("attn").output_shape == tuple(model(x).shape)


@pytest.mark.parametrize(
    "build",
    [
        lambda: SelfAttention(True, True, need_weights=True),  # weights: another path
        lambda: nn.Sequential(nn.TransformerEncoderLayer(32, 4, 64, dropout=0.1)),  # dropout
    ],
    ids=["need_weights", "dropout_in_training"],
)
def test_other_attention_is_left_to_torch(build):
    torch.manual_seed(0)
    model = build().train()
    x = torch.randn(10, 2, 32)
    table, answered = _answered(model, x, "train")
    assert answered == 0
    with torch.no_grad():
        assert table.outputs[0].shape == tuple(model.eval()(x).shape)


def test_vit_runs_every_attention_through_the_stand_in():
    model = torchvision.models.VisionTransformer(
        image_size=32, patch_size=8, num_layers=3, num_heads=2, hidden_dim=32, mlp_dim=64
    )
    table, answered = _answered(model, torch.randn(1, 3, 32, 32))
    assert answered == 3 and table.fallback_reason is None
