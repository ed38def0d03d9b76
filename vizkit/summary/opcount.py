"""How many operations one torch call costs: the counting conventions of the layer table.

Multiply-accumulates (MACs) are counted for the ops that dominate a CNN, and FLOPs = 2 · MACs
(one multiply and one add), the convention of ``torch.utils.flop_counter`` and of most papers
that say "FLOPs" (the ResNet paper's "FLOPs" are in fact multiply-adds, i.e. MACs):

- convolution: ``MACs = output elements · (C_in / groups) · kH · kW``
- transposed convolution: ``MACs = input elements · (C_out / groups) · kH · kW``
- linear / matmul: ``MACs = output elements · in_features``
- attention: ``MACs = batch · L · S · (E + E_v)`` (scores and weighted sum), plus the four
  projections inside ``nn.MultiheadAttention``; two-operand ``einsum``: product of index sizes
- LSTM / GRU / RNN: ``MACs = steps · batch · Σ numel(weight matrices)`` (each applied once per
  step and sample); one step of ``nn.LSTMCell`` / ``GRUCell`` / ``RNNCell``:
  ``MACs = batch · (numel(weight_ih) + numel(weight_hh))``

Everything else is counted separately, one operation per element, under a label:

- ``"bias"``: one add per output element of a conv / linear with bias;
- ``"norm"``: BatchNorm & co. at inference, folded to a scale and a shift: 2 per element;
  local response normalisation: ``size`` per element (the window sum of squares);
- ``"activation"``: ReLU, tanh, sigmoid, softmax ...: 1 per element;
- ``"pool"``: 1 per element of each pooling window (``kH · kW`` per output element; an
  adaptive pooling: 1 per input element);
- ``"residual add"``: 1 per element of an addition of two activations (a skip connection);
- ``"elementwise"``: other products of two activations (gates, attention scaling).

Ops that only move data (unpooling, pixel shuffle, padding, concatenation, reshapes) count
nothing. Ops are recognised by their exact torch name (``max_pool2d``, ``max_unpool2d`` ...),
never by a part of it.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

import torch

from vizkit.summary._torch_internals import torch_ops_namespace

__all__ = ["Counter", "count_op", "counter_for", "normalise_name"]

_ACTIVATIONS = frozenset(
    {
        "relu",
        "relu6",
        "leaky_relu",
        "elu",
        "selu",
        "celu",
        "gelu",
        "silu",
        "mish",
        "sigmoid",
        "tanh",
        "hardtanh",
        "hardswish",
        "hardsigmoid",
        "softplus",
        "softmax",
        "log_softmax",
        "prelu",
        "rrelu",
        "threshold",
        "glu",
        "logsigmoid",
        "softsign",
        "tanhshrink",
    }
)
_NORMS = frozenset({"batch_norm", "instance_norm", "group_norm", "layer_norm", "rms_norm"})
_MATMULS = frozenset({"matmul", "mm", "bmm"})


_DUNDER = {
    "iadd": "add",
    "isub": "sub",
    "imul": "mul",
    "itruediv": "div",
    "radd": "add",
    "rsub": "sub",
    "rmul": "mul",
    "rtruediv": "div",
    "truediv": "div",
}


def normalise_name(func: object) -> str:
    """Torch function or tensor method → a plain op name: ``Tensor.__iadd__`` → ``"add"``,
    ``Tensor.relu_`` → ``"relu"`` (in place or not, the same count); an operator called
    through ``torch.ops`` keeps its namespace (``"quantized::linear"``), so that it never
    takes the counting rule of the functional of the same name."""
    name = getattr(func, "__name__", None) or str(func)
    namespace = torch_ops_namespace(func)
    if namespace is not None:  # torch.ops.quantized.linear is not F.linear: "quantized::linear"
        return f"{namespace}::{name}"
    name = name.strip("_")
    return _DUNDER.get(name, name)


def _numel(t: object) -> int:
    return int(t.numel()) if isinstance(t, torch.Tensor) else 0


def _window(value: object, ndim: int) -> int:
    """Elements of one window: ``kernel_size`` as an int (``k^ndim``) or a tuple."""
    if isinstance(value, int):
        return value**ndim
    values = [int(v) for v in value]  # type: ignore[attr-defined]
    return math.prod(values) if len(values) > 1 else values[0] ** ndim


def _einsum_macs(args: Sequence[object]) -> int:
    """Two-operand einsum: the product of the sizes of every index (contracted or not)."""
    equation = str(args[0]).replace(" ", "")
    operands = args[1] if len(args) == 2 and isinstance(args[1], (list, tuple)) else args[1:]
    inputs = equation.split("->")[0].split(",")
    if len(inputs) != 2 or "..." in equation:
        return 0
    sizes: dict[str, int] = {}
    for letters, t in zip(inputs, operands, strict=False):
        for letter, size in zip(letters, t.shape, strict=False):  # type: ignore[attr-defined]
            sizes[letter] = int(size)
    return math.prod(sizes.values())


Counter = Callable[[Sequence[object], dict[str, object], torch.Tensor, int], tuple[int, dict]]
"""``counter(args, kwargs, out, n_activations) -> (macs, other)`` for one op name."""


def _get(args: Sequence[object], kwargs: dict[str, object], i: int, key: str, default=None):
    return args[i] if len(args) > i else kwargs.get(key, default)


def _weighted(args, kwargs, out, n_act):  # conv1d/2d/3d, linear
    weight = _get(args, kwargs, 1, "weight")
    per_output = _numel(weight) // int(weight.shape[0])  # type: ignore[attr-defined]
    n_out = _numel(out)
    bias = _get(args, kwargs, 2, "bias")
    return n_out * per_output, ({"bias": n_out} if bias is not None else {})


def _transposed(args, kwargs, out, n_act):
    weight, x = _get(args, kwargs, 1, "weight"), _get(args, kwargs, 0, "input")
    per_input = _numel(weight) // int(weight.shape[0])  # type: ignore[attr-defined]
    bias = _get(args, kwargs, 2, "bias")
    return _numel(x) * per_input, ({"bias": _numel(out)} if bias is not None else {})


def _matmul(args, kwargs, out, n_act):
    a = _get(args, kwargs, 0, "mat1")
    k = int(a.shape[-1]) if isinstance(a, torch.Tensor) else 0
    return _numel(out) * k, {}


def _addmm(args, kwargs, out, n_act):  # addmm, baddbmm: the added term counts as bias
    a = _get(args, kwargs, 1, "mat1")
    k = int(a.shape[-1]) if isinstance(a, torch.Tensor) else 0
    n_out = _numel(out)
    return n_out * k, {"bias": n_out}


def _einsum(args, kwargs, out, n_act):
    return _einsum_macs(args), {}


def _sdpa(args, kwargs, out, n_act):
    q, k, v = (_get(args, kwargs, i, key) for i, key in ((0, "query"), (1, "key"), (2, "value")))
    batch = _numel(q) // (int(q.shape[-2]) * int(q.shape[-1]))  # type: ignore[union-attr]
    length, source = int(q.shape[-2]), int(k.shape[-2])  # type: ignore[union-attr]
    e, ev = int(q.shape[-1]), int(v.shape[-1])  # type: ignore[union-attr]
    return batch * length * source * (e + ev), {}


def _mha(args, kwargs, out, n_act):
    q, k = _get(args, kwargs, 0, "query"), _get(args, kwargs, 1, "key")
    length, source = int(q.shape[0]), int(k.shape[0])  # type: ignore[union-attr]
    batch = int(q.shape[1]) if q.dim() == 3 else 1  # type: ignore[union-attr]
    e = int(q.shape[-1])  # type: ignore[union-attr]
    projections = (2 * length + 2 * source) * e * e  # q, k, v in; out
    return batch * (projections + 2 * length * source * e), {}


def _norm(args, kwargs, out, n_act):
    return 0, {"norm": 2 * _numel(out)}


def _lrn(args, kwargs, out, n_act):
    return 0, {"norm": _numel(out) * int(_get(args, kwargs, 1, "size", 1))}  # type: ignore[call-overload]


def _activation(args, kwargs, out, n_act):
    return 0, {"activation": _numel(out)}


def _adaptive_pool(args, kwargs, out, n_act):
    # every input element enters exactly one window here
    return 0, {"pool": _numel(_get(args, kwargs, 0, "input"))}


def _pool(ndim: int, position: int) -> Counter:
    """Max / average pooling with ``kernel_size`` at ``position`` (2 for ``lp_pool``)."""

    def count(args, kwargs, out, n_act):
        k = _get(args, kwargs, position, "kernel_size", 1)
        return 0, {"pool": _numel(out) * _window(k, ndim)}

    return count


def _add(args, kwargs, out, n_act):
    return (0, {"residual add": _numel(out)}) if n_act >= 2 else (0, {})


def _product(args, kwargs, out, n_act):
    return (0, {"elementwise": _numel(out)}) if n_act >= 2 else (0, {})


#: gate nonlinearities per hidden unit and step: LSTM i, f, g, o and tanh(c); GRU r, z, n
_GATE_ACTIVATIONS = {"lstm": 5, "gru": 3, "rnn_tanh": 1, "rnn_relu": 1}


#: one step of a cell: gate nonlinearities per hidden unit (LSTM: i, f, g, o and tanh(c))
_CELL_ACTIVATIONS = {"lstm_cell": 5, "gru_cell": 3, "rnn_tanh_cell": 1, "rnn_relu_cell": 1}


def _cell(name: str) -> Counter:
    """``_VF.lstm_cell`` / ``gru_cell`` / ``rnn_*_cell``: one step, ``(input, hx, w_ih, w_hh,
    b_ih, b_hh)``; each weight matrix applied once per sample."""

    def count(args, kwargs, out, n_act):
        x, w_ih, w_hh = args[0], args[2], args[3]
        b_ih, b_hh = (args[4], args[5]) if len(args) > 5 else (None, None)
        batch = int(x.shape[0]) if x.dim() == 2 else 1
        macs = batch * (_numel(w_ih) + _numel(w_hh))
        other = {"bias": batch * (_numel(b_ih) + _numel(b_hh))}
        other["activation"] = batch * int(w_hh.shape[1]) * _CELL_ACTIVATIONS[name]
        return macs, {k: v for k, v in other.items() if v}

    return count


def _recurrent(name: str) -> Counter:
    """``_VF.lstm`` / ``gru`` / ``rnn_*`` on a padded (not packed) batch: every weight matrix
    is applied once per time step and sample, ``MACs = T · N · Σ numel(W)``; biases count as
    ``"bias"``, gate nonlinearities as ``"activation"`` (products of gates are not counted)."""

    def count(args, kwargs, out, n_act):
        if len(args) < 9 or not isinstance(args[2], (list, tuple)):
            return 0, {}  # a packed sequence: its lengths are data
        x, hx, weights, batch_first = args[0], args[1], args[2], args[8]
        if x.dim() == 3:
            steps, batch = (x.shape[1], x.shape[0]) if batch_first else (x.shape[0], x.shape[1])
        else:
            steps, batch = x.shape[0], 1
        uses = steps * batch
        h = hx[-1] if isinstance(hx, (list, tuple)) else hx  # LSTM: (h0, c0); c has hidden_size
        cells = h.shape[0] * h.shape[-1]  # layers · directions · hidden units
        macs = uses * sum(_numel(w) for w in weights if w.dim() == 2)
        other = {"bias": uses * sum(_numel(b) for b in weights if b.dim() == 1)}
        other["activation"] = uses * cells * _GATE_ACTIVATIONS[name]
        return macs, {k: v for k, v in other.items() if v}

    return count


_COUNTERS: dict[str, Counter] = {
    **dict.fromkeys(("conv1d", "conv2d", "conv3d", "linear"), _weighted),
    **dict.fromkeys(("conv_transpose1d", "conv_transpose2d", "conv_transpose3d"), _transposed),
    **dict.fromkeys(_MATMULS, _matmul),
    **dict.fromkeys(("addmm", "baddbmm"), _addmm),
    "einsum": _einsum,
    "scaled_dot_product_attention": _sdpa,
    "multi_head_attention_forward": _mha,
    **dict.fromkeys(_NORMS, _norm),
    "local_response_norm": _lrn,
    **dict.fromkeys(_ACTIVATIONS, _activation),
    **{
        f"{kind}_pool{d}d{suffix}": _pool(d, 1)
        for kind in ("max", "avg")
        for d in (1, 2, 3)
        for suffix in ("", "_with_indices")
        if not (kind == "avg" and suffix)
    },
    **{f"fractional_max_pool{d}d{s}": _pool(d, 1) for d in (2, 3) for s in ("", "_with_indices")},
    **{f"lp_pool{d}d": _pool(d, 2) for d in (1, 2, 3)},
    **{
        f"adaptive_{kind}_pool{d}d{suffix}": _adaptive_pool
        for kind in ("max", "avg")
        for d in (1, 2, 3)
        for suffix in ("", "_with_indices")
        if not (kind == "avg" and suffix)
    },
    **{name: _recurrent(name) for name in _GATE_ACTIVATIONS},
    **{name: _cell(name) for name in _CELL_ACTIVATIONS},
    **dict.fromkeys(("add", "sub"), _add),
    **dict.fromkeys(("mul", "div"), _product),
}
"""Counting function by exact op name; unpooling, padding, reshapes ... are not in it."""


def counter_for(name: str) -> Counter | None:
    """The counting function of op ``name`` (normalised), or None for an op that counts nothing.

    :func:`count_op` in two steps, so that a caller seeing the same op many times looks the
    name up once.
    """
    return _COUNTERS.get(name)


def count_op(
    name: str,
    args: Sequence[object],
    kwargs: dict[str, object],
    out: torch.Tensor | None,
    n_activations: int,
) -> tuple[int, dict[str, int]]:
    """MACs and labelled other operations of one call, by the conventions in the module doc.

    Args:
        name: normalised op name (see :func:`normalise_name`).
        args: positional arguments of the call.
        kwargs: keyword arguments of the call.
        out: the first tensor the call returned, or None.
        n_activations: how many of the call's tensor inputs are activations (not parameters or
            constants); tells a residual add of two activations from a bias or scalar add.

    Returns:
        ``(macs, other)`` where ``other`` maps a label to its operation count.
    """
    counter = counter_for(name)
    if out is None or counter is None:
        return 0, {}
    return counter(args, kwargs, out, n_activations)
