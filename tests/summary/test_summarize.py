"""summarize: parameter totals, MACs against FlopCounterMode, shapes against a real forward."""

from __future__ import annotations

import copy
import warnings
from collections import Counter
from unittest import mock

import pytest
import torch
import torchvision
from torch import nn
from torch.utils.flop_counter import FlopCounterMode
from torchvision.models.regnet import BlockParams

from vizkit.summary import summarize
from vizkit.summary.calls import module_hooks

_CLASSIFIERS = torchvision.models.list_models(module=torchvision.models)


pytestmark = pytest.mark.usefixtures("torch_one_thread")


_block_params = BlockParams.from_init_params.__func__


def _block_params_on_cpu(cls, *args, **kwargs):
    # RegNet builders compute their stage widths with tensors and .tolist(): on CPU, not meta
    with torch.device("cpu"):
        return _block_params(cls, *args, **kwargs)


def _meta_model(name: str) -> nn.Module:
    regnet_widths = mock.patch.object(
        BlockParams, "from_init_params", classmethod(_block_params_on_cpu)
    )
    with warnings.catch_warnings(), regnet_widths:
        warnings.simplefilter("ignore", FutureWarning)  # googlenet / inception init notices
        with torch.device("meta"):
            return torchvision.models.get_model(name)


def _size(name: str) -> tuple[int, int, int]:
    return (3, 299, 299) if "inception" in name else (3, 224, 224)


def test_every_torchvision_classifier_is_covered():
    assert len(_CLASSIFIERS) >= 80 and any(n.startswith("regnet") for n in _CLASSIFIERS)
    assert all(next(_meta_model(n).parameters()).is_meta for n in ("regnet_y_400mf", "vit_b_16"))


@pytest.mark.parametrize("name", _CLASSIFIERS)
def test_rows_add_up_to_the_model_for_every_torchvision_classifier(name):
    model = _meta_model(name)
    table = summarize(model, _size(name))
    n_params = sum(p.numel() for p in model.parameters())  # torch's count, not summarize's
    assert sum(r.params for r in table.all_rows) == n_params == table.total_params
    assert sum(r.trainable_params for r in table.all_rows) == n_params == table.trainable_params
    assert sum(r.macs for r in table.all_rows) == table.total_macs > 0
    row_ops = Counter()
    for r in table.all_rows:
        row_ops.update(r.other_ops)
    assert row_ops == Counter(table.other_ops)
    assert len({r.label for r in table.all_rows}) == len(table.all_rows)  # one per call
    assert table.activation_bytes == table.input_bytes + sum(
        r.activation_bytes for r in table.all_rows
    )
    assert table.fallback_reason is None


def test_regnet_built_on_cpu():  # real tensors take the same path as the meta build
    model = torchvision.models.regnet_x_400mf()
    table = summarize(model, (3, 64, 64))
    assert sum(r.params for r in table.all_rows) == sum(p.numel() for p in model.parameters())


@pytest.mark.parametrize(
    ("name", "size"),
    [
        ("resnet18", (3, 224, 224)),
        ("resnet50", (3, 96, 96)),
        ("googlenet", (3, 96, 96)),
        ("mobilenet_v3_small", (3, 96, 96)),
        ("densenet121", (3, 64, 64)),
        ("convnext_tiny", (3, 64, 64)),
        ("vit_b_16", (3, 224, 224)),
        ("swin_t", (3, 224, 224)),
        ("resnext50_32x4d", (3, 64, 64)),
        ("shufflenet_v2_x0_5", (3, 64, 64)),
        ("inception_v3", (3, 299, 299)),
        ("efficientnet_b0", (3, 64, 64)),
        ("regnet_y_400mf", (3, 64, 64)),
        ("mnasnet0_5", (3, 64, 64)),
        ("squeezenet1_0", (3, 64, 64)),
        ("maxvit_t", (3, 224, 224)),
    ],
)
def test_macs_equal_flop_counter_half(name, size):
    model = _meta_model(name).eval()
    table = summarize(model, size, batch_size=2)
    with FlopCounterMode(display=False) as counter, torch.no_grad():
        model(torch.empty(2, *size, device="meta"))
    reference = counter.get_total_flops() / 2
    assert table.total_macs == pytest.approx(reference, rel=1e-3)
    assert sum(r.macs for r in table.all_rows) == pytest.approx(reference, rel=1e-3)
    assert table.total_flops == 2 * table.total_macs


