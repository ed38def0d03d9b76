"""The explorers' quick-redraw layers: cell numbers as a picture, cover and outlines as shapes.

What the explorer shows must be what the scene (and so ``F.conv2d``) says: the labels in the
picture sit over the cells that had them, the cover hides exactly the output cells not
computed yet, and the window shape outlines exactly the taps of the current step.
"""

from __future__ import annotations

import base64
import io
import re
from typing import Any

import numpy as np
import pytest
from PIL import Image

from vizkit.render import _grid as g
from vizkit.render.browser_layers import (
    SCALE,
    cell_px,
    cover_shape,
    label_image,
    label_layers,
    labels_as_images,
    outline_shape,
    path_points,
    text_image,
    traces_as_shapes,
)
from vizkit.render.conv import ConvScene
from vizkit.sliding import conv2d_trace
from vizkit.widgets._explorer import SceneExplorer
from vizkit.widgets.conv_explorer import ConvExplorer
from vizkit.widgets.pool_explorer import PoolExplorer
from vizkit.widgets.transposed_explorer import TransposedConvExplorer


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
    assert set(images) == {
        "input labels",
        "output labels",
        "kernel labels",
        "products labels",
        "headings texts",
    }
    assert e.figure.data[0].text is None and e.figure.data[0].hovertext is not None
    shown = decode(images["output labels"].source)
    expected = decode(label_image(s.traces(0)[1], cell_px(s.layout()))["source"])
    assert np.array_equal(shown, expected)
    products = next(i for i, t in enumerate(s.traces(0)) if t["name"] == "products")
    pictures = []
    for step in range(s.n_steps):
        e.step.value = step
        shapes = {sh.name: sh for sh in e.figure.layout.shapes}
        taps = e.trace.steps[step]
        window = g.polygon_cells(*path_points(shapes["window"].path))
        assert sorted(window) == sorted((r, c) for r in taps.rows for c in taps.cols)
        cover = shapes["cover (not computed yet)"].path
        hidden = {(r, c - round(s.x_out)) for r, c in rect_cells(cover)}
        assert hidden == {divmod(k, s.wo) for k in range(step + 1, s.n_steps)}
        # the products of this step, as numbers in the picture (and no SVG labels)
        shown = {i.name: i.source for i in e.figure.layout.images}["products labels"]
        truth = label_image(s.traces(step)[products], cell_px(s.layout()))["source"]
        assert shown == truth and e.figure.data[products].text is None
        pictures.append(shown)
    assert len(set(pictures)) > 1  # the products do change from step to step


@pytest.mark.parametrize(
    "make",
    [
        lambda: ConvExplorer(input_height=5, input_width=6, kernel_size=3, out_channels=2),
        lambda: ConvExplorer(input_height=6, input_width=5, kernel_size=2, in_channels=2),
        lambda: PoolExplorer(input_height=5, input_width=5, kernel_size=2, kind="avg"),
        lambda: TransposedConvExplorer(input_height=3, input_width=3, kernel_size=3, stride=2),
    ],
    ids=["conv-2-filters", "conv-2-channels", "avg-pool", "transposed"],
)
def test_every_picture_is_the_scenes_labels_at_every_step(make: Any) -> None:
    """Each picture, at each step, is the one drawn from the scene's own trace at that step
    (the multi-filter kernel panel changes filter mid-way: its picture must follow)."""
    e = make()
    s, px = e.scene, cell_px(e.scene.layout())
    assert e._pictured, "the explorer draws some labels as pictures"
    seen: dict[int, set[str]] = {i: set() for i in e._pictured}
    for step in range(s.n_steps):
        e.step.value = step
        truth = s.traces(step)
        images = e.figure.layout.images
        for index, (slot, _) in e._pictured.items():
            expected = (
                label_image(truth[index], px)
                if truth[index]["type"] == "heatmap"
                else text_image(truth[index], s.layout())
            )
            assert expected is not None and images[slot].source == expected["source"]
            assert e.figure.data[index].visible is not True or not e.figure.data[index].text
            seen[index].add(images[slot].source)
    if isinstance(e, ConvExplorer) and e.out_channels.value == 2:
        kernel = next(i for i, t in enumerate(s.traces(0)) if t["name"] == "kernel")
        assert len(seen[kernel]) == 2  # one picture per filter


def test_label_layers_maps_each_moved_trace_to_its_picture() -> None:
    s = scene()
    traces, layout = s.traces(2), s.layout()
    out, new_layout, slots = label_layers(traces, layout, ["output", "headings", "kernel"])
    names = [t["name"] for t in traces]
    assert sorted(slots) == sorted(names.index(n) for n in ("output", "headings", "kernel"))
    for index, slot in slots.items():
        assert new_layout["images"][slot]["name"].startswith(traces[index]["name"])
    assert out[names.index("headings")]["visible"] is False
    assert out[names.index("kernel")]["text"] is None
    assert traces[names.index("headings")].get("visible", True) is True  # inputs unchanged


