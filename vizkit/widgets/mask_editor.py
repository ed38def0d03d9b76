"""MaskEditor: pick an image (a bundled photo or your upload) and make an inpainting mask.

Wiring only, no canvas library: the image is a ``go.FigureWidget``; box-select on it (the
default drag mode) marks that rectangle as a hole, as does the "add hole" button for the
rectangle set with the two range sliders (shown dashed). Presets come from
:mod:`vizkit.dip`'s corruptions — text (:func:`~vizkit.dip.text_mask`, Pillow) and random
pixel drop (:func:`~vizkit.dip.random_mask`) — and a mask image can be uploaded
(:func:`~vizkit.dip.mask_from_image`: white = known, black = hole). Uploaded images go
through :func:`vizkit.data.load_image`, which validates them. Holes are drawn magenta in the
editor (the network sees them as unknown, whatever their colour). Problems appear in the
status line, not as tracebacks.

The next notebook cell reads :attr:`MaskEditor.image` and :attr:`MaskEditor.mask`::

    fit = vizkit.dip.inpaint(editor.image, editor.mask, clean=editor.image)
"""

from __future__ import annotations

import base64
import html
import io
import math
import warnings
from typing import Any

import ipywidgets as widgets
import numpy as np
import plotly.graph_objects as go
from plotly.callbacks import BoxSelector

from vizkit._validate import check_int, check_optional_int
from vizkit.widgets._figure_widget import FigureWidget

__all__ = ["MaskEditor"]

HOLE_COLOUR = np.array([1.0, 0.0, 1.0], np.float32)  # magenta: rare in photos


def _png_uri(image: np.ndarray) -> str:
    """``(H, W, 3)`` floats in ``[0, 1]`` → a PNG data URI (far smaller than a JSON array)."""
    from PIL import Image

    buffer = io.BytesIO()
    Image.fromarray((np.clip(image, 0.0, 1.0) * 255.0 + 0.5).astype(np.uint8)).save(
        buffer, format="PNG"
    )
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def _uploaded_bytes(value: Any) -> tuple[str, bytes] | None:
    """The name and bytes of the file in an ipywidgets 8 ``FileUpload.value`` (or None)."""
    if not value:
        return None
    item = value[0]
    return str(item.get("name", "upload")), bytes(item["content"])


