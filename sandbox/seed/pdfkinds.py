"""PDF seed files: pleadings, plain text documents, and the awkward kinds intake must refuse or cope with.

Every canvas is made with reportlab's `invariant` mode (fixed dates and document id), so the same
arguments give the same bytes. pypdf's encryption adds random salts, so protected PDFs differ per run.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

from pypdf import PdfReader, PdfWriter
from pypdf.constants import UserAccessPermissions
from pypdf.generic import (
    ArrayObject,
    BooleanObject,
    DictionaryObject,
    NameObject,
    StreamObject,
    TextStringObject,
)
from reportlab.lib.pagesizes import LETTER
from reportlab.lib.utils import ImageReader
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas

from sandbox.seed import firm, images, prose

PAGE_W, PAGE_H = LETTER
ENCRYPTED_PDF_PASSWORD = "sandbox-open-1234"
"""User password of the password-protected seed PDF (tests and demos may open it with this)."""
OWNER_PASSWORD = "sandbox-owner-5678"
"""Owner password of the protected seed PDFs; the owner-locked one has an empty user password."""

# California Rules of Court 2.108: numbered lines, at least one and a half spaced; 28 per page is usual.
_LINES = 28
_LINE_STEP = 24.0
_TOP = PAGE_H - 72
_TEXT_X, _TEXT_RIGHT = 80.0, PAGE_W - 72
_BODY_FONT, _BOLD_FONT, _SIZE = "Times-Roman", "Times-Bold", 12
_CAPTION_LINES = 16


@dataclass(frozen=True)
class _Line:
    text: str
    bold: bool = False
    centered: bool = False
    indent: float = 0.0


def _canvas(buf: io.BytesIO, title: str, **kwargs: object) -> Canvas:
    c = Canvas(buf, pagesize=LETTER, invariant=1, **kwargs)
    c.setTitle(title)
    c.setAuthor(firm.FIRM_NAME)
    c.setCreator("LegalConnect sandbox seed")
    return c


def _wrap(text: str, width: float, first_indent: float = 0.0, font: str = _BODY_FONT) -> list[_Line]:
    """Greedy word wrap measured in the real font, first line indented like a pleading paragraph."""
    lines: list[_Line] = []
    current, indent = "", first_indent
    for word in text.split():
        candidate = f"{current} {word}".strip()
        if current and stringWidth(candidate, font, _SIZE) > width - indent:
            lines.append(_Line(current, indent=indent))
            current, indent = word, 0.0
        else:
            current = candidate
    lines.append(_Line(current, indent=indent))
    return lines


def _pleading_body(title: str, count: int) -> list[_Line]:
    """Exactly `count` body lines: numbered paragraphs under occasional centred headings."""
    rng = prose.rng_for(f"pleading:{title}")
    lines: list[_Line] = []
    number = 1
    while len(lines) < count:
        if number % 4 == 1:
            lines.append(_Line(prose.HEADINGS[(number // 4) % len(prose.HEADINGS)], bold=True, centered=True))
        lines.extend(_wrap(f"{number}. {prose.paragraph(rng)}", _TEXT_RIGHT - _TEXT_X, 36.0))
        number += 1
    return lines[:count]


def _pleading_frame(c: Canvas, page: int, pages: int, title: str) -> None:
    """Line numbers, the margin rules and the footer of pleading paper."""
    c.setFont(_BODY_FONT, 10)
    for n in range(1, _LINES + 1):
        c.drawRightString(60, _TOP - (n - 1) * _LINE_STEP, str(n))
    c.setLineWidth(0.6)
    c.line(68, PAGE_H, 68, 0)
    c.line(71, PAGE_H, 71, 0)
    c.line(PAGE_W - 64, PAGE_H, PAGE_W - 64, 0)
    _footer(c, page, pages, title)


def _footer(c: Canvas, page: int, pages: int, title: str) -> None:
    c.setLineWidth(0.6)
    c.line(_TEXT_X, 50, _TEXT_RIGHT, 50)
    c.setFont(_BODY_FONT, 10)
    c.drawCentredString(PAGE_W / 2, 38, f"Page {page} of {pages}")
    c.setFont(_BODY_FONT, 8)
    c.drawCentredString(PAGE_W / 2, 27, title.upper()[:110])


def _caption(c: Canvas, title: str, subtitle: str) -> None:
    """Attorney block, court and caption: numbered lines 1 to `_CAPTION_LINES` of page 1."""
    c.setFont(_BODY_FONT, _SIZE)
    attorney = (
        f"{firm.CLIO_DEMO_USER.name} (SBN 287514)",
        firm.CLIO_DEMO_USER.email,
        firm.FIRM_NAME.upper(),
        "1200 Harbor Boulevard, Suite 400",
        "Long Beach, California 90802",
        "Telephone: (562) 555-0142",
        "",
        "Attorneys for Plaintiff",
    )
    for i, text in enumerate(attorney):
        c.drawString(_TEXT_X, _TOP - i * 12, text)
    c.setFont(_BOLD_FONT, _SIZE)
    c.drawCentredString(PAGE_W / 2, _TOP - 7 * _LINE_STEP, "SUPERIOR COURT OF THE STATE OF CALIFORNIA")
    c.drawCentredString(PAGE_W / 2, _TOP - 8 * _LINE_STEP, "FOR THE COUNTY OF LOS ANGELES")
    parties = (
        "ELENA ALVAREZ, an individual,",
        "",
        "Plaintiff,",
        "",
        "v.",
        "",
        "BRIGHTWATER MOTORS, INC., a California",
        "corporation; and DOES 1 through 20,",
        "inclusive,",
        "",
        "Defendants.",
    )
    top = _TOP - 9 * _LINE_STEP
    c.setFont(_BODY_FONT, _SIZE)
    for i, text in enumerate(parties):
        c.drawString(_TEXT_X, top - i * 12, text)
        c.drawString(302, top - i * 12, ")")
    c.line(_TEXT_X, top - len(parties) * 12 + 4, 306, top - len(parties) * 12 + 4)
    c.drawString(316, top, "Case No. 24STCV10482")
    y = top - 24
    for line in _wrap(title.upper(), _TEXT_RIGHT - 316, font=_BOLD_FONT)[:4]:
        c.setFont(_BOLD_FONT, _SIZE)
        c.drawString(316, y, line.text)
        y -= 14
    c.setFont(_BODY_FONT, 10)
    for line in _wrap(subtitle, _TEXT_RIGHT - 316)[:3] if subtitle else ():
        c.drawString(316, y - 4, line.text)
        y -= 12


def _draw_lines(c: Canvas, lines: list[_Line], first_y: float, step: float) -> None:
    for i, line in enumerate(lines):
        y = first_y - i * step
        c.setFont(_BOLD_FONT if line.bold else _BODY_FONT, _SIZE)
        if line.centered:
            c.drawCentredString((_TEXT_X + _TEXT_RIGHT) / 2, y, line.text)
        else:
            c.drawString(_TEXT_X + line.indent, y, line.text)


def make_pdf(title: str, pages: int, *, subtitle: str = "", body: str | None = None) -> bytes:
    """A text PDF with a real text layer and "Page N of M" footers.

    Without `body`: a California pleading of exactly `pages` pages (attorney block, court, caption,
    numbered lines, generated paragraphs). With `body`: a plain document (title, subtitle, the body
    text wrapped, blank lines and line breaks kept) of at least `pages` pages, more if the text needs them.
    """
    pages = max(1, pages)
    buf = io.BytesIO()
    c = _canvas(buf, title, subject=subtitle)
    if body is None:
        _pleading_pages(c, title, subtitle, pages, first_number=1, total=pages, caption=True)
    else:
        _plain_pages(c, title, pages, subtitle, body)
    c.save()
    return buf.getvalue()


def _pleading_pages(
    c: Canvas, title: str, subtitle: str, count: int, *, first_number: int, total: int, caption: bool
) -> None:
    """Draw `count` pleading pages numbered from `first_number` of `total`; the caption opens page 1."""
    skip = _CAPTION_LINES if caption else 0
    lines = _pleading_body(title, count * _LINES - skip)
    for index in range(count):
        if index == 0 and caption:
            _caption(c, title, subtitle)
            chunk, first = lines[: _LINES - skip], skip
        else:
            start = index * _LINES - skip
            chunk, first = lines[start : start + _LINES], 0
        _draw_lines(c, chunk, _TOP - first * _LINE_STEP, _LINE_STEP)
        _pleading_frame(c, first_number + index, total, title)
        c.showPage()


def _plain_pages(c: Canvas, title: str, pages: int, subtitle: str, body: str) -> None:
    lines: list[_Line] = []
    for raw in body.splitlines() or [""]:
        lines.extend(_wrap(raw, _TEXT_RIGHT - _TEXT_X) if raw.strip() else [_Line("")])
    per_page, first_page = 46, 40  # 14-point leading; page 1 gives six lines to the title block
    needed = 1 + max(0, -(-(len(lines) - first_page) // per_page))
    total = max(pages, needed)
    for page in range(1, total + 1):
        if page == 1:
            c.setFont(_BOLD_FONT, 16)
            c.drawCentredString(PAGE_W / 2, _TOP, title)
            if subtitle:
                c.setFont(_BODY_FONT, _SIZE)
                c.drawCentredString(PAGE_W / 2, _TOP - 22, subtitle)
            chunk, y = lines[:first_page], _TOP - 6 * 14
        else:
            start = first_page + (page - 2) * per_page
            chunk, y = lines[start : start + per_page], _TOP
        if not chunk and page > 1:
            chunk = [_Line("This page intentionally left blank.", centered=True)]
        _draw_lines(c, chunk, y, 14)
        _footer(c, page, total, title)
        c.showPage()


def make_large_pdf(pages: int = 2000, title: str = "Reporter's Transcript of Trial Proceedings") -> bytes:
    """A long transcript-style text PDF, fast enough to make at seed time (one text object per page)."""
    buf = io.BytesIO()
    c = _canvas(buf, title)
    rng = prose.rng_for(f"transcript:{title}")
    pool = [line.text for _ in range(40) for line in _wrap(prose.paragraph(rng), 440)]
    for page in range(1, pages + 1):
        text = c.beginText(90, _TOP)
        text.setFont("Courier", 10)
        text.setLeading(24)
        speaker = ("Q.", "A.")
        body = [f"{n:>2}  {speaker[n % 2]} {pool[(page * 25 + n) % len(pool)]}" for n in range(1, 26)]
        text.textLines([f"{title} - Volume {1 + (page - 1) // 250}", "", *body])
        c.drawText(text)
        c.setFont("Courier", 9)
        c.drawCentredString(PAGE_W / 2, 38, f"Page {page} of {pages}")
        c.showPage()
    c.save()
    return buf.getvalue()


def _encrypted(plain: bytes, user_password: str, algorithm: str, permissions: UserAccessPermissions) -> bytes:
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(plain)))
    writer.encrypt(user_password, OWNER_PASSWORD, permissions_flag=permissions, algorithm=algorithm)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def make_encrypted_pdf(title: str, pages: int = 3, password: str = ENCRYPTED_PDF_PASSWORD) -> bytes:
    """A PDF that needs `password` to open (AES-256)."""
    allowed = UserAccessPermissions.PRINT | UserAccessPermissions.EXTRACT
    return _encrypted(make_pdf(title, pages), password, "AES-256", allowed)


def make_owner_locked_pdf(title: str, pages: int = 2) -> bytes:
    """A PDF that opens without a password but is encrypted (AES-128) with editing and copying forbidden."""
    return _encrypted(make_pdf(title, pages), "", "AES-128", UserAccessPermissions.PRINT)


def make_fillable_pdf(title: str, pages: int = 3) -> bytes:
    """A form whose first page carries an AcroForm (text fields and a checkbox), then pleading pages."""
    pages = max(1, pages)
    buf = io.BytesIO()
    c = _canvas(buf, title)
    c.setFont(_BOLD_FONT, 14)
    c.drawCentredString(PAGE_W / 2, _TOP, title.upper())
    c.setFont(_BODY_FONT, _SIZE)
    form = c.acroForm
    fields = (
        ("attorney_name", "Attorney name"),
        ("state_bar_number", "State Bar number"),
        ("case_number", "Case number"),
        ("short_title", "Short title of case"),
    )
    for i, (name, label) in enumerate(fields):
        y = _TOP - 60 - i * 48
        c.drawString(_TEXT_X, y + 6, f"{label}:")
        form.textfield(name=name, tooltip=label, x=230, y=y, width=300, height=20, forceBorder=True)
    y = _TOP - 60 - len(fields) * 48
    form.checkbox(name="definitions_apply", tooltip="Definitions apply", x=_TEXT_X, y=y, size=16)
    c.drawString(_TEXT_X + 26, y + 3, "Section 1. Definitions apply to these interrogatories.")
    _footer(c, 1, pages, title)
    c.showPage()
    _pleading_pages(c, title, "", pages - 1, first_number=2, total=pages, caption=False)
    c.save()
    return buf.getvalue()


_XDP = """<?xml version="1.0" encoding="UTF-8"?>
<xdp:xdp xmlns:xdp="http://ns.adobe.com/xdp/" timeStamp="2025-01-15T09:00:00Z"
  uuid="0b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0">
