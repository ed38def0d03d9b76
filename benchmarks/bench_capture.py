"""Overhead of ``capture_activations`` against torchvision's ``create_feature_extractor``.

Same model (ResNet-18, random weights, eval mode), same batch, same four layers; the two
are timed alternately, and the ratio of medians is reported (target: ≤ 1.1×).
capture_activations runs the whole forward (it hooks the model as is) and copies each
captured output; the feature extractor is a traced copy pruned after the last requested node.
"""

from __future__ import annotations

import statistics
import time

import torch
import torchvision
from torchvision.models.feature_extraction import create_feature_extractor

from vizkit.inspect import capture_activations

LAYERS = ["layer1", "layer2", "layer3", "layer4"]


def main(repeats: int = 21) -> None:
    torch.manual_seed(0)
    model = torchvision.models.resnet18(weights=None).eval()
    x = torch.randn(4, 3, 128, 128)
    extractor = create_feature_extractor(model, return_nodes={n: n for n in LAYERS})

    def ours() -> dict[str, torch.Tensor]:
        with capture_activations(model, LAYERS) as acts:
            model(x)
        return acts

    def theirs() -> dict[str, torch.Tensor]:
        return extractor(x)

    with torch.no_grad():
        a, b = ours(), theirs()
        for n in LAYERS:
            torch.testing.assert_close(a[n], b[n])  # same numbers, or the timing is moot
        times: dict[str, list[float]] = {"capture_activations": [], "create_feature_extractor": []}
        plain: list[float] = []
        for _ in range(repeats):
            pair = [("capture_activations", ours), ("create_feature_extractor", theirs)]
            for name, fn in pair if len(plain) % 2 == 0 else pair[::-1]:  # alternate who goes first
                start = time.perf_counter()
                fn()
                times[name].append(time.perf_counter() - start)
            start = time.perf_counter()
            model(x)
            plain.append(time.perf_counter() - start)
    med = {k: statistics.median(v) for k, v in times.items()}
    print(
        f"ResNet-18, batch {tuple(x.shape)}, layers {LAYERS}, {repeats} alternating repeats, "
        f"{torch.get_num_threads()} threads"
    )
    for name, value in med.items():
        print(f"  {name:26s} median {value * 1000:8.1f} ms")
    print(f"  {'plain forward':26s} median {statistics.median(plain) * 1000:8.1f} ms")
    ratio = med["capture_activations"] / med["create_feature_extractor"]
    print(
        f"ratio capture / feature extractor: {ratio:.3f}× (target ≤ 1.1×: "
        f"{'met' if ratio <= 1.1 else 'NOT met'})"
    )


if __name__ == "__main__":
    main()
