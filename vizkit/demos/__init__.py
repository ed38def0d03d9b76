"""Lecture demos: one torch experiment per lecture point, inspecting no particular model.

- :mod:`~vizkit.demos.batchnorm`: BatchNorm's batch statistics by hand beside ``nn.BatchNorm2d``;
- :mod:`~vizkit.demos.normalization`: which values Batch/Layer/Instance/GroupNorm average;
- :mod:`~vizkit.demos.dropout`: ``Dropout`` vs ``Dropout2d`` masks;
- :mod:`~vizkit.demos.clipping`: gradient clipping by norm vs by value;
- :mod:`~vizkit.demos.relationships`: Dumoulin & Visin's 15 relationships vs real layers;
- :mod:`~vizkit.demos.ica`: first-layer-like filters without training (ICA, Gabor bank);
- :mod:`~vizkit.demos.factorization`: Inception-v3's factorised filters, grid reduction, Table 1;
- :mod:`~vizkit.demos.residual`: residual blocks, shortcuts, GoogLeNet's auxiliary heads;
- :mod:`~vizkit.demos.classics`: All-CNN variants, ZFNet vs AlexNet;
- :mod:`~vizkit.demos.dense_eval`: VGG's fully connected layers as convolutions;
- :mod:`~vizkit.demos.equivariance`: shift equivariance of convolution, invariance of pooling;
- :mod:`~vizkit.demos.locally_connected`: unshared filters vs a convolution;
- :mod:`~vizkit.demos.lrn`: local response normalisation vs ``nn.LocalResponseNorm``;
- :mod:`~vizkit.demos.recipes`: the classics' training recipes (÷10, crops, smoothing, BN);
- :mod:`~vizkit.demos.sgd`: the notes' SGD update beside ``torch.optim.SGD``;
- :mod:`~vizkit.demos.augment`: random crops and flips, 10-crop/144-crop tests, ensembles;
- :mod:`~vizkit.demos.activations_speed`: ReLU vs tanh, steps to a training error;
- :mod:`~vizkit.demos.bn_block`: the bias before BN cancels; where BN goes in a block;
- :mod:`~vizkit.demos.cliff`: the exploding-gradient cliff, with and without clipping;
- :mod:`~vizkit.demos.cudnn`: ``cudnn.benchmark`` timed (or explained without a GPU).

Each returns data (numpy arrays, dataclasses) that :mod:`vizkit.render` draws.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from vizkit._lazy import lazy_exports

if TYPE_CHECKING:
    from vizkit.demos.activations_speed import ActivationSpeed, relu_vs_tanh
    from vizkit.demos.augment import (
        CROP_KINDS,
        EnsembleResult,
        center_crop,
        crop_accuracies,
        crop_accuracy,
        ensemble_accuracy,
        eval_crops,
        multi_crop_count,
        random_crop_flip,
    )
    from vizkit.demos.batchnorm import BatchNormTrace, batchnorm_trace
    from vizkit.demos.bn_block import BiasBeforeBN, BNPlacement, bias_before_bn, bn_placement
    from vizkit.demos.classics import allconv_variants, zfnet_vs_alexnet
    from vizkit.demos.cliff import CliffDescent, cliff_descent, cliff_loss
    from vizkit.demos.clipping import ClipScopes, GradientClipping, clip_comparison, clip_scopes
    from vizkit.demos.cudnn import CudnnBenchmark, cudnn_benchmark
    from vizkit.demos.dense_eval import dense_evaluation, fc_to_conv
    from vizkit.demos.dropout import DropoutMasks, dropout_masks
    from vizkit.demos.equivariance import pooling_invariance, shift_equivariance
    from vizkit.demos.factorization import (
        factorization_costs,
        grid_reduction_costs,
        inception_modules,
        inception_v3_walk,
    )
    from vizkit.demos.ica import GaborBank, ICAFilters, gabor_bank, ica_filters, sample_patches
    from vizkit.demos.locally_connected import (
        LocallyConnected2d,
        locally_connected_costs,
        position_dependent_fit,
    )
    from vizkit.demos.lrn import local_response_norm, lrn_check
    from vizkit.demos.normalization import (
        NORMALIZATIONS,
        normalization_sets,
        normalization_sets_by_kind,
        normalize_by_sets,
    )
    from vizkit.demos.recipes import (
        Recipe,
        RecipeRun,
        compare_recipes,
        small_cnn,
        train_ensemble,
        train_recipe,
    )
    from vizkit.demos.relationships import RelationshipTable, check_relationships
    from vizkit.demos.residual import (
        PreActBlock,
        ZeroPadShortcut,
        auxiliary_heads,
        block_costs,
        identity_check,
        shortcut_costs,
    )
    from vizkit.demos.sgd import SGDCheck, sgd_update_check

_NAMES = {
    "BatchNormTrace": ".batchnorm", "batchnorm_trace": ".batchnorm",
    "GradientClipping": ".clipping", "clip_comparison": ".clipping",
    "DropoutMasks": ".dropout", "dropout_masks": ".dropout",
    "GaborBank": ".ica", "ICAFilters": ".ica", "gabor_bank": ".ica", "ica_filters": ".ica",
    "sample_patches": ".ica",
    "NORMALIZATIONS": ".normalization", "normalization_sets": ".normalization",
    "normalize_by_sets": ".normalization", "normalization_sets_by_kind": ".normalization",
    "RelationshipTable": ".relationships", "check_relationships": ".relationships",
    # training the classics (notebook 11)
    "CliffDescent": ".cliff", "cliff_descent": ".cliff", "cliff_loss": ".cliff",
    "ClipScopes": ".clipping", "clip_scopes": ".clipping",
    "Recipe": ".recipes", "RecipeRun": ".recipes", "compare_recipes": ".recipes",
    "small_cnn": ".recipes", "SGDCheck": ".sgd", "sgd_update_check": ".sgd",
    "train_ensemble": ".recipes", "train_recipe": ".recipes",
    "CROP_KINDS": ".augment", "EnsembleResult": ".augment", "center_crop": ".augment",
    "crop_accuracies": ".augment", "crop_accuracy": ".augment",
    "ensemble_accuracy": ".augment", "eval_crops": ".augment",
    "multi_crop_count": ".augment", "random_crop_flip": ".augment",
    "ActivationSpeed": ".activations_speed", "relu_vs_tanh": ".activations_speed",
    "BiasBeforeBN": ".bn_block", "BNPlacement": ".bn_block", "bias_before_bn": ".bn_block",
    "bn_placement": ".bn_block",
    "CudnnBenchmark": ".cudnn", "cudnn_benchmark": ".cudnn",
    # architectures up close (notebook 10)
    "allconv_variants": ".classics", "zfnet_vs_alexnet": ".classics",
    "dense_evaluation": ".dense_eval", "fc_to_conv": ".dense_eval",
    "pooling_invariance": ".equivariance", "shift_equivariance": ".equivariance",
    "factorization_costs": ".factorization", "grid_reduction_costs": ".factorization",
    "inception_modules": ".factorization", "inception_v3_walk": ".factorization",
    "LocallyConnected2d": ".locally_connected",
    "locally_connected_costs": ".locally_connected",
    "position_dependent_fit": ".locally_connected",
    "local_response_norm": ".lrn", "lrn_check": ".lrn",
    "PreActBlock": ".residual", "ZeroPadShortcut": ".residual", "auxiliary_heads": ".residual",
    "block_costs": ".residual", "identity_check": ".residual", "shortcut_costs": ".residual",
}  # fmt: skip

__all__ = sorted(_NAMES)
__getattr__, __dir__ = lazy_exports(__name__, globals(), _NAMES)
