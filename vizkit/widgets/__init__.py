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

from typing import TYPE_CHECKING

from vizkit._lazy import lazy_exports
from vizkit.widgets.size_calculator import OutputSizeCalculator

if TYPE_CHECKING:
    from vizkit.widgets.activation_explorer import ActivationExplorer
    from vizkit.widgets.architecture_picker import ArchitecturePicker
    from vizkit.widgets.conv_explorer import ConvExplorer
    from vizkit.widgets.dip_compare import DIPComparePanel
    from vizkit.widgets.dip_panel import DIPPanel
    from vizkit.widgets.filter_explorer import FilterExplorer
    from vizkit.widgets.kernel_playground import KernelPlayground
    from vizkit.widgets.keyboard import KeyboardControl, Stepper
    from vizkit.widgets.mask_editor import MaskEditor
    from vizkit.widgets.pool_explorer import PoolExplorer
    from vizkit.widgets.training_monitor import TrainingMonitor
    from vizkit.widgets.transposed_explorer import TransposedConvExplorer

# Public name → module that defines it, imported on first attribute access.
_NAMES = {
    "ActivationExplorer": ".activation_explorer",
    "ArchitecturePicker": ".architecture_picker",
    "ConvExplorer": ".conv_explorer",
    "DIPComparePanel": ".dip_compare",
    "DIPPanel": ".dip_panel",
    "FilterExplorer": ".filter_explorer",
    "KernelPlayground": ".kernel_playground",
    "KeyboardControl": ".keyboard",
    "MaskEditor": ".mask_editor",
    "PoolExplorer": ".pool_explorer",
    "Stepper": ".keyboard",
    "TrainingMonitor": ".training_monitor",
    "TransposedConvExplorer": ".transposed_explorer",
}

__all__ = sorted([*_NAMES, "OutputSizeCalculator"])
__getattr__, __dir__ = lazy_exports(__name__, globals(), _NAMES)
