"""Run a model in eval mode and give every submodule its own mode back afterwards.

``model.train(was_training)`` is not a restore: it sets *every* submodule to the root's old
mode, so a BatchNorm the user had frozen with ``.eval()`` inside a training model comes back
in training mode (and its running statistics start drifting on the next forward). The
context manager here records each module's own flag and puts exactly that back, also when the
body raises.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

from torch import nn

__all__ = ["eval_mode", "restored_modes"]


@contextlib.contextmanager
def restored_modes(model: nn.Module) -> Iterator[nn.Module]:
    """On exit, put every module of ``model`` back in the train/eval mode it had on entry.

    Example::

        with restored_modes(model):
            model.eval()
            ...
        # every submodule's .training is what it was before, even after an exception
    """
    modes = [(module, module.training) for module in model.modules()]
    try:
        yield model
    finally:
        for module, was_training in modes:
            module.training = was_training  # not .train(): that would recurse and flatten


@contextlib.contextmanager
def eval_mode(model: nn.Module) -> Iterator[nn.Module]:
    """Run the block with ``model`` in eval mode; restore each submodule's own mode on exit.

    Example:
        >>> from torch import nn
        >>> net = nn.Sequential(nn.Conv2d(1, 2, 3), nn.BatchNorm2d(2)).train()
        >>> _ = net[1].eval()  # a frozen BatchNorm inside a training model
        >>> with eval_mode(net):
        ...     net.training, net[0].training
        (False, False)
        >>> net.training, net[0].training, net[1].training
        (True, True, False)
    """
    with restored_modes(model):
        model.eval()
        yield model
