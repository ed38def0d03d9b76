"""ThreadTuner: DIP fits time torch's threads against one and keep the faster."""

from __future__ import annotations

import pytest
import torch

import vizkit.dip as dip
from tests.support import small_astronaut
from vizkit.dip.cpu_threads import ThreadTuner

CPU = torch.device("cpu")


def _drive(tuner: ThreadTuner, steps: int, seconds: dict[int, float]) -> list[int]:
    """Run the schedule with step times that depend only on the thread count."""
    used = []
    for step in range(steps):
        tuner.before(step)
        used.append(torch.get_num_threads())
        tuner.after(step, seconds[torch.get_num_threads()])
    tuner.restore()
    return used


@pytest.mark.usefixtures("two_threads")
def test_auto_keeps_one_thread_when_two_are_slower_and_rechecks() -> None:
    tuner = ThreadTuner("auto", CPU, trials=2, recheck_every=10)
    used = _drive(tuner, 15, {2: 2.0, 1: 0.3})
    # step 0 as torch has it; steps 1-2 one thread, step 3 two — 1.5× slower ends the
    # trial — then one until the recheck at steps 11-12 (one) and 13 (two)
    assert used == [2, 1, 1, 2, 1, 1, 1, 1, 1, 1, 1, 1, 1, 2, 1]
    assert tuner.chosen == 1 and torch.get_num_threads() == 2  # restored
    assert tuner.describe() == "1 (2 threads 2000 ms/step, one 300 ms/step: the cores are busy)"


@pytest.mark.usefixtures("two_threads")
def test_auto_keeps_all_threads_when_they_are_at_least_ten_percent_faster() -> None:
    tuner = ThreadTuner("auto", CPU, trials=2, recheck_every=100)
    assert _drive(tuner, 8, {2: 0.5, 1: 0.8}) == [2, 1, 1, 2, 2, 2, 2, 2]
    assert tuner.describe() == "2 (2 threads 500 ms/step, one 800 ms/step)"
    close = ThreadTuner("auto", CPU, trials=2, recheck_every=100)
    _drive(close, 8, {2: 0.95, 1: 1.0})  # 5 % faster is not worth a second core
    assert close.chosen == 1 and close.describe().endswith(": one is as fast)")


@pytest.mark.usefixtures("two_threads")
def test_a_fixed_count_and_none_and_other_devices() -> None:
    assert _drive(ThreadTuner(1, CPU), 3, {1: 0.1}) == [1, 1, 1]
    assert torch.get_num_threads() == 2
    untouched = ThreadTuner(None, CPU)
    assert _drive(untouched, 3, {2: 0.1}) == [2, 2, 2] and untouched.describe() is None
    assert ThreadTuner("auto", torch.device("meta")).describe() is None


@pytest.mark.parametrize("bad", [0, -1, True, "fast", 1.5])
def test_bad_settings_are_refused(bad: object) -> None:
    with pytest.raises(ValueError, match="cpu_threads must be 'auto', None or an int ≥ 1"):
        ThreadTuner(bad, CPU)  # type: ignore[arg-type]


@pytest.mark.usefixtures("two_threads")
def test_fit_reports_its_choice_and_restores_torch_threads_also_when_interrupted() -> None:
    image = small_astronaut()
    net = dip.hourglass(8, 8, 3, 2)
    result = dip.denoise(image, network=net, steps=8, device="cpu", progress=False)
    assert result.cpu_threads is not None and result.cpu_threads[0] in "12"
    assert torch.get_num_threads() == 2

    def interrupt(state: object) -> None:
        if state.step == 2:  # type: ignore[attr-defined]
            raise KeyboardInterrupt

    stopped = dip.denoise(
        image,
        network=net,
        steps=50,
        device="cpu",
        progress=False,
        cpu_threads=1,
        callback=interrupt,
        callback_every=1,
    )
    assert stopped.stop_reason == "interrupted" and torch.get_num_threads() == 2
    assert stopped.cpu_threads == "1"
