"""ConvExplorer: every ``nn.Conv2d`` knob on a slider, the convolution drawn step by step.

Wiring only: the numbers come from :func:`vizkit.sliding.conv2d_trace` (equal to
``F.conv2d``), the drawing from :class:`vizkit.render.conv.ConvScene`. Moving a control
updates the figure in place; an impossible setting shows the teaching message of
:class:`vizkit.GeometryError` in the status line.
"""

from __future__ import annotations

import html

import ipywidgets as widgets
import numpy as np

from vizkit._validate import check_seed
from vizkit.geometry import (
    PADDING_MODES,
    PADDING_NAMES,
    GeometryError,
    PaddingMode,
    PaddingName,
    check_padding_mode,
    check_padding_name,
)
from vizkit.render.conv import ConvScene
from vizkit.sliding import conv2d_trace
from vizkit.widgets._explorer import SceneExplorer, code_html, slider

__all__ = ["ConvExplorer"]

PADDING_KINDS = ("number", *PADDING_NAMES)


class ConvExplorer(SceneExplorer):
    """Explore a 2D convolution: sizes, stride, padding, dilation, channels, step by step.

    The input and weights are small random integers (seeded), so every product and sum can
    be checked by hand. The status line shows the output size, the formula with the current
    numbers, the parameter count and the ``nn.Conv2d`` line.

    Args:
        input_height: starting input height H.
        input_width: starting input width W.
        kernel_size: starting kernel size (square).
        stride: starting stride.
        padding: an int, or ``"valid"`` / ``"same"`` / ``"full"``.
        dilation: starting dilation.
        padding_mode: ``"zeros"``, ``"reflect"``, ``"replicate"`` or ``"circular"``.
        in_channels: input channels (one lane each, up to 4).
        out_channels: output channels (one filter and output grid each, up to 4).
        seed: seed of the random integer input and weights.

    Raises:
        TypeError, ValueError: a starting value of the wrong kind or below its minimum.

    Attributes:
        input_height, input_width, kernel_size, stride, padding, dilation, in_channels,
        out_channels: ``IntSlider`` controls. padding_kind, padding_mode: ``Dropdown``.
        step, play, speed: the step-through controls. figure: the ``go.FigureWidget``.
        status: the ``HTML`` status line. trace: the current ``ConvTrace`` (or None).

    Example:
        >>> explorer = ConvExplorer(input_height=5, input_width=5, kernel_size=3)
        >>> explorer.trace.output.shape
        (1, 3, 3)
        >>> explorer.stride.value = 2
        >>> explorer.trace.output.shape, explorer.step.max
        ((1, 2, 2), 3)
    """

    LABEL_IMAGES = ("input", "output", "kernel", "products", "headings")
    SHAPES = ("cover", "window", "current")

    def __init__(
        self,
        input_height: int = 5,
        input_width: int = 5,
        kernel_size: int = 3,
        stride: int = 1,
        padding: int | PaddingName = 0,
        dilation: int = 1,
        *,
        padding_mode: PaddingMode = "zeros",
        in_channels: int = 1,
        out_channels: int = 1,
        seed: int = 0,
    ) -> None:
        if isinstance(padding, str):
            kind, number = check_padding_name(padding), 0
        else:
            kind, number = "number", padding
        check_padding_mode(padding_mode)
        self.input_height = slider("input_height", input_height, 1, 16, "input H")
        self.input_width = slider("input_width", input_width, 1, 16, "input W")
        self.kernel_size = slider("kernel_size", kernel_size, 1, 7)
        self.stride = slider("stride", stride, 1, 5)
        self.padding = slider("padding", number, 0, 5)
        self.dilation = slider("dilation", dilation, 1, 4)
        self.in_channels = slider("in_channels", in_channels, 1, 4, limit=8)
        self.out_channels = slider("out_channels", out_channels, 1, 4, limit=8)
        self.padding_kind = widgets.Dropdown(
            options=PADDING_KINDS,
            value=kind,
            description="padding is",
            layout=widgets.Layout(width="330px"),
        )
        self.padding_mode = widgets.Dropdown(
            options=PADDING_MODES,
            value=padding_mode,
            description="padding_mode",
            layout=widgets.Layout(width="330px"),
        )
        self.seed = check_seed(seed)
        self.trace = None
        super().__init__(
            [
                self.input_height,
                self.input_width,
                self.kernel_size,
                self.stride,
                self.padding_kind,
                self.padding,
                self.dilation,
                self.padding_mode,
                self.in_channels,
                self.out_channels,
            ],
            "vizkit-conv-explorer",
        )
        self._refresh()

    def _padding(self) -> int | str:
        kind = self.padding_kind.value
        return int(self.padding.value) if kind == "number" else str(kind)

    def _build(self) -> ConvScene:
        self.padding.disabled = self.padding_kind.value != "number"
        rng = np.random.default_rng(self.seed)
        c, k = self.in_channels.value, self.out_channels.value
        size = self.kernel_size.value
        x = rng.integers(-2, 4, (c, self.input_height.value, self.input_width.value))
        w = rng.integers(-1, 2, (k, c, size, size))
        bias = np.arange(k, dtype=float) if c * k > 1 else None
        try:
            trace = conv2d_trace(
                x,
                w,
                bias,
                stride=self.stride.value,
                padding=self._padding(),
                dilation=self.dilation.value,
                padding_mode=self.padding_mode.value,
            )
        except GeometryError:
            self.trace = None
            raise
        self.trace = trace
        return ConvScene(trace)

    def _status(self, scene: ConvScene) -> str:
        geo, trace = scene.geometry, scene.trace
        ho, wo = geo.output_size
        weights = scene.kh * scene.kw * scene.cg * scene.out_channels
        bias = scene.out_channels if trace.bias is not None else 0
        parts = [
            f"<b>output: {scene.out_channels} × {ho} × {wo}</b> "
            f"(one frame per output cell: {scene.n_steps} steps)",
            code_html(geo.formula()),
            code_html(
                geo.torch_code(scene.channels, scene.out_channels, bias=trace.bias is not None)
            ),
            f"parameters F·F·D·K{' + K' if bias else ''} = {weights + bias}",
        ]
        rows, cols = geo.unread_input
        if rows or cols:
            parts.append(
                "<span style='color:#8a5a00'>⚠ never read (grey): input rows "
                f"{html.escape(str(list(rows)))}, columns {html.escape(str(list(cols)))}: "
                "the kernel does not fit evenly (change padding or stride to use them)</span>"
            )
        return "<div>" + "<br>".join(parts) + "</div>"