@pytest.mark.parametrize(
    ("build", "size"),
    [
        (lambda: nn.LSTM(8, 4, num_layers=2, batch_first=True, bidirectional=True), (5, 8)),
        (lambda: nn.LSTM(8, 6, proj_size=3), (5, 8)),
        (lambda: nn.GRU(8, 6, num_layers=2), (7, 8)),
        (lambda: nn.RNN(8, 4, nonlinearity="relu", bias=False), (5, 8)),
    ],
)
def test_recurrent_macs_equal_flop_counter_half(build, size):
    torch.manual_seed(0)
    model = build()
    table = summarize(model, size, batch_size=3)
    x = torch.randn(3, *size) if model.batch_first else torch.randn(size[0], 3, size[1])
    # oneDNN's fused LSTM is invisible to the counter; torch's own cells are counted
    with torch.backends.mkldnn.flags(enabled=False), FlopCounterMode(display=False) as counter:
        model(x)
    assert table.total_macs == counter.get_total_flops() // 2 > 0
    steps_samples = 3 * size[0]  # (3, *size): batch × steps, or steps × batch if not batch_first
    gates = {nn.LSTM: 5, nn.GRU: 3, nn.RNN: 1}[type(model)]
    cells = model.num_layers * (2 if model.bidirectional else 1) * model.hidden_size
    assert table.other_ops["activation"] == steps_samples * cells * gates


def test_vgg16_params_and_macs():
    table = summarize(_meta_model("vgg16"), (3, 224, 224))
    assert table.total_params == 138_357_544
    assert table.total_macs == 15_470_264_320  # 15.47 G; FlopCounterMode: 30.94 GFLOPs


def _first_tensor(out: object) -> torch.Tensor:
    return out if isinstance(out, torch.Tensor) else next(o for o in out if torch.is_tensor(o))


def _tiny_vit() -> nn.Module:  # ViT-B/16's code (class token, MultiheadAttention), CPU-sized
    return torchvision.models.VisionTransformer(
        image_size=32, patch_size=8, num_layers=2, num_heads=2, hidden_dim=32, mlp_dim=64
    )


@pytest.mark.parametrize(
    ("build", "size"),
    [
        (lambda: torchvision.models.resnet18(num_classes=10), (3, 64, 48)),
        (lambda: torchvision.models.googlenet(init_weights=False), (3, 64, 64)),
        (lambda: torchvision.models.inception_v3(init_weights=False), (3, 75, 75)),
        (torchvision.models.densenet121, (3, 32, 32)),
        (torchvision.models.efficientnet_b0, (3, 48, 48)),
        (torchvision.models.mobilenet_v3_small, (3, 48, 48)),
        (_tiny_vit, (3, 32, 32)),
    ],
    ids=[
        "resnet18",
        "googlenet",
        "inception_v3",
        "densenet121",
        "efficientnet_b0",
        "mobilenet_v3_small",
        "tiny_vit",
    ],
)
def test_shapes_equal_a_real_forward(build, size):
    torch.manual_seed(0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)
        model = build().eval()
    seen: dict[str, tuple[int, ...]] = {}

    def record(name: str):
        def hook(_m, _a, out):
            seen.setdefault(name, tuple(_first_tensor(out).shape))

        return hook

    handles = [m.register_forward_hook(record(n)) for n, m in model.named_modules()]
    with torch.no_grad():
        model(torch.randn(3, *size))
    for h in handles:
        h.remove()
    table = summarize(model, size, batch_size=3)
    assert any(r.output_shape is not None for r in table.all_rows)
    for row in table.all_rows:
        assert row.output_shape == seen.get(row.name), row.label
    for block in table.blocks:
        assert block.output_shape == seen[block.name], block.name


