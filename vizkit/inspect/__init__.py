"""Look inside real models: activations, filters, top patches, saliency, maximisation.

- :mod:`~vizkit.inspect.activations`: ``capture_activations`` (hooks in a context manager),
  ``feature_maps``, ``layer_tree``;
- :mod:`~vizkit.inspect.filters`: weights as filter grids, their evolution over training;
- :mod:`~vizkit.inspect.patches`: the dataset patches that excite a channel most;
- :mod:`~vizkit.inspect.saliency`: gradient saliency and Grad-CAM;
- :mod:`~vizkit.inspect.maximize`: activation maximisation;
- :mod:`~vizkit.inspect.gradient_field`: the receptive field measured by autograd.

The layer table (``summarize``) is :mod:`vizkit.summary`. Names load on first use, so
``import vizkit.inspect`` stays light.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from vizkit._lazy import lazy_exports

if TYPE_CHECKING:
    from vizkit.inspect.activations import (
        LayerInfo,
        capture_activations,
        feature_maps,
        layer_tree,
    )
    from vizkit.inspect.filters import FilterGrid, conv_weight, filter_evolution, filter_grid
    from vizkit.inspect.gradient_field import GradientField, gradient_receptive_field
    from vizkit.inspect.maximize import Maximization, maximize_activation
    from vizkit.inspect.patches import TopPatches, top_patches
    from vizkit.inspect.saliency import Attribution, grad_cam, saliency_map

_NAMES = {
    "LayerInfo": ".activations", "capture_activations": ".activations",
    "feature_maps": ".activations", "layer_tree": ".activations",
    "FilterGrid": ".filters", "conv_weight": ".filters", "filter_evolution": ".filters",
    "filter_grid": ".filters",
    "GradientField": ".gradient_field", "gradient_receptive_field": ".gradient_field",
    "Maximization": ".maximize", "maximize_activation": ".maximize",
    "TopPatches": ".patches", "top_patches": ".patches",
    "Attribution": ".saliency", "grad_cam": ".saliency", "saliency_map": ".saliency",
}  # fmt: skip

__all__ = sorted(_NAMES)
__getattr__, __dir__ = lazy_exports(__name__, globals(), _NAMES)
