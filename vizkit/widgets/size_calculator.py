"""OutputSizeCalculator: sliders for a convolution's hyper-parameters, the output size live.

Wiring only: every number comes from :class:`vizkit.geometry.ConvGeometry`. An impossible
configuration is not an exception for the learner but a message in the status line, the
same teaching message :class:`vizkit.GeometryError` carries.
"""

from __future__ import annotations

import html
from typing import Literal, get_args

import ipywidgets as widgets

from vizkit.geometry import ConvGeometry, GeometryError, PaddingName, check_padding_name

__all__ = ["OutputSizeCalculator", "PaddingKind"]

PaddingKind = Literal["number", "valid", "same", "full"]
_PADDING_KINDS: tuple[str, ...] = get_args(PaddingKind)

# (minimum, default maximum) per slider; a larger starting value raises the maximum.
_RANGES: dict[str, tuple[int, int]] = {
    "input_size": (1, 64),
    "kernel_size": (1, 11),
    "stride": (1, 6),
    "padding": (0, 6),
    "dilation": (1, 4),
}


def _check_start(name: str, value: object) -> int:
    """Validate a starting value instead of letting the slider clamp it silently."""
    low = _RANGES[name][0]
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{name} must be an int, got {value!r} ({type(value).__name__})")
    if value < low:
        raise ValueError(f"{name} {value} is below {low}, the smallest allowed: use {name}={low}")
    high = _RANGES[name][1]
    if value > 16 * high:
        raise ValueError(
            f"{name} {value} is above {16 * high}, the largest this calculator draws: use "
            f"{name}={high} or less (the slider goes up to {high})"
        )
    return value


def _unread_text(geometry: ConvGeometry) -> str | None:
    """Which input columns no window reads, and why, in words (None when all are read)."""
    unread = geometry.unread_input[1]
    if not unread:
        return None
    before = geometry.padding[1][0]
    read = [i - before for i in geometry.read_indices(1)]
    read = [i for i in read if 0 <= i < geometry.input_size[1]]
    reasons = []
    if read and any(min(read) < i < max(read) for i in unread):
        reasons.append("cells between the windows are skipped (stride or dilation leaves gaps)")
    if not read or any(i > max(read) or i < min(read) for i in unread):
        reasons.append("the last window stops before the edge")
    cells = ", ".join(str(i) for i in unread)
    return (
        f"input rows/columns {cells} are never read: {'; '.join(reasons)}. "
        "Change padding or stride to use them."
    )


