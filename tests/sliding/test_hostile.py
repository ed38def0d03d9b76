"""Every public trace refuses hostile arguments clearly and quickly, and a configuration whose
arrays would exceed the memory budget is refused before anything is allocated
(``conv_transpose2d_trace(stride=10**9)`` used to ask numpy for exabytes)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import strategies as st

from tests.hostile import Entry, bad_array, bad_bool, bad_choice, bad_int, hostile_test
from vizkit.sliding import (
    adjoint_check,
    conv1d_trace,
    conv2d_trace,
    conv_transpose2d_trace,
    max_pool2d_backward,
    pool2d_trace,
)
from vizkit.sliding.kernels import gabor

# A stride of 10⁹ is legal (torch gives one output cell), 2⁶³ is not (torch's sizes are int64).
STRIDES = st.one_of(
    bad_int(1), st.sampled_from([(1, 0), (2.5, 1), (1, 2, 3), "2", 2**63, (2**64, 1)])
)
DILATIONS = st.one_of(bad_int(1, huge=True), st.sampled_from([(1, 0), (2.5, 1), "2", (10**9, 1)]))
PADDINGS = st.one_of(
    bad_int(0, huge=True), st.sampled_from([(0, -1), "sometimes", (10**6, 10**6), 2.5])
)


def _finite(values: st.SearchStrategy) -> st.SearchStrategy:
    """Traces pass NaN/inf through as torch does: those values are not bad arguments here."""

    def ok(v: object) -> bool:
        return not (isinstance(v, np.ndarray) and v.dtype.kind == "f" and not np.isfinite(v).all())

    return values.filter(ok)


X = _finite(
    st.sampled_from(
        [
            np.zeros((5, 5)),
            np.zeros((1, 1, 1, 5, 5)),
            np.zeros((0, 5, 5)),
            np.zeros(()),
            "x",
            None,
            [[0.5]],
            np.zeros((1, 5, 5), np.complex64),
            np.full((1, 5, 5), "a"),
        ]
    )
)


def _x() -> np.ndarray:
    return np.arange(25.0).reshape(1, 5, 5)


TABLE = {
    "conv2d_trace": Entry(
        conv2d_trace,
        lambda: {"x": _x(), "weight": np.ones((1, 1, 3, 3))},
        {
            "x": X,
            "weight": _finite(
                bad_array((1, 1, 3, 3), wrong_shapes=[(1, 2, 3, 3), (1, 1, 9, 9)], tensor_ok=True)
            ).filter(lambda w: not (isinstance(w, np.ndarray) and w.shape == (1, 1, 3, 3))),
            "bias": st.sampled_from([np.ones(2), "b", [[1.0]]]),
            "stride": STRIDES,
            "padding": PADDINGS,
            "dilation": DILATIONS,
            "groups": st.one_of(bad_int(1), st.just(2)),
            "padding_mode": bad_choice(["zeros", "reflect", "replicate", "circular"]),
            "flip": bad_bool(),
        },
        names={"weight": ("kernel_size",)},
    ),
    "conv1d_trace": Entry(
        conv1d_trace,
        lambda: {"x": np.arange(8.0).reshape(1, 8), "weight": np.ones((1, 1, 3))},
        {
            "x": _finite(bad_array((1, 8), wrong_shapes=[(2, 8)], tensor_ok=True)).filter(
                lambda v: not (isinstance(v, np.ndarray) and v.shape == (1, 1, 8))
            ),
            "weight": _finite(bad_array((1, 1, 3), wrong_shapes=[(1, 1, 20)], tensor_ok=True)),
            "stride": STRIDES.filter(lambda v: v != [3]),
            "padding": st.one_of(bad_int(0, huge=True), st.just("sometimes")).filter(
                lambda v: v != [3]
            ),
            "dilation": bad_int(1, huge=True),
            "padding_mode": bad_choice(["zeros", "reflect", "replicate", "circular"]),
        },
        names={"x": ("input",), "weight": ("kernel_size",)},
    ),
    "conv_transpose2d_trace": Entry(
        conv_transpose2d_trace,
        lambda: {"x": np.ones((1, 3, 3)), "weight": np.ones((1, 1, 3, 3))},
        {
            "x": X,
            "weight": _finite(
                bad_array((1, 1, 3, 3), wrong_shapes=[(2, 1, 3, 3)], tensor_ok=True)
            ).filter(lambda w: not (isinstance(w, np.ndarray) and w.shape[:2] == (1, 1))),
            "stride": st.one_of(STRIDES, st.just(10**9)),
            "padding": PADDINGS,
            "output_padding": st.one_of(bad_int(0, huge=True), st.just(1)),
            "groups": st.one_of(bad_int(1), st.just(2)),
            "dilation": DILATIONS,
        },
    ),
    "pool2d_trace": Entry(
        pool2d_trace,
        lambda: {"x": _x(), "kernel_size": 2},
        {
            "x": X,
            "kernel_size": st.one_of(bad_int(1, huge=True), st.just(6)),
            "stride": STRIDES.filter(lambda v: v is not None),
            "padding": st.one_of(bad_int(0, huge=True), st.just(2)),
            "dilation": bad_int(1, huge=True),
            "ceil_mode": bad_bool(),
            "kind": bad_choice(["max", "avg", "lp"]),
        },
    ),
    "max_pool2d_backward": Entry(
        max_pool2d_backward,
        lambda: {"trace": pool2d_trace(_x(), 2), "grad_output": np.ones((1, 2, 2))},
        {
            "trace": st.sampled_from([None, "trace", 3, pool2d_trace(_x(), 2, kind="avg")]),
            "grad_output": bad_array((1, 2, 2), wrong_shapes=[(1, 3, 3)], tensor_ok=True).filter(
                lambda g: not (isinstance(g, np.ndarray) and g.shape == (1, 2, 2))
            ),
        },
    ),
    "adjoint_check": Entry(
        adjoint_check,
        lambda: {"x": _x(), "weight": np.ones((1, 1, 3, 3)), "y": np.ones((1, 3, 3))},
        {
            "x": X,
            "weight": _finite(bad_array((1, 1, 3, 3), wrong_shapes=[(1, 2, 3, 3)], tensor_ok=True)),
            "y": _finite(bad_array((1, 3, 3), wrong_shapes=[(1, 4, 4)], tensor_ok=True)),
            "stride": STRIDES,
            "dilation": DILATIONS,
        },
    ),
    "gabor": Entry(
        gabor,
        lambda: {},
        {
            "frequency": st.sampled_from([0, 0.7, -0.1, float("nan"), "0.2", None]),
            "theta": st.sampled_from([float("inf"), "0", None]),
            "sigma": st.sampled_from([0, -1.0, float("nan"), 10**9, "3"]),
            "size": bad_int(1, optional=True, huge=True),
            "zero_mean": bad_bool(),
        },
    ),
}

test_refuses_bad_arguments = hostile_test(TABLE)


@pytest.mark.parametrize(
    ("call", "name"),
    [
        (
            lambda: conv_transpose2d_trace(np.ones((1, 3, 3)), np.ones((1, 1, 3, 3)), stride=10**9),
            "stride",
        ),
        (
            lambda: conv_transpose2d_trace(
                np.ones((1, 3, 3)), np.ones((1, 1, 3, 3)), dilation=10**9
            ),
            "dilation",
        ),
        (lambda: conv2d_trace(np.ones((1, 3, 3)), np.ones((1, 1, 3, 3)), padding=10**5), "padding"),
    ],
)
def test_huge_traces_are_refused_before_allocating(call, name) -> None:
    from tests.hostile import measure

    run = measure(call)
    assert isinstance(run.error, ValueError)
    assert str(run.error).startswith(f"{name} ") and "memory budget of 2 GiB" in str(run.error)
    assert run.peak_bytes < 64 * 2**20 and run.seconds < 1.0
