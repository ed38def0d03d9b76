"""Analytic receptive fields, propagated op by op through any graph.

Every 4-D activation ``(N, C, H, W)`` carries a :class:`ReceptiveField`: the size of the input
region one of its units sees, the distance in input pixels between neighbouring units (``jump``)
and the input coordinate of the centre of unit 0 (``start``; pixel ``i`` has centre ``i``).

A convolution or pooling window of size ``k``, stride ``s``, padding ``p`` and dilation ``d``
(effective size ``k_eff = d·(k-1) + 1``) maps the input's field to::

    size_out  = size_in + (k_eff - 1) · jump_in
    jump_out  = jump_in · s
    start_out = start_in + ((k_eff - 1) / 2 - p) · jump_in

Where two tensors meet (residual add, inception concatenation) the result sees the union of what
each input sees, so branching networks (Inception, ResNet) are handled tensor by tensor.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

from vizkit.geometry.receptive import ReceptiveField, union_fields

__all__ = ["Propagator", "propagate", "propagator_for"]


def _pair(value: object) -> tuple[int, int]:
    if isinstance(value, int):
        return (value, value)
    seq = tuple(value)  # type: ignore[call-overload]
    return (int(seq[-2]), int(seq[-1])) if len(seq) >= 2 else (int(seq[0]), int(seq[0]))


def _arg(args: Sequence[object], kwargs: dict[str, object], i: int, name: str, default: object):
    if len(args) > i:
        return args[i]
    return kwargs.get(name, default)


Propagator = Callable[
    [
        Sequence[object],
        dict[str, object],
        Sequence[ReceptiveField],
        tuple[int, int],
        tuple[int, int],
        Sequence[tuple[int, int]],
    ],
    tuple["ReceptiveField | None", "str | None"],
]
"""``propagator(args, kwargs, in_fields, in_hw, out_hw, in_hws) -> (field, note)``."""


def _conv2d(args, kwargs, in_fields, in_hw, out_hw, in_hws):
    weight = args[1] if len(args) > 1 else kwargs["weight"]
    shape = weight.shape  # type: ignore[attr-defined]
    k = (int(shape[-2]), int(shape[-1]))
    s = _pair(args[3] if len(args) > 3 else kwargs.get("stride", 1))
    pad = args[4] if len(args) > 4 else kwargs.get("padding", 0)
    d = _pair(args[5] if len(args) > 5 else kwargs.get("dilation", 1))
    if pad == "valid":
        p: tuple[float, float] = (0, 0)
    elif pad == "same":  # torch puts the odd pixel on the bottom/right
        p = ((d[0] * (k[0] - 1)) // 2, (d[1] * (k[1] - 1)) // 2)
    else:
        p = _pair(pad)
    return in_fields[0].window(k, (float(s[0]), float(s[1])), p, d), None


def _pool2d(args, kwargs, in_fields, in_hw, out_hw, in_hws, pos=1, lp=False, dilated=False):
    k = _pair(_arg(args, kwargs, pos, "kernel_size", 1))
    stride = _arg(args, kwargs, pos + 1, "stride", None)
    s = k if stride is None or stride == [] or stride == () else _pair(stride)
    p = (0, 0) if lp else _pair(_arg(args, kwargs, pos + 2, "padding", 0))
    d = _pair(_arg(args, kwargs, pos + 3, "dilation", 1)) if dilated else (1, 1)
    return in_fields[0].window(k, (float(s[0]), float(s[1])), p, d), None


def _max_pool2d(args, kwargs, in_fields, in_hw, out_hw, in_hws):
    return _pool2d(args, kwargs, in_fields, in_hw, out_hw, in_hws, dilated=True)


def _lp_pool2d(args, kwargs, in_fields, in_hw, out_hw, in_hws):
    return _pool2d(args, kwargs, in_fields, in_hw, out_hw, in_hws, pos=2, lp=True)


def _adaptive(name: str) -> Propagator:
    def adaptive(args, kwargs, in_fields, in_hw, out_hw, in_hws):
        exact = all(in_hw[a] % out_hw[a] == 0 for a in range(2))
        k = tuple(-(-in_hw[a] // out_hw[a]) + (0 if exact else 1) for a in range(2))
        s = tuple(in_hw[a] / out_hw[a] for a in range(2))
        note = None if exact else f"{name} from {in_hw} to {out_hw}: uneven windows, size bounded"
        return in_fields[0].window(k, s, (0, 0), exact=exact), note  # type: ignore[arg-type]

    return adaptive


def _conv_transpose2d(args, kwargs, in_fields, in_hw, out_hw, in_hws):
    rf = in_fields[0]
    weight = args[1] if len(args) > 1 else kwargs["weight"]
    k = (int(weight.shape[-2]), int(weight.shape[-1]))  # type: ignore[attr-defined]
    s = _pair(_arg(args, kwargs, 3, "stride", 1))
    p = _pair(_arg(args, kwargs, 4, "padding", 0))
    d = _pair(_arg(args, kwargs, 7, "dilation", 1))
    size, jump, start = [], [], []
    for a in range(2):
        k_eff = d[a] * (k[a] - 1) + 1
        size.append(rf.size[a] + (math.ceil(k_eff / s[a]) - 1) * rf.jump[a])
        jump.append(rf.jump[a] / s[a])
        start.append(rf.start[a] + (p[a] - (k_eff - 1) / 2) / s[a] * rf.jump[a])
    note = "transposed convolution: field size is an upper bound"
    return ReceptiveField(tuple(size), tuple(jump), tuple(start), False), note  # type: ignore[arg-type]


_NEAREST = ("nearest", "nearest-exact")  # each output pixel copies one input pixel


def _interpolate(args, kwargs, in_fields, in_hw, out_hw, in_hws):
    rf = in_fields[0]
    extra = 0.0 if _arg(args, kwargs, 3, "mode", "nearest") in _NEAREST else 1.0
    size = tuple(rf.size[a] + extra * rf.jump[a] for a in range(2))
    jump = tuple(rf.jump[a] * in_hw[a] / out_hw[a] for a in range(2))
    start = tuple(rf.start[a] + (0.5 * in_hw[a] / out_hw[a] - 0.5) * rf.jump[a] for a in range(2))
    note = "interpolation: field size is an upper bound"
    return ReceptiveField(size, jump, start, False), note  # type: ignore[arg-type]


def _pad(args, kwargs, in_fields, in_hw, out_hw, in_hws):
    pad = tuple(_arg(args, kwargs, 1, "pad", ()))  # type: ignore[arg-type]
    left = pad[0] if len(pad) >= 2 else 0
    top = pad[2] if len(pad) >= 4 else 0
    return in_fields[0].shifted((-top, -left)), None


def _same_field(args, kwargs, in_fields, in_hw, out_hw, in_hws):
    return in_fields[0], None


def _elementwise(name: str) -> Propagator:
    def elementwise(args, kwargs, in_fields, in_hw, out_hw, in_hws):
        hws = in_hws or [in_hw]
        if out_hw == in_hw and all(hw == out_hw or hw == (1, 1) for hw in hws):
            # elementwise, concatenation along channels, norms...
            return union_fields(in_fields), None
        return None, f"receptive field not tracked through {name} ({in_hw} -> {out_hw})"

    return elementwise


_PROPAGATORS: dict[str, Propagator] = {
    "conv2d": _conv2d,
    "max_pool2d": _max_pool2d,
    "max_pool2d_with_indices": _max_pool2d,
    "avg_pool2d": _pool2d,
    "lp_pool2d": _lp_pool2d,
    "adaptive_avg_pool2d": _adaptive("adaptive_avg_pool2d"),
    "adaptive_max_pool2d": _adaptive("adaptive_max_pool2d"),
    "conv_transpose2d": _conv_transpose2d,
    "interpolate": _interpolate,
    "upsample": _interpolate,
    "upsample_nearest2d": _interpolate,
    "upsample_bilinear2d": _interpolate,
    "pad": _pad,
    "permute": _same_field,
    "transpose": _same_field,
    "swapaxes": _same_field,
}


def propagator_for(name: str) -> Propagator:
    """The propagation rule of op ``name`` (normalised): :func:`propagate` without the lookup."""
    rule = _PROPAGATORS.get(name)
    return rule if rule is not None else _elementwise(name)


def propagate(
    name: str,
    args: Sequence[object],
    kwargs: dict[str, object],
    in_fields: Sequence[ReceptiveField],
    in_hw: tuple[int, int] | None,
    out_hw: tuple[int, int],
    in_hws: Sequence[tuple[int, int]] = (),
) -> tuple[ReceptiveField | None, str | None]:
    """Receptive field of a 4-D op output from its inputs' fields.

    Args:
        name: normalised torch function name (``"conv2d"``, ``"max_pool2d"``, ``"add"``, ...).
        args: positional arguments of the call.
        kwargs: keyword arguments of the call.
        in_fields: fields of the tracked 4-D tensor inputs (first is ``input``).
        in_hw: ``(H, W)`` of the main tensor input (None: the op's layout is not NCHW).
        out_hw: ``(H, W)`` of the output.
        in_hws: ``(H, W)`` of every tracked input; inputs of size 1×1 (a squeeze-excitation
            gate) broadcast over the grid.

    Returns:
        ``(field, note)``: the output's field (None when it cannot be tracked) and an
        explanation when the field is approximate or unknown.
    """
    if not in_fields or in_hw is None:
        return None, None
    return propagator_for(name)(args, kwargs, in_fields, in_hw, out_hw, in_hws)
