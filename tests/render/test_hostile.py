"""Every public figure function refuses hostile arguments with a TypeError/ValueError naming
the parameter (not an AttributeError from inside plotly), quickly and within the budget."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest
from hypothesis import strategies as st

from tests.hostile import Entry, bad_array, bad_bool, bad_choice, bad_int, bad_number, hostile_test
from vizkit.render import (
    activations,
    architecture,
    comparison,
    conv,
    conv1d,
    correlation,
    dip,
    filters,
    history,
    kernel_gallery,
    memory_layout,
    normalization,
    pool,
    receptive_field,
    regularization,
    training,
    transpose,
)
from vizkit.sliding import conv2d_trace, conv_transpose2d_trace, pool2d_trace

pytestmark = pytest.mark.usefixtures("torch_one_thread")

NOT_DATA = st.sampled_from([None, "trace", 3, [1, 2], {"a": 1}, np.zeros(3)])
STEPS = st.sampled_from([[99], [-1], "0", [0.5], [], 3, [None]])
TITLES = st.sampled_from([3, ["t"], b"title"])


def _conv_trace():
    return conv2d_trace(np.arange(16.0).reshape(1, 4, 4), np.ones((1, 1, 3, 3)))


def _pool_trace():
    return pool2d_trace(np.arange(16.0).reshape(1, 4, 4), 2)


def _image() -> np.ndarray:
    return np.random.default_rng(0).random((8, 8, 3)).astype(np.float32)


def _maps() -> np.ndarray:
    return np.random.default_rng(0).random((4, 5, 5))


def _attribution():
    from vizkit.inspect.saliency import Attribution

    return Attribution(np.ones((8, 8), np.float32), 1, 0.5, 0.5, "saliency")


def _table():
    from vizkit import zoo
    from vizkit.summary import summarize

    return summarize(zoo.lenet5(), (1, 32, 32))


def _run():
    from vizkit.train import TrainHistory

    return SimpleNamespace(label="a", history=TrainHistory([1, 2], [1.0, 0.5], [2], [0.4], [0.9]))


def _filter_grid():
    from vizkit.inspect import filter_grid

    return filter_grid(np.ones((2, 1, 3, 3)) if False else __import__("torch").ones(2, 1, 3, 3))


def _bn_trace():
    import torch

    from vizkit.demos import batchnorm_trace

    return batchnorm_trace([torch.randn(4, 2, 3, 3, generator=torch.Generator().manual_seed(0))])


def _masks():
    from vizkit.demos import dropout_masks

    return dropout_masks((2, 3, 4, 4))


def _clip():
    import torch
    from torch import nn

    from vizkit.demos import clip_comparison

    torch.manual_seed(0)
    model = nn.Linear(4, 3)
    return clip_comparison(
        model, torch.rand(5, 4), torch.tensor([0, 1, 2, 0, 1]), max_norm=1.0, clip_value=0.1
    )


def _layout():
    from vizkit.device import memory_layout as layout

    return layout((1, 2, 2, 2))


def _top():
    from vizkit.inspect.patches import TopPatches

    return TopPatches(
        "l", 0, np.zeros((2, 3, 3, 3), np.float32), np.ones(2), np.arange(2),
        np.zeros((2, 2), np.int64), np.zeros((2, 4), np.int64), (3, 3),
    )  # fmt: skip


def _maximization():
    from vizkit.inspect.maximize import Maximization

    return Maximization(_image(), [0.1, 0.2], True, None, "l", 0)


TABLE = {
    "feature_maps_figure": Entry(
        activations.feature_maps_figure,
        lambda: {"maps": _maps()},
        {
            "maps": bad_array((4, 5, 5), wrong_shapes=[(5, 5)], tensor_ok=True),
            "normalize": bad_choice(["per_map", "per_layer"]),
            "max_maps": bad_int(1),
            "title": TITLES,
        },
    ),
    "map_mosaic": Entry(
        activations.map_mosaic,
        lambda: {"maps": _maps()},
        {
            "maps": bad_array((4, 5, 5), tensor_ok=True),
            "normalize": bad_choice(["per_map", "per_layer"]),
            "ncols": bad_int(1, optional=True, huge=True),
        },
    ),
    "top_patches_figure": Entry(
        activations.top_patches_figure, lambda: {"top": _top()}, {"top": NOT_DATA, "title": TITLES}
    ),
    "attribution_figure": Entry(
        lambda image, attribution, **kw: activations.attribution_figure(image, attribution, **kw),
        lambda: {"image": _image(), "attribution": _attribution()},
        {
            "image": bad_array((8, 8, 3), wrong_shapes=[(4, 4, 3)], tensor_ok=True),
            "attribution": NOT_DATA,
            "classes": st.sampled_from(["cat", 3, [1]]),
            "opacity": bad_number(minimum=0.0, maximum=1.0),
        },
        names={"attribution": ("attributions",)},
    ),
    "maximization_figure": Entry(
        activations.maximization_figure, lambda: {"result": _maximization()}, {"result": NOT_DATA}
    ),
    "layer_bars_figure": Entry(
        architecture.layer_bars_figure,
        lambda: {"table": _table()},
        {
            "table": st.sampled_from([None, "t", 3, [1, 2]]),
            "metrics": st.sampled_from(["params", ["nonsense"], [3], []]),
            "skip_empty": bad_bool(),
            "title": TITLES,
        },
    ),
    "architecture_figure": Entry(
        architecture.architecture_figure,
        lambda: {"table": _table()},
        {"table": NOT_DATA, "hide_types": st.sampled_from(["ReLU", [3]]), "title": TITLES},
    ),
    "smooth": Entry(
        comparison.smooth,
        lambda: {"values": [1.0, 2.0], "window": 2},
        {
            "values": st.sampled_from(["12", None, [[1.0], [2.0, 3.0]], 3, ["a"]]),
            "window": bad_int(1),
        },
    ),
    "training_comparison_figure": Entry(
        comparison.training_comparison_figure,
        lambda: {"runs": [_run()]},
        {
            "runs": st.sampled_from([None, "runs", 3, [3], []]),
            "smoothing": bad_int(1, huge=True),
            "title": TITLES,
        },
    ),
    "conv_figure": Entry(
        conv.conv_figure,
        lambda: {"trace": _conv_trace()},
        {
            "trace": NOT_DATA,
            "step": st.one_of(bad_int(0), st.just(99)),
            "sample": st.one_of(bad_int(0), st.just(1)),
            "numbers": bad_bool().filter(lambda v: v is not None),  # None: decide by size
        },
    ),
    "conv_animation": Entry(
        conv.conv_animation,
        lambda: {"trace": _conv_trace()},
        {
            "trace": NOT_DATA,
            "steps": STEPS,
            "sample": st.one_of(bad_int(0), st.just(1)),
            "numbers": bad_bool().filter(lambda v: v is not None),
            "running_sum": bad_bool().filter(lambda v: v is not None),
        },
    ),
    "sample_convolution": Entry(
        conv1d.sample_convolution,
        lambda: {},
        {
            "x": st.sampled_from(["nonsense", 3, None, [1, 2]]),
            "w": st.sampled_from(["nonsense", 3, None]),
            "t_min": st.sampled_from([float("nan"), "a", 5.0, None]),
            "t_max": st.sampled_from([float("inf"), -5.0, "b"]),
            "samples": bad_int(2, huge=True),
        },
    ),
    "continuous_conv_animation": Entry(
        conv1d.continuous_conv_animation,
        lambda: {"samples": 21, "frames": 3},
        {
            "x": st.sampled_from(["nonsense", 3, None]),
            "t_min": st.sampled_from([float("nan"), 5.0]),
            "samples": bad_int(2, huge=True),
            "frames": bad_int(1, huge=True),
        },
    ),
    "correlation_check": Entry(
        correlation.correlation_check,
        lambda: {"x": np.arange(16.0).reshape(4, 4), "w": np.ones((3, 3))},
        {
            "x": st.sampled_from(
                [np.zeros((4, 4), np.complex64), "image", None, np.zeros((2, 4, 4))]
            ),
            "w": st.sampled_from([np.ones((9, 9)), "w", None, np.ones((2, 2, 2, 2, 2))]),
            "padding": st.sampled_from([-1, "sometimes", 2.5, None, 10**6]),
        },
        names={"w": ("kernel", "weight"), "x": ("input",)},
    ),
    "to_uint8": Entry(
        dip.to_uint8,
        lambda: {"image": _image()},
        {
            "image": bad_array((8, 8, 3), wrong_shapes=[(8, 8, 4)], tensor_ok=True).filter(
                lambda v: not isinstance(v, list)  # [[0.5]]: a 1×1 grey picture
            )
        },
    ),
    "dip_images_figure": Entry(
        dip.dip_images_figure,
        lambda: {"images": {"a": _image()}},
        {
            "images": st.sampled_from(
                [{}, [_image()], {"a": "x"}, {"a": np.zeros((8, 8, 4))}, None]
            ),
            "columns": bad_int(1, optional=True),
            "size": bad_int(16, huge=True),
            "title": TITLES,
        },
    ),
    "dip_results_figure": Entry(
        dip.dip_results_figure,
        lambda: {"results": {"a": SimpleNamespace(best_image=_image(), best_psnr=None)}},
        {
            "results": st.sampled_from([{}, [1], {"a": 3}, None, "r"]),
            "columns": bad_int(1, optional=True),
            "size": bad_int(16, huge=True),
        },
    ),
    "psnr_curve_figure": Entry(
        dip.psnr_curve_figure,
        lambda: {},
        {
            "history": st.sampled_from([3, "h", [3], None]),
            "reference_psnr": st.sampled_from([float("nan"), "30", [1]]),
            "title": TITLES,
        },
    ),
    "snapshots_figure": Entry(
        dip.snapshots_figure,
        lambda: {"snapshots": [SimpleNamespace(step=1, image=_image(), psnr=None)]},
        {"snapshots": st.sampled_from([[], [3], "s", None, 3]), "title": TITLES},
    ),
    "filter_grid_figure": Entry(
        filters.filter_grid_figure, lambda: {"grid": _filter_grid()}, {"grid": NOT_DATA}
    ),
    "filter_evolution_figure": Entry(
        filters.filter_evolution_figure,
        lambda: {"grids": [_filter_grid()], "steps": [0]},
        {
            "grids": st.sampled_from([[], [3], None, "g"]),
            "steps": st.sampled_from([[0, 1], [], "0", None, [0.5]]),
        },
    ),
    "filter_banks_figure": Entry(
        filters.filter_banks_figure,
        lambda: {"grids": {"a": _filter_grid()}},
        {"grids": st.sampled_from([{}, {"a": 3}, [1], None]), "title": TITLES},
    ),
    "accuracy_bubble_figure": Entry(
        history.accuracy_bubble_figure,
        lambda: {"rows": [{"name": "a", "top1": 70.0, "gmacs": 1.0, "params": 1e6}]},
        {"rows": st.sampled_from([[], [3], [{"name": "a"}], None, "rows"]), "title": TITLES},
    ),
    "ilsvrc_history_figure": Entry(
        history.ilsvrc_history_figure,
        lambda: {"history": [{"year": 2012, "top5_error": 15.3, "name": "AlexNet"}]},
        {"history": st.sampled_from([[], [3], [{"year": 2012}], None, "h", 3]), "title": TITLES},
    ),
    "kernel_gallery_figure": Entry(
        kernel_gallery.kernel_gallery_figure,
        lambda: {"image": _image()[..., 0], "kernels": {"id": np.ones((1, 1))}},
        {
            "image": bad_array((8, 8), tensor_ok=True).filter(lambda v: not isinstance(v, list)),
            "kernels": st.sampled_from([{}, {"a": "k"}, {"a": np.ones(3)}, [1], None]),
            "padding": st.sampled_from([-1, "sometimes", 2.5, None, 10**6]),
            "columns": bad_int(1, huge=True),
        },
    ),
    "padding_modes_figure": Entry(
        kernel_gallery.padding_modes_figure,
        lambda: {"image": _image()[..., 0], "padding": 2},
        {"image": bad_array((8, 8), tensor_ok=True), "padding": bad_int(0, huge=True)},
        names={"image": ("input",)},
    ),
    "to_grey": Entry(
        kernel_gallery.to_grey,
        lambda: {"image": _image()},
        {
            "image": bad_array((8, 8, 3), wrong_shapes=[(8, 8, 5)], tensor_ok=True).filter(
                lambda v: not isinstance(v, list)
            )
        },
    ),
    "memory_layout_figure": Entry(
        memory_layout.memory_layout_figure,
        lambda: {"layout": _layout()},
        {"layout": NOT_DATA, "per_row": bad_int(1)},
    ),
    "batchnorm_figure": Entry(
        normalization.batchnorm_figure,
        lambda: {"trace": _bn_trace()},
        {"trace": NOT_DATA, "max_channels": bad_int(1)},
    ),
    "batchnorm_modes_figure": Entry(
        normalization.batchnorm_modes_figure, lambda: {"trace": _bn_trace()}, {"trace": NOT_DATA}
    ),
    "normalization_axes_figure": Entry(
        normalization.normalization_axes_figure,
        lambda: {
            "sets": __import__("vizkit.demos", fromlist=["x"]).normalization_sets_by_kind(
                (2, 4, 2, 2)
            )
        },
        {
            "sets": st.sampled_from([{}, {"batch": 3}, None, [1]]),
            "highlight": st.sampled_from([(9, 0, 0, 0), (0, 0), "0000", (0, 0, 0, -1)]),
            "depth": st.sampled_from([(float("nan"), 0.5), "x", (1,)]),
        },
    ),
    "pool_animation": Entry(
        pool.pool_animation,
        lambda: {"trace": _pool_trace()},
        {
            "trace": NOT_DATA,
            "channel": st.one_of(bad_int(0), st.just(1)),
            "sample": st.one_of(bad_int(0), st.just(1)),
            "steps": STEPS,
        },
    ),
    "max_pool_backward_figure": Entry(
        pool.max_pool_backward_figure,
        lambda: {"trace": _pool_trace()},
        {
            "trace": st.one_of(NOT_DATA, st.just(pool2d_trace(np.ones((1, 4, 4)), 2, kind="avg"))),
            "grad_output": st.sampled_from([np.ones((1, 3, 3)), "g", np.ones(3)]),
            "channel": st.one_of(bad_int(0), st.just(1)),
        },
    ),
    "pool_code": Entry(pool.pool_code, lambda: {"trace": _pool_trace()}, {"trace": NOT_DATA}),
    "field_box": Entry(
        receptive_field.field_box,
        lambda: {
            "field": SimpleNamespace(size=(3, 3), jump=(1, 1), start=(0, 0)),
            "position": (0, 0),
        },
        {"field": NOT_DATA, "position": st.sampled_from([(0,), "00", None, (0.5, 1), 3])},
    ),
    "receptive_field_figure": Entry(
        receptive_field.receptive_field_figure,
        lambda: {
            "image": _image(),
            "gradient_map": np.ones((8, 8)),
            "theoretical_box": (0, 0, 3, 3),
        },
        {
            "image": bad_array((8, 8, 3), tensor_ok=True),
            "gradient_map": bad_array((8, 8), wrong_shapes=[(4, 4)], tensor_ok=True),
            "theoretical_box": st.sampled_from([(0, 0, 3), "box", None, (0, 0, float("nan"), 3)]),
        },
    ),
    "gradient_clipping_figure": Entry(
        regularization.gradient_clipping_figure,
        lambda: {"clip": _clip()},
        {"clip": NOT_DATA, "max_points": bad_int(1, huge=True)},
    ),
    "dropout_masks_figure": Entry(
        regularization.dropout_masks_figure,
        lambda: {"masks": _masks()},
        {"masks": NOT_DATA, "sample": st.one_of(bad_int(0), st.just(2))},
    ),
    "training_curves_figure": Entry(
        training.training_curves_figure,
        lambda: {},
        {"history": st.sampled_from([3, "h", [1], {"a": 1}]), "title": TITLES},
    ),
    "transposed_animation": Entry(
        transpose.transposed_animation,
        lambda: {"trace": conv_transpose2d_trace(np.ones((1, 2, 2)), np.ones((1, 1, 2, 2)))},
        {"trace": NOT_DATA, "steps": STEPS},
    ),
}

test_refuses_bad_arguments = hostile_test(TABLE)
