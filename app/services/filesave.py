"""Stream a download to disk so that a failure never leaves a half-written file where people look.

The bytes go to a private temporary file (0600) beside the target; only when the caller's check
accepts the result does it take the target's name. Any failure removes the temporary file.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from pathlib import Path

Progress = Callable[[int, int], None]
"""Called with (bytes done, bytes expected) while a file streams."""


@dataclass(frozen=True)
class Saved:
    """What arrived: its size, and its sha256 when one was asked for ("" otherwise)."""

    size: int
    sha256: str


async def save_stream(
    chunks: AsyncIterator[bytes],
    target: Path,
    *,
    expected: int = 0,
    progress: Progress | None = None,
    accept: Callable[[Saved], None] = lambda _saved: None,
    digest: bool = False,
) -> Path:
    """Write `chunks` to `target` via a private temporary file. `accept` raises to refuse what
    arrived (short, or the wrong checksum); `digest` computes the sha256 it may compare."""
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=".download-", dir=target.parent)  # mode 0600
    tmp = Path(tmp_name)
    hasher = hashlib.sha256() if digest else None
    done = 0
    try:
        with os.fdopen(fd, "wb") as out:
            async for chunk in chunks:
                out.write(chunk)
                if hasher is not None:
                    hasher.update(chunk)
                done += len(chunk)
                if progress is not None:
                    progress(done, max(expected, done))
        accept(Saved(done, hasher.hexdigest() if hasher is not None else ""))
        if progress is not None and not expected:
            progress(done, done)
        # One rename / unlink of a local file: microseconds, not worth a thread hop.
        tmp.replace(target)  # noqa: ASYNC240
        return target
    finally:
        tmp.unlink(missing_ok=True)  # noqa: ASYNC240
