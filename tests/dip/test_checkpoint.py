"""Checkpoint: restores weights, BatchNorm buffers and Adam's state bit for bit."""

from __future__ import annotations

import pytest
import torch

import vizkit.dip as dip


def state(net: torch.nn.Module, opt: torch.optim.Optimizer) -> list[torch.Tensor]:
    tensors = [t.detach().clone() for t in net.state_dict().values()]
    for p in net.parameters():
        for key in sorted(opt.state.get(p, {})):
            value = opt.state[p][key]
            tensors.append(
                value.clone() if isinstance(value, torch.Tensor) else torch.tensor(value)
            )
    return tensors


def adam_step(net: torch.nn.Module, opt: torch.optim.Optimizer, seed: int) -> None:
    x = torch.rand(2, 4, 8, 8, generator=torch.Generator().manual_seed(seed))
    opt.zero_grad()
    net(x).square().mean().backward()
    opt.step()


@pytest.fixture
def net_and_opt() -> tuple[torch.nn.Module, torch.optim.Optimizer]:
    torch.manual_seed(0)
    net = dip.hourglass(4, 4, 2, 2).build()
    return net, torch.optim.Adam(net.parameters(), lr=0.1)


def test_restore_brings_back_the_exact_state(net_and_opt) -> None:  # type: ignore[no-untyped-def]
    net, opt = net_and_opt
    adam_step(net, opt, 0)
    ckpt = dip.Checkpoint(net, opt)
    ckpt.save()
    before = state(net, opt)
    for seed in (1, 2, 3):
        adam_step(net, opt, seed)
    assert any(not torch.equal(a, b) for a, b in zip(before, state(net, opt), strict=True))
    ckpt.restore()
    after = state(net, opt)
    assert len(after) == len(before)
    assert all(torch.equal(a, b) for a, b in zip(before, after, strict=True))
    # ...and the run continues exactly as a run that never took the bad steps
    adam_step(net, opt, 9)
    continued = state(net, opt)
    torch.manual_seed(0)
    net2 = dip.hourglass(4, 4, 2, 2).build()
    opt2 = torch.optim.Adam(net2.parameters(), lr=0.1)
    adam_step(net2, opt2, 0)
    adam_step(net2, opt2, 9)
    assert all(torch.equal(a, b) for a, b in zip(continued, state(net2, opt2), strict=True))


def test_restore_before_the_first_step_clears_adam(net_and_opt) -> None:  # type: ignore[no-untyped-def]
    net, opt = net_and_opt
    ckpt = dip.Checkpoint(net, opt)
    ckpt.save()
    weights = [p.detach().clone() for p in net.parameters()]
    adam_step(net, opt, 0)
    ckpt.restore()
    assert len(opt.state) == 0
    assert all(torch.equal(a, b) for a, b in zip(weights, net.parameters(), strict=True))


def test_restore_without_save_raises(net_and_opt) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(RuntimeError, match="before save"):
        dip.Checkpoint(*net_and_opt).restore()
