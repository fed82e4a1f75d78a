"""Make names that come from Clio or the court safe to use as local file names.

A returned document's name is chosen by someone else; before it touches the disk it loses path
separators, control and reserved characters, Windows device names and trailing dots/spaces, and is
cut to a length every supported file system accepts, keeping its extension.
"""

from __future__ import annotations

import re
import unicodedata

_FORBIDDEN = re.compile(r'[\x00-\x1f\x7f<>:"/\\|?*]')
_WINDOWS_DEVICES = {"CON", "PRN", "AUX", "NUL"} | {f"{p}{n}" for p in ("COM", "LPT") for n in range(1, 10)}
_EXTENSION = re.compile(r"[A-Za-z0-9]{1,10}")
MAX_NAME_BYTES = 200  # well under the 255-byte limit of ext4/NTFS/APFS, leaving room for " (2)"


def safe_filename(name: str, default: str = "document") -> str:
    """A file name safe on Windows, macOS and Linux that still reads like `name`."""
    name = _FORBIDDEN.sub("_", unicodedata.normalize("NFC", name))
    name = re.sub(r"\s+", " ", name).strip()
    stem, dot, ext = name.rpartition(".")
    if not dot or not _EXTENSION.fullmatch(ext):
        stem, ext = name, ""  # "archive.tar_old" or "notes." have no extension worth keeping
    stem = stem.strip(" .") or default
    if stem.split(".")[0].upper() in _WINDOWS_DEVICES:
        stem = f"_{stem}"
    suffix = f".{ext}" if ext else ""
    while len((stem + suffix).encode("utf-8")) > MAX_NAME_BYTES:
        stem = stem[:-1]
    return (stem.rstrip(" .") or default) + suffix
