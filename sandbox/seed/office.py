"""Word-processor seed files: DOCX (python-docx), hand-written RTF and ODT, and plain text.

ZIP-based formats are rewritten with fixed member timestamps so the same arguments give the same bytes.
"""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from xml.sax.saxutils import escape

import docx
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Pt

from sandbox.seed import firm, prose

FIXED_TIME = dt.datetime(2025, 1, 15, 9, 0, 0, tzinfo=dt.UTC)
_ZIP_TIME = (2025, 1, 15, 9, 0, 0)
# Paragraphs that fit a page with room to spare: three single-spaced (DOCX) or two double-spaced
# (RTF, ODT) paragraphs of three to five sentences, leaving space for the title and table on page 1.
_PARAGRAPHS_PER_PAGE = 3
_DOUBLE_SPACED_PER_PAGE = 2
_SENTENCES = (3, 4)

# Non-ASCII and typographic characters every word-processor file carries, to catch encoding bugs.
INTERNATIONAL_SENTENCE = (
    "Declarant’s consultant, Dr. Renée Faß of Café Société Advisory in Zürich, billed €1,250.00 for the "
    "“supplemental” review — see the ‘Schedule of Fees’ attached as Exhibit 3."
)


def _rezip(data: bytes, *, first_stored: str | None = None) -> bytes:
    """Rewrite a ZIP with fixed timestamps (and, for ODF, its `mimetype` member first and stored)."""
    source = zipfile.ZipFile(io.BytesIO(data))
    names = source.namelist()
    if first_stored is not None:
        names = [first_stored, *(n for n in names if n != first_stored)]
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for name in names:
            info = zipfile.ZipInfo(name, date_time=_ZIP_TIME)
            info.compress_type = zipfile.ZIP_STORED if name == first_stored else zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            target.writestr(info, source.read(name))
    return out.getvalue()


def make_docx(title: str, pages: int = 3) -> bytes:
    """A Word document of about `pages` pages: title heading, caption, a table, numbered paragraphs."""
    document = docx.Document()
    props = document.core_properties
    props.title = title
    props.author = props.last_modified_by = firm.CLIO_DEMO_USER.name
    props.created = props.modified = FIXED_TIME.replace(tzinfo=None)
    props.revision = 1
    style = document.styles["Normal"]
    style.font.name = "Times New Roman"
    style.font.size = Pt(12)

    court = document.add_paragraph("SUPERIOR COURT OF THE STATE OF CALIFORNIA")
    court.alignment = WD_ALIGN_PARAGRAPH.CENTER
    document.add_heading(title, level=1)
    table = document.add_table(rows=1, cols=3)
    table.style = "Table Grid"
    for cell, text in zip(table.rows[0].cells, ("Party", "Counsel", "Role"), strict=True):
        cell.text = text
    for row in (
        ("Elena Alvarez", firm.FIRM_NAME, "Plaintiff"),
        ("Brightwater Motors, Inc.", "Kessler Tran LLP", "Defendant"),
    ):
        for cell, text in zip(table.add_row().cells, row, strict=True):
            cell.text = text
    document.add_paragraph(INTERNATIONAL_SENTENCE)

    rng = prose.rng_for(f"docx:{title}")
    number = 1
    for page in range(max(1, pages)):
        if page:
            heading = document.add_heading(prose.HEADINGS[page % len(prose.HEADINGS)].title(), level=2)
            heading.paragraph_format.page_break_before = True
        # Page 1 already holds the caption, heading and table, so it gets one paragraph fewer.
        for _ in range(_PARAGRAPHS_PER_PAGE - (page == 0)):
            paragraph = document.add_paragraph(f"{number}. {prose.paragraph(rng, (3, 5))}")
            paragraph.paragraph_format.first_line_indent = Pt(36)
            number += 1
    out = io.BytesIO()
    document.save(out)
    return _rezip(out.getvalue())


def _rtf_text(text: str) -> str:
    """Escape for RTF: control characters, and every non-ASCII character as `\\uN?` (signed 16-bit)."""
    parts: list[str] = []
    for char in text:
        code = ord(char)
        if char in "\\{}":
            parts.append("\\" + char)
        elif code < 128:
            parts.append(char)
        else:
            encoded = char.encode("utf-16-le")
            for i in range(0, len(encoded), 2):  # characters beyond the BMP become two surrogates
                unit = int.from_bytes(encoded[i : i + 2], "little")
                parts.append(f"\\u{unit - 65536 if unit > 32767 else unit}?")
    return "".join(parts)


