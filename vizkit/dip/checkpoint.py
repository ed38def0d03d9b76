"""An exact, allocation-free copy of a network's and its optimizer's state, for rollback.

The reference DIP code "falls back to the previous checkpoint" by copying old weights in
and then letting the optimizer apply the gradient of the diverged step, with Adam's moment
estimates left as they were after the bad steps. :class:`Checkpoint` restores everything
that determines the next update — parameters, buffers (BatchNorm statistics) and every
optimizer state tensor (Adam's ``step``, ``exp_avg``, ``exp_avg_sq``) — bit for bit, so the
run continues as if the bad step never happened.
"""

from __future__ import annotations

import torch
from torch import nn

from vizkit._validate import check_instance

__all__ = ["Checkpoint"]


class Checkpoint:
    """Saves and restores ``module`` + ``optimizer`` state in preallocated buffers.

    Buffers are allocated on the first :meth:`save` (and again only if the optimizer's state
    gains entries, as Adam's does after its first step), so saving every step costs one
    ``copy_`` per tensor and no allocation.

    Args:
        module: The network.
        optimizer: Its optimizer.

    Raises:
        TypeError: ``module`` is not an ``nn.Module`` or ``optimizer`` not an optimizer.
    """

    def __init__(self, module: nn.Module, optimizer: torch.optim.Optimizer) -> None:
        check_instance("module", module, nn.Module, "a torch.nn.Module (the network)")
        check_instance(
            "optimizer",
            optimizer,
            torch.optim.Optimizer,
            "a torch.optim.Optimizer",
            "e.g. torch.optim.Adam(module.parameters())",
        )
        self.module = module
        self.optimizer = optimizer
        self._saved: list[torch.Tensor] = []
        self._opt_keys: list[tuple[torch.Tensor, str]] = []
        self._opt_other: dict[tuple[int, str], object] = {}
        self.saved = False

    def _tensors(self, keys: list[tuple[torch.Tensor, str]]) -> list[torch.Tensor]:
        """The live tensors, fetched afresh (in case the optimizer swapped any object)."""
        live = [p.data for p in self.module.parameters()] + list(self.module.buffers())
        for param, key in keys:
            value = self.optimizer.state[param][key]
            if isinstance(value, torch.Tensor):
                live.append(value)
        return live

    def _keys(self) -> list[tuple[torch.Tensor, str]]:
        return [(p, k) for p, state in self.optimizer.state.items() for k in sorted(state)]

    def save(self) -> None:
        """Copy the current state into the buffers."""
        keys = self._keys()
        tensors = self._tensors(keys)
        same = (
            len(keys) == len(self._opt_keys)
            and all(a is c and b == d for (a, b), (c, d) in zip(keys, self._opt_keys, strict=True))
            and len(tensors) == len(self._saved)
        )
        if same:
            torch._foreach_copy_(self._saved, [t.detach() for t in tensors])
        else:
            self._opt_keys = keys
            self._saved = [t.detach().clone() for t in tensors]
        self._opt_other = {
            (id(p), k): self.optimizer.state[p][k]
            for p, k in keys
            if not isinstance(self.optimizer.state[p][k], torch.Tensor)
        }
        self.saved = True

    def restore(self) -> None:
        """Put the saved state back (in place: the module and optimizer objects are kept).

        Raises:
            RuntimeError: Nothing was saved yet.
        """
        if not self.saved:
            raise RuntimeError("Checkpoint.restore() called before save(): nothing to restore")
        saved_params = {id(p) for p, _ in self._opt_keys}
        for param in list(self.optimizer.state):  # state gained since the save is dropped
            if id(param) not in saved_params:
                del self.optimizer.state[param]
        with torch.no_grad():
            torch._foreach_copy_(self._tensors(self._opt_keys), self._saved)
        for param, key in self._opt_keys:
            other = self._opt_other.get((id(param), key))
            if other is not None:
                self.optimizer.state[param][key] = other
