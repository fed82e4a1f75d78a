"""One process per profile: the window and `legalconnect sync` never share a database as writers.

A lock file in the profile's data directory is held (an OS file lock, released by the OS even when
the process is killed) for as long as the process runs; a second process on the same profile finds
it held and reads who holds it ("the window, pid 4242, since 09:14"). No Qt here.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import sys
from pathlib import Path
from typing import IO


class ProfileInUse(Exception):
    """Another LegalConnect Desktop process holds this profile; `holder` says which."""

    def __init__(self, holder: str) -> None:
        super().__init__(holder)
        self.holder = holder


class ProfileLock:
    """The lock of one profile (see the module docstring). `acquire()`, then `release()` at exit."""

    def __init__(self, path: Path, role: str) -> None:
        """`role` says who holds it, for the message another process shows ("the window")."""
        self.path = path
        self.role = role
        self._handle: IO[str] | None = None

    def acquire(self) -> None:
        """Take the lock now, or raise `ProfileInUse` (never waits)."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        handle = self.path.open("a+", encoding="utf-8")
        try:
            _lock(handle)
        except OSError:
            handle.seek(0)
            holder = _describe(handle.read())
            handle.close()
            raise ProfileInUse(holder) from None
        handle.seek(0)
        handle.truncate()
        when = dt.datetime.now().astimezone().isoformat(timespec="seconds")
        handle.write(json.dumps({"role": self.role, "pid": os.getpid(), "since": when}))
        handle.flush()
        self._handle = handle

    def release(self) -> None:
        """Let the lock go (at exit; the OS does it too when the process dies)."""
        handle, self._handle = self._handle, None
        if handle is not None:
            handle.seek(0)
            handle.truncate()
            _unlock(handle)
            handle.close()

    def __enter__(self) -> ProfileLock:
        self.acquire()
        return self

    def __exit__(self, *_exc: object) -> None:
        self.release()


def _describe(text: str) -> str:
    try:
        facts = json.loads(text)
        since = dt.datetime.fromisoformat(facts["since"]).strftime("%H:%M on %d %b")
        return f"{facts['role']} (process {facts['pid']}, since {since})"
    except (ValueError, KeyError, TypeError):
        return "another LegalConnect Desktop process"


if sys.platform == "win32":  # pragma: no cover - exercised on Windows runners
    import msvcrt

    def _lock(handle: IO[str]) -> None:
        handle.seek(0)
        msvcrt.locking(handle.fileno(), msvcrt.LK_NBLCK, 1)

    def _unlock(handle: IO[str]) -> None:
        handle.seek(0)
        msvcrt.locking(handle.fileno(), msvcrt.LK_UNLCK, 1)

else:
    import fcntl

    def _lock(handle: IO[str]) -> None:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)

    def _unlock(handle: IO[str]) -> None:
        fcntl.flock(handle.fileno(), fcntl.LOCK_UN)
