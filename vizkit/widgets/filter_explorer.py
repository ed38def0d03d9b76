"""FilterExplorer: pick a model, a conv layer, a filter, a normalisation and a display mode."""

from __future__ import annotations

import html
from collections.abc import Sequence
from typing import get_args

import ipywidgets as widgets
import plotly.graph_objects as go
import torch
from torch import nn

from vizkit._validate import check_int, check_str
from vizkit.inspect.filters import FilterMode, Normalization, conv_weight, filter_grid
from vizkit.render.filters import filter_grid_figure
from vizkit.widgets._figure_widget import FigureWidget
from vizkit.zoo.choice import GIVEN, TORCHVISION_MODELS, load_choice, picker_choice

__all__ = ["FilterExplorer"]

_ERRORS = (ValueError, TypeError, RuntimeError, OSError)


def _error(err: BaseException) -> str:
    return f"<span style='color:#b00020'>⚠ {html.escape(str(err))}</span>"


def _conv_layers(model: nn.Module) -> dict[str, nn.Module]:
    return {
        n: m
        for n, m in model.named_modules()
        if isinstance(getattr(m, "weight", None), torch.Tensor) and m.weight.dim() == 4
    }


def _replace(target: go.FigureWidget, fig: go.Figure) -> None:
    with target.batch_update():
        target.data = ()
        target.add_traces(fig.data)
        target.layout = fig.layout


class FilterExplorer(widgets.VBox):
    """Browse the conv filters of a model you pass in, a zoo model or a torchvision model.

    Args:
        model: The model to start with (e.g. the one just trained), or a picker key:
            ``"zoo:alexnet"``, ``"torchvision:resnet18"`` (ImageNet weights when they can be
            had, random ones with a note in the status line when not).
        layer: Starting layer (default: the first conv layer).
        max_filters: Filters shown at most in the grid.
        model_name: Label of the passed-in model in the picker.
        torchvision_models: torchvision builder names the picker offers.

    Attributes:
        model_picker: ``Dropdown`` of models (yours, the zoo, torchvision).
        model: The model shown now.
        layer: ``Dropdown`` of the conv layers (label shows the weight shape).
        channel: ``IntSlider`` choosing the filter (output channel) shown large, every input
            channel a tile.
        normalize: ``ToggleButtons`` per_filter / per_layer / symmetric.
        mode: ``Dropdown`` auto / rgb / per_channel / channel_sum.
        figure, single: ``go.FigureWidget`` of the layer's grid / of the chosen filter.
        grid: The current :class:`~vizkit.inspect.filters.FilterGrid`.
        status: ``HTML`` status line (errors appear here, not as tracebacks).

    Raises:
        ValueError: The starting model has no conv layer, ``layer`` is not one of them, or
            the key is unknown.
    """

    def __init__(
        self,
        model: nn.Module | str = "zoo:alexnet",
        *,
        layer: str | None = None,
        max_filters: int = 64,
        model_name: str | None = None,
        torchvision_models: Sequence[str] = TORCHVISION_MODELS,
    ) -> None:
        self.max_filters = check_int("max_filters", max_filters, minimum=1, maximum=4096)
        if model_name is not None:
            check_str("model_name", model_name)
        self._models: dict[str, nn.Module] = {}
        self._quiet = False
        self._notes: dict[str, str | None] = {}
        given = None
        if isinstance(model, nn.Module):
            given = model_name or f"your model ({type(model).__name__})"
            self._models[GIVEN], self._notes[GIVEN] = model, None
        key, options = picker_choice(model, given=given, torchvision_models=torchvision_models)
        self.model = self._load(key)
        convs = _conv_layers(self.model)
        if not convs:
            raise ValueError(f"{type(self.model).__name__} has no conv layer with a 4-D weight")
        if layer is not None and layer not in convs:
            raise ValueError(f"layer {layer!r} is not a conv layer; choose from {list(convs)}")
        self.model_picker = widgets.Dropdown(
            options=options, value=key, description="model", layout=widgets.Layout(width="480px")
        )
        self.layer = widgets.Dropdown(description="layer")
        self.channel = widgets.IntSlider(value=0, min=0, max=0, description="filter")
        self.normalize = widgets.ToggleButtons(
            options=list(get_args(Normalization)), value="per_filter", description="scale"
        )
        self.mode = widgets.Dropdown(
            options=list(get_args(FilterMode)), value="auto", description="mode"
        )
        self.figure, self.single = FigureWidget(), FigureWidget()
        self.status = widgets.HTML()
        self._set_layers(layer)
        self.model_picker.observe(self._pick_model, names="value")
        for control in (self.layer, self.normalize, self.mode):
            control.observe(self._refresh, names="value")
        self.channel.observe(self._show_filter, names="value")
        super().__init__(
            [
                self.model_picker,
                widgets.HBox([self.layer, self.mode]),
                self.normalize,
                self.channel,
                widgets.HBox([self.figure, self.single]),
                self.status,
            ]
        )
        self._refresh()

    def _load(self, key: str) -> nn.Module:
        if key not in self._models:
            choice = load_choice(key)
            self._models[key], self._notes[key] = choice.model, choice.note
        return self._models[key]

    def _set_layers(self, layer: str | None = None) -> None:
        convs = _conv_layers(self.model)
        options = [(f"{n}  {tuple(m.weight.shape)}", n) for n, m in convs.items()]
        self._quiet = True  # one refresh for the new model, not one per option change
        try:
            self.layer.options = options
            self.layer.value = layer or options[0][1]
        finally:
            self._quiet = False

    def _pick_model(self, change: object = None) -> None:
        try:
            model = self._load(self.model_picker.value)
            if not _conv_layers(model):
                raise ValueError(f"{type(model).__name__} has no conv layer with a 4-D weight")
        except _ERRORS as err:
            self.status.value = _error(err)
            return
        self.model = model
        self._set_layers()
        self._refresh()

    def _refresh(self, change: object = None) -> None:
        if self._quiet:
            return
        try:
            grid = filter_grid(
                self.model,
                self.layer.value,
                normalize=self.normalize.value,
                mode=self.mode.value,
                max_filters=self.max_filters,
            )
            self._weight = conv_weight(self.model, self.layer.value)
        except _ERRORS as err:
            self.status.value = _error(err)
            return
        _replace(self.figure, filter_grid_figure(grid))
        self.grid = grid
        self.channel.max = len(self._weight) - 1
        self.channel.value = min(self.channel.value, self.channel.max)
        self._show_filter()

    def _show_filter(self, change: object = None) -> None:
        c = self.channel.value
        try:
            w = self._weight[c : c + 1]
            one = filter_grid(
                w,
                normalize=self.normalize.value,
                mode="rgb"
                if w.shape[1] == 3 and self.mode.value != "per_channel"
                else "per_channel",
                nrow=min(w.shape[1], 16),
            )
        except _ERRORS as err:
            self.status.value = _error(err)
            return
        fig = filter_grid_figure(one, title=f"{self.layer.value} filter {c}")
        fig.update_layout(width=380, height=None)
        _replace(self.single, fig)
        self.filter_image = one
        note = self._notes.get(self.model_picker.value)
        self.status.value = html.escape(
            f"{self.grid.title} — {self.grid.caption}. Filter {c}: min {float(w.min()):.3g}, "
            f"max {float(w.max()):.3g}, L2 norm {float(w.norm()):.3g}"
            + (f". {note}" if note else "")
        )
