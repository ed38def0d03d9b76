"""The forward's arguments: from ``input_size`` / ``input_data`` to what the model is called with.

``summarize`` takes torchinfo's ways of saying what to feed the model:

- ``input_size``: the shape of one sample, e.g. ``(3, 224, 224)``, or a list of shapes for a
  forward taking several tensors (``[(3, 224, 224), (10,)]``), each with ``batch_size``
  inserted at ``batch_dim`` and a dtype from ``dtypes`` (default: the model's floating dtype;
  ``torch.long`` for token ids);
- ``input_data``: the very arguments: a tensor, a tuple / list of positional arguments
  (tensors or not: flags, strings, scale factors; nested lists and dicts of tensors), or a dict
  of keyword arguments, batch included; used with their shapes and dtypes;
- keyword arguments for ``forward`` (``forward_kwargs``), tensors or not.

:func:`forward_inputs` checks them once and keeps a recipe (:class:`ForwardInputs`) from which
both the meta arguments of the fast pass and the real ones of the fallback are made. Every
tensor is described by a :class:`~vizkit.summary.table.TensorSpec` (``input``, ``input[1]``,
``mask`` ...).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

import torch
from torch import nn

from vizkit.summary.table import TensorSpec
from vizkit.summary.trees import argument_paths, map_tensors

__all__ = ["AUTO", "ForwardInputs", "forward_inputs"]

AUTO: Literal["auto"] = "auto"

#: modules that read a sequence as ``(L, N, ...)`` unless ``batch_first=True``
_SEQUENCE_FIRST = (
    nn.RNNBase,
    nn.MultiheadAttention,
    nn.Transformer,
    nn.TransformerEncoder,
    nn.TransformerDecoder,
    nn.TransformerEncoderLayer,
    nn.TransformerDecoderLayer,
)
#: leaves that keep every dimension where it is: the batch dimension is decided after them
_TRANSPARENT = (nn.Embedding, nn.Dropout, nn.Identity)


class _Leaf:
    """A tensor to make: from a shape and dtype (``input_size``), or like a given tensor."""

    __slots__ = ("dtype", "shape", "tensor")

    def __init__(
        self, shape: tuple[int, ...], dtype: torch.dtype, tensor: torch.Tensor | None
    ) -> None:
        self.shape = shape
        self.dtype = dtype
        self.tensor = tensor


@dataclass(frozen=True)
class ForwardInputs:
    """What the forward is called with: ``model(*args, **kwargs)``, tensors still to be made.

    Attributes:
        args: positional arguments; tensors as recipes.
        kwargs: keyword arguments; tensors as recipes.
        specs: every input tensor, in argument order.
        notes: where the batch went, when not to dimension 0.
        batch_dim: where the batch is in the input shapes: ``batch_dim`` as resolved
            (``"auto"`` → 0 or 1), None for ``batch_dim=None`` (no batch dimension), 0 for
            ``input_data`` (given batch included, batch first as torch's layers take it).
    """

    args: tuple
    kwargs: dict[str, object]
    specs: tuple[TensorSpec, ...]
    notes: tuple[str, ...] = ()
    batch_dim: int | None = 0

    def meta(self) -> tuple[tuple, dict[str, object]]:
        """The arguments with meta tensors (shapes, dtypes and strides; no memory)."""
        return self._made(_meta_tensor)

    def real(self, device: torch.device) -> tuple[tuple, dict[str, object]]:
        """The arguments with real tensors on ``device``: a copy of each given tensor, or for
        ``input_size`` seeded normal values (floating dtypes) and zeros (integer and bool
        dtypes: valid token ids and masks)."""
        gen = torch.Generator(device=device).manual_seed(0)

        def make(leaf: object) -> object:
            return _real_tensor(leaf, device, gen)  # type: ignore[arg-type]

        return self._made(make)

    def _made(self, make: Callable[[object], object]) -> tuple[tuple, dict[str, object]]:
        args = tuple(map_tensors(a, make, _Leaf) for a in self.args)
        kwargs = {k: map_tensors(v, make, _Leaf) for k, v in self.kwargs.items()}
        return args, kwargs


def _meta_tensor(leaf: _Leaf) -> torch.Tensor:
    t = leaf.tensor
    if t is None:
        return torch.empty(leaf.shape, dtype=leaf.dtype, device="meta")
    if t.layout is torch.strided:
        return torch.empty_strided(t.shape, t.stride(), dtype=t.dtype, device="meta")
    return torch.empty_like(t, device="meta")


def _real_tensor(leaf: _Leaf, device: torch.device, gen: torch.Generator) -> torch.Tensor:
    if leaf.tensor is not None:
        return leaf.tensor.detach().clone()  # the forward may change its input in place
    if leaf.dtype.is_floating_point or leaf.dtype.is_complex:
        return torch.randn(leaf.shape, dtype=leaf.dtype, device=device, generator=gen)
    return torch.zeros(leaf.shape, dtype=leaf.dtype, device=device)


def _is_shape(value: object) -> bool:
    return (
        isinstance(value, Sequence)
        and not isinstance(value, str)
        and all(isinstance(s, int) and not isinstance(s, bool) for s in value)
    )


def _sizes(input_size: object) -> list[tuple[int, ...]]:
    """One shape, or a list of shapes (several inputs), each checked."""
    if isinstance(input_size, int) and not isinstance(input_size, bool):
        input_size = (input_size,)
    several = (
        isinstance(input_size, (list, tuple))
        and len(input_size) > 0
        and all(isinstance(s, (list, tuple, torch.Size)) for s in input_size)
    )
    sizes = list(input_size) if several else [input_size]  # type: ignore[call-overload]
    for size in sizes:
        if not _is_shape(size):
            raise TypeError(
                f"input_size must be a tuple of ints such as (3, 224, 224), got {input_size!r} "
                "(a list of such tuples for a forward taking several tensors)"
            )
        if len(size) == 0 or min(size) < 1:
            raise ValueError(
                f"input_size {tuple(size)} must have at least one dimension and every entry "
                "≥ 1: give the shape of one sample without the batch, e.g. (3, 224, 224)"
            )
    return [tuple(int(s) for s in size) for size in sizes]


def _dtypes(dtypes: object, n: int, default: torch.dtype) -> list[torch.dtype]:
    if dtypes is None:
        return [default] * n
    listed = [dtypes] if isinstance(dtypes, torch.dtype) else dtypes
    if (
        not isinstance(listed, (list, tuple))
        or not listed
        or not all(isinstance(d, torch.dtype) for d in listed)
    ):
        raise TypeError(
            f"dtypes must be a list of torch dtypes, one per input_size, got {dtypes!r}: "
            "e.g. dtypes=[torch.long] for token ids"
        )
    if len(listed) == 1 and n > 1:
        return list(listed) * n
    if len(listed) != n:
        raise ValueError(
            f"dtypes has {len(listed)} entries for {n} input sizes: give one dtype per "
            "input_size, in the same order"
        )
    return list(listed)


def _sequence_first(model: nn.Module) -> str | None:
    """The name of the first layer the input meets if it reads ``(L, N, ...)``, else None.

    The first module in definition order that is a sequence module or a leaf (passing over
    embeddings, dropout and identities, which keep every dimension where it is).
    """
    for name, module in model.named_modules():
        if isinstance(module, _SEQUENCE_FIRST):
            return None if _batch_first(module) else name
        if isinstance(module, _TRANSPARENT):
            continue
        if next(module.children(), None) is None:
            return None
    return None


def _batch_first(module: nn.Module) -> bool:
    if isinstance(module, nn.TransformerEncoder | nn.TransformerDecoder):
        module = module.layers[0]  # type: ignore[index]
    if isinstance(module, nn.TransformerEncoderLayer | nn.TransformerDecoderLayer):
        return bool(module.self_attn.batch_first)
    return bool(getattr(module, "batch_first", True))


def _from_sizes(
    model: nn.Module,
    input_size: object,
    batch_size: object,
    batch_dim: object,
    dtypes: object,
    default: torch.dtype,
) -> tuple[list[_Leaf], list[str], int | None]:
    """The input recipes, notes on where the batch went, and the batch dimension used."""
    if isinstance(batch_size, bool) or not isinstance(batch_size, int):
        raise TypeError(f"batch_size must be an int, got {batch_size!r}")
    if batch_size < 1:
        raise ValueError(f"batch_size {batch_size} is below 1: use 1 or more samples")
    sizes = _sizes(input_size)
    kinds = _dtypes(dtypes, len(sizes), default)
    notes = []
    if batch_dim == AUTO:
        seq = _sequence_first(model)
        batch_dim = 0 if seq is None else 1
        if seq is not None:
            where = (
                f"{seq!r} ({type(model.get_submodule(seq)).__name__})"
                if seq
                else f"the model ({type(model).__name__})"
            )
            notes.append(
                f"batch dimension placed at dim 1: {where} reads (L, N, ...) as its "
                "batch_first=False says; pass batch_dim=0 to put it first"
            )
    if batch_dim is None:
        if batch_size != 1:
            raise ValueError(
                f"batch_size {batch_size} with batch_dim=None: batch_dim=None means input_size "
                "is the whole input (no batch dimension added); drop batch_size, or give "
                "batch_dim=0 to add one"
            )
        leaves = [_Leaf(size, k, None) for size, k in zip(sizes, kinds, strict=True)]
        return leaves, notes, None
    if isinstance(batch_dim, bool) or not isinstance(batch_dim, int):
        raise TypeError(f"batch_dim must be an int, None or 'auto', got {batch_dim!r}")
    leaves = []
    for size, kind in zip(sizes, kinds, strict=True):
        if not 0 <= batch_dim <= len(size):
            raise ValueError(
                f"batch_dim {batch_dim} is outside 0…{len(size)} for input_size {size}: it is "
                "where the batch is inserted into one sample's shape"
            )
        leaves.append(_Leaf((*size[:batch_dim], batch_size, *size[batch_dim:]), kind, None))
    return leaves, notes, batch_dim


def _as_leaf(t: object) -> object:
    return _Leaf(tuple(t.shape), t.dtype, t)  # type: ignore[attr-defined]


def forward_inputs(
    model: nn.Module,
    input_size: object = None,
    input_data: object = None,
    *,
    batch_size: object = 1,
    batch_dim: object = AUTO,
    dtypes: object = None,
    dtype: torch.dtype,
    forward_kwargs: Mapping[str, object] | None = None,
) -> ForwardInputs | None:
    """Check the ways of giving the input and keep what the forward is to be called with.

    Args:
        model: the model (for ``batch_dim="auto"``: where its first layer wants the batch).
        input_size: one sample's shape, or a list of shapes; excludes ``input_data``.
        input_data: a tensor, a tuple / list of positional arguments or a dict of keyword
            arguments, batch included.
        batch_size: samples per batch, inserted into each ``input_size`` at ``batch_dim``.
        batch_dim: where the batch goes in each ``input_size``: ``"auto"`` (0, or 1 when the
            first layer is an RNN / attention / transformer with ``batch_first=False``), an
            int, or None (``input_size`` is the whole shape: no batch dimension).
        dtypes: the dtype of each ``input_size`` (default: ``dtype``).
        dtype: the model's floating dtype.
        forward_kwargs: more keyword arguments for ``forward``.

    Returns:
        The recipe, or None when no input is given at all (a parameters-only table).

    Raises:
        TypeError: a wrong kind of value for any of them.
        ValueError: contradicting or impossible values, with the fix.
    """
    kwargs = dict(forward_kwargs or {})
    resolved: int | None = 0  # input_data and keyword tensors: batch included, first
    if input_data is not None:
        if input_size is not None:
            raise ValueError(
                "give input_size or input_data, not both: input_data is the input itself, "
                "batch included"
            )
        if dtypes is not None:
            raise ValueError(
                "dtypes is for input_size; input_data keeps its tensors' dtypes: convert them "
                "instead (x.long(), x.half())"
            )
        if batch_size != 1 or batch_dim != AUTO:
            raise ValueError(
                "batch_size and batch_dim are for input_size; input_data is used as it is, "
                "batch included: give tensors with the batch you want"
            )
        if isinstance(input_data, torch.Tensor):
            args: tuple = (input_data,)
        elif isinstance(input_data, (tuple, list)):
            args = tuple(input_data)
        elif isinstance(input_data, Mapping):
            clash = sorted(set(input_data) & set(kwargs))
            if clash:
                raise ValueError(
                    f"keyword argument(s) {clash} given twice: in input_data and as keywords"
                )
            args, kwargs = (), {**dict(input_data), **kwargs}
        else:
            raise TypeError(
                "input_data must be a tensor, a tuple or list of forward's positional "
                "arguments, or a dict of its keyword arguments, got "
                f"{type(input_data).__name__}"
            )
        notes: list[str] = []
    elif input_size is not None:
        leaves, notes, resolved = _from_sizes(
            model, input_size, batch_size, batch_dim, dtypes, dtype
        )
        args = tuple(leaves)
    elif kwargs:
        args, notes = (), []
    else:
        given = [
            name
            for name, value, default in (
                ("dtypes", dtypes, None),
                ("batch_size", batch_size, 1),
                ("batch_dim", batch_dim, AUTO),
            )
            if value != default
        ]
        if given:
            raise ValueError(
                f"{' and '.join(given)} given without input_size: pass input_size (or "
                "input_data), or leave them out for a parameters-only table"
            )
        return None
    args = tuple(map_tensors(a, _as_leaf, torch.Tensor) for a in args)
    kwargs = {k: map_tensors(v, _as_leaf, torch.Tensor) for k, v in kwargs.items()}
    return ForwardInputs(args, kwargs, _specs(args, kwargs), tuple(notes), resolved)


def _specs(args: tuple, kwargs: dict[str, object]) -> tuple[TensorSpec, ...]:
    return tuple(
        TensorSpec(path, leaf.shape, str(leaf.dtype).replace("torch.", ""))  # type: ignore[attr-defined]
        for path, leaf in argument_paths(args, kwargs, _Leaf)
    )
