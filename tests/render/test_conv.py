"""conv_animation tested as data: frames = output cells, frame k = trace step k, torch values."""

from __future__ import annotations

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from vizkit.render._grid import fmt, polygon_cells, revealed_count
from vizkit.render.conv import ConvScene, conv_animation, conv_figure
from vizkit.sliding import conv2d_trace

CONFIGS = [
    dict(stride=1, padding=0, dilation=1),
    dict(stride=2, padding=1, dilation=1),
    dict(stride=1, padding=2, dilation=2),
    dict(stride=3, padding=0, dilation=1),
]


def frame_dict(fig, k):
    return fig.frames[k].to_plotly_json()


def grid_values(z, rows, cols, y0=0, x0=0):
    return np.array([[z[y0 + r][x0 + c] for c in range(cols)] for r in range(rows)], float)


@pytest.mark.parametrize("cfg", CONFIGS)
def test_frames_match_trace_steps_and_torch(rng, cfg):
    x = rng.integers(-3, 4, (1, 6, 7)).astype(float)
    w = rng.integers(-2, 3, (1, 1, 3, 3)).astype(float)
    trace = conv2d_trace(x, w, **cfg)
    fig = conv_animation(trace)
    expected = F.conv2d(torch.tensor(x)[None], torch.tensor(w), **cfg)[0].numpy()
    ho, wo = expected.shape[1:]
    # one frame per output cell, one slider step per frame, same names in the same order
    assert len(fig.frames) == ho * wo == len(trace.steps)
    steps = fig.layout.sliders[0].steps
    assert [s.args[0][0] for s in steps] == [f.name for f in fig.frames]
    # the output panel holds torch's numbers
    out = fig.data[1]
    assert np.allclose(grid_values(out.z, ho, wo), expected[0])
    for k in range(len(fig.frames)):
        step = trace.steps[k]
        data = dict(zip(frame_dict(fig, k)["traces"], frame_dict(fig, k)["data"], strict=True))
        highlighted = polygon_cells(data[7]["x"], data[7]["y"])
        assert sorted(highlighted) == sorted((r, c) for r in step.rows for c in step.cols)
        assert revealed_count(data[2]["colorscale"], len(trace.steps)) == k + 1
        r, c = step.out_index
        cx, cy = polygon_cells(data[8]["x"], data[8]["y"])[0][::-1]
        assert (cy, cx - ConvScene(trace).x_out) == (r, c)
        # the products panel shows the trace's products, and the sum line its total
        shown = grid_values(data[5]["z"], 3, 3)
        assert np.allclose(shown, step.products[0])
        assert f"<b>{trace.steps[k].total:g}</b>" in data[6]["text"][-1]
        assert np.isclose(step.total, expected[0][r, c])


def test_dilated_taps_are_apart():
    trace = conv2d_trace(np.zeros((1, 7, 7)), np.ones((1, 1, 3, 3)), dilation=2, stride=3)
    fig = conv_animation(trace)
    data = frame_dict(fig, 0)["data"]
    cells = polygon_cells(data[4]["x"], data[4]["y"])
    assert sorted(cells) == [(r, c) for r in (0, 2, 4) for c in (0, 2, 4)]


def test_padding_cells_are_marked_and_copied_values_shown():
    x = np.arange(9.0).reshape(1, 3, 3)
    trace = conv2d_trace(x, np.ones((1, 1, 3, 3)), padding=1, padding_mode="reflect")
    fig = conv_figure(trace)
    inputs = fig.data[0]
    cats = np.array(inputs.z, float)
    assert cats.shape == (5, 5)
    assert (cats[1:4, 1:4] == 0).all()  # real input
    assert (cats[0] == 2).all() and (cats[:, 0] == 2).all()  # copied padding
    # reflect: padded row 0 copies input row 1
    assert [t for t in inputs.text[0]] == ["4", "3", "4", "5", "4"]
    assert "reflect padding: copy of x[1, 1]" in inputs.hovertext[0][0]
    zero = conv_figure(conv2d_trace(x, np.ones((1, 1, 3, 3)), padding=1))
    assert (np.array(zero.data[0].z, float)[0] == 1).all()  # zero padding: its own colour


