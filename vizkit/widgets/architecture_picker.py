"""ArchitecturePicker: model × input resolution × batch size → the layer table and its bars.

Models are built on the meta device (shapes only, no memory, milliseconds even for VGG's
138 M parameters), so every change re-runs :func:`vizkit.summarize` at once. The HTML table
is replaced and the bars (a ``FigureWidget``) are updated in place.
"""

from __future__ import annotations

import html
import warnings
from collections.abc import Callable

import ipywidgets as widgets
import plotly.graph_objects as go
import torch
from torch import nn

from vizkit.render.architecture import layer_bars_figure
from vizkit.summary.summarize import summarize
from vizkit.summary.table import LayerTable
from vizkit.summary.table_html import human_bytes, human_count
from vizkit.widgets._figure_widget import FigureWidget
from vizkit.zoo.catalog import CATALOG

__all__ = ["ArchitecturePicker", "model_choices"]


def _torchvision_entries() -> dict[str, tuple[Callable[[], nn.Module], int, str]]:
    import torchvision

    models = torchvision.models
    out = {}
    for name in models.list_models(module=models):
        key = name if name not in CATALOG else f"{name} (torchvision)"
        if key in CATALOG:  # the zoo already has it under that name
            continue
        crop = models.get_model_weights(name).DEFAULT.transforms.keywords.get("crop_size", 224)
        out[key] = ((lambda name=name: models.get_model(name)), int(crop), "torchvision")
    return out


def model_choices() -> dict[str, tuple[Callable[[], nn.Module], int, str]]:
    """Every model the picker offers: value → (builder, default resolution, source).

    The zoo's paper-faithful models keep their names (``"vgg-D"``, ``"resnet50"`` is v1); the
    torchvision classifiers follow, under their torchvision names (``"vgg16"``,
    ``"convnext_tiny"``), suffixed ``" (torchvision)"`` where the zoo uses the same name
    (``"resnet50 (torchvision)"`` is v1.5).
    """
    zoo = {k: (e.builder, e.input_size[1], f"zoo, {e.paper}") for k, e in CATALOG.items()}
    return zoo | _torchvision_entries()


class ArchitecturePicker(widgets.VBox):
    """Pick a model, an input resolution and a batch size; see its table and bars at once.

    Args:
        model: starting model, a value of :func:`model_choices` (e.g. ``"vgg-D"``, ``"vgg16"``).
        resolution: input height = width; None uses the model's own (227 for AlexNet).
        batch_size: images per batch (scales activations and MACs, not parameters).

    Attributes:
        model: ``Dropdown`` of models (zoo first, then torchvision).
        resolution: ``IntSlider`` of the input side in pixels.
        batch_size: ``IntSlider`` of the batch size.
        table: the current :class:`~vizkit.inspect.LayerTable` (kept from the last valid
            setting while the status line shows an error).
        table_html: ``HTML`` with the table.
        figure: ``go.FigureWidget`` with the per-layer bars (params / MACs / memory).
        status: ``HTML`` status line: totals, or the error message of an impossible setting.
        error: the current error message, or None.

    Raises:
        ValueError: an unknown starting model (closest names suggested), or a starting
            resolution / batch size outside the sliders.
    """

    def __init__(
        self, model: str = "alexnet", *, resolution: int | None = None, batch_size: int = 1
    ) -> None:
        self._choices = model_choices()
        if model not in self._choices:
            from vizkit._suggest import did_you_mean

            raise ValueError(
                did_you_mean(
                    model,
                    self._choices,
                    what="model",
                    where="pick one of vizkit.widgets.architecture_picker.model_choices()",
                )
            )
        start = resolution if resolution is not None else self._choices[model][1]
        for name, value, low, high in (
            ("resolution", start, 16, 640),
            ("batch_size", batch_size, 1, 256),
        ):
            if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
                raise ValueError(
                    f"{name} {value!r} must be an int in {low}..{high}: e.g. "
                    f"{name}={low if name == 'batch_size' else 224}"
                )
        self._meta: dict[str, nn.Module] = {}
        self._busy = False
        self.table: LayerTable | None = None
        self.error: str | None = None
        self.model = widgets.Dropdown(
            options=list(self._choices),
            value=model,
            description="model",
            layout=widgets.Layout(width="330px"),
        )
        self.resolution = widgets.IntSlider(
            value=start, min=16, max=640, description="H = W", continuous_update=False
        )
        self.batch_size = widgets.IntSlider(
            value=batch_size, min=1, max=256, description="batch", continuous_update=False
        )
        self.status = widgets.HTML()
        self.status.add_class("vizkit-status")
        self.table_html = widgets.HTML()
        self.figure = FigureWidget()
        self.model.observe(self._on_model, names="value")
        self.resolution.observe(self._refresh, names="value")
        self.batch_size.observe(self._refresh, names="value")
        box = widgets.Box(
            [self.table_html],
            layout=widgets.Layout(max_height="420px", overflow="auto", border="1px solid #ddd"),
        )
        super().__init__(
            [
                widgets.HBox([self.model, self.resolution, self.batch_size]),
                self.status,
                self.figure,
                box,
            ]
        )
        self.add_class("vizkit-architecture-picker")
        self._refresh()

    def _on_model(self, change: object = None) -> None:
        # A new model starts at its own resolution; one refresh, not two.
        self._busy = True
        try:
            self.resolution.value = self._choices[self.model.value][1]
        finally:
            self._busy = False
        self._refresh()

    def _build(self, name: str) -> nn.Module:
        if name not in self._meta:
            builder = self._choices[name][0]
            # torchvision's GoogLeNet / Inception-v3 warn about their default init, which
            # a meta model (no values) never runs.
            with torch.device("meta"), warnings.catch_warnings():
                warnings.simplefilter("ignore", FutureWarning)
                self._meta[name] = builder()
        return self._meta[name]

    def _refresh(self, change: object = None) -> None:
        if self._busy:
            return
        name, side, batch = self.model.value, self.resolution.value, self.batch_size.value
        try:
            model = self._build(name)
            channels = CATALOG[name].input_size[0] if name in CATALOG else 3
            table = summarize(model, (channels, side, side), batch_size=batch)
            bars = layer_bars_figure(table, title=f"{name} at {batch}×{channels}×{side}×{side}")
        except Exception as err:  # any failure becomes the status line, never a traceback
            self.error = f"{name} at {side}×{side}: {err}"
            self.status.value = (
                "<div style='color:#b00020'>⚠ <b>Not a valid setting.</b> "
                f"{html.escape(self.error)}</div>"
            )
            return
        self.table, self.error = table, None
        self._draw(bars)
        self.table_html.value = table._repr_html_()
        self.status.value = html.escape(
            f"{name} ({self._choices[name][2]}): input {batch}×{channels}×{side}×{side} · "
            f"{human_count(table.total_params)} params · {human_count(table.total_macs)} MACs "
            f"({human_count(table.total_flops)} FLOPs) · activations "
            f"{human_bytes(table.activation_bytes)} · one training step with Adam ≈ "
            f"{human_bytes(table.training_memory('adam'))}"
        )

    def _draw(self, bars: go.Figure) -> None:
        """Update the bars in place (same three traces; new layers and values)."""
        if len(self.figure.data) != len(bars.data):
            self.figure.data = ()
            self.figure.add_traces(bars.data)
            self.figure.layout = bars.layout
            return
        with self.figure.batch_update():
            for old, new in zip(self.figure.data, bars.data, strict=True):
                old.update(x=new.x, y=new.y, hovertext=new.hovertext)
            self.figure.layout.title = bars.layout.title
            self.figure.layout.meta = bars.layout.meta
