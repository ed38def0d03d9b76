"""The device a computation runs on, and what the device does to it.

- :mod:`~vizkit.device.pick`: ``pick_device`` (cuda → mps → cpu) and ``describe_device``;
- :mod:`~vizkit.device.determinism`: cuDNN's flags and a run-twice repeatability check;
- :mod:`~vizkit.device.strides`: how ``(N, C, H, W)`` lies in memory (strides);
- :mod:`~vizkit.device.memory_format`: ``channels_last`` vs the default, timed here;
- :mod:`~vizkit.device.threads`: ``torch_threads``, torch's CPU thread count for a block.

There is no module-level "current device": functions take one as an argument or read it
from the model.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from vizkit._lazy import lazy_exports

if TYPE_CHECKING:
    from vizkit.device.determinism import DeterminismReport, determinism_report
    from vizkit.device.memory_format import MemoryFormatTiming, time_memory_formats
    from vizkit.device.pick import DeviceInfo, available_devices, describe_device, pick_device
    from vizkit.device.strides import MemoryLayout, memory_layout
    from vizkit.device.threads import torch_threads

_NAMES = {
    "DeviceInfo": ".pick", "available_devices": ".pick", "describe_device": ".pick",
    "pick_device": ".pick",
    "DeterminismReport": ".determinism", "determinism_report": ".determinism",
    "MemoryFormatTiming": ".memory_format", "time_memory_formats": ".memory_format",
    "MemoryLayout": ".strides", "memory_layout": ".strides",
    "torch_threads": ".threads",
}  # fmt: skip

__all__ = sorted(_NAMES)
__getattr__, __dir__ = lazy_exports(__name__, globals(), _NAMES)
