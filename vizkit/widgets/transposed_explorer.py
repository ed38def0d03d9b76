"""TransposedConvExplorer: ``nn.ConvTranspose2d``'s knobs, the scatter and direct views live.

Wiring only: numbers from :func:`vizkit.sliding.conv_transpose2d_trace` (equal to
``F.conv_transpose2d``), drawing from :class:`vizkit.render.transpose.TransposedScene`.
"""

from __future__ import annotations

import numpy as np

from vizkit.render.transpose import TransposedScene
from vizkit.sliding import conv_transpose2d_trace
from vizkit.widgets._explorer import SceneExplorer, code_html, slider

__all__ = ["TransposedConvExplorer"]


class TransposedConvExplorer(SceneExplorer):
    """Explore a transposed convolution (one channel in, one out), stamp by stamp.

    Args:
        input_height, input_width: input size.
        kernel_size: square kernel.
        stride, padding, output_padding, dilation: as ``nn.ConvTranspose2d``.
        seed: seed of the random integer input and kernel.

    Attributes:
        input_height, input_width, kernel_size, stride, padding, output_padding, dilation:
        ``IntSlider`` controls; step, play, speed, figure, status, trace as
        :class:`~vizkit.widgets.conv_explorer.ConvExplorer`.

    Example:
        >>> e = TransposedConvExplorer(input_height=2, input_width=2, kernel_size=3)
        >>> e.trace.output.shape
        (1, 4, 4)
        >>> e.stride.value = 2
        >>> e.trace.output.shape
        (1, 5, 5)
    """

    def __init__(self, input_height: int = 2, input_width: int = 2, kernel_size: int = 3,
                 stride: int = 1, padding: int = 0, output_padding: int = 0,
                 dilation: int = 1, *, seed: int = 0) -> None:
        self.input_height = slider("input_height", input_height, 1, 6, "input H")
        self.input_width = slider("input_width", input_width, 1, 6, "input W")
        self.kernel_size = slider("kernel_size", kernel_size, 1, 5)
        self.stride = slider("stride", stride, 1, 4)
        self.padding = slider("padding", padding, 0, 4)
        self.output_padding = slider("output_padding", output_padding, 0, 3)
        self.dilation = slider("dilation", dilation, 1, 3)
        self.seed = seed
        self.trace = None
        super().__init__([self.input_height, self.input_width, self.kernel_size, self.stride,
                          self.padding, self.output_padding, self.dilation],
                         "vizkit-transposed-explorer")
        self._refresh()

    def _build(self) -> TransposedScene:
        rng = np.random.default_rng(self.seed)
        k = self.kernel_size.value
        x = rng.integers(1, 4, (1, self.input_height.value, self.input_width.value))
        w = rng.integers(-1, 3, (1, 1, k, k))
        self.trace = None
        self.trace = conv_transpose2d_trace(
            x, w, stride=self.stride.value, padding=self.padding.value,
            output_padding=self.output_padding.value, dilation=self.dilation.value)
        return TransposedScene(self.trace)

    def _status(self, scene: TransposedScene) -> str:
        geo = scene.geometry
        ho, wo = geo.output_size
        return ("<div>" + "<br>".join([
            f"<b>output: {ho} × {wo}</b> (one frame per input cell: {scene.n_steps} stamps)",
            code_html(geo.formula()), code_html(geo.torch_code()),
            f"direct view: stretched input {geo.stretched_size[0]} × {geo.stretched_size[1]}, "
            f"padded by {geo.direct_padding[0][0]} (= d·(k − 1) − p), kernel flipped",
        ]) + "</div>")
