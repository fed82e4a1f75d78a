"""Private temporary files: directories only the user can enter, files only the user can read.

Documents in an order are often confidential (medical records, settlement terms): their working
copies live in 0700 directories as 0600 files and go away when the document is done with.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path
from typing import BinaryIO

from app.services.filenames import safe_filename

_CHUNK = 1024 * 1024


def make_workdir(parent: Path | None = None) -> Path:
    """A new private directory for intake's files (under the system temp dir unless `parent`)."""
    if parent is not None:
        parent.mkdir(parents=True, exist_ok=True)
    return Path(tempfile.mkdtemp(prefix="legalconnect-intake-", dir=parent))


def private_dir(workdir: Path, prefix: str) -> Path:
    """A new 0700 directory inside `workdir`."""
    workdir.mkdir(parents=True, exist_ok=True)
    return Path(tempfile.mkdtemp(prefix=prefix, dir=workdir))


def create_private_file(directory: Path, name: str) -> tuple[Path, BinaryIO]:
    """A new 0600 file named after `name` (sanitised) in `directory`, open for writing.

    For streaming a download straight to disk: the caller writes chunks and closes the file.
    """
    path = directory / safe_filename(name)
    stem, suffix, number = path.stem, path.suffix, 1
    while True:
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o600)
            break
        except FileExistsError:
            number += 1
            path = directory / f"{stem} ({number}){suffix}"
    return path, os.fdopen(fd, "wb")


def copy_private(source: Path, directory: Path, name: str) -> Path:
    """Copy `source` into `directory` as a private file named after `name`."""
    target, out = create_private_file(directory, name)
    with out, source.open("rb") as src:
        while chunk := src.read(_CHUNK):
            out.write(chunk)
    return target


def size_and_sha256(path: Path) -> tuple[int, str]:
    """The size and SHA-256 of a file, read in chunks (documents can be hundreds of megabytes)."""
    digest = hashlib.sha256()
    size = 0
    with path.open("rb") as fh:
        while chunk := fh.read(_CHUNK):
            digest.update(chunk)
            size += len(chunk)
    return size, digest.hexdigest()
