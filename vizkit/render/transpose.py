"""Transposed convolution: the scatter view beside the equivalent direct convolution.

Drawn from a :class:`~vizkit.sliding.ConvTransposeTrace` (equal to ``F.conv_transpose2d``).
Top row, animated: each input cell stamps ``value · kernel`` onto the canvas (frame ``k`` is
``trace.steps[k]``; overlapping stamps add), the output is the canvas with ``padding`` cells
cropped from each side and ``output_padding`` extra cells after. Bottom row, still: the same
output as a stride-1 convolution of the stretched input (``s − 1`` zeros between cells,
``d·(k − 1) − p`` zeros around) with the flipped kernel. The caption carries the adjoint check
``⟨conv(x), y⟩ = ⟨x, conv_transpose(y)⟩``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import plotly.graph_objects as go

from vizkit._validate import describe
from vizkit.render import _grid as g
from vizkit.render._args import check_frames
from vizkit.render.theme import current_theme
from vizkit.sliding import ConvTransposeTrace, adjoint_check

__all__ = ["TransposedScene", "transposed_animation"]

STRETCH_ZERO = g.COPY_PAD  # colour of the zeros inserted between input cells


class TransposedScene:
    """Positions and traces of a transposed-convolution drawing (one in, one out channel).

    Raises:
        ValueError: more than one input or output channel, or a batched trace.
    """

    def __init__(self, trace: ConvTransposeTrace) -> None:
        if not isinstance(trace, ConvTransposeTrace):
            raise TypeError(
                "trace must be a ConvTransposeTrace from vizkit.conv_transpose2d_trace, got "
                f"{describe(trace)}"
            )
        if trace.batched or trace.input.shape[0] != 1 or trace.output.shape[0] != 1:
            raise ValueError(
                f"the scatter drawing shows one input and one output channel, got input "
                f"{trace.input.shape} and output {trace.output.shape}: trace x[:1] with "
                "weight[:1, :1]"
            )
        self.trace, self.geometry = trace, trace.geometry
        self.h, self.w = trace.input.shape[1:]
        self.kh, self.kw = trace.weight.shape[2:]
        self.hc, self.wc = trace.canvas.shape[1:]
        self.n_steps = self.h * self.w
        self.x_kernel = self.w + 2.0
        self.x_canvas = self.x_kernel + self.kw + 3.0
        self.y_direct = max(self.hc, self.h, self.kh) + 3.0
        dh, dw = trace.direct.input.shape[1:]
        self.dh, self.dw = dh, dw
        self.x_dkernel = dw + 2.0
        self.x_dout = self.x_dkernel + self.kw + 3.0
        self.width = max(self.x_canvas + self.wc, self.x_dout + trace.output.shape[2]) + 1
        self.height = self.y_direct + dh + 1
        big = float(np.abs(trace.canvas).max()) or 1.0
        self.cmax = big

    def _headings(self) -> list[tuple[float, float, str]]:
        """The panels' headings: ``(x, y, text)``."""
        ho = self.trace.output.shape[1]
        (sh, _), pads = self.geometry.stride, self.geometry.direct_padding
        return [
            (-0.5, -1.0, "input"),
            (self.x_kernel - 0.5, -1.0, "kernel"),
            (
                self.x_canvas - 0.5,
                -1.0,
                "scatter: each input cell stamps value·kernel (green = output)",
            ),
            (
                -0.5,
                self.y_direct - 1.2,
                f"direct view: stretch by stride {sh} (orange zeros), pad {pads[0][0]}, "
                "convolve with the flipped kernel",
            ),
            (self.x_dkernel - 0.5, self.y_direct - 0.2 + self.kh, "flipped kernel"),
            (self.x_dout - 0.5, self.y_direct - 0.2 + ho, "= same output"),
        ]

    def _stamp_text(self, step: int) -> str:
        s = self.trace.steps[step]
        i, j = s.in_index
        return (
            f"x[{i}, {j}] = {g.fmt(s.value)} stamps {g.fmt(s.value)}·kernel at rows "
            f"{s.rows[0]}…{s.rows[-1]}, columns {s.cols[0]}…{s.cols[-1]}"
        )

    def static_traces(self) -> list[g.Trace]:
        """Input, kernel, crop outline, direct view (stretched input, flipped kernel, output)."""
        t = self.trace
        x, w = t.input[0], t.weight[0, 0]
        wmax = float(np.abs(w).max()) or 1.0
        (ph, pw), (oph, opw) = self.geometry.padding, self.geometry.output_padding
        ho, wo = t.output.shape[1:]
        # The output's outline: the border of the kept region only (not every cell).
        r0, r1, c0, c1 = (
            ph - 0.5,
            ph + ho - 0.5,
            self.x_canvas + pw - 0.5,
            self.x_canvas + pw + wo - 0.5,
        )
        crop = {
            **g.outline("output region", g.OUTPUT_COLOR, width=3),
            "x": [c0, c1, c1, c0, c0],
            "y": [r0, r0, r1, r1, r0],
        }
        extra = [
            (r, self.x_canvas + c)
            for r in range(self.hc)
            for c in range(self.wc)
            if r >= self.hc - oph or c >= self.wc - opw
        ]
        ex, ey = g.cell_polygons(extra, inset=0.2)
        extra_t = {
            **g.outline("output_padding", "rgba(148, 103, 189, 0.9)", width=2),
            "x": ex,
            "y": ey,
        }
        rows_from, cols_from = t.direct_from
        cat = np.array(
            [
                [
                    g.INPUT if rows_from[r] >= 0 and cols_from[c] >= 0 else STRETCH_ZERO
                    for c in range(self.dw)
                ]
                for r in range(self.dh)
            ],
            float,
        )
        stretched = t.direct.input[0]
        direct_in = g.heatmap(
            cat,
            x0=0,
            y0=self.y_direct,
            name="direct input",
            colorscale=g.category_scale(),
            zmin=-0.5,
            zmax=3.5,
            text=g.fmt_grid(stretched),
        )
        flipped = t.direct.weight[0, 0]
        out = t.output[0]
        omax = float(np.abs(out).max()) or 1.0
        heads = self._headings()
        return [
            g.heatmap(
                x,
                x0=0,
                y0=0,
                name="input",
                colorscale=g.SEQUENTIAL,
                zmin=float(x.min()),
                zmax=float(x.max()) + 1e-9,
                text=g.fmt_grid(x),
            ),
            g.heatmap(
                w,
                x0=self.x_kernel,
                y0=0,
                name="kernel",
                colorscale=g.DIVERGING,
                zmin=-wmax,
                zmax=wmax,
                text=g.fmt_grid(w),
            ),
            direct_in,
            g.heatmap(
                flipped,
                x0=self.x_dkernel,
                y0=self.y_direct,
                name="flipped kernel",
                colorscale=g.DIVERGING,
                zmin=-wmax,
                zmax=wmax,
                text=g.fmt_grid(flipped),
            ),
            g.heatmap(
                out,
                x0=self.x_dout,
                y0=self.y_direct,
                name="direct output",
                colorscale=g.DIVERGING,
                zmin=-omax,
                zmax=omax,
                text=g.fmt_grid(out),
            ),
            crop,
            extra_t,
            g.labels("headings", heads, size=12),
        ]

    def step_traces(self, step: int) -> list[g.Trace]:
        """Canvas after this stamp, the stamp text, the input cell and the stamp outline."""
        if not 0 <= step < self.n_steps:
            raise ValueError(
                f"step {step} is out of range: this drawing has {self.n_steps} "
                f"steps (0 … {self.n_steps - 1})"
            )
        s = self.trace.steps[step]
        canvas = self.trace.canvas_after(step)[0]
        i, j = s.in_index
        ix, iy = g.cell_polygons([(i, j)])
        sx, sy = g.cell_polygons([(r, self.x_canvas + c) for r in s.rows for c in s.cols])
        text = self._stamp_text(step)
        return [
            g.heatmap(
                canvas,
                x0=self.x_canvas,
                y0=0,
                name="canvas",
                colorscale=g.DIVERGING,
                zmin=-self.cmax,
                zmax=self.cmax,
                text=g.fmt_grid(canvas),
            ),
            # below the input, the kernel and the canvas (a long line would cross the canvas)
            g.labels("stamp", [(-0.5, max(self.h, self.kh, self.hc) + 0.6, text)]),
            {**g.outline("input cell", g.WINDOW_COLOR, g.WINDOW_FILL), "x": ix, "y": iy},
            {**g.outline("stamp", g.WINDOW_COLOR, g.WINDOW_FILL), "x": sx, "y": sy},
        ]

    def traces(self, step: int = 0) -> list[g.Trace]:
        """Static traces (0–7), then canvas (8), stamp text (9), input cell (10), stamp (11)."""
        static = self.static_traces()
        canvas, text, cell, stamp = self.step_traces(step)
        # heatmaps first so the canvas sits under the outlines in any renderer
        return [*static[:5], canvas, *static[5:], text, cell, stamp]

    dynamic_indices = (5, 9, 10, 11)

    def frame(self, step: int) -> dict[str, Any]:
        """One plotly frame."""
        return {
            "name": str(step),
            "data": self.step_traces(step),
            "traces": list(self.dynamic_indices),
        }

    def title(self) -> str:
        """Caption: torch line, formula, adjoint check."""
        t, geo = self.trace, self.geometry
        rng = np.random.default_rng(0)
        x = rng.integers(-3, 4, (1, *t.output.shape[1:])).astype(float)
        check = adjoint_check(x, t.weight, t.input, geo.stride, geo.padding, geo.dilation)
        lines = geo.formula().splitlines()
        formula = (
            lines[0].replace("H_out", "H_out = W_out", 1)
            if (lines[0][5:] == lines[1][5:])
            else "   ".join(lines)
        )
        return (
            f"{g.headline('transposed convolution', geo.torch_code())}<br>{formula}<br>"
            "adjoint check with a random x: "
            f"⟨conv(x), y⟩ = {g.fmt(check.conv_x_dot_y)} = ⟨x, convᵀ(y)⟩ = "
            f"{g.fmt(check.x_dot_conv_transpose_y)}"
        )

    def layout(self) -> dict[str, Any]:
        """Figure layout."""
        # the canvas grows to hold the headings and the longest stamp line (plotly would cut
        # them off at the figure's edge)
        theme = current_theme()
        texts = [(x, text, theme.font_size(12)) for x, _, text in self._headings()]
        stamps = (self._stamp_text(k) for k in range(self.n_steps))
        texts.append((-0.5, max(stamps, key=g.label_em), theme.font_size(13)))
        return g.axes_layout(self.width, self.height, self.title(), texts=texts)


def transposed_animation(
    trace: ConvTransposeTrace, *, steps: Sequence[int] | None = None
) -> go.Figure:
    """Animate a transposed convolution: one frame per input cell (its stamp).

    Args:
        trace: from :func:`vizkit.conv_transpose2d_trace`, one input and output channel.
        steps: which stamps to animate (default all).

    Returns:
        A ``go.Figure`` (see :meth:`TransposedScene.traces` for the trace order).

    Example:
        >>> import numpy as np
        >>> from vizkit.sliding import conv_transpose2d_trace
        >>> t = conv_transpose2d_trace(np.ones((1, 2, 2)), np.ones((1, 1, 3, 3)), stride=2)
        >>> len(transposed_animation(t).frames)
        4
    """
    scene = TransposedScene(trace)
    chosen = check_frames(steps, scene.n_steps)
    frames = [scene.frame(k) for k in chosen]
    layout = scene.layout() | g.animation_controls([f["name"] for f in frames], "input cell")
    return g.build_figure(scene.traces(chosen[0]), layout, frames)
