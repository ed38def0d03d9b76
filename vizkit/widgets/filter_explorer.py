"""FilterExplorer: pick a conv layer, a normalisation and a display mode; see its filters."""

from __future__ import annotations

import html
from typing import get_args

import ipywidgets as widgets
import plotly.graph_objects as go
import torch
from torch import nn

from vizkit.inspect.filters import FilterMode, Normalization, filter_grid
from vizkit.render.filters import filter_grid_figure

__all__ = ["FilterExplorer"]


class FilterExplorer(widgets.VBox):
    """Browse a model's conv filters.

    Args:
        model: Any model with ``Conv2d`` layers (a zoo model, a torchvision model, the one
            just trained).
        layer: Starting layer (default: the first conv layer).
        max_filters: Filters shown at most.

    Attributes:
        layer: ``Dropdown`` of the conv layers (label shows the weight shape).
        normalize: ``ToggleButtons`` per_filter / per_layer / symmetric.
        mode: ``Dropdown`` auto / rgb / per_channel / channel_sum.
        figure: The ``go.FigureWidget``.
        status: ``HTML`` status line (errors appear here, not as tracebacks).

    Raises:
        ValueError: The model has no conv layer, or ``layer`` is not one of them.
    """

    def __init__(self, model: nn.Module, *, layer: str | None = None, max_filters: int = 64
                 ) -> None:
        convs = {n: m for n, m in model.named_modules()
                 if isinstance(getattr(m, "weight", None), torch.Tensor) and m.weight.dim() == 4}
        if not convs:
            raise ValueError(f"{type(model).__name__} has no conv layer with a 4-D weight")
        if layer is not None and layer not in convs:
            raise ValueError(f"layer {layer!r} is not a conv layer; choose from {list(convs)}")
        self.model, self.max_filters = model, max_filters
        options = [(f"{n}  {tuple(m.weight.shape)}", n) for n, m in convs.items()]
        self.layer = widgets.Dropdown(options=options, value=layer or next(iter(convs)),
                                      description="layer")
        self.normalize = widgets.ToggleButtons(options=list(get_args(Normalization)),
                                               value="per_filter", description="scale")
        self.mode = widgets.Dropdown(options=list(get_args(FilterMode)), value="auto",
                                     description="mode")
        self.figure = go.FigureWidget()
        self.status = widgets.HTML()
        for control in (self.layer, self.normalize, self.mode):
            control.observe(self._refresh, names="value")
        super().__init__([widgets.HBox([self.layer, self.mode]), self.normalize, self.figure,
                          self.status])
        self._refresh()

    def _refresh(self, change: object = None) -> None:
        try:
            grid = filter_grid(self.model, self.layer.value, normalize=self.normalize.value,
                               mode=self.mode.value, max_filters=self.max_filters)
        except ValueError as err:
            self.status.value = f"<span style='color:#b00020'>⚠ {html.escape(str(err))}</span>"
            return
        fig = filter_grid_figure(grid)
        with self.figure.batch_update():
            self.figure.data = ()
            self.figure.add_traces(fig.data)
            self.figure.layout = fig.layout
        self.grid = grid
        self.status.value = html.escape(f"{grid.title} — {grid.caption}")
