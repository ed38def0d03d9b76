"""Continuous 1D convolution, animated: ``y(τ) = ∫ x(t) · w(τ − t) dt``.

The top panel shows the signal ``x(t)``, the flipped and shifted window ``w(τ − t)`` and their
product, shaded: its area is ``y(τ)``. The bottom panel traces ``y`` as ``τ`` slides. Functions
are sampled on a grid of spacing ``dt`` and the integral becomes ``dt · Σ_i x[i] · w[m − i]``,
the *discrete* convolution, which comes from :func:`vizkit.sliding.conv1d_trace` with
``flip=True`` (equal to ``np.convolve``, and to ``F.conv1d`` with the kernel flipped). Frame
``k`` of the animation draws step ``m_k`` of that trace: its taps, the flipped kernel, the
window of ``x`` under it and the products, exactly as the trace holds them.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import plotly.graph_objects as go

from vizkit._validate import check_int, check_number
from vizkit.render import _grid as g
from vizkit.render._args import MAX_FRAMES
from vizkit.render.theme import current_theme
from vizkit.sliding import Conv1dTrace, conv1d_trace

__all__ = ["PRESETS", "SampledConvolution", "continuous_conv_animation", "sample_convolution"]

Preset = Literal["box", "spike", "triangle", "gauss", "exp", "ramp"]
Signal = Preset | Callable[[np.ndarray], Any] | np.ndarray | list[float]

PRESETS: dict[str, Callable[[np.ndarray], np.ndarray]] = {
    "box": lambda t: ((t >= -0.5) & (t <= 0.5)).astype(float),
    "triangle": lambda t: np.clip(1.0 - np.abs(t), 0.0, None),
    "gauss": lambda t: np.exp(-0.5 * (t / 0.3) ** 2) / (0.3 * np.sqrt(2 * np.pi)),
    "exp": lambda t: np.where(t >= 0, np.exp(-2.0 * np.clip(t, 0.0, None)), 0.0),
    "ramp": lambda t: np.where((t >= 0) & (t <= 1), t, 0.0),
}
"""Named functions of ``t``: unit box on [−½, ½], triangle, Gaussian (σ 0.3, area 1),
causal exponential ``e^{−2t}``, ramp on [0, 1]. ``"spike"`` (a discrete Dirac delta of area 1,
height ``1/dt`` at the sample nearest 0) is made per grid."""

X_COLOR, W_COLOR, P_COLOR, Y_COLOR = "#1f77b4", "#d62728", "rgba(148, 103, 189, 0.45)", "#2ca02c"


@dataclass(frozen=True, eq=False)
class SampledConvolution:
    """Two functions sampled on one grid, and their convolution from the discrete trace.

    Attributes:
        t: the sample times of ``x``, spacing ``dt``, ``(N,)``.
        x: ``x(t)``, ``(N,)``.
        kernel_t: the times of the kernel samples (``w``'s support, trimmed), ``(K,)``.
        kernel: ``w`` at ``kernel_t``, ``(K,)``.
        dt: grid spacing.
        tau: output times, ``tau[m] = t[0] + kernel_t[0] + m·dt``, ``(N + K − 1,)``.
        y: ``dt · trace.output``: the Riemann sum of ``∫ x(t) w(τ − t) dt`` at ``tau``.
        trace: the discrete trace (``conv1d_trace(x, w, padding="full", flip=True)``).
        names: labels of ``x`` and ``w`` for the legend.
    """

    t: np.ndarray
    x: np.ndarray
    kernel_t: np.ndarray
    kernel: np.ndarray
    dt: float
    tau: np.ndarray
    y: np.ndarray
    trace: Conv1dTrace
    names: tuple[str, str]

    def window_at(self, m: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """Times, ``w(τ_m − t)``, ``x(t)`` and the products under the window of step ``m``.

        All four come from ``trace.steps[m]``: padded tap ``p`` is input sample ``p − (K − 1)``.
        """
        step = self.trace.steps[m]
        k = len(self.kernel)
        times = self.t[0] + (np.asarray(step.taps) - (k - 1)) * self.dt
        return times, step.kernel[0], step.window[0], step.products[0]


def _sample(name: str, f: Signal, t: np.ndarray, dt: float) -> tuple[np.ndarray, str]:
    """One signal on grid ``t``: a preset name, a callable of ``t`` or sampled values."""
    if isinstance(f, str):
        if f == "spike":
            values = np.zeros_like(t)
            values[int(np.argmin(np.abs(t)))] = 1.0 / dt
            return values, "spike δ(t)"
        if f not in PRESETS:
            raise ValueError(
                f"{name} {f!r} is not a preset: use one of "
                f"{', '.join(repr(p) for p in ['spike', *PRESETS])}, a function "
                "of t (numpy in, numpy out) or an array of samples"
            )
        return PRESETS[f](t), f
    if callable(f):
        label = getattr(f, "__name__", "f")
        try:
            values = np.asarray(f(t), dtype=float)
        except Exception as err:
            raise ValueError(
                f"{name} failed when called on the time grid (a numpy array of "
                f"{len(t)} times): {err}. Write it with numpy operations, e.g. "
                "lambda t: np.exp(-t**2)"
            ) from err
        if values.shape == ():
            values = np.full_like(t, float(values))
        if values.shape != t.shape:
            raise ValueError(
                f"{name}(t) returned shape {values.shape} for {len(t)} times: "
                "return one value per time (use numpy, not math)"
            )
        return values, "<lambda>" if label == "<lambda>" else f"{label}(t)"
    try:
        values = np.asarray(f, dtype=float)
    except (TypeError, ValueError):
        raise TypeError(
            f"{name} must be a preset name, a callable or an array of samples, got "
            f"{type(f).__name__}"
        ) from None
    if values.ndim != 1 or values.shape != t.shape:
        raise ValueError(
            f"{name} has shape {values.shape} but the grid has {len(t)} samples: "
            f"pass samples={values.size} (arrays are sampled on "
            "np.linspace(t_min, t_max, samples))"
        )
    return values, "samples"


def sample_convolution(
    x: Signal = "box",
    w: Signal = "box",
    *,
    t_min: float = -2.0,
    t_max: float = 2.0,
    samples: int = 201,
) -> SampledConvolution:
    """Sample ``x`` and ``w`` on ``np.linspace(t_min, t_max, samples)`` and convolve them.

    ``y(τ) ≈ dt · Σ_i x[i] · w[m − i]``: the discrete convolution from
    :func:`vizkit.sliding.conv1d_trace` (``padding="full"``, ``flip=True``), so ``y`` equals
    ``dt · np.convolve(x, w)`` on the trimmed kernel.

    Args:
        x: the signal: a preset (``"box"``, ``"spike"``, ``"triangle"``, ``"gauss"``,
            ``"exp"``, ``"ramp"``), a callable of a numpy array of times, or ``samples``
            values on the grid.
        w: the kernel, the same kinds; trimmed to its non-zero support before tracing.
        t_min: first grid time.
        t_max: last grid time.
        samples: number of grid points (≥ 3).

    Returns:
        A :class:`SampledConvolution`.

    Raises:
        TypeError: a signal of another kind.
        ValueError: an unknown preset, a callable that fails or returns the wrong shape, an
            array of the wrong length, a kernel that is zero everywhere, ``t_max ≤ t_min``,
            fewer than 3 samples.

    Example:
        >>> s = sample_convolution("box", "box", samples=401)
        >>> round(float(s.y.max()), 1)   # box ∗ box = triangle of height 1 (up to ~dt)
        1.0
    """
    samples = check_int(
        "samples", samples, minimum=3, maximum=100_000, fix="use e.g. samples=201 (3 … 100000)"
    )
    t_min = check_number("t_min", t_min)
    t_max = check_number("t_max", t_max)
    if not t_max > t_min:
        raise ValueError(f"t_max {t_max} must be larger than t_min {t_min}: e.g. t_min=-2, t_max=2")
    t = np.linspace(t_min, t_max, samples)
    dt = float(t[1] - t[0])
    xs, x_name = _sample("x", x, t, dt)
    ws, w_name = _sample("w", w, t, dt)
    support = np.flatnonzero(ws)
    if support.size == 0:
        raise ValueError(
            "w is zero at every grid time: the convolution is 0; choose a kernel "
            f"that is non-zero somewhere in [{t_min}, {t_max}]"
        )
    lo, hi = int(support[0]), int(support[-1])
    kernel, kernel_t = ws[lo : hi + 1], t[lo : hi + 1]
    trace = conv1d_trace(xs[None], kernel[None, None], padding="full", flip=True)
    y = dt * np.asarray(trace.output[0])
    tau = t[0] + kernel_t[0] + dt * np.arange(y.size)
    return SampledConvolution(
        t=t,
        x=xs,
        kernel_t=kernel_t,
        kernel=kernel,
        dt=dt,
        tau=tau,
        y=y,
        trace=trace,
        names=(x_name, w_name),
    )


def _closed(times: np.ndarray, values: np.ndarray, dt: float) -> tuple[list, list]:
    """A curve over a support, dropped to zero half a step outside it (box edges show)."""
    return (
        [float(times[0]) - dt / 2, *times.tolist(), float(times[-1]) + dt / 2],
        [0.0, *values.tolist(), 0.0],
    )


def _reading_position(tau: float, span: Sequence[float]) -> str:
    """Where the running reading goes beside the point at ``tau``: to its right near the left
    end of the axis, to its left near the right end (centred text would leave the figure).

    >>> [_reading_position(t, (0, 10)) for t in (0.5, 5, 9.5)]
    ['middle right', 'middle center', 'middle left']
    """
    where = (tau - span[0]) / ((span[1] - span[0]) or 1.0)
    return "middle right" if where < 0.3 else "middle left" if where > 0.7 else "middle center"


def continuous_conv_animation(
    x: Signal = "box",
    w: Signal = "box",
    *,
    t_min: float = -2.0,
    t_max: float = 2.0,
    samples: int = 201,
    frames: int = 41,
) -> go.Figure:
    """Animate ``y(τ) = ∫ x(t) w(τ − t) dt``: the flipped window slides, the product is shaded.

    Args:
        x: the signal (preset name, callable of ``t`` or sampled values; see
            :func:`sample_convolution`).
        w: the kernel, same kinds.
        t_min: first grid time.
        t_max: last grid time.
        samples: grid points.
        frames: animation frames (≥ 2), spread evenly over the output times; capped at the
            number of output samples.

    Returns:
        A ``go.Figure`` with one frame per chosen ``τ_k`` (named ``"0"``, ``"1"``, …), a play
        button and a slider. Traces: 0 ``x(t)``, 1 ``w(τ − t)``, 2 product (shaded), 3 ``y``
        up to ``τ_k``, 4 the current point, 5 a line at ``τ_k``, 6 the value label. The
        figure's ``layout.meta["steps"]`` lists the trace step ``m_k`` of every frame.

    Raises:
        ValueError: see :func:`sample_convolution`; ``frames`` below 2.

    Example:
        >>> fig = continuous_conv_animation("spike", "box", frames=11)
        >>> len(fig.frames), len(fig.layout.sliders[0].steps)
        (11, 11)
    """
    frames = check_int(
        "frames",
        frames,
        minimum=2,
        maximum=MAX_FRAMES,
        fix=f"use e.g. frames=41 (2 … {MAX_FRAMES})",
    )
    s = sample_convolution(x, w, t_min=t_min, t_max=t_max, samples=samples)
    n_out = s.y.size
    chosen = np.unique(np.linspace(0, n_out - 1, min(frames, n_out)).round().astype(int))
    lo, hi = min(t_min, float(s.tau[0])), max(t_max, float(s.tau[-1]))
    # A spike (one non-zero sample, height 1/dt) would flatten the other curve: scale the
    # axis to the other one and let the spike run off the top, as a Dirac arrow does.
    heights = [float(np.max(np.abs(v))) for v in (s.x, s.kernel) if np.count_nonzero(v) > 1]
    top = max(heights) if heights else float(np.max(np.abs(s.kernel)))
    top = top or 1.0
    y_lo, y_hi = min(0.0, float(s.y.min())), max(float(s.y.max()), 1e-12)
    span = [lo - 0.05 * (hi - lo), hi + 0.05 * (hi - lo)]

    def dynamic(m: int) -> list[g.Trace]:
        times, kernel, _, products = s.window_at(m)
        wx, wy = _closed(times, kernel, s.dt)
        px, py = _closed(times, products, s.dt)
        tau = float(s.tau[m])
        return [
            {"type": "scatter", "x": wx, "y": wy},
            {"type": "scatter", "x": px, "y": py},
            {"type": "scatter", "x": s.tau[: m + 1], "y": s.y[: m + 1]},
            {"type": "scatter", "x": [tau], "y": [float(s.y[m])]},
            {"type": "scatter", "x": [tau, tau], "y": [-10 * top, 10 * top]},
            {
                "type": "scatter",
                "x": [tau],
                "y": [y_hi * 1.12],
                "text": [f"τ = {tau:.2f}   y(τ) = shaded area = {g.fmt(float(s.y[m]))}"],
                "textposition": _reading_position(tau, span),
            },
        ]

    theme = current_theme()
    x_name, w_name = s.names
    static = [
        {
            "type": "scatter",
            "name": f"x(t): {x_name}",
            "x": s.t,
            "y": s.x,
            "mode": "lines",
            "line": {"color": X_COLOR, "width": theme.line_width(2.5)},
            "xaxis": "x",
            "yaxis": "y",
        },
    ]
    styles = [
        {
            "name": f"w(τ − t): {w_name}, flipped and shifted",
            "mode": "lines",
            "line": {"color": W_COLOR, "width": theme.line_width(2.5)},
            "xaxis": "x",
            "yaxis": "y",
        },
        {
            "name": "x(t) · w(τ − t)",
            "mode": "lines",
            "fill": "tozeroy",
            "fillcolor": P_COLOR,
            "line": {"color": "rgba(148, 103, 189, 0.9)", "width": theme.line_width(1)},
            "xaxis": "x",
            "yaxis": "y",
        },
        {
            "name": "y(τ) = (x ∗ w)(τ)",
            "mode": "lines",
            "line": {"color": Y_COLOR, "width": theme.line_width(3)},
            "xaxis": "x2",
            "yaxis": "y2",
        },
        {
            "name": "current τ",
            "mode": "markers",
            "marker": {"color": Y_COLOR, "size": theme.font_size(10)},
            "xaxis": "x2",
            "yaxis": "y2",
            "showlegend": False,
        },
        {
            "name": "τ",
            "mode": "lines",
            "line": {"color": "#888", "width": theme.line_width(1), "dash": "dot"},
            "xaxis": "x",
            "yaxis": "y",
            "showlegend": False,
            "hoverinfo": "skip",
        },
        {
            "name": "value",
            "mode": "text",  # textposition: per frame (_reading_position)
            "textfont": theme.font(13),
            "xaxis": "x2",
            "yaxis": "y2",
            "showlegend": False,
            "hoverinfo": "skip",
            "cliponaxis": False,
        },
    ]
    first = [
        {**style, **trace} for style, trace in zip(styles, dynamic(int(chosen[0])), strict=True)
    ]
    frame_list = [
        {"name": str(k), "data": dynamic(int(m)), "traces": [1, 2, 3, 4, 5, 6]}
        for k, m in enumerate(chosen)
    ]
    controls = g.animation_controls([f["name"] for f in frame_list], "frame")
    for step, m in zip(controls["sliders"][0]["steps"], chosen, strict=True):
        step["label"] = f"{float(s.tau[m]):.2f}"
    controls["sliders"][0]["currentvalue"]["prefix"] = "τ = "
    controls["updatemenus"][0]["y"] = -0.08
    controls["sliders"][0]["y"] = -0.16
    layout = {
        "title": {
            "text": "continuous convolution  y(τ) = ∫ x(t) · w(τ − t) dt  "
            f"<span style='font-size:{theme.font_size(12)}px'>(flip w, shift it by τ, multiply, "
            "integrate: the shaded area)</span>",
            "x": 0.01,
            "y": 0.98,
            "yanchor": "top",
        },
        "xaxis": {"range": span, "anchor": "y", "title": {"text": "t"}},
        "yaxis": {
            "domain": [0.55, 1.0],
            "range": [min(0.0, -0.1 * top, float(s.x.min()), float(s.kernel.min())), 1.15 * top],
            "zeroline": True,
        },
        "xaxis2": {"range": span, "anchor": "y2", "title": {"text": "τ"}},
        "yaxis2": {
            "domain": [0.0, 0.38],
            "range": [y_lo - 0.1 * (y_hi - y_lo), y_hi + 0.25 * (y_hi - y_lo)],
        },
        "height": 560,
        "width": 860,
        "margin": {"t": 95, "b": 150, "l": 50, "r": 20},
        "legend": {"orientation": "h", "x": 0.0, "y": 1.02, "yanchor": "bottom"},
        "plot_bgcolor": "white",
        "meta": {"steps": [int(m) for m in chosen]},
        **controls,
    }
    return g.build_figure(static + first, layout, frame_list)
