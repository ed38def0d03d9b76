"""Look inside models: the layer table (meta device), receptive fields, activations, filters.

``summarize`` and ``receptive_field`` are the names of the fixed public API
(``vizkit.summarize``, ``vizkit.receptive_field``). The layer-table names load eagerly; the
others load on first use (PEP 562), so ``import vizkit.inspect`` stays light.
"""

from __future__ import annotations

import importlib
from typing import Any

from vizkit.inspect.fields import GradientField, gradient_receptive_field, receptive_field
from vizkit.inspect.receptive import ReceptiveField2d
from vizkit.inspect.summary import summarize
from vizkit.inspect.table import BlockRow, GraphNode, LayerRow, LayerTable

_LAZY = {
    "LayerInfo": "activations", "capture_activations": "activations",
    "feature_maps": "activations", "layer_tree": "activations",
    "FilterGrid": "filters", "conv_weight": "filters", "filter_evolution": "filters",
    "filter_grid": "filters",
    "GaborBank": "ica", "ICAFilters": "ica", "gabor_bank": "ica", "ica_filters": "ica",
    "sample_patches": "ica",
    "Maximization": "maximize", "maximize_activation": "maximize",
    "TopPatches": "patches", "top_patches": "patches",
    "Pretrained": "pretrained", "load_pretrained": "pretrained",
    "Attribution": "saliency", "grad_cam": "saliency", "saliency_map": "saliency",
    "ModelChoice": "choice", "Subject": "choice", "model_options": "choice",
    "load_choice": "choice", "pretrained_or": "choice", "transform_images": "choice",
    "RelationshipTable": "arithmetic", "check_relationships": "arithmetic",
}  # fmt: skip

__all__ = [
    "BlockRow",
    "GradientField",
    "GraphNode",
    "LayerRow",
    "LayerTable",
    "ReceptiveField2d",
    "gradient_receptive_field",
    "receptive_field",
    "summarize",
    *_LAZY,
]


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(importlib.import_module(f"vizkit.inspect.{_LAZY[name]}"), name)
    raise AttributeError(f"module 'vizkit.inspect' has no attribute {name!r}")
