"""Real PDFs: checking uploads, and the documents the court returns (stamped copies, receipts, notices).

Everything here is plain file work with no database, so callers can run it in a worker thread
(`asyncio.to_thread`) and keep the event loop free while a 300 MB upload is inspected or stamped.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from pypdf import PdfReader, PdfWriter
from reportlab.lib.colors import Color
from reportlab.lib.pagesizes import LETTER
from reportlab.pdfgen.canvas import Canvas

STAMP_BLUE = Color(0.1, 0.2, 0.6)


class ContentRefused(Exception):
    """An upload the court would not take; `code` and `message` go straight into the API error."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass(frozen=True)
class PdfFacts:
    page_count: int


def check_pdf(path: Path, name: str) -> PdfFacts:
    """Accept only an unencrypted, non-fillable, readable PDF with at least one page."""
    with path.open("rb") as fh:
        head = fh.read(1024)
    if not head:
        raise ContentRefused("empty_file", f"{name} is empty (0 bytes). Upload the document again.")
    if b"%PDF-" not in head:
        hint = " It looks like a Word file: convert it to PDF first." if head.startswith(b"PK") else ""
        raise ContentRefused("not_a_pdf", f"{name} is not a PDF.{hint} Only PDF files can be filed.")
    try:
        reader = PdfReader(path)
        if reader.is_encrypted:
            raise ContentRefused(
                "encrypted_pdf",
                f"{name} is password-protected or encrypted. Remove the password and security "
                "settings, then upload it again.",
            )
        root = reader.trailer["/Root"]
        form = root.get("/AcroForm")
        if form is not None:
            form = form.get_object()
            if form.get("/XFA") is not None or form.get("/Fields"):
                raise ContentRefused(
                    "fillable_pdf",
                    f"{name} is a fillable form. Flatten it first (print it to PDF), then upload it again.",
                )
        pages = len(reader.pages)
    except ContentRefused:
        raise
    except Exception as exc:  # any parser failure on user input means the file is damaged
        raise ContentRefused(
            "damaged_pdf", f"{name} is damaged or unreadable as a PDF ({type(exc).__name__})."
        ) from exc
    if pages == 0:
        raise ContentRefused("empty_pdf", f"{name} has no pages.")
    return PdfFacts(pages)


def sniff_word(path: Path, name: str) -> str:
    """The media type of an editable Word copy (DOCX, DOC or RTF), or refuse it."""
    with path.open("rb") as fh:
        head = fh.read(8)
    if head.startswith(b"PK"):
        try:
            with zipfile.ZipFile(path) as zf:
                if "word/document.xml" in zf.namelist():
                    return "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
        except zipfile.BadZipFile:
            pass
    elif head.startswith(b"\xd0\xcf\x11\xe0"):
        return "application/msword"
    elif head.startswith(b"{\\rtf"):
        return "application/rtf"
    raise ContentRefused("not_a_word_file", f"{name} is not a Word document (DOCX, DOC or RTF).")


def _text_pdf(pages: Sequence[Sequence[str]], title: str) -> bytes:
    buf = io.BytesIO()
    canvas = Canvas(buf, pagesize=LETTER, pageCompression=1)
    canvas.setTitle(title)
    width, height = LETTER
    for number, lines in enumerate(pages, start=1):
        y = height - 72
        for i, line in enumerate(lines):
            canvas.setFont("Helvetica-Bold" if i == 0 else "Helvetica", 13 if i == 0 else 11)
            canvas.drawString(72, y, line)
            y -= 22 if i == 0 else 15
        canvas.setFont("Helvetica", 9)
        canvas.drawCentredString(width / 2, 40, f"Page {number} of {len(pages)}")
        canvas.showPage()
    canvas.save()
    return buf.getvalue()


def make_pdf(title: str, pages: int, subtitle: str = "") -> bytes:
    """A simple multi-page, text-searchable pleading-like PDF."""
    body = [
        "Plaintiff alleges as follows, on information and belief as to matters not personal.",
        "The facts stated in this document are true and correct to the best of counsel's knowledge.",
    ]
    return _text_pdf(
        [[title, subtitle, "", *body, f"(page {n} of {title})"] for n in range(1, pages + 1)], title
    )


