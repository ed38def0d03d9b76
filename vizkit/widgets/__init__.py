"""Interactive explorers: ipywidgets controls wired to vizkit's computations.

Widgets do wiring only: the numbers come from :mod:`vizkit.geometry` and the torch side, the
pictures from ``vizkit.render``. An impossible setting shows its teaching message in the
widget's status line rather than raising. Each explorer is an ``ipywidgets`` box: leave it as
a notebook cell's last expression to display it.

``from vizkit.widgets import ConvExplorer`` works for every explorer; apart from the light
:class:`OutputSizeCalculator`, each is imported on first use, so importing this package does
not pull in torch or plotly.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from vizkit.widgets.size_calculator import OutputSizeCalculator

if TYPE_CHECKING:
    from vizkit.widgets.activation_explorer import ActivationExplorer
    from vizkit.widgets.architecture_picker import ArchitecturePicker
    from vizkit.widgets.conv_explorer import ConvExplorer
    from vizkit.widgets.dip_panel import DIPPanel
    from vizkit.widgets.filter_explorer import FilterExplorer
    from vizkit.widgets.kernel_playground import KernelPlayground
    from vizkit.widgets.mask_editor import MaskEditor
    from vizkit.widgets.pool_explorer import PoolExplorer
    from vizkit.widgets.training_monitor import TrainingMonitor
    from vizkit.widgets.transposed_explorer import TransposedConvExplorer

# Public name → module that defines it, imported on first attribute access.
_LAZY = {
    "ActivationExplorer": "vizkit.widgets.activation_explorer",
    "ArchitecturePicker": "vizkit.widgets.architecture_picker",
    "ConvExplorer": "vizkit.widgets.conv_explorer",
    "DIPPanel": "vizkit.widgets.dip_panel",
    "FilterExplorer": "vizkit.widgets.filter_explorer",
    "KernelPlayground": "vizkit.widgets.kernel_playground",
    "MaskEditor": "vizkit.widgets.mask_editor",
    "PoolExplorer": "vizkit.widgets.pool_explorer",
    "TrainingMonitor": "vizkit.widgets.training_monitor",
    "TransposedConvExplorer": "vizkit.widgets.transposed_explorer",
}

__all__ = [
    "ActivationExplorer",
    "ArchitecturePicker",
    "ConvExplorer",
    "DIPPanel",
    "FilterExplorer",
    "KernelPlayground",
    "MaskEditor",
    "OutputSizeCalculator",
    "PoolExplorer",
    "TrainingMonitor",
    "TransposedConvExplorer",
]


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(
            f"module 'vizkit.widgets' has no attribute {name!r}; the explorers are: "
            f"{', '.join(__all__)}"
        )
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY))