def test_user_model_is_not_touched():
    torch.manual_seed(0)
    model = torchvision.models.resnet18(num_classes=10)
    before = copy.deepcopy(model.state_dict())
    training = model.training
    summarize(model, (3, 32, 32))
    assert model.training == training
    assert all(p.device.type == "cpu" for p in model.parameters())
    for key, value in model.state_dict().items():
        assert torch.equal(value, before[key]), key
    assert all(not m._forward_hooks and not m._forward_pre_hooks for m in model.modules())


def test_hooks_are_removed_when_the_forward_raises():
    model = nn.Sequential(nn.Conv2d(1, 2, 3), nn.Flatten(), nn.Linear(5, 2))
    with pytest.raises(RuntimeError), module_hooks(model, lambda *a: None, lambda *a: None):
        model(torch.randn(1, 1, 8, 8))
    assert all(not m._forward_hooks and not m._forward_pre_hooks for m in model.modules())


def test_row_per_leaf_call_with_params_split_and_calls():
    model = torchvision.models.resnet18()
    table = summarize(model, (3, 64, 64))
    # .rows is the fixed API's "one per leaf-module call", in the order forward hooks fire
    # on a real forward: a BasicBlock runs its ReLU twice
    calls: list[str] = []
    handles = [
        m.register_forward_hook(lambda *_, n=n: calls.append(n))
        for n, m in model.named_modules()
        if next(m.children(), None) is None
    ]
    model.eval()(torch.randn(1, 3, 64, 64))
    for h in handles:
        h.remove()
    assert [r.name for r in table.rows] == calls and len(table.rows) == 52 + 8
    assert table.own_rows == tuple(r for r in table.all_rows if r.own)
    relu = table.calls_of("layer1.0.relu")
    assert [(r.call, r.calls, r.label) for r in relu] == [
        (0, 2, "layer1.0.relu (call 1/2)"),
        (1, 2, "layer1.0.relu (call 2/2)"),
    ]
    assert table.row("layer1.0.relu") is relu[0]
    # a BasicBlock runs its residual + itself: an own row after its children, nothing else
    blocks = [f"layer{i}.{j}" for i in range(1, 5) for j in range(2)]
    assert [r.name for r in table.all_rows if r.own] == blocks
    labels = [r.label for r in table.all_rows]
    assert labels.index("layer1.0 (own)") == labels.index("layer1.0.relu (call 2/2)") + 1
    assert all(set(table.row(b).other_ops) == {"residual add"} for b in blocks)
    conv1, bn1 = table.row("conv1"), table.row("bn1")
    assert (conv1.weight_params, conv1.bias_params, conv1.norm_params) == (9408, 0, 0)
    assert (bn1.weight_params, bn1.norm_params) == (0, 128)
    assert table.row("layer1.0.relu").calls == 2  # torchvision reuses one ReLU per block
    assert table.row("layer2.0.downsample.0").calls == 1
    assert table.row("fc").bias_params == 1000
    assert sum(r.params for r in table.all_rows) == table.total_params


def test_frozen_parameters_are_not_trainable():
    model = nn.Sequential(nn.Conv2d(3, 4, 3), nn.Conv2d(4, 4, 3))
    model[0].requires_grad_(False)
    table = summarize(model, (3, 8, 8))
    assert table.total_params == (3 * 9 * 4 + 4) + (4 * 9 * 4 + 4)
    assert table.trainable_params == 4 * 9 * 4 + 4
    assert table.row("0").trainable_params == 0
    assert table.row("1").trainable_params == 4 * 4 * 9 + 4


def test_other_ops_are_labelled():
    class Block(nn.Module):
        def __init__(self):
            super().__init__()
            self.conv = nn.Conv2d(4, 4, 3, padding=1)
            self.bn = nn.BatchNorm2d(4)
            self.relu = nn.ReLU()
            self.pool = nn.MaxPool2d(2)

        def forward(self, x):
            return self.pool(self.relu(self.bn(self.conv(x)) + x))

    table = summarize(Block(), (4, 8, 8))
    n = 4 * 8 * 8
    assert table.other_ops == {
        "bias": n,
        "norm": 2 * n,
        "residual add": n,
        "activation": n,
        "pool": 4 * 4 * 4 * 4,
    }
    assert table.total_macs == n * 4 * 9
    assert [node.kind for node in table.nodes].count("merge") == 1


