"""Networks: parameter counts of every preset, shapes of every architecture, validation."""

from __future__ import annotations

import pytest
import torch

import vizkit.dip as dip
from vizkit.dip.networks import NetSpec


def n_params(spec: NetSpec) -> int:
    return sum(p.numel() for p in spec.build().parameters())


def hourglass_count(c_in: int, down: int, up: int, skip: int, scales: int, k: int = 3) -> int:
    """The official `skip` network's parameter count, by hand (conv weights + biases, BN γ, β)."""
    total = up * 3 + 3  # final 1×1 conv to RGB
    for i in range(scales):
        c = c_in if i == 0 else down
        inner = up if i < scales - 1 else down  # channels coming back from the next level
        if skip:
            total += c * skip + skip + 2 * skip  # 1×1 conv + BN
        total += c * down * k * k + down + 2 * down  # stride-2 conv + BN
        total += down * down * k * k + down + 2 * down  # conv + BN
        total += 2 * (skip + inner)  # BN after the concat
        total += (skip + inner) * up * k * k + up + 2 * up  # conv + BN
        total += up * up + up + 2 * up  # 1×1 conv + BN
    return total


def test_paper_denoising_net_has_the_official_2_2_million_parameters() -> None:
    spec = dip.get_preset("denoise", "paper").network
    assert n_params(spec) == 2_217_831 == hourglass_count(32, 128, 128, 4, 5)


@pytest.mark.parametrize(
    ("task", "preset", "input", "expected"),
    [
        ("denoise", "paper", "noise", 2_217_831),
        ("super_resolve", "paper", "noise", 2_217_831),
        ("inpaint", "paper", "noise", 3_002_627),  # 128 skip channels (text inpainting)
        ("inpaint", "paper", "meshgrid", 2_157_955),  # 2 input channels, no skips (vase)
        ("denoise", "cpu", "noise", 152_199),
        ("super_resolve", "cpu", "noise", 152_199),
        ("inpaint", "cpu", "noise", 197_699),
        ("inpaint", "cpu", "meshgrid", 137_059),
    ],
)
def test_preset_parameter_counts(task: str, preset: str, input: str, expected: int) -> None:
    spec = dip.get_preset(task, preset, input=input).network  # type: ignore[arg-type]
    assert n_params(spec) == expected
    skip = spec.channels_skip[0]
    assert expected == hourglass_count(
        spec.in_channels, spec.channels_down[0], spec.channels_up[0], skip, spec.scales
    )


@pytest.mark.parametrize(
    "spec",
    [
        dip.hourglass(32, 8, 3, 2),
        dip.encoder_decoder(2, 8, 3),
        dip.unet(32, (8, 16, 16)),
        dip.resnet(32, 8, 2),
        dip.hourglass(32, 8, 2, 2, upsample_mode="nearest", kernel_size_down=5),
    ],
    ids=["hourglass", "encoder-decoder", "unet", "resnet", "hourglass-k5"],
)
def test_every_architecture_maps_z_to_an_image_of_the_same_size(spec: NetSpec) -> None:
    net = spec.build()
    size = spec.min_size
    with torch.no_grad():
        out = net(torch.rand(2, spec.in_channels, size, 2 * size))
    assert out.shape == (2, 3, size, 2 * size)
    assert float(out.min()) >= 0.0 and float(out.max()) <= 1.0  # sigmoid output


def test_grey_output_channels() -> None:
    assert dip.hourglass(4, 8, 2, 1).build(out_channels=1)(torch.rand(1, 4, 8, 8)).shape[1] == 1


def test_multiple_and_min_size() -> None:
    assert dip.hourglass(scales=5).multiple == 32
    assert dip.hourglass(scales=5).min_size == 64  # coarsest map 2×2 (> reflection pad 1)
    assert dip.hourglass(scales=3, kernel_size_down=5).min_size == 24  # 3×3 > pad 2
    assert dip.resnet().multiple == 1


def test_min_size_is_tight_for_reflection_padding() -> None:
    spec = dip.hourglass(4, 4, 3, 1)
    net = spec.build()
    net(torch.rand(1, 4, spec.min_size, spec.min_size))  # works
    with pytest.raises((RuntimeError, ValueError), match=r"[Pp]adding size|more than 1 value"):
        net(torch.rand(1, 4, spec.multiple, spec.multiple))  # 1×1 at the bottom


def test_encoder_decoder_has_no_skip_branches() -> None:
    net = dip.encoder_decoder(2, 8, 3).build()
    assert not any(name.endswith(".skip.0") for name, _ in net.named_modules())
    net = dip.hourglass(2, 8, 3, 4).build()
    assert any(name.endswith(".skip.0") for name, _ in net.named_modules())


def test_paper_layer_choices() -> None:
    net = dip.hourglass().build()
    convs = [m for m in net.modules() if isinstance(m, torch.nn.Conv2d)]
    assert {c.padding_mode for c in convs if c.kernel_size == (3, 3)} == {"reflect"}
    assert sum(c.stride == (2, 2) for c in convs) == 5  # down-sampling by strided conv
    slopes = {m.negative_slope for m in net.modules() if isinstance(m, torch.nn.LeakyReLU)}
    assert slopes == {0.2}
    ups = {m.mode for m in net.modules() if isinstance(m, torch.nn.Upsample)}
    assert ups == {"bilinear"}


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"architecture": "vgg"}, "architecture 'vgg' is not one of"),
        ({"kernel_size_down": 4}, "kernel_size_down must be an odd int ≥ 1"),
        (
            {"channels_down": (8, 8), "channels_skip": (4,)},
            r"channels_skip has 1 entries \(4,\) but the network has 2 scales",
        ),
        ({"channels_down": ()}, "channels_down is empty"),
        ({"in_channels": 0}, "in_channels 0 is below 1"),
        ({"upsample_mode": "bicubic"}, "upsample_mode 'bicubic' is not one of"),
    ],
)
def test_invalid_specs_are_explained(kwargs: dict, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        NetSpec(**kwargs)
