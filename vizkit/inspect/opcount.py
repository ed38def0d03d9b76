"""How many operations one torch call costs: the counting conventions of the layer table.

Multiply-accumulates (MACs) are counted for the ops that dominate a CNN, and FLOPs = 2 · MACs
(one multiply and one add), the convention of ``torch.utils.flop_counter`` and of most papers
that say "FLOPs" (the ResNet paper's "FLOPs" are in fact multiply-adds, i.e. MACs):

- convolution: ``MACs = output elements · (C_in / groups) · kH · kW``
- transposed convolution: ``MACs = input elements · (C_out / groups) · kH · kW``
- linear / matmul: ``MACs = output elements · in_features``
- attention: ``MACs = batch · L · S · (E + E_v)`` (scores and weighted sum), plus the four
  projections inside ``nn.MultiheadAttention``; two-operand ``einsum``: product of index sizes

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
from collections.abc import Sequence

import torch

__all__ = ["count_op", "normalise_name"]

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
    if out is None:
        return 0, {}
    n_out = _numel(out)

    def get(i: int, key: str, default: object = None) -> object:
        return args[i] if len(args) > i else kwargs.get(key, default)

    if name in ("conv1d", "conv2d", "conv3d", "linear"):
        weight = get(1, "weight")
        per_output = _numel(weight) // int(weight.shape[0])  # type: ignore[attr-defined]
        bias = get(2, "bias")
        return n_out * per_output, ({"bias": n_out} if bias is not None else {})
    if name.startswith("conv_transpose"):
        weight, x = get(1, "weight"), get(0, "input")
        per_input = _numel(weight) // int(weight.shape[0])  # type: ignore[attr-defined]
        bias = get(2, "bias")
        return _numel(x) * per_input, ({"bias": n_out} if bias is not None else {})
    if name in _MATMULS or name in ("addmm", "baddbmm"):
        a = get(1 if name in ("addmm", "baddbmm") else 0, "mat1")
        k = int(a.shape[-1]) if isinstance(a, torch.Tensor) else 0
        return n_out * k, ({"bias": n_out} if name in ("addmm", "baddbmm") else {})
    if name == "einsum":
        return _einsum_macs(args), {}
    if name == "scaled_dot_product_attention":
        q, k, v = (get(i, key) for i, key in ((0, "query"), (1, "key"), (2, "value")))
        batch = _numel(q) // (int(q.shape[-2]) * int(q.shape[-1]))  # type: ignore[union-attr]
        length, source = int(q.shape[-2]), int(k.shape[-2])  # type: ignore[union-attr]
        e, ev = int(q.shape[-1]), int(v.shape[-1])  # type: ignore[union-attr]
        return batch * length * source * (e + ev), {}
    if name == "multi_head_attention_forward":
        q, k = get(0, "query"), get(1, "key")
        length, source = int(q.shape[0]), int(k.shape[0])  # type: ignore[union-attr]
        batch = int(q.shape[1]) if q.dim() == 3 else 1  # type: ignore[union-attr]
        e = int(q.shape[-1])  # type: ignore[union-attr]
        projections = (2 * length + 2 * source) * e * e  # q, k, v in; out
        return batch * (projections + 2 * length * source * e), {}
    if name in _NORMS:
        return 0, {"norm": 2 * n_out}
    if name == "local_response_norm":
        return 0, {"norm": n_out * int(get(1, "size", 1))}  # type: ignore[call-overload]
    if name in _ACTIVATIONS:
        return 0, {"activation": n_out}
    if "pool" in name:
        x = get(0, "input")
        if name.startswith("adaptive"):
            return 0, {"pool": _numel(x)}  # every input element enters exactly one window here
        kernel = get(2 if name.startswith("lp_pool") else 1, "kernel_size", 1)
        return 0, {"pool": n_out * _window(kernel)}
    if n_activations >= 2 and name in ("add", "sub"):
        return 0, {"residual add": n_out}
    if n_activations >= 2 and name in ("mul", "div"):
        return 0, {"elementwise": n_out}
    return 0, {}
