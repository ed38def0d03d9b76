"""KernelPlayground: classic kernels on a real photo (or your own), filtered as you choose.

Wiring only: the filtered image is the ``output`` of :func:`vizkit.sliding.conv2d_trace`
(equal to ``F.conv2d``), the kernels come from :mod:`vizkit.sliding.kernels`, an upload goes through
:func:`vizkit.data.load_image`. Moving a control updates the two panels of one
``FigureWidget`` in place; anything impossible (``"same"`` padding with stride 2, a file that
is not an image, reflect padding wider than the image) shows its message in the status line.
"""

from __future__ import annotations

import html
import io
import math
import warnings
from typing import Any

import ipywidgets as widgets
import numpy as np
import plotly.graph_objects as go

from vizkit._validate import check_optional_int
from vizkit.geometry import PADDING_MODES, GeometryError
from vizkit.quick import quick_or_full
from vizkit.render.kernel_gallery import to_grey
from vizkit.sliding import ConvTrace, conv2d_trace
from vizkit.sliding.kernels import classic_kernels, gabor
from vizkit.widgets._explorer import code_html, error_html
from vizkit.widgets._figure_widget import FigureWidget

__all__ = ["PHOTOS", "KernelPlayground"]

PHOTOS: tuple[str, ...] = (
    "camera",
    "astronaut",
    "coins",
    "brick",
    "coffee",
    "chelsea",
    "moon",
    "page",
    "text",
    "grass",
    "gravel",
    "rocket",
)
"""``skimage.data`` pictures offered (all load offline)."""

GABOR = "gabor (sliders)"
PADDINGS = ("same", "valid", "full", "0", "1", "2", "3", "4")
UPLOAD_PREFIX = "upload: "


def _photo(name: str) -> np.ndarray:
    """A ``skimage.data`` picture as a grey float image in [0, 1]."""
    from skimage import data

    array = np.asarray(getattr(data, name)())
    grey = to_grey(array[..., :3] if array.ndim == 3 else array)
    return grey / 255.0 if array.dtype == np.uint8 else grey


def _shrink(image: np.ndarray, size: int) -> np.ndarray:
    """Downscale so the longest side is ``size`` (never upscale): filtering stays interactive."""
    longest = max(image.shape)
    if longest <= size:
        return np.asarray(image, dtype=float)
    from skimage.transform import resize

    shape = (
        max(1, round(image.shape[0] * size / longest)),
        max(1, round(image.shape[1] * size / longest)),
    )
    return resize(image, shape, anti_aliasing=True)


def _uploaded_files(value: Any) -> list[tuple[str, bytes]]:
    """``(name, bytes)`` of FileUpload's value (ipywidgets 8: a tuple of dicts; 7: a dict)."""
    if isinstance(value, dict):  # ipywidgets 7: {name: {"content": ..., "metadata": ...}}
        return [(str(name), bytes(item["content"])) for name, item in value.items()]
    return [(str(item["name"]), bytes(item["content"])) for item in value]