class MaskEditor(widgets.VBox):
    """An image and an inpainting mask, made by uploading, box-selecting and presets.

    Args:
        image: Start image, ``(H, W, 3)`` in ``[0, 1]`` (array or PIL); default
            scikit-image's astronaut at ``size``×``size``.
        size: Side of the default photo.
        max_size: Uploaded images with a longer side are downscaled to it (with a notice):
            Deep Image Prior on a CPU wants small images. ``None`` keeps the full size.
        display_size: Width of the figure in pixels.

    Attributes:
        figure: ``go.FigureWidget``: trace 0 the image with holes, trace 1 an invisible grid
            of points that makes box selection work.
        image_upload, mask_upload: ``FileUpload`` widgets.
        rows, columns: ``IntRangeSlider``\\ s of the rectangle "add hole" cuts (end
            exclusive).
        add_button, clear_button, text_button, drop_button: The buttons.
        drop: Fraction of pixels "drop pixels" removes.
        status: ``HTML`` status line.
    """

    def __init__(
        self,
        image: Any = None,
        *,
        size: int = 128,
        max_size: int | None = 512,
        display_size: int = 380,
    ) -> None:
        import vizkit.dip as dip  # torch side, loaded when an editor is made

        size = check_int("size", size, minimum=8, maximum=4096, fix="use e.g. size=128 pixels")
        self.max_size = check_optional_int(
            "max_size", max_size, minimum=8, maximum=8192, fix="use e.g. max_size=512, or None"
        )
        display_size = check_int(
            "display_size", display_size, minimum=64, maximum=4096, fix="use e.g. 380 pixels"
        )
        self._dip = dip
        if image is None:
            from skimage import transform

            from vizkit.data import natural_image

            image = transform.resize(natural_image("astronaut"), (size, size), anti_aliasing=True)
        self._image = dip.as_image(image, "image")
        self._mask = np.ones(self._image.shape[:2], np.float32)

        self.image_upload = widgets.FileUpload(
            accept="image/*", multiple=False, description="image"
        )
        self.mask_upload = widgets.FileUpload(accept="image/*", multiple=False, description="mask")
        self.rows = widgets.IntRangeSlider(description="hole rows", continuous_update=True)
        self.columns = widgets.IntRangeSlider(description="hole cols", continuous_update=True)
        self.add_button = widgets.Button(description="add hole", icon="plus")
        self.clear_button = widgets.Button(description="clear", icon="eraser")
        self.text_button = widgets.Button(description="text")
        self.drop = widgets.FloatSlider(
            value=0.5, min=0.05, max=0.95, step=0.05, description="drop", readout_format=".0%"
        )
        self.drop_button = widgets.Button(description="drop pixels")
        self.status = widgets.HTML()
        self.figure = FigureWidget()
        self.figure.add_trace(go.Image(hoverinfo="skip"))
        self.figure.add_trace(
            go.Scatter(mode="markers", marker={"opacity": 0}, hoverinfo="skip", showlegend=False)
        )
        self.figure.update_xaxes(visible=False)
        self.figure.update_yaxes(visible=False)
        self.figure.update_layout(
            dragmode="select", width=display_size, margin={"l": 10, "r": 10, "t": 10, "b": 10}
        )
        self.figure.data[1].on_selection(self._on_select)

        self.image_upload.observe(self._on_image_upload, names="value")
        self.mask_upload.observe(self._on_mask_upload, names="value")
        self.rows.observe(lambda _: self._draw_box(), names="value")
        self.columns.observe(lambda _: self._draw_box(), names="value")
        self.add_button.on_click(lambda _: self.add_hole(self.rows.value, self.columns.value))
        self.clear_button.on_click(lambda _: self.set_mask(None))
        self.text_button.on_click(
            lambda _: self._combine(self._dip.text_mask(self._mask.shape), "text")
        )
        self.drop_button.on_click(
            lambda _: self._combine(
                self._dip.random_mask(self._mask.shape, drop=self.drop.value, seed=self._drops()),
                f"{self.drop.value:.0%} of the pixels",
            )
        )
        self._n_drops = 0
        self._new_image_geometry()
        super().__init__(
            [
                widgets.HBox([self.image_upload, self.mask_upload, self.clear_button]),
                widgets.HBox([self.rows, self.columns, self.add_button]),
                widgets.HBox([self.text_button, self.drop, self.drop_button]),
                self.status,
                self.figure,
            ]
        )
        self.add_class("vizkit-mask-editor")
        self._redraw(
            "box-select on the image (or set the sliders and press "
            "<b>add hole</b>) to cut holes; or upload an image / a mask"
        )

    # ---- what the next cell reads ------------------------------------------------------
    @property
    def image(self) -> np.ndarray:
        """The image, ``(H, W, 3)`` float32 in ``[0, 1]`` (a copy)."""
        return self._image.copy()

    @property
    def mask(self) -> np.ndarray:
        """The mask, ``(H, W)`` float32, 1 = known pixel, 0 = hole (a copy)."""
        return self._mask.copy()

    @property
    def masked(self) -> np.ndarray:
        """What the network sees: ``image · mask`` (holes black), ``(H, W, 3)``."""
        return self._image * self._mask[:, :, None]

    # ---- editing -----------------------------------------------------------------------
    def set_image(self, image: Any) -> None:
        """Use another image; the mask is reset to "no holes" (sizes may differ)."""
        self._image = self._dip.as_image(image, "image")
        self._mask = np.ones(self._image.shape[:2], np.float32)
        self._new_image_geometry()
        h, w = self._mask.shape
        self._redraw(f"image {h}×{w}: no holes yet")

    def set_mask(self, mask: Any) -> None:
        """Replace the mask (1/white = known, 0/black = hole); ``None`` = no holes.

        Raises:
            ValueError: The mask's size differs from the image's.
        """
        if mask is None:
            self._mask = np.ones(self._image.shape[:2], np.float32)
            self._redraw("mask cleared: no holes")
            return
        self._mask = self._dip.mask_from_image(mask, self._image.shape[:2])
        self._redraw("mask set")

    def add_hole(self, rows: tuple[int, int], columns: tuple[int, int]) -> None:
        """Cut the rectangle ``rows[0] ≤ y < rows[1]``, ``columns[0] ≤ x < columns[1]``."""
        (top, bottom), (left, right) = rows, columns
        if bottom <= top or right <= left:
            self._error(
                f"the hole rows {top}–{bottom} × columns {left}–{right} is empty: "
                "drag the sliders' two ends apart"
            )
            return
        self._mask[top:bottom, left:right] = 0.0
        self._redraw(f"hole added: rows {top}–{bottom}, columns {left}–{right}")

    # ---- callbacks ---------------------------------------------------------------------
    def _drops(self) -> int:
        self._n_drops += 1  # a fresh pattern on every press
        return self._n_drops - 1

    def _combine(self, mask: np.ndarray, what: str) -> None:
        self._mask = self._mask * mask
        self._redraw(f"{what} removed")

    def _on_select(self, _trace: Any, _points: Any, selector: Any) -> None:
        if not isinstance(selector, BoxSelector):
            self._error(
                "only box selection cuts holes: pick the box tool (the dashed "
                "square) in the figure's toolbar"
            )
            return
        h, w = self._mask.shape
        x0, x1 = sorted(selector.xrange)
        y0, y1 = sorted(selector.yrange)
        # pixel (r, c) is centred on (x=c, y=r): cut those whose centre lies in the box
        rows = (max(0, math.ceil(y0)), min(h, math.floor(y1) + 1))
        columns = (max(0, math.ceil(x0)), min(w, math.floor(x1) + 1))
        self.add_hole(rows, columns)

    def _on_image_upload(self, change: dict[str, Any]) -> None:
        upload = _uploaded_bytes(change["new"])
        if upload is None:
            return
        from vizkit.data import load_image

        name, content = upload
        try:
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                image = load_image(content, max_size=self.max_size)
        except (TypeError, ValueError, OSError) as error:
            self._error(f"{name}: {error}")
            return
        self.set_image(image)
        notices = "".join(f" · {html.escape(str(w.message))}" for w in caught)
        h, w = self._mask.shape
        self.status.value = f"loaded {html.escape(name)} ({h}×{w}), no holes yet{notices}"

    def _on_mask_upload(self, change: dict[str, Any]) -> None:
        upload = _uploaded_bytes(change["new"])
        if upload is None:
            return
        from vizkit.data import load_image

        name, content = upload
        try:
            # A mask must match the image, so nothing larger than the image is ever decoded:
            # a bigger file is read reduced (and then refused, or matched, by its size).
            self.set_mask(load_image(content, max_size=max(self._image.shape[:2])))
        except (TypeError, ValueError, OSError) as error:
            self._error(f"{name}: {error}")
            return
        self.status.value = (
            f"mask {html.escape(name)} loaded: {1 - self._mask.mean():.1%} of the pixels are holes"
        )

    # ---- drawing -----------------------------------------------------------------------
    def _new_image_geometry(self) -> None:
        h, w = self._mask.shape
        for control, n in ((self.rows, h), (self.columns, w)):
            control.min, control.max = 0, n
            control.value = (n // 4, n - n // 4)
        step = max(1, max(h, w) // 32)  # ≤ 33×33 invisible points: enough to box-select
        ys, xs = np.mgrid[0:h:step, 0:w:step]
        with self.figure.batch_update():
            self.figure.data[1].x, self.figure.data[1].y = xs.ravel(), ys.ravel()
            self.figure.layout.height = int(self.figure.layout.width * h / w) + 20
            self.figure.update_xaxes(range=[-0.5, w - 0.5])
            self.figure.update_yaxes(range=[h - 0.5, -0.5])
        self._draw_box()

    def _draw_box(self) -> None:
        (top, bottom), (left, right) = self.rows.value, self.columns.value
        self.figure.layout.shapes = [
            {
                "type": "rect",
                "x0": left - 0.5,
                "x1": right - 0.5,
                "y0": top - 0.5,
                "y1": bottom - 0.5,
                "line": {"color": "#ff00ff", "dash": "dash"},
            }
        ]

    def _redraw(self, message: str) -> None:
        shown = np.where(self._mask[:, :, None] > 0, self._image, HOLE_COLOUR)
        self.figure.data[0].source = _png_uri(shown)
        holes = 1.0 - float(self._mask.mean())
        self.status.value = f"{message} · {holes:.1%} of the pixels are holes"

    def _error(self, message: str) -> None:
        self.status.value = f"<b style='color:#b00'>{html.escape(message)}</b>"
