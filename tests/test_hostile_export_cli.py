"""export and the ``vizkit`` command line refuse hostile arguments: the functions with a
TypeError/ValueError naming the parameter, the CLI with exit status 2 and one line naming the
option — and no file written (``--stride 0`` used to become 1 and write a GIF)."""

from __future__ import annotations

import contextlib
import io
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.hostile import COUNTS, HOSTILE, Entry, bad_bool, bad_number, hostile_test, measure
from vizkit import cli, export
from vizkit.render.conv import conv_animation
from vizkit.render.raster import figure_frames
from vizkit.sliding import conv2d_trace

_FIG = conv_animation(conv2d_trace(np.ones((1, 4, 4)), np.ones((1, 1, 3, 3))))  # 4 frames
FIGS = st.sampled_from([None, "figure", {"data": []}, 3, np.zeros((2, 2))])
FRAMES = st.sampled_from([[9], [-1], [0.5], "0", 3, [], [None], [2**63]])
PATHS = st.sampled_from([3, None, b"out.gif", ["out.gif"], ""])


TABLE = {
    "write_gif": Entry(
        export.write_gif,
        lambda: {"fig": _FIG, "path": "/tmp/vizkit-hostile.gif"},
        {
            "fig": FIGS,
            "path": PATHS,
            "fps": bad_number(above=0.0, maximum=50.0),
            "frames": FRAMES,
            "cell_px": bad_number(minimum=4.0, maximum=256.0),
        },
    ),
    "write_mp4": Entry(
        export.write_mp4,
        lambda: {"fig": _FIG, "path": "/tmp/vizkit-hostile.mp4"},
        {
            "fig": FIGS,
            "path": st.one_of(PATHS, st.sampled_from(["out.gif", "out.mp4.txt"])),
            "fps": bad_number(above=0.0, maximum=50.0),
            "frames": FRAMES,
            "cell_px": st.one_of(bad_number(minimum=4.0, maximum=256.0), st.just(10**9)),
        },
    ),
    "write_html": Entry(
        export.write_html,
        lambda: {"fig": _FIG, "path": "/tmp/vizkit-hostile.html"},
        {"fig": FIGS, "path": PATHS, "auto_play": bad_bool()},
    ),
    "save": Entry(
        export.save,
        lambda: {"fig": _FIG, "path": "/tmp/vizkit-hostile.gif"},
        {
            "fig": FIGS,
            "path": st.one_of(PATHS, st.sampled_from(["out.png", "out"])),
            "fps": bad_number(above=0.0, maximum=50.0),
            "frames": FRAMES,
        },
    ),
    "figure_frames": Entry(
        figure_frames,
        lambda: {"fig": _FIG},
        {
            "fig": FIGS,
            "frames": FRAMES,
            "cell_px": st.one_of(bad_number(minimum=4.0, maximum=256.0), st.just(10**9)),
        },
    ),
}

test_refuses_bad_arguments = hostile_test(TABLE)


# --- the command line -----------------------------------------------------------------------

# option → bad values (as the shell passes them: strings)
CLI_BAD = {
    "--input": ["0", "-3", "x", "100000", "5x0", "2.5", "nan", "1x2x3"],
    "--kernel": ["0", "-1", "k", "1000", "3x-3"],
    "--stride": ["0", "-2", "s", "1.5"],
    "--dilation": ["0", "-1", "d"],
    "--padding": ["-1", "huge", "100000", "nan"],
    "--output-padding": ["-1", "x"],
    "--in-channels": ["0", "-1", "100000", "c"],
    "--out-channels": ["0", "9", "x"],
    "--seed": ["-1", "x", "1.5", str(2**64)],
    "--fps": ["0", "-1", "nan", "inf", "1000", "fast"],
    "--padding-mode": ["mirror", ""],
    "--pool-kind": ["median"],
}


def _run_cli(argv: list[str]) -> tuple[int, str]:
    err = io.StringIO()
    with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
        try:
            code = cli.main(argv)
        except SystemExit as stop:
            code = stop.code if isinstance(stop.code, int) else 1
    return code, err.getvalue()


@settings(HOSTILE, max_examples=40)
@given(
    kind=st.sampled_from(["conv", "dilated", "transposed", "pool"]),
    option=st.sampled_from(sorted(CLI_BAD)),
    data=st.data(),
)
def test_cli_refuses_bad_options_with_exit_status_2(kind, option, data, tmp_path_factory):
    value = data.draw(st.sampled_from(CLI_BAD[option]), label=option)
    out = tmp_path_factory.mktemp("cli") / "out.gif"
    argv = ["render", kind, option, value, "--out", str(out)]
    COUNTS["cli:main"] += 1
    run = measure(lambda: _run_cli(argv))
    assert run.error is None, run.error
    code, message = run.result
    assert code == 2, f"vizkit {' '.join(argv)} exited {code}"
    assert message.count("\n") == 1 and message.startswith("vizkit: error:")
    assert option in message or option.lstrip("-").replace("-", "_") in message, message
    assert not out.exists(), "a refused command wrote a file"
    assert run.seconds < 10 and run.peak_bytes < 2**31


@pytest.mark.parametrize("option", ["--stride", "--dilation"])
def test_zero_stride_and_dilation_are_refused_not_turned_into_one(option, tmp_path):
    out = tmp_path / "out.gif"
    code, message = _run_cli(["render", "conv", option, "0", "--out", str(out)])
    assert code == 2 and f"argument {option}: '0' is below 1" in message
    assert not out.exists()


def test_a_huge_input_is_refused_before_any_array_is_made(tmp_path):
    run = measure(
        lambda: _run_cli(["render", "conv", "--input", "100000", "--out", str(tmp_path / "a.gif")])
    )
    code, message = run.result
    assert code == 2 and "--input 100000" in message and "32" in message
    assert run.peak_bytes < 64 * 2**20 and not math.isnan(run.seconds)
