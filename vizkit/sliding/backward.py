"""Where max pooling sends the gradient: back through the argmax "switches".

Max pooling passes each window's largest value on, so its gradient flows only to that one
cell; every other cell of the window gets zero. The forward trace already knows the
winners (``PoolTrace.indices``, identical to ``F.max_pool2d(..., return_indices=True)``), so
the backward pass is a scatter-add, the same that ``F.max_unpool2d`` would do for one window.
"""

from __future__ import annotations

import numpy as np

from vizkit.sliding._arrays import FloatArray, as_float_array
from vizkit.sliding._pool_math import axis_masks
from vizkit.sliding.pool import PoolTrace


def max_pool2d_backward(trace: PoolTrace, grad_output: object) -> FloatArray:
    """Where max pooling sends the gradient: each output's gradient goes to its switch.

    ``grad_input[n, c].flat[indices[n, c, i, j]] += grad_output[n, c, i, j]``, the scatter-add
    that autograd does through ``F.max_pool2d``: cells that win no window get 0, a cell that
    wins several overlapping windows gets the sum.

    Args:
        trace: a max-pooling :class:`PoolTrace`.
        grad_output: upstream gradient, the shape of ``trace.output``.

    Returns:
        The input gradient, the shape of ``trace.input``.

    Raises:
        ValueError: ``trace`` is not max pooling, or ``grad_output`` has the wrong shape.

    Example:
        >>> import numpy as np
        >>> from vizkit.sliding import pool2d_trace
        >>> t = pool2d_trace(np.array([[[1.0, 5, 2], [3, 4, 6], [0, 0, 0]]]), 2, stride=1)
        >>> max_pool2d_backward(t, np.ones((1, 2, 2)))
        array([[[0., 1., 0.],
                [0., 1., 2.],
                [0., 0., 0.]]])
    """
    if not isinstance(trace, PoolTrace):
        raise TypeError(f"trace must be a PoolTrace from pool2d_trace, got {type(trace).__name__}")
    if trace.kind != "max" or trace.indices is None:
        raise ValueError(
            f"max_pool2d_backward needs a max-pooling trace, got kind {trace.kind!r}: "
            "use pool2d_trace(..., kind='max')"
        )
    grad = as_float_array("grad_output", grad_output)
    if grad.shape != trace.output.shape:
        raise ValueError(
            f"grad_output must have the output's shape {trace.output.shape}, got {grad.shape}"
        )
    x4_shape = trace.input.shape if trace.batched else (1, *trace.input.shape)
    n, c, h, w = x4_shape
    idx = trace.indices.reshape(n, c, -1)
    g = grad.reshape(n, c, -1)
    # A dilated window lying wholly in the padding reads no input: its output (−∞) does not
    # depend on x, so it sends no gradient. (torch reports a position past the window as its
    # index and its backward writes there: into a wrong cell, or out of bounds.)
    rows, cols = axis_masks(trace.geometry, 0)[0], axis_masks(trace.geometry, 1)[0]
    reads = (np.any(rows, axis=1)[:, None] & np.any(cols, axis=1)[None, :]).reshape(-1)
    keep = np.broadcast_to(reads, idx.shape)
    result = np.zeros((n, c, h * w))
    nn_, cc, _ = np.nonzero(keep)
    np.add.at(result, (nn_, cc, idx[keep]), g[keep])
    return result.reshape(trace.input.shape)