def test_text_image_puts_each_text_where_plotly_anchors_it() -> None:
    layout = g.axes_layout(20, 6, "t")
    px = cell_px(layout)
    trace = {
        "type": "scatter",
        "mode": "text",
        "name": "h",
        "x": [0.0, 10.0],
        "y": [-1.0, 3.0],
        "text": ["input", "<b>⊙</b>"],
        "textposition": "middle right",
        "textfont": {"size": 12, "color": "#222"},
    }
    image = text_image(trace, layout)
    assert image is not None and image["name"] == "h texts"
    pixels = decode(image["source"])
    assert pixels.shape[1] == pytest.approx(image["sizex"] * px * SCALE, abs=1)
    assert pixels.shape[0] == pytest.approx(image["sizey"] * px * SCALE, abs=1)

    def ink(x: float, y: float, dx: float, dy: float) -> bool:
        """Dark pixels in the box (x, y) + (dx, dy) cells of the axes."""
        left = round((x - image["x"]) * px * SCALE)
        top = round((y - image["y"]) * px * SCALE)
        box = pixels[
            max(top, 0) : top + round(dy * px * SCALE), max(left, 0) : left + round(dx * px * SCALE)
        ]
        return bool(((box[..., 3] > 128) & (box[..., :3].mean(axis=-1) < 128)).any())

    # "middle right": each text starts at its point and is centred on its y
    assert ink(0.0, -1.2, 1.5, 0.4) and ink(10.0, 2.8, 0.6, 0.4)
    assert not ink(0.6 + 12 * 5 / px, -1.5, 2, 1)  # nothing far right of "input"
    assert not ink(3.0, 2.0, 6.5, 2.0)  # nothing between the two texts
    # a text reaching outside the axes would be clipped: the trace stays a trace
    assert text_image({**trace, "x": [0.0, 18.0], "text": ["in", "a long caption"]}, layout) is None
    assert text_image({**trace, "text": ["", None]}, layout) is None
    up = {**layout, "yaxis": {**layout["yaxis"], "range": [-1.5, 6]}}
    assert text_image(trace, up) is None


def test_long_headings_widen_the_canvas_and_become_a_picture_too() -> None:
    """TransposedConvExplorer's captions are longer than its panels: the canvas grows to
    hold them (axes_layout's ``texts``), so they fit the axes and are drawn as a picture."""
    e = TransposedConvExplorer(input_height=2, input_width=2, kernel_size=3)
    layout = e.scene.layout()
    headings = next(t for t in e.scene.traces(0) if t["name"] == "headings")
    image = text_image(headings, layout)
    assert image is not None and image["x"] + image["sizex"] <= layout["xaxis"]["range"][1]
    names = {i.name for i in e.figure.layout.images}
    assert "headings texts" in names
    assert next(t for t in e.figure.data if t.name == "headings").visible is False


class CaptionScene:
    """A scene whose one caption walks right, out of the axes at its last step."""

    n_steps = 3
    XS = (0.0, 4.0, 9.5)

    def traces(self, step: int = 0) -> list[dict[str, Any]]:
        cells = g.heatmap(
            np.zeros((2, 10)), x0=0, y0=0, name="cells", colorscale=g.SEQUENTIAL, zmin=0, zmax=1
        )
        return [cells, self.frame(step)["data"][0]]

    def frame(self, step: int) -> dict[str, Any]:
        caption = {
            "type": "scatter",
            "mode": "text",
            "name": "caption",
            "x": [self.XS[step]],
            "y": [-1.0],
            "text": [f"step {step}"],
            "textposition": "middle right",
            "textfont": {"size": 12},
        }
        return {"traces": [1], "data": [caption]}

    def layout(self) -> dict[str, Any]:
        return g.axes_layout(10, 2, "captions")


class CaptionExplorer(SceneExplorer):
    LABEL_IMAGES = ("caption",)

    def __init__(self) -> None:
        super().__init__([], "caption-explorer")
        self._refresh()

    def _build(self) -> Any:
        return CaptionScene()

    def _status(self, scene: Any) -> str:
        return ""


def test_a_caption_that_would_be_clipped_goes_back_to_plotly_text() -> None:
    e = CaptionExplorer()
    caption = e.figure.data[1]
    for step in (0, 1):
        e.step.value = step
        (image,) = e.figure.layout.images
        assert image.visible is not False and caption.visible is False
        assert (
            image.source
            == text_image(CaptionScene().frame(step)["data"][0], e.scene.layout())["source"]
        )
    e.step.value = 2  # "step 2" at x = 9.5 reaches past the axes: plotly draws it unclipped
    assert e.figure.layout.images[0].visible is False
    assert caption.visible is True and caption.text == ("step 2",) and caption.x == (9.5,)
    e.step.value = 0  # and back
    assert e.figure.layout.images[0].visible is True and caption.visible is False
