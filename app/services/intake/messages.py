"""What intake tells the user about a file's type: why it is refused, or that it is not what its
name says. Every message names the file and says what to do next.
"""

from __future__ import annotations

from pathlib import PurePath

from app.services.intake.records import REMAKE_PDF, Notice, NoticeKind, Refusal, RefusalKind, quoted
from app.services.intake.sniff import Kind

_PDF_YOURSELF = "Save it as PDF yourself and add the PDF."

_EXPECTED = {
    ".pdf": {Kind.PDF},
    ".docx": {Kind.DOCX},
    ".doc": {Kind.DOC, Kind.RTF},  # Word has long saved RTF under a .doc name
    ".rtf": {Kind.RTF},
    ".odt": {Kind.ODT},
    ".txt": {Kind.TEXT},
    ".png": {Kind.PNG},
    ".jpg": {Kind.JPEG},
    ".jpeg": {Kind.JPEG},
    ".tif": {Kind.TIFF},
    ".tiff": {Kind.TIFF},
    ".gif": {Kind.GIF},
    ".bmp": {Kind.BMP},
}


_DOCUMENT_NAMES = {
    ".pdf": "a PDF",
    ".docx": "a Word document",
    ".doc": "a Word document",
    ".rtf": "an RTF document",
    ".odt": "an OpenDocument text file",
}
TEXT_SUFFIXES = frozenset({"", ".txt", ".text"})
"""Names under which plain text is converted (and printed) as text: anything else that turns out
to be text — a broken PDF, a web page saved as .docx — is not filed as a printout of its bytes."""


def content_refusal(kind: Kind, display_name: str) -> Refusal | None:
    """The refusal when the content cannot be what the name promises and printing it would file
    garbage: a document name over text or unidentifiable bytes, or text under a name that is not
    a text file's. None when name and content may go on."""
    name = quoted(display_name)
    suffix = PurePath(display_name).suffix.lower()
    promised = _DOCUMENT_NAMES.get(suffix)
    if promised is not None and kind in (Kind.TEXT, Kind.UNKNOWN):
        found = "plain text or a web page" if kind is Kind.TEXT else "unrecognisable data"
        again = (
            REMAKE_PDF
            if suffix == ".pdf"
            else "Open it in Word to check it, save it again as a Word document or PDF, and add the new file."
        )
        return Refusal(
            RefusalKind.DAMAGED,
            f"{name} is named as {promised}, but its content is {found}: the file is damaged, or "
            f"something else was given its name. {again}",
        )
    if kind is Kind.TEXT and suffix not in TEXT_SUFFIXES:
        return Refusal(
            RefusalKind.UNSUPPORTED,
            f"{name} is plain text (or a web page) saved as “{suffix}”; only .txt files are converted "
            f"as text. {_PDF_YOURSELF}",
        )
    return None


def refusal_for_kind(kind: Kind, display_name: str) -> Refusal:
    """The refusal for a file whose type can be neither filed nor converted."""
    name = quoted(display_name)
    if kind is Kind.EMPTY:
        return Refusal(RefusalKind.EMPTY, f"{name} is empty (0 bytes). Check the file and add it again.")
    if kind is Kind.ENCRYPTED_OFFICE:
        return Refusal(
            RefusalKind.PASSWORD_PROTECTED,
            f"{name} is a password-protected Office file. Remove the password (in Word: File › Info › "
            "Protect Document), save it, and add it again.",
        )
    if kind is Kind.INCOMPLETE_DOCX:
        return Refusal(
            RefusalKind.DAMAGED,
            f"{name} is a damaged Word document (its text is missing) and cannot be converted. "
            "Open it in Word, save it again, and add the new file.",
        )
    if kind is Kind.DAMAGED_ZIP:
        return Refusal(
            RefusalKind.DAMAGED,
            f"{name} is damaged and cannot be opened (it is not a complete Word, OpenDocument or ZIP "
            "file). Save it again and add the new file.",
        )
    if kind is Kind.ZIP:
        return Refusal(
            RefusalKind.UNSUPPORTED,
            f"{name} is a ZIP archive, not a document. Unzip it and add the documents inside one by one.",
        )
    if kind is Kind.OTHER_OFFICE:
        return Refusal(
            RefusalKind.UNSUPPORTED,
            f"{name} is an Office file that is not a Word document (a spreadsheet, presentation or "
            f"e-mail). {_PDF_YOURSELF}",
        )
    if kind is Kind.EXECUTABLE:
        return Refusal(
            RefusalKind.UNSUPPORTED,
            f"{name} is a program, not a document, and cannot be filed. Check that you picked the right "
            "file.",
        )
    return Refusal(
        RefusalKind.UNSUPPORTED,
        f"{name} is not a kind of file that can be filed or converted (PDF, Word, RTF, OpenDocument "
        f"text, plain text and images can). {_PDF_YOURSELF}",
    )


def type_mismatch(kind: Kind, display_name: str) -> Notice | None:
    """A notice when the name's extension promises another type than the content is."""
    expected = _EXPECTED.get(PurePath(display_name).suffix.lower())
    if expected is None or kind in expected:
        return None
    then = "it will be filed as it is" if kind is Kind.PDF else "it was converted to PDF"
    return Notice(NoticeKind.TYPE_MISMATCH, f"{quoted(display_name)} is actually {kind.label}; {then}.")


def word_copy_missing(kind: Kind, display_name: str) -> Notice:
    """This document type needs an editable Word copy, and the file is not a Word file."""
    return Notice(
        NoticeKind.WORD_COPY_MISSING,
        f"This document type also needs an editable Word copy, and {quoted(display_name)} is "
        f"{kind.label}. Add the Word version of it too.",
    )
