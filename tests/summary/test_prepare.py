"""prepare: the meta copy is an independent, hook-free twin of the model; the original untouched."""

from __future__ import annotations

import gc
import warnings
import weakref
from collections import OrderedDict
from typing import Any

import pytest
import torch
import torch.nn.utils.prune as prune
import torchvision
from torch import nn

from vizkit.summary.copy_tree import computes_weight as _computes_weight
from vizkit.summary.prepare import (
    check_initialised,
    meta_copy,
    model_dtype,
    prepare_meta,
    real_copy,
)

_HOOK_KEYS = (
    "_forward_hooks",
    "_forward_hooks_with_kwargs",
    "_forward_hooks_always_called",
    "_forward_pre_hooks",
    "_forward_pre_hooks_with_kwargs",
    "_backward_hooks",
    "_backward_pre_hooks",
    "_state_dict_hooks",
    "_state_dict_pre_hooks",
    "_load_state_dict_pre_hooks",
    "_load_state_dict_post_hooks",
)
_TREE_KEYS = ("_modules", "_parameters", "_buffers")


class _Tied(nn.Module):
    """Shared submodules, tied and odd parameters, buffers, tensor / dict / list attributes."""

    def __init__(self) -> None:
        super().__init__()
        self.emb = nn.Embedding(10, 4)
        self.block = nn.Linear(4, 4)
        self.seq = nn.Sequential(self.block, nn.ReLU(), self.block)  # a module twice
        self.head = nn.Linear(4, 10, bias=False)
        self.head.weight = self.emb.weight  # a tied parameter
        self.empty = nn.Sequential()  # falsy
        self.bn = nn.BatchNorm1d(4)
        self.register_module("gone", None)
        self.register_parameter("nothing", None)
        self.register_buffer("nobuf", None)
        self.register_buffer("steps", torch.zeros((), dtype=torch.long))
        self.register_buffer("stats", torch.ones(3, dtype=torch.float64), persistent=False)
        self.ints = nn.Parameter(torch.arange(3), requires_grad=False)
        self.frozen = nn.Parameter(torch.ones(2, 3), requires_grad=False)
        self.tposed = nn.Parameter(torch.randn(5, 4).t())
        self.strided = nn.Parameter(torch.randn(4, 6)[:, ::2])
        self.nothing_much = nn.Parameter(torch.empty(0, 3))
        self.scale = torch.tensor(2.0)  # a plain tensor attribute
        self.table = {"a": 1}
        self.odict = OrderedDict(b=2)
        self.names = ["x", "y"]
        object.__setattr__(self, "alias", self.steps)  # a plain attribute that is a buffer
        object.__setattr__(self.emb, "bn_mean", self.bn.running_mean)  # ... of a later module


class _MyParameter(nn.Parameter):
    pass


def _hooked() -> nn.Module:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)  # weight_norm's deprecation notice
        normed = torch.nn.utils.weight_norm(nn.Linear(4, 3))
    pruned = nn.Linear(3, 5)
    prune.l1_unstructured(pruned, "weight", amount=0.5)
    spectral = torch.nn.utils.spectral_norm(nn.Linear(5, 2))
    parametrized = torch.nn.utils.parametrizations.weight_norm(nn.Linear(2, 2))
    model = nn.Sequential(normed, nn.ReLU(), pruned, spectral, parametrized)
    for m in model.modules():
        m.register_forward_pre_hook(lambda *a: None)
        m.register_forward_pre_hook(lambda *a, **k: None, with_kwargs=True)
        m.register_forward_hook(lambda *a: None)
        m.register_forward_hook(lambda *a, **k: None, with_kwargs=True, always_call=True)
        m.register_full_backward_hook(lambda *a: None)
        m.register_full_backward_pre_hook(lambda *a: None)
        m.register_state_dict_pre_hook(lambda *a: None)
        m.register_load_state_dict_post_hook(lambda *a: None)
    old_style = nn.ReLU()
    old_style.register_backward_hook(lambda *a: None)  # _is_full_backward_hook False
    return model.append(old_style)


def _subclassed() -> nn.Module:
    model = nn.Linear(3, 2)
    model.weight = _MyParameter(torch.randn(2, 3))
    return model


def _int_first() -> nn.Module:
    model = nn.Module()
    model.i = nn.Parameter(torch.arange(3), requires_grad=False)
    model.lin = nn.Linear(2, 2).half()
    return model


