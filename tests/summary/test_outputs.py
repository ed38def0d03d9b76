"""The table states the model's output: tensors, tuples, dicts, namedtuples, distributions, none."""

from __future__ import annotations

from collections import namedtuple

import pytest
import torch
import torchvision
from torch import nn

from tests.summary.real_forward import half_flops, leaf_calls, output_shapes
from vizkit.summary import summarize

pytestmark = pytest.mark.usefixtures("torch_one_thread")

Heads = namedtuple("Heads", "logits box")


class Returns(nn.Module):
    """One linear layer, then whatever ``kind`` says to return."""

    def __init__(self, kind: str) -> None:
        super().__init__()
        self.kind = kind
        self.fc = nn.Linear(4, 6)

    def forward(self, x: torch.Tensor) -> object:
        y = self.fc(x)
        if self.kind == "tuple":
            return y, y.argmax(-1)
        if self.kind == "dict":
            return {"out": y, "aux": [y[:, :2]]}
        if self.kind == "namedtuple":
            return Heads(y[:, :4], y[:, 4:])
        if self.kind == "normal":
            return torch.distributions.Normal(y[:, :3], nn.functional.softplus(y[:, 3:]))
        if self.kind == "categorical":
            return torch.distributions.Categorical(logits=y)
        return None


@pytest.mark.parametrize(
    ("kind", "text"),
    [
        ("tuple", "tuple: output[0] 2×6 float32, output[1] 2 int64"),
        ("dict", "dict: output['out'] 2×6 float32, output['aux'][0] 2×2 float32"),
        ("namedtuple", "Heads: output.logits 2×4 float32, output.box 2×2 float32"),
        ("normal", "Normal: output.loc 2×3 float32, output.scale 2×3 float32"),
        ("categorical", "Categorical: output.logits 2×6 float32"),
        ("none", "none"),
    ],
)
def test_the_output_is_stated(kind, text):
    model = Returns(kind)
    x = torch.randn(2, 4)
    table = summarize(model, input_data=x)
    assert table.output_text == text
    assert table.fallback_reason is None  # distributions skip their value checks on meta
    with torch.no_grad():
        assert [o.shape for o in table.outputs] == output_shapes(model(x))
    assert [(r.name, r.output_shape) for r in table.rows] == leaf_calls(model, x)
    assert table.total_params == sum(p.numel() for p in model.parameters())
    assert table.total_macs == half_flops(model, x) == 2 * 6 * 4
    assert text.split(":")[0] in table._repr_html_()


def test_segmentation_model_returns_a_dict():
    model = torchvision.models.segmentation.lraspp_mobilenet_v3_large(
        weights=None, weights_backbone=None, num_classes=3
    ).eval()
    table = summarize(model, (3, 64, 64))
    assert table.output_type == "OrderedDict"
    assert [(o.path, o.shape) for o in table.outputs] == [("output['out']", (1, 3, 64, 64))]
    with torch.no_grad():
        assert [o.shape for o in table.outputs] == output_shapes(model(torch.randn(1, 3, 64, 64)))