def make_rtf(title: str, pages: int = 1) -> bytes:
    """A hand-written RTF document: centred bold title, a few paragraphs (with non-ASCII), page breaks."""
    head = (
        "{\\rtf1\\ansi\\ansicpg1252\\deff0\\uc1\n"
        "{\\fonttbl{\\f0\\froman\\fcharset0 Times New Roman;}{\\f1\\fswiss\\fcharset0 Arial;}}\n"
        f"{{\\info{{\\title {_rtf_text(title)}}}{{\\author {_rtf_text(firm.FIRM_NAME)}}}"
        "{\\creatim\\yr2025\\mo1\\dy15\\hr9\\min0}}\n"
        "\\paperw12240\\paperh15840\\margl1440\\margr1440\\margt1440\\margb1440\n"
    )
    body = [f"\\pard\\qc\\sa240\\b\\fs28 {_rtf_text(title.upper())}\\b0\\fs24\\par\n"]
    body.append(f"\\pard\\sa200\\fi720 {_rtf_text(INTERNATIONAL_SENTENCE)}\\par\n")
    per_page = _DOUBLE_SPACED_PER_PAGE
    texts = prose.paragraphs(f"rtf:{title}", max(1, pages) * per_page, _SENTENCES)
    for page in range(max(1, pages)):
        if page:
            body.append("\\page\n")
        for text in texts[page * per_page : (page + 1) * per_page]:
            body.append(f"\\pard\\sa200\\sl480\\slmult1\\fi720 {_rtf_text(text)}\\par\n")
    executed = _rtf_text("Executed on January 15, 2025, at Long Beach, California.")
    body.append(f"\\pard\\sa200 {executed}\\par\n")
    body.append(f"\\pard\\qr {_rtf_text(firm.CLIO_DEMO_USER.name)}\\par\n")
    return (head + "".join(body) + "}\n").encode("ascii")


_ODF_NS = (
    'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
    'xmlns:style="urn:oasis:names:tc:opendocument:xmlns:style:1.0" '
    'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" '
    'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
    'xmlns:fo="urn:oasis:names:tc:opendocument:xmlns:xsl-fo-compatible:1.0" '
    'xmlns:meta="urn:oasis:names:tc:opendocument:xmlns:meta:1.0" '
    'xmlns:dc="http://purl.org/dc/elements/1.1/" office:version="1.3"'
)
ODT_MIMETYPE = "application/vnd.oasis.opendocument.text"

_MANIFEST = f"""<?xml version="1.0" encoding="UTF-8"?>
<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.3">
 <manifest:file-entry manifest:full-path="/" manifest:version="1.3" manifest:media-type="{ODT_MIMETYPE}"/>
 <manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>
 <manifest:file-entry manifest:full-path="styles.xml" manifest:media-type="text/xml"/>
 <manifest:file-entry manifest:full-path="meta.xml" manifest:media-type="text/xml"/>
</manifest:manifest>
"""

_STYLES = f"""<?xml version="1.0" encoding="UTF-8"?>
<office:document-styles {_ODF_NS}>
 <office:font-face-decls/>
 <office:styles>
  <style:default-style style:family="paragraph">
   <style:text-properties style:font-name="Liberation Serif" fo:font-family="'Times New Roman'"
     fo:font-size="12pt" fo:language="en" fo:country="US"/>
  </style:default-style>
  <style:style style:name="Standard" style:family="paragraph" style:class="text"/>
  <style:style style:name="Text_20_body" style:display-name="Text body" style:family="paragraph"
    style:parent-style-name="Standard" style:class="text">
   <style:paragraph-properties fo:margin-bottom="0.1in" fo:line-height="200%" fo:text-indent="0.5in"/>
  </style:style>
  <style:style style:name="Heading_20_1" style:display-name="Heading 1" style:family="paragraph"
    style:parent-style-name="Standard" style:next-style-name="Text_20_body" style:default-outline-level="1"
    style:class="text">
   <style:paragraph-properties fo:text-align="center" fo:margin-bottom="0.2in"/>
   <style:text-properties fo:font-size="14pt" fo:font-weight="bold"/>
  </style:style>
 </office:styles>
 <office:automatic-styles>
  <style:page-layout style:name="pm1">
   <style:page-layout-properties fo:page-width="8.5in" fo:page-height="11in" fo:margin-top="1in"
     fo:margin-bottom="1in" fo:margin-left="1in" fo:margin-right="1in" style:print-orientation="portrait"/>
  </style:page-layout>
 </office:automatic-styles>
 <office:master-styles>
  <style:master-page style:name="Standard" style:page-layout-name="pm1"/>
 </office:master-styles>
</office:document-styles>
"""