def test_unread_rows_are_grey_and_named_in_caption():
    # The lecture's W=10, F=3, S=2: column (and row) 9 is never read.
    trace = conv2d_trace(np.ones((1, 10, 10)), np.ones((1, 1, 3, 3)), stride=2)
    fig = conv_figure(trace)
    cats = np.array(fig.data[0].z, float)
    assert (cats[9] == 3).all() and (cats[:, 9] == 3).all()
    assert (cats[:9, :9] == 0).all()
    assert "input rows [9], columns [9]" in fig.layout.title.text


def test_caption_has_formula_code_and_parameter_count(rng):
    x = rng.normal(size=(3, 5, 5))
    trace = conv2d_trace(x, rng.normal(size=(4, 3, 3, 3)), np.zeros(4), stride=2, padding=1)
    title = conv_animation(trace).layout.title.text
    assert "H_out = W_out = ⌊(5 + 2·1 − 3) / 2⌋ + 1 = 3" in title
    assert "nn.Conv2d(3, 4, kernel_size=3, stride=2, padding=1)" in title
    assert "F·F·D·K + K = 3·3·3·4 + 4 = 112" in title
    conv = torch.nn.Conv2d(3, 4, 3, stride=2, padding=1)
    assert sum(p.numel() for p in conv.parameters()) == 112


