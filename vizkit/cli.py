"""``vizkit render …``: slide assets (GIF / MP4 / HTML) without opening a notebook.

Examples::

    vizkit render conv --input 5 --kernel 3 --stride 2 --padding 1 --out conv.gif
    vizkit render dilated --input 7 --kernel 3 --out dilated.html
    vizkit render transposed --input 3 --kernel 3 --stride 2 --out up.gif
    vizkit render pool --input 6 --kernel 3 --stride 2 --pool-kind max --out pool.gif

The input and weights are small random integers (``--seed``), so every number on the slide
can be checked by hand. Bad arguments print one line (``vizkit: error: …``) and exit with
status 2, like any argparse tool.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any, NoReturn

from vizkit.geometry import PADDING_MODES

__all__ = ["build_parser", "main"]

KINDS = ("conv", "dilated", "transposed", "pool")
#: Largest input side an animation can have: every output cell is a frame, and a slide shows
#: about 32×32 cells before the numbers become unreadable.
MAX_INPUT = 32
#: Most channels a conv animation draws side by side (vizkit.render.conv's lanes).
MAX_CHANNELS = 8


class _Parser(argparse.ArgumentParser):
    """argparse, but an error is one line (no usage dump) and exit status 2."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"vizkit: error: {message} (see `{self.prog} --help`)\n")


def _size(text: str, minimum: int = 1) -> int | tuple[int, int]:
    """``5`` or ``5x7`` (height × width), each at least ``minimum``."""
    parts = text.lower().replace("×", "x").split("x")
    try:
        values = [int(p) for p in parts]
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a size: use an int like 5 or HxW like 5x7"
        ) from None
    if len(values) not in (1, 2):
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a size: use an int like 5 or HxW like 5x7"
        )
    if min(values) < minimum:
        raise argparse.ArgumentTypeError(
            f"{text!r} is below {minimum}: every size must be ≥ {minimum}"
        )
    if max(values) > 10**6:
        raise argparse.ArgumentTypeError(f"{text!r} is far too large for an animation")
    return values[0] if len(values) == 1 else (values[0], values[1])


def _offset(text: str) -> int | tuple[int, int]:
    """A size that may be 0 (``--output-padding``)."""
    return _size(text, minimum=0)


