"""Digits CNN: test accuracy and seconds of ``vizkit.train.train_digits`` on this machine.

Target (issue 5): ≥ 95% test accuracy within 60 s on 2 CPU cores. Runs three seeds as
shipped (``cpu_threads=1``), then one with torch's default thread count for comparison (on a
busy 2-core machine two OpenMP threads fighting other processes wait on each other).
"""

from __future__ import annotations

import statistics
import time

import torch

from vizkit.train import train_digits


def main() -> None:
    print(f"torch {torch.__version__}, train_digits with cpu_threads=1, device cpu")
    runs = []
    for seed in (0, 1, 2):
        start = time.perf_counter()
        result = train_digits(seconds=60, seed=seed, device="cpu")
        wall = time.perf_counter() - start
        runs.append(result)
        print(
            f"seed {seed}: test accuracy {result.test_accuracy:.2%} in {result.seconds:.1f} s "
            f"training ({wall:.1f} s with data loading), {result.steps} steps, "
            f"stopped by {result.stop_reason}"
        )
    accs = [r.test_accuracy for r in runs]
    secs = [r.seconds for r in runs]
    print(
        f"median: {statistics.median(accs):.2%} in {statistics.median(secs):.1f} s "
        f"(min accuracy {min(accs):.2%}, max seconds {max(secs):.1f})"
    )
    default = train_digits(seconds=60, seed=0, device="cpu", cpu_threads=None)
    print(
        f"torch default ({torch.get_num_threads()} threads), seed 0: "
        f"{default.test_accuracy:.2%} in {default.seconds:.1f} s, stopped by "
        f"{default.stop_reason}"
    )
    ok = min(accs) >= 0.95 and max(secs) <= 60
    print(f"target ≥ 95% in ≤ 60 s: {'met' if ok else 'NOT met'}")


if __name__ == "__main__":
    main()
