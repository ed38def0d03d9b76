"""Pooling, step by step (max / average / L2), and where max pooling's gradient goes.

Drawn from a :class:`~vizkit.sliding.PoolTrace` (equal to ``F.max_pool2d`` / ``avg_pool2d``
/ ``lp_pool2d``): frame ``k`` is ``trace.steps[k]`` of the drawn channel, with its window on
the padded input (a ``ceil_mode`` window hanging past the edge drawn dashed), the values it
reduces, the winner (the max-pool "switch"), the divisor, and the output filling in.
:func:`max_pool_backward_figure` draws where the upstream gradient lands: only on the
switches, summed where overlapping windows share one; either the gradient torch's autograd
computed (passed in as an array) or :func:`vizkit.sliding.max_pool2d_backward`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import plotly.graph_objects as go

from vizkit._validate import check_int, describe
from vizkit.render import _grid as g
from vizkit.render._args import check_frames, check_index, check_picture
from vizkit.sliding import PoolTrace, max_pool2d_backward

__all__ = ["PoolScene", "max_pool_backward_figure", "pool_animation", "pool_code"]

NAMES = {"max": "max pooling", "avg": "average pooling", "lp": "Lp pooling"}


def _check_trace(trace: object) -> None:
    if not isinstance(trace, PoolTrace):
        raise TypeError(
            f"trace must be a PoolTrace from vizkit.pool2d_trace, got {describe(trace)}"
        )


def pool_code(trace: PoolTrace) -> str:
    """The ``nn.*Pool2d(...)`` line reproducing ``trace``.

    Example:
        >>> import numpy as np
        >>> from vizkit.sliding import pool2d_trace
        >>> pool_code(pool2d_trace(np.zeros((1, 6, 6)), 3, 2, ceil_mode=True))
        'nn.MaxPool2d(kernel_size=3, stride=2, ceil_mode=True)'
    """
    _check_trace(trace)
    geo = trace.geometry

    def short(pair: tuple[int, int]) -> str:
        return str(pair[0]) if pair[0] == pair[1] else str(pair)

    args = [f"kernel_size={short(geo.kernel_size)}"]
    if geo.stride != geo.kernel_size:
        args.append(f"stride={short(geo.stride)}")
    if geo.padding != (0, 0):
        args.append(f"padding={short(geo.padding)}")
    if geo.dilation != (1, 1):
        args.append(f"dilation={short(geo.dilation)}")
    if geo.ceil_mode:
        args.append("ceil_mode=True")
    if trace.kind == "lp":
        p = trace.norm_type
        args.insert(0, f"norm_type={g.fmt(float(p)) if p is not None else 2}")
        return f"nn.LPPool2d({', '.join(args)})"
    return f"nn.{'MaxPool2d' if trace.kind == 'max' else 'AvgPool2d'}({', '.join(args)})"


class PoolScene:
    """Positions, static traces and per-step updates of a pooling drawing (one channel).

    Args:
        trace: the pooling to draw.
        channel: which channel (pooling never mixes channels).
        sample: batch index for a batched trace.

    Raises:
        ValueError: ``channel`` or ``sample`` outside the trace.
    """

    def __init__(self, trace: PoolTrace, *, channel: int = 0, sample: int = 0) -> None:
        _check_trace(trace)
        channel = check_int("channel", channel, minimum=0)
        sample = check_int("sample", sample, minimum=0)
        shape = trace.output.shape if trace.batched else (1, *trace.output.shape)
        if not 0 <= sample < shape[0] or not 0 <= channel < shape[1]:
            raise ValueError(
                f"(sample {sample}, channel {channel}) is outside the trace's "
                f"{shape[0]} sample(s) × {shape[1]} channel(s)"
            )
        self.trace, self.geometry = trace, trace.geometry
        self.hp, self.wp = trace.geometry.padded_size
        self.kh, self.kw = trace.geometry.kernel_size
        self.ho, self.wo = trace.geometry.output_size
        self.n_steps = self.ho * self.wo
        self.offset = (sample * shape[1] + channel) * self.n_steps
        plane = trace.padded[sample, channel] if trace.batched else trace.padded[channel]
        self.padded = np.asarray(plane)
        out = trace.output[sample, channel] if trace.batched else trace.output[channel]
        self.output = np.asarray(out)
        # A ceil-mode window may hang past the padded input: leave room for it.
        self.h_canvas = max(
            self.hp,
            (self.ho - 1) * trace.geometry.stride[0]
            + (self.kh - 1) * trace.geometry.dilation[0]
            + 1,
        )
        self.w_canvas = max(
            self.wp,
            (self.wo - 1) * trace.geometry.stride[1]
            + (self.kw - 1) * trace.geometry.dilation[1]
            + 1,
        )
        self.x_terms = self.w_canvas + 2.0
        self.x_out = self.x_terms + self.kw + 12.0
        self.numbers = self.wp <= 24

    def static_traces(self) -> list[g.Trace]:
        """Input, output, cover and headings."""
        geo = self.geometry
        ph, pw = geo.padding
        h, w = geo.input_size
        cat = np.full((self.hp, self.wp), float(g.ZERO_PAD))
        cat[ph : ph + h, pw : pw + w] = g.INPUT
        rows, cols = geo.unread_input
        for r in rows:
            cat[ph + r, pw : pw + w] = g.UNREAD
        for c in cols:
            cat[ph : ph + h, pw + c] = g.UNREAD
        text = g.fmt_grid(self.padded)
        hover = [
            [
                ("padding" if cat[r, c] == g.ZERO_PAD else f"x[{r - ph}, {c - pw}]")
                + f" = {text[r][c]}"
                for c in range(self.wp)
            ]
            for r in range(self.hp)
        ]
        inputs = g.heatmap(
            cat,
            x0=0,
            y0=0,
            name="input",
            colorscale=g.category_scale(),
            zmin=-0.5,
            zmax=3.5,
            text=text if self.numbers else None,
            hovertext=hover,
        )
        finite = self.output[np.isfinite(self.output)]
        lo, hi = (float(finite.min()), float(finite.max())) if finite.size else (0.0, 1.0)
        output = g.heatmap(
            self.output,
            x0=self.x_out,
            y0=0,
            name="output",
            colorscale=g.SEQUENTIAL,
            zmin=lo,
            zmax=hi if hi > lo else lo + 1,
            text=g.fmt_grid(self.output),
        )
        order = np.arange(self.n_steps, dtype=float).reshape(self.ho, self.wo)
        cover = g.heatmap(
            order,
            x0=self.x_out,
            y0=0,
            name="cover",
            colorscale=g.reveal_scale(0, 1),
            zmin=-0.5,
            zmax=self.n_steps - 0.5,
        )
        cover["xgap"] = cover["ygap"] = 0
        what = {"max": "window (winner = switch)", "avg": "window", "lp": "xᵖ"}[self.trace.kind]
        heads = [
            (-0.5, -1.0, "padded input" if any(geo.padding) else "input"),
            (self.x_terms - 0.5, -1.0, what),
            (self.x_out - 0.5, -1.0, "output"),
        ]
        return [inputs, output, cover, g.labels("headings", heads, size=12)]

    def _reduction(self, s: Any) -> str:
        kind, p = self.trace.kind, self.trace.norm_type
        r, c = s.out_index
        head = f"out[{r}, {c}] = "
        if kind == "max":
            where = (
                f" (input [{s.winner_input[0]}, {s.winner_input[1]}])"
                if s.winner_input is not None
                else ""
            )
            return f"{head}max = <b>{g.fmt(s.value)}</b>{where}"
        if kind == "avg":
            return f"{head}Σ {g.fmt(s.reduced)} / {s.divisor} = <b>{g.fmt(s.value)}</b>"
        scale = self.kh * self.kw
        factor = "" if s.divisor == scale else f" · {scale}/{s.divisor}"
        return (
            f"{head}(Σ xᵖ = {g.fmt(s.reduced)}{factor})^(1/{g.fmt(float(p or 2))})"
            f" = <b>{g.fmt(s.value)}</b>"
        )

    def step_traces(self, step: int) -> list[g.Trace]:
        """Terms, reduction text, cover, window, overhang, winner, current output cell."""
        if not 0 <= step < self.n_steps:
            raise ValueError(
                f"step {step} is out of range: this drawing has {self.n_steps} "
                f"steps (0 … {self.n_steps - 1})"
            )
        s = self.trace.steps[self.offset + step]
        terms = np.where(s.in_padded, s.terms, np.nan)
        inside = [
            (r, c) for u, r in enumerate(s.rows) for v, c in enumerate(s.cols) if s.in_padded[u, v]
        ]
        over = [
            (r, c)
            for u, r in enumerate(s.rows)
            for v, c in enumerate(s.cols)
            if not s.in_padded[u, v]
        ]
        wx, wy = g.cell_polygons(inside)
        ox, oy = g.cell_polygons(over)
        win = (
            []
            if s.winner is None
            else [
                (s.rows[s.winner[0]], s.cols[s.winner[1]]),
                (s.winner[0], self.x_terms + s.winner[1]),
            ]
        )
        vx, vy = g.cell_polygons(win, inset=0.12)
        cx, cy = g.cell_polygons([(s.out_index[0], self.x_out + s.out_index[1])])
        finite = terms[np.isfinite(terms)]
        big = float(np.abs(finite).max()) if finite.size else 1.0
        overhang = {**g.outline("overhang", "rgba(214, 39, 40, 0.6)", width=2), "x": ox, "y": oy}
        overhang["line"]["dash"] = "dot"
        return [
            g.heatmap(
                terms,
                x0=self.x_terms,
                y0=0,
                name="terms",
                colorscale=g.SEQUENTIAL,
                zmin=0 if big else -1,
                zmax=big or 1,
                text=g.fmt_grid(terms),
            ),
            g.labels("reduction", [(self.x_terms - 0.5, self.kh + 0.6, self._reduction(s))]),
            {"type": "heatmap", "colorscale": g.reveal_scale(step + 1, self.n_steps)},
            {**g.outline("window", g.WINDOW_COLOR, g.WINDOW_FILL), "x": wx, "y": wy},
            overhang,
            {**g.outline("winner", "rgba(255, 193, 7, 1)", width=4), "x": vx, "y": vy},
            {**g.outline("current", g.OUTPUT_COLOR, width=3.5), "x": cx, "y": cy},
        ]

    dynamic_indices = (4, 5, 2, 6, 7, 8, 9)

    def traces(self, step: int = 0) -> list[g.Trace]:
        """Every trace at step ``step``."""
        inputs, output, cover, heads = self.static_traces()
        terms, text, reveal, window, over, winner, current = self.step_traces(step)
        cover = {**cover, "colorscale": reveal["colorscale"]}
        return [inputs, output, cover, heads, terms, text, window, over, winner, current]

    def frame(self, step: int) -> dict[str, Any]:
        """One plotly frame for step ``step``."""
        return {
            "name": str(step),
            "data": self.step_traces(step),
            "traces": list(self.dynamic_indices),
        }

    def title(self) -> str:
        """Caption: kind, the torch line, the formula with numbers."""
        lines = self.geometry.formula().splitlines()
        formula = (
            lines[0].replace("H_out", "H_out = W_out", 1)
            if (lines[0][5:] == lines[1][5:])
            else "   ".join(lines)
        )
        text = (
            f"{g.headline(NAMES[self.trace.kind], pool_code(self.trace))}<br>"
            f"{formula}   ·   0 parameters"
        )
        rows, cols = self.geometry.unread_input
        if rows or cols:
            text += (
                f"<br><span style='color:#8a5a00'>never read (greyed): input rows "
                f"{list(rows)}, columns {list(cols)}</span>"
            )
        return text

    def layout(self) -> dict[str, Any]:
        """Figure layout."""
        return g.axes_layout(
            self.x_out + self.wo, max(self.h_canvas, self.kh + 2) + 1, self.title()
        )


def pool_animation(
    trace: PoolTrace, *, channel: int = 0, sample: int = 0, steps: Sequence[int] | None = None
) -> go.Figure:
    """Animate a pooling layer: one frame per output cell of the drawn channel.

    Args:
        trace: from :func:`vizkit.pool2d_trace`.
        channel: which channel to draw.
        sample: batch index.
        steps: which steps to animate (default all).

    Returns:
        A ``go.Figure``; traces 0 input, 1 output, 2 cover, 3 headings, 4 window values,
        5 reduction text, 6 window, 7 ceil-mode overhang, 8 winner (max), 9 current cell.

    Example:
        >>> import numpy as np
        >>> from vizkit.sliding import pool2d_trace
        >>> fig = pool_animation(pool2d_trace(np.arange(25.0).reshape(1, 5, 5), 3, 2))
        >>> len(fig.frames)
        4
    """
    scene = PoolScene(trace, channel=channel, sample=sample)
    chosen = check_frames(steps, scene.n_steps)
    frames = [scene.frame(k) for k in chosen]
    layout = scene.layout() | g.animation_controls([f["name"] for f in frames], "output cell")
    return g.build_figure(scene.traces(chosen[0]), layout, frames)


def max_pool_backward_figure(
    trace: PoolTrace, grad_output: object = None, *, grad_input: object = None, channel: int = 0
) -> go.Figure:
    """Where max pooling's gradient goes: upstream gradient → the switches, summed on overlap.

    The input gradient drawn is either the one autograd computed (pass ``grad_input``, e.g.
    ``x.grad.numpy()`` after ``F.max_pool2d(x, ...).backward(grad_output)``; this module never
    imports torch) or, by default, the scatter-add through the trace's switches
    (:func:`vizkit.sliding.max_pool2d_backward`). The caption names the source and, for a given
    gradient, whether it equals the switches' scatter-add.

    Args:
        trace: a max-pooling trace, unbatched ``(C, H, W)``.
        grad_output: upstream gradient, the shape of ``trace.output`` (default: all ones,
            so each input cell shows how many windows it won).
        grad_input: the input gradient to draw, the shape of ``trace.input`` ``(C, H, W)``,
            e.g. from autograd (default: computed from the switches).
        channel: which channel to draw.

    Returns:
        A still figure: traces 0 upstream gradient, 1 gradient at the input (``grad_input``
        when given), 2 switch outlines, 3 headings. ``layout.meta`` holds ``"grad_source"``
        (``"autograd"`` or ``"switches"``) and ``"matches_switches"`` (bool).

    Raises:
        ValueError: not a max-pooling trace, a batched one, or a gradient of the wrong shape.
    """
    _check_trace(trace)
    if trace.kind != "max" or trace.batched:
        raise ValueError(
            f"trace: max_pool_backward_figure needs an unbatched max-pooling trace, got "
            f"kind {trace.kind!r}{' (batched)' if trace.batched else ''}: trace "
            "with kind='max' and a (C, H, W) input"
        )
    channel = check_index("channel", channel, trace.input.shape[0], "channels")
    grad = (
        np.ones(trace.output.shape)
        if grad_output is None
        else check_picture(
            "grad_output", grad_output, ndim=(1, 2, 3, 4), layout="(C, H_out, W_out)"
        )
    )
    switched = np.asarray(max_pool2d_backward(trace, grad))
    if grad_input is None:
        drawn, source = switched, "switches"
    else:
        drawn = check_picture("grad_input", grad_input, ndim=(1, 2, 3, 4), layout="(C, H, W)")
        source = "autograd"
        if drawn.shape != trace.input.shape:
            raise ValueError(
                f"grad_input must have the input's shape {trace.input.shape}, got "
                f"{drawn.shape}: pass x.grad of the (C, H, W) tensor that was pooled, "
                "e.g. x.grad.numpy()"
            )
    matches = bool(np.allclose(drawn, switched))
    grad_in = drawn[channel]
    up = grad[channel]
    x_in = up.shape[1] + 3.0
    big = float(max(np.abs(grad_in).max(), np.abs(up).max())) or 1.0
    wins = sorted(
        {
            tuple(int(v) for v in trace.steps[channel * up.size + k].winner_input)
            for k in range(up.size)
            if trace.steps[channel * up.size + k].winner_input is not None
        }
    )
    sx, sy = g.cell_polygons([(r, x_in + c) for r, c in wins], inset=0.1)
    where = "torch autograd" if source == "autograd" else "the switches"
    heads = [
        (-0.5, -1.0, "upstream gradient ∂L/∂out"),
        (x_in - 0.5, -1.0, f"∂L/∂x from {where}: only the max cells receive gradient"),
    ]
    traces = [
        g.heatmap(
            up,
            x0=0,
            y0=0,
            name="grad_output",
            colorscale=g.DIVERGING,
            zmin=-big,
            zmax=big,
            text=g.fmt_grid(up),
        ),
        g.heatmap(
            grad_in,
            x0=x_in,
            y0=0,
            name="grad_input",
            colorscale=g.DIVERGING,
            zmin=-big,
            zmax=big,
            text=g.fmt_grid(grad_in),
        ),
        {**g.outline("switches", "rgba(255, 193, 7, 1)", width=3), "x": sx, "y": sy},
        g.labels("headings", heads, size=12),
    ]
    if source == "autograd":
        verdict = ("equals" if matches else "<b>differs from</b>") + " the switches' scatter-add"
        shown = f"shown: torch autograd's input gradient, which {verdict}"
    else:
        shown = (
            "shown: the scatter-add through the trace's switches "
            "(vizkit.sliding.max_pool2d_backward)"
        )
    title = (
        f"<b>max pooling, backward</b>   {pool_code(trace)}<br>each output's gradient "
        f"is routed to the cell that won its window; cells won twice add up<br>{shown}"
    )
    layout = g.axes_layout(x_in + grad_in.shape[1], grad_in.shape[0] + 1, title)
    layout["meta"] = {"grad_source": source, "matches_switches": matches}
    return g.build_figure(traces, layout)
