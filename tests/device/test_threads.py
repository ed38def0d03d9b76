"""torch_threads: the count inside the block, the previous count back after it — also after an
error or a KeyboardInterrupt; ``None`` and non-CPU devices leave torch's count alone."""

from __future__ import annotations

import pytest
import torch

from vizkit.device import torch_threads


@pytest.mark.usefixtures("two_threads")
def test_sets_inside_and_restores_after() -> None:
    with torch_threads(1) as threads:
        assert torch.get_num_threads() == 1 and threads.previous == 2
        threads.set(3)  # a tuner trying another count inside the block
        assert torch.get_num_threads() == 3
    assert torch.get_num_threads() == 2 and threads.previous is None


@pytest.mark.usefixtures("two_threads")
@pytest.mark.parametrize("error", [RuntimeError, KeyboardInterrupt])
def test_restores_when_the_body_raises(error: type[BaseException]) -> None:
    with pytest.raises(error), torch_threads(1):
        assert torch.get_num_threads() == 1
        raise error("boom")
    assert torch.get_num_threads() == 2


@pytest.mark.usefixtures("two_threads")
@pytest.mark.parametrize(
    ("count", "device"), [(None, None), (1, torch.device("meta")), (None, torch.device("cpu"))]
)
def test_none_and_other_devices_leave_the_count_alone(
    count: int | None, device: torch.device | None
) -> None:
    with torch_threads(count, device=device) as threads:
        assert not threads.active
        threads.set(1)  # inactive: no change either
        assert torch.get_num_threads() == 2
    assert torch.get_num_threads() == 2


@pytest.mark.usefixtures("two_threads")
def test_works_as_a_cpu_device_and_refuses_reuse_while_in_use() -> None:
    threads = torch_threads(1, device=torch.device("cpu"))
    with threads:
        assert torch.get_num_threads() == 1
        with pytest.raises(RuntimeError, match="already in use: create a new one"), threads:
            pass
    assert torch.get_num_threads() == 2
    with threads:  # after the block it may be used again
        assert torch.get_num_threads() == 1
    assert torch.get_num_threads() == 2


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"count": 0}, ValueError, r"count 0 is below 1: use 1 \(small models\) or None"),
        ({"count": 10_000}, ValueError, "count 10000 is above 1024"),
        ({"count": 1.5}, TypeError, "count must be an int, got"),
        ({"count": "2"}, TypeError, r"pass count=2 \(a number, not a string\)"),
        ({"device": "cpu"}, TypeError, r"device must be a torch\.device or None, got"),
    ],
)
def test_bad_arguments_are_refused(kwargs: dict[str, object], error: type, message: str) -> None:
    with pytest.raises(error, match=message):
        torch_threads(**kwargs)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="count 0 is below 1"), torch_threads(1) as threads:
        threads.set(0)