class OutputSizeCalculator(widgets.VBox):
    """Interactive output-size calculator for a square 2D convolution.

    Sliders set ``input_size``, ``kernel_size``, ``stride``, ``padding`` and ``dilation``
    (torch's names); a dropdown picks numeric padding or ``"valid"``/``"same"``/``"full"``.
    The status line shows the output size, the formula with the current numbers, the
    ``nn.Conv2d`` line, and which input rows/columns are never read; for an impossible
    configuration it shows the :class:`~vizkit.geometry.GeometryError` message instead.

    Args:
        input_size: Starting input height = width (≥ 1).
        kernel_size: Starting kernel size (≥ 1).
        stride: Starting stride (≥ 1).
        padding: Starting padding: an int ≥ 0, or ``"valid"``, ``"same"`` or ``"full"``.
        dilation: Starting dilation (≥ 1).

    Raises:
        TypeError: A starting value has the wrong type.
        ValueError: A starting value is below its slider's minimum, or ``padding`` is an
            unknown name. (A valid-looking but impossible *combination* is not an error:
            the status line explains it.)

    Attributes:
        input_size, kernel_size, stride, padding, dilation: the ``IntSlider`` controls.
        padding_kind: the ``Dropdown`` for ``"number"``/``"valid"``/``"same"``/``"full"``.
        status: the ``HTML`` status line.

    Example:
        >>> calc = OutputSizeCalculator(input_size=5, kernel_size=3)
        >>> calc.output_size
        3
        >>> calc.stride.value = 2
        >>> calc.output_size
        2
        >>> calc.kernel_size.value = 7
        >>> calc.output_size is None
        True
        >>> print(calc.error)
        kernel_size 7 is larger than the padded input 5: lower kernel_size, or raise padding
    """

    def __init__(
        self,
        input_size: int = 5,
        kernel_size: int = 3,
        stride: int = 1,
        padding: int | PaddingName = 0,
        dilation: int = 1,
    ) -> None:
        if isinstance(padding, str):
            kind, pad_number = check_padding_name(padding), 0
        else:
            kind, pad_number = "number", padding
        starts = {
            "input_size": _check_start("input_size", input_size),
            "kernel_size": _check_start("kernel_size", kernel_size),
            "stride": _check_start("stride", stride),
            "padding": _check_start("padding", pad_number),
            "dilation": _check_start("dilation", dilation),
        }
        sliders = {
            name: widgets.IntSlider(
                value=value,
                min=_RANGES[name][0],
                max=max(_RANGES[name][1], value),
                step=1,
                description=name,
                continuous_update=True,
                style={"description_width": "90px"},
                layout=widgets.Layout(width="420px"),
            )
            for name, value in starts.items()
        }
        for name, slider in sliders.items():
            slider.add_class(f"vizkit-slider-{name.replace('_', '-')}")
        self.input_size: widgets.IntSlider = sliders["input_size"]
        self.kernel_size: widgets.IntSlider = sliders["kernel_size"]
        self.stride: widgets.IntSlider = sliders["stride"]
        self.padding: widgets.IntSlider = sliders["padding"]
        self.dilation: widgets.IntSlider = sliders["dilation"]
        self.padding_kind = widgets.Dropdown(
            options=list(_PADDING_KINDS),
            value=kind,
            description="padding is",
            style={"description_width": "90px"},
            layout=widgets.Layout(width="260px"),
        )
        self.padding_kind.add_class("vizkit-padding-kind")
        self.status = widgets.HTML()
        self.status.add_class("vizkit-size-status")
        self._geometry: ConvGeometry | None = None
        self._error: str | None = None
        super().__init__(
            children=[
                self.input_size,
                self.kernel_size,
                self.stride,
                self.padding_kind,
                self.padding,
                self.dilation,
                self.status,
            ]
        )
        self.add_class("vizkit-output-size-calculator")
        for control in (*sliders.values(), self.padding_kind):
            control.observe(self._update, names="value")
        self._update()

    @property
    def geometry(self) -> ConvGeometry | None:
        """The current configuration, or ``None`` while it is impossible."""
        return self._geometry

    @property
    def output_size(self) -> int | None:
        """Current output height = width, or ``None`` while the configuration is impossible."""
        return None if self._geometry is None else self._geometry.output_size[0]

    @property
    def error(self) -> str | None:
        """The teaching message for an impossible configuration, else ``None``."""
        return self._error

    def _padding_argument(self) -> int | Literal["valid", "same", "full"]:
        kind = self.padding_kind.value
        if kind == "number":
            return int(self.padding.value)
        return kind

    def _update(self, change: object = None) -> None:
        """Recompute from the controls and redraw the status line."""
        self.padding.disabled = self.padding_kind.value != "number"
        try:
            geometry = ConvGeometry.create(
                self.input_size.value,
                self.kernel_size.value,
                stride=self.stride.value,
                padding=self._padding_argument(),
                dilation=self.dilation.value,
            )
        except GeometryError as err:
            self._geometry, self._error = None, str(err)
            self.status.value = (
                "<div style='color:#b00020'>⚠ <b>Not a valid convolution.</b> "
                f"{html.escape(str(err))}</div>"
            )
            return
        self._geometry, self._error = geometry, None
        out = geometry.output_size[0]
        formula = "<br>".join(
            f"<code>{html.escape(line)}</code>" for line in geometry.formula().splitlines()
        )
        parts = [
            f"<b>output size: {out} × {out}</b>",
            formula,
            f"<code>{html.escape(geometry.torch_code())}</code>",
        ]
        unread = _unread_text(geometry)
        if unread is not None:
            parts.append(f"<span style='color:#8a5a00'>⚠ {html.escape(unread)}</span>")
        self.status.value = "<div>" + "<br>".join(parts) + "</div>"
