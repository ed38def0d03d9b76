"""Figures: data in (traces from :mod:`vizkit.sliding`, numpy arrays), ``go.Figure`` out.

Nothing here imports torch or displays itself; a notebook's last expression shows the figure.
Names follow the house scheme: ``*_animation`` (a figure with frames, play/pause, a slider)
and ``*_figure`` (a still figure).
"""

import sys as _sys

if "IPython" in _sys.modules:  # a kernel, where figures are displayed: see defer_nbformat
    from vizkit.render._plotly_internals import defer_nbformat as _defer_nbformat

    _defer_nbformat()
