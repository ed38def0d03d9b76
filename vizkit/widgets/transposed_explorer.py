"""TransposedConvExplorer: ``nn.ConvTranspose2d``'s knobs, the scatter and direct views live.

Wiring only: numbers from :func:`vizkit.sliding.conv_transpose2d_trace` (equal to
``F.conv_transpose2d``), drawing from :class:`vizkit.render.transpose.TransposedScene`.
"""

from __future__ import annotations

import numpy as np

from vizkit._validate import check_seed
from vizkit.render.transpose import TransposedScene
from vizkit.sliding import conv_transpose2d_trace
from vizkit.widgets._explorer import SceneExplorer, code_html, slider

__all__ = ["TransposedConvExplorer"]


class TransposedConvExplorer(SceneExplorer):
    """Explore a transposed convolution, stamp by stamp, with input and output channels.

    With several channels, output channel ``o`` is the sum over input channels ``c`` of the
    stamps of ``x[c]`` with ``weight[c, o]``; the drawing shows one ``(c, o)`` pair (chosen
    with ``show_in`` / ``show_out``) and the status line gives the whole layer: output shape,
    parameter count ``C_in·C_out·k² + C_out`` and the ``nn.ConvTranspose2d`` line.
    (``nn.ConvTranspose2d`` takes numeric padding only and ``padding_mode="zeros"``, so the
    explorer offers no ``"same"``/``"full"`` or padding modes.)

    Args:
        input_height, input_width: input size.
        kernel_size: square kernel.
        stride, padding, output_padding, dilation: as ``nn.ConvTranspose2d``.
        in_channels, out_channels: channels of the layer (1–4).
        seed: seed of the random integer input and kernel.

    Attributes:
        input_height, input_width, kernel_size, stride, padding, output_padding, dilation,
        in_channels, out_channels, show_in, show_out: ``IntSlider`` controls; step, play,
        speed, figure, status as :class:`~vizkit.widgets.conv_explorer.ConvExplorer`.
        trace: the whole layer's trace (all channels; ``.output`` equals
        ``F.conv_transpose2d``); ``pair_trace`` the drawn ``(show_in, show_out)`` pair's.

    Example:
        >>> e = TransposedConvExplorer(input_height=2, input_width=2, kernel_size=3)
        >>> e.trace.output.shape
        (1, 4, 4)
        >>> e.stride.value = 2
        >>> e.trace.output.shape
        (1, 5, 5)
    """

    LABEL_IMAGES = (
        "input",
        "kernel",
        "direct input",
        "flipped kernel",
        "direct output",
        "canvas",
        "headings",
    )
    SHAPES = ("output region", "output_padding", "input cell", "stamp")

    def __init__(
        self,
        input_height: int = 2,
        input_width: int = 2,
        kernel_size: int = 3,
        stride: int = 1,
        padding: int = 0,
        output_padding: int = 0,
        dilation: int = 1,
        *,
        in_channels: int = 1,
        out_channels: int = 1,
        seed: int = 0,
    ) -> None:
        self.input_height = slider("input_height", input_height, 1, 6, "input H")
        self.input_width = slider("input_width", input_width, 1, 6, "input W")
        self.kernel_size = slider("kernel_size", kernel_size, 1, 5)
        self.stride = slider("stride", stride, 1, 4)
        self.padding = slider("padding", padding, 0, 4)
        self.output_padding = slider("output_padding", output_padding, 0, 3)
        self.dilation = slider("dilation", dilation, 1, 3)
        self.in_channels = slider("in_channels", in_channels, 1, 4, "channels in", limit=8)
        self.out_channels = slider("out_channels", out_channels, 1, 4, "channels out", limit=8)
        # Which (input, output) channel pair the drawing shows; their ranges follow the above.
        self.show_in = slider("show_in", 0, 0, in_channels - 1, "show in-ch")
        self.show_out = slider("show_out", 0, 0, out_channels - 1, "show out-ch")
        self.seed = check_seed(seed)
        self.trace = None
        self.pair_trace = None
        super().__init__(
            [
                self.input_height,
                self.input_width,
                self.kernel_size,
                self.stride,
                self.padding,
                self.output_padding,
                self.dilation,
                self.in_channels,
                self.out_channels,
                self.show_in,
                self.show_out,
            ],
            "vizkit-transposed-explorer",
        )
        self._refresh()

    def _build(self) -> TransposedScene:
        c_in, c_out = self.in_channels.value, self.out_channels.value
        # Keep the pair pickers inside the channel counts (this re-enters _refresh once).
        self.show_in.max, self.show_out.max = c_in - 1, c_out - 1
        rng = np.random.default_rng(self.seed)
        k = self.kernel_size.value
        x = rng.integers(1, 4, (c_in, self.input_height.value, self.input_width.value))
        w = rng.integers(-1, 3, (c_in, c_out, k, k))
        options = {
            "stride": self.stride.value,
            "padding": self.padding.value,
            "output_padding": self.output_padding.value,
            "dilation": self.dilation.value,
        }
        self.trace = self.pair_trace = None
        self.trace = conv_transpose2d_trace(x, w, **options)
        ci, co = self.show_in.value, self.show_out.value
        self.pair_trace = conv_transpose2d_trace(
            x[ci : ci + 1], w[ci : ci + 1, co : co + 1], **options
        )
        return TransposedScene(self.pair_trace)

    def _status(self, scene: TransposedScene) -> str:
        geo = scene.geometry
        ho, wo = geo.output_size
        c_in, c_out = self.in_channels.value, self.out_channels.value
        k = self.kernel_size.value
        lines = [
            f"<b>output: {c_out} × {ho} × {wo}</b> (one frame per input cell: "
            f"{scene.n_steps} stamps)"
        ]
        if c_in * c_out > 1:
            lines.append(
                f"drawn: input channel {self.show_in.value} → output channel "
                f"{self.show_out.value}; each output channel sums the stamps of all {c_in} "
                f"input channel(s). Parameters: C_in·C_out·k² + C_out = {c_in}·{c_out}·{k}² + "
                f"{c_out} = {c_in * c_out * k * k + c_out}"
            )
        return (
            "<div>"
            + "<br>".join(
                [
                    *lines,
                    code_html(geo.formula()),
                    code_html(geo.torch_code(c_in, c_out)),
                    "direct view: stretched input "
                    f"{geo.stretched_size[0]} × {geo.stretched_size[1]}, "
                    f"padded by {geo.direct_padding[0][0]} (= d·(k − 1) − p), kernel flipped",
                ]
            )
            + "</div>"
        )
