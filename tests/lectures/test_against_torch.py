"""Every recomputed size, count and cost checked a second way, with torch but without
``vizkit.summarize``: real CPU layers for output sizes, forward hooks on meta-device models for
shapes, ``named_parameters`` for parameters, ``torch.utils.flop_counter`` for multiply-adds.

Each test covers every claim of one recipe (parametrised by claim id), so a recipe that
computed the wrong thing would fail here even where the note happens to print that value.
"""

from __future__ import annotations

import copy
import math
from fractions import Fraction
from functools import cache

import pytest
import torch
import torch.nn.functional as F
from torch import nn
from torch.utils.flop_counter import FlopCounterMode

from vizkit.lectures import Claim, ClaimTable, claims
from vizkit.lectures.models import _build, _input_of

ALL = claims()


def _of(*recipes: str) -> list[Claim]:
    return [c for c in ALL if c.computation.recipe in recipes]


def _ids(items: list[Claim]) -> list[str]:
    return [c.id for c in items]


@pytest.mark.parametrize("claim", _of("conv_size"), ids=_ids(_of("conv_size")))
def test_conv_sizes_against_a_real_conv2d(claim: Claim, table: ClaimTable) -> None:
    kw = claim.computation.kwargs
    w, k = int(kw["input_size"]), int(kw["kernel_size"])  # type: ignore[call-overload]
    s, p, extra = int(kw.get("stride", 1)), int(kw.get("padding", 0)), int(kw.get("pad_total", 0))  # type: ignore[call-overload]
    x = torch.zeros(1, 1, w, w)
    if extra:
        x = F.pad(x, (extra // 2, extra - extra // 2) * 2)
    n = nn.Conv2d(1, 1, k, stride=s, padding=p)(x).shape[-1]
    formula = Fraction(w + extra + 2 * p - k, s) + 1
    assert math.floor(formula) == n  # torch rounds down where windows do not fit
    expected = n if kw.get("rounded") else formula
    assert table.row(claim.id).computed == pytest.approx(float(expected))


@pytest.mark.parametrize("claim", _of("pool_size"), ids=_ids(_of("pool_size")))
def test_pool_sizes_against_a_real_max_pool(claim: Claim, table: ClaimTable) -> None:
    kw = claim.computation.kwargs
    w, k, s = int(kw["input_size"]), int(kw["kernel_size"]), int(kw["stride"])  # type: ignore[call-overload]
    n = nn.MaxPool2d(k, s)(torch.zeros(1, 1, w, w)).shape[-1]
    formula = Fraction(w - k, s) + 1
    assert math.floor(formula) == n
    assert table.row(claim.id).computed == pytest.approx(float(formula))


@cache
def _traced(model: str) -> tuple[nn.Module, dict[str, tuple[int, ...]]]:
    """A meta-device model and the output shape (no batch) of every named module, by hooks."""
    with torch.device("meta"):
        net = _build(model).eval()
    shapes: dict[str, tuple[int, ...]] = {}

    def record(name: str):  # a hook that returns None leaves the output alone
        def hook(_module: nn.Module, _inputs: object, out: torch.Tensor) -> None:
            shapes.setdefault(name, tuple(out.shape[1:]))

        return hook

    hooks = [m.register_forward_hook(record(name)) for name, m in net.named_modules() if name]
    try:
        with torch.no_grad():
            out = net(torch.empty(1, *_input_of(model), device="meta"))
    finally:
        for h in hooks:
            h.remove()
    shapes[""] = tuple(_input_of(model))
    shapes["<output>"] = tuple(out.shape[1:])
    return net, shapes


def _hwc(shape: tuple[int, ...]) -> tuple[int, ...]:
    return (shape[1], shape[2], shape[0]) if len(shape) == 3 else (1, 1, shape[0])


SHAPES = _of("zoo_shape")


@pytest.mark.parametrize("claim", SHAPES, ids=_ids(SHAPES))
def test_shapes_against_forward_hooks(claim: Claim, table: ClaimTable) -> None:
    kw = claim.computation.kwargs
    _, shapes = _traced(str(kw["model"]))
    layer = str(kw.get("layer", ""))
    assert table.row(claim.id).computed == _hwc(shapes[layer])


def test_last_conv_shapes_of_the_all_cnn_models(table: ClaimTable) -> None:
    items = _of("zoo_last_shape")
    assert len(items) == 6
    for claim in items:
        net, shapes = _traced(str(claim.computation.kwargs["model"]))
        last = [n for n, m in net.named_modules() if isinstance(m, nn.Conv2d)][-1]
        assert table.row(claim.id).computed == _hwc(shapes[last]) == (6, 6, 10), claim.id


PARAMS = _of("zoo_params")


@pytest.mark.parametrize("claim", PARAMS, ids=_ids(PARAMS))
def test_parameters_against_named_parameters(claim: Claim, table: ClaimTable) -> None:
    kw = claim.computation.kwargs
    with torch.device("meta"):
        net = _build(str(kw["model"]))
    layers = tuple(kw.get("layers", ()))  # type: ignore[call-overload]
    if not layers:
        expected = sum(p.numel() for p in net.parameters())
    else:
        named = dict(net.named_modules())
        expected = sum(
            p.numel()
            for layer in layers
            for name, p in named[layer].named_parameters()
            if not name.endswith("bias")  # the tables count weights only
        )
    assert table.row(claim.id).computed == expected


@cache
def _flops(model: str) -> dict[str, int]:
    """Multiply-adds per module (by dotted name, "" for the whole model), from FlopCounterMode."""
    with torch.device("meta"):
        net = _build(model).eval()
    with torch.no_grad(), FlopCounterMode(display=False) as counter:
        net(torch.empty(1, *_input_of(model), device="meta"))
    out = {}
    for name, per_op in counter.get_flop_counts().items():
        if name == "Global":
            continue
        out[name.partition(".")[2]] = sum(per_op.values()) // 2  # FLOPs → multiply-adds
    out[""] = counter.get_total_flops() // 2
    return out


MACS = _of("zoo_macs")


@pytest.mark.parametrize("claim", MACS, ids=_ids(MACS))
def test_multiply_adds_against_the_flop_counter(claim: Claim, table: ClaimTable) -> None:
    kw = claim.computation.kwargs
    counts = _flops(str(kw["model"]))
    layers = tuple(kw.get("layers", ())) or ("",)  # type: ignore[call-overload]
    assert table.row(claim.id).computed == sum(counts[name] for name in layers)


def test_flop_counter_claim_is_twice_the_multiply_adds(table: ClaimTable) -> None:
    row = table.row("straka_npfl114/resnet/resnet-18-flops-by-torch-utils-flop-counter")
    assert row.computed == 2 * _flops("resnet18")[""] == 3_628_146_688


def test_activations_against_forward_hooks(table: ClaimTable) -> None:
    items = _of("zoo_activations")
    assert items
    for claim in items:
        kw = claim.computation.kwargs
        net, shapes = _traced(str(kw["model"]))
        if kw.get("walk"):
            listed = [
                n
                for n, m in net.named_modules()
                if isinstance(m, nn.Conv2d | nn.MaxPool2d | nn.Linear)
            ]
            n = math.prod(shapes[""]) + sum(math.prod(shapes[name]) for name in listed)
        else:
            n = sum(math.prod(shapes[name]) for name in kw["layers"])  # type: ignore[union-attr]
        assert table.row(claim.id).computed == n * int(kw.get("scale", 1)), claim.id  # type: ignore[call-overload]


def test_weight_layer_counts_against_weight_tensors(table: ClaimTable) -> None:
    for claim in _of("zoo_weight_layers"):
        kw = claim.computation.kwargs
        with torch.device("meta"):
            net = _build(str(kw["model"]))
        skip = str(kw.get("skip", "downsample"))
        n = sum(
            1
            for name, p in net.named_parameters()
            if name.endswith("weight") and p.dim() in (2, 4) and (not skip or skip not in name)
        )
        n -= 1 if kw.get("exclude_output") else 0
        assert table.row(claim.id).computed == n, claim.id


def test_crops_and_costs(table: ClaimTable) -> None:
    from torchvision.transforms import v2

    ten = len(v2.TenCrop(224)(torch.zeros(3, 256, 256)))
    for claim in _of("crops"):
        expected = ten if claim.computation.kwargs["scheme"] == "ten" else 4 * 3 * 6 * 2
        assert table.row(claim.id).computed == expected
    for claim in _of("ensemble_cost"):
        kw = claim.computation.kwargs
        n = {"one": 1, "ten": ten, "googlenet": 144}[str(kw["scheme"])]
        assert table.row(claim.id).computed == int(kw["models"]) * n  # type: ignore[call-overload]
    for claim in _of("difference"):
        kw = claim.computation.kwargs
        got = table.row(claim.id).computed
        assert got == pytest.approx(float(torch.tensor(kw["a"]) - torch.tensor(kw["b"])), abs=1e-6)


def test_parameter_sharing_against_a_real_conv(table: ClaimTable) -> None:
    conv = nn.Conv2d(3, 96, 11, stride=4)
    out = conv(torch.zeros(1, 3, 227, 227))
    (claim,) = _of("locally_connected_params")
    assert table.row(claim.id).computed == out.numel() * (conv.weight[0].numel() + 1)
    assert out.numel() == 290_400


def test_batchnorm_conventions_against_torch(table: ClaimTable) -> None:
    bn = nn.BatchNorm2d(3)
    x = torch.randn(8, 3, 4, 4, generator=torch.Generator().manual_seed(1))
    bn.momentum = 0.01  # τ = 0.99
    bn.train()(x)
    biased, unbiased = x.var((0, 2, 3), unbiased=False), x.var((0, 2, 3), unbiased=True)
    assert torch.allclose(bn.running_var, 0.99 + 0.01 * unbiased)
    assert not torch.allclose(bn.running_var, 0.99 + 0.01 * biased)
    var = table.row(
        "straka_npfl138/batch-normalization/running-variance-update-with-the-batch-1-m-x"
    )
    assert var.computed is False and "unbiased" in var.how
    eps = table.row("straka_npfl138/batch-normalization/batchnorm-default")
    assert eps.computed == nn.BatchNorm2d(1).eps == 1e-5


def test_the_printed_fraction_and_the_real_one(table: ClaimTable) -> None:
    printed = table.row("bakhshi/3-2-4-spatial-arrangement/the-fraction-as-printed-10-3-0-2-1")
    assert printed.computed == pytest.approx(float(torch.tensor(10.0 - 3 + 0) / (2 + 1)))
    real = table.row("bakhshi/3-2-4-spatial-arrangement/output-size-w-10-p-0-f-3-s-2-does-not-fit")
    assert real.computed == 4.5 and real.agrees


@cache
def _modules(model: str) -> dict[str, nn.Module]:
    with torch.device("meta"):
        return dict(_build(model).named_modules())


def _module(model: str, name: str) -> nn.Module:
    return _modules(model)[name]


def test_layer_structure_against_weight_shapes(table: ClaimTable) -> None:
    """Kernel sizes, filter counts and group widths read from the weight tensors themselves."""
    checked = 0
    for claim in _of("zoo_kernels", "zoo_out_channels", "zoo_group_width", "zoo_kernel_sizes"):
        kw = claim.computation.kwargs
        model, recipe = str(kw["model"]), claim.computation.recipe
        got = table.row(claim.id).computed
        if recipe == "zoo_kernels":
            out, depth, h, w = _module(model, str(kw["layer"])).weight.shape
            assert got == (out, h, w, depth)
        elif recipe == "zoo_out_channels":
            assert got == tuple(_module(model, n).weight.shape[0] for n in kw["layers"])  # type: ignore[union-attr]
        elif recipe == "zoo_group_width":
            assert got == _module(model, str(kw["layer"])).weight.shape[1]
        else:
            assert got == tuple(
                s
                for n in kw["layers"]
                for s in _module(model, n).weight.shape[2:]  # type: ignore[union-attr]
            )
        checked += 1
    assert checked == 5


def test_conv_geometry_against_a_forward(table: ClaimTable) -> None:
    """The claimed (kernel, stride) predicts the output size of a real forward pass."""
    for claim in _of("zoo_conv_geometry"):
        kw = claim.computation.kwargs
        conv = copy.deepcopy(_module(str(kw["model"]), str(kw["layer"]))).to_empty(device="cpu")
        k, stride = table.row(claim.id).computed  # type: ignore[misc]
        assert conv.weight.shape[-1] == k
        pad = conv.padding[0]  # type: ignore[index]
        for side in (63, 64, 65, 66):  # four sizes pin the stride down
            out = conv(torch.zeros(1, 3, side, side)).shape[-1]
            assert out == (side + 2 * pad - k) // stride + 1, (claim.id, side)


def test_depths_count_convolutions_on_the_deepest_branch(table: ClaimTable) -> None:
    def deepest(module: nn.Module) -> int:
        if isinstance(module, nn.Conv2d | nn.Linear):
            return 1
        kids = list(module.children())
        if {"branch1", "branch2", "branch3", "branch4"} <= {n for n, _ in module.named_children()}:
            return max(deepest(k) for k in kids)
        return sum(deepest(k) for k in kids)

    for claim in _of("zoo_depth"):
        names = claim.computation.kwargs["modules"]
        expected = sum(deepest(_module("googlenet", n)) for n in names)  # type: ignore[union-attr]
        assert table.row(claim.id).computed == expected == claim.value, claim.id


def test_resnet_stage_sizes_against_forward_hooks(table: ClaimTable) -> None:
    for claim in _of("resnet_stage_size"):
        layer = str(claim.computation.kwargs["layer"])
        for model in ("resnet18", "resnet50"):
            shape = _traced(model)[1][layer]
            assert table.row(claim.id).computed == (shape[-1], shape[-1]), (claim.id, model)


def test_receptive_fields_against_autograd_and_the_chain(table: ClaimTable) -> None:
    from vizkit.geometry import Window, receptive_field_chain

    # three 3×3 convolutions: the input pixels one output unit's gradient reaches
    stack = nn.Sequential(*(nn.Conv2d(1, 1, 3, padding=1) for _ in range(3)))
    x = torch.zeros(1, 1, 15, 15, requires_grad=True)
    stack(x)[0, 0, 7, 7].backward()
    rows, cols = torch.nonzero(x.grad[0, 0], as_tuple=True)  # type: ignore[index]
    side = int(rows.max() - rows.min() + 1)
    assert side == int(cols.max() - cols.min() + 1) == 7
    for claim in _of("zoo_receptive_field"):
        if claim.computation.kwargs["model"] == "stack3x3":
            assert table.row(claim.id).computed == side
    # GoogLeNet's inception (5b): the deepest path goes through every 5×5 branch
    chain = [Window(7, 2, 3), Window(3, 2), Window(1), Window(3, 1, 1), Window(3, 2)]
    chain += [Window(1), Window(5, 1, 2)] * 2 + [Window(3, 2)]
    chain += [Window(1), Window(5, 1, 2)] * 5 + [Window(3, 2)]
    chain += [Window(1), Window(5, 1, 2)] * 2
    field = receptive_field_chain(chain)[-1].size[0]
    row = table.row("raschka_stat479/googlenet-inception-v1/receptive-field-of-the-network")
    assert row.computed == field == 715


def test_stack_ratio_against_real_layers(table: ClaimTable) -> None:
    seven = nn.Conv2d(64, 64, 7, bias=False).weight.numel()
    three = 3 * nn.Conv2d(64, 64, 3, bias=False).weight.numel()
    for claim in _of("stack_ratio"):
        assert table.row(claim.id).computed == pytest.approx(seven / three - 1)


def test_sgd_after_a_learning_rate_drop_against_torch_optim_sgd(table: ClaimTable) -> None:
    """The note's update by hand vs ``torch.optim.SGD``: equal while α is constant, apart after
    α ÷ 10 (torch's buffer has no α in it)."""
    mu, lam, lr = 0.9, 0.0005, 0.1
    target = torch.linspace(-1, 1, 6, dtype=torch.float64)
    theta = torch.zeros(6, dtype=torch.float64, requires_grad=True)
    opt = torch.optim.SGD([theta], lr=lr, momentum=mu, weight_decay=lam)
    mine, v = theta.detach().clone(), torch.zeros(6, dtype=torch.float64)
    gaps = []
    for step in range(8):
        alpha = lr if step < 4 else lr / 10
        opt.param_groups[0]["lr"] = alpha
        v = mu * v - alpha * 2 * (mine - target) - lam * alpha * mine
        mine = mine + v
        opt.zero_grad()
        ((theta - target) ** 2).sum().backward()
        opt.step()
        gaps.append(float((mine - theta.detach()).abs().max()))
    assert max(gaps[:4]) < 1e-12 and gaps[4] > 1e-3
    constant = table.row("straka_npfl138/alexnet/sgd-with-momentum-0-9-and-weight-decay-0-0005")
    assert constant.computed is True and constant.agrees
    row = table.row(
        "straka_npfl138/alexnet/the-same-sgd-update-once-the-learning-rate-is-divided-by-10"
    )
    assert row.computed is False and not row.agrees and row.claim.error_kind == "convention"
    assert "torch.optim.SGD" in row.explanation and "÷ 10" in row.how


def test_clipnorm_per_variable_is_not_clipping_the_whole_gradient(table: ClaimTable) -> None:
    """tf.keras's clipnorm, per variable, written with plain tensor ops, vs one
    ``clip_grad_norm_`` over all parameters: different norms and direction."""
    c = 0.1
    grads = [
        torch.full((4,), 1.0, dtype=torch.float64),
        torch.full((9,), 0.02, dtype=torch.float64),
    ]
    per_variable = [g * min(1.0, c / float(g.norm())) for g in grads]  # tf.clip_by_norm each
    holders = [torch.zeros_like(g, requires_grad=True) for g in grads]
    for h, g in zip(holders, grads, strict=True):
        h.grad = g.clone()
    torch.nn.utils.clip_grad_norm_(holders, c)
    whole = torch.cat([h.grad.flatten() for h in holders])  # type: ignore[union-attr]
    assert float(whole.norm()) == pytest.approx(c, rel=1e-4)
    assert float(torch.cat(per_variable).norm()) > c * 1.01
    row = table.row("straka_npfl114/gradient-clipping/clipnorm-clips-the-gradient-as-a-whole")
    assert row.claim.value is True and row.computed is False and not row.agrees
    assert row.claim.error_kind == "convention" and "global_clipnorm" in row.explanation
