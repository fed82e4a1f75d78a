"""Seed files for the sandbox: one generator per `SeedFile.kind`, and a cache of generated files.

    path = seed_file_bytes(SeedFile("Summons.pdf", "pdf", 2))   # generated on first use, then reused

The generators live in `pdfkinds` (PDFs), `office` (DOCX, RTF, ODT, TXT), `images` (PNG, JPEG) and
`bigpdf` (multi-hundred-megabyte PDFs for benchmarks); this module is their public face.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import tempfile
from collections.abc import Callable
from pathlib import Path

import platformdirs

from sandbox.seed import firm
from sandbox.seed.bigpdf import make_big_pdf_file
from sandbox.seed.images import make_jpg, make_png
from sandbox.seed.office import make_docx, make_odt, make_rtf, make_txt
from sandbox.seed.pdfkinds import (
    ENCRYPTED_PDF_PASSWORD,
    OWNER_PASSWORD,
    make_encrypted_pdf,
    make_fillable_pdf,
    make_large_pdf,
    make_owner_locked_pdf,
    make_pdf,
    make_scanned_pdf,
    make_xfa_pdf,
)

__all__ = [
    "ENCRYPTED_PDF_PASSWORD",
    "GENERATOR_VERSION",
    "KINDS",
    "OWNER_PASSWORD",
    "cache_dir",
    "generate",
    "make_big_pdf_file",
    "make_docx",
    "make_encrypted_pdf",
    "make_fillable_pdf",
    "make_jpg",
    "make_large_pdf",
    "make_odt",
    "make_owner_locked_pdf",
    "make_pdf",
    "make_png",
    "make_rtf",
    "make_scanned_pdf",
    "make_txt",
    "make_xfa_pdf",
    "seed_file_bytes",
]

GENERATOR_VERSION = 2
"""Bump when any generator's output changes, so cached files from older versions are not reused."""

CACHE_ENV = "LCSANDBOX_CACHE_DIR"


def _title(spec: firm.SeedFile) -> str:
    return Path(spec.name).stem


KINDS: dict[str, tuple[str, Callable[[firm.SeedFile], bytes]]] = {
    "pdf": (".pdf", lambda s: make_pdf(_title(s), s.pages)),
    "docx": (".docx", lambda s: make_docx(_title(s), s.pages)),
    "rtf": (".rtf", lambda s: make_rtf(_title(s), s.pages)),
    "odt": (".odt", lambda s: make_odt(_title(s), s.pages)),
    "txt": (".txt", lambda s: make_txt(_title(s))),
    "png": (".png", lambda s: make_png(_title(s))),
    "jpg": (".jpg", lambda s: make_jpg(_title(s))),
    "encrypted_pdf": (".pdf", lambda s: make_encrypted_pdf(_title(s), s.pages)),
    "owner_locked_pdf": (".pdf", lambda s: make_owner_locked_pdf(_title(s), s.pages)),
    "fillable_pdf": (".pdf", lambda s: make_fillable_pdf(_title(s), s.pages)),
    "xfa_pdf": (".pdf", lambda s: make_xfa_pdf(_title(s), s.pages)),
    "large_pdf": (".pdf", lambda s: make_large_pdf(s.pages, _title(s))),
    "scanned_pdf": (".pdf", lambda s: make_scanned_pdf(_title(s), s.pages)),
}
"""kind -> (file suffix, generator). Every kind `firm.SeedFile` names is here."""


def _kind(spec: firm.SeedFile) -> tuple[str, Callable[[firm.SeedFile], bytes]]:
    try:
        return KINDS[spec.kind]
    except KeyError:
        raise ValueError(f"unknown seed file kind {spec.kind!r}; known: {', '.join(KINDS)}") from None


def generate(spec: firm.SeedFile) -> bytes:
    """The bytes of a seed file, freshly generated (no cache)."""
    return _kind(spec)[1](spec)


def cache_dir() -> Path:
    """Where generated seed files are kept: `$LCSANDBOX_CACHE_DIR`, else the user's cache directory."""
    override = os.environ.get(CACHE_ENV)
    return Path(override) if override else Path(platformdirs.user_cache_dir("legalconnect-sandbox"))


def _cache_path(spec: firm.SeedFile) -> Path:
    suffix, _generator = _kind(spec)
    key = f"{spec.kind}\0{spec.name}\0{spec.pages}\0{GENERATOR_VERSION}".encode()
    digest = hashlib.sha256(key).hexdigest()[:24]
    return cache_dir() / f"files-v{GENERATOR_VERSION}" / f"{spec.kind}-{digest}{suffix}"


def seed_file_bytes(spec: firm.SeedFile) -> Path:
    """The path of the generated file for `spec`, generating it on first use.

    Safe across threads and processes: each writer fills its own temporary file and renames it into
    place, so a reader sees either no file or a complete one (two racing writers both write; the last
    rename wins, and both files are equivalent).
    """
    path = _cache_path(spec)
    if path.is_file():
        return path
    data = generate(spec)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".partial-", suffix=path.suffix)
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
        Path(tmp).replace(path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            Path(tmp).unlink()
        raise
    return path
