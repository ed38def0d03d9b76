"""The student's progress file: written, read back, tolerant of damage, reset."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from vizkit import exercises
from vizkit.exercises import Progress, default_progress_path


def test_default_path_and_environment_variable(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.delenv("VIZKIT_PROGRESS", raising=False)
    assert default_progress_path() == Path.home() / ".vizkit" / "progress.json"
    monkeypatch.setenv("VIZKIT_PROGRESS", str(tmp_path / "mine.json"))
    assert default_progress_path() == tmp_path / "mine.json"
    assert Progress().path == tmp_path / "mine.json"
    assert Progress(tmp_path / "given.json").path == tmp_path / "given.json"
    with pytest.raises(TypeError, match="path must be a str or a path, got 3"):
        Progress(3)  # type: ignore[arg-type]


def test_record_restore_reset(tmp_path: Path) -> None:
    path = tmp_path / "deep" / "progress.json"
    progress = Progress(path)
    assert progress.load() == {} and progress.warning is None
    ex = exercises.make("conv_params", seed=4)
    ex.check("1")
    ex.hint()
    ex.check(ex.answer)
    progress.record(ex)
    data = json.loads(path.read_text(encoding="utf-8"))
    assert data == {
        "version": 1,
        "exercises": {
            "conv_params#4": {"attempts": 2, "hints_used": 1, "revealed": False, "solved": True}
        },
    }
    again = exercises.make("conv_params", seed=4)
    assert progress.restore(again)
    assert (again.attempts, again.solved, again.hints_used) == (2, True, 1)
    assert not progress.restore(exercises.make("conv_params", seed=5))
    other = exercises.make("conv_macs", seed=0)
    progress.record(other)
    progress.reset(["conv_params#4"])
    assert list(progress.load()) == ["conv_macs#0"]
    progress.reset()
    assert not path.exists()
    assert list(tmp_path.glob("deep/*.tmp")) == []


def test_two_stores_on_one_file_keep_each_others_entries(tmp_path: Path) -> None:
    path = tmp_path / "progress.json"
    first, second = Progress(path), Progress(path)
    first.record(exercises.make("conv_params", seed=1))
    second.record(exercises.make("pool_output_size", seed=1))
    assert sorted(first.load()) == ["conv_params#1", "pool_output_size#1"]


@pytest.mark.parametrize("content", ["{not json", "[1, 2]", '{"exercises": 3}'])
def test_a_damaged_file_starts_afresh_with_a_warning(tmp_path: Path, content: str) -> None:
    path = tmp_path / "progress.json"
    path.write_text(content, encoding="utf-8")
    progress = Progress(path)
    assert progress.load() == {}
    assert progress.warning is not None and str(path) in progress.warning
    assert progress.warning.endswith("starting afresh")
    progress.record(exercises.make("conv_params", seed=1))  # and it can be written again
    assert list(progress.load()) == ["conv_params#1"]
