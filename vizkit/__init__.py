"""vizkit: interactive, PyTorch-verified visualisations that teach convolutional networks.

``import vizkit as vk`` is instant: the pure arithmetic (:mod:`vizkit.geometry`) is imported
eagerly, everything heavier (numpy traces, torch inspection, plotly figures) on first use.

Quick taste:
    >>> import vizkit as vk
    >>> vk.conv_output_size(5, 3, stride=2, padding=1)
    3
    >>> vk.conv_output_size((224, 224), 7, stride=2, padding=3)
    (112, 112)
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from vizkit.geometry import (
    ConvGeometry,
    ConvTransposeGeometry,
    GeometryError,
    PoolGeometry,
    ReceptiveField,
    Window,
    conv_macs,
    conv_output_size,
    conv_params,
    conv_transpose_output_size,
    pool_output_size,
    receptive_field_chain,
    same_padding,
)

if TYPE_CHECKING:
    from vizkit.inspect import receptive_field, summarize
    from vizkit.inspect.arithmetic import check_relationships
    from vizkit.sliding import (
        conv1d_trace,
        conv2d_trace,
        conv_transpose2d_trace,
        pool2d_trace,
    )

__version__ = "0.1.0"

# Public names that live in heavier modules, imported on first attribute access.
_LAZY = {
    "conv1d_trace": "vizkit.sliding",
    "conv2d_trace": "vizkit.sliding",
    "conv_transpose2d_trace": "vizkit.sliding",
    "pool2d_trace": "vizkit.sliding",
    "summarize": "vizkit.inspect",
    "receptive_field": "vizkit.inspect",
    "check_relationships": "vizkit.inspect.arithmetic",
}

__all__ = [
    "ConvGeometry",
    "ConvTransposeGeometry",
    "GeometryError",
    "PoolGeometry",
    "ReceptiveField",
    "Window",
    "check_relationships",
    "conv1d_trace",
    "conv2d_trace",
    "conv_macs",
    "conv_output_size",
    "conv_params",
    "conv_transpose2d_trace",
    "conv_transpose_output_size",
    "pool2d_trace",
    "pool_output_size",
    "receptive_field",
    "receptive_field_chain",
    "same_padding",
    "summarize",
]


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'vizkit' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY))
