"""Where the tensors sit in a forward's nested arguments and in what it returns.

Arguments and outputs nest tensors in tuples, lists, namedtuples and dicts (and, for outputs,
``torch.distributions`` objects). :func:`map_tensors` rebuilds such a tree with each tensor
replaced; :func:`tensor_paths` and :func:`argument_paths` name each tensor by the path a user
would write: ``input[1]``, ``mask``, ``output['out']``, ``output.logits``, ``output.loc``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

import torch

from vizkit.summary.table import TensorSpec

__all__ = ["argument_paths", "map_tensors", "spec", "tensor_paths"]


def map_tensors(tree: object, fn: Callable[[object], object], leaf_type: type) -> object:
    """``tree`` with every ``leaf_type`` item inside tuples / lists / namedtuples / dicts
    replaced by ``fn(item)``; other objects kept as they are."""
    if isinstance(tree, leaf_type):
        return fn(tree)
    if isinstance(tree, tuple):
        items = [map_tensors(t, fn, leaf_type) for t in tree]
        return type(tree)(*items) if hasattr(tree, "_fields") else tuple(items)
    if isinstance(tree, list):
        return [map_tensors(t, fn, leaf_type) for t in tree]
    if isinstance(tree, dict):
        mapped = {k: map_tensors(v, fn, leaf_type) for k, v in tree.items()}
        return mapped if type(tree) is dict else _same_mapping(tree, mapped)
    return tree


def _same_mapping(original: Mapping, mapped: dict) -> Mapping:
    try:
        return type(original)(mapped)  # OrderedDict, a ModelOutput ...
    except Exception:  # a dict subclass whose constructor wants more: a plain dict does
        return mapped


def tensor_paths(
    tree: object, path: str, found: list[tuple[str, object]], leaf_type: type = torch.Tensor
) -> list[tuple[str, object]]:
    """``(path, tensor)`` of every tensor (``leaf_type``) inside ``tree``, depth first:
    ``path[0]``, ``path['key']``, ``path.field`` (namedtuple), ``path.loc`` (the tensors a
    ``torch.distributions`` object was built with). Returns ``found``."""
    if isinstance(tree, leaf_type):
        found.append((path, tree))
    elif isinstance(tree, tuple) and hasattr(tree, "_fields"):
        for name in tree._fields:
            tensor_paths(getattr(tree, name), f"{path}.{name}", found, leaf_type)
    elif isinstance(tree, (tuple, list)):
        for i, item in enumerate(tree):
            tensor_paths(item, f"{path}[{i}]", found, leaf_type)
    elif isinstance(tree, dict):
        for key, item in tree.items():
            tensor_paths(item, f"{path}[{key!r}]", found, leaf_type)
    elif isinstance(tree, torch.distributions.Distribution):
        # the parameters it was built with (set in __init__; lazy ones not yet computed)
        for name, item in vars(tree).items():
            if not name.startswith("_"):
                tensor_paths(item, f"{path}.{name}", found, leaf_type)
    return found


def argument_paths(
    args: tuple, kwargs: Mapping[str, object], leaf_type: type = torch.Tensor
) -> list[tuple[str, object]]:
    """``(path, tensor)`` of the forward's tensor arguments: ``input`` when it takes one
    positional argument, else ``input[0]``, ``input[1]`` ...; keyword arguments by name."""
    found: list[tuple[str, object]] = []
    single = len(args) == 1 and not kwargs
    for i, a in enumerate(args):
        tensor_paths(a, "input" if single else f"input[{i}]", found, leaf_type)
    for k, v in kwargs.items():
        tensor_paths(v, k, found, leaf_type)
    return found


def spec(path: str, t: torch.Tensor) -> TensorSpec:
    """The :class:`TensorSpec` of tensor ``t`` at ``path``."""
    return TensorSpec(path, tuple(t.shape), str(t.dtype).replace("torch.", ""))
