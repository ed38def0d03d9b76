"""The geometry functions — the model for the shared validators — refuse hostile arguments with
a TypeError/ValueError naming the parameter, at once (pure arithmetic: a size of 10⁹ is a
number, not an allocation, so it is not refused for being big)."""

from __future__ import annotations

from hypothesis import strategies as st

import vizkit.geometry as g
from tests.hostile import Entry, bad_bool, bad_choice, bad_int, hostile_test

SIZES = st.one_of(bad_int(1), st.sampled_from([(0, 4), (4, -1), (4, 2.5), (4,), (1, 2, 3)]))
OFFSETS = st.one_of(bad_int(0), st.sampled_from([(0, -1), (2.5, 0), (1,)]))

TABLE = {
    "conv_output_size": Entry(
        g.conv_output_size,
        lambda: {"input_size": 8, "kernel_size": 3},
        {
            "input_size": SIZES,
            "kernel_size": SIZES,
            "stride": SIZES,
            "padding": st.one_of(OFFSETS, st.just("sometimes")),
            "dilation": SIZES,
        },
    ),
    "conv_transpose_output_size": Entry(
        g.conv_transpose_output_size,
        lambda: {"input_size": 8, "kernel_size": 3, "stride": 2},
        {
            "input_size": SIZES,
            "kernel_size": SIZES,
            "stride": SIZES,
            "padding": OFFSETS,
            "output_padding": st.one_of(OFFSETS, st.just(5)),  # ≥ stride
            "dilation": SIZES,
        },
    ),
    "pool_output_size": Entry(
        g.pool_output_size,
        lambda: {"input_size": 8, "kernel_size": 2},
        {
            "input_size": SIZES,
            "kernel_size": SIZES,
            "stride": SIZES.filter(lambda v: v is not None),
            "padding": st.one_of(OFFSETS, st.just(2)),  # more than half the window
            "dilation": SIZES,
            "ceil_mode": bad_bool(),
        },
    ),
    "same_padding": Entry(
        g.same_padding,
        lambda: {"input_size": 8, "kernel_size": 3},
        {"input_size": SIZES, "kernel_size": SIZES, "stride": SIZES, "dilation": SIZES},
    ),
    "conv_params": Entry(
        g.conv_params,
        lambda: {"in_channels": 4, "out_channels": 4, "kernel_size": 3},
        {
            "in_channels": bad_int(1),
            "out_channels": bad_int(1),
            "kernel_size": SIZES,
            "groups": st.one_of(bad_int(1), st.just(3)),  # 3 does not divide 4
            "bias": bad_bool(),
        },
    ),
    "conv_macs": Entry(
        g.conv_macs,
        lambda: {"in_channels": 4, "out_channels": 4, "kernel_size": 3, "output_size": 6},
        {
            "in_channels": bad_int(1),
            "out_channels": bad_int(1),
            "kernel_size": SIZES,
            "output_size": SIZES,
            "groups": st.one_of(bad_int(1), st.just(3)),
        },
    ),
    "relationship": Entry(g.relationship, lambda: {"number": 1}, {"number": bad_int(1)}),
    "receptive_field_chain": Entry(
        g.receptive_field_chain,
        lambda: {"layers": [g.Window(3)]},
        {"layers": st.sampled_from([None, 3, "conv", [3], [None], [(3, 1)], {"a": 1}])},
    ),
    "resolve_padding": Entry(
        g.resolve_padding,
        lambda: {"padding": "same", "kernel_size": (3, 3), "stride": (1, 1), "dilation": (1, 1)},
        {
            "padding": st.one_of(OFFSETS, st.sampled_from(["sometimes", None, 2.5, (1, 2, 3)])),
            "kernel_size": SIZES,
            "stride": st.one_of(SIZES, st.just((2, 2))),  # "same" with stride 2: torch refuses
            "dilation": SIZES,
        },
    ),
    "check_padding_mode": Entry(
        g.check_padding_mode,
        lambda: {"value": "zeros"},
        {"value": bad_choice(["zeros", "reflect", "replicate", "circular"])},
        names={"value": ("padding_mode",)},
    ),
    "check_padding_name": Entry(
        g.check_padding_name,
        lambda: {"value": "same"},
        {"value": bad_choice(["valid", "same"])},
        names={"value": ("padding",)},
    ),
}

test_refuses_bad_arguments = hostile_test(TABLE)
