"""Make names that come from Clio or the court safe to use as local file names.

A returned document's name is chosen by someone else; before it touches the disk it loses path
separators, control and reserved characters, the bidirectional controls that can disguise an
extension ("Invoice\u202efdp.exe" shows as "Invoiceexe.pdf"), Windows device names and trailing
dots/spaces, and is cut to a length every supported file system accepts, keeping its extension.
"""

from __future__ import annotations

import re
import unicodedata

_FORBIDDEN = re.compile(r'[\x00-\x1f\x7f<>:"/\\|?*]')
_BIDI_CONTROLS = re.compile("[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")
# Windows device names, whatever follows the first dot: COM0-9 and LPT0-9 with the superscript
# digits Windows also reads as device numbers (COM¹, LPT²...), and the console's CONIN$/CONOUT$.
_WINDOWS_DEVICES = {"CON", "PRN", "AUX", "NUL", "CONIN$", "CONOUT$"} | {
    f"{p}{n}" for p in ("COM", "LPT") for n in "0123456789¹²³"
}
_EXTENSION = re.compile(r"[A-Za-z0-9]{1,10}")
MAX_NAME_BYTES = 200  # well under the 255-byte limit of ext4/NTFS/APFS, leaving room for " (2)"


def safe_filename(name: str, default: str = "document") -> str:
    """A file name safe on Windows, macOS and Linux that still reads like `name`."""
    name = _BIDI_CONTROLS.sub("", name)
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
