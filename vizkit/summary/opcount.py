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
  step and sample)

Everything else is counted separately, one operation per element, under a label:

- ``"bias"``: one add per output element of a conv / linear with bias;
- ``"norm"``: BatchNorm & co. at inference, folded to a scale and a shift: 2 per element;
  local response normalisation: ``size`` per element (the window sum of squares);
- ``"activation"``: ReLU, tanh, sigmoid, softmax ...: 1 per element;
- ``"pool"``: 1 per element of each pooling window (``kH · kW`` per output element);
- ``"residual add"``: 1 per element of an addition of two activations (a skip connection);
- ``"elementwise"``: other products of two activations (gates, attention scaling).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

import torch

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


def normalise_name(func: object) -> str:
    """Torch function or tensor method → a plain op name: ``Tensor.__iadd__`` → ``"add"``."""
    name = getattr(func, "__name__", None) or str(func)
    name = name.strip("_")
    if name.startswith("i") and name[1:] in ("add", "sub", "mul", "truediv"):
        name = name[1:]  # __iadd__ -> add
    if name.endswith("_") and not name.endswith("__"):
        name = name.rstrip("_")
    return {"radd": "add", "rmul": "mul", "truediv": "div"}.get(name, name)


def _numel(t: object) -> int:
    return int(t.numel()) if isinstance(t, torch.Tensor) else 0


def _window(value: object) -> int:
    if isinstance(value, int):
        return value * value
    return math.prod(int(v) for v in value)  # type: ignore[attr-defined]


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


def _pool(args, kwargs, out, n_act):
    return 0, {"pool": _numel(out) * _window(_get(args, kwargs, 1, "kernel_size", 1))}


def _lp_pool(args, kwargs, out, n_act):
    return 0, {"pool": _numel(out) * _window(_get(args, kwargs, 2, "kernel_size", 1))}


def _add(args, kwargs, out, n_act):
    return (0, {"residual add": _numel(out)}) if n_act >= 2 else (0, {})


def _product(args, kwargs, out, n_act):
    return (0, {"elementwise": _numel(out)}) if n_act >= 2 else (0, {})


#: gate nonlinearities per hidden unit and step: LSTM i, f, g, o and tanh(c); GRU r, z, n
_GATE_ACTIVATIONS = {"lstm": 5, "gru": 3, "rnn_tanh": 1, "rnn_relu": 1}


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


_RECURRENT = {name: _recurrent(name) for name in _GATE_ACTIVATIONS}


def counter_for(name: str) -> Counter | None:
    """The counting function of op ``name`` (normalised), or None for an op that counts nothing.

    :func:`count_op` in two steps, so that a caller seeing the same op many times looks the
    name up once.
    """
    if name in ("conv1d", "conv2d", "conv3d", "linear"):
        return _weighted
    if name.startswith("conv_transpose"):
        return _transposed
    if name in _MATMULS:
        return _matmul
    if name in ("addmm", "baddbmm"):
        return _addmm
    if name == "einsum":
        return _einsum
    if name == "scaled_dot_product_attention":
        return _sdpa
    if name == "multi_head_attention_forward":
        return _mha
    if name in _NORMS:
        return _norm
    if name == "local_response_norm":
        return _lrn
    if name in _ACTIVATIONS:
        return _activation
    if "pool" in name:
        if name.startswith("adaptive"):
            return _adaptive_pool
        return _lp_pool if name.startswith("lp_pool") else _pool
    if name in _RECURRENT:
        return _RECURRENT[name]
    if name in ("add", "sub"):
        return _add
    if name in ("mul", "div"):
        return _product
    return None


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