def test_multichannel_lanes_partial_sums_and_bias(rng):
    x = rng.integers(-2, 3, (2, 4, 4)).astype(float)
    w = rng.integers(-1, 2, (3, 2, 3, 3)).astype(float)
    b = np.array([1.0, -1.0, 0.5])
    trace = conv2d_trace(x, w, b)
    fig = conv_animation(trace)
    assert len(fig.frames) == 3 * 2 * 2
    scene = ConvScene(trace)
    k = 6  # output channel 1, cell (1, 0)
    step = trace.steps[k]
    assert step.out_channel == 1
    data = dict(zip(frame_dict(fig, k)["traces"], frame_dict(fig, k)["data"], strict=True))
    cells = polygon_cells(data[7]["x"], data[7]["y"])
    lanes = {(r // scene.lane_h) for r, _ in cells}
    assert lanes == {0, 1}  # the window is drawn on both input channels
    sums = data[6]["text"]
    assert sums[0] == f"→ {step.channel_sums[0]:g}" and sums[1] == f"→ {step.channel_sums[1]:g}"
    assert "+ -1 (bias)" in sums[-1] and f"<b>{step.total:g}</b>" in sums[-1]
    torch_out = F.conv2d(torch.tensor(x)[None], torch.tensor(w), torch.tensor(b))[0]
    assert np.isclose(step.total, torch_out[1, 1, 0].item())
    # kernel lanes show weight[out_channel]
    kernel = np.array([[np.nan if v is None else v for v in row] for row in data[4]["z"]])
    assert np.allclose(kernel[:3], w[1, 0]) and np.allclose(kernel[scene.lane_h :], w[1, 1])


def test_running_sum_ends_at_the_channel_sum():
    trace = conv2d_trace(np.arange(9.0).reshape(1, 3, 3), np.ones((1, 1, 2, 2)))
    data = frame_dict(conv_animation(trace), 3)["data"]
    assert data[1]["text"][-1][-1].endswith("<sub>Σ 24</sub>")  # 4 + 5 + 7 + 8


def test_frames_subset_and_errors(rng):
    trace = conv2d_trace(rng.normal(size=(1, 6, 6)), rng.normal(size=(1, 1, 3, 3)))
    fig = conv_animation(trace, steps=range(5))
    assert len(fig.frames) == 5 == len(fig.layout.sliders[0].steps)
    assert [b.label for b in fig.layout.updatemenus[0].buttons] == [
        "▶ slow",
        "▶ normal",
        "▶ fast",
        "❚❚ pause",
    ]
    with pytest.raises(ValueError, match="steps is empty"):
        conv_animation(trace, steps=[])
    with pytest.raises(
        ValueError, match=r"steps 16 is above 15: the drawing has 16 steps \(0 … 15\)"
    ):
        conv_animation(trace, steps=[16])
    big = conv2d_trace(np.zeros((9, 4, 4)), np.zeros((1, 9, 1, 1)))
    with pytest.raises(ValueError, match="got in_channels 9 and out_channels 1, allowed up to 8"):
        conv_animation(big)


def test_frame_data_property_builds_trace_objects(rng):
    trace = conv2d_trace(rng.normal(size=(1, 4, 4)), rng.normal(size=(1, 1, 2, 2)))
    fig = conv_animation(trace)
    assert fig.frames[2].data[4].type == "scatter"
    assert fig.to_dict()["frames"][2]["name"] == "2"
    html = fig.to_html(include_plotlyjs=False)
    assert '"name":"8"' in html.replace(" ", "")


@pytest.mark.parametrize(
    ("channels", "out_channels", "groups", "cfg"),
    [
        (4, 4, 2, dict(stride=2, padding=1, dilation=1, padding_mode="reflect")),
        (2, 3, 1, dict(stride=1, padding=2, dilation=2)),
        (3, 3, 3, dict(stride=(1, 2), padding=0, dilation=1)),
    ],
)
def test_vectorised_frames_equal_the_trace_steps(rng, channels, out_channels, groups, cfg):
    # Frames are built in bulk from the trace's arrays; each must show exactly step k.
    x = rng.integers(-3, 4, (channels, 5, 6)).astype(float)
    w = rng.integers(-2, 3, (out_channels, channels // groups, 3, 3)).astype(float)
    bias = rng.integers(-2, 3, out_channels).astype(float)
    trace = conv2d_trace(x, w, bias, groups=groups, **cfg)
    scene = ConvScene(trace)
    fig = conv_animation(trace)
    assert len(fig.frames) == len(trace.steps)
    for k, step in enumerate(trace.steps):
        data = dict(zip(frame_dict(fig, k)["traces"], frame_dict(fig, k)["data"], strict=True))
        for j, c in enumerate(step.in_channels):
            y0 = c * scene.lane_h
            assert np.allclose(grid_values(data[5]["z"], 3, 3, y0=y0), step.products[j])
            assert np.allclose(grid_values(data[4]["z"], 3, 3, y0=y0), step.kernel[j])
        others = [c for c in range(channels) if c not in step.in_channels]
        for c in others:  # lanes of other groups stay empty
            assert all(v is None for row in data[5]["z"][c * scene.lane_h :][:3] for v in row)
        cells = {
            (c * scene.lane_h + r, cc)
            for c in step.in_channels
            for r in step.rows
            for cc in step.cols
        }
        assert set(polygon_cells(data[7]["x"], data[7]["y"])) == cells
        assert data[6]["text"][-1].endswith(f"<b>{step.total:g}</b>")
        assert data[6]["text"][:-1] == [f"→ {v:g}" for v in step.channel_sums]
        assert np.isclose(step.total, trace.output[(step.out_channel, *step.out_index)])


def test_vectorised_labels_equal_fmt(rng):
    from vizkit.render._grid import fmt, fmt_array, fmt_grid

    values = np.concatenate(
        [
            rng.normal(size=500) * 10.0 ** rng.integers(-8, 9, 500),
            rng.integers(-2000, 2000, 300).astype(float),
            [np.nan, np.inf, -np.inf, -0.0, 0.5, 1e6, 999999.0, -1e6, 2.5e7],
        ]
    )
    assert fmt_array(values).tolist() == [fmt(float(v)) for v in values]
    assert fmt_grid(np.array([[1.0, np.nan], [1 / 3, -2.5]])) == [["1", ""], ["0.333", "-2.5"]]


def _camera_edges():
    from vizkit.data.natural import natural_image

    crop = natural_image("camera")[164:172, 164:172, 0]  # notebook 01's real-image example
    sobel_x = np.array([[-1.0, 0, 1], [-2, 0, 2], [-1, 0, 1]])
    return conv2d_trace(crop[None], sobel_x[None, None])


LABEL_CASES = {
    "camera crop, Sobel x (real values)": _camera_edges,
    "16×16 integers, 5×5 kernel (the explorer's)": lambda: conv2d_trace(
        np.random.default_rng(0).integers(-2, 4, (1, 16, 16)),
        np.random.default_rng(1).integers(-1, 2, (1, 1, 5, 5)),
    ),
    "2 → 3 channels, real weights, bias": lambda: conv2d_trace(
        np.random.default_rng(2).normal(size=(2, 5, 5)),
        np.random.default_rng(3).normal(size=(3, 2, 3, 3)),
        np.array([0.5, -1.25, 2.0]),
    ),
}


@pytest.mark.parametrize("theme", ["notebook", "lecture"])
@pytest.mark.parametrize("case", LABEL_CASES)
def test_every_cell_label_fits_its_cell(case, theme):
    """No number runs into its neighbours: with real values on a wide canvas the labels
    shrink (and drop to two significant digits where three would need a tiny font); in the
    lecture theme too, whose fonts are 1.5× (Voilà showed the overflow there)."""
    from vizkit.render._grid import canvas_cell_px, label_em
    from vizkit.render.theme import use_theme

    trace = LABEL_CASES[case]()
    use_theme(theme)
    try:
        scene = ConvScene(trace)
        px = canvas_cell_px(scene.width)
        traces = [t for step in sorted({0, scene.n_steps // 2, scene.n_steps - 1})
                  for t in scene.traces(step)]  # fmt: skip
    finally:
        use_theme("notebook")
    assert scene.font >= 7
    for t in traces:
        if t["type"] != "heatmap" or not t.get("text"):
            continue
        size = t["textfont"]["size"]
        for row in t["text"]:
            for label in row:
                first = (label or "").split("<br>")[0]
                assert label_em(first) * size <= px - 1.5 + 1e-9, (t["name"], label, size, px)
    # the labels still say the values (to the digits shown) and the hover text says more
    out = next(t for t in scene.traces(0) if t["name"] == "output")
    shown = np.array([[float(v) for v in row] for row in out["text"] if any(row)])
    values = np.concatenate(list(np.asarray(trace.output)))  # the grids, one under another
    assert np.allclose(shown, values, rtol=10 ** (1 - scene.digits), atol=1e-9)
    hovers = [
        h for row, hs in zip(out["text"], out["hovertext"], strict=True) if any(row) for h in hs
    ]
    assert hovers == [f"output = {fmt(v)}" for v in values.ravel()]  # three digits


def test_the_real_valued_example_keeps_a_readable_font():
    scene = ConvScene(_camera_edges())
    assert (scene.digits, scene.font) == (2, 8)  # three digits would need a 7 px font
    integers = ConvScene(LABEL_CASES["16×16 integers, 5×5 kernel (the explorer's)"]())
    assert (integers.digits, integers.font) == (3, 9)  # unchanged where labels fit


def test_multichannel_headings_are_short_and_the_title_says_what_lanes_are(rng):
    x = rng.normal(size=(2, 4, 4))
    w = rng.normal(size=(3, 2, 3, 3))
    scene = ConvScene(conv2d_trace(x, w))
    heads = next(t for t in scene.traces(0) if t["name"] == "headings")["text"]
    assert {"padded input", "kernel", "products", "output"} <= set(heads)
    title = scene.title()
    assert "one lane per input channel (2)" in title and "one output grid per filter k (3)" in title
    single = ConvScene(conv2d_trace(x[:1], w[:1, :1])).title()
    assert "lane" not in single and "grid per filter" not in single
