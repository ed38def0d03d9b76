"""ActivationExplorer: a model picker, a layer picker with output shapes, a channel slider,
your own image."""

from __future__ import annotations

import html
from collections.abc import Callable, Sequence

import ipywidgets as widgets
import numpy as np
import torch
from torch import nn

from vizkit._validate import check_int, check_pair, check_str, describe
from vizkit.data import image_to_tensor, load_image
from vizkit.inspect.activations import feature_maps, layer_tree
from vizkit.render.activations import feature_maps_figure
from vizkit.widgets._figure_widget import FigureWidget
from vizkit.zoo.choice import (
    GIVEN,
    TORCHVISION_MODELS,
    load_choice,
    picker_choice,
    transform_images,
)

__all__ = ["ActivationExplorer"]

_ERRORS = (ValueError, TypeError, RuntimeError, OSError)
Prepare = Callable[[np.ndarray], torch.Tensor]


def _error(err: BaseException) -> str:
    return f"<span style='color:#b00020'>⚠ {html.escape(str(err))}</span>"


class ActivationExplorer(widgets.VBox):
    """Feature maps of any layer of any model for one image; upload your own picture.

    Args:
        model: The model to start with (e.g. the one just trained), or a picker key:
            ``"zoo:alexnet"``, ``"torchvision:resnet18"`` (ImageNet weights and their
            ``transforms()`` when they can be had, random weights with a note when not).
        image: ``(H, W, 3)`` picture in [0, 1] (e.g. :func:`vizkit.data.natural_image`).
        size: Side the picture is resized to for the passed-in model.
        channels: The passed-in model's input channels (1 or 3).
        mean, std: The passed-in model's input normalisation.
        transforms: Instead of ``size``/``mean``/``std``: the passed-in model's preprocessing
            on a ``(3, H, W)`` tensor in [0, 1], e.g. ``load_pretrained(...).transforms``.
        max_maps: Feature maps shown at most.
        model_name: Label of the passed-in model in the picker.
        torchvision_models: torchvision builder names the picker offers.

    Attributes:
        model_picker: ``Dropdown`` of models (yours, the zoo, torchvision).
        model: The model shown now.
        layer: ``Dropdown`` over layers with 4-D output, labelled with the module tree
            indentation and output shape.
        channel: ``IntSlider`` choosing the map shown large.
        upload: ``FileUpload`` for the learner's own image.
        grid, single: ``go.FigureWidget`` of all maps / of the chosen channel.
        status: ``HTML`` status line (errors appear here, not as tracebacks).

    Raises:
        ValueError: The starting model has no layer with a ``(C, H, W)`` output, cannot run
            on the prepared image, or the key is unknown.
    """

    def __init__(
        self,
        model: nn.Module | str,
        image: np.ndarray,
        *,
        size: int = 224,
        channels: int = 3,
        mean: Sequence[float] | None = None,
        std: Sequence[float] | None = None,
        transforms: Callable[[torch.Tensor], torch.Tensor] | None = None,
        max_maps: int = 64,
        model_name: str | None = None,
        torchvision_models: Sequence[str] = TORCHVISION_MODELS,
    ) -> None:
        self.max_maps = check_int("max_maps", max_maps, minimum=1, maximum=4096)
        if size is not None:
            check_pair("size", size, minimum=1, maximum=4096)
        if model_name is not None:
            check_str("model_name", model_name)
        if transforms is not None and not callable(transforms):
            raise TypeError(
                "transforms must be callable (e.g. weights.transforms()), got "
                f"{describe(transforms)}"
            )
        self.image = image
        self._models: dict[str, tuple[nn.Module, Prepare, str | None]] = {}
        self._quiet = False
        given = None
        if isinstance(model, nn.Module):
            given = model_name or f"your model ({type(model).__name__})"
            if transforms is not None:
                prepare: Prepare = lambda im: transform_images(transforms, im)  # noqa: E731
            else:
                prepare = lambda im: image_to_tensor(  # noqa: E731
                    im, size=size, channels=channels, mean=mean, std=std
                )
            self._models[GIVEN] = (model, prepare, None)
        key, options = picker_choice(model, given=given, torchvision_models=torchvision_models)
        self.model_picker = widgets.Dropdown(
            options=options, value=key, description="model", layout=widgets.Layout(width="480px")
        )
        self.layer = widgets.Dropdown(description="layer", layout=widgets.Layout(width="480px"))
        self.channel = widgets.IntSlider(value=0, min=0, max=0, description="channel")
        self.upload = widgets.FileUpload(accept="image/*", multiple=False, description="your image")
        self.grid, self.single = FigureWidget(), FigureWidget()
        self.status = widgets.HTML()
        self._use(key)  # the starting model: errors raise (there is nothing to show yet)
        self.model_picker.observe(self._pick_model, names="value")
        self.layer.observe(self._refresh, names="value")
        self.channel.observe(self._show_channel, names="value")
        self.upload.observe(self._on_upload, names="value")
        super().__init__(
            [
                self.model_picker,
                widgets.HBox([self.layer, self.upload]),
                self.channel,
                widgets.HBox([self.grid, self.single]),
                self.status,
            ]
        )
        self._refresh()

    def _load(self, key: str) -> tuple[nn.Module, Prepare, str | None]:
        if key not in self._models:
            choice = load_choice(key)
            if choice.transforms is not None:
                tf = choice.transforms
                prepare: Prepare = lambda im: transform_images(tf, im)  # noqa: E731
            else:
                c, h, w = choice.input_size
                prepare = lambda im: image_to_tensor(im, size=(h, w), channels=c)  # noqa: E731
            self._models[key] = (choice.model, prepare, choice.note)
        return self._models[key]

    def _use(self, key: str) -> None:
        """Switch to model ``key``: prepare the image, list its layers (raises on failure)."""
        model, prepare, note = self._load(key)
        x = prepare(self.image)
        device = next(model.parameters()).device
        tree = layer_tree(model, x[None].to(device))
        options = [
            (t.label, t.name)
            for t in tree
            if t.output_shape is not None and len(t.output_shape) == 3
        ]
        if not options:
            raise ValueError(f"{type(model).__name__} has no layer with a (C, H, W) output")
        self.model, self._prepare, self._note, self.input = model, prepare, note, x
        self._quiet = True  # one refresh for the new model, not one per option change
        try:
            self.layer.options = options
            self.layer.value = options[0][1]
        finally:
            self._quiet = False

    def _pick_model(self, change: object = None) -> None:
        try:
            self._use(self.model_picker.value)
        except _ERRORS as err:
            self.status.value = _error(err)
            return
        self._refresh()

    def load_upload(self, content: bytes) -> None:
        """Use an uploaded file's bytes as the image (errors go to the status line)."""
        try:
            image = load_image(content)
            x = self._prepare(image)
        except _ERRORS as err:
            self.status.value = _error(err)
            return
        self.image, self.input = image, x
        self._refresh()

    def _on_upload(self, change: dict) -> None:
        files = change["new"]
        if files:
            self.load_upload(bytes(files[0]["content"]))

    def _refresh(self, change: object = None) -> None:
        if self._quiet:
            return
        try:
            maps = feature_maps(self.model, self.input, self.layer.value).numpy()
            fig = feature_maps_figure(maps, title=self.layer.value, max_maps=self.max_maps)
        except _ERRORS as err:
            self.status.value = _error(err)
            return
        self.maps = maps
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
                title=f"{self.layer.value} channel {c}",
                width=380,
                height=380,
                yaxis={"autorange": "reversed", "scaleanchor": "x"},
            )
        self.status.value = html.escape(
            f"{self.layer.value}: {self.maps.shape[0]} maps {m.shape[0]}×{m.shape[1]}; "
            f"channel {c}: min {m.min():.3g}, max {m.max():.3g}, "
            f"{(m > 0).mean():.0%} of units positive" + (f". {self._note}" if self._note else "")
        )
