"""`vizkit render …`: files written, --help, one-line errors with exit status 2."""

from __future__ import annotations

import subprocess
import sys

import pytest
from PIL import Image

from vizkit.cli import main


def test_conv_gif_from_the_issue_example(tmp_path, capsys):
    out = tmp_path / "conv.gif"
    assert (
        main(
            [
                "render",
                "conv",
                "--input",
                "5",
                "--kernel",
                "3",
                "--stride",
                "2",
                "--padding",
                "1",
                "--out",
                str(out),
            ]
        )
        == 0
    )
    with Image.open(out) as im:
        assert im.n_frames == 9  # 3 × 3 output cells
    assert "wrote" in capsys.readouterr().out


@pytest.mark.parametrize(
    "kind,args,frames",
    [
        ("dilated", ["--input", "7"], 9),
        ("transposed", ["--input", "2", "--stride", "2"], 4),
        ("pool", ["--input", "6", "--stride", "2", "--pool-kind", "avg", "--ceil-mode"], 9),
    ],
)
def test_other_kinds(tmp_path, kind, args, frames):
    out = tmp_path / f"{kind}.gif"
    assert main(["render", kind, *args, "--out", str(out)]) == 0
    with Image.open(out) as im:
        assert im.n_frames == frames


def test_html_output(tmp_path):
    out = tmp_path / "conv.html"
    assert main(["render", "conv", "--input", "4x6", "--padding", "same", "--out", str(out)]) == 0
    assert "<script src=" not in out.read_text()


@pytest.mark.parametrize(
    "args,message",
    [
        (
            ["render", "conv", "--input", "5", "--kernel", "7", "--out", "x.gif"],
            "kernel_size 7 is larger than the padded input 5",
        ),
        (["render", "conv", "--input", "five", "--out", "x.gif"], "'five' is not a size"),
        (["render", "blur", "--out", "x.gif"], "invalid choice: 'blur'"),
        (["render", "conv", "--out", "x.png"], "suffix '.png'; allowed"),
        (["render", "pool", "--padding", "same", "--out", "x.gif"], "--padding same is only for"),
        (["render", "conv"], "the following arguments are required: --out"),
    ],
)
def test_bad_arguments_one_line_exit_2(tmp_path, monkeypatch, capsys, args, message):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(SystemExit) as exc:
        main(args)
    assert exc.value.code == 2
    err = capsys.readouterr().err
    assert message in err
    assert err.count("\n") == 1 and err.startswith("vizkit: error: ")


def test_console_script_help():
    result = subprocess.run(
        [sys.executable, "-m", "vizkit.cli", "render", "--help"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0
    for option in (
        "--input",
        "--kernel",
        "--stride",
        "--padding",
        "--dilation",
        "--out",
        "transposed",
        "pool",
        "dilated",
    ):
        assert option in result.stdout
