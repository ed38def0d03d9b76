"""The explorers' quick-redraw layers: cell numbers as a picture, cover and outlines as shapes.

What the explorer shows must be what the scene (and so ``F.conv2d``) says: the labels in the
picture sit over the cells that had them, the cover hides exactly the output cells not
computed yet, and the window shape outlines exactly the taps of the current step.
"""

from __future__ import annotations

import base64
import io
import re

import numpy as np
import pytest
from PIL import Image

from vizkit.render import _grid as g
from vizkit.render.browser_layers import (
    SCALE,
    cell_px,
    cover_shape,
    label_image,
    labels_as_images,
    outline_shape,
    path_points,
    traces_as_shapes,
)
from vizkit.render.conv import ConvScene
from vizkit.sliding import conv2d_trace
from vizkit.widgets.conv_explorer import ConvExplorer


def decode(source: str) -> np.ndarray:
    assert source.startswith("data:image/png;base64,")
    png = Image.open(io.BytesIO(base64.b64decode(source.split(",", 1)[1])))
    return np.asarray(png.convert("RGBA"))


def rect_cells(path: str) -> set[tuple[int, int]]:
    """(row, col) cells covered by a path of axis-aligned rectangles M x,y H x V y H x Z."""
    cells = set()
    for left, top, right, bottom, _ in re.findall(
        r"M([-\d.]+),([-\d.]+)H([-\d.]+)V([-\d.]+)H([-\d.]+)Z", path
    ):
        for r in range(round(float(top) + 0.5), round(float(bottom) + 0.5)):
            for c in range(round(float(left) + 0.5), round(float(right) + 0.5)):
                cells.add((r, c))
    return cells


def scene(stride: int = 1) -> ConvScene:
    rng = np.random.default_rng(0)
    x = rng.integers(-2, 4, (1, 7, 6)).astype(float)
    w = rng.integers(-1, 2, (1, 1, 3, 3)).astype(float)
    return ConvScene(conv2d_trace(x, w, stride=stride))


def test_label_image_draws_each_label_inside_its_own_cell() -> None:
    text = [["12", "", "-3"], ["", "7", ""]]
    trace = g.heatmap(
        np.zeros((2, 3)), x0=4, y0=1, name="p", colorscale=g.SEQUENTIAL, zmin=0, zmax=1, text=text
    )
    image = label_image(trace, 20.0)
    assert (image["x"], image["y"], image["sizex"], image["sizey"]) == (3.5, 0.5, 3, 2)
    assert image["xref"] == "x" and image["yref"] == "y" and image["layer"] == "above"
    pixels = decode(image["source"])
    step = round(20 * SCALE)
    assert pixels.shape[:2] == (2 * step, 3 * step)
    for r in range(2):
        for c in range(3):
            inner = pixels[r * step + 3 : (r + 1) * step - 3, c * step + 3 : (c + 1) * step - 3]
            dark = (inner[..., 3] > 0) & (inner[..., :3].mean(axis=-1) < 128)
            assert dark.any() == bool(text[r][c]), (r, c)


def test_label_image_draws_the_cell_gaps_the_heatmap_gives_up() -> None:
    trace = g.heatmap(
        np.zeros((2, 2)),
        x0=0,
        y0=0,
        name="p",
        colorscale=g.SEQUENTIAL,
        zmin=0,
        zmax=1,
        text=[["1", "2"], ["3", "4"]],
    )
    (moved,), layout = labels_as_images([trace], g.axes_layout(4, 4, "t"), ["p"])
    assert moved["text"] is None and moved["xgap"] == moved["ygap"] == 0
    assert trace["text"] is not None and trace["xgap"] == 1  # the input is not changed
    pixels = decode(layout["images"][0]["source"])
    step = round(cell_px(layout) * SCALE)
    border = pixels[:, step - 1]  # the column of pixels left of the border between cells
    assert (border[..., 3] == 255).all() and (border[..., :3] == 255).all()
    no_gaps = {**trace, "xgap": 0, "ygap": 0}
    plain = decode(labels_as_images([no_gaps], layout, ["p"])[1]["images"][0]["source"])
    assert (plain[:, step - 1, 3] == 0).any()  # without gaps: nothing drawn on the border


def test_cell_px_is_the_layouts_pixels_per_cell() -> None:
    layout = g.axes_layout(60, 5, "wide")  # capped by the theme's widest canvas
    assert cell_px(layout) * 61 == pytest.approx(layout["width"] - 40)


@pytest.mark.parametrize("step", [0, 5, 11, 19])
def test_cover_hides_exactly_the_output_cells_not_computed_yet(step: int) -> None:
    s = scene()
    cover = next(t for t in s.traces(step) if t["name"] == "cover")
    shape = cover_shape(cover)
    hidden = {(r, c - round(s.x_out)) for r, c in rect_cells(shape["path"])}
    expected = {divmod(k, s.wo) for k in range(step + 1, s.n_steps)}
    assert hidden == expected
    assert shape["visible"] is bool(expected)


def test_outline_shape_keeps_every_polygon_point() -> None:
    s = scene(stride=2)
    window = next(t for t in s.traces(3) if t["name"] == "window")
    shape = outline_shape(window)
    xs, ys = path_points(shape["path"])
    closed = lambda v: [*v, None] if v and v[-1] is not None else list(v)  # noqa: E731
    assert xs == [None if v is None else float(v) for v in closed(window["x"])]
    assert ys == [None if v is None else float(v) for v in closed(window["y"])]
    assert shape["fillcolor"] == g.WINDOW_FILL and shape["line"]["color"] == g.WINDOW_COLOR


def test_traces_as_shapes_keeps_indices_and_hides_the_traces() -> None:
    traces, layout = scene().traces(4), scene().layout()
    out, new_layout, moved = traces_as_shapes(traces, layout, ["cover", "window", "current"])
    assert len(out) == len(traces)
    names = {"cover", "window", "current"}
    assert sorted(moved) == [i for i, t in enumerate(traces) if t["name"] in names]
    assert all(out[i]["visible"] is False for i in moved)
    assert [s["name"] for s in new_layout["shapes"]] == [
        "cover (not computed yet)",
        "window",
        "current",
    ]


@pytest.mark.parametrize("stride", [1, 2])
def test_the_explorer_shows_what_the_trace_says_at_every_step(stride: int) -> None:
    e = ConvExplorer(input_height=7, input_width=6, kernel_size=3, stride=stride)
    s = e.scene
    images = {i.name: i for i in e.figure.layout.images}
    assert set(images) == {"input labels", "output labels"}
    assert e.figure.data[0].text is None and e.figure.data[0].hovertext is not None
    shown = decode(images["output labels"].source)
    expected = decode(label_image(s.traces(0)[1], cell_px(s.layout()))["source"])
    assert np.array_equal(shown, expected)
    for step in range(s.n_steps):
        e.step.value = step
        shapes = {sh.name: sh for sh in e.figure.layout.shapes}
        taps = e.trace.steps[step]
        window = g.polygon_cells(*path_points(shapes["window"].path))
        assert sorted(window) == sorted((r, c) for r in taps.rows for c in taps.cols)
        cover = shapes["cover (not computed yet)"].path
        hidden = {(r, c - round(s.x_out)) for r, c in rect_cells(cover)}
        assert hidden == {divmod(k, s.wo) for k in range(step + 1, s.n_steps)}