class KernelPlayground(widgets.VBox):
    """Apply a classic kernel (edges, blur, sharpen, Gabor) to a photo, side by side.

    Args:
        image: a ``skimage.data`` name from :data:`PHOTOS`, or a 2D (grey) / ``(H, W, 3)``
            array in [0, 1] of your own.
        kernel: a name from :func:`vizkit.sliding.kernels.classic_kernels` or ``"gabor (sliders)"``.
        padding: ``"same"``, ``"valid"``, ``"full"`` or an int 0–4.
        padding_mode: ``"zeros"``, ``"reflect"``, ``"replicate"`` or ``"circular"``.
        stride: 1–4.
        size: longest side of the image after downscaling (default 96 in quick mode, else
            256): larger images are shrunk so each change takes milliseconds.

    Raises:
        ValueError: a starting value that is not among the choices (the message lists them).

    Attributes:
        photo, kernel, padding, padding_mode: ``Dropdown`` controls. stride: ``IntSlider``.
        frequency, orientation: the Gabor sliders (cycles per pixel, degrees).
        upload: the ``FileUpload`` (your picture is added to ``photo`` and selected).
        figure: the ``go.FigureWidget`` (trace 0 the grey input, trace 1 the filtered image).
        status: the ``HTML`` status line. image: the grey input, ``(H, W)`` float64.
        weight: the kernel applied, ``(kH, kW)``. trace: the current ``ConvTrace`` (or None).
        error: the message while the configuration is impossible, else None.

    Example:
        >>> playground = KernelPlayground("coins", "edges (sobel x)", size=48)
        >>> playground.trace.output.shape
        (1, 38, 48)
        >>> playground.padding.value = "valid"
        >>> playground.trace.output.shape
        (1, 36, 46)
    """

    def __init__(
        self,
        image: str | np.ndarray = "camera",
        kernel: str = "edges (sobel x)",
        *,
        padding: int | str = "same",
        padding_mode: str = "zeros",
        stride: int = 1,
        size: int | None = None,
    ) -> None:
        self.kernels = classic_kernels()
        kernel_names = [*self.kernels, GABOR]
        padding_label = str(padding)
        for name, value, allowed in (
            ("kernel", kernel, kernel_names),
            ("padding", padding_label, PADDINGS),
            ("padding_mode", padding_mode, PADDING_MODES),
        ):
            if value not in allowed:
                raise ValueError(
                    f"{name} {value!r} is not one of the choices: use one of "
                    f"{', '.join(repr(a) for a in allowed)}"
                )
        if isinstance(stride, bool) or not isinstance(stride, int) or not 1 <= stride <= 4:
            raise ValueError(f"stride {stride!r} is outside 1–4: pass an int from 1 to 4")
        size = check_optional_int("size", size, minimum=8, maximum=1024, fix="use e.g. size=256")
        self.size = size if size is not None else quick_or_full(96, 256)
        photos = list(PHOTOS)
        self._own: dict[str, np.ndarray] = {}
        if isinstance(image, str):
            if image not in PHOTOS:
                raise ValueError(
                    f"image {image!r} is not one of the photos: use one of "
                    f"{', '.join(repr(p) for p in PHOTOS)}, or pass an array"
                )
            start = image
        else:
            start = UPLOAD_PREFIX + "your array"
            self._own[start] = _shrink(to_grey(image), self.size)
            photos.insert(0, start)
        wide = widgets.Layout(width="330px")
        style = {"description_width": "95px"}
        self.photo = widgets.Dropdown(
            options=photos, value=start, description="photo", layout=wide, style=style
        )
        self.upload = widgets.FileUpload(accept="image/*", multiple=False, description="your photo")
        self.kernel = widgets.Dropdown(
            options=kernel_names, value=kernel, description="kernel", layout=wide, style=style
        )
        self.frequency = widgets.FloatSlider(
            value=0.15,
            min=0.05,
            max=0.5,
            step=0.01,
            description="gabor freq",
            layout=wide,
            style=style,
        )
        self.orientation = widgets.IntSlider(
            value=0, min=0, max=165, step=15, description="gabor angle°", layout=wide, style=style
        )
        self.padding = widgets.Dropdown(
            options=PADDINGS, value=padding_label, description="padding", layout=wide, style=style
        )
        self.padding_mode = widgets.Dropdown(
            options=PADDING_MODES,
            value=padding_mode,
            description="padding_mode",
            layout=wide,
            style=style,
        )
        self.stride = widgets.IntSlider(
            value=stride, min=1, max=4, description="stride", layout=wide, style=style
        )
        self.status = widgets.HTML()
        self.status.add_class("vizkit-status")
        self.figure = FigureWidget(self._empty_figure())
        self.image = np.zeros((1, 1))
        self.weight = np.zeros((1, 1))
        self.trace: ConvTrace | None = None
        self.error: str | None = None
        self._image_key: tuple[str, int] | None = None
        controls = [
            self.photo,
            self.kernel,
            self.frequency,
            self.orientation,
            self.padding,
            self.padding_mode,
            self.stride,
        ]
        super().__init__(
            children=[
                widgets.HBox(
                    [
                        widgets.VBox([self.photo, self.upload, self.kernel, self.frequency]),
                        widgets.VBox(
                            [self.orientation, self.padding, self.padding_mode, self.stride]
                        ),
                    ]
                ),
                self.status,
                self.figure,
            ]
        )
        self.add_class("vizkit-kernel-playground")
        for control in controls:
            control.observe(self._refresh, names="value")
        self.upload.observe(self._on_upload, names="value")
        self._refresh()

    # ------------------------------------------------------------------ building
    @staticmethod
    def _empty_figure() -> go.Figure:
        panel = {"type": "heatmap", "z": [[0.0]], "showscale": False, "colorscale": "gray"}
        axis = {"visible": False, "constrain": "domain"}
        return go.Figure(
            data=[
                {**panel, "name": "input"},
                {**panel, "name": "filtered", "xaxis": "x2", "yaxis": "y2"},
            ],
            layout={
                "xaxis": {**axis, "domain": [0.0, 0.48]},
                "yaxis": {**axis, "autorange": "reversed", "scaleanchor": "x"},
                "xaxis2": {**axis, "domain": [0.52, 1.0]},
                "yaxis2": {**axis, "autorange": "reversed", "scaleanchor": "x2"},
                "width": 900,
                "height": 470,
                "margin": {"l": 10, "r": 10, "t": 60, "b": 10},
                "title": {"text": "", "x": 0.01},
            },
        )

    def _load_image(self) -> np.ndarray:
        key = (str(self.photo.value), self.size)
        if key != self._image_key:
            name = key[0]
            self.image = self._own[name] if name in self._own else _shrink(_photo(name), self.size)
            self._image_key = key
        return self.image

    def _kernel(self) -> np.ndarray:
        gabor_on = self.kernel.value == GABOR
        self.frequency.disabled = self.orientation.disabled = not gabor_on
        if gabor_on:
            return gabor(
                float(self.frequency.value),
                math.radians(self.orientation.value),
                sigma=max(1.5, 0.6 / float(self.frequency.value)),
            )
        return self.kernels[str(self.kernel.value)]

    def _padding(self) -> int | str:
        value = str(self.padding.value)
        return int(value) if value.isdigit() else value

    def _refresh(self, change: object = None) -> None:
        """Controls changed: filter again and update both panels in place."""
        try:
            image = self._load_image()
            weight = self._kernel()
            trace = conv2d_trace(
                image[None],
                weight[None, None],
                stride=self.stride.value,
                padding=self._padding(),
                padding_mode=self.padding_mode.value,
            )
        except (GeometryError, ValueError, TypeError) as err:
            self.trace, self.error = None, str(err)
            self.status.value = error_html(str(err))
            return
        self.weight, self.trace, self.error = weight, trace, None
        out = np.asarray(trace.output[0])
        zero_mean = abs(float(weight.sum())) < 1e-9
        lim = float(np.abs(out).max()) or 1.0
        geo = trace.geometry
        (h, w), (ho, wo) = geo.input_size, geo.output_size
        with self.figure.batch_update():
            self.figure.data[0].update(z=image, zmin=0.0, zmax=max(float(image.max()), 1e-9))
            self.figure.data[1].update(
                z=out,
                colorscale="RdBu_r" if zero_mean else "gray",
                zmin=-lim if zero_mean else float(out.min()),
                zmax=lim if zero_mean else max(float(out.max()), float(out.min()) + 1e-9),
            )
            self.figure.layout.title.text = (
                f"{html.escape(str(self.photo.value))} (grey, {h}×{w})   →   "
                f"{html.escape(self._kernel_name())}, {ho}×{wo}"
                + ("   (blue < 0 < red)" if zero_mean else "")
            )
        self.status.value = self._status(trace)

    def _kernel_name(self) -> str:
        if self.kernel.value == GABOR:
            return (
                f"Gabor {self.frequency.value:.2f} cycles/px at {self.orientation.value}°, "
                f"{self.weight.shape[0]}×{self.weight.shape[1]}"
            )
        return str(self.kernel.value)

    def _status(self, trace: ConvTrace) -> str:
        geo = trace.geometry
        kh, kw = self.weight.shape
        call = geo.torch_code(1, 1, bias=False)
        if geo.padding_mode == "zeros" and (
            geo.padding_name is not None or geo.padding[0][0] == geo.padding[0][1]
        ):
            pad = (
                repr(geo.padding_name)
                if geo.padding_name not in (None, "full")
                else str(geo.padding[0][0])
                if geo.padding[0] == geo.padding[1]
                else str((geo.padding[0][0], geo.padding[1][0]))
            )
            stride = f", stride={geo.stride[0]}" if geo.stride != (1, 1) else ""
            call += (
                f"\n# or: F.conv2d(x, w{stride}, padding={pad})   "
                f"# x: (1, 1, {geo.input_size[0]}, {geo.input_size[1]}), "
                f"w: (1, 1, {kh}, {kw})"
            )
        return (
            "<div>" + f"<b>{geo.input_size[0]}×{geo.input_size[1]} → "
            f"{geo.output_size[0]}×{geo.output_size[1]}</b> with a {kh}×{kw} kernel<br>"
            + code_html(geo.formula())
            + "<br>"
            + code_html(call)
            + "</div>"
        )

    # ------------------------------------------------------------------ upload
    def _on_upload(self, change: dict[str, Any]) -> None:
        """A file arrived: load it (vizkit.data.load_image), add it to the photos, select it."""
        files = _uploaded_files(change["new"])
        if not files:
            return
        name, content = files[-1]
        from vizkit.data.images import load_image

        try:
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                rgb = load_image(io.BytesIO(content), max_size=4 * self.size)
        except (ValueError, TypeError, OSError) as err:
            self.error = f"{name}: {err}"
            self.status.value = error_html(self.error)
            return
        key = UPLOAD_PREFIX + name
        self._own[key] = _shrink(to_grey(rgb), self.size)
        self._image_key = None
        if key not in self.photo.options:
            self.photo.options = (key, *self.photo.options)
        if self.photo.value == key:
            self._refresh()
        else:
            self.photo.value = key  # triggers _refresh
        if caught and self.error is None:
            notes = "; ".join(html.escape(str(w.message)) for w in caught)
            self.status.value += f"<div style='color:#8a5a00'>note: {notes}</div>"
