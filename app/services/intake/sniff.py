"""What a file is, judged by its content: names lie (a PDF saved as .docx, a photo named .pdf).

Magic numbers identify most types from their first bytes. Office files are containers, so they
are confirmed by what they contain: a DOCX is a ZIP holding `[Content_Types].xml` and
`word/document.xml`, an ODT a ZIP whose `mimetype` member says so, a .doc an OLE2 compound file
with a `WordDocument` stream. Plain text is text when a sample decodes and has no control bytes.
"""

from __future__ import annotations

import codecs
import enum
import struct
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from app.services.intake import ole

_TEXT_SAMPLE = 64 * 1024
_ODT_MIMETYPE = b"application/vnd.oasis.opendocument.text"
_TEXT_CONTROLS_ALLOWED = {"\t", "\n", "\r", "\f", "\x0b", "\x1a"}
_EXECUTABLE_MAGIC = (
    b"MZ",  # Windows
    b"\x7fELF",  # Linux
    *(b"\xfe\xed\xfa\xce", b"\xfe\xed\xfa\xcf", b"\xce\xfa\xed\xfe", b"\xcf\xfa\xed\xfe"),  # macOS
)
# zipfile reports a malformed archive through any of these, depending on which structure is broken.
_ZIP_ERRORS = (
    *(zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, ValueError, struct.error),
    *(KeyError, NotImplementedError, RuntimeError),
)
_DIB_SIZES = (12, 40, 52, 56, 64, 108, 124)


class Kind(enum.StrEnum):
    """A file's type as its content shows it."""

    PDF = "pdf"
    DOCX = "docx"
    DOC = "doc"
    RTF = "rtf"
    ODT = "odt"
    TEXT = "text"
    PNG = "png"
    JPEG = "jpeg"
    TIFF = "tiff"
    GIF = "gif"
    BMP = "bmp"
    ZIP = "zip"
    ENCRYPTED_OFFICE = "encrypted_office"
    OTHER_OFFICE = "other_office"
    DAMAGED_ZIP = "damaged_zip"
    INCOMPLETE_DOCX = "incomplete_docx"
    EXECUTABLE = "executable"
    EMPTY = "empty"
    UNKNOWN = "unknown"

    @property
    def label(self) -> str:
        """The type as a sentence names it: "is a Word document"."""
        return _LABELS[self]


_LABELS = {
    Kind.PDF: "a PDF",
    Kind.DOCX: "a Word document",
    Kind.DOC: "a Word document",
    Kind.RTF: "an RTF document",
    Kind.ODT: "an OpenDocument text file",
    Kind.TEXT: "a plain text file",
    Kind.PNG: "a PNG image",
    Kind.JPEG: "a JPEG image",
    Kind.TIFF: "a TIFF image",
    Kind.GIF: "a GIF image",
    Kind.BMP: "a BMP image",
    Kind.ZIP: "a ZIP archive",
    Kind.ENCRYPTED_OFFICE: "a password-protected Office file",
    Kind.OTHER_OFFICE: "an Office file that is not a Word document",
    Kind.DAMAGED_ZIP: "a damaged archive",
    Kind.INCOMPLETE_DOCX: "an incomplete Word document",
    Kind.EXECUTABLE: "a program",
    Kind.EMPTY: "empty",
    Kind.UNKNOWN: "of a type that cannot be identified",
}

WORD_KINDS = frozenset({Kind.DOCX, Kind.DOC})
OFFICE_KINDS = frozenset({Kind.DOCX, Kind.DOC, Kind.RTF, Kind.ODT, Kind.TEXT})
IMAGE_KINDS = frozenset({Kind.PNG, Kind.JPEG, Kind.TIFF, Kind.GIF, Kind.BMP})
CONVERTIBLE_KINDS = OFFICE_KINDS | IMAGE_KINDS
SUFFIXES = {
    Kind.PDF: ".pdf",
    Kind.DOCX: ".docx",
    Kind.DOC: ".doc",
    Kind.RTF: ".rtf",
    Kind.ODT: ".odt",
    Kind.TEXT: ".txt",
    Kind.PNG: ".png",
    Kind.JPEG: ".jpg",
    Kind.TIFF: ".tif",
    Kind.GIF: ".gif",
    Kind.BMP: ".bmp",
}
"""The suffix converters expect for each type they read (they choose their import filter by it)."""


