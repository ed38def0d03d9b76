"""The scenes, the claim figures, the invariance figures and the in-place updates refuse
hostile arguments with a TypeError/ValueError naming the parameter, quickly and within budget."""

from __future__ import annotations

import functools
from types import SimpleNamespace

import numpy as np
import plotly.graph_objects as go
import pytest
from hypothesis import strategies as st

from tests.hostile import Entry, bad_array, bad_bool, bad_choice, bad_int, hostile_test
from vizkit.render import (
    claims,
    conv,
    correlation,
    dip,
    filters,
    invariance,
    normalization,
    pool,
    theme,
    training,
    transpose,
)
from vizkit.sliding import conv2d_trace, conv_transpose2d_trace, pool2d_trace

pytestmark = pytest.mark.usefixtures("torch_one_thread")

NOT_DATA = st.sampled_from([None, "trace", 3, [1, 2], {"a": 1}, np.zeros(3)])
TITLES = st.sampled_from([3, ["t"], b"title"])
NOT_FIGURES = st.sampled_from([None, "figure", 3, {"data": []}, go.Figure()])


@functools.cache
def _rows() -> list[object]:
    """A few agreeing and a few disagreeing rows of the recomputed claims (one note)."""
    from vizkit.lectures import recompute_claims

    rows = recompute_claims().rows
    return [r for r in rows if r.agrees][:3] + [r for r in rows if not r.agrees][:3]


@functools.cache
def _invariance() -> tuple[object, object]:
    from vizkit.demos import pooling_invariance, shift_equivariance

    image = np.random.default_rng(0).random((32, 32))
    return pooling_invariance(image), shift_equivariance(image)


def _history() -> list[object]:
    return [SimpleNamespace(step=i, psnr=20.0 + i, psnr_raw=19.0 + i) for i in range(3)]


def _train_history() -> object:
    from vizkit.train import TrainHistory

    return TrainHistory(steps=[1, 2], losses=[1.0, 0.5])


def _image() -> np.ndarray:
    return np.random.default_rng(0).random((8, 8, 3)).astype(np.float32)


# [[0.5]] is a valid 1×1 picture: not among the bad values here
IMAGES = bad_array((8, 8, 3), wrong_shapes=[(8, 8, 4)], tensor_ok=True).filter(
    lambda v: not isinstance(v, list)
)
CLAIM_TABLES = st.sampled_from([None, 3, "claims", [], [3], {"rows": 3}])

TABLE = {
    "ConvScene": Entry(
        conv.ConvScene,
        lambda: {"trace": conv2d_trace(np.arange(16.0).reshape(1, 4, 4), np.ones((1, 1, 3, 3)))},
        {
            "trace": NOT_DATA,
            "sample": st.one_of(bad_int(0, huge=True), st.just(1)),
            "numbers": bad_bool().filter(lambda v: v is not None),
            "running_sum": bad_bool().filter(lambda v: v is not None),
        },
    ),
    "PoolScene": Entry(
        pool.PoolScene,
        lambda: {"trace": pool2d_trace(np.arange(16.0).reshape(1, 4, 4), 2)},
        {
            "trace": NOT_DATA,
            "channel": st.one_of(bad_int(0, huge=True), st.just(1)),
            "sample": st.one_of(bad_int(0, huge=True), st.just(1)),
        },
    ),
    "TransposedScene": Entry(
        transpose.TransposedScene,
        lambda: {"trace": conv_transpose2d_trace(np.ones((1, 2, 2)), np.ones((1, 1, 2, 2)))},
        {"trace": NOT_DATA},
    ),
    **{
        name: Entry(
            getattr(claims, name),
            lambda: {"table": _rows()},
            {
                "table": CLAIM_TABLES,
                "title": TITLES,
                **(
                    {"height": bad_int(100, 5000, optional=True, huge=True)}
                    if name != "claims_summary_figure"
                    else {}
                ),
            },
        )
        for name in ("claims_summary_figure", "claims_table_figure", "seed_errors_figure")
    },
    "conv_vs_xcorr_animation": Entry(
        correlation.conv_vs_xcorr_animation,
        lambda: {"x": np.arange(16.0).reshape(4, 4), "w": np.arange(9.0).reshape(3, 3)},
        {
            "x": st.sampled_from(
                [np.zeros((4, 4), np.complex64), "image", None, np.zeros((2, 4, 4)), 3]
            ),
            "w": st.sampled_from([np.ones((9, 9)), "w", None, np.ones((2, 2, 2, 2, 2))]),
            "padding": st.sampled_from([-1, "sometimes", 2.5, None, 10**6]),
        },
        names={"w": ("kernel", "weight"), "x": ("input",)},
    ),
    "image_trace": Entry(
        filters.image_trace,
        lambda: {"image": _image()},
        {"image": IMAGES},
    ),
    "pooling_invariance_figure": Entry(
        invariance.pooling_invariance_figure,
        lambda: {"result": _invariance()[0]},
        {"result": st.sampled_from([None, 3, "r", SimpleNamespace(a=1)])},
    ),
    "pooling_shift_animation": Entry(
        invariance.pooling_shift_animation,
        lambda: {"result": _invariance()[0]},
        {
            "result": st.sampled_from([None, 3, "r", SimpleNamespace(a=1)]),
            "crop": bad_int(8, 256, huge=True),
        },
    ),
    "shift_equivariance_figure": Entry(
        invariance.shift_equivariance_figure,
        lambda: {"result": _invariance()[1]},
        {
            "result": st.sampled_from([None, 3, "r", SimpleNamespace(a=1)]),
            "max_side": bad_int(16, 2048, huge=True),
        },
    ),
    "reduced_axes_from_labels": Entry(
        normalization.reduced_axes_from_labels,
        lambda: {"labels": np.zeros((2, 4, 2, 2), np.int64)},
        {"labels": st.sampled_from([None, "NCHW", 3, np.zeros((2, 4)), np.zeros((0, 4, 2, 2))])},
    ),
    "update_image": Entry(
        dip.update_image,
        lambda: {
            "fig": dip.dip_results_figure(
                {"a": SimpleNamespace(best_image=_image(), best_psnr=None)}
            ),
            "index": 0,
            "image": _image(),
        },
        {
            "fig": NOT_FIGURES,
            "index": st.one_of(bad_int(0, huge=True), st.just(1)),
            "image": IMAGES,
            "title": TITLES,
        },
    ),
    "update_psnr_curve": Entry(
        dip.update_psnr_curve,
        lambda: {"fig": dip.psnr_curve_figure(), "history": _history()},
        {"fig": NOT_FIGURES, "history": st.sampled_from([3, "h", [3], None])},
    ),
    "update_training_curves": Entry(
        training.update_training_curves,
        lambda: {"fig": training.training_curves_figure(), "history": _train_history()},
        {"fig": NOT_FIGURES, "history": st.sampled_from([3, "h", [1], {"a": 1}, None])},
    ),
    "use_theme": Entry(
        theme.use_theme,
        lambda: {"name": "notebook"},
        {"name": bad_choice(["notebook", "lecture"])},
        names={"name": ("theme",)},  # as vk.theme(...) calls it
    ),
}

test_refuses_bad_arguments = hostile_test(TABLE, examples=25)