def stamp_conformed(
    src: Path, dst: Path, court_name: str, filed_on: date, order_number: str, hearing: str | None = None
) -> PdfFacts:
    """Copy `src` to `dst` with an "ENDORSED FILED" stamp (court and date) on page 1, and the
    hearing the court set (`hearing`, e.g. "HEARING 01/12/2027 8:30 AM, Dept. 34") under it."""
    reader = PdfReader(src)
    first = reader.pages[0]
    box = first.mediabox
    width, height = float(box.width), float(box.height)
    overlay = io.BytesIO()
    canvas = Canvas(overlay, pagesize=(width, height))
    canvas.setStrokeColor(STAMP_BLUE)
    canvas.setFillColor(STAMP_BLUE)
    left, top = width - 250, height - 20
    canvas.rect(left, top - 92, 236, 88)
    lines = [
        ("Helvetica-Bold", 12, "ENDORSED FILED"),
        ("Helvetica", 6.5, court_name),
        ("Helvetica-Bold", 10, filed_on.strftime("%m/%d/%Y")),
        ("Helvetica", 8, "Clerk of the Court"),
        ("Helvetica", 8, f"By: Sandbox Clerk, Deputy   Order {order_number}"),
    ]
    if hearing:
        canvas.setFont("Helvetica-Bold", 9)
        canvas.drawCentredString(left + 118, top - 106, hearing)
    y = top - 18
    for font, size, text in lines:
        canvas.setFont(font, size)
        canvas.drawCentredString(left + 118, y, text)
        y -= size + 6
    canvas.save()
    stamp_page = PdfReader(io.BytesIO(overlay.getvalue())).pages[0]
    writer = PdfWriter(clone_from=reader)
    writer.pages[0].merge_page(stamp_page)
    with dst.open("wb") as fh:
        writer.write(fh)
    return PdfFacts(len(writer.pages))


def _write(dst: Path, pages: Sequence[Sequence[str]], title: str) -> PdfFacts:
    dst.write_bytes(_text_pdf(pages, title))
    return PdfFacts(len(pages))


def _money(cents: int) -> str:
    return f"${cents / 100:,.2f}"


def write_receipt(
    dst: Path, provider: str, order_number: str, court_name: str, fee_lines: Sequence[tuple[str, int]]
) -> PdfFacts:
    """A one-page receipt: one line per fee (description and amount) and the total."""
    lines = [
        f"{provider} - eFiling Receipt",
        f"Order {order_number}",
        court_name,
        "",
        *(f"{desc} ........ {_money(cents)}" for desc, cents in fee_lines),
        "",
        f"Total charged ........ {_money(sum(c for _, c in fee_lines))}",
    ]
    return _write(dst, [lines], f"Receipt for order {order_number}")


def write_notice(
    dst: Path, order_number: str, court_name: str, status: str, rejected: Sequence[tuple[str, str]]
) -> PdfFacts:
    """The court's notice: the outcome and, for every rejected document, its name and reason."""
    heading = "Notice of Rejection" if status == "rejected" else "Notice of Partial Acceptance"
    lines = [
        f"{heading} of Electronic Filing",
        court_name,
        f"Order {order_number}",
        "",
        "The following documents were rejected by the clerk:",
    ]
    for name, reason in rejected:
        lines += [f"- {name}", f"  Reason: {reason}"]
    return _write(dst, [lines], f"{heading} for order {order_number}")


def write_signed_order(dst: Path, order_number: str, court_name: str, case_title: str, on: date) -> PdfFacts:
    """A judge-signed order returned after the filing was accepted."""
    lines = [
        "ORDER (SIGNED)",
        court_name,
        case_title,
        f"eFiling order {order_number}",
        "",
        "Good cause appearing, the proposed order is GRANTED as submitted.",
        "",
        f"Dated: {on.strftime('%m/%d/%Y')}          /s/ Judge of the Superior Court",
    ]
    return _write(dst, [lines], f"Signed order for order {order_number}")
