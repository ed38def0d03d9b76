"""pool_animation and max_pool_backward_figure as data, against torch."""

from __future__ import annotations

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from vizkit.render._grid import polygon_cells, revealed_count
from vizkit.render.pool import max_pool_backward_figure, pool_animation, pool_code
from vizkit.sliding import pool2d_trace


def grid(z):
    return np.array([[np.nan if v is None else v for v in row] for row in z], float)


@pytest.mark.parametrize("kind", ["max", "avg", "lp"])
@pytest.mark.parametrize("ceil_mode", [False, True])
def test_overlapping_3_2_frames_match_steps_and_torch(rng, kind, ceil_mode):
    x = rng.integers(0, 9, (1, 6, 6)).astype(float)
    trace = pool2d_trace(x, 3, 2, ceil_mode=ceil_mode, kind=kind)
    fig = pool_animation(trace)
    t = torch.tensor(x)[None]
    expected = {
        "max": F.max_pool2d(t, 3, 2, ceil_mode=ceil_mode),
        "avg": F.avg_pool2d(t, 3, 2, ceil_mode=ceil_mode),
        "lp": F.lp_pool2d(t, 2.0, 3, 2, ceil_mode=ceil_mode),
    }[kind][0, 0].numpy()
    assert len(fig.frames) == expected.size == len(fig.layout.sliders[0].steps)
    assert np.allclose(grid(fig.data[1].z), expected)
    for k, frame in enumerate(fig.frames):
        f = frame.to_plotly_json()
        data = dict(zip(f["traces"], f["data"], strict=True))
        step = trace.steps[k]
        inside = polygon_cells(data[6]["x"], data[6]["y"])
        over = polygon_cells(data[7]["x"], data[7]["y"])
        assert sorted(inside + over) == sorted((r, c) for r in step.rows for c in step.cols)
        assert len(over) == int((~step.in_padded).sum())
        assert revealed_count(data[2]["colorscale"], len(fig.frames)) == k + 1
        if kind == "max":
            winner = polygon_cells(data[8]["x"], data[8]["y"])[0]
            assert winner == (step.rows[step.winner[0]], step.cols[step.winner[1]])
        assert (
            f"<b>{step.value:.3g}" in data[5]["text"][0]
            or f"<b>{step.value:g}</b>" in data[5]["text"][0]
        )
    assert ("⌈" in fig.layout.title.text) == ceil_mode


def test_pool_code_and_caption():
    trace = pool2d_trace(np.zeros((1, 5, 5)), 2)
    fig = pool_animation(trace)
    assert pool_code(trace) == "nn.MaxPool2d(kernel_size=2)"
    assert "input rows [4], columns [4]" in fig.layout.title.text  # floor mode skips them
    lp = pool2d_trace(np.zeros((1, 4, 4)), 2, kind="lp", norm_type=2)
    assert pool_code(lp) == "nn.LPPool2d(norm_type=2, kernel_size=2)"


def test_backward_matches_autograd(rng):
    x = rng.integers(0, 5, (1, 5, 5)).astype(float)  # ties: the first max wins, as in torch
    trace = pool2d_trace(x, 3, 2)
    grad_out = rng.normal(size=trace.output.shape)
    fig = max_pool_backward_figure(trace, grad_out)
    xt = torch.tensor(x, requires_grad=True)
    F.max_pool2d(xt[None], 3, 2)[0].backward(torch.tensor(grad_out))
    assert np.allclose(grid(fig.data[1].z), xt.grad[0].numpy())
    switches = set(polygon_cells(fig.data[2].x, fig.data[2].y))
    x_in = trace.output.shape[2] + 3  # the input-gradient panel starts here
    winners = {(s.winner_input[0], x_in + s.winner_input[1]) for s in trace.steps}
    assert switches == winners
    nonzero = {
        (int(r), x_in + int(c)) for r, c in zip(*np.nonzero(xt.grad[0].numpy()), strict=True)
    }
    assert nonzero <= switches  # the gradient lands only on switches
    with pytest.raises(ValueError, match="needs an unbatched max-pooling trace"):
        max_pool_backward_figure(pool2d_trace(x, 2, kind="avg"))


def test_backward_figure_draws_the_autograd_gradient_it_is_given(rng):
    x = rng.integers(0, 5, (2, 7, 7)).astype(float)  # two channels, ties included
    trace = pool2d_trace(x, 3, 2)
    grad_out = rng.normal(size=trace.output.shape)
    xt = torch.tensor(x, requires_grad=True)
    F.max_pool2d(xt, 3, 2).backward(torch.tensor(grad_out))
    autograd = xt.grad.numpy()
    for channel in (0, 1):
        fig = max_pool_backward_figure(trace, grad_out, grad_input=autograd, channel=channel)
        assert np.array_equal(grid(fig.data[1].z), autograd[channel])
        assert np.array_equal(grid(fig.data[0].z), grad_out[channel])
    assert fig.layout.meta == {"grad_source": "autograd", "matches_switches": True}
    assert (
        "torch autograd's input gradient, which equals the switches' scatter-add"
        in fig.layout.title.text
    )
    assert "from torch autograd" in fig.data[3].text[1]
    default = max_pool_backward_figure(trace, grad_out)
    assert default.layout.meta == {"grad_source": "switches", "matches_switches": True}
    assert "max_pool2d_backward" in default.layout.title.text
    assert np.allclose(grid(default.data[1].z), autograd[0])


def test_backward_figure_says_when_the_given_gradient_is_not_the_switches(rng):
    x = rng.normal(size=(1, 6, 6))
    trace = pool2d_trace(x, 2)
    xt = torch.tensor(x, requires_grad=True)
    F.max_pool2d(xt, 2).backward(torch.full(trace.output.shape, 3.0, dtype=torch.float64))
    fig = max_pool_backward_figure(trace, grad_input=xt.grad.numpy())  # upstream ones ≠ 3
    assert fig.layout.meta["matches_switches"] is False
    assert "<b>differs from</b> the switches' scatter-add" in fig.layout.title.text
    with pytest.raises(ValueError) as err:
        max_pool_backward_figure(trace, grad_input=xt.grad.numpy()[0])
    assert str(err.value) == (
        "grad_input must have the input's shape (1, 6, 6), got (6, 6): pass x.grad of the "
        "(C, H, W) tensor that was pooled, e.g. x.grad.numpy()"
    )
