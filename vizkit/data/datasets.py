"""Small labelled image sets that work offline, and the bigger ones when they can be had.

:func:`load_digits_split` wraps scikit-learn's bundled 8×8 handwritten digits (1,797 images,
no download), upsampled to a LeNet-friendly size. :func:`load_mnist` and :func:`load_cifar10`
run torchvision's real dataset code (download, or the copy already on disk); when that fails —
no network, no disk copy — they say so in one warning line and return the digits instead, so a
notebook continues rather than stopping on a traceback.
"""

from __future__ import annotations

import os
import warnings
from dataclasses import dataclass
from pathlib import Path

import torch
import torch.nn.functional as F
from torch.utils.data import TensorDataset

from vizkit._validate import (
    check_bool,
    check_int,
    check_memory,
    check_number,
    check_optional_int,
    check_seed,
    describe,
)
from vizkit.data.download import Unavailable, download_timeout, fetch

__all__ = ["DatasetSplit", "load_cifar10", "load_digits_split", "load_mnist"]


@dataclass(frozen=True)
class DatasetSplit:
    """A train/test pair of image tensors with labels.

    Attributes:
        train: ``TensorDataset`` of ``(N, C, H, W)`` float32 images and ``(N,)`` int64 labels.
        test: The held-out part, same layout.
        classes: Class names, index = label.
        name: What the data is (``"digits"``, ``"mnist"``, ``"cifar10"``).
        note: ``None``, or one line saying what was substituted and why (offline fallback).
    """

    train: TensorDataset
    test: TensorDataset
    classes: tuple[str, ...]
    name: str
    note: str | None = None

    @property
    def image_shape(self) -> tuple[int, int, int]:
        """``(C, H, W)`` of one image."""
        c, h, w = self.train.tensors[0].shape[1:]
        return (int(c), int(h), int(w))


def load_digits_split(
    *, size: int = 32, channels: int = 1, test_fraction: float = 0.25, seed: int = 0
) -> DatasetSplit:
    """scikit-learn's handwritten digits, upsampled, split into train and test (offline).

    The 8×8 images (values 0–16) are scaled to ``[0, 1]`` and resized bilinearly to
    ``size × size`` (32 is LeNet-5's input size), then standardised with the training set's
    mean and standard deviation. The split is stratified and seeded.

    Args:
        size: Output side length in pixels, 8 or more.
        channels: 1 (grey) or 3 (the grey image repeated, for RGB models).
        test_fraction: Share of the 1,797 images held out, in ``(0, 1)``.
        seed: Seed of the split.

    Returns:
        A :class:`DatasetSplit` with images ``(N, channels, size, size)``.

    Raises:
        TypeError: an argument of the wrong kind.
        ValueError: ``size`` below 8 (or above the memory budget), ``channels`` not 1 or 3,
            ``test_fraction`` outside (0, 1), or a negative seed.
    """
    size = check_int(
        "size", size, minimum=8, fix="that is below the digits' native 8 pixels: use size >= 8"
    )
    check_memory(
        1797 * 3 * size * size * 4 * 3,
        name="size",
        value=size,
        what=f"1,797 digits at {size}×{size}",
        fix="use size=8 to 64 (32 is LeNet-5's input)",
    )
    if isinstance(channels, bool) or not isinstance(channels, int) or channels not in (1, 3):
        kind = (
            ValueError
            if isinstance(channels, int) and not isinstance(channels, bool)
            else TypeError
        )
        raise kind(f"channels must be 1 (grey) or 3 (RGB copies), got {describe(channels)}")
    test_fraction = check_number(
        "test_fraction",
        test_fraction,
        above=0.0,
        below=1.0,
        fix="it must lie strictly between 0 and 1, e.g. 0.25",
    )
    seed = check_seed(seed)
    from sklearn.datasets import load_digits
    from sklearn.model_selection import train_test_split

    digits = load_digits()
    train_idx, test_idx = train_test_split(
        range(len(digits.target)),
        test_size=test_fraction,
        random_state=seed,
        stratify=digits.target,
    )
    images = torch.as_tensor(digits.images, dtype=torch.float32).unsqueeze(1) / 16.0
    if size != 8:
        images = F.interpolate(images, size=(size, size), mode="bilinear", align_corners=False)
    labels = torch.as_tensor(digits.target, dtype=torch.int64)
    train_x, test_x = images[list(train_idx)], images[list(test_idx)]
    mean, std = train_x.mean(), train_x.std()
    train_x, test_x = (train_x - mean) / std, (test_x - mean) / std
    if channels == 3:
        train_x, test_x = train_x.repeat(1, 3, 1, 1), test_x.repeat(1, 3, 1, 1)
    return DatasetSplit(
        train=TensorDataset(train_x.contiguous(), labels[list(train_idx)]),
        test=TensorDataset(test_x.contiguous(), labels[list(test_idx)]),
        classes=tuple(str(d) for d in range(10)),
        name="digits",
    )