_MODELS = {
    "vgg16": torchvision.models.vgg16,
    "resnet50": torchvision.models.resnet50,
    "vit_b_16": torchvision.models.vit_b_16,
    "mobilenet_v3_small": torchvision.models.mobilenet_v3_small,
    "tied": _Tied,
    "channels_last": lambda: nn.Sequential(
        nn.Conv2d(3, 8, 3), nn.BatchNorm2d(8), nn.Conv2d(8, 4, 1)
    ).to(memory_format=torch.channels_last),
    "hooked": _hooked,
    "subclassed": _subclassed,
    "float64": lambda: nn.Sequential(nn.Linear(3, 4), nn.BatchNorm1d(4)).double(),
    "int_first": _int_first,
    "paramless": lambda: nn.Sequential(nn.ReLU(), nn.MaxPool2d(2)),
}


@pytest.fixture(scope="module", params=list(_MODELS))
def model(request: pytest.FixtureRequest) -> nn.Module:
    torch.manual_seed(0)
    return _MODELS[request.param]()


def _snapshot(model: nn.Module) -> list[Any]:
    """Everything a copy could touch: each ``__dict__`` entry (object and dict contents) and
    each tensor's storage, version, dtype, device and ``requires_grad``."""
    snap: list[Any] = []
    for m in model.modules():
        snap.append(
            [(k, v, list(v.items()) if isinstance(v, dict) else None) for k, v in vars(m).items()]
        )
    for t in [*model.parameters(), *model.buffers()]:
        snap.append((t, t.data_ptr(), t._version, t.dtype, t.device, t.requires_grad))
    return snap


def _check_copy(model: nn.Module, copy: nn.Module, dtype: torch.dtype) -> None:
    """``copy`` is a meta twin of ``model`` in ``dtype`` (the properties meta_copy promises)."""
    twin: dict[int, object] = {}  # id of an original object → its copy

    def same_twin(original: object, copied: object) -> None:
        assert twin.setdefault(id(original), copied) is copied  # what is shared stays shared

    def tensor(t: torch.Tensor | None, c: torch.Tensor | None, kind: type) -> None:
        if t is None:
            assert c is None
            return
        assert c is not None and type(c) is kind and c is not t
        assert c.device.type == "meta" and c.shape == t.shape
        # a dense tensor's strides (contiguous, channels_last, transposed), else contiguous ones
        assert c.stride() == torch.empty_like(t, device="meta").stride()
        assert c.dtype == (dtype if t.is_floating_point() else t.dtype)
        assert c.requires_grad == (t.requires_grad and kind is nn.Parameter)
        same_twin(t, c)

    def walk(m: nn.Module, c: nn.Module) -> None:
        assert type(c) is type(m) and c is not m
        seen_before = id(m) in twin
        same_twin(m, c)
        if seen_before:
            return
        state, copied = vars(m), vars(c)
        assert list(copied) == list(state)
        for key, value in state.items():
            new = copied[key]
            if key in _HOOK_KEYS:
                assert type(new) is type(value) and new is not value
                kept = {k for k, h in m._forward_pre_hooks.items() if _computes_weight(h)}
                if key.startswith("_forward_pre_hooks"):
                    assert list(new.items()) == [(k, v) for k, v in value.items() if k in kept]
                else:
                    assert not new
            elif key == "_is_full_backward_hook":
                assert new is None
            elif key in _TREE_KEYS:
                assert type(new) is dict and list(new) == list(value)
            elif isinstance(value, dict):
                assert type(new) is type(value) and new == value and new is not value
            elif isinstance(value, torch.Tensor):  # a plain tensor attribute
                if id(value) not in twin and not any(value is t for t in model.buffers()):
                    assert new is not value and torch.equal(new, value)
            else:
                assert new is value
        for k, p in m._parameters.items():
            tensor(p, c._parameters[k], nn.Parameter)
        for k, b in m._buffers.items():
            tensor(b, c._buffers[k], torch.Tensor)
        for k, child in m._modules.items():
            if child is None:
                assert c._modules[k] is None
            else:
                walk(child, c._modules[k])

    walk(model, copy)
    for m, c in zip(model.modules(), copy.modules(), strict=True):  # attributes naming tensors
        for key, value in vars(m).items():
            if isinstance(value, torch.Tensor) and id(value) in twin:
                assert vars(c)[key] is twin[id(value)]
    assert len({id(c) for c in twin.values()}) == len(twin)  # nothing merged


@pytest.mark.parametrize("dtype", [None, torch.float32, torch.float16, torch.float64])
def test_meta_copy_is_an_independent_twin_and_the_model_is_untouched(model, dtype):
    before = _snapshot(model)
    dt = model_dtype(model, dtype)
    copy, got = prepare_meta(model, dtype)
    assert got == dt
    _check_copy(model, copy, dt)
    _check_copy(model, meta_copy(model, dt), dt)
    assert _snapshot(model) == before