<template xmlns="http://www.xfa.org/schema/xfa-template/3.3/">
<subform name="form1" layout="tb" locale="en_US">
<pageSet><pageArea name="Page1" id="Page1"><contentArea x="0.25in" y="0.25in" w="8in" h="10.5in"/>
<medium stock="letter" short="8.5in" long="11in"/></pageArea></pageSet>
<subform w="8in" h="10.5in"><field name="CaseNumber" y="1in" x="1in" w="3in" h="9mm">
<ui><textEdit/></ui><caption><value><text>Case number</text></value></caption></field></subform>
</subform>
</template>
<xfa:datasets xmlns:xfa="http://www.xfa.org/schema/xfa-data/1.0/"><xfa:data><form1><CaseNumber/></form1>
</xfa:data></xfa:datasets>
</xdp:xdp>
"""


def make_xfa_pdf(title: str, pages: int = 1) -> bytes:
    """A dynamic XFA form: an /AcroForm with an /XFA packet and the "Please wait..." fallback page."""
    body = (
        "Please wait...\n\nIf this message is not eventually replaced by the proper contents of the "
        "document, your PDF viewer may not be able to display this type of document.\n\nThis form was "
        "created with an XML Forms Architecture (XFA) designer."
    )
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(make_pdf(title, pages, body=body))))
    packet = StreamObject()
    packet.set_data(_XDP.encode("utf-8"))
    acroform = DictionaryObject(
        {
            NameObject("/Fields"): ArrayObject(),
            NameObject("/XFA"): ArrayObject([TextStringObject("xdp:xdp"), writer._add_object(packet)]),
        }
    )
    root = writer.root_object
    root[NameObject("/AcroForm")] = writer._add_object(acroform)
    root[NameObject("/NeedsRendering")] = BooleanObject(True)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def make_scanned_pdf(title: str, pages: int = 5) -> bytes:
    """Image-only pages, as a scanner makes them: no text layer at all."""
    buf = io.BytesIO()
    c = _canvas(buf, title)
    for page in range(1, pages + 1):
        scan = ImageReader(io.BytesIO(images.scan_jpeg(title, page, pages)))
        c.drawImage(scan, 0, 0, width=PAGE_W, height=PAGE_H)
        c.showPage()
    c.save()
    return buf.getvalue()
