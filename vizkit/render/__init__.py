"""Figures: data in (traces from :mod:`vizkit.sliding`, numpy arrays), ``go.Figure`` out.

Nothing here imports torch or displays itself; a notebook's last expression shows the figure.
Names follow the house scheme: ``*_animation`` (a figure with frames, play/pause, a slider)
and ``*_figure`` (a still figure).
"""
