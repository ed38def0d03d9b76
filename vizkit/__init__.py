"""vizkit: interactive, PyTorch-verified visualisations that teach convolutional networks.

One namespace for notebooks: every function, figure and widget a notebook calls is
``vk.<name>`` (``import vizkit as vk``), or one level down for a whole topic (``vk.dip.denoise``,
``vk.train.train_digits``, ``vk.zoo.vgg16``, ``vk.exercises.make``). The pure arithmetic
(:mod:`vizkit.geometry`) is imported eagerly; everything heavier (numpy traces, torch, plotly
figures, widgets) on first use, so ``import vizkit`` is instant and loads neither torch nor
plotly.

Quick taste:
    >>> import vizkit as vk
    >>> vk.conv_output_size(5, 3, stride=2, padding=1)
    3
    >>> vk.conv_output_size((224, 224), 7, stride=2, padding=3)
    (112, 112)
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from vizkit._lazy import lazy_exports
from vizkit.geometry import (
    ConvGeometry,
    ConvTransposeGeometry,
    GeometryError,
    PoolGeometry,
    ReceptiveField,
    Window,
    conv_macs,
    conv_output_size,
    conv_params,
    conv_transpose_output_size,
    pool_output_size,
    receptive_field_chain,
    same_padding,
)
from vizkit.quick import is_quick, quick_or_full

if TYPE_CHECKING:
    from vizkit import (
        data,
        demos,
        device,
        dip,
        exercises,
        inspect,
        lectures,
        render,
        summary,
        train,
        zoo,
    )
    from vizkit.data import (
        image_to_tensor,
        load_digits_split,
        load_image,
        natural_image,
        natural_images,
        tensor_to_image,
    )
    from vizkit.demos import (
        NORMALIZATIONS,
        Recipe,
        batchnorm_trace,
        bias_before_bn,
        bn_placement,
        check_relationships,
        cliff_descent,
        clip_comparison,
        clip_scopes,
        compare_recipes,
        crop_accuracy,
        cudnn_benchmark,
        dropout_masks,
        ensemble_accuracy,
        gabor_bank,
        ica_filters,
        normalization_sets,
        normalization_sets_by_kind,
        relu_vs_tanh,
        sgd_update_check,
        train_ensemble,
    )
    from vizkit.device import (
        describe_device,
        determinism_report,
        memory_layout,
        pick_device,
        time_memory_formats,
    )
    from vizkit.exercises.widget import Quiz
    from vizkit.inspect import (
        capture_activations,
        feature_maps,
        filter_evolution,
        filter_grid,
        grad_cam,
        gradient_receptive_field,
        maximize_activation,
        saliency_map,
        top_patches,
    )
    from vizkit.lectures import ClaimTable, recompute_claims
    from vizkit.render.activations import (
        attribution_figure,
        feature_maps_figure,
        maximization_figure,
        top_patches_figure,
    )
    from vizkit.render.architecture import architecture_figure, layer_bars_figure
    from vizkit.render.claims import (
        claims_summary_figure,
        claims_table_figure,
        seed_errors_figure,
    )
    from vizkit.render.comparison import training_comparison_figure
    from vizkit.render.conv import conv_animation
    from vizkit.render.conv1d import continuous_conv_animation, sample_convolution
    from vizkit.render.correlation import conv_vs_xcorr_animation, correlation_check
    from vizkit.render.dip import (
        dip_images_figure,
        dip_results_figure,
        psnr_curve_figure,
        snapshots_figure,
    )
    from vizkit.render.filters import (
        filter_banks_figure,
        filter_evolution_figure,
        filter_grid_figure,
    )
    from vizkit.render.history import accuracy_bubble_figure, ilsvrc_history_figure
    from vizkit.render.invariance import (
        pooling_invariance_figure,
        pooling_shift_animation,
        shift_equivariance_figure,
    )
    from vizkit.render.kernel_gallery import kernel_gallery_figure, padding_modes_figure
    from vizkit.render.memory_layout import memory_layout_figure
    from vizkit.render.normalization import (
        batchnorm_figure,
        batchnorm_modes_figure,
        normalization_axes_figure,
    )
    from vizkit.render.pool import max_pool_backward_figure, pool_animation
    from vizkit.render.receptive_field import field_box, receptive_field_figure
    from vizkit.render.recipes import (
        activation_speed_figure,
        cliff_figure,
        clip_scopes_figure,
        recipe_curves_figure,
        sgd_check_figure,
    )
    from vizkit.render.regularization import dropout_masks_figure, gradient_clipping_figure
    from vizkit.render.theme import current_theme
    from vizkit.render.transpose import transposed_animation
    from vizkit.sliding import (
        conv1d_trace,
        conv2d_trace,
        conv_transpose2d_trace,
        max_pool2d_backward,
        pool2d_trace,
    )
    from vizkit.sliding.kernels import classic_kernels, gabor
    from vizkit.summary import LayerTable, receptive_field, summarize
    from vizkit.train.deepnets import DeepDigitsNet, NetConfig, compare_training
    from vizkit.widgets import (
        ActivationExplorer,
        ArchitecturePicker,
        ConvExplorer,
        DIPComparePanel,
        DIPPanel,
        FilterExplorer,
        KernelPlayground,
        MaskEditor,
        OutputSizeCalculator,
        PoolExplorer,
        Stepper,
        TrainingMonitor,
        TransposedConvExplorer,
    )
    from vizkit.widgets.theme import theme
    from vizkit.zoo import accuracy_table, published
    from vizkit.zoo.choice import Subject, pretrained_or, transform_images
    from vizkit.zoo.pretrained import load_pretrained

__version__ = "0.1.0"


def _group(module: str, *names: str) -> dict[str, str]:
    return dict.fromkeys(names, module)


# Public name → module that defines it, imported on first attribute access.
_NAMES: dict[str, str] = {
    # topics one level down: vk.dip.denoise, vk.train.fit, vk.zoo.vgg16, vk.exercises.make …
    **{sub: f"vizkit.{sub}" for sub in (
        "data", "demos", "device", "dip", "exercises", "inspect", "lectures", "render",
        "summary", "train", "zoo",
    )},
    **_group("vizkit.sliding", "conv1d_trace", "conv2d_trace", "conv_transpose2d_trace",
             "pool2d_trace", "max_pool2d_backward"),
    **_group("vizkit.sliding.kernels", "classic_kernels", "gabor"),
    **_group("vizkit.summary", "summarize", "receptive_field", "LayerTable"),
    **_group("vizkit.inspect", "capture_activations", "feature_maps", "filter_grid",
             "filter_evolution", "gradient_receptive_field", "grad_cam", "saliency_map",
             "maximize_activation", "top_patches"),
    **_group("vizkit.demos", "NORMALIZATIONS", "batchnorm_trace", "check_relationships",
             "clip_comparison", "dropout_masks", "gabor_bank", "ica_filters",
             "normalization_sets", "normalization_sets_by_kind"),
    **_group("vizkit.demos", "Recipe", "compare_recipes", "sgd_update_check",
             "crop_accuracy", "ensemble_accuracy", "relu_vs_tanh", "clip_scopes",
             "cliff_descent", "bias_before_bn", "bn_placement", "cudnn_benchmark",
             "train_ensemble"),
    **_group("vizkit.device", "describe_device", "pick_device", "determinism_report",
             "time_memory_formats", "memory_layout"),
    **_group("vizkit.data", "image_to_tensor", "tensor_to_image", "load_image",
             "natural_image", "natural_images", "load_digits_split"),
    **_group("vizkit.zoo.published", "published", "accuracy_table"),
    **_group("vizkit.zoo.choice", "Subject", "pretrained_or", "transform_images"),
    **_group("vizkit.zoo.pretrained", "load_pretrained"),
    **_group("vizkit.train.deepnets", "DeepDigitsNet", "NetConfig", "compare_training"),
    **_group("vizkit.exercises.widget", "Quiz"),
    # every number the lecture notes state, recomputed with torch
    **_group("vizkit.lectures", "recompute_claims", "ClaimTable"),
    # figures (plotly)
    **_group("vizkit.render.conv", "conv_animation"),
    **_group("vizkit.render.claims", "claims_summary_figure", "claims_table_figure",
             "seed_errors_figure"),
    **_group("vizkit.render.conv1d", "continuous_conv_animation", "sample_convolution"),
    **_group("vizkit.render.correlation", "conv_vs_xcorr_animation", "correlation_check"),
    **_group("vizkit.render.kernel_gallery", "kernel_gallery_figure", "padding_modes_figure"),
    **_group("vizkit.render.memory_layout", "memory_layout_figure"),
    **_group("vizkit.render.transpose", "transposed_animation"),
    **_group("vizkit.render.pool", "pool_animation", "max_pool_backward_figure"),
    **_group("vizkit.render.architecture", "architecture_figure", "layer_bars_figure"),
    **_group("vizkit.render.history", "accuracy_bubble_figure", "ilsvrc_history_figure"),
    **_group("vizkit.render.invariance", "pooling_invariance_figure",
             "pooling_shift_animation", "shift_equivariance_figure"),
    **_group("vizkit.render.receptive_field", "field_box", "receptive_field_figure"),
    **_group("vizkit.render.recipes", "activation_speed_figure", "cliff_figure",
             "clip_scopes_figure", "recipe_curves_figure", "sgd_check_figure"),
    **_group("vizkit.render.normalization", "batchnorm_figure", "batchnorm_modes_figure",
             "normalization_axes_figure"),
    **_group("vizkit.render.regularization", "dropout_masks_figure",
             "gradient_clipping_figure"),
    **_group("vizkit.render.comparison", "training_comparison_figure"),
    **_group("vizkit.render.filters", "filter_banks_figure", "filter_evolution_figure",
             "filter_grid_figure"),
    **_group("vizkit.render.activations", "attribution_figure", "feature_maps_figure",
             "maximization_figure", "top_patches_figure"),
    **_group("vizkit.render.dip", "dip_images_figure", "dip_results_figure",
             "psnr_curve_figure", "snapshots_figure"),
    # widgets (ipywidgets)
    **_group("vizkit.widgets", "ActivationExplorer", "ArchitecturePicker", "ConvExplorer",
             "DIPComparePanel", "DIPPanel", "FilterExplorer", "KernelPlayground", "MaskEditor",
             "OutputSizeCalculator", "PoolExplorer", "Stepper", "TrainingMonitor",
             "TransposedConvExplorer"),
    # lecture mode: the projector theme (figures + widgets) and the theme figures use now
    **_group("vizkit.widgets.theme", "theme"),
    **_group("vizkit.render.theme", "current_theme"),
}  # fmt: skip

__all__ = sorted(
    [
        "ConvGeometry",
        "ConvTransposeGeometry",
        "GeometryError",
        "PoolGeometry",
        "ReceptiveField",
        "Window",
        "conv_macs",
        "conv_output_size",
        "conv_params",
        "conv_transpose_output_size",
        "is_quick",
        "pool_output_size",
        "quick_or_full",
        "receptive_field_chain",
        "same_padding",
        *_NAMES,
    ]
)
__getattr__, __dir__ = lazy_exports(__name__, globals(), _NAMES)
