"""A student's progress on the exercises, kept in a small local JSON file.

No server and no account: one file per user, by default ``~/.vizkit/progress.json``, or the
path in the ``VIZKIT_PROGRESS`` environment variable, or one given explicitly. Every update
re-reads the file and writes it back atomically, so two quizzes open in one notebook do not
overwrite each other's entries. A missing or unreadable file starts empty (the reason is kept
in :attr:`Progress.warning`) instead of raising.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Any

from vizkit.exercises.exercise import Exercise

__all__ = ["ENV_VAR", "Progress", "default_progress_path"]

#: Environment variable naming the progress file.
ENV_VAR = "VIZKIT_PROGRESS"
_VERSION = 1
_FIELDS = ("attempts", "solved", "hints_used", "revealed")


def default_progress_path() -> Path:
    """``$VIZKIT_PROGRESS`` if set, else ``~/.vizkit/progress.json``."""
    env = os.environ.get(ENV_VAR)
    return Path(env).expanduser() if env else Path.home() / ".vizkit" / "progress.json"


class Progress:
    """Read and write one student's exercise progress.

    Args:
        path: The JSON file; ``None`` uses :func:`default_progress_path`.

    Attributes:
        path: The file.
        warning: Why the file could not be read last time (it was treated as empty), or
            ``None``.

    Example:
        >>> import tempfile, pathlib
        >>> from vizkit import exercises
        >>> folder = tempfile.mkdtemp()
        >>> progress = Progress(pathlib.Path(folder) / "progress.json")
        >>> ex = exercises.make("conv_params", seed=1)
        >>> _ = ex.check(ex.answer)
        >>> progress.record(ex)
        >>> progress.get(ex.key)["solved"]
        True
    """

    def __init__(self, path: str | os.PathLike[str] | None = None) -> None:
        if path is not None and not isinstance(path, str | os.PathLike):
            raise TypeError(f"path must be a str or a path, got {path!r} ({type(path).__name__})")
        self.path = Path(path).expanduser() if path is not None else default_progress_path()
        self.warning: str | None = None

    def load(self) -> dict[str, dict[str, Any]]:
        """All stored entries, ``{"topic#seed": {"attempts", "solved", ...}}``."""
        self.warning = None
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return {}
        except (OSError, ValueError) as err:
            self.warning = f"could not read {self.path} ({err}); starting afresh"
            return {}
        entries = data.get("exercises") if isinstance(data, dict) else None
        if not isinstance(entries, dict):
            self.warning = f"{self.path} is not a vizkit progress file; starting afresh"
            return {}
        return {key: value for key, value in entries.items() if isinstance(value, dict)}

    def get(self, key: str) -> dict[str, Any] | None:
        """The stored entry of one exercise (``exercise.key``), or ``None``."""
        return self.load().get(key)

    def restore(self, exercise: Exercise) -> bool:
        """Put the stored attempts / solved / hints / revealed back on an exercise.

        Returns:
            Whether an entry was found.
        """
        entry = self.get(exercise.key)
        if entry is None:
            return False
        exercise.attempts = int(entry.get("attempts", 0))
        exercise.solved = bool(entry.get("solved", False))
        exercise.hints_used = int(entry.get("hints_used", 0))
        exercise.revealed = bool(entry.get("revealed", False))
        return True

    def record(self, exercise: Exercise) -> None:
        """Store an exercise's current state (re-reads the file first, then writes it).

        Raises:
            OSError: The file cannot be written (the quiz shows this as a message).
        """
        entries = self.load()
        entries[exercise.key] = {name: getattr(exercise, name) for name in _FIELDS}
        self._write(entries)

    def reset(self, keys: list[str] | None = None) -> None:
        """Forget the given exercises (``exercise.key`` each), or everything.

        Raises:
            OSError: The file cannot be written or removed.
        """
        if keys is None:
            self.path.unlink(missing_ok=True)
            return
        entries = self.load()
        for key in keys:
            entries.pop(key, None)
        self._write(entries)

    def _write(self, entries: dict[str, dict[str, Any]]) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        text = json.dumps({"version": _VERSION, "exercises": entries}, indent=1, sort_keys=True)
        # Write a temporary file next to the target, then rename: a crash never leaves half a file.
        handle, temporary = tempfile.mkstemp(dir=self.path.parent, suffix=".tmp")
        try:
            with os.fdopen(handle, "w", encoding="utf-8") as file:
                file.write(text + "\n")
            os.replace(temporary, self.path)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
