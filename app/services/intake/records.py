"""What intake takes and gives: the court's limits, the stages, and Ready or Refused.

A refusal is an answer, not an error: a bad file is one of the expected outcomes of adding a
document, so `prepare` returns `Refused` with a message naming the file, and never raises for
anything the file itself contains.
"""

from __future__ import annotations

import enum
import shutil
from dataclasses import dataclass
from pathlib import Path

MB = 1024 * 1024


@dataclass(frozen=True)
class CourtLimits:
    """What the court accepts for one document (`efiling-domain.md` 4.3 and 4.4)."""

    court_name: str
    max_document_bytes: int
    max_file_name_length: int
    paper: tuple[float, float] = (612.0, 792.0)
    """The court's paper in points, portrait (California: 8.5 × 11 in, CRC 2.103)."""


class Stage(enum.StrEnum):
    """Where a document is on its way to being ready, for its row's status."""

    CHECKING = "checking"
    CONVERTING = "converting"
    READY = "ready"


class RefusalKind(enum.StrEnum):
    """Why a file cannot be filed; the UI shows `Refused.reason`, tests and logs use the kind."""

    EMPTY = "empty"
    UNREADABLE = "unreadable"
    UNSUPPORTED = "unsupported"
    DAMAGED = "damaged"
    PASSWORD_PROTECTED = "password_protected"  # noqa: S105 (a reason, not a password)
    ENCRYPTED = "encrypted"
    FILLABLE_FORM = "fillable_form"
    NO_PAGES = "no_pages"
    TOO_LARGE = "too_large"
    NO_CONVERTER = "no_converter"
    CONVERSION_FAILED = "conversion_failed"


REMAKE_PDF = "Open it to check it, save or print it to PDF again, and add the new file."
"""What to do about a PDF that cannot be filed as it is (the end of every such refusal)."""


def password_protected_pdf(name: str) -> Refusal:
    """The refusal for a PDF that needs a password to open (`name` already quoted)."""
    return Refusal(
        RefusalKind.PASSWORD_PROTECTED,
        f"{name} is password-protected. Remove the password (open it and Print to PDF) and add it again.",
    )


class NoticeKind(enum.StrEnum):
    """Something worth telling the user about a document that can still be filed."""

    NO_TEXT_LAYER = "no_text_layer"
    JAVASCRIPT = "javascript"
    ATTACHMENTS = "attachments"
    NAME_CHANGED = "name_changed"
    TYPE_MISMATCH = "type_mismatch"
    WORD_COPY_MISSING = "word_copy_missing"
    LARGE_PAGES = "large_pages"
    REPAIRED = "repaired"


@dataclass(frozen=True)
class Notice:
    """A warning shown on the document's row; the document is still filed."""

    kind: NoticeKind
    message: str


@dataclass(frozen=True)
class Ready:
    """A court-ready PDF (and the original Word file when the document type needs one).

    The files live in a private directory of their own; `discard` removes it once the document is
    uploaded or taken off the order.
    """

    pdf_path: Path
    word_copy_path: Path | None
    pages: int
    size: int
    sha256: str
    warnings: tuple[Notice, ...]
    fixed_name: str

    def discard(self) -> None:
        """Remove this document's files (the PDF, the Word copy and their private directory)."""
        shutil.rmtree(self.pdf_path.parent, ignore_errors=True)


@dataclass(frozen=True)
class Refused:
    """The file cannot be filed; `reason` names it and says what to do, in plain words."""

    reason: str
    kind: RefusalKind


Prepared = Ready | Refused


class Refusal(Exception):
    """Raised inside intake's steps and turned into `Refused` at the edge of `prepare`."""

    def __init__(self, kind: RefusalKind, reason: str) -> None:
        super().__init__(reason)
        self.kind = kind
        self.reason = reason

    def refused(self) -> Refused:
        return Refused(self.reason, self.kind)


def quoted(name: str) -> str:
    """A file name as messages show it."""
    return f"“{name}”"


def megabytes(size: int) -> str:
    """35 MB, 41.2 MB: whole numbers without a decimal, the rest with one."""
    value = size / MB
    return f"{value:.0f} MB" if value == int(value) else f"{value:.1f} MB"
