"""Traces of sliding-window operations: which input cells each output cell reads, the
products and the sums, for convolution, transposed convolution and pooling.

numpy only (``import vizkit.sliding`` loads neither torch nor plotly; torch tensors are
accepted as inputs all the same). Every trace's ``.output`` equals torch's functional op
(``F.conv2d``, ``F.conv_transpose2d``, ``F.max_pool2d``/``avg_pool2d``/``lp_pool2d``,
``F.conv1d``), computed vectorised; ``.steps`` holds one step per output cell (per input cell
for the transposed convolution's scatter view), built lazily, so frame ``k`` of an animation
is ``trace.steps[k]``. Geometry (sizes, unread rows/columns) comes from
:mod:`vizkit.geometry` via ``trace.geometry``.

Modules: :mod:`~vizkit.sliding.conv` (2D convolution), :mod:`~vizkit.sliding.transpose`
(transposed convolution: scatter and direct views), :mod:`~vizkit.sliding.adjoint` (why it is
called "transposed"), :mod:`~vizkit.sliding.pool` (max / avg / Lp pooling),
:mod:`~vizkit.sliding.backward` (where max pooling sends the gradient),
:mod:`~vizkit.sliding.conv1d` (1D, and convolution vs cross-correlation).
"""

from vizkit.sliding.adjoint import AdjointCheck, adjoint_check
from vizkit.sliding.backward import max_pool2d_backward
from vizkit.sliding.conv import ConvStep, ConvTrace, conv2d_trace
from vizkit.sliding.conv1d import Conv1dStep, Conv1dTrace, conv1d_trace
from vizkit.sliding.pool import PoolStep, PoolTrace, pool2d_trace
from vizkit.sliding.transpose import ConvTransposeTrace, StampStep, conv_transpose2d_trace

__all__ = [
    "AdjointCheck",
    "Conv1dStep",
    "Conv1dTrace",
    "ConvStep",
    "ConvTrace",
    "ConvTransposeTrace",
    "PoolStep",
    "PoolTrace",
    "StampStep",
    "adjoint_check",
    "conv1d_trace",
    "conv2d_trace",
    "conv_transpose2d_trace",
    "max_pool2d_backward",
    "pool2d_trace",
]