def _to_tensors(dataset: object, limit: int | None) -> tuple[torch.Tensor, torch.Tensor]:
    """torchvision MNIST/CIFAR object → float images in [0, 1] ``(N, C, H, W)`` and labels."""
    data = torch.as_tensor(dataset.data)  # type: ignore[attr-defined]
    targets = torch.as_tensor(dataset.targets)  # type: ignore[attr-defined]
    if limit is not None:
        data, targets = data[:limit], targets[:limit]
    images = data.float() / 255.0
    images = images.unsqueeze(1) if images.dim() == 3 else images.permute(0, 3, 1, 2)
    return images.contiguous(), targets.long()


def _check_options(root: object, download: object, limit: object, fallback: object) -> Path:
    if not isinstance(root, str | os.PathLike) or isinstance(root, bytes):
        raise TypeError(f"root must be a folder path (str or Path), got {describe(root)}")
    if not str(root).strip():
        raise ValueError("root is empty: pass a folder, e.g. '~/.cache/vizkit/data'")
    check_bool("download", download)
    check_optional_int("limit", limit, minimum=1, fix="keep at least one image, or pass None")
    check_bool("fallback", fallback)
    path = Path(root).expanduser()
    if path.exists() and not path.is_dir():
        raise ValueError(f"root {str(path)!r} is a file, not a folder: pass the data folder")
    return path


def _torchvision_split(
    kind: str,
    root: str | Path,
    download: bool,
    limit: int | None,
    fallback_channels: int,
    fallback_size: int,
    fallback: bool,
) -> DatasetSplit:
    import torchvision

    root = _check_options(root, download, limit, fallback)

    cls = {"mnist": torchvision.datasets.MNIST, "cifar10": torchvision.datasets.CIFAR10}[kind]

    def load() -> tuple[object, object]:
        return (
            cls(str(root), train=True, download=download),
            cls(str(root), train=False, download=download),
        )

    if not fallback:  # the caller wants the download's own error
        with download_timeout():
            loaded: tuple[object, object] | Unavailable = load()
    else:
        loaded = fetch(load)
    if isinstance(loaded, Unavailable):
        note = (
            f"{kind.upper()} is not available ({loaded}); "
            f"using the offline digits ({fallback_size}×{fallback_size}) instead"
        )
        warnings.warn(note, stacklevel=3)
        split = load_digits_split(size=fallback_size, channels=fallback_channels)
        if limit is not None:
            split = DatasetSplit(
                TensorDataset(*(t[:limit] for t in split.train.tensors)),
                TensorDataset(*(t[:limit] for t in split.test.tensors)),
                split.classes,
                split.name,
            )
        return DatasetSplit(split.train, split.test, split.classes, split.name, note)
    train, test = loaded
    train_x, train_y = _to_tensors(train, limit)
    test_x, test_y = _to_tensors(test, limit)
    mean = train_x.mean(dim=(0, 2, 3), keepdim=True)
    std = train_x.std(dim=(0, 2, 3), keepdim=True)
    return DatasetSplit(
        TensorDataset((train_x - mean) / std, train_y),
        TensorDataset((test_x - mean) / std, test_y),
        tuple(str(c) for c in train.classes),
        kind,
    )


def load_mnist(
    root: str | Path = "~/.cache/vizkit/data",
    *,
    download: bool = True,
    limit: int | None = None,
    fallback: bool = True,
) -> DatasetSplit:
    """MNIST through torchvision, or the offline digits when it cannot be had.

    Args:
        root: Folder holding (or receiving) the torchvision files; ``~`` is expanded.
        download: Let torchvision download when the files are not in ``root``.
        limit: Keep only the first ``limit`` images of each split (quick runs).
        fallback: On failure, warn in one line and return :func:`load_digits_split` at
            28×28 (``note`` says so). ``False`` re-raises torchvision's error.

    Returns:
        A :class:`DatasetSplit`, images ``(N, 1, 28, 28)`` standardised.

    Raises:
        TypeError, ValueError: an argument of the wrong kind or value (``limit`` < 1 …).
        OSError, RuntimeError, URLError: Only with ``fallback=False``.
    """
    return _torchvision_split("mnist", root, download, limit, 1, 28, fallback)


def load_cifar10(
    root: str | Path = "~/.cache/vizkit/data",
    *,
    download: bool = True,
    limit: int | None = None,
    fallback: bool = True,
) -> DatasetSplit:
    """CIFAR-10 through torchvision, or the offline digits (as RGB, 32×32) when it cannot be had.

    Args:
        root: Folder holding (or receiving) the torchvision files; ``~`` is expanded.
        download: Let torchvision download when the files are not in ``root``.
        limit: Keep only the first ``limit`` images of each split.
        fallback: On failure, warn in one line and return the digits as 3-channel 32×32
            images (``note`` says so). ``False`` re-raises torchvision's error.

    Returns:
        A :class:`DatasetSplit`, images ``(N, 3, 32, 32)`` standardised per channel.

    Raises:
        TypeError, ValueError: an argument of the wrong kind or value (``limit`` < 1 …).
        OSError, RuntimeError, URLError: Only with ``fallback=False``.
    """
    return _torchvision_split("cifar10", root, download, limit, 3, 32, fallback)