def _odt_content(title: str, pages: int) -> str:
    cells = (
        ("Fact", "Supporting evidence"),
        ("1. The lease was signed.", "Exhibit A, page 3"),
        ("2. Rent went unpaid.", "Ledger, Exhibit D"),
    )
    rows = "".join(
        "<table:table-row>"
        + "".join(
            f'<table:table-cell office:value-type="string"><text:p>{escape(c)}</text:p></table:table-cell>'
            for c in row
        )
        + "</table:table-row>"
        for row in cells
    )
    body = [
        f'<text:h text:style-name="Heading_20_1" text:outline-level="1">{escape(title)}</text:h>',
        f'<text:p text:style-name="Text_20_body">{escape(INTERNATIONAL_SENTENCE)}</text:p>',
        f'<table:table table:name="Facts"><table:table-column table:number-columns-repeated="2"/>{rows}'
        "</table:table>",
    ]
    per_page = _DOUBLE_SPACED_PER_PAGE
    texts = prose.paragraphs(f"odt:{title}", max(1, pages) * per_page, _SENTENCES)
    for page in range(max(1, pages)):
        for i, text in enumerate(texts[page * per_page : (page + 1) * per_page]):
            style = "PageBreak" if page and i == 0 else "Text_20_body"
            body.append(f'<text:p text:style-name="{style}">{escape(text)}</text:p>')
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<office:document-content {_ODF_NS}>
 <office:automatic-styles>
  <style:style style:name="PageBreak" style:family="paragraph" style:parent-style-name="Text_20_body">
   <style:paragraph-properties fo:break-before="page"/>
  </style:style>
 </office:automatic-styles>
 <office:body><office:text>{"".join(body)}</office:text></office:body>
</office:document-content>
"""


def _odt_meta(title: str) -> str:
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<office:document-meta {_ODF_NS}>
 <office:meta><meta:generator>LegalConnect sandbox seed</meta:generator><dc:title>{escape(title)}</dc:title>
 <meta:creation-date>2025-01-15T09:00:00</meta:creation-date><dc:date>2025-01-15T09:00:00</dc:date></office:meta>
</office:document-meta>
"""


def make_odt(title: str, pages: int = 1) -> bytes:
    """A minimal valid OpenDocument text file, built by hand (mimetype first and uncompressed)."""
    members = {
        "mimetype": ODT_MIMETYPE,
        "META-INF/manifest.xml": _MANIFEST,
        "content.xml": _odt_content(title, pages),
        "styles.xml": _STYLES,
        "meta.xml": _odt_meta(title),
    }
    raw = io.BytesIO()
    with zipfile.ZipFile(raw, "w") as archive:
        for name, text in members.items():
            archive.writestr(name, text.encode("utf-8"))
    return _rezip(raw.getvalue(), first_stored="mimetype")


def make_txt(title: str) -> bytes:
    """Plain UTF-8 notes, the way a paralegal types them."""
    lines = [title, "=" * len(title), "", f"Prepared by {firm.CLIO_DEMO_USER.name}, {firm.FIRM_NAME}", ""]
    for number, text in enumerate(prose.paragraphs(f"txt:{title}", 4, (2, 3)), start=1):
        lines.extend([f"{number}. {text}", ""])
    lines.append("Follow-up: send the draft stipulation by Friday — confirm the hearing date with the clerk.")
    return ("\n".join(lines) + "\n").encode("utf-8")
