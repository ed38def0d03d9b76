"""The classics' training recipes, live on the offline digits: SGD, ÷10 on plateaus, crops.

AlexNet (Krizhevsky et al. 2012) and VGG (Simonyan & Zisserman 2014) trained with SGD,
momentum 0.9 and weight decay 0.0005, the learning rate divided by 10 whenever the validation
error stopped improving, on random 224×224 crops (and their mirror images) of 256×256 images;
Inception v3 (Szegedy et al. 2015) added label smoothing (α = 0.1). Straka's NPFL138 notes
write AlexNet's update as

    v ← 0.9·v − α·∂L/∂θ − 0.0005·α·θ,      θ ← θ + v.

(:func:`vizkit.demos.sgd.sgd_update_check` checks that update against ``torch.optim.SGD``.)

- :class:`Recipe` names one recipe; :func:`train_recipe` trains a small all-convolutional CNN
  on the digits with it (random crops of ``crop`` pixels out of the full image, mirror images,
  ``ReduceLROnPlateau``, label smoothing) in :func:`vizkit.train.fit` — the one training loop,
  with its progress bar and Stop button — and :func:`compare_recipes` runs several with the
  same seed.

Each returns data that :mod:`vizkit.render.recipes` draws.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
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
    check_number,
    check_optional_int,
    check_seed,
    check_sequence,
    check_str,
)
from vizkit.demos.augment import center_crop, random_crop_flip
from vizkit.train.loop import Callback, TrainResult, fit

__all__ = [
    "Recipe",
    "RecipeRun",
    "compare_recipes",
    "small_cnn",
    "train_ensemble",
    "train_recipe",
]

_CUT_SHORT = ("stopped", "interrupted")
"""Stop reasons after which :func:`compare_recipes` and :func:`train_ensemble` train no more."""

Activation = Literal["relu", "tanh"]
OptimizerName = Literal["sgd", "adam"]


# --- recipes ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Recipe:
    """One training recipe, validated once.

    Attributes:
        name: Label in tables and legends.
        optimizer: ``"sgd"`` (momentum, weight decay as torch's ``SGD``) or ``"adam"``.
        lr: Initial learning rate.
        momentum: SGD momentum μ in ``[0, 1)``.
        weight_decay: L2 strength λ ≥ 0.
        plateau: Divide the learning rate by 10 when the validation loss stops improving
            (``ReduceLROnPlateau(factor=0.1, patience=patience)``).
        patience: Epochs without improvement before a ÷10.
        crop: Train on random ``crop × crop`` patches (AlexNet: 224 of 256) and test on the
            centre patch; ``None``: whole images.
        flip: Mirror each training image left–right with probability ½.
        label_smoothing: ``α`` of ``nn.CrossEntropyLoss(label_smoothing=α)``, in ``[0, 1)``.
        activation: ``"relu"`` or ``"tanh"`` in the CNN.
        batchnorm: ``conv (no bias) → BatchNorm → activation`` in every block (BN-Inception's
            change, which allowed its 5× and 30× larger learning rates).
    """

    name: str
    optimizer: OptimizerName = "sgd"
    lr: float = 0.05
    momentum: float = 0.9
    weight_decay: float = 0.0005
    plateau: bool = False
    patience: int = 1
    crop: int | None = None
    flip: bool = False
    label_smoothing: float = 0.0
    activation: Activation = "relu"
    batchnorm: bool = False

    def __post_init__(self) -> None:
        check_str("name", self.name)
        check_choice("optimizer", self.optimizer, ("sgd", "adam"))
        check_number("lr", self.lr, above=0.0, maximum=10.0)
        check_number("momentum", self.momentum, minimum=0.0, below=1.0)
        check_number("weight_decay", self.weight_decay, minimum=0.0, maximum=1.0)
        check_bool("plateau", self.plateau)
        check_int("patience", self.patience, minimum=0, maximum=1000)
        check_optional_int(
            "crop", self.crop, minimum=4, maximum=512, fix="crop is a side length in pixels"
        )
        check_bool("flip", self.flip)
        check_number(
            "label_smoothing", self.label_smoothing, minimum=0.0, below=1.0, fix="use e.g. 0.1"
        )
        check_choice("activation", self.activation, ("relu", "tanh"))
        check_bool("batchnorm", self.batchnorm)


@dataclass
class RecipeRun:
    """One recipe's training run.

    Attributes:
        recipe: The :class:`Recipe`.
        model: The trained model (eval mode, final weights).
        epochs: ``1…E``.
        train_losses: Mean training loss of each epoch.
        test_losses: Test cross-entropy (no smoothing) after each epoch.
        test_accuracies: Test accuracy (0–1) after each epoch, on centre crops.
        lrs: Learning rate used in each epoch (at its first step).
        seconds: Wall-clock seconds of training.
        stop_reason: Why training ended (:class:`vizkit.train.TrainResult`'s reason:
            ``"epochs"`` when it ran to the end, ``"stopped"``/``"interrupted"`` when cut short;
            the last epoch's numbers are then those of the partial epoch).
    """

    recipe: Recipe
    model: nn.Module
    epochs: list[int] = field(default_factory=list)
    train_losses: list[float] = field(default_factory=list)
    test_losses: list[float] = field(default_factory=list)
    test_accuracies: list[float] = field(default_factory=list)
    lrs: list[float] = field(default_factory=list)
    seconds: float = 0.0
    stop_reason: str = ""

    @property
    def final_accuracy(self) -> float:
        """Test accuracy after the last epoch (``nan`` when stopped before the first step)."""
        return self.test_accuracies[-1] if self.test_accuracies else math.nan


def small_cnn(
    *,
    in_channels: int = 1,
    width: int = 8,
    activation: Activation = "relu",
    batchnorm: bool = False,
    seed: int = 0,
) -> nn.Sequential:
    """A small CNN that accepts any input size ≥ 8: three 3×3 conv blocks, then an adaptive
    average pool to 4×4 (so a 28-pixel crop and a 32-pixel image both fit).

    ``conv(w) → act → maxpool → conv(2w) → act → maxpool → conv(2w) → act → avgpool(4×4) →
    linear(10)``; with ``batchnorm`` every ``conv → act`` becomes ``conv (no bias) → BN → act``.

    Args:
        in_channels: Input channels.
        width: Filters of the first conv.
        activation: ``"relu"`` or ``"tanh"``.
        batchnorm: Put a ``BatchNorm2d`` between every conv and its activation.
        seed: Seeds the initial weights (same seed, same conv weights for both activations).

    Returns:
        The ``nn.Sequential``.
    """
    in_channels = check_int("in_channels", in_channels, minimum=1, maximum=64)
    width = check_int("width", width, minimum=1, maximum=256)
    check_choice("activation", activation, ("relu", "tanh"))
    batchnorm = check_bool("batchnorm", batchnorm)
    seed = check_seed(seed)
    act = nn.ReLU if activation == "relu" else nn.Tanh

    def block(cin: int, cout: int) -> list[nn.Module]:
        conv = nn.Conv2d(cin, cout, 3, padding=1, bias=not batchnorm)
        return [conv, nn.BatchNorm2d(cout), act()] if batchnorm else [conv, act()]

    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        return nn.Sequential(
            *block(in_channels, width),
            nn.MaxPool2d(2),
            *block(width, 2 * width),
            nn.MaxPool2d(2),
            *block(2 * width, 2 * width),
            nn.AdaptiveAvgPool2d(4),
            nn.Flatten(),
            nn.Linear(2 * width * 16, 10),
        )


def _check_split(name: str, split: object) -> tuple[TensorDataset, TensorDataset]:
    if not (
        hasattr(split, "train")
        and hasattr(split, "test")
        and isinstance(split.train, TensorDataset)
        and isinstance(split.test, TensorDataset)
    ):
        from vizkit._validate import describe

        raise TypeError(
            f"{name} must be a DatasetSplit (train/test TensorDatasets), got {describe(split)}: "
            "pass vk.load_digits_split(size=32)"
        )
    x = split.train.tensors[0]
    if x.dim() != 4 or x.shape[-1] < 8 or x.shape[-2] < 8:
        raise ValueError(f"{name} images must be (N, C, H, W) with H, W ≥ 8, got {tuple(x.shape)}")
    return split.train, split.test


def train_recipe(
    recipe: Recipe,
    split: object,
    *,
    epochs: int = 10,
    batch_size: int = 64,
    width: int = 8,
    seed: int = 0,
    progress: bool = True,
    callbacks: Sequence[Callback] = (),
) -> RecipeRun:
    """Train :func:`small_cnn` on ``split`` with ``recipe``; evaluate after every epoch.

    The training runs in :func:`vizkit.train.fit` (one CPU thread, one evaluation per epoch on
    the centre crops, the recipe's optimiser, scheduler, loss and crops/flips), so a Stop
    button (:class:`vizkit.train.StopRequest`) or Jupyter's ■ ends it after the current step
    and the run so far comes back (``stop_reason`` says why).

    Args:
        recipe: A :class:`Recipe`.
        split: A :class:`vizkit.data.DatasetSplit` (e.g. ``vk.load_digits_split(size=32)``).
        epochs: Passes over the training set (1…1,000).
        batch_size: Images per step.
        width: Filters of the CNN's first layer.
        seed: Seeds weights, batch order and augmentation: same seed, same run.
        progress: Show a ``tqdm.auto`` bar over the steps, labelled with the recipe's name.
        callbacks: :class:`vizkit.train.Callback` objects for the loop (a live plot, a Stop
            button's :class:`~vizkit.train.StopRequest`).

    Returns:
        A :class:`RecipeRun`.

    Raises:
        TypeError: ``recipe`` not a :class:`Recipe`, ``split`` not a split, or an option of
            the wrong kind.
        ValueError: ``epochs``/``batch_size``/``width`` out of range, or ``recipe.crop``
            larger than the images.
    """
    check_instance("recipe", recipe, Recipe, "a vizkit.demos.Recipe", "e.g. Recipe('baseline')")
    train, test = _check_split("split", split)
    epochs = check_int("epochs", epochs, minimum=1, maximum=1000)
    batch_size = check_int("batch_size", batch_size, minimum=1, maximum=100_000)
    width = check_int("width", width, minimum=1, maximum=256)
    seed = check_seed(seed)
    progress = check_bool("progress", progress)
    x_train, _ = train.tensors
    side = min(x_train.shape[-2:])
    if recipe.crop is not None and recipe.crop > side:
        raise ValueError(
            f"recipe.crop {recipe.crop} is larger than the {side}-pixel images: use a crop "
            f"below {side} (AlexNet: 224 of 256, i.e. 7/8 of the side)"
        )
    model = small_cnn(
        in_channels=x_train.shape[1],
        width=width,
        activation=recipe.activation,
        batchnorm=recipe.batchnorm,
        seed=seed,
    )
    if recipe.optimizer == "sgd":
        opt: torch.optim.Optimizer = torch.optim.SGD(
            model.parameters(), lr=recipe.lr, momentum=recipe.momentum,
            weight_decay=recipe.weight_decay,
        )  # fmt: skip
    else:
        opt = torch.optim.Adam(model.parameters(), lr=recipe.lr, weight_decay=recipe.weight_decay)
    scheduler = (
        torch.optim.lr_scheduler.ReduceLROnPlateau(opt, factor=0.1, patience=recipe.patience)
        if recipe.plateau
        else None
    )
    transform = None
    if recipe.crop is not None or recipe.flip:
        size, flip = recipe.crop or side, recipe.flip

        def transform(x: torch.Tensor, y: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
            return random_crop_flip(x, size, flip=flip), y  # torch's RNG, seeded by fit

    x_test, y_test = test.tensors
    if recipe.crop is not None:
        x_test = center_crop(x_test, recipe.crop)
    steps_per_epoch = math.ceil(len(x_train) / batch_size)
    result = fit(
        model, train, val=TensorDataset(x_test, y_test), epochs=epochs, batch_size=batch_size,
        optimizer=opt, scheduler=scheduler,
        loss_fn=nn.CrossEntropyLoss(label_smoothing=recipe.label_smoothing),
        batch_transform=transform, eval_every=steps_per_epoch, callbacks=callbacks, seed=seed,
        device="cpu", progress=recipe.name if progress else False, restore_best=False,
        cpu_threads=1,
    )  # fmt: skip
    model.eval()
    return _recipe_run(recipe, result, steps_per_epoch)


def _recipe_run(recipe: Recipe, result: TrainResult, steps_per_epoch: int) -> RecipeRun:
    """Per-epoch numbers from :func:`fit`'s per-step history (the last epoch may be partial)."""
    h = result.history
    run = RecipeRun(recipe=recipe, model=result.model, seconds=result.seconds)
    run.stop_reason = result.stop_reason
    for step, loss, acc in zip(h.eval_steps, h.eval_losses, h.eval_accuracies, strict=True):
        if step == 0:  # stopped before the first step: nothing trained
            continue
        epoch = math.ceil(step / steps_per_epoch)
        first = (epoch - 1) * steps_per_epoch
        run.epochs.append(epoch)
        run.train_losses.append(float(np.mean(h.losses[first:step])))
        run.test_losses.append(loss)
        run.test_accuracies.append(acc)
        run.lrs.append(h.lrs[first])
    return run


def compare_recipes(
    recipes: Sequence[Recipe],
    split: object,
    *,
    epochs: int = 10,
    batch_size: int = 64,
    width: int = 8,
    seed: int = 0,
    progress: bool = True,
    callbacks: Sequence[Callback] = (),
) -> list[RecipeRun]:
    """:func:`train_recipe` for each recipe, same data, same seed (same initial weights).

    Args:
        recipes: One or more :class:`Recipe` (at most 20), with distinct names.
        split, epochs, batch_size, width, seed, progress, callbacks: As in
            :func:`train_recipe`.

    Returns:
        One :class:`RecipeRun` per recipe, in order; a run cut short by a Stop button or ■
        is the last one (the recipes after it are not trained).

    Raises:
        TypeError: ``recipes`` not a list of :class:`Recipe`.
        ValueError: an empty list, more than 20, repeated names, or a bad option.
    """
    items = check_sequence("recipes", recipes, what="Recipe objects")
    if not items or len(items) > 20:
        raise ValueError(f"recipes holds {len(items)} recipes: pass 1 to 20")
    for i, r in enumerate(items):
        check_instance(f"recipes[{i}]", r, Recipe, "a vizkit.demos.Recipe", "e.g. Recipe('sgd')")
    names = [r.name for r in items]
    if len(set(names)) != len(names):
        raise ValueError(f"recipes have repeated names {names}: give each a distinct name")
    _check_split("split", split)
    for name, value, top in (("epochs", epochs, 1000), ("batch_size", batch_size, 100_000)):
        check_int(name, value, minimum=1, maximum=top)
    check_int("width", width, minimum=1, maximum=256)
    check_seed(seed)
    check_bool("progress", progress)
    runs: list[RecipeRun] = []
    for r in items:
        runs.append(
            train_recipe(
                r, split, epochs=epochs, batch_size=batch_size, width=width, seed=seed,
                progress=progress, callbacks=callbacks,
            )
        )  # fmt: skip
        if runs[-1].stop_reason in _CUT_SHORT:
            break
    return runs


def train_ensemble(
    recipe: Recipe,
    split: object,
    *,
    members: int = 3,
    epochs: int = 10,
    batch_size: int = 64,
    width: int = 8,
    seed: int = 0,
    progress: bool = True,
    callbacks: Sequence[Callback] = (),
) -> list[RecipeRun]:
    """Train ``members`` independent copies of the same recipe (seeds ``seed, seed+1, …``).

    Different seeds give different initial weights, batch orders and crops — the ensembles of
    AlexNet (5 + 2 nets), VGG (2) and GoogLeNet (7) were such independently trained models.

    Args:
        recipe: A :class:`Recipe`.
        split: A :class:`vizkit.data.DatasetSplit`.
        members: Models to train (2…20).
        epochs, batch_size, width, seed, progress, callbacks: As in :func:`train_recipe`.

    Returns:
        One :class:`RecipeRun` per member (``[r.model for r in runs]`` are the models); a
        run cut short by a Stop button or ■ is the last one.

    Raises:
        TypeError, ValueError: As :func:`train_recipe`, or ``members`` outside 2…20.
    """
    check_instance("recipe", recipe, Recipe, "a vizkit.demos.Recipe", "e.g. Recipe('sgd')")
    members = check_int("members", members, minimum=2, maximum=20)
    seed = check_seed(seed)
    runs: list[RecipeRun] = []
    for k in range(members):
        runs.append(
            train_recipe(
                recipe, split, epochs=epochs, batch_size=batch_size, width=width,
                seed=seed + k, progress=progress, callbacks=callbacks,
            )
        )  # fmt: skip
        if runs[-1].stop_reason in _CUT_SHORT:
            break
    return runs
