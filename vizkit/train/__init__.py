"""A tiny training loop with callbacks, and the digits CNN the notebooks train live.

- :func:`fit`: the loop (time/step/epoch budgets, best-weights restore, interrupt-safe).
- :class:`Callback`, :class:`FilterSnapshots`, :class:`EarlyStopping`, :class:`StopRequest`:
  hooks into it (``StopRequest`` is what a Stop button sets).
- :func:`train_digits`: the small CNN on scikit-learn's digits, offline, in seconds.
"""

from vizkit.train.callbacks import EarlyStopping, FilterSnapshots, StopRequest
from vizkit.train.digits import DigitsCNN, DigitsResult, train_digits
from vizkit.train.loop import Callback, TrainHistory, TrainResult, TrainState, evaluate, fit

__all__ = [
    "Callback",
    "DigitsCNN",
    "DigitsResult",
    "EarlyStopping",
    "FilterSnapshots",
    "StopRequest",
    "TrainHistory",
    "TrainResult",
    "TrainState",
    "evaluate",
    "fit",
    "train_digits",
]
