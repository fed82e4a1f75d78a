"""Where the raw settings object is kept: a JSON file written atomically, or memory (tests).

`app.config.Config` turns the raw object into typed values; this module only reads and writes it.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Mapping
from contextlib import suppress
from pathlib import Path
from typing import Protocol, cast


class SettingsBackend(Protocol):
    """Where the raw JSON object of settings is kept."""

    def load(self) -> dict[str, object]:
        """The stored object; raises ValueError when the stored data is unreadable."""
        ...

    def save(self, data: Mapping[str, object]) -> None:
        """Replace the stored object."""
        ...


class MemorySettings:
    """Settings kept in memory only (tests, and a read-only fallback)."""

    def __init__(self, initial: Mapping[str, object] | None = None) -> None:
        self.data: dict[str, object] = dict(initial or {})

    def load(self) -> dict[str, object]:
        """A copy of the current object."""
        return dict(self.data)

    def save(self, data: Mapping[str, object]) -> None:
        """Keep a copy of `data`."""
        self.data = dict(data)


class JsonSettingsFile:
    """A JSON settings file written atomically (temp file in the same dir, then os.replace)."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def load(self) -> dict[str, object]:
        """The file's object, {} when there is no file; ValueError when it is not a JSON object."""
        try:
            text = self.path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return {}
        except UnicodeDecodeError as error:
            raise ValueError(f"not UTF-8 text ({error.reason})") from error
        try:
            data = json.loads(text)
        except json.JSONDecodeError as error:
            raise ValueError(f"not valid JSON (line {error.lineno}: {error.msg})") from error
        if not isinstance(data, dict):
            raise ValueError("not a JSON object")
        return cast(dict[str, object], data)

    def save(self, data: Mapping[str, object]) -> None:
        """Write `data` so that a crash leaves either the old file or the new one, never half."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        text = json.dumps(dict(data), indent=2, sort_keys=True, ensure_ascii=False) + "\n"
        fd, tmp = tempfile.mkstemp(prefix=".settings-", suffix=".tmp", dir=self.path.parent)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as stream:
                stream.write(text)
                stream.flush()
                os.fsync(stream.fileno())
            Path(tmp).replace(self.path)
        except BaseException:
            with suppress(OSError):
                Path(tmp).unlink()
            raise

    def set_aside(self) -> Path | None:
        """Move an unreadable file out of the way (kept for the user) so the next save starts clean."""
        aside = self.path.with_name(self.path.name + ".bad")
        count = 1
        while aside.exists():  # never over an earlier kept copy
            count += 1
            aside = self.path.with_name(f"{self.path.name}.bad-{count}")
        try:
            self.path.replace(aside)
        except OSError:
            return None
        return aside
