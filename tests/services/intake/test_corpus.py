"""The hostile-file corpus: every bad file gets its own message, and nothing crashes or hangs."""

from __future__ import annotations

import io
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from pypdf import PdfReader

from app.services.intake import MB, CourtLimits, NoticeKind, Prepared, RefusalKind
from sandbox.seed.files import (
    make_docx,
    make_encrypted_pdf,
    make_fillable_pdf,
    make_owner_locked_pdf,
    make_pdf,
    make_png,
    make_scanned_pdf,
    make_xfa_pdf,
    seed_file_bytes,
)
from sandbox.seed.firm import SeedFile
from tests.services.intake import craft
from tests.services.intake.conftest import ready, refused

Add = Callable[..., Prepared]
_FIX = "Open it to check it, save or print it to PDF again, and add the new file."
_PDF = make_pdf("Motion to Compel", 3)

REFUSALS: list[tuple[str, str, Callable[[], bytes], RefusalKind, str]] = [
    (
        "truncated pdf",
        "Motion.pdf",
        lambda: _PDF[: len(_PDF) // 2],
        RefusalKind.DAMAGED,
        "“Motion.pdf” is damaged: 2 of its 3 pages are lost (the file is cut off or broken). Open it to "
        "check it, save or print it to PDF again, and add the new file.",
    ),
    (
        "pdf header only",
        "Header.pdf",
        lambda: b"%PDF-1.7\n",
        RefusalKind.DAMAGED,
        "“Header.pdf” is damaged beyond repair and cannot be read. Open it to check it, save or print "
        "it to PDF again, and add the new file.",
    ),
    (
        "garbage after %PDF",
        "Garbage.pdf",
        lambda: b"%PDF-1.4\n" + craft.random_binary(),
        RefusalKind.DAMAGED,
        "“Garbage.pdf” is damaged beyond repair and cannot be read. Open it to check it, save or print "
        "it to PDF again, and add the new file.",
    ),
    (
        "zero bytes",
        "Empty.pdf",
        lambda: b"",
        RefusalKind.EMPTY,
        "“Empty.pdf” is empty (0 bytes). Check the file and add it again.",
    ),
    (
        "user password aes-256",
        "Medical Records.pdf",
        lambda: make_encrypted_pdf("Medical Records", 2),
        RefusalKind.PASSWORD_PROTECTED,
        "“Medical Records.pdf” is password-protected. Remove the password (open it and Print to PDF) and "
        "add it again.",
    ),
    (
        "user password rc4",
        "Payroll.pdf",
        craft.rc4_user_password_pdf,
        RefusalKind.PASSWORD_PROTECTED,
        "“Payroll.pdf” is password-protected. Remove the password (open it and Print to PDF) and add it "
        "again.",
    ),
    (
        "password to open, empty owner password",
        "Settlement.pdf",
        craft.empty_owner_password_pdf,
        RefusalKind.PASSWORD_PROTECTED,
        "“Settlement.pdf” is password-protected. Remove the password (open it and Print to PDF) and add "
        "it again.",
    ),
    (
        "owner locked aes",
        "Lease.pdf",
        lambda: make_owner_locked_pdf("Lease", 2),
        RefusalKind.ENCRYPTED,
        "“Lease.pdf” is encrypted (it opens, but its owner restricted it) — remove the protection (open "
        "it and Print to PDF) first, then add it again.",
    ),
    (
        "owner locked rc4",
        "Invoice.pdf",
        craft.rc4_owner_locked_pdf,
        RefusalKind.ENCRYPTED,
        "“Invoice.pdf” is encrypted (it opens, but its owner restricted it) — remove the protection "
        "(open it and Print to PDF) first, then add it again.",
    ),
    (
        "acroform fields",
        "FL-100.pdf",
        lambda: make_fillable_pdf("Petition", 2),
        RefusalKind.FILLABLE_FORM,
        "“FL-100.pdf” has fillable form fields: flatten it first (open it and Print to PDF), then add it "
        "again.",
    ),
    (
        "xfa form",
        "SC-100.pdf",
        lambda: make_xfa_pdf("Small Claims"),
        RefusalKind.FILLABLE_FORM,
        "“SC-100.pdf” is a fillable (XFA) form: flatten it first (open it and Print to PDF), then add it "
        "again.",
    ),
    (
        "content object's header broken",
        "Motion.pdf",
        craft.broken_content_header_pdf,
        RefusalKind.DAMAGED,
        "“Motion.pdf” is damaged: its pages are lost (the file is cut off or broken). Open it to check "
        "it, save or print it to PDF again, and add the new file.",
    ),
    (
        "content not deflated as it says",
        "Declaration.pdf",
        craft.corrupt_flate_pdf,
        RefusalKind.DAMAGED,
        "“Declaration.pdf” is damaged: 1 of its 2 pages cannot be read (its content is broken). Open it to "
        "check it, save or print it to PDF again, and add the new file.",
    ),
    (
        "content lzw codes out of range",
        "Declaration.pdf",
        craft.corrupt_lzw_pdf,
        RefusalKind.DAMAGED,
        "“Declaration.pdf” is damaged: 1 of its 2 pages cannot be read (its content is broken). Open it to "
        "check it, save or print it to PDF again, and add the new file.",
    ),
    (
        "content under an unknown filter",
        "Declaration.pdf",
        craft.unknown_filter_pdf,
        RefusalKind.DAMAGED,
        "“Declaration.pdf” is damaged: 1 of its 2 pages cannot be read (its content is broken). Open it to "
        "check it, save or print it to PDF again, and add the new file.",
    ),
    (
        "content with a bad token",
        "Declaration.pdf",
        craft.bad_token_pdf,
        RefusalKind.DAMAGED,
        "“Declaration.pdf” is damaged: 1 of its 2 pages cannot be read (its content is broken). Open it to "
        "check it, save or print it to PDF again, and add the new file.",
    ),
    (
        "content ends inside an inline image",
        "Declaration.pdf",
        craft.eof_in_inline_image_pdf,
        RefusalKind.DAMAGED,
        "“Declaration.pdf” is damaged: 1 of its 2 pages cannot be read (its content is broken). Open it to "
        "check it, save or print it to PDF again, and add the new file.",
    ),
    (
        "page count 0",
        "Blank.pdf",
        craft.zero_page_pdf,
        RefusalKind.NO_PAGES,
        "“Blank.pdf” has no pages. Check the file and add it again.",
    ),
    (
        "count 10^9 without pages",
        "Hollow.pdf",
        craft.billion_pages_no_kids_pdf,
        RefusalKind.NO_PAGES,
        "“Hollow.pdf” has no pages. Check the file and add it again.",
    ),
    (
        "page tree cycle",
        "Loop.pdf",
        craft.cyclic_page_tree_pdf,
        RefusalKind.DAMAGED,
        "“Loop.pdf” is damaged beyond repair and cannot be read. Open it to check it, save or print it "
        "to PDF again, and add the new file.",
    ),
    (
        "no page list",
        "Catalogless.pdf",
        craft.no_catalog_pdf,
        RefusalKind.DAMAGED,
        "“Catalogless.pdf” is damaged beyond repair and cannot be read. Open it to check it, save or "
        "print it to PDF again, and add the new file.",
    ),
    (
        "recursion bomb",
        "Nested.pdf",
        craft.deeply_nested_pdf,
        RefusalKind.DAMAGED,
        "“Nested.pdf” is damaged beyond repair and cannot be read. Open it to check it, save or print "
        "it to PDF again, and add the new file.",
    ),
    (
        "zip named .docx",
        "Answer.docx",
        lambda: craft.zip_of({"notes.txt": b"not a Word file"}),
        RefusalKind.UNSUPPORTED,
        "“Answer.docx” is a ZIP archive, not a document. Unzip it and add the documents inside one by one.",
    ),
    (
        "random binary",
        "Exhibit 4.dat",
        craft.random_binary,
        RefusalKind.UNSUPPORTED,
        "“Exhibit 4.dat” is not a kind of file that can be filed or converted (PDF, Word, RTF, OpenDocument "
        "text, plain text and images can). Save it as PDF yourself and add the PDF.",
    ),
    (
        "executable named .pdf",
        "Settlement.pdf",
        craft.windows_executable,
        RefusalKind.UNSUPPORTED,
        "“Settlement.pdf” is a program, not a document, and cannot be filed. Check that you picked the "
        "right file.",
    ),
    (
        "docx without word/document.xml",
        "Reply.docx",
        craft.docx_without_document,
        RefusalKind.DAMAGED,
        "“Reply.docx” is a damaged Word document (its text is missing) and cannot be converted. Open it in "
        "Word, save it again, and add the new file.",
    ),
    (
        "corrupt docx (bad zip)",
        "Brief.docx",
        craft.corrupt_docx,
        RefusalKind.DAMAGED,
        "“Brief.docx” is damaged and cannot be opened (it is not a complete Word, OpenDocument or ZIP file). "
        "Save it again and add the new file.",
    ),
    (
        "text with NUL bytes",
        "notes.txt",
        lambda: b"Call opposing counsel\x00\x00\x01re: deposition dates\n",
        RefusalKind.UNSUPPORTED,
        "“notes.txt” is not a kind of file that can be filed or converted (PDF, Word, RTF, OpenDocument "
        "text, plain text and images can). Save it as PDF yourself and add the PDF.",
    ),
    (
        "password-protected word file",
        "Retainer.docx",
        lambda: craft.compound_file("EncryptionInfo", "EncryptedPackage"),
        RefusalKind.PASSWORD_PROTECTED,
        "“Retainer.docx” is a password-protected Office file. Remove the password (in Word: File › Info › "
        "Protect Document), save it, and add it again.",
    ),
    (
        "pdf without its header, all text",
        "Exhibit 4.pdf",
        lambda: b"1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n2 0 obj << /Kids [] >> endobj\n" * 40,
        RefusalKind.DAMAGED,
        "“Exhibit 4.pdf” is named as a PDF, but its content is plain text or a web page: the file is "
        f"damaged, or something else was given its name. {_FIX}",
    ),
    (
        "pdf of unrecognisable bytes",
        "Scan.pdf",
        lambda: b"\x00\x01garbled" + craft.random_binary(),
        RefusalKind.DAMAGED,
        "“Scan.pdf” is named as a PDF, but its content is unrecognisable data: the file is damaged, or "
        f"something else was given its name. {_FIX}",
    ),
    (
        "web page saved as .docx",
        "Opposition.docx",
        lambda: b"<!DOCTYPE html><html><body><h1>Opposition</h1><p>Counsel argues...</p></body></html>\n",
        RefusalKind.DAMAGED,
        "“Opposition.docx” is named as a Word document, but its content is plain text or a web page: the "
        "file is damaged, or something else was given its name. Open it in Word to check it, save it "
        "again as a Word document or PDF, and add the new file.",
    ),
    (
        "damaged .doc",
        "Stipulation.doc",
        lambda: b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100,
        RefusalKind.DAMAGED,
        "“Stipulation.doc” is named as a Word document, but its content is unrecognisable data: the file "
        "is damaged, or something else was given its name. Open it in Word to check it, save it again "
        "as a Word document or PDF, and add the new file.",
    ),
    (
        "text not named as text",
        "Timeline.md",
        lambda: b"# Timeline\n- 2026-01-04 served\n",
        RefusalKind.UNSUPPORTED,
        "“Timeline.md” is plain text (or a web page) saved as “.md”; only .txt files are converted as "
        "text. Save it as PDF yourself and add the PDF.",
    ),
    (
        "excel workbook",
        "Damages.xls",
        lambda: craft.compound_file("Workbook"),
        RefusalKind.UNSUPPORTED,
        "“Damages.xls” is an Office file that is not a Word document (a spreadsheet, presentation or "
        "e-mail). "
        "Save it as PDF yourself and add the PDF.",
    ),
]


@pytest.mark.parametrize(
    ("name", "data", "kind", "message"), [c[1:] for c in REFUSALS], ids=[c[0] for c in REFUSALS]
)
def test_hostile_file_is_refused_with_its_message(
    add: Add, name: str, data: Callable[[], bytes], kind: RefusalKind, message: str, workdir: Path
) -> None:
    started = time.monotonic()
    result = refused(add(name, data()))
    assert (result.kind, result.reason) == (kind, message)
    assert time.monotonic() - started < 5
    assert list(workdir.iterdir()) == [], "a refused document leaves no files behind"


def test_a_count_of_a_billion_pages_over_one_is_not_believed(add: Add) -> None:
    """The one page is blank and lacks resources (qpdf completes the page): a blank page, filed
    with its true count, quickly."""
    started = time.monotonic()
    result = ready(add("Huge.pdf", craft.billion_pages_pdf()))
    assert time.monotonic() - started < 5
    assert result.pages == len(PdfReader(result.pdf_path).pages) == 1


def test_oversize_file_names_the_court_and_its_limit(add: Add, tmp_path: Path) -> None:
    from sandbox.seed.files import make_big_pdf_file

    big = tmp_path / "big.pdf"
    make_big_pdf_file(big, int(41.2 * MB))
    result = refused(add("Trial Exhibits.pdf", big.read_bytes()))
    assert result.kind is RefusalKind.TOO_LARGE
    assert result.reason == (
        "“Trial Exhibits.pdf” is 41.2 MB; the Superior Court of California, County of San Diego accepts "
        "at most 35 MB per document. Split it into smaller files."
    )


def test_2000_page_pdf_is_fine_and_quick(add: Add) -> None:
    path = seed_file_bytes(SeedFile("Reporter's Transcript.pdf", "large_pdf", 2000))
    started = time.monotonic()
    result = ready(add("Reporter's Transcript.pdf", path.read_bytes()))
    assert result.pages == 2000
    assert result.warnings == ()
    assert time.monotonic() - started < 3


def test_pdf_named_docx_is_filed_as_the_pdf_it_is(add: Add) -> None:
    result = ready(add("Opposition.docx", _PDF))
    assert result.fixed_name == "Opposition.pdf"
    assert [n.message for n in result.warnings] == [
        "“Opposition.docx” is actually a PDF; it will be filed as it is."
    ]
    filed = PdfReader(result.pdf_path)  # rewritten clean, with the same pages
    assert [p.extract_text() for p in filed.pages] == [
        p.extract_text() for p in PdfReader(io.BytesIO(_PDF)).pages
    ]


def test_docx_named_pdf_is_converted(add: Add) -> None:
    result = ready(add("Stipulation.pdf", make_docx("Stipulation", 1)))
    assert [n.kind for n in result.warnings] == [NoticeKind.TYPE_MISMATCH]
    assert (
        result.warnings[0].message
        == "“Stipulation.pdf” is actually a Word document; it was converted to PDF."
    )
    assert "Stipulation" in PdfReader(result.pdf_path).pages[0].extract_text()


def test_image_named_pdf_is_converted_as_an_image(add: Add) -> None:
    result = ready(add("Invoice scan.pdf", make_png("Invoice")))
    assert result.pages == 1
    assert [n.message for n in result.warnings] == [
        "“Invoice scan.pdf” is actually a PNG image; it was converted to PDF.",
        "“Invoice scan.pdf” is an image, so its PDF has no searchable text. California courts ask for "
        "text-searchable PDFs when feasible; Make Searchable adds the text with OCR.",
    ]


@pytest.mark.parametrize(
    ("data", "kind", "message"),
    [
        (
            craft.named_js_pdf,
            NoticeKind.JAVASCRIPT,
            "“Notice.pdf” contains JavaScript. Courts may reject files with scripts; printing it to PDF "
            "removes them.",
        ),
        (
            craft.openaction_js_pdf,
            NoticeKind.JAVASCRIPT,
            "“Notice.pdf” contains JavaScript. Courts may reject files with scripts; printing it to PDF "
            "removes them.",
        ),
        (
            craft.attachment_pdf,
            NoticeKind.ATTACHMENTS,
            "“Notice.pdf” has files attached inside it. Courts may reject them; add each as its own "
            "document.",
        ),
        (
            lambda: make_scanned_pdf("Signed Declaration", 2),
            NoticeKind.NO_TEXT_LAYER,
            "“Notice.pdf” has no searchable text (it looks scanned). California courts ask for "
            "text-searchable "
            "PDFs when feasible; Make Searchable adds the text with OCR.",
        ),
    ],
    ids=["document javascript", "openaction javascript", "embedded attachment", "scanned, no text"],
)
def test_warned_but_accepted(add: Add, data: Callable[[], bytes], kind: NoticeKind, message: str) -> None:
    result = ready(add("Notice.pdf", data()))
    assert [(n.kind, n.message) for n in result.warnings] == [(kind, message)]


def test_bad_name_is_fixed_with_a_notice(add: Add) -> None:
    name = "Smith v. Jones: Motion #2 — Renée's declaration in support of summary judgment.pdf"
    result = ready(add(name, _PDF))
    assert result.fixed_name == "Smith v. Jones Motion 2 Renee's declaration.pdf"
    assert len(result.fixed_name) <= 50
    assert result.pdf_path.name == result.fixed_name
    assert [n.message for n in result.warnings] == [
        f"“{name}” will be filed as “{result.fixed_name}”: the court accepts names of at most 50 "
        "characters and some characters in the name are not accepted by the court."
    ]


def test_long_name_fits_a_250_character_court(add: Add) -> None:
    los_angeles = CourtLimits("Superior Court of California, County of Los Angeles", 50 * MB, 250)
    name = "Declaration of Counsel in Support of Motion to Compel Further Responses.pdf"
    result = ready(add(name, _PDF, limits=los_angeles))
    assert (result.fixed_name, result.warnings) == (name, ())


def test_rtf_with_non_ascii_keeps_its_characters(add: Add) -> None:
    result = ready(add("Déclaration.rtf", craft.rtf_with_non_ascii()))
    text = PdfReader(result.pdf_path).pages[0].extract_text()
    assert "Déclaration de Renée Faß, Zürich € 500 “quoted”" in text
    assert result.fixed_name == "Declaration.pdf"


def test_oversize_text_is_refused_before_conversion(add: Add) -> None:
    tiny_court = CourtLimits("Superior Court of California, County of Tulare", 1 * MB, 50)
    result = refused(add("Log.txt", b"line of text\n" * 100_000, limits=tiny_court))
    assert result.reason == (
        "“Log.txt” is 1.2 MB; the Superior Court of California, County of Tulare accepts at most 1 MB per "
        "document. Split it into smaller files."
    )


def _pdf_of_size(width: float, height: float) -> bytes:
    import io

    from reportlab.pdfgen.canvas import Canvas

    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=(width, height))
    canvas.drawString(72, 72, "Exhibit 12 — site plan")
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def test_pages_larger_than_the_courts_paper_are_a_warning(add: Add) -> None:
    legal = ready(add("Site plan.pdf", _pdf_of_size(612, 1008)))  # 8.5 x 14 in
    assert [(n.kind, n.message) for n in legal.warnings] == [
        (
            NoticeKind.LARGE_PAGES,
            "“Site plan.pdf” has pages of 8.5 × 14 in, larger than the court's 8.5 × 11 in paper; the "
            "court may reject or shrink them. Print it to PDF on 8.5 × 11 in paper if you can.",
        )
    ]
    landscape = ready(add("Chart.pdf", _pdf_of_size(792, 612)))  # letter, turned: fine
    assert [n.kind for n in landscape.warnings] == []


