"""``activation_bytes`` is what forward hooks on every module of a real forward see.

The definition (``LayerTable.activation_bytes``): the input tensors' bytes plus, for every
module call, the bytes of the tensors it returns whose storage is new (not an input's, a
parameter's or an earlier call's), each storage once. Here a real forward on CPU with hooks on
every module counts exactly that, call by call, and the table must agree in total and row by
row; and the relation to torchinfo's "Forward/backward pass size" is checked.
"""

from __future__ import annotations

import warnings

import pytest
import torch
import torchvision
from torch import nn

from tests.summary.real_forward import hook_bytes
from vizkit.summary import summarize

pytestmark = pytest.mark.usefixtures("torch_one_thread")


class ConvSixTimes(nn.Module):
    """One convolution called six times (the issue's example)."""

    def __init__(self) -> None:
        super().__init__()
        self.conv = nn.Conv2d(64, 64, 3, padding=1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        for _ in range(6):
            x = self.conv(x)
        return x


class Recurrent(nn.Module):
    """An LSTM cell stepped in a loop, its state returned as a tuple."""

    def __init__(self) -> None:
        super().__init__()
        self.cell = nn.LSTMCell(6, 5)
        self.out = nn.Linear(5, 2)

    def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        h = c = torch.zeros(x.shape[1], 5)
        for step in x:
            h, c = self.cell(step, (h, c))
        return self.out(h), c


def _tiny_vit() -> nn.Module:
    return torchvision.models.VisionTransformer(
        image_size=32, patch_size=8, num_layers=2, num_heads=2, hidden_dim=32, mlp_dim=64
    )


def _googlenet() -> nn.Module:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)
        return torchvision.models.googlenet(init_weights=False, aux_logits=False)


@pytest.mark.parametrize(
    ("build", "shape"),
    [
        (ConvSixTimes, (1, 64, 28, 28)),
        (lambda: torchvision.models.resnet18(num_classes=10), (2, 3, 32, 32)),
        (_googlenet, (1, 3, 64, 64)),
        (torchvision.models.mobilenet_v3_small, (1, 3, 48, 48)),
        (_tiny_vit, (1, 3, 32, 32)),
        (Recurrent, (4, 3, 6)),
        (lambda: nn.Sequential(nn.LSTM(6, 5, batch_first=True)), (3, 4, 6)),
    ],
    ids=[
        "conv_six_times",
        "resnet18",
        "googlenet",
        "mobilenet_v3_small",
        "tiny_vit",
        "cell",
        "lstm",
    ],
)
def test_activation_bytes_equal_what_hooks_count_on_a_real_forward(build, shape):
    torch.manual_seed(0)
    model = build().eval()
    x = torch.randn(shape)
    total, calls = hook_bytes(model, x)
    table = summarize(model, input_data=x)
    assert table.activation_bytes == total
    assert table.activation_bytes == table.input_bytes + sum(
        r.activation_bytes for r in table.all_rows
    )
    # row by row: each call's new bytes in the row of that call (calls adding nothing and
    # plain containers have no row or a zero)
    assert [(r.name, r.activation_bytes) for r in table.all_rows if r.activation_bytes] == [
        (name, n) for name, n in calls if n
    ]
    assert table.activation_count * 4 == table.activation_bytes  # float32 throughout


def test_a_module_called_six_times_counts_six_outputs():
    table = summarize(ConvSixTimes(), (64, 28, 28))
    one = 64 * 28 * 28 * 4
    assert table.activation_bytes == 7 * one == 1_404_928  # was 401,408: the output once
    rows = table.calls_of("conv")
    assert [r.call for r in rows] == list(range(6)) and all(r.calls == 6 for r in rows)
    assert all(r.activation_bytes == one and r.macs == 64 * 28 * 28 * 64 * 9 for r in rows)
    assert rows[0].params == 64 * 64 * 9 + 64 and all(r.params == 0 for r in rows[1:])
    assert [r.label for r in rows[:2]] == ["conv (call 1/6)", "conv (call 2/6)"]


def test_in_place_views_and_pass_throughs_add_nothing():
    model = nn.Sequential(
        nn.Conv2d(3, 4, 3), nn.ReLU(inplace=True), nn.Dropout(), nn.Flatten(), nn.Identity()
    )
    table = summarize(model, (3, 8, 8))
    conv, *rest = table.rows
    assert conv.activation_bytes == 4 * 6 * 6 * 4 and not conv.inplace
    assert all(r.activation_bytes == 0 and r.activations == 0 and r.inplace for r in rest)
    assert table.activation_bytes == table.input_bytes + conv.activation_bytes


def test_torchinfo_pass_size_is_twice_the_outputs_of_layers_with_parameters():
    torchinfo = pytest.importorskip("torchinfo")
    model = torchvision.models.resnet18(num_classes=10).eval()
    info = torchinfo.summary(model, (2, 3, 32, 32), verbose=0)
    table = summarize(model, (3, 32, 32), batch_size=2)
    with_params = {r.name for r in table.rows if r.params}
    outputs = sum(
        torch.Size(r.output_shape).numel() * 4 for r in table.rows if r.name in with_params
    )
    assert info.total_output_bytes == 2 * outputs
    assert info.total_output_bytes != 2 * table.activation_bytes  # not "halved", as once said
