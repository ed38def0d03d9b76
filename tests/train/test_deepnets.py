"""DeepDigitsNet structure and compare_training on tiny step budgets."""

from __future__ import annotations

import pytest
import torch
from torch import nn

from vizkit.train import Callback
from vizkit.train.deepnets import DeepDigitsNet, NetConfig, compare_training


def _count(model: nn.Module, kind: type) -> int:
    return sum(isinstance(m, kind) for m in model.modules())


@pytest.mark.parametrize(
    ("config", "convs", "bns"),
    [
        (NetConfig(4), 5, 0),
        (NetConfig(6, norm="batch"), 7, 7),
        (NetConfig(6, residual=True), 7, 0),
    ],
)
def test_structure(config, convs, bns):
    model = DeepDigitsNet(config)
    assert _count(model, nn.Conv2d) == convs
    assert _count(model, nn.BatchNorm2d) == bns
    assert model(torch.zeros(2, 1, 16, 16)).shape == (2, 10)


def test_residual_block_is_identity_plus_body():
    torch.manual_seed(0)
    model = DeepDigitsNet(NetConfig(2, residual=True))
    block = model.body[0]
    for p in block.body.parameters():
        nn.init.zeros_(p)  # F(x) = 0, so the block is relu(x)
    x = torch.randn(2, 16, 8, 8)
    assert torch.equal(block(x), torch.relu(x))


def test_config_errors():
    with pytest.raises(ValueError, match="depth 5 is odd but residual=True"):
        NetConfig(5, residual=True)
    with pytest.raises(ValueError, match="norm 'layer' must be None or 'batch'"):
        NetConfig(4, norm="layer")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="depth 0 is below 1"):
        NetConfig(0)
    with pytest.raises(TypeError, match="config must be a NetConfig"):
        DeepDigitsNet(4)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="configs is empty"):
        compare_training([], steps=1)
    with pytest.raises(ValueError, match="needs a budget"):
        compare_training([NetConfig(2)], seconds=None, steps=None)


def test_compare_training_returns_histories_and_bn_helps_deep_plain_net():
    runs = compare_training(
        [NetConfig(12), NetConfig(12, norm="batch")],
        seconds=None,
        steps=40,
        eval_every=20,
        device="cpu",
    )
    assert [r.label for r in runs] == ["12 layers, plain", "12 layers, plain, BN"]
    for r in runs:
        assert r.steps == 40 and len(r.history.losses) == 40
        assert r.history.eval_steps == [20, 40]
        assert 0.0 <= r.test_accuracy <= 1.0 and r.params > 0
    plain, bn = runs
    assert bn.history.losses[-1] < plain.history.losses[-1]
    assert bn.test_accuracy > plain.test_accuracy


class _Interrupt(Callback):
    def __init__(self) -> None:
        self.starts = 0

    def on_train_start(self, state):
        self.starts += 1

    def on_step_end(self, state):
        if state.step == 3:
            raise KeyboardInterrupt


def test_interrupt_keeps_finished_runs_and_skips_the_rest():
    cb = _Interrupt()
    runs = compare_training(
        [NetConfig(2), NetConfig(4)],
        seconds=None,
        steps=10,
        eval_every=2,
        callbacks=[cb],
        device="cpu",
    )
    assert cb.starts == 1 and len(runs) == 1
    assert runs[0].steps == 3 and runs[0].history.eval_steps[-1] == 3


def test_degradation_deeper_plain_net_trains_worse_than_shallow_one():
    """He et al.'s degradation problem, as notebook 05 shows it: same data, seed and steps,
    the 20-layer plain net stays at chance (loss ≈ ln 10) while the 4-layer one learns."""
    shallow, deep = compare_training(
        [NetConfig(4), NetConfig(20)], seconds=None, steps=150, eval_every=150, device="cpu"
    )
    assert deep.history.losses[-1] > 2.2 > 2.0 > shallow.history.losses[-1]
    assert shallow.test_accuracy > deep.test_accuracy + 0.15


def test_stop_button_stops_the_net_in_training_and_skips_the_rest():
    """A Stop click (here from another thread, as the kernel delivers it) ends the comparison:
    the net in training keeps its best weights, the nets after it are not trained."""
    import threading
    import time

    from vizkit.train import StopRequest

    stop = StopRequest()
    second_net_runs = threading.Event()

    class Watch(Callback):
        starts = 0

        def on_train_start(self, state):
            Watch.starts += 1

        def on_step_end(self, state):
            if Watch.starts == 2 and state.step == 5:
                second_net_runs.set()
                time.sleep(0.2)  # the click lands while this net trains

    clicker = threading.Thread(
        target=lambda: second_net_runs.wait(60) and stop.request(), daemon=True
    )
    clicker.start()
    runs = compare_training(
        [NetConfig(2), NetConfig(2, norm="batch"), NetConfig(4)],
        seconds=None,
        steps=400,
        eval_every=5,
        callbacks=[Watch(), stop],
        device="cpu",
    )
    clicker.join(10)
    assert not clicker.is_alive()
    assert Watch.starts == 2 and len(runs) == 2  # the third net never started
    assert runs[0].steps == 400  # finished before the click
    assert 5 <= runs[1].steps < 400
