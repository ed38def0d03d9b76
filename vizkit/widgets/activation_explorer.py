"""ActivationExplorer: a layer picker with output shapes, a channel slider, your own image."""

from __future__ import annotations

import html
from collections.abc import Callable, Sequence

import ipywidgets as widgets
import numpy as np
import plotly.graph_objects as go
import torch
from torch import nn

from vizkit.data import image_to_tensor, load_image
from vizkit.inspect.activations import feature_maps, layer_tree
from vizkit.render.activations import feature_maps_figure

__all__ = ["ActivationExplorer"]


class ActivationExplorer(widgets.VBox):
    """Feature maps of any layer for one image; upload your own picture to replace it.

    Args:
        model: The model (a zoo model, a torchvision model, the one just trained).
        image: ``(H, W, 3)`` picture in [0, 1] (e.g. :func:`vizkit.data.natural_image`).
        size: Side the picture is resized to for the model.
        channels: The model's input channels (1 or 3).
        mean, std: The model's input normalisation.
        max_maps: Feature maps shown at most.

    Attributes:
        layer: ``Dropdown`` over layers with 4-D output, labelled with the module tree
            indentation and output shape.
        channel: ``IntSlider`` choosing the map shown large.
        upload: ``FileUpload`` for the learner's own image.
        grid, single: ``go.FigureWidget`` of all maps / of the chosen channel.
        status: ``HTML`` status line.
    """

    def __init__(
        self, model: nn.Module, image: np.ndarray, *, size: int = 224, channels: int = 3,
        mean: Sequence[float] | None = None, std: Sequence[float] | None = None,
        max_maps: int = 64,
    ) -> None:
        self.model, self.max_maps = model, max_maps
        self._prepare: Callable[[np.ndarray], torch.Tensor] = lambda im: image_to_tensor(
            im, size=size, channels=channels, mean=mean, std=std)
        self.input = self._prepare(image)
        tree = layer_tree(model, self.input[None].to(next(model.parameters()).device))
        options = [(t.label, t.name) for t in tree
                   if t.output_shape is not None and len(t.output_shape) == 3]
        if not options:
            raise ValueError(f"{type(model).__name__} has no layer with a (C, H, W) output")
        self.layer = widgets.Dropdown(options=options, value=options[0][1], description="layer",
                                      layout=widgets.Layout(width="480px"))
        self.channel = widgets.IntSlider(value=0, min=0, max=0, description="channel")
        self.upload = widgets.FileUpload(accept="image/*", multiple=False,
                                         description="your image")
        self.grid, self.single = go.FigureWidget(), go.FigureWidget()
        self.status = widgets.HTML()
        self.layer.observe(self._refresh, names="value")
        self.channel.observe(self._show_channel, names="value")
        self.upload.observe(self._on_upload, names="value")
        super().__init__([widgets.HBox([self.layer, self.upload]), self.channel,
                          widgets.HBox([self.grid, self.single]), self.status])
        self._refresh()

    def load_upload(self, content: bytes) -> None:
        """Use an uploaded file's bytes as the image (errors go to the status line)."""
        try:
            self.input = self._prepare(load_image(content))
        except (ValueError, TypeError) as err:
            self.status.value = f"<span style='color:#b00020'>⚠ {html.escape(str(err))}</span>"
            return
        self._refresh()

    def _on_upload(self, change: dict) -> None:
        files = change["new"]
        if files:
            self.load_upload(bytes(files[0]["content"]))

    def _refresh(self, change: object = None) -> None:
        self.maps = feature_maps(self.model, self.input, self.layer.value).numpy()
        fig = feature_maps_figure(self.maps, title=self.layer.value, max_maps=self.max_maps)
        fig.update_layout(width=520, height=None)
        with self.grid.batch_update():
            self.grid.data = ()
            self.grid.add_traces(fig.data)
            self.grid.layout = fig.layout
        self.channel.max = len(self.maps) - 1
        self.channel.value = min(self.channel.value, self.channel.max)
        self._show_channel()

    def _show_channel(self, change: object = None) -> None:
        c = self.channel.value
        m = self.maps[c]
        with self.single.batch_update():
            self.single.data = ()
            self.single.add_heatmap(z=m, colorscale="Viridis")
            self.single.update_layout(
                title=f"{self.layer.value} channel {c}", width=380, height=380,
                yaxis={"autorange": "reversed", "scaleanchor": "x"},
            )
        self.status.value = html.escape(
            f"{self.layer.value}: {self.maps.shape[0]} maps {m.shape[0]}×{m.shape[1]}; "
            f"channel {c}: min {m.min():.3g}, max {m.max():.3g}, "
            f"{(m > 0).mean():.0%} of units positive"
        )
