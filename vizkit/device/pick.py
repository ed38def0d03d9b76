"""Which device to compute on: CUDA, then Apple MPS, then the CPU.

There is deliberately no module-level "current device": every function that needs one
takes it as an argument (or reads it from the model), and notebooks call
:func:`pick_device` once and pass the result along. :func:`describe_device` gives a
one-line (and, in Jupyter, a small table) summary to print at the top of a notebook, so
a learner sees at once whether the GPU was found.
"""

from __future__ import annotations

import html
import platform
from dataclasses import dataclass
from pathlib import Path

import torch

__all__ = ["DeviceInfo", "available_devices", "describe_device", "pick_device"]

_ALWAYS_AVAILABLE = ("cpu", "meta")


def _mps_available() -> bool:
    mps = getattr(torch.backends, "mps", None)
    return bool(mps is not None and mps.is_available())


def available_devices() -> tuple[str, ...]:
    """List the devices torch can use on this machine, best first.

    Returns:
        Device strings such as ``("cuda:0", "cuda:1", "cpu")`` or ``("mps", "cpu")``.
        ``"cpu"`` is always last. The ``"meta"`` device (shapes without values) is
        always usable but not listed, because it cannot hold data to look at.
    """
    found: list[str] = []
    if torch.cuda.is_available():
        found.extend(f"cuda:{i}" for i in range(torch.cuda.device_count()))
    if _mps_available():
        found.append("mps")
    found.append("cpu")
    return tuple(found)


def _is_available(device: torch.device) -> bool:
    if device.type in _ALWAYS_AVAILABLE:
        return True
    if device.type == "cuda":
        if not torch.cuda.is_available():
            return False
        return device.index is None or device.index < torch.cuda.device_count()
    if device.type == "mps":
        return _mps_available() and device.index in (None, 0)
    backend = getattr(torch, device.type, None)  # e.g. torch.xpu
    is_available = getattr(backend, "is_available", None)
    return bool(callable(is_available) and is_available())


def _why_unavailable(device: torch.device) -> str:
    """A short reason, so the learner knows whether to fix drivers, the install, or the index."""
    if device.type == "cuda":
        if torch.version.cuda is None:
            return f" (this torch {torch.__version__} was built without CUDA support)"
        if torch.cuda.is_available():
            return f" (only {torch.cuda.device_count()} CUDA device(s) are visible)"
        return " (torch has CUDA support but finds no usable GPU or driver)"
    if device.type == "mps":
        return " (MPS needs an Apple-silicon Mac with macOS 12.3 or newer)"
    return ""


def pick_device(preferred: str | torch.device | None = None) -> torch.device:
    """Choose the device to compute on.

    With no preference the best available device wins: CUDA, then Apple MPS, then
    the CPU. With a preference, that device is checked and returned as is, so a
    notebook can say ``pick_device("cpu")`` to force the CPU on a GPU machine.

    Args:
        preferred: ``None`` to choose automatically, or a device such as ``"cpu"``,
            ``"cuda"``, ``"cuda:1"``, ``"mps"`` or a ``torch.device``.

    Returns:
        The chosen ``torch.device``.

    Raises:
        TypeError: If ``preferred`` is not a string, a ``torch.device`` or ``None``.
        ValueError: If ``preferred`` is not a device name torch knows, or names a
            device that is not available here. The message lists what is available.

    Example:
        >>> pick_device("cpu")
        device(type='cpu')
    """
    if preferred is None:
        if torch.cuda.is_available():
            return torch.device("cuda")
        if _mps_available():
            return torch.device("mps")
        return torch.device("cpu")
    if isinstance(preferred, torch.device):
        device = preferred
    elif isinstance(preferred, str):
        try:
            device = torch.device(preferred)
        except RuntimeError:
            raise ValueError(
                f"preferred device {preferred!r} is not a device name torch understands: "
                f"use one of {_quoted(available_devices())} (optionally with an index, "
                "e.g. 'cuda:1'), or None to pick the best available device automatically"
            ) from None
    else:
        raise TypeError(
            f"preferred must be a str, a torch.device or None, got {type(preferred).__name__} "
            f"{preferred!r}: pass e.g. 'cuda' or torch.device('cpu'), or None to pick "
            "automatically"
        )
    if not _is_available(device):
        raise ValueError(
            f"preferred device {str(device)!r} is not available on this machine"
            f"{_why_unavailable(device)}; available: {_quoted(available_devices())}. "
            "Fix: pass one of those, or pass None (the default) to pick the best available "
            "device automatically (cuda → mps → cpu)"
        )
    return device


