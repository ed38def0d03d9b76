"""Recording a plain leaf module without running its forward changes nothing in the table.

:mod:`vizkit.summary.leaf_calls` knows which torch function each common leaf module's
``forward`` calls and with which arguments; the recorder then skips the forward. Here every
table is compared with the one made the full way (the shortcut switched off), for real models
in both modes and for every registered type in plain and unusual configurations.
"""

from __future__ import annotations

import pytest
import torch
import torchvision
from torch import nn

import vizkit.summary.record as record
from vizkit.summary import summarize
from vizkit.summary.leaf_calls import LEAF_CALLS

pytestmark = pytest.mark.usefixtures("torch_one_thread")


def _both_ways(model: nn.Module, size: tuple[int, ...], **kwargs: object) -> tuple[str, str]:
    fast = summarize(model, size, **kwargs)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(record._Recorder, "leaf_call", lambda self, name, module: None)
        full = summarize(model, size, **kwargs)
    return repr(fast), repr(full)


class EveryLeaf(nn.Module):
    """Each registered type, some in configurations the shortcut leaves to the full path."""

    def __init__(self) -> None:
        super().__init__()
        self.conv = nn.Conv2d(3, 8, 3, padding=1)
        self.reflect = nn.Conv2d(8, 8, 3, padding=1, padding_mode="reflect")
        self.same = nn.Conv2d(8, 8, 3, padding="same", bias=False)
        self.bn = nn.BatchNorm2d(8)
        self.relu = nn.ReLU(inplace=True)
        self.silu, self.hswish, self.hsig = nn.SiLU(), nn.Hardswish(inplace=True), nn.Hardsigmoid()
        self.sigmoid, self.tanh, self.gelu = nn.Sigmoid(), nn.Tanh(), nn.GELU("tanh")
        self.pool = nn.MaxPool2d(3, 2, 1, ceil_mode=True)
        self.indices = nn.MaxPool2d(2, return_indices=True)
        self.avg = nn.AdaptiveAvgPool2d((2, None))
        self.drop, self.keep = nn.Dropout(0.3), nn.Identity()
        self.flat = nn.Flatten()
        self.norm = nn.LayerNorm(64)
        self.bn1 = nn.BatchNorm1d(64)
        self.fc = nn.Linear(64, 4)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.relu(self.bn(self.same(self.reflect(self.conv(x)))))
        x = self.gelu(self.tanh(self.sigmoid(self.hsig(self.hswish(self.silu(x))))))
        x, _ = self.indices(self.pool(x))
        x = self.flat(self.keep(self.drop(self.avg(x))))
        return self.fc(self.bn1(self.norm(x)))


def test_every_registered_type_is_exercised():
    assert set(LEAF_CALLS) <= {type(m) for m in EveryLeaf().modules()}


@pytest.mark.parametrize("mode", ["eval", "train"])
def test_every_leaf_type_gives_the_same_table(mode):
    fast, full = _both_ways(EveryLeaf(), (3, 16, 16), batch_size=2, mode=mode)
    assert fast == full


@pytest.mark.parametrize(
    ("build", "size"),
    [
        (torchvision.models.resnet18, (3, 64, 64)),
        (torchvision.models.mobilenet_v3_small, (3, 64, 64)),
        (lambda: torchvision.models.VisionTransformer(32, 8, 2, 2, 32, 64), (3, 32, 32)),
        (lambda: torchvision.models.googlenet(init_weights=False), (3, 64, 64)),
    ],
    ids=["resnet18", "mobilenet_v3_small", "tiny_vit", "googlenet"],
)
@pytest.mark.parametrize("mode", ["eval", "train"])
def test_real_models_give_the_same_table(build, size, mode):
    with torch.device("meta"):
        model = build()
    fast, full = _both_ways(model, size, mode=mode)
    assert fast == full


def test_a_dtype_mismatch_still_names_the_layer():
    model = nn.Sequential(nn.Identity(), nn.Linear(4, 2))
    with pytest.raises(TypeError, match="in a Linear layer '1'"):
        summarize(model, (4,), dtypes=[torch.long])
