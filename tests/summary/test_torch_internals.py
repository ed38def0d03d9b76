"""torch's private internals that summarize relies on are still there, and the fallback works.

These tests fail loudly after a torch upgrade that moves any of them, instead of letting
``summarize`` silently take the slow path or count wrongly.
"""

from __future__ import annotations

import pytest
import torch
from torch import nn

from vizkit.summary import _torch_internals as ti
from vizkit.summary import summarize


def test_installed_torch_is_a_tested_one_and_takes_the_fast_path() -> None:
    low, high = ti.TESTED_TORCH
    assert low <= ti.torch_version() <= high, (
        f"torch {torch.__version__} is outside {ti.TESTED_TORCH}: check "
        "vizkit/summary/_torch_internals.py against it and extend TESTED_TORCH"
    )
    assert ti.fast_calls_work()


def test_module_init_makes_exactly_the_entries_the_copy_renews() -> None:
    made = {k for k in nn.Module().__dict__ if k.startswith("_") or k == "training"}
    assert made == set(ti.MODULE_KEYS), (
        f"nn.Module.__init__ now makes {sorted(made ^ set(ti.MODULE_KEYS))} differently: update "
        "MODULE_KEYS / HOOK_KEYS"
    )


def test_global_hook_dicts_are_seen() -> None:
    assert ti.no_global_hooks() and not ti.has_global_forward_hooks()
    handle = torch.nn.modules.module.register_module_forward_hook(lambda m, i, o: None)
    try:
        assert ti.has_global_forward_hooks() and not ti.no_global_hooks()
        assert not ti.instance_wrappable([nn.ReLU()])
    finally:
        handle.remove()
    assert ti.instance_wrappable([nn.ReLU()])


def test_hook_free_and_storage_key() -> None:
    layer = nn.Linear(2, 2)
    assert ti.hook_free(layer)
    handle = layer.register_forward_hook(lambda m, i, o: None)
    assert not ti.hook_free(layer)
    handle.remove()
    view = layer.weight.detach()[0]
    assert ti.storage_key(view.untyped_storage()) == ti.storage_key(layer.weight.untyped_storage())
    assert isinstance(ti.storage_key(layer.bias.untyped_storage()), int)


def test_failing_module_and_meta_problem_reading() -> None:
    model = nn.Sequential(nn.Conv2d(3, 4, 3), nn.Linear(5, 2))
    with pytest.raises(RuntimeError) as info:
        model(torch.zeros(1, 3, 8, 8))
    assert ti.failing_module(info.value) == "Linear"
    assert not ti.is_meta_problem(info.value)
    assert ti.is_meta_problem(NotImplementedError("no kernel"))
    assert ti.is_meta_problem(RuntimeError("Tensor.item() cannot be called on meta tensors"))


def test_public_hook_fallback_gives_the_same_table(monkeypatch: pytest.MonkeyPatch) -> None:
    from torchvision.models import resnet18

    model = resnet18()
    fast = summarize(model, (3, 64, 64))
    monkeypatch.setattr(ti, "_FAST_CALLS", [False])
    assert not ti.instance_wrappable([nn.ReLU()])
    slow = summarize(model, (3, 64, 64))
    assert repr(slow) == repr(fast)
    assert slow.total_macs == fast.total_macs and slow.total_params == fast.total_params


def test_device_constructors_are_the_factories() -> None:
    made = ti.device_constructors()
    assert {torch.zeros, torch.ones, torch.empty, torch.arange, torch.randn, torch.tensor} <= made
    assert torch.zeros_like not in made and torch.add not in made  # these follow their input


def test_distribution_checks_off_and_restored() -> None:
    dist = torch.distributions.Distribution
    before = dist.__dict__["_validate_args"]
    assert isinstance(before, bool), "torch no longer keeps the default in _validate_args"
    dist.set_default_validate_args(True)
    try:
        with ti.distribution_checks_off():
            torch.distributions.Normal(torch.zeros(2), -torch.ones(2))  # no check: no error
        with pytest.raises(ValueError):
            torch.distributions.Normal(torch.zeros(2), -torch.ones(2))
    finally:
        dist.set_default_validate_args(before)


def test_torch_ops_keep_their_namespace() -> None:
    assert ti.torch_ops_namespace(torch.ops.quantized.linear) == "quantized"
    assert ti.torch_ops_namespace(torch.ops.aten.conv2d.default) == "aten"
    assert ti.torch_ops_namespace(torch.conv2d) is None
    assert ti.torch_ops_namespace(torch.nn.functional.linear) is None
