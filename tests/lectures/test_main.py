"""``python -m vizkit.lectures``: the gallery as Markdown (the closing note's list)."""

from __future__ import annotations

import pytest

import vizkit.lectures.__main__ as cli
from vizkit.lectures import ClaimTable


def test_errors_markdown_has_one_line_per_seed_error(table: ClaimTable) -> None:
    text = cli.errors_markdown(table)
    items = [line for line in text.splitlines() if line.startswith("- ")]
    errors = table.seed_errors()
    assert len(items) == len(errors) > 0
    assert text.startswith(f"{len(errors)} seed errors among {len(table)} claims")
    for line, row in zip(items, errors, strict=True):
        assert row.claim.stated in line and row.shown in line and row.explanation in line


def test_main_prints_the_gallery_or_the_counts(
    table: ClaimTable, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(cli, "recompute_claims", lambda: table)
    assert cli.main(["--errors"]) == 0
    assert capsys.readouterr().out.strip() == cli.errors_markdown(table)
    assert cli.main([]) == 0
    out = capsys.readouterr().out
    assert out.count("claims,") == 5 and "Bakhshi" in out
    with pytest.raises(SystemExit):
        cli.main(["--nope"])
