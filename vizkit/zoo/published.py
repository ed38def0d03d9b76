"""Published figures (with citations) and torchvision's accuracy metadata, as plain data."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

from vizkit._suggest import did_you_mean
from vizkit._validate import check_names, check_str

__all__ = ["accuracy_table", "published"]

_FILE = Path(__file__).with_name("published.json")


@cache
def _load() -> dict[str, Any]:
    return json.loads(_FILE.read_text(encoding="utf-8"))


def published(key: str | None = None) -> Any:
    """Figures printed in the papers, each entry with its ``source``.

    Args:
        key: one entry (``"ilsvrc_top5"``, ``"vgg_params_millions"``, ``"googlenet_table1"``,
            ``"resnet_flops_billions"``, ...); None for all of them.

    Raises:
        TypeError: ``key`` is not a str or None.
        ValueError: unknown key (the message lists the known ones).
    """
    data = _load()
    if key is None:
        return data
    check_str("key", key)
    if key not in data or key.startswith("_"):
        known = sorted(k for k in data if not k.startswith("_"))
        raise ValueError(f"key {key!r} is not one of {known}")
    return data[key]


def accuracy_table(
    names: tuple[str, ...] = (
        "alexnet",
        "vgg16",
        "vgg19",
        "googlenet",
        "inception_v3",
        "resnet18",
        "resnet34",
        "resnet50",
        "resnet101",
        "resnet152",
        "squeezenet1_0",
        "mobilenet_v2",
        "densenet121",
    ),
) -> list[dict[str, object]]:
    """Top-1 / top-5 accuracy, GFLOPS and parameters of torchvision's ImageNet weights.

    Read offline from torchvision's weights metadata (single 224 crop, or 299 for
    Inception-v3; "GFLOPS" there are multiply-adds): the data of a Canziani et al. (2016)
    accuracy × operations × parameters chart for models one can actually load.

    Returns:
        One dict per model: ``name``, ``top1``, ``top5``, ``gmacs``, ``params``, ``source``.

    Raises:
        TypeError: ``names`` is a single str or holds non-strings.
        ValueError: a name is not a torchvision classifier.
    """
    import torchvision

    names = check_names("names", names, what="torchvision model name")
    known = torchvision.models.list_models(module=torchvision.models)
    for name in names:
        if name not in known:
            raise ValueError(f"names: {did_you_mean(name, known, what='torchvision classifier')}")
    rows = []
    for name in names:
        enum = torchvision.models.get_model_weights(name)
        # The original training recipes (V1), as the papers and Canziani et al. compared them.
        meta = (enum["IMAGENET1K_V1"] if "IMAGENET1K_V1" in enum.__members__ else enum.DEFAULT).meta
        metrics = meta["_metrics"]["ImageNet-1K"]
        rows.append(
            {
                "name": name,
                "top1": metrics["acc@1"],
                "top5": metrics["acc@5"],
                "gmacs": meta["_ops"],
                "params": meta["num_params"],
                "source": f"torchvision {torchvision.__version__} weights metadata "
                f"({meta['recipe']})",
            }
        )
    return rows