def _count(text: str) -> int:
    """A channel count: an int from 1 to :data:`MAX_CHANNELS`."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not an int: use e.g. 2") from None
    if not 1 <= value <= MAX_CHANNELS:
        raise argparse.ArgumentTypeError(
            f"{value} is outside 1 … {MAX_CHANNELS}: an animation draws at most "
            f"{MAX_CHANNELS} channels"
        )
    return value


def _seed(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not an int: use e.g. 0") from None
    if not 0 <= value < 2**63:
        raise argparse.ArgumentTypeError(f"{value} is not a seed: use 0 … 2**63 − 1")
    return value


def _fps(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number: use e.g. 2") from None
    if not 0 < value <= 50:  # NaN fails this too
        raise argparse.ArgumentTypeError(f"{text} is outside (0, 50] frames per second")
    return value


def _padding(text: str) -> int | str:
    if text in ("valid", "same", "full"):
        return text
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a padding: use an int ≥ 0 or valid / same / full"
        ) from None
    if not 0 <= value <= MAX_INPUT:
        raise argparse.ArgumentTypeError(
            f"{value} is not a padding: use an int from 0 to {MAX_INPUT}, or valid / same / full"
        )
    return value


def build_parser() -> argparse.ArgumentParser:
    """The ``vizkit`` argument parser (``vizkit render KIND [options] --out FILE``)."""
    parser = _Parser(prog="vizkit", description="vizkit: CNN visualisations for lectures.")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    render = sub.add_parser(
        "render",
        help="render an animation to GIF / MP4 / HTML",
        description="Render a step-by-step animation (numbers checked against PyTorch) to a "
        "file whose suffix picks the format: .gif, .mp4 (needs ffmpeg), .html "
        "(standalone, works offline).",
    )
    render.add_argument(
        "kind",
        choices=KINDS,
        help="conv, dilated (conv with dilation 2 by default), transposed, pool",
    )
    render.add_argument(
        "--input", type=_size, default=5, metavar="N|HxW", help="input size (default 5)"
    )
    render.add_argument(
        "--kernel",
        type=_size,
        default=3,
        metavar="K|KHxKW",
        help="kernel / window size (default 3)",
    )
    render.add_argument(
        "--stride",
        type=_size,
        default=None,
        metavar="S",
        help="stride (default 1; pooling: the kernel size)",
    )
    render.add_argument(
        "--padding",
        type=_padding,
        default=0,
        metavar="P",
        help="padding: int, or valid / same / full for conv (default 0)",
    )
    render.add_argument(
        "--dilation",
        type=_size,
        default=None,
        metavar="D",
        help="dilation (default 1; 2 for `dilated`)",
    )
    render.add_argument(
        "--output-padding",
        type=_offset,
        default=0,
        metavar="OP",
        help="transposed only: extra cells after (default 0)",
    )
    render.add_argument(
        "--padding-mode", default="zeros", choices=PADDING_MODES, help="conv only (default zeros)"
    )
    render.add_argument(
        "--in-channels", type=_count, default=1, help=f"conv: input channels (1 … {MAX_CHANNELS})"
    )
    render.add_argument(
        "--out-channels",
        type=_count,
        default=1,
        help=f"conv: output channels (1 … {MAX_CHANNELS})",
    )
    render.add_argument(
        "--pool-kind",
        default="max",
        choices=("max", "avg", "lp"),
        help="pool only (lp = L2 pooling, p = 2)",
    )
    render.add_argument("--ceil-mode", action="store_true", help="pool only: ceil_mode=True")
    render.add_argument("--seed", type=_seed, default=0, help="seed of the random numbers")
    render.add_argument(
        "--fps", type=_fps, default=2.0, help="GIF / MP4 frames per second (0 < fps ≤ 50)"
    )
    render.add_argument(
        "--out", required=True, type=Path, metavar="FILE", help="output file: .gif, .mp4 or .html"
    )
    return parser


def _figure(args: argparse.Namespace) -> Any:
    import numpy as np

    from vizkit import sliding

    rng = np.random.default_rng(args.seed)
    size = args.input if isinstance(args.input, tuple) else (args.input, args.input)
    kernel = args.kernel if isinstance(args.kernel, tuple) else (args.kernel, args.kernel)
    if max(size) > MAX_INPUT:
        raise ValueError(
            f"--input {args.input}: an animation has a frame per output cell, and a slide shows "
            f"at most about {MAX_INPUT}×{MAX_INPUT} readable cells: use --input {MAX_INPUT} or less"
        )
    if max(kernel) > MAX_INPUT:
        raise ValueError(
            f"--kernel {args.kernel} is larger than any input here: use 1 … {MAX_INPUT}"
        )
    # `or` would turn an explicit 0 into the default: only a missing option takes the default.
    stride = 1 if args.stride is None else args.stride
    dilation = args.dilation if args.dilation is not None else (2 if args.kind == "dilated" else 1)
    if args.kind in ("conv", "dilated"):
        from vizkit.render.conv import conv_animation

        x = rng.integers(-2, 4, (args.in_channels, *size))
        w = rng.integers(-1, 2, (args.out_channels, args.in_channels, *kernel))
        trace = sliding.conv2d_trace(
            x,
            w,
            stride=stride,
            padding=args.padding,
            dilation=dilation,
            padding_mode=args.padding_mode,
        )
        return conv_animation(trace)
    if isinstance(args.padding, str):
        raise ValueError(f"--padding {args.padding} is only for conv; {args.kind} takes an int")
    if args.kind == "transposed":
        from vizkit.render.transpose import transposed_animation

        x = rng.integers(1, 4, (1, *size))
        w = rng.integers(-1, 3, (1, 1, *kernel))
        trace = sliding.conv_transpose2d_trace(
            x,
            w,
            stride=stride,
            padding=args.padding,
            output_padding=args.output_padding,
            dilation=dilation,
        )
        return transposed_animation(trace)
    from vizkit.render.pool import pool_animation

    x = rng.integers(0, 10, (1, *size))
    trace = sliding.pool2d_trace(
        x,
        kernel,
        args.stride,
        args.padding,
        dilation,
        args.ceil_mode,
        kind=args.pool_kind,
    )
    return pool_animation(trace)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status (0 ok, 2 bad arguments)."""
    parser = build_parser()
    args = parser.parse_args(argv)
    from vizkit.export import save

    try:
        fig = _figure(args)
        path = save(fig, args.out, fps=args.fps)
    except (ValueError, TypeError, FileNotFoundError, RuntimeError) as err:
        # GeometryError is a ValueError: its teaching message is the one line shown.
        parser.exit(2, f"vizkit: error: {err}\n")
    print(f"wrote {path} ({len(fig.frames) or 1} frames)")
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
