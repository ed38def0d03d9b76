"""Lecture demos: one torch experiment per lecture point, inspecting no particular model.

- :mod:`~vizkit.demos.batchnorm`: BatchNorm's batch statistics by hand beside ``nn.BatchNorm2d``;
- :mod:`~vizkit.demos.normalization`: which values Batch/Layer/Instance/GroupNorm average;
- :mod:`~vizkit.demos.dropout`: ``Dropout`` vs ``Dropout2d`` masks;
- :mod:`~vizkit.demos.clipping`: gradient clipping by norm vs by value;
- :mod:`~vizkit.demos.relationships`: Dumoulin & Visin's 15 relationships vs real layers;
- :mod:`~vizkit.demos.ica`: first-layer-like filters without training (ICA, Gabor bank).

Each returns data (numpy arrays, dataclasses) that :mod:`vizkit.render` draws.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from vizkit._lazy import lazy_exports

if TYPE_CHECKING:
    from vizkit.demos.batchnorm import BatchNormTrace, batchnorm_trace
    from vizkit.demos.clipping import GradientClipping, clip_comparison
    from vizkit.demos.dropout import DropoutMasks, dropout_masks
    from vizkit.demos.ica import GaborBank, ICAFilters, gabor_bank, ica_filters, sample_patches
    from vizkit.demos.normalization import (
        NORMALIZATIONS,
        normalization_sets,
        normalization_sets_by_kind,
        normalize_by_sets,
    )
    from vizkit.demos.relationships import RelationshipTable, check_relationships

_NAMES = {
    "BatchNormTrace": ".batchnorm", "batchnorm_trace": ".batchnorm",
    "GradientClipping": ".clipping", "clip_comparison": ".clipping",
    "DropoutMasks": ".dropout", "dropout_masks": ".dropout",
    "GaborBank": ".ica", "ICAFilters": ".ica", "gabor_bank": ".ica", "ica_filters": ".ica",
    "sample_patches": ".ica",
    "NORMALIZATIONS": ".normalization", "normalization_sets": ".normalization",
    "normalize_by_sets": ".normalization", "normalization_sets_by_kind": ".normalization",
    "RelationshipTable": ".relationships", "check_relationships": ".relationships",
}  # fmt: skip

__all__ = sorted(_NAMES)
__getattr__, __dir__ = lazy_exports(__name__, globals(), _NAMES)
