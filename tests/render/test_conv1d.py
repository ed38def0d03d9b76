"""The continuous 1D convolution animation, tested as data against numpy and torch."""

from __future__ import annotations

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from vizkit.render.conv1d import continuous_conv_animation, sample_convolution


def frame_data(fig, k):
    frame = fig.frames[k].to_plotly_json()
    return dict(zip(frame["traces"], frame["data"], strict=True))


@pytest.mark.parametrize(
    ("x", "w"), [("box", "box"), ("spike", "box"), ("gauss", "exp"), ("ramp", "triangle")]
)
def test_output_curve_at_frame_k_is_the_convolution_up_to_tau_k(x, w):
    fig = continuous_conv_animation(x, w, samples=101, frames=13)
    s = sample_convolution(x, w, samples=101)
    full = s.dt * np.convolve(s.x, s.kernel)  # numerical convolution
    flipped = torch.tensor(s.kernel[::-1].copy())[None, None]
    by_torch = (
        s.dt
        * F.conv1d(torch.tensor(s.x)[None, None], flipped, padding=len(s.kernel) - 1)[0, 0].numpy()
    )
    assert np.allclose(full, by_torch)
    steps = fig.layout.meta["steps"]
    assert len(fig.frames) == len(steps) == 13 == len(fig.layout.sliders[0].steps)
    assert steps[0] == 0 and steps[-1] == full.size - 1
    for k, m in enumerate(steps):
        data = frame_data(fig, k)
        assert np.allclose(data[3]["y"], full[: m + 1])
        assert np.allclose(data[3]["x"], s.tau[: m + 1])
        assert np.isclose(data[4]["y"][0], full[m])


def test_window_is_the_flipped_kernel_shifted_by_tau():
    s = sample_convolution("ramp", "ramp", samples=81)  # ramp is not symmetric
    fig = continuous_conv_animation("ramp", "ramp", samples=81, frames=9)
    for k, m in enumerate(fig.layout.meta["steps"]):
        data = frame_data(fig, k)
        times, values = np.array(data[1]["x"][1:-1]), np.array(data[1]["y"][1:-1])
        tau = s.tau[m]
        # w(τ − t) evaluated from the preset directly
        assert np.allclose(
            values,
            np.where((tau - times >= -1e-9) & (tau - times <= 1 + 1e-9), tau - times, 0.0),
            atol=1e-9,
        )
        products = np.array(data[2]["y"][1:-1])
        x_at = np.interp(times, s.t, s.x, left=0.0, right=0.0)
        assert np.allclose(products, x_at * values)
        assert np.isclose(products.sum() * s.dt, s.y[m])  # shaded area = y(τ)


def test_analytic_results():
    box = sample_convolution("box", "box", samples=401)
    triangle = np.clip(1 - np.abs(box.tau), 0, None)
    assert np.max(np.abs(box.y - triangle)) < 0.02  # box ∗ box = triangle
    spike = sample_convolution("spike", "box", samples=401)
    assert np.allclose(spike.y, (np.abs(spike.tau) <= 0.5 + 1e-9).astype(float))  # δ ∗ w = w


def test_callables_and_arrays_agree():
    t = np.linspace(-2, 2, 101)
    from_callable = sample_convolution(lambda t: np.exp(-(t**2)), "box", samples=101)
    from_array = sample_convolution(np.exp(-(t**2)), "box", samples=101)
    assert np.allclose(from_callable.y, from_array.y)
    fig = continuous_conv_animation(
        np.exp(-(t**2)), lambda t: (t > 0) & (t < 0.5), samples=101, frames=5
    )
    assert len(fig.frames) == 5


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        (dict(x="boxx"), "x 'boxx' is not a preset: use one of 'spike', 'box'"),
        (dict(w=np.ones(7)), "w has shape (7,) but the grid has 201 samples: pass samples=7"),
        (dict(w=lambda t: 0 * t), "w is zero at every grid time"),
        (dict(x=lambda t: [1, 2]), "x(t) returned shape (2,) for 201 times"),
        (dict(t_min=1.0, t_max=1.0), "t_max 1.0 must be larger than t_min 1.0"),
        (dict(samples=2), "samples 2 is below 3: use e.g. samples=201"),
    ],
)
def test_errors_teach(kwargs, message):
    with pytest.raises(ValueError) as err:
        sample_convolution(**kwargs)
    assert message in str(err.value)


def test_frames_argument_checked():
    with pytest.raises(ValueError, match=r"frames 1 is below 2: use e\.g\. frames=41"):
        continuous_conv_animation(frames=1)


@pytest.mark.parametrize(("x", "w"), [("box", "box"), ("gauss", "exp"), ("spike", "box")])
def test_the_running_reading_stays_inside_the_figure(x, w):
    """The "τ = …  y(τ) = shaded area = …" reading beside the moving point: at the ends of
    the axis it sits to the point's inner side, so no frame cuts it off at the figure's edge
    (centred at τ = −2.5 its first characters were outside the picture)."""
    fig = continuous_conv_animation(x, w, frames=15)
    layout = fig.layout
    x0, x1 = layout.xaxis2.range
    plot_px = layout.width - layout.margin.l - layout.margin.r
    per_px = (x1 - x0) / plot_px
    for k in range(len(fig.frames)):
        reading = frame_data(fig, k)[6]
        tau, (text,) = reading["x"][0], reading["text"]
        width = len(text) * 0.6 * 13 * per_px  # 13 px font, ~0.6 em per character
        left = {"middle right": tau, "middle left": tau - width}.get(
            reading["textposition"], tau - width / 2
        )
        # within the figure: the plot area plus its margins
        assert left >= x0 - layout.margin.l * per_px, (k, reading)
        assert left + width <= x1 + layout.margin.r * per_px, (k, reading)