def test_dtype_and_batch_scale_memory_and_macs():
    model = nn.Sequential(nn.Conv2d(3, 8, 3), nn.ReLU())
    one = summarize(model, (3, 16, 16))
    half = summarize(model, (3, 16, 16), batch_size=4, dtype=torch.float16)
    assert half.total_macs == 4 * one.total_macs
    assert half.row("0").activation_bytes == 2 * one.row("0").activation_bytes
    assert half.dtype == "float16" and half.param_bytes == one.param_bytes // 2


def test_inference_peak_follows_tensor_lifetimes():
    # x (1·16·16) lives throughout; conv0's output until conv1 has run; conv1's output is kept.
    model = nn.Sequential(nn.Conv2d(1, 8, 3, padding=1), nn.Conv2d(8, 8, 3, padding=1))
    table = summarize(model, (1, 16, 16))
    assert table.inference_peak_bytes == 4 * (16 * 16 + 8 * 16 * 16 + 8 * 16 * 16)
    assert table.activation_bytes == table.inference_peak_bytes


def test_inplace_outputs_are_not_counted_twice():
    from vizkit.zoo import vgg16

    table = summarize(vgg16(), (3, 224, 224))
    assert table.row("features.1").inplace and not table.row("features.0").inplace
    assert table.activation_count == 15_237_608  # the notes' walk sums to ≈15.2 M, not 24 M


def _small_cnn() -> nn.Module:
    return nn.Sequential(
        nn.Conv2d(3, 8, 3),
        nn.ReLU(),
        nn.MaxPool2d(2),
        nn.Conv2d(8, 4, 3),
        nn.Flatten(),
        nn.Linear(4 * 5 * 5, 10),
    )


@pytest.mark.parametrize(
    ("build", "shape"),
    [(_small_cnn, (2, 3, 16, 16)), (lambda: _tiny_vit(), (2, 3, 32, 32))],
    ids=["cnn", "tiny_vit"],  # ViT: attention as a real CPU forward keeps it (fused kernel)
)
def test_training_saved_bytes_equal_a_real_backward_graph(build, shape):
    torch.manual_seed(0)
    model = build()
    saved: dict[int, int] = {}
    params = {p.untyped_storage().data_ptr() for p in model.parameters()}

    def pack(t):
        s = t.untyped_storage()
        if s.data_ptr() not in params:
            saved[s.data_ptr()] = s.nbytes()
        return t

    with torch.autograd.graph.saved_tensors_hooks(pack, lambda t: t):
        model.eval()(torch.randn(shape))
    table = summarize(model, shape[1:], batch_size=shape[0])
    assert table.training_saved_bytes == sum(saved.values())
    assert table.parameter_memory("adam") == 4 * table.param_bytes
    assert table.parameter_memory("sgd") == 2 * table.param_bytes
    assert table.training_memory("momentum") == 3 * table.param_bytes + table.training_saved_bytes


def test_unknown_optimizer_is_refused():
    table = summarize(nn.Linear(3, 2), (3,))
    with pytest.raises(ValueError, match="optimizer 'adamw' is not one of"):
        table.parameter_memory("adamw")


def test_repr_html_shows_rows_totals_and_conventions():
    html = summarize(torchvision.models.alexnet(), (3, 224, 224))._repr_html_()
    assert "features.0" in html and "Conv2d" in html and "61,100,840" in html
    assert "FLOPs" in html and "Adam" in html


def test_unused_modules_come_last_without_shape():
    table = summarize(_meta_model("googlenet"), (3, 224, 224))  # aux heads only run in training
    unused = [r for r in table.all_rows if r.output_shape is None]
    assert unused and all(r.name.startswith("aux") for r in unused)
    assert table.all_rows[-len(unused) :] == tuple(unused)
