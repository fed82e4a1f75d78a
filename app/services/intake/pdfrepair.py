"""Every incoming PDF is opened, repaired where it can be, and written out clean, before the checks.

qpdf (through pikepdf, the library OCRmyPDF is built on) rebuilds a broken cross-reference
table, walks the page tree (a tree that loops on itself is refused, not half-read), reads the
filter abbreviations and `null` filters some producers write, and writes a file that reads
through page by page with its header at byte 0. What qpdf cannot open is refused as damaged,
and so is a page whose content does not decode or parse (a reader would show it blank or cut
short); a file it had to repair is filed repaired, and its row says so. Encryption is judged here
too: a password needed to open it (an empty owner password lets qpdf open it, a reader still
asks), or owner-only protection (it opens, but is encrypted).
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass
from pathlib import Path

import pikepdf

from app.services.intake.records import (
    REMAKE_PDF,
    Notice,
    NoticeKind,
    Refusal,
    RefusalKind,
    password_protected_pdf,
    quoted,
)

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Rewritten:
    """The clean copy written at `path`, its page count, and whether qpdf had to repair it."""

    path: Path
    pages: int
    repaired: bool


def rewrite(source: Path, target: Path, display_name: str) -> Rewritten:
    """Write a clean copy of the PDF at `source` to `target`; raises `Refusal` (naming
    `display_name`) for a file that cannot be opened, is protected, or has no pages."""
    name = quoted(display_name)
    try:
        with pikepdf.open(source, suppress_warnings=True) as pdf:
            if pdf.is_encrypted and not pdf.user_password_matched:
                # It opened because its owner password is empty; a reader asks for the password.
                raise password_protected_pdf(name)
            if pdf.is_encrypted:
                raise Refusal(
                    RefusalKind.ENCRYPTED,
                    f"{name} is encrypted (it opens, but its owner restricted it) — remove the "
                    "protection (open it and Print to PDF) first, then add it again.",
                )
            pages = len(pdf.pages)  # walks the page tree: loops and dead ends raise here
            if pages == 0:
                raise Refusal(RefusalKind.NO_PAGES, f"{name} has no pages. Check the file and add it again.")
            warnings = pdf.get_warnings()  # (reading the warnings clears them)
            _spell_out_filters(pdf)
            warnings += pdf.get_warnings()  # reading every object repairs some
            repaired = bool(warnings)
            # Every page's content must decode and parse, or a reader shows it blank or cut short
            # (or refuses it). After a repair of the file its content must also be there: a repair
            # may recover the page tree of a cut-off file while the pages' content is gone.
            cut = any(not any(fix in w for fix in _PAGE_FIXES) for w in warnings)
            unreadable = sum(1 for page in pdf.pages if not _content_reads(pdf, page, cut))
            if unreadable:
                if unreadable == pages:
                    which, verb = "its pages", "are"
                else:
                    which, verb = f"{unreadable} of its {pages} pages", "is" if unreadable == 1 else "are"
                what = (
                    f"{which} {verb} lost (the file is cut off or broken)"
                    if cut
                    else f"{which} cannot be read (its content is broken)"
                )
                raise Refusal(RefusalKind.DAMAGED, f"{name} is damaged: {what}. {REMAKE_PDF}")
            # Court papers stay private (0600) from the first byte written.
            with os.fdopen(os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "wb") as out:
                pdf.save(
                    out,
                    stream_decode_level=pikepdf.StreamDecodeLevel.generalized,
                    object_stream_mode=pikepdf.ObjectStreamMode.preserve,
                    fix_metadata_version=True,
                )
            repaired = repaired or bool(pdf.get_warnings())
    except Refusal:
        target.unlink(missing_ok=True)
        raise
    except pikepdf.PasswordError as exc:
        target.unlink(missing_ok=True)
        raise password_protected_pdf(name) from exc
    except Exception as exc:  # qpdf could not make sense of it (PdfError, a loop, an I/O error...)
        target.unlink(missing_ok=True)
        log.info("PDF %s cannot be repaired: %s: %s", display_name, type(exc).__name__, exc)
        raise Refusal(
            RefusalKind.DAMAGED, f"{name} is damaged beyond repair and cannot be read. {REMAKE_PDF}"
        ) from exc
    if repaired:
        log.info("PDF %s was repaired", display_name)
    return Rewritten(target, pages, repaired)


_FILTER_NAMES = {
    "/Fl": "/FlateDecode",
    "/AHx": "/ASCIIHexDecode",
    "/A85": "/ASCII85Decode",
    "/LZW": "/LZWDecode",
    "/RL": "/RunLengthDecode",
    "/CCF": "/CCITTFaxDecode",
    "/DCT": "/DCTDecode",
}
"""The abbreviations PDF allows for inline images, which some producers also write on streams:
readers that follow the standard (the court's among them) refuse them there."""


def _spell_out_filters(pdf: pikepdf.Pdf) -> None:
    """Give every stream its filters' full names, and drop a `null` filter (no filter)."""
    for obj in pdf.objects:
        if not isinstance(obj, pikepdf.Stream) or "/Filter" not in obj:
            continue
        current = obj.get("/Filter")
        if current is None:  # pikepdf reads a null value as None
            del obj["/Filter"]
            continue
        if isinstance(current, pikepdf.Name) and str(current) in _FILTER_NAMES:
            obj.Filter = pikepdf.Name(_FILTER_NAMES[str(current)])
        elif isinstance(current, pikepdf.Array):
            names = [_FILTER_NAMES.get(str(f), str(f)) for f in current]
            obj.Filter = pikepdf.Array([pikepdf.Name(n) for n in names])


_PAGE_FIXES = ("MediaBox is undefined", "Resources is missing or invalid")
"""qpdf's warnings for a page it completed (letter paper, empty resources): a repair of the page,
not of a cut-off file, so a page there without content is blank, not lost."""


def _content_reads(pdf: pikepdf.Pdf, page: pikepdf.Page, cut: bool) -> bool:
    """Whether the page's content decodes and parses without a warning from qpdf; in a file that
    may have been cut off (see `rewrite`), also whether there is any. Elsewhere a page without
    content is blank, which PDF allows."""
    contents = page.obj.get("/Contents")
    streams = list(contents) if isinstance(contents, pikepdf.Array) else [contents]
    pdf.get_warnings()  # clear them: any from here on are this page's
    try:
        if cut and not (
            streams and all(isinstance(s, pikepdf.Stream) and len(s.read_bytes()) > 0 for s in streams)
        ):
            return False
        pikepdf.parse_content_stream(page)
    except pikepdf.PdfError:
        return False
    return not any(_HARMLESS not in warning for warning in pdf.get_warnings())


_HARMLESS = "name with stray #"
"""qpdf's warning for a name like /A#B (an old way to write #, read as it is by every reader)."""


def repaired_notice(display_name: str) -> Notice:
    """The row's note that the file was damaged and has been repaired."""
    return Notice(
        NoticeKind.REPAIRED,
        f"{quoted(display_name)} was damaged (its structure was broken) and has been repaired; check "
        "its pages before filing.",
    )