@pytest.mark.parametrize(
    ("name", "data", "repaired", "text"),
    [
        ("Broken xref.pdf", craft.shifted_xref_pdf, True, "HARBOR & VALE LLP"),
        ("Stale count.pdf", craft.stale_count_pdf, False, "Declaration of Counsel"),
        ("Abbreviated filter.pdf", craft.abbreviated_filter_pdf, False, "Declaration of Counsel"),
        ("Null filter.pdf", craft.null_filter_pdf, False, "Declaration of Counsel"),
        ("Blank page.pdf", craft.blank_page_pdf, False, ""),
        ("Blank page, repaired.pdf", craft.repaired_blank_page_pdf, True, ""),
        ("Blank page, no resources.pdf", craft.blank_page_without_resources_pdf, True, "Declaration"),
        ("No length.pdf", craft.missing_length_pdf, True, "Declaration of Counsel"),
        ("Stray pound.pdf", craft.stray_pound_name_pdf, False, "Declaration of Counsel"),
    ],
)
def test_pdfs_qpdf_can_read_are_filed_clean(
    add: Add, name: str, data: Callable[[], bytes], repaired: bool, text: str
) -> None:
    """Files pypdf alone refused or passed on half-read: opened by qpdf, repaired where needed (and
    said so), rewritten clean — header at byte 0, every page reading through, the page count real."""
    result = ready(add(name, data()))
    clean = result.pdf_path.read_bytes()
    assert clean.startswith(b"%PDF-")
    reader = PdfReader(io.BytesIO(clean))
    assert result.pages == len(reader.pages) >= 1
    assert text in (reader.pages[0].extract_text() or "")
    assert all(page.extract_text() is not None for page in reader.pages)  # every page reads through
    kinds = [n.kind for n in result.warnings]
    assert (NoticeKind.REPAIRED in kinds) is repaired
    if repaired:
        assert (
            f"“{name}” was damaged (its structure was broken) and has been repaired; check its pages "
            "before filing." in [n.message for n in result.warnings]
        )
