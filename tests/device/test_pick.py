"""Tests for vizkit.device: the automatic choice, the error for an unavailable device,
and the CUDA path (simulated with monkeypatch, since CI has no GPU)."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
import torch

from vizkit.device import pick as vdev
from vizkit.device.pick import DeviceInfo, available_devices, describe_device, pick_device


@pytest.fixture
def no_accelerators(monkeypatch: pytest.MonkeyPatch) -> None:
    """A machine with only a CPU, whatever this one really has."""
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    monkeypatch.setattr(vdev, "_mps_available", lambda: False)


@pytest.fixture
def fake_cuda(monkeypatch: pytest.MonkeyPatch) -> None:
    """A machine with two CUDA GPUs of 80 GiB each (simulated)."""
    props = SimpleNamespace(name="NVIDIA Fake H100", total_memory=80 * 2**30)
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    monkeypatch.setattr(torch.cuda, "device_count", lambda: 2)
    monkeypatch.setattr(torch.cuda, "current_device", lambda: 0)
    monkeypatch.setattr(torch.cuda, "get_device_properties", lambda index: props)
    monkeypatch.setattr(vdev, "_mps_available", lambda: False)


def test_auto_pick_is_cpu_without_accelerators(no_accelerators: None) -> None:
    assert pick_device() == torch.device("cpu")
    assert available_devices() == ("cpu",)


def test_auto_pick_prefers_mps_over_cpu(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    monkeypatch.setattr(vdev, "_mps_available", lambda: True)
    assert pick_device() == torch.device("mps")
    assert available_devices() == ("mps", "cpu")


def test_auto_pick_prefers_cuda(fake_cuda: None) -> None:
    assert pick_device() == torch.device("cuda")
    assert available_devices() == ("cuda:0", "cuda:1", "cpu")


@pytest.mark.parametrize("preferred", ["cpu", torch.device("cpu"), "meta"])
def test_preferred_available_device_is_returned(preferred: str | torch.device) -> None:
    assert pick_device(preferred) == torch.device(preferred)


def test_preferred_cuda_index_in_range(fake_cuda: None) -> None:
    assert pick_device("cuda:1") == torch.device("cuda", 1)


def test_cuda_unavailable_error_message_in_full(
    no_accelerators: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(torch.version, "cuda", None)
    with pytest.raises(ValueError) as excinfo:
        pick_device("cuda")
    assert str(excinfo.value) == (
        f"preferred device 'cuda' is not available on this machine (this torch "
        f"{torch.__version__} was built without CUDA support); available: 'cpu'. "
        "Fix: pass one of those, or pass None (the default) to pick the best available "
        "device automatically (cuda → mps → cpu)"
    )


def test_cuda_index_out_of_range_names_visible_count(fake_cuda: None) -> None:
    with pytest.raises(ValueError) as excinfo:
        pick_device(torch.device("cuda", 5))
    assert str(excinfo.value) == (
        "preferred device 'cuda:5' is not available on this machine (only 2 CUDA device(s) "
        "are visible); available: 'cuda:0', 'cuda:1', 'cpu'. Fix: pass one of those, or pass "
        "None (the default) to pick the best available device automatically (cuda → mps → cpu)"
    )


def test_mps_unavailable_explains_requirement(no_accelerators: None) -> None:
    with pytest.raises(ValueError, match=r"'mps' is not available.*Apple-silicon.*'cpu'"):
        pick_device("mps")


def test_unknown_device_name(no_accelerators: None) -> None:
    with pytest.raises(ValueError) as excinfo:
        pick_device("gpu")
    assert str(excinfo.value) == (
        "preferred device 'gpu' is not a device name torch understands: use one of 'cpu' "
        "(optionally with an index, e.g. 'cuda:1'), or None to pick the best available "
        "device automatically"
    )


def test_wrong_type_is_type_error() -> None:
    expected = r"preferred must be a str, a torch.device or None, got int 0: pass e.g. 'cuda'"
    with pytest.raises(TypeError, match=expected):
        pick_device(0)  # type: ignore[arg-type]


def test_describe_cpu(no_accelerators: None) -> None:
    info = describe_device()
    assert info.device == torch.device("cpu")
    assert info.total_memory_bytes is None
    assert info.total_memory_gib is None
    assert info.torch_version == torch.__version__
    assert info.name  # a CPU model or at least the architecture
    text = str(info)
    assert text.startswith("cpu — ")
    assert f"(torch {torch.__version__})" in text
    assert "GiB" not in text
    page = info._repr_html_()
    assert "<table" in page and ">cpu<" in page and "—" in page


def test_describe_cuda(fake_cuda: None) -> None:
    info = describe_device()
    assert info == DeviceInfo(
        device=torch.device("cuda"),
        name="NVIDIA Fake H100",
        total_memory_bytes=80 * 2**30,
        torch_version=torch.__version__,
    )
    assert str(info) == f"cuda — NVIDIA Fake H100, 80.0 GiB (torch {torch.__version__})"
    assert "80.0 GiB" in info._repr_html_()


def test_describe_cuda_uses_requested_index(
    fake_cuda: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    asked: list[int] = []

    def props(index: int) -> SimpleNamespace:
        asked.append(index)
        return SimpleNamespace(name=f"GPU {index}", total_memory=2**30)

    monkeypatch.setattr(torch.cuda, "get_device_properties", props)
    assert describe_device("cuda:1").name == "GPU 1"
    assert asked == [1]


def test_html_is_escaped() -> None:
    info = DeviceInfo(torch.device("cpu"), "<b>evil</b>", None, "2.0")
    assert "<b>evil</b>" not in info._repr_html_()
    assert "&lt;b&gt;evil&lt;/b&gt;" in info._repr_html_()


def test_device_info_is_frozen() -> None:
    info = DeviceInfo(torch.device("cpu"), "x", None, "2.0")
    with pytest.raises(AttributeError):
        info.name = "y"  # type: ignore[misc]


def test_no_module_level_device_global() -> None:
    devices = [name for name, value in vars(vdev).items() if isinstance(value, torch.device)]
    assert devices == []
