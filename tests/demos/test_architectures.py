"""Notebook 10's numbers, each checked against PyTorch (real layers, FlopCounterMode, forward
passes), not against constants copied from the functions under test."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from torch import nn
from torch.utils.flop_counter import FlopCounterMode
from torchvision.models import inception_v3 as tv_inception_v3
from torchvision.models.resnet import BasicBlock, Bottleneck

from vizkit import demos
from vizkit.demos.locally_connected import LocallyConnected2d

pytestmark = pytest.mark.usefixtures("torch_one_thread")


def _macs(model: nn.Module, x: torch.Tensor) -> int:
    with FlopCounterMode(display=False) as counter, torch.no_grad():
        model(x)
    return counter.get_total_flops() // 2


def _params(model: nn.Module) -> int:
    return sum(p.numel() for p in model.parameters())


# --- factorisation ---------------------------------------------------------------------------


def test_factorization_costs_match_real_stacks() -> None:
    c, grid = 16, 11
    table = demos.factorization_costs(channels=c, grid=grid)
    x = torch.randn(1, c, grid, grid)
    for name in ("5×5", "two 3×3", "1×3 then 3×1", "1×7 then 7×1", "two 2×2"):
        row = table.row(name)
        stack = nn.Sequential(
            *(
                nn.Conv2d(c, c, k, padding=(k[0] // 2, k[1] // 2) if k[0] % 2 and k[1] % 2 else 0,
                          bias=False)
                for k in row.kernels
            )
        )  # fmt: skip
        assert row.params == _params(stack)
        assert row.macs == _macs(stack, x)
    assert table.row("two 3×3").params / table.row("5×5").params == pytest.approx(18 / 25)
    assert table.row("1×3 then 3×1").ratio == pytest.approx(table.row("1×3 then 3×1").paper_ratio)
    assert table.row("two 2×2").ratio == pytest.approx(8 / 9)
    # the receptive field is kept: autograd on one centre unit of a linear stack
    for name, full in (("two 3×3", 5), ("1×7 then 7×1", 7)):
        assert table.row(name).receptive_field == (full, full)
        stack = nn.Sequential(*(nn.Conv2d(1, 1, k, bias=False) for k in table.row(name).kernels))
        nn.init.constant_(stack[0].weight, 1.0)
        nn.init.constant_(stack[1].weight, 1.0)
        inp = torch.zeros(1, 1, 15, 15, requires_grad=True)
        out = stack(inp)
        out[0, 0, out.shape[2] // 2, out.shape[3] // 2].backward()
        rows, cols = np.nonzero(inp.grad[0, 0].numpy())
        assert (rows.max() - rows.min() + 1, cols.max() - cols.min() + 1) == (full, full)


def test_grid_reduction_costs_against_torch() -> None:
    red = demos.grid_reduction_costs(grid=35, channels=32)
    x = torch.randn(1, 32, 35, 35)
    pool_conv = nn.Sequential(nn.MaxPool2d(3, 2), nn.Conv2d(32, 64, 3, padding=1, bias=False))
    conv_pool = nn.Sequential(nn.Conv2d(32, 64, 3, padding=1, bias=False), nn.MaxPool2d(3, 2))
    assert red.macs["pool, then conv"] == _macs(pool_conv, x)
    assert red.macs["conv, then pool"] == _macs(conv_pool, x)
    par = nn.Conv2d(32, 32, 3, stride=2, bias=False)
    assert red.macs["parallel (Figure 10)"] == _macs(par, x)
    assert set(red.output_shapes.values()) == {tuple(pool_conv(x).shape[1:])} == {(64, 17, 17)}
    assert red.macs["parallel (Figure 10)"] * 2 == red.macs["pool, then conv"]


def test_inception_modules_against_torchvision_and_a_forward() -> None:
    from torchvision.models.inception import InceptionA, InceptionC, InceptionE

    from vizkit.zoo import InceptionFig5, InceptionFig6, InceptionFig7

    rows = {r.figure: r for r in demos.inception_modules().rows}
    for figure, module, shape in (
        ("Figure 5", InceptionFig5(192), (192, 35, 35)),
        ("Figure 6", InceptionFig6(768), (768, 17, 17)),
        ("Figure 7", InceptionFig7(1280), (1280, 8, 8)),
    ):
        row = rows[figure]
        x = torch.randn(1, *shape)
        assert row.output_shape == tuple(module.eval()(x).shape[1:])
        assert row.params == _params(module)
        assert row.macs == _macs(module, x)
    assert rows["Figure 7"].output_shape == (2048, 8, 8)
    assert (1, 7) in rows["Figure 6"].kernels and (7, 7) not in rows["Figure 6"].kernels
    assert (5, 5) not in rows["Figure 5"].kernels
    # torchvision's Figure-6/7 modules are the zoo's; its Figure-5 modules keep a 5×5 branch
    assert rows["Figure 6"].params == _params(InceptionC(768, 128)) == 1_297_408
    assert rows["Figure 7"].params == _params(InceptionE(1280)) == 5_044_608
    assert rows["Figure 5"].params == 206_752 != _params(InceptionA(192, 32)) == 255_904


def test_inception_v3_walk_against_a_real_forward() -> None:
    walk = demos.inception_v3_walk()
    model = tv_inception_v3(weights=None, aux_logits=False, init_weights=False).eval()
    seen: dict[str, tuple[int, ...]] = {}
    hooks = [
        m.register_forward_hook(lambda _m, _i, o, n=n: seen.__setitem__(n, tuple(o.shape)))
        for n, m in model.named_children()
    ]
    with torch.no_grad():
        model(torch.randn(1, 3, 299, 299))
    for h in hooks:
        h.remove()

    def hwc(s: tuple[int, ...]) -> tuple[int, int, int]:
        return (1, 1, s[1]) if len(s) == 2 else (s[2], s[3], s[1])

    for row in walk.rows:
        if row.layer:
            assert row.torch == hwc(seen[row.layer]), row.row
    assert dict(walk.blocks)["Mixed_7c"] == (8, 8, 2048) == hwc(seen["Mixed_7c"])
    assert walk.params == _params(model)
    disagree = [r.row for r in walk.rows if not r.agrees]
    assert len(disagree) == 2 and all(r.explanation for r in walk.rows if not r.agrees)
    assert all(not r.explanation for r in walk.rows if r.agrees)


# --- residual ---------------------------------------------------------------------------------


def test_block_costs_against_torchvision_blocks() -> None:
    costs = demos.block_costs(grid=14)
    for name, block, c in (
        ("basic (64-d)", BasicBlock(64, 64), 64),
        ("bottleneck (256-d)", Bottleneck(256, 64), 256),
    ):
        row = costs.row(name)
        assert row.params == _params(block)
        assert row.weights == sum(
            m.weight.numel() for m in block.modules() if isinstance(m, nn.Conv2d)
        )
        assert row.macs == _macs(block.eval(), torch.randn(1, c, 14, 14))
    assert costs.row("bottleneck (256-d)").weights < costs.row("basic (64-d)").weights
    assert costs.row("basic (256-d)").weights == 16 * costs.row("basic (64-d)").weights


def test_shortcuts_and_zero_padding() -> None:
    s = demos.shortcut_costs(in_channels=8, out_channels=16, grid=10, stride=2)
    rows = {r.name: r for r in s.rows}
    assert not rows["identity"].fits and rows["zero padding (A)"].fits
    proj = nn.Sequential(nn.Conv2d(8, 16, 1, stride=2, bias=False), nn.BatchNorm2d(16))
    assert rows["projection (B)"].params == _params(proj)
    assert rows["zero padding (A)"].params == 0
    assert s.main_shape == tuple(
        BasicBlock(8, 16, 2, proj).eval()(torch.randn(1, 8, 10, 10)).shape[1:]
    )
    assert s.zero_pad_vs_fixed_projection == 0.0
    x = torch.randn(2, 8, 10, 10)
    out = demos.ZeroPadShortcut(8, 16, 2)(x)
    assert torch.equal(out[:, :8], x[:, :, ::2, ::2]) and not out[:, 8:].any()


def test_identity_check() -> None:
    check = demos.identity_check(channels=8, grid=6)
    assert check.basic_nonnegative == check.bottleneck_nonnegative == check.preact_signed == 0.0
    assert check.basic_signed > 0.5 and check.plain_signed > 0.5
    # with random (non-zero) weights the pre-activation block is not the identity
    block = demos.PreActBlock(8).eval()
    x = torch.randn(1, 8, 6, 6)
    assert not torch.allclose(block(x), x)


def test_auxiliary_heads() -> None:
    aux = demos.auxiliary_heads(batch_size=1, weight=0.3)
    assert aux.train_outputs == {"logits": (1, 10), "aux2": (1, 10), "aux1": (1, 10)}
    assert aux.eval_output == (1, 10)
    total = aux.losses["main"] + 0.3 * (aux.losses["aux1"] + aux.losses["aux2"])
    assert aux.losses["total"] == pytest.approx(total, rel=1e-6)
    assert aux.grad_norm_total > 10 * aux.grad_norm_main > 0
    none = demos.auxiliary_heads(batch_size=1, weight=0.0)
    assert none.grad_norm_total == pytest.approx(none.grad_norm_main, rel=1e-5)


# --- classics ---------------------------------------------------------------------------------


def test_allconv_variants() -> None:
    from vizkit.zoo import allconv

    table = demos.allconv_variants("C")
    for row, variant in zip(table.rows, ("base", "strided", "convpool", "all"), strict=True):
        net = allconv("C", variant)
        assert row.params == _params(net)
        assert row.macs == _macs(net.eval(), torch.randn(1, 3, 32, 32))
    assert table.row("Model C").params == 954_730 and not table.row("Model C").agrees
    assert table.row("All-CNN-C").agrees and table.row("All-CNN-C").downsampling == (
        "conv3",
        "conv6",
    )
    assert table.row("Strided-CNN-C").macs < table.row("Model C").macs


def test_zfnet_vs_alexnet() -> None:
    from vizkit.zoo import alexnet, zfnet

    zf = demos.zfnet_vs_alexnet()
    first = zf.layers[0]
    assert (first.alexnet, first.zfnet) == ("96 × 11×11 / 4", "96 × 7×7 / 2")
    assert first.alexnet_output == (96, 55, 55) and first.zfnet_output == (96, 110, 110)
    assert zf.params["alexnet"] == _params(alexnet())
    assert zf.params["zfnet"] == _params(zfnet())
    out = zfnet().features(torch.randn(1, 3, 224, 224))
    assert tuple(out.shape[1:]) == zf.layers[-1].zfnet_output == (256, 6, 6)
    extra = (
        256 * 512 * 9 + 512 * 1024 * 9 + 1024 * 512 * 9 - (256 * 384 + 384 * 384 + 384 * 256) * 9
    )
    extra += 512 + 1024 + 512 - (384 + 384 + 256) + (512 - 256) * 36 * 4096
    assert zf.params["zfnet 512-1024-512"] - zf.params["zfnet"] == extra


# --- dense evaluation --------------------------------------------------------------------------


class _TinyVGG(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        layers: list[nn.Module] = []
        c = 3
        for out in (4, 8, 8, 8, 8):
            layers += [nn.Conv2d(c, out, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2)]
            c = out
        self.features = nn.Sequential(*layers)
        self.classifier = nn.Sequential(
            nn.Linear(8 * 49, 16), nn.ReLU(), nn.Dropout(), nn.Linear(16, 5)
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.classifier(self.features(x).flatten(1))


def test_fc_to_conv_equals_the_linear_classifier() -> None:
    torch.manual_seed(0)
    model = _TinyVGG().eval()
    head = demos.fc_to_conv(model.classifier, 8, 7)
    fmap = torch.randn(2, 8, 7, 7)
    assert torch.allclose(head(fmap)[:, :, 0, 0], model.classifier(fmap.flatten(1)), atol=1e-6)


def test_dense_evaluation() -> None:
    torch.manual_seed(0)
    model = _TinyVGG()
    image = torch.rand(3, 288, 256)
    dense = demos.dense_evaluation(model, image, max_crops=2)
    assert tuple(dense.score_map.shape) == (1, 5, 3, 2)
    assert dense.window_max_error < 1e-5
    assert model.training  # the mode is restored
    # an interior window by hand: classifier on the feature-map window
    with torch.no_grad():
        fmap = model.eval().features(image[None])
        by_hand = model.classifier(fmap[:, :, 1:8, 1:8].flatten(1))
    assert torch.allclose(by_hand, dense.score_map[:, :, 1, 1], atol=1e-5)
    assert torch.allclose(dense.scores, dense.score_map.mean((2, 3)))
    assert set(dense.crop_errors) == {(0, 0), (2, 1)}
    # a crop's own zero padding differs from the neighbouring pixels the big image has
    assert min(dense.crop_errors.values()) > 1e-6


# --- properties --------------------------------------------------------------------------------


def test_shift_equivariance_on_a_real_image() -> None:
    from vizkit.data import natural_image

    img = natural_image("camera")[::4, ::4]
    r = demos.shift_equivariance(img, shift=(3, -4), kernel_size=5)
    assert r.circular_error < 1e-9 and r.zero_interior_error < 1e-9
    assert r.zero_border_error > 1e-3
    w = torch.randn(1, 1, 3, 3, dtype=torch.float64)  # torch itself, independent of the module
    x = torch.from_numpy(r.image)[None, None]
    lhs = F.conv2d(F.pad(torch.roll(x, (3, -4), (2, 3)), (1, 1, 1, 1), mode="circular"), w)
    rhs = torch.roll(F.conv2d(F.pad(x, (1, 1, 1, 1), mode="circular"), w), (3, -4), (2, 3))
    assert torch.allclose(lhs, rhs)


def test_pooling_invariance_counts_against_max_pool() -> None:
    from vizkit.data import natural_image

    img = natural_image("camera")[::4, ::4].mean(-1)
    p = demos.pooling_invariance(img, kernel_size=2, max_shift=4)
    x = torch.from_numpy(np.asarray(img, dtype=np.float64))[None, None]
    base = F.max_pool2d(x, 2)
    for s in (1, 3):
        shifted = F.max_pool2d(torch.roll(x, s, 3), 2)
        assert p.unchanged[s] == pytest.approx(float((shifted == base).double().mean()))
        assert math.isnan(p.moved[s])
    assert p.unchanged[0] == p.moved[0] == p.moved[2] == p.moved[4] == 1.0
    assert 0.2 < p.unchanged[1] < 0.9 and p.unchanged[2] < p.unchanged[1]


# --- locally connected, LRN ---------------------------------------------------------------------


def test_locally_connected_layer() -> None:
    conv = nn.Conv2d(2, 3, 3, stride=2)
    lc = LocallyConnected2d.from_conv(conv, 9)
    x = torch.randn(2, 2, 9, 9)
    assert torch.allclose(lc(x), conv(x), atol=1e-6)
    assert _params(lc) == 4 * 4 * 3 * (2 * 9 + 1)
    with torch.no_grad():
        lc.weight[0].add_(1.0)  # untie one position: only that output cell changes
    diff = (lc(x) - conv(x)).abs().sum((0, 1))
    assert diff[0, 0] > 0 and diff.flatten()[1:].max() < 1e-5
    costs = demos.locally_connected_costs()
    assert costs.conv_params == _params(nn.Conv2d(3, 96, 11, 4)) == 34_944
    assert costs.locally_connected_params == 55 * 55 * 96 * (11 * 11 * 3 + 1) == 105_705_600


def test_position_dependent_fit() -> None:
    from vizkit.data import natural_image

    fit = demos.position_dependent_fit(natural_image("camera"), size=16, train_images=20)
    assert fit.lc_error < 1e-6 and fit.conv_error > 0.3
    sobel = np.array([[-1.0, 0, 1], [-2, 0, 2], [-1, 0, 1]])
    assert np.allclose(fit.lc_left, sobel, atol=1e-6) and np.allclose(
        fit.lc_right, sobel.T, atol=1e-6
    )


def test_lrn_against_torch() -> None:
    x = (torch.randn(2, 7, 3, 3, dtype=torch.float64) * 10).relu()
    ours = demos.local_response_norm(x, size=3, alpha=2e-3, beta=0.5, k=1.0)
    theirs = nn.LocalResponseNorm(3, alpha=2e-3 * 3, beta=0.5, k=1.0)(x)
    assert torch.allclose(ours, theirs)
    check = demos.lrn_check()
    assert check.error_scaled < 1e-10 < 1.0 < check.error_unscaled
    assert check.zoo_alpha == 5e-4 and 0 < check.mean_ratio < 1
