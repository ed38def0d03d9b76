"""Convolution arithmetic: sizes, padding, read patterns, receptive fields, counts.

Standard library only (``import vizkit.geometry`` loads no numpy, torch or plotly), so the
arithmetic is instant in a notebook and usable anywhere. Every formula matches PyTorch; the
tests check each one against real ``nn.Conv2d`` / ``nn.ConvTranspose2d`` / pooling layers.

The fifteen relationships of Dumoulin & Visin's "A guide to convolution arithmetic" are all
special cases of :func:`conv_output_size`, :func:`conv_transpose_output_size` and
:func:`pool_output_size`; :data:`RELATIONSHIPS` lists them as data (conditions, closed form,
the guide's example), checked in ``tests/geometry/test_dumoulin_visin.py``.
"""

from vizkit.geometry._checks import (
    PADDING_MODES,
    PADDING_NAMES,
    GeometryError,
    IntOrPair,
    PaddingMode,
    PaddingName,
    PaddingSpec,
    check_padding_mode,
    check_padding_name,
)
from vizkit.geometry.conv import ConvGeometry, conv_output_size, resolve_padding, same_padding
from vizkit.geometry.counts import conv_macs, conv_params
from vizkit.geometry.pool import PoolGeometry, PoolKind, pool_output_size
from vizkit.geometry.receptive import ReceptiveField, Window, receptive_field_chain
from vizkit.geometry.relationships import (
    RELATIONSHIPS,
    Relationship,
    RelationshipKind,
    Setting,
    relationship,
)
from vizkit.geometry.transpose import ConvTransposeGeometry, conv_transpose_output_size

__all__ = [
    "PADDING_MODES",
    "PADDING_NAMES",
    "RELATIONSHIPS",
    "ConvGeometry",
    "ConvTransposeGeometry",
    "GeometryError",
    "IntOrPair",
    "PaddingMode",
    "PaddingName",
    "PaddingSpec",
    "PoolGeometry",
    "PoolKind",
    "ReceptiveField",
    "Relationship",
    "RelationshipKind",
    "Setting",
    "Window",
    "check_padding_mode",
    "check_padding_name",
    "conv_macs",
    "conv_output_size",
    "conv_params",
    "conv_transpose_output_size",
    "pool_output_size",
    "receptive_field_chain",
    "relationship",
    "resolve_padding",
    "same_padding",
]