def test_strides_are_kept():
    model = _MODELS["channels_last"]()
    copy, _ = prepare_meta(model)
    assert copy[0].weight.stride() == model[0].weight.stride() != (27, 9, 3, 1)
    tied, _ = prepare_meta(_Tied())
    assert tied.tposed.stride() == (1, 4)
    assert tied.strided.stride() == (3, 1)  # not dense: contiguous, as empty_like makes it


def test_the_dtype_is_the_first_floating_parameters():
    assert prepare_meta(_int_first())[1] == torch.float16
    assert prepare_meta(nn.ReLU())[1] == torch.get_default_dtype()
    only_buffers = nn.BatchNorm1d(3, affine=False).double()
    assert prepare_meta(only_buffers)[1] == model_dtype(only_buffers, None)


def test_the_copy_runs_on_the_meta_device():
    model = _hooked()
    copy, _ = prepare_meta(model)
    assert copy(torch.empty(2, 4, device="meta")).shape == (2, 2)
    vgg, _ = prepare_meta(torchvision.models.vgg11())
    assert vgg(torch.empty(1, 3, 224, 224, device="meta")).shape == (1, 1000)


def _lazy() -> nn.Module:
    return nn.Sequential(nn.Linear(3, 4), nn.Sequential(nn.ReLU(), nn.LazyLinear(2)))


def test_an_uninitialised_parameter_is_refused_by_name_and_left_alone():
    model = _lazy()
    for call in (check_initialised, prepare_meta, lambda m: prepare_meta(m, torch.float16)):
        with pytest.raises(ValueError, match=r"parameter '1\.1\.weight' of model is uninit"):
            call(model)
    with pytest.raises(ValueError, match="uninitialised"):  # before the dtype's TypeError
        prepare_meta(model, torch.int32)
    model(torch.zeros(1, 3))  # still a working lazy model
    assert model[1][1].weight.shape == (2, 4)
    check_initialised(model)
    assert prepare_meta(model)[0][1][1].weight.shape == (2, 4)


def test_bad_arguments():
    with pytest.raises(TypeError, match=r"floating torch\.dtype"):
        prepare_meta(nn.Linear(2, 2), torch.int64)
    with pytest.raises(TypeError, match=r"floating torch\.dtype"):
        prepare_meta(nn.Linear(2, 2), "float32")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="call it to build the network"):
        prepare_meta(nn.Linear)  # type: ignore[arg-type]


@pytest.mark.parametrize("name", ["tied", "hooked", "channels_last", "float64"])
def test_real_copy_has_the_values_in_new_storage(name):
    torch.manual_seed(0)
    model = _MODELS[name]()
    before = _snapshot(model)
    copy = real_copy(model, torch.float64)
    state, copied = model.state_dict(keep_vars=True), copy.state_dict(keep_vars=True)
    assert list(copied) == list(state)
    for key, t in state.items():
        c = copied[key]
        assert c.dtype == (torch.float64 if t.is_floating_point() else t.dtype), key
        assert torch.equal(c, t.to(c.dtype)) and (c.numel() == 0 or c.data_ptr() != t.data_ptr())
    assert _snapshot(model) == before


def test_nothing_waits_for_the_garbage_collector():
    # summarize turns gc off: a reference cycle here would keep the copy (or the model) alive
    gc_was_enabled = gc.isenabled()
    gc.disable()
    try:
        model = _Tied()
        copy, _ = prepare_meta(model)
        check_initialised(model)
        refs = [weakref.ref(copy), weakref.ref(copy.block), weakref.ref(model)]
        del model, copy
        assert all(ref() is None for ref in refs)
    finally:
        if gc_was_enabled:
            gc.enable()


class _FrozenBatchNorm(nn.Sequential):
    """A model whose ``train`` keeps its batch norms in eval mode (a common fine-tuning trick)."""

    def train(self, mode: bool = True) -> _FrozenBatchNorm:
        super().train(mode)
        for m in self.modules():
            if isinstance(m, nn.BatchNorm2d):
                m.eval()
        return self


@pytest.mark.parametrize("training", [True, False])
def test_prepare_meta_sets_the_mode_as_train_does(training):
    plain = torchvision.models.resnet18().train(not training)
    frozen = _FrozenBatchNorm(nn.Conv2d(3, 4, 3), nn.BatchNorm2d(4), nn.ReLU())
    for model in (plain, frozen):
        before = [m.training for m in model.modules()]
        clone, _ = prepare_meta(model, training=training)
        want = meta_copy(model, torch.float32).train(training)
        assert [m.training for m in clone.modules()] == [m.training for m in want.modules()]
        assert [m.training for m in model.modules()] == before  # the original keeps its mode
    clone, _ = prepare_meta(frozen, training=True)
    assert clone.training and not clone[1].training