@dataclass(frozen=True)
class Sniffed:
    """The content type of a file; `encoding` is set for plain text."""

    kind: Kind
    encoding: str | None = None


def sniff(path: Path) -> Sniffed:
    """Identify the file at `path` by its content. Raises OSError only if it cannot be read."""
    with path.open("rb") as fh:
        size = fh.seek(0, 2)
        fh.seek(0)
        head = fh.read(_TEXT_SAMPLE)
        return _identify(fh, head, size)


def _identify(fh: BinaryIO, head: bytes, size: int) -> Sniffed:
    if not head:
        return Sniffed(Kind.EMPTY)
    if b"%PDF-" in head[:1024]:
        return Sniffed(Kind.PDF)
    if head.startswith((b"PK\x03\x04", b"PK\x05\x06")):
        return Sniffed(_zip_kind(fh))
    if head.startswith(ole.SIGNATURE):
        return Sniffed(_ole_kind(fh, size))
    image = _image_kind(head)
    if image is not None:
        return Sniffed(image)
    if head.startswith(b"{\\rtf"):
        return Sniffed(Kind.RTF)
    if head.startswith(_EXECUTABLE_MAGIC):
        return Sniffed(Kind.EXECUTABLE)
    encoding = _text_encoding(head, complete=size <= len(head))
    return Sniffed(Kind.TEXT, encoding) if encoding else Sniffed(Kind.UNKNOWN)


def _image_kind(head: bytes) -> Kind | None:
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return Kind.PNG
    if head.startswith(b"\xff\xd8\xff"):
        return Kind.JPEG
    if head.startswith((b"II*\x00", b"MM\x00*")):
        return Kind.TIFF
    if head.startswith((b"GIF87a", b"GIF89a")):
        return Kind.GIF
    # "BM" alone is too weak (a text file may start with it): check the DIB header size too.
    if head.startswith(b"BM") and len(head) >= 18 and struct.unpack_from("<I", head, 14)[0] in _DIB_SIZES:
        return Kind.BMP
    return None


def _zip_kind(fh: BinaryIO) -> Kind:
    fh.seek(0)
    try:
        with zipfile.ZipFile(fh) as zf:
            names = set(zf.namelist())
            if "[Content_Types].xml" in names and any(n.startswith("word/") for n in names):
                return Kind.DOCX if "word/document.xml" in names else Kind.INCOMPLETE_DOCX
            if "mimetype" in names:
                with zf.open("mimetype") as member:
                    if member.read(len(_ODT_MIMETYPE) + 8).strip() == _ODT_MIMETYPE:
                        return Kind.ODT
            return Kind.ZIP
    except _ZIP_ERRORS:
        return Kind.DAMAGED_ZIP


def _ole_kind(fh: BinaryIO, size: int) -> Kind:
    try:
        names = ole.stream_names(fh, size)
    except (ole.NotCompoundFile, OSError, struct.error):
        return Kind.UNKNOWN
    if "EncryptedPackage" in names:
        return Kind.ENCRYPTED_OFFICE
    return Kind.DOC if "WordDocument" in names else Kind.OTHER_OFFICE


def _text_encoding(head: bytes, *, complete: bool) -> str | None:
    """The encoding `head` decodes with as text, or None when it is not text."""
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        candidates = ["utf-16"]
    elif b"\x00" in head:
        return None
    else:
        candidates = ["utf-8-sig", "cp1252", "latin-1"]
    for encoding in candidates:
        decoder = codecs.getincrementaldecoder(encoding)()
        try:
            text = decoder.decode(head, final=complete)
        except UnicodeDecodeError:
            continue
        if any((ch < " " and ch not in _TEXT_CONTROLS_ALLOWED) or ch == "\x7f" for ch in text):
            return None
        return encoding
    return None
