"""Top-k patches: the strongest units, cropped by the receptive field."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from torch import nn

from vizkit.inspect.patches import layer_field, top_patches


def _detector() -> nn.Module:
    """A 3×3 'bright spot' detector after a 2×2 pool: field 4×4... measured below."""
    model = nn.Sequential(nn.Conv2d(1, 1, 3, bias=False), nn.MaxPool2d(2), nn.Conv2d(1, 2, 3))
    with torch.no_grad():
        model[0].weight.fill_(1.0)
        model[2].weight.zero_()
        model[2].weight[0, 0, 1, 1] = 1.0
        model[2].bias.zero_()
    return model


def test_layer_field_matches_geometry():
    field = layer_field(_detector(), "2", torch.zeros(1, 1, 20, 20))
    # conv3 → size 3, pool2 → 4 (jump 2), conv3 → 4 + 2·2 = 8, jump 2
    assert field.size == (8, 8) and field.jump == (2, 2)
    assert field.box(0, 0) == (0, 0, 8, 8)


def test_top_patches_find_the_bright_spot():
    images = torch.zeros(5, 1, 20, 20)
    for i in range(5):
        images[i, 0, 8:10, 8:10] = float(i)  # image 4 has the brightest spot
    result = top_patches(_detector(), "2", images, channel=0, k=3)
    assert list(result.image_index) == [4, 3, 2]
    assert np.all(np.diff(result.scores) <= 0)
    assert result.patches.shape == (3, 8, 8, 3)
    top, left, bottom, right = result.boxes[0]
    assert top <= 8 and bottom >= 10 and left <= 8 and right >= 10  # the spot is inside
    assert result.patches[0].max() == pytest.approx(1.0)  # the spot is in the crop


def test_patch_errors(tiny_cnn):
    images = torch.rand(4, 1, 16, 16)
    with pytest.raises(ValueError, match="channel 9 is out of range: '3' has 8 channels"):
        top_patches(tiny_cnn, "3", images, channel=9)
    with pytest.raises(ValueError, match="k 0 is below 1: ask for k=1 or more patches"):
        top_patches(tiny_cnn, "3", images, channel=0, k=0)
    assert top_patches(tiny_cnn, "3", images, channel=0, k=10).patches.shape[0] == 4


# --- branching networks: the field is the layer table's, not a chain of every window ---------


@pytest.fixture(scope="module")
def resnet18():
    torchvision = pytest.importorskip("torchvision")
    torch.manual_seed(0)
    return torchvision.models.resnet18(weights=None).eval()


@pytest.mark.parametrize("layer", ["layer2", "layer3", "layer2.0.conv1", "maxpool"])
def test_resnet_field_equals_summarize(resnet18, layer):
    from vizkit.summary import summarize

    table = summarize(resnet18, (3, 224, 224))
    entries = {r.name: r for r in table.rows} | {b.name: b for b in table.blocks}
    rf = entries[layer].receptive_field
    field = layer_field(resnet18, layer, torch.zeros(1, 3, 224, 224))
    assert field.size == rf.int_size and field.jump == rf.jump and field.start == rf.start
    if layer == "layer2":  # chaining the downsample conv after the main path gave 131 / 16
        assert field.size == (99, 99) and field.jump == (8.0, 8.0)


def test_layer_field_errors(resnet18, tiny_cnn):
    with pytest.raises(ValueError, match="no layer named 'layer9' in ResNet: did you mean"):
        layer_field(resnet18, "layer9", (3, 64, 64))
    with pytest.raises(ValueError, match=r"layer '6' outputs \(1, 8\), not \(N, C, H, W\)"):
        layer_field(tiny_cnn, "6", (1, 16, 16))


def test_a_reused_layer_gives_its_first_calls_field_and_an_unused_one_did_not_run():
    class Twice(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.conv = nn.Conv2d(2, 2, 3)
            self.spare = nn.Conv2d(2, 2, 3)

        def forward(self, x: torch.Tensor) -> torch.Tensor:
            return self.conv(self.conv(x))

    model = Twice()
    assert layer_field(model, "conv", (2, 16, 16)).size == (3, 3)  # table.row: the first call
    with pytest.raises(ValueError, match="layer 'spare' did not run in the forward pass"):
        layer_field(model, "spare", (2, 16, 16))


def test_resnet_patch_is_centred_on_the_units_field(resnet18):
    """Crop box of the strongest unit == the input region its gradient reaches, centred on it.

    The bright squares sit near the middle, so the strongest units' 99-px fields lie inside
    the 160-px images (the old chained field, 131 px with jump 16, was centred at 16·row).
    """
    from vizkit.inspect import gradient_receptive_field

    g = torch.Generator().manual_seed(0)
    images = torch.rand(3, 3, 160, 160, generator=g) * 0.2
    for i, (y, x) in enumerate([(70, 90), (88, 72), (80, 80)]):
        images[i, :, y - 6 : y + 6, x - 6 : x + 6] = 1.0  # a bright square near the middle
    result = top_patches(resnet18, "layer2", images, channel=5, k=3)
    field = layer_field(resnet18, "layer2", (3, 160, 160))
    assert result.field_size == (99, 99) and result.patches.shape == (3, 99, 99, 3)
    for j in range(3):
        row, col = (int(v) for v in result.position[j])
        top, left, bottom, right = (int(v) for v in result.boxes[j])
        assert (top, left, bottom, right) == field.box(row, col)
        assert (top + bottom - 1) / 2 == row * 8 and (left + right - 1) / 2 == col * 8
        image = images[result.image_index[j]]
        grad = gradient_receptive_field(resnet18, image, "layer2", channel=5, position=(row, col))
        assert 0 <= top and 0 <= left and bottom <= 160 and right <= 160  # field inside
        # random weights, no dead border: the gradient reaches exactly the analytic box
        assert grad.box == (top, left, bottom - 1, right - 1)
        # the crop is the image's pixels in the box (display = min-max of the image)
        picture = ((image - image.min()) / (image.max() - image.min())).permute(1, 2, 0)
        np.testing.assert_allclose(
            result.patches[j], picture[top:bottom, left:right].numpy(), atol=1e-6
        )


def test_googlenet_branches_are_joined_not_chained():
    """The zoo's paper GoogLeNet: inception3a's widest branch (1×1 → 5×5) sets the field."""
    from vizkit.summary import summarize
    from vizkit.zoo import googlenet

    model = googlenet().eval()
    field = layer_field(model, "inception3a", (3, 224, 224))
    expected = summarize(model, (3, 224, 224)).block("inception3a").receptive_field
    # 27 px after maxpool2 (jump 8) + 4·8 for the 5×5 = 59; chaining all four branches gave 91
    assert field.size == expected.int_size == (59, 59) and field.jump == (8.0, 8.0)
