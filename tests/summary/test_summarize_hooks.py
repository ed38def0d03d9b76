"""summarize runs a copy without the user's hooks: theirs never fire, their captures stay intact."""

from __future__ import annotations

import warnings

import pytest
import torch
from torch import nn

from vizkit.inspect import capture_activations
from vizkit.summary import summarize
from vizkit.summary.prepare import meta_copy, real_copy

_HOOK_DICTS = (
    "_forward_hooks",
    "_forward_pre_hooks",
    "_backward_hooks",
    "_backward_pre_hooks",
    "_state_dict_pre_hooks",
    "_load_state_dict_post_hooks",
)


class _DataDependent(nn.Module):
    """Chooses a branch from the values: the meta device cannot run it, a real copy does."""

    def __init__(self) -> None:
        super().__init__()
        self.conv = nn.Conv2d(3, 4, 3)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        y = self.conv(x)
        return y if y.mean().item() > -1e9 else -y


def _hooked(model: nn.Module) -> list[str]:
    """Register every kind of per-module hook on every module; each call is logged."""
    calls: list[str] = []
    for name, m in model.named_modules():
        m.register_forward_pre_hook(lambda *a, _n=name: calls.append(f"pre {_n}"))
        m.register_forward_hook(lambda *a, _n=name: calls.append(f"post {_n}"))
        m.register_forward_hook(
            lambda *a, _n=name, **k: calls.append(f"kwargs {_n}"), with_kwargs=True
        )
        m.register_full_backward_pre_hook(lambda *a, _n=name: calls.append(f"bwd-pre {_n}"))
        m.register_full_backward_hook(lambda *a, _n=name: calls.append(f"bwd {_n}"))
        m.register_state_dict_pre_hook(lambda *a, _n=name: calls.append(f"state {_n}"))
        m.register_load_state_dict_post_hook(lambda *a, _n=name: calls.append(f"load {_n}"))
    return calls


@pytest.mark.parametrize("mode", ["eval", "train"])
def test_user_hooks_do_not_fire_on_the_meta_copy(mode):
    model = nn.Sequential(nn.Conv2d(3, 4, 3), nn.ReLU(), nn.Flatten(), nn.Linear(4 * 6 * 6, 2))
    calls = _hooked(model)
    table = summarize(model, (3, 8, 8), mode=mode)
    assert table.fallback_reason is None and table.row("3").output_shape == (1, 2)
    assert calls == []
    assert all(len(m._forward_hooks) == 2 for m in model.modules())  # the user's are kept
    model(torch.randn(1, 3, 8, 8))
    assert "post 0" in calls  # and still work on the model itself


def test_user_hooks_do_not_fire_on_the_real_copy_of_the_fallback():
    model = _DataDependent()
    calls = _hooked(model)
    with pytest.warns(UserWarning, match="the meta device cannot run this model"):
        table = summarize(model, (3, 16, 16))
    assert table.fallback_reason is not None and table.row("conv").output_shape == (1, 4, 14, 14)
    assert calls == []


def test_copies_carry_no_user_hooks():
    model = nn.Sequential(nn.Conv2d(3, 4, 3), nn.Sequential(nn.ReLU()))
    _hooked(model)
    for copy in (meta_copy(model, torch.float32), real_copy(model, torch.float64)):
        for m in copy.modules():
            assert all(not getattr(m, key) for key in _HOOK_DICTS), type(m).__name__
            assert m._is_full_backward_hook is None
    assert all(len(getattr(m, key)) >= 1 for m in model.modules() for key in _HOOK_DICTS)


def test_summarize_inside_capture_activations_leaves_the_capture_untouched():
    torch.manual_seed(0)
    model = nn.Sequential(nn.Conv2d(3, 4, 3), nn.ReLU(), nn.Conv2d(4, 2, 3))
    x = torch.randn(2, 3, 12, 12)
    with capture_activations(model, ["0", "2"]) as acts:
        model(x)
        before = {k: v.clone() for k, v in acts.items()}
        table = summarize(model, (3, 32, 32), batch_size=5)
        assert table.row("2").output_shape == (5, 2, 28, 28)
        assert set(acts) == {"0", "2"}
        for key, value in acts.items():
            assert value.device.type == "cpu" and torch.equal(value, before[key]), key
        model(x[:1])  # the capture still follows the model itself
        assert acts["2"].shape == (1, 2, 8, 8)


def test_hooks_torch_computes_weights_with_are_kept():
    # old-style weight_norm / spectral_norm and pruning recompute `weight` in a pre-hook
    import torch.nn.utils.prune as prune

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)  # weight_norm's deprecation notice
        normed = torch.nn.utils.weight_norm(nn.Linear(4, 3))
    pruned = nn.Linear(2, 5)
    prune.l1_unstructured(pruned, "weight", amount=0.5)
    model = nn.Sequential(normed, nn.ReLU(), torch.nn.utils.spectral_norm(nn.Linear(3, 2)), pruned)
    table = summarize(model, (4,), batch_size=2)
    assert table.fallback_reason is None
    assert [r.output_shape for r in table.rows] == [(2, 3), (2, 3), (2, 2), (2, 5)]
    assert table.row("0").params == 3 + 3 * 4 + 3  # weight_g, weight_v, bias
    assert table.total_params == sum(p.numel() for p in model.parameters())
    assert table.total_macs == 2 * (4 * 3 + 3 * 2 + 2 * 5)
