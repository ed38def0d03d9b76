"""PoolExplorer: max / average / L2 pooling with overlapping windows and ceil_mode, live.

Wiring only: numbers from :func:`vizkit.sliding.pool2d_trace` (equal to torch's pooling),
drawing from :class:`vizkit.render.pool.PoolScene`.
"""

from __future__ import annotations

import html
from typing import Literal

import ipywidgets as widgets
import numpy as np

from vizkit._validate import check_bool, check_seed
from vizkit.render.pool import PoolScene, pool_code
from vizkit.sliding import pool2d_trace
from vizkit.widgets._explorer import SceneExplorer, code_html, slider

__all__ = ["PoolExplorer"]

KINDS = ("max", "avg", "lp")


class PoolExplorer(SceneExplorer):
    """Explore pooling: kind, window, stride, padding, dilation, ceil_mode, step by step.

    Args:
        input_height, input_width: input size.
        kernel_size: square window.
        stride: step (default: the window, as torch).
        padding: padding (max / avg; at most half the window).
        dilation: max pooling only.
        ceil_mode: keep a last partial window.
        kind: ``"max"``, ``"avg"`` or ``"lp"`` (L2 pooling, p = 2).
        seed: seed of the random integer input.

    Example:
        >>> e = PoolExplorer(input_height=6, input_width=6, kernel_size=3, stride=2)
        >>> e.trace.output.shape
        (1, 2, 2)
        >>> e.ceil_mode.value = True
        >>> e.trace.output.shape
        (1, 3, 3)
    """

    LABEL_IMAGES = ("input", "output", "terms", "headings")
    SHAPES = ("cover", "window", "overhang", "winner", "current")

    def __init__(
        self,
        input_height: int = 6,
        input_width: int = 6,
        kernel_size: int = 2,
        stride: int | None = None,
        padding: int = 0,
        dilation: int = 1,
        ceil_mode: bool = False,
        *,
        kind: Literal["max", "avg", "lp"] = "max",
        seed: int = 0,
    ) -> None:
        if kind not in KINDS:
            raise ValueError(f"kind {kind!r} is not a pooling kind: use 'max', 'avg' or 'lp'")
        self.input_height = slider("input_height", input_height, 1, 12, "input H")
        self.input_width = slider("input_width", input_width, 1, 12, "input W")
        self.kernel_size = slider("kernel_size", kernel_size, 1, 5)
        self.stride = slider("stride", kernel_size if stride is None else stride, 1, 5)
        self.padding = slider("padding", padding, 0, 2)
        self.dilation = slider("dilation", dilation, 1, 3)
        self.ceil_mode = widgets.Checkbox(value=bool(ceil_mode), description="ceil_mode")
        self.kind = widgets.Dropdown(options=KINDS, value=kind, description="kind")
        self.seed = check_seed(seed)
        ceil_mode = check_bool("ceil_mode", ceil_mode)
        self.trace = None
        super().__init__(
            [
                self.kind,
                self.input_height,
                self.input_width,
                self.kernel_size,
                self.stride,
                self.padding,
                self.dilation,
                self.ceil_mode,
            ],
            "vizkit-pool-explorer",
        )
        self._refresh()

    def _build(self) -> PoolScene:
        x = np.random.default_rng(self.seed).integers(
            0, 10, (1, self.input_height.value, self.input_width.value)
        )
        self.trace = None
        self.trace = pool2d_trace(
            x,
            self.kernel_size.value,
            self.stride.value,
            self.padding.value,
            self.dilation.value,
            self.ceil_mode.value,
            kind=self.kind.value,
        )
        return PoolScene(self.trace)

    def _status(self, scene: PoolScene) -> str:
        ho, wo = scene.geometry.output_size
        parts = [
            f"<b>output: {ho} × {wo}</b> ({scene.n_steps} windows, 0 parameters)",
            code_html(scene.geometry.formula()),
            code_html(pool_code(scene.trace)),
        ]
        rows, cols = scene.geometry.unread_input
        if rows or cols:
            parts.append(
                "<span style='color:#8a5a00'>⚠ never read: input rows "
                f"{html.escape(str(list(rows)))}, columns "
                f"{html.escape(str(list(cols)))}</span>"
            )
        return "<div>" + "<br>".join(parts) + "</div>"