def _quoted(names: tuple[str, ...]) -> str:
    return ", ".join(repr(n) for n in names)


def _cpu_name() -> str:
    """Best-effort CPU model name; falls back to the architecture (e.g. 'x86_64')."""
    cpuinfo = Path("/proc/cpuinfo")
    try:
        for line in cpuinfo.read_text().splitlines():
            if line.lower().startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass  # not Linux: fall through to what platform knows
    return platform.processor() or platform.machine() or "unknown CPU"


@dataclass(frozen=True)
class DeviceInfo:
    """What a device is, for printing at the top of a notebook.

    Attributes:
        device: The ``torch.device`` described.
        name: Human-readable name, e.g. ``"NVIDIA H100 80GB HBM3"`` or the CPU model.
        total_memory_bytes: Total device memory in bytes for CUDA devices, else ``None``
            (torch does not report it for the CPU or MPS).
        torch_version: ``torch.__version__`` as a string.
    """

    device: torch.device
    name: str
    total_memory_bytes: int | None
    torch_version: str

    @property
    def total_memory_gib(self) -> float | None:
        """Total memory in GiB (2**30 bytes), or ``None`` when unknown."""
        if self.total_memory_bytes is None:
            return None
        return self.total_memory_bytes / 2**30

    def __str__(self) -> str:
        memory = "" if self.total_memory_gib is None else f", {self.total_memory_gib:.1f} GiB"
        return f"{self.device} — {self.name}{memory} (torch {self.torch_version})"

    def _repr_html_(self) -> str:
        memory = "—" if self.total_memory_gib is None else f"{self.total_memory_gib:.1f} GiB"
        rows = (
            ("device", str(self.device)),
            ("name", self.name),
            ("memory", memory),
            ("torch", self.torch_version),
        )
        cells = "".join(
            f"<tr><th style='text-align:left'>{html.escape(k)}</th>"
            f"<td style='text-align:left'>{html.escape(v)}</td></tr>"
            for k, v in rows
        )
        return f"<table class='vizkit-device'>{cells}</table>"


def describe_device(device: str | torch.device | None = None) -> DeviceInfo:
    """Describe a device (by default the one :func:`pick_device` would choose).

    Args:
        device: ``None`` for the automatic choice, or any value :func:`pick_device`
            accepts.

    Returns:
        A :class:`DeviceInfo`; ``print`` it for one line, or leave it as a
        notebook cell's last expression for a small table.

    Raises:
        TypeError: As :func:`pick_device`.
        ValueError: As :func:`pick_device`.

    Example:
        >>> info = describe_device("cpu")
        >>> info.device, info.total_memory_bytes
        (device(type='cpu'), None)
    """
    try:
        chosen = pick_device(device)
    except (TypeError, ValueError) as err:  # pick_device calls it `preferred`; here: device
        raise type(err)(f"device: {err}") from None
    memory: int | None = None
    if chosen.type == "cuda":
        index = chosen.index if chosen.index is not None else torch.cuda.current_device()
        props = torch.cuda.get_device_properties(index)
        name, memory = str(props.name), int(props.total_memory)
    elif chosen.type == "mps":
        name = "Apple GPU (Metal Performance Shaders)"
    elif chosen.type == "cpu":
        name = _cpu_name()
    else:
        name = chosen.type
    return DeviceInfo(
        device=chosen, name=name, total_memory_bytes=memory, torch_version=str(torch.__version__)
    )
