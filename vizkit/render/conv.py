"""The 2D convolution, step by step: padded input, dilated window, products, sums, output.

Everything drawn comes from a :class:`~vizkit.sliding.ConvTrace` (whose output equals
``F.conv2d``): the padded values and where each padded cell was copied from, the taps each
output cell reads, the products, the per-channel partial sums, the bias and the total.
Nothing is recomputed here. Frame ``k`` of :func:`conv_animation` is ``trace.steps[k]``.

Layout, left to right, one lane per input channel: padded input (padding cells in grey, or
orange with their copied values for reflect / replicate / circular; rows and columns the
kernel never reads greyed out) → kernel slice ``weight[k, c]`` → element-wise products with
their running sum → partial sum per lane, plus bias, = output cell → the output grids, one per
output channel, filling in as the animation plays.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import plotly.graph_objects as go

from vizkit._validate import check_bool, check_int, describe
from vizkit.render import _grid as g
from vizkit.render._args import check_frames, check_index
from vizkit.render.theme import current_theme
from vizkit.sliding import ConvTrace

__all__ = ["ConvScene", "conv_animation", "conv_figure"]

MAX_LANES = 8
MAX_OUT_CHANNELS = 8


class ConvScene:
    """Positions, static traces and per-step updates of a convolution drawing.

    Shared by :func:`conv_animation` (one plotly frame per step), :func:`conv_figure` (one
    step, no frames) and :class:`vizkit.widgets.ConvExplorer` (which applies
    :meth:`frame` to a ``FigureWidget`` in place).

    Args:
        trace: the convolution to draw, unbatched ``(C, H, W)`` or batched.
        sample: which sample of a batched trace to draw.
        numbers: print values in the cells; ``None`` decides by size (≤ 24 cells wide).
        running_sum: print the running sum under each product; ``None``: for ≤ 9 taps.

    Raises:
        ValueError: more than 8 input or output channels (draw a slice of the weight),
            or ``sample`` outside the batch.
    """

    DYNAMIC = ("kernel", "products", "sums", "cover", "window", "current")

    def __init__(
        self,
        trace: ConvTrace,
        *,
        sample: int = 0,
        numbers: bool | None = None,
        running_sum: bool | None = None,
    ) -> None:
        if not isinstance(trace, ConvTrace):
            raise TypeError(
                f"trace must be a ConvTrace from vizkit.conv2d_trace, got {describe(trace)}"
            )
        for flag, value in (("numbers", numbers), ("running_sum", running_sum)):
            if value is not None:
                check_bool(flag, value)
        sample = check_int("sample", sample, minimum=0)
        channels = trace.input.shape[-3]
        out_channels, cg, kh, kw = trace.weight.shape
        if channels > MAX_LANES or out_channels > MAX_OUT_CHANNELS:
            raise ValueError(
                f"a drawing has one lane per input channel and one grid per output channel; "
                f"got in_channels {channels} and out_channels {out_channels}, allowed up to "
                f"{MAX_LANES} each: trace a slice, e.g. weight[:4, :3] with x[:3]"
            )
        batch = trace.input.shape[0] if trace.batched else 1
        if not 0 <= sample < batch:
            raise ValueError(
                f"sample {sample} is outside the batch of {batch}: use 0 … {batch - 1}"
            )
        self.trace = trace
        self.sample = sample
        geo = trace.geometry
        self.geometry = geo
        self.hp, self.wp = geo.padded_size
        self.kh, self.kw = kh, kw
        self.ho, self.wo = geo.output_size
        self.channels, self.out_channels, self.cg = channels, out_channels, cg
        self.n_steps = out_channels * self.ho * self.wo
        self.offset = sample * self.n_steps
        self.numbers = self.wp <= 24 if numbers is None else numbers
        self.running_sum = kh * kw <= 9 if running_sum is None else running_sum
        self.font = 11 if self.wp <= 12 else 9
        # Placement, in cells.
        self.lane_h = max(self.hp, kh) + 2
        self.x_kernel = self.wp + 2.0
        self.x_products = self.x_kernel + kw + 2
        self.x_sums = self.x_products + kw - 0.2
        self.x_out = self.x_products + kw + 9.0
        self.out_h = self.ho + 2
        self.height = max(channels * self.lane_h, out_channels * self.out_h) + 1.5
        self.width = self.x_out + self.wo
        padded = trace.padded[sample] if trace.batched else trace.padded
        self.padded = np.asarray(padded)
        output = trace.output[sample] if trace.batched else trace.output
        self.output = np.asarray(output)
        wmax = float(np.nanmax(np.abs(trace.weight))) or 1.0
        xmax = float(np.nanmax(np.abs(self.padded))) if self.padded.size else 1.0
        self.wmax, self.pmax = wmax, (wmax * xmax) or 1.0
        self._kernels: dict[int, g.Trace] = {}
        # Cell labels as large as fit their cells: real-valued data ("-0.0863") on a wide
        # canvas would otherwise overflow into the neighbouring cells. Two significant
        # digits instead of three where that keeps the font readable; the hover text keeps
        # three.
        # Sizes here are before the theme scales them (the lecture theme's fonts are 1.5×).
        px, scale = g.canvas_cell_px(self.width), current_theme().font_scale
        self.digits = 3
        wide = self._widest_label(3) * scale
        font = g.fitting_font(wide, px, self.font)
        if font < 9:  # two digits if that gives a larger font, or fits where three cannot
            shorter = g.fitting_font(self._widest_label(2) * scale, px, self.font)
            if shorter > font or wide * font > px - 2:
                self.digits, font = 2, shorter
        self.font = font

    def _widest_label(self, digits: int) -> float:
        """Width in em (:func:`~vizkit.render._grid.label_em`) of the widest cell label:
        inputs, outputs and weights, and for the products (too many to format) the widest of
        the smallest and the largest magnitudes a product can have, negative (a label's
        width grows with its leading zeros as with its integer digits)."""
        widest = 0.6
        magnitudes = []
        for v in (self.padded, self.output, np.asarray(self.trace.weight)):
            finite = np.unique(v[np.isfinite(v)])
            if finite.size:
                widest = max(widest, *(g.label_em(t) for t in g.fmt_array(finite, digits)))
        for v in (self.padded, np.asarray(self.trace.weight)):
            mags = np.abs(v[np.isfinite(v) & (v != 0)])
            magnitudes.append((mags.min(), mags.max()) if mags.size else (0.0, 0.0))
        (x_lo, x_hi), (w_lo, w_hi) = magnitudes
        for product in (x_lo * w_lo, x_hi * w_hi):
            widest = max(widest, g.label_em(g.fmt(-float(product), digits)))
        return widest

    # ----------------------------------------------------------------- static parts
    def _categories(self) -> tuple[np.ndarray, list[list[str]]]:
        """Per padded cell: category code and hover text, for one channel's plane."""
        geo, (rows_from, cols_from) = self.geometry, self.trace.padded_from
        top, left = geo.padding[0][0], geo.padding[1][0]
        h, w = geo.input_size
        cat = np.full((self.hp, self.wp), g.INPUT, dtype=float)
        unread_r, unread_c = geo.unread_input
        inside_r = (np.arange(self.hp) >= top) & (np.arange(self.hp) < top + h)
        inside_c = (np.arange(self.wp) >= left) & (np.arange(self.wp) < left + w)
        inside = inside_r[:, None] & inside_c[None, :]
        pad_code = g.ZERO_PAD if geo.padding_mode == "zeros" else g.COPY_PAD
        cat[~inside] = pad_code
        for r in unread_r:
            cat[top + r, inside_c] = g.UNREAD
        for c in unread_c:
            cat[inside_r, left + c] = g.UNREAD
        hover = []
        for r in range(self.hp):
            row = []
            for c in range(self.wp):
                src = f"[{rows_from[r]}, {cols_from[c]}]"
                if inside[r, c]:
                    note = " (never read)" if cat[r, c] == g.UNREAD else ""
                    row.append(f"x{src}{note}")
                elif pad_code == g.ZERO_PAD:
                    row.append("zero padding")
                else:
                    row.append(f"{geo.padding_mode} padding: copy of x{src}")
            hover.append(row)
        return cat, hover

    def _stack(
        self, planes: Sequence[np.ndarray | None], lane_h: int, rows: int, cols: int
    ) -> np.ndarray:
        """Stack per-lane planes vertically with NaN gaps (a missing plane is all NaN)."""
        out = np.full((lane_h * (len(planes) - 1) + rows, cols), np.nan)
        for i, plane in enumerate(planes):
            if plane is not None:
                out[i * lane_h : i * lane_h + plane.shape[0], : plane.shape[1]] = plane
        return out

    def static_traces(self) -> list[g.Trace]:
        """Input lanes and output grids: the traces no frame changes."""
        cat, hover = self._categories()
        cats = self._stack([cat] * self.channels, self.lane_h, self.hp, self.wp)
        values = self._stack(list(self.padded), self.lane_h, self.hp, self.wp)
        hovers = []
        for c in range(self.channels):
            for r in range(self.lane_h if c < self.channels - 1 else self.hp):
                if r < self.hp:
                    hovers.append(
                        [
                            f"channel {c}: {h} = {g.fmt(values[c * self.lane_h + r, j])}"
                            for j, h in enumerate(hover[r])
                        ]
                    )
                else:
                    hovers.append([""] * self.wp)
        inputs = g.heatmap(
            cats,
            x0=0,
            y0=0,
            name="input",
            colorscale=g.category_scale(),
            zmin=-0.5,
            zmax=3.5,
            hovertext=hovers,
            font_size=self.font,
            text=g.fmt_grid(values, self.digits) if self.numbers else None,
        )
        out = self._stack(list(self.output), self.out_h, self.ho, self.wo)
        lo, hi = float(np.nanmin(self.output)), float(np.nanmax(self.output))
        output = g.heatmap(
            out,
            x0=self.x_out,
            y0=0,
            name="output",
            colorscale=g.SEQUENTIAL,
            zmin=lo,
            zmax=hi if hi > lo else lo + 1,
            font_size=self.font,
            text=g.fmt_grid(out, self.digits) if self.wo <= 24 else None,
            hovertext=[[f"output = {t}" for t in row] for row in g.fmt_grid(out)],
        )
        order = np.arange(self.n_steps, dtype=float).reshape(self.out_channels, self.ho, self.wo)
        cover = g.heatmap(
            self._stack(list(order), self.out_h, self.ho, self.wo),
            x0=self.x_out,
            y0=0,
            name="cover",
            colorscale=g.reveal_scale(0, 1),
            zmin=-0.5,
            zmax=self.n_steps - 0.5,
        )
        cover["xgap"] = cover["ygap"] = 0
        # what the lanes and grids are is said in the title (a longer heading would run
        # into the next panel's, or off the canvas)
        heads = [(-0.5, -1.0, "padded input")]
        heads += [(self.x_kernel - 0.5, -1.0, "kernel"), (self.x_products - 0.5, -1.0, "products")]
        heads += [(self.x_out - 0.5, -1.0, "output")]
        for c in range(self.channels):
            y = c * self.lane_h + (self.hp - 1) / 2
            heads.append((self.x_kernel - 1.9, y, "⊙"))
        for k in range(self.out_channels if self.out_channels > 1 else 0):
            heads.append((self.x_out - 1.8, k * self.out_h + (self.ho - 1) / 2, f"k={k}"))
        return [inputs, output, cover, g.labels("headings", heads, size=12)]

    # ----------------------------------------------------------------- per step
    def _check_step(self, step: int) -> int:
        if isinstance(step, bool) or not isinstance(step, (int, np.integer)):
            raise TypeError(f"step must be an int, got {step!r} ({type(step).__name__})")
        if not 0 <= step < self.n_steps:
            raise ValueError(
                f"step {step} is out of range: this drawing has {self.n_steps} "
                f"steps (0 … {self.n_steps - 1})"
            )
        return int(step)

    def step_traces(self, step: int) -> list[g.Trace]:
        """The six dynamic traces (:attr:`DYNAMIC` order) for step ``step`` of the drawing."""
        return self.steps_traces([self._check_step(step)])[0]

    def _kernel_trace(self, out_channel: int) -> g.Trace:
        """The kernel panel of one filter: the same for all its steps, so built once."""
        cached = self._kernels.get(out_channel)
        if cached is None:
            ks = self.trace.weight[out_channel]
            group = out_channel // (self.out_channels // self.trace.groups)
            lanes: list[np.ndarray | None] = [None] * self.channels
            for j in range(self.cg):
                lanes[group * self.cg + j] = ks[j]
            kernel = self._stack(lanes, self.lane_h, self.kh, self.kw)
            cached = g.heatmap(
                kernel,
                x0=self.x_kernel,
                y0=0,
                name="kernel",
                colorscale=g.DIVERGING,
                zmin=-self.wmax,
                zmax=self.wmax,
                text=g.fmt_grid(kernel, self.digits),
                font_size=self.font,
            )
            self._kernels[out_channel] = cached
        return cached

    def steps_traces(self, steps: Sequence[int]) -> list[list[g.Trace]]:
        """:meth:`step_traces` for many steps at once, vectorised over the trace's arrays.

        The windows, products and sums are sliced from ``trace.padded`` and ``trace.weight``
        for all steps together (exactly the terms of ``trace.steps[k]``: the tests compare
        them), and every number is formatted once; a 900-frame animation then costs a few
        list conversions per frame instead of one step object and a hundred formatted
        strings.
        """
        t, geo = self.trace, self.geometry
        n = len(steps)
        flat = np.asarray(steps, dtype=np.intp) + self.offset
        _, ko, rows, cols = np.unravel_index(
            flat, (max(len(t.input) if t.batched else 1, 1), self.out_channels, self.ho, self.wo)
        )
        (sh, sw), (dh, dw) = geo.stride, geo.dilation
        kg = self.out_channels // t.groups
        chans = (ko // kg)[:, None] * self.cg + np.arange(self.cg)[None]  # (n, cg)
        tap_r = rows[:, None] * sh + np.arange(self.kh)[None] * dh  # (n, kh)
        tap_c = cols[:, None] * sw + np.arange(self.kw)[None] * dw  # (n, kw)
        windows = self.padded[
            chans[:, :, None, None], tap_r[:, None, :, None], tap_c[:, None, None, :]
        ]  # (n, cg, kh, kw)
        products = windows * t.weight[ko]
        sums = products.sum(axis=(2, 3))
        bias = np.zeros(n) if t.bias is None else np.asarray(t.bias)[ko]
        totals = sums.sum(axis=1) + bias
        # Products stacked into their lanes (NaN gaps), with their labels.
        height = self.lane_h * (self.channels - 1) + self.kh
        z = np.full((n, height, self.kw), np.nan)
        lane_rows = chans[:, :, None] * self.lane_h + np.arange(self.kh)[None, None]
        z[np.arange(n)[:, None, None], lane_rows] = products
        ptext = np.full(z.shape, "", dtype=object)
        labels = g.fmt_array(products, self.digits)
        if self.running_sum:
            run = np.cumsum(products.reshape(n, self.cg, -1), axis=2).reshape(products.shape)
            labels = labels + "<br><sub>Σ " + g.fmt_array(run, self.digits) + "</sub>"
        ptext[np.arange(n)[:, None, None], lane_rows] = labels
        zobj = z.astype(object)
        zobj[np.isnan(z)] = None
        sum_labels, total_labels = g.fmt_array(sums), g.fmt_array(totals)
        bias_labels = g.fmt_array(bias)
        products_base = g.heatmap(
            np.zeros((1, 1)),
            x0=self.x_products,
            y0=0,
            name="products",
            colorscale=g.DIVERGING,
            zmin=-self.pmax,
            zmax=self.pmax,
            text=[[""]],
            font_size=self.font if not self.running_sum else min(10, self.font),
        )
        sums_base = g.labels("sums", [], size=12, anchor="middle right")
        window_base = g.outline("window", g.WINDOW_COLOR, g.WINDOW_FILL)
        current_base = g.outline("current", g.OUTPUT_COLOR, width=3.5)
        sum_x = [self.x_sums] * self.cg
        sum_y = (chans * self.lane_h + (self.kh - 1) / 2).tolist()
        y_total = min(max(self.cg - 1, 0) * self.lane_h + self.kh + 0.6, self.height - 1)
        has_bias = t.bias is not None
        # Window squares: every tap of every lane, as None-separated closed polygons.
        cell_r = (
            chans[:, :, None, None] * self.lane_h
            + tap_r[:, None, :, None]
            + np.zeros((1, 1, 1, self.kw), np.intp)
        ).reshape(n, -1)
        cell_c = np.broadcast_to(tap_c[:, None, None, :], (n, self.cg, self.kh, self.kw)).reshape(
            n, -1
        )
        wx, wy = g.polygons_array(cell_r, cell_c)
        out_r = ko * self.out_h + rows
        cx, cy = g.polygons_array(out_r[:, None], self.x_out + cols[:, None])
        result = []
        for i in range(n):
            partials = " + ".join(sum_labels[i])
            bias_text = f" + {bias_labels[i]} (bias)" if has_bias else ""
            expr = partials + bias_text if self.cg > 1 or has_bias else ""
            text = [f"→ {v}" for v in sum_labels[i]]
            text.append(
                f"out[{ko[i]}, {rows[i]}, {cols[i]}] = "
                f"{expr + ' = ' if expr else ''}<b>{total_labels[i]}</b>"
            )
            result.append(
                [
                    self._kernel_trace(int(ko[i])),
                    {**products_base, "z": zobj[i].tolist(), "text": ptext[i].tolist()},
                    {
                        **sums_base,
                        "x": [*sum_x, self.x_products - 0.5],
                        "y": [*sum_y[i], y_total],
                        "text": text,
                    },
                    {
                        "type": "heatmap",
                        "colorscale": g.reveal_scale(int(steps[i]) + 1, self.n_steps),
                    },
                    {**window_base, "x": wx[i], "y": wy[i]},
                    {**current_base, "x": cx[i], "y": cy[i]},
                ]
            )
        return result

    @property
    def dynamic_indices(self) -> list[int]:
        """Indices, in :meth:`traces`, of the traces :meth:`frame` replaces."""
        return [4, 5, 6, 2, 7, 8]

    def traces(self, step: int = 0) -> list[g.Trace]:
        """Every trace of the drawing at step ``step`` (static ones first)."""
        inputs, output, cover, heads = self.static_traces()
        kernel, products, sums, reveal, window, current = self.step_traces(step)
        cover = {**cover, "colorscale": reveal["colorscale"]}
        return [inputs, output, cover, heads, kernel, products, sums, window, current]

    def frame(self, step: int) -> dict[str, Any]:
        """One plotly frame: the dynamic traces of step ``step`` and their indices."""
        return {"name": str(step), "data": self.step_traces(step), "traces": self.dynamic_indices}

    def frames(self, steps: Sequence[int]) -> list[dict[str, Any]]:
        """:meth:`frame` for many steps, built together (see :meth:`steps_traces`)."""
        checked = [self._check_step(k) for k in steps]
        return [
            {"name": str(k), "data": data, "traces": self.dynamic_indices}
            for k, data in zip(checked, self.steps_traces(checked), strict=True)
        ]

    def title(self) -> str:
        """Caption: the torch line, the output-size formula with numbers, the parameter count."""
        geo, t = self.geometry, self.trace
        kind = (
            "true convolution (kernel flipped)"
            if t.flipped
            else "convolution (PyTorch's cross-correlation)"
        )
        code = geo.torch_code(
            self.channels, self.out_channels, groups=t.groups, bias=t.bias is not None
        )
        lines = geo.formula().splitlines()
        formula = (
            lines[0]
            if lines[0][5:] == lines[1][5:] and geo.input_size[0] == geo.input_size[1]
            else "   ".join(lines)
        )
        if formula is lines[0]:
            formula = formula.replace("H_out", "H_out = W_out", 1)
        weights = self.kh * self.kw * self.cg * self.out_channels
        bias = self.out_channels if t.bias is not None else 0
        params = (
            f"parameters F·F·D·K{' + K' if bias else ''} = {self.kh}·{self.kw}·{self.cg}·"
            f"{self.out_channels}{f' + {bias}' if bias else ''} = {weights + bias}"
        )
        text = f"{g.headline(f'2D {kind}', code)}<br>{formula}   ·   {params}"
        parts = []
        if self.channels > 1:
            parts.append(f"one lane per input channel ({self.channels})")
        if self.out_channels > 1:
            parts.append(f"one output grid per filter k ({self.out_channels})")
        if parts:
            text += "<br>" + "   ·   ".join(parts)
        unread_r, unread_c = geo.unread_input
        if unread_r or unread_c:
            text += (
                f"<br><span style='color:#8a5a00'>never read (greyed): input rows "
                f"{list(unread_r)}, columns {list(unread_c)}</span>"
            )
        return text

    def layout(self) -> dict[str, Any]:
        """The figure layout (axes in cells, caption)."""
        return g.axes_layout(self.width, self.height, self.title())


def conv_figure(
    trace: ConvTrace, step: int = 0, *, sample: int = 0, numbers: bool | None = None
) -> go.Figure:
    """One step of a convolution as a still figure (no animation frames).

    Args:
        trace: from :func:`vizkit.conv2d_trace`.
        step: which output cell (index into ``trace.steps`` of ``sample``).
        sample: batch index for a batched trace.
        numbers: print values in the input cells (``None``: when ≤ 24 cells wide).

    Returns:
        A ``go.Figure`` (see :class:`ConvScene` for the layout).
    """
    scene = ConvScene(trace, sample=sample, numbers=numbers)
    step = check_index("step", step, scene.n_steps, "output cells")
    return g.build_figure(scene.traces(step), scene.layout())


def conv_animation(
    trace: ConvTrace,
    *,
    steps: Sequence[int] | None = None,
    sample: int = 0,
    numbers: bool | None = None,
    running_sum: bool | None = None,
) -> go.Figure:
    """Animate a convolution: one frame per output cell, with play/pause, speed and a slider.

    Frame ``k`` shows ``trace.steps[k]``: its taps outlined on every input lane (dilated taps
    apart), the kernel, the element-wise products with their running sum, each lane's partial
    sum, the bias and the total, and the output grid revealed up to that cell. The caption
    holds the ``nn.Conv2d`` line, the output-size formula with the numbers filled in and the
    parameter count ``F·F·D·K + K``.

    Args:
        trace: from :func:`vizkit.conv2d_trace` (``(C, H, W)``; up to 8 in / out channels).
        steps: which steps to animate (default: all, so frames = output cells).
        sample: batch index for a batched trace.
        numbers: print values in the input cells (``None``: when ≤ 24 cells wide).
        running_sum: print the running sum under each product (``None``: for ≤ 9 taps).

    Returns:
        A ``go.Figure`` with ``len(steps)`` frames named by step index and a slider step per
        frame. Traces: 0 input lanes, 1 output, 2 output cover, 3 headings, 4 kernel,
        5 products, 6 sums, 7 window, 8 current output cell.

    Raises:
        ValueError: too many channels to draw, or an empty ``steps``.
        ValueError: a step outside the trace.

    Example:
        >>> import numpy as np
        >>> from vizkit.sliding import conv2d_trace
        >>> t = conv2d_trace(np.arange(25.0).reshape(1, 5, 5), np.ones((1, 1, 3, 3)), stride=2)
        >>> fig = conv_animation(t)
        >>> len(fig.frames), len(fig.layout.sliders[0].steps)
        (4, 4)
    """
    scene = ConvScene(trace, sample=sample, numbers=numbers, running_sum=running_sum)
    chosen = check_frames(steps, scene.n_steps)
    frames = scene.frames(chosen)
    layout = scene.layout() | g.animation_controls([f["name"] for f in frames], "output cell")
    return g.build_figure(scene.traces(chosen[0]), layout, frames)
