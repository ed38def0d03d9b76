"""Crops and flips in training, many crops at test time, and ensembles of models.

AlexNet trained on random 224×224 patches of 256×256 images and their horizontal reflections,
and at test time averaged the softmax of **10 patches**: the four corners and the centre, and
their mirror images (torchvision's ``ten_crop``). GoogLeNet went further: 4 scales × 3 squares
(left, centre, right) × 6 crops (4 corners, centre, the whole square scaled down) × 2 flips
= **144 crops** per image, and averaged 7 models (Szegedy et al. 2014, Table 3).

- :func:`random_crop_flip`: the training augmentation, per image, seeded.
- :func:`center_crop`, :func:`eval_crops`: the crops a test image is judged on
  (``"center"``: 1, ``"ten"``: 10, ``"multi"``: GoogLeNet's 144 scaled to the image).
- :func:`crop_accuracy`: accuracy of a model with softmax averaged over those crops.
- :func:`ensemble_accuracy`: each model alone, and their averaged softmax.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
import torch
from torch import nn
from torch.utils.data import TensorDataset

from vizkit._validate import (
    check_bool,
    check_choice,
    check_instance,
    check_int,
    check_optional_int,
    check_sequence,
    check_shape,
    describe,
)
from vizkit.demos._threads import one_thread

__all__ = [
    "CROP_KINDS",
    "EnsembleResult",
    "center_crop",
    "crop_accuracies",
    "crop_accuracy",
    "ensemble_accuracy",
    "eval_crops",
    "multi_crop_count",
    "random_crop_flip",
]

CropKind = Literal["center", "ten", "multi"]
CROP_KINDS: tuple[CropKind, ...] = ("center", "ten", "multi")
"""Test-time crop schemes: AlexNet's centre crop and 10 patches, GoogLeNet's 144."""


def _check_images(name: str, images: object, size: int | None = None) -> torch.Tensor:
    if not isinstance(images, torch.Tensor):
        raise TypeError(f"{name} must be a (N, C, H, W) tensor, got {describe(images)}")
    if images.is_complex() or images.dtype == torch.bool:
        raise TypeError(f"{name} must hold real numbers, got dtype {images.dtype}")
    check_shape(name, images, ndim=4, layout="(N, C, H, W)")
    if size is not None and size > min(images.shape[-2:]):
        raise ValueError(
            f"size {size} is larger than the {tuple(images.shape[-2:])} images in {name}: "
            "pick a crop no larger than the image (AlexNet: 224 of 256)"
        )
    return images


def random_crop_flip(
    images: torch.Tensor,
    size: int,
    *,
    flip: bool = True,
    generator: torch.Generator | None = None,
) -> torch.Tensor:
    """A random ``size × size`` patch of every image, mirrored left–right with probability ½.

    Each image gets its own offset ``(i, j)`` drawn uniformly from ``0…H−size`` and
    ``0…W−size`` (AlexNet: 224 of 256 gives 33² = 1,089 positions, × 2 with flips).

    Args:
        images: ``(N, C, H, W)``; not modified.
        size: Side of the patch, ``1…min(H, W)``.
        flip: Mirror half of the patches (at random).
        generator: Seeded ``torch.Generator`` for repeatable draws.

    Returns:
        ``(N, C, size, size)``.

    Raises:
        TypeError: ``images`` not a real tensor, or a wrong kind of option.
        ValueError: wrong rank, NaN/inf, or ``size`` out of range.
    """
    size = check_int("size", size, minimum=1, maximum=100_000)
    images = _check_images("images", images, size)
    flip = check_bool("flip", flip)
    if generator is not None and not isinstance(generator, torch.Generator):
        raise TypeError(f"generator must be a torch.Generator or None, got {describe(generator)}")
    n, _, h, w = images.shape
    rows = torch.randint(0, h - size + 1, (n,), generator=generator)
    cols = torch.randint(0, w - size + 1, (n,), generator=generator)
    flips = torch.rand(n, generator=generator) < 0.5 if flip else torch.zeros(n, dtype=torch.bool)
    # gather with index arithmetic: one advanced index instead of a Python loop per image
    r = rows[:, None] + torch.arange(size)[None, :]
    c = cols[:, None] + torch.arange(size)[None, :]
    c = torch.where(flips[:, None], c.flip(1), c)
    batch = torch.arange(n)[:, None, None]
    out = images.permute(0, 2, 3, 1)[batch, r[:, :, None], c[:, None, :]]
    return out.permute(0, 3, 1, 2).contiguous()


def center_crop(images: torch.Tensor, size: int) -> torch.Tensor:
    """The centre ``size × size`` patch of every image (torchvision's ``center_crop``).

    Args:
        images: ``(N, C, H, W)``.
        size: Side of the patch, ``1…min(H, W)``.

    Returns:
        ``(N, C, size, size)``.
    """
    size = check_int("size", size, minimum=1, maximum=100_000)
    images = _check_images("images", images, size)
    from torchvision.transforms.v2 import functional as TF

    return TF.center_crop(images, [size, size])


def multi_crop_count(scales: int = 4, squares: int = 3, crops: int = 6, flips: int = 2) -> int:
    """Crops per image of GoogLeNet's scheme: ``scales · squares · crops · flips``.

    >>> multi_crop_count()
    144
    """
    values = (scales, squares, crops, flips)
    for name, value in zip(("scales", "squares", "crops", "flips"), values, strict=True):
        check_int(name, value, minimum=1, maximum=1000)
    return scales * squares * crops * flips


def eval_crops(
    images: torch.Tensor, size: int, *, kind: CropKind = "ten", scales: Sequence[int] = ()
) -> torch.Tensor:
    """The crops a test image is judged on, stacked: ``(K, N, C, size, size)``.

    - ``"center"``: K = 1, the centre patch.
    - ``"ten"``: K = 10, AlexNet's four corners and centre and their mirror images
      (``torchvision.transforms.v2.functional.ten_crop``).
    - ``"multi"``: K = ``len(scales)·3·6·2``, GoogLeNet's scheme: the image resized so its
      shorter side is each of ``scales``; the left, centre and right (or top, centre, bottom)
      squares; in each, the 4 corner and centre ``size`` crops and the whole square resized to
      ``size``; all mirrored. For square images the three squares coincide (kept, to count the
      cost as the paper does). Default ``scales``: GoogLeNet's 256, 288, 320, 352 relative to a
      224 crop, i.e. ``size·(8/7, 9/7, 10/7, 11/7)`` rounded.

    Args:
        images: ``(N, C, H, W)``.
        size: Crop side, at most ``min(H, W)`` (at most every scale for ``"multi"``).
        kind: ``"center"``, ``"ten"`` or ``"multi"``.
        scales: Shorter-side lengths for ``"multi"``; ignored otherwise.

    Returns:
        ``(K, N, C, size, size)``.

    Raises:
        TypeError, ValueError: bad images, size, kind or scales.
    """
    size = check_int("size", size, minimum=1, maximum=100_000)
    images = _check_images("images", images, size)
    check_choice("kind", kind, CROP_KINDS)
    scale_list = list(check_sequence("scales", scales, what="ints"))  # checked for every kind
    scale_list = [check_int("scales", s, minimum=size, maximum=4096) for s in scale_list]
    if len(scale_list) > 16:
        raise ValueError(f"scales holds {len(scale_list)} sizes: pass at most 16")
    from torchvision.transforms.v2 import functional as TF

    if kind == "center":
        return TF.center_crop(images, [size, size])[None]
    if kind == "ten":
        return torch.stack(list(TF.ten_crop(images, [size, size])))
    if not scale_list:
        scale_list = [round(size * k / 7) for k in (8, 9, 10, 11)]
    crops = []
    for s in scale_list:
        resized = TF.resize(images, [s], antialias=True)  # shorter side → s
        h, w = resized.shape[-2:]
        long_side, short = max(h, w), min(h, w)
        for offset in (0, (long_side - short) // 2, long_side - short):
            square = (
                resized[..., :, offset : offset + short]
                if w >= h
                else resized[..., offset : offset + short, :]
            )
            five = list(TF.five_crop(square, [size, size]))
            whole = TF.resize(square, [size, size], antialias=True)
            for crop in (*five, whole):
                crops.extend((crop, TF.horizontal_flip(crop)))
    return torch.stack(crops)


def _check_dataset(name: str, data: object) -> tuple[torch.Tensor, torch.Tensor]:
    check_instance(name, data, TensorDataset, "a TensorDataset (images, labels)", "split.test")
    x, y = data.tensors[0], data.tensors[1]
    _check_images(f"{name} images", x)
    return x, y


@torch.no_grad()
def _probs(model: nn.Module, crops: torch.Tensor, batch: int = 512) -> torch.Tensor:
    """Softmax averaged over the K crops: ``(N, classes)``."""
    model.eval()
    k, n = crops.shape[:2]
    flat = crops.reshape(k * n, *crops.shape[2:])
    out = torch.cat([model(flat[i : i + batch]).softmax(1) for i in range(0, len(flat), batch)])
    return out.reshape(k, n, -1).mean(0)


@one_thread()
def crop_accuracy(
    model: nn.Module,
    data: TensorDataset,
    size: int,
    *,
    kind: CropKind = "ten",
    scales: Sequence[int] = (),
    limit: int | None = None,
) -> float:
    """Accuracy with the softmax averaged over :func:`eval_crops` of every test image.

    Args:
        model: A classifier that accepts ``size × size`` images.
        data: ``TensorDataset`` of test images and labels.
        size: Crop side.
        kind: ``"center"``, ``"ten"`` or ``"multi"``.
        scales: For ``"multi"`` (see :func:`eval_crops`).
        limit: Judge only the first ``limit`` images (144 crops each cost 144 forward passes);
            ``None``: all.

    Returns:
        Accuracy in ``[0, 1]``.
    """
    check_instance("model", model, nn.Module, "an nn.Module", "pass the trained model")
    x, y = _check_dataset("data", data)
    limit = check_optional_int("limit", limit, minimum=1, fix="pass a positive count or None")
    x, y = (x, y) if limit is None else (x[:limit], y[:limit])
    crops = eval_crops(x, size, kind=kind, scales=scales)
    if kind == "multi" and x.shape[-2] == x.shape[-1]:
        # a square image's left, centre and right squares coincide: the three identical
        # groups of 12 crops per scale average to what one does, at a third of the passes
        crops = crops.reshape(-1, 3, 12, *crops.shape[1:])[:, 0].flatten(0, 1)
    return float((_probs(model, crops).argmax(1) == y).float().mean())


def crop_accuracies(
    model: nn.Module,
    data: TensorDataset,
    size: int,
    *,
    kinds: Sequence[CropKind] = CROP_KINDS,
    scales: Sequence[int] = (),
    limit: int | None = None,
) -> dict[str, float]:
    """:func:`crop_accuracy` for several crop schemes: ``{"center": …, "ten": …, "multi": …}``.

    Args:
        model, data, size, scales, limit: As in :func:`crop_accuracy`.
        kinds: The schemes to evaluate (default: all three).

    Returns:
        Scheme → accuracy, in the order of ``kinds``.
    """
    chosen = check_sequence("kinds", kinds, what="crop kinds")
    if not chosen:
        raise ValueError(f"kinds is empty: pass some of {CROP_KINDS}")
    return {
        check_choice("kinds", k, CROP_KINDS): crop_accuracy(
            model, data, size, kind=k, scales=scales, limit=limit
        )
        for k in chosen
    }


@dataclass(frozen=True)
class EnsembleResult:
    """Each model alone and the ensemble (softmax averaged over models).

    Attributes:
        accuracies: Test accuracy of each model.
        ensemble_accuracy: Accuracy of the averaged prediction.
        best_single: The best single model's accuracy.
    """

    accuracies: list[float]
    ensemble_accuracy: float

    @property
    def best_single(self) -> float:
        """The best single model's accuracy."""
        return max(self.accuracies)

    @property
    def mean_single(self) -> float:
        """The mean accuracy of the single models."""
        return float(np.mean(self.accuracies))

    def describe(self) -> str:
        """Each model and the ensemble in one line."""
        singles = ", ".join(f"{a:.2%}" for a in self.accuracies)
        return (
            f"single models {singles} (mean {self.mean_single:.2%}) → ensemble of "
            f"{len(self.accuracies)}: {self.ensemble_accuracy:.2%}"
        )


@one_thread()
def ensemble_accuracy(
    models: Sequence[object], data: TensorDataset, size: int | None = None
) -> EnsembleResult:
    """Accuracy of each model and of their average softmax (the classics' ensembles).

    Args:
        models: Two or more trained classifiers (at most 50), or the runs of
            :func:`vizkit.demos.train_ensemble` (their ``.model`` is used).
        data: ``TensorDataset`` of test images and labels.
        size: Centre-crop side the models were trained on; ``None``: whole images.

    Returns:
        An :class:`EnsembleResult`.

    Raises:
        TypeError: a model that is not a module, or ``data`` not a TensorDataset.
        ValueError: fewer than 2 or more than 50 models, or a bad ``size``.
    """
    items = check_sequence("models", models, what="nn.Module objects")
    if not 2 <= len(items) <= 50:
        raise ValueError(f"models holds {len(items)} models: an ensemble needs 2 to 50")
    items = tuple(getattr(m, "model", m) for m in items)  # RecipeRun → its model
    for i, m in enumerate(items):
        check_instance(f"models[{i}]", m, nn.Module, "an nn.Module", "pass trained models")
    x, y = _check_dataset("data", data)
    crops = x[None] if size is None else eval_crops(x, size, kind="center")
    probs = [_probs(m, crops) for m in items]
    accs = [float((p.argmax(1) == y).float().mean()) for p in probs]
    mean = torch.stack(probs).mean(0)
    return EnsembleResult(
        accuracies=accs, ensemble_accuracy=float((mean.argmax(1) == y).float().mean())
    )
