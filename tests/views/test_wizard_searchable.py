"""Make Searchable on a scanned PDF's row, offscreen over the sandbox, with the real OCRmyPDF and
Tesseract: the row shows OCR's progress, the searchable PDF is checked again and replaces the scan
at the Service Provider; when OCR cannot help, the row stays exactly as it was and says why; with
the setting on, scans are made searchable before their first upload.

A fake `tesseract` is put first on PATH only to stand for a broken one.
"""

from __future__ import annotations

import io
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
from PIL import Image
from pypdf import PdfReader
from PySide6.QtCore import QItemSelectionModel, Qt
from PySide6.QtWidgets import QFileDialog

from app import config
from app.models.order_documents import Column
from app.services.wizard.draft import DocumentStatus, DraftDocument
from app.views.wizard.documents_page import DocumentsPage
from app.views.wizard.window import WizardWindow
from sandbox.seed.files import make_scanned_pdf
from tests.services.intake.test_ocr import fake_tesseract, images
from tests.views.conftest import run
from tests.views.wizard_helpers import main_window, open_wizard, sign_in

OCR_TIMEOUT = 90_000


@dataclass(frozen=True)
class Snapshot:
    """What a row holds, to compare before and after a try that must change nothing."""

    status: DocumentStatus
    pdf_path: Path | None
    pages: int | None
    size: int | None
    sha256: str | None
    warnings: tuple[str, ...]
    scanned: bool
    remote_document_id: int | None
    remote_uploaded: bool
    pdf_bytes: bytes


def snapshot(doc: DraftDocument) -> Snapshot:
    assert doc.pdf_path is not None
    return Snapshot(
        doc.status, doc.pdf_path, doc.pages, doc.size, doc.sha256, doc.warnings, doc.scanned,
        doc.remote_document_id, doc.remote_uploaded, doc.pdf_path.read_bytes(),
    )  # fmt: skip


def blank_scan() -> bytes:
    """A scanned page with nothing on it: OCR runs and reads nothing."""
    out = io.BytesIO()
    Image.new("L", (850, 1100), 250).save(out, "PDF", resolution=100.0)
    return out.getvalue()


def documents_page(qtbot: Any, make_stack: Any, sandbox_world: Any, demo: Any) -> tuple[WizardWindow, Any]:
    sandbox_world.legalconnect_faults.update({"clerk_delay_s": 3600})
    stack = make_stack()
    window, _clio = main_window(qtbot, stack)
    sign_in(qtbot, window, stack, demo)
    wiz_window = open_wizard(qtbot, window)
    wiz_window.case_page.choose("LA", "civil_unlimited", "contract_06")
    wiz_window.wizard.set_case_title("Alvarez v. Brightwater Motors")
    qtbot.waitUntil(lambda: bool(wiz_window.wizard.catalog.types_for("LA")))
    wiz_window.documents_page.entered()  # the Document Type picker lists the court's types
    return wiz_window, stack


def add_file(qtbot: Any, page: DocumentsPage, monkeypatch: Any, path: Path) -> DraftDocument:
    monkeypatch.setattr(QFileDialog, "getOpenFileNames", lambda *_a, **_k: ([str(path)], ""))
    page.choose_type("DECL")
    assert page.current_type() == "DECL"
    page.computer_action.trigger()
    doc = page.wizard.draft.documents[-1]
    qtbot.waitUntil(lambda: doc.status in (DocumentStatus.READY, DocumentStatus.ERROR), timeout=30_000)
    assert doc.status is DocumentStatus.READY, doc.error
    return doc


def row_of(page: DocumentsPage, doc: DraftDocument) -> int:
    return next(r for r in range(page.model.rowCount()) if page.model.document(r) is doc)


def select(page: DocumentsPage, doc: DraftDocument) -> None:
    """Select `doc`'s row only (as a click does; `selectRow` toggles under a held Ctrl key)."""
    flags = QItemSelectionModel.SelectionFlag
    index = page.model.index(row_of(page, doc), 0)
    page.table.selectionModel().select(index, flags.ClearAndSelect | flags.Rows)
    page.table.setCurrentIndex(index)


def test_make_searchable_on_a_scanned_row_replaces_the_upload_with_a_searchable_pdf(
    qtbot, qtmodeltester, make_stack, sandbox_world, demo, tmp_path: Path, monkeypatch
) -> None:
    wiz_window, stack = documents_page(qtbot, make_stack, sandbox_world, demo)
    page = wiz_window.documents_page
    qtmodeltester.check(page.model)
    scan = tmp_path / "desktop" / "Signed Declaration.pdf"
    scan.parent.mkdir()
    scan.write_bytes(make_scanned_pdf("Signed Declaration", 2))
    doc = add_file(qtbot, page, monkeypatch, scan)

    # Uploaded as it is, with the scanned-page warning; Make Searchable is offered on its row only.
    assert doc.scanned and doc.remote_uploaded
    assert any("no searchable text" in w for w in doc.warnings)
    page.table.clearSelection()
    assert not page.searchable.isEnabled(), "nothing is selected"
    select(page, doc)
    assert page.searchable.isEnabled()
    scanned_sha = doc.sha256
    order_id = wiz_window.wizard.draft.remote_order_id
    assert order_id is not None
    remote_id = doc.remote_document_id

    # From the keyboard (Ctrl+Shift+S on the list): progress on the row, then checked, re-uploaded.
    seen: list[str] = []
    page.model.dataChanged.connect(
        lambda *_: seen.append(page.model.index(row_of(page, doc), Column.STATUS).data())
    )
    page.table.setFocus()
    qtbot.keyClick(
        page.table, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier
    )
    assert doc.status is DocumentStatus.MAKING_SEARCHABLE
    assert not page.searchable.isEnabled(), "not twice at once"
    qtbot.waitUntil(lambda: doc.status is DocumentStatus.READY, timeout=OCR_TIMEOUT)
    assert any(s.startswith("Making searchable ") and s.endswith(" %") for s in seen)
    assert "Making searchable 100 %" in seen
    assert any(s.startswith("Uploading") for s in seen), "uploaded again"

    assert not doc.scanned and not doc.ocr_problem and doc.remote_uploaded
    assert not any("no searchable text" in w for w in doc.warnings)
    assert doc.sha256 != scanned_sha and doc.pages == 2
    assert doc.remote_document_id == remote_id, "the same document at the provider, its file replaced"
    assert page.model.index(row_of(page, doc), Column.STATUS).data() == "Ready"
    assert not page.searchable.isEnabled()

    # The provider holds the searchable PDF: text found, same pages, same sizes, page images kept.
    client = stack.client
    answer = httpx.get(
        f"{client.api_url}orders/{order_id}/documents/{remote_id}/content",
        headers={"Authorization": f"Bearer {client.token}"},
    )
    answer.raise_for_status()
    held = PdfReader(io.BytesIO(answer.content))
    original = PdfReader(scan)
    assert "SIGNED DECLARATION" in " ".join(p.extract_text() for p in held.pages).upper()
    assert len(held.pages) == len(original.pages) == 2
    for old, new in zip(original.pages, held.pages, strict=True):
        assert (new.mediabox.width, new.mediabox.height) == (old.mediabox.width, old.mediabox.height)
        assert images(new) == 1
    remote = next(d for d in run(qtbot, client.order(order_id)).documents if d.id == remote_id)
    assert remote.sha256 == doc.sha256 and remote.page_count == 2


def test_when_ocr_cannot_help_the_row_stays_as_it_was_and_says_why(
    qtbot, make_stack, sandbox_world, demo, tmp_path: Path, monkeypatch
) -> None:
    wiz_window, stack = documents_page(qtbot, make_stack, sandbox_world, demo)
    page = wiz_window.documents_page
    folder = tmp_path / "desktop"
    folder.mkdir()
    scan = folder / "Signed Declaration.pdf"
    scan.write_bytes(make_scanned_pdf("Signed Declaration", 1))
    doc = add_file(qtbot, page, monkeypatch, scan)
    before = snapshot(doc)
    select(page, doc)

    def try_it() -> str:
        assert page.searchable.isEnabled()
        page.searchable.click()
        qtbot.waitUntil(
            lambda: doc.status is DocumentStatus.READY and bool(doc.ocr_problem), timeout=OCR_TIMEOUT
        )
        assert snapshot(doc) == before, "the row is as it was"
        assert page.model.index(row_of(page, doc), Column.STATUS).data() == "Ready (see the warning)"
        assert doc.ocr_problem in page.detail.text()
        assert page.searchable.isEnabled(), "it can be tried again"
        return doc.ocr_problem

    # Tesseract not installed (Settings points where there is none): how to get it.
    stack.settings.set(config.TESSERACT_PATH, str(tmp_path / "nowhere" / "tesseract"))
    missing = try_it()
    assert missing.startswith("“Signed Declaration.pdf” cannot be made searchable: Tesseract OCR")
    assert "brew install tesseract" in missing and "UB-Mannheim" in missing

    # A Tesseract that fails on the page.
    broken = fake_tesseract(tmp_path / "bin", fails_with="Error in pixReadStream")
    stack.settings.set(config.TESSERACT_PATH, str(broken))
    monkeypatch.setenv("PATH", f"{broken.parent}{os.pathsep}{os.environ['PATH']}")
    doc.ocr_problem = ""
    failed = try_it()
    assert failed == (
        "“Signed Declaration.pdf” could not be made searchable (Tesseract stopped with an error). "
        "It stays as it was, without searchable text."
    )

    # A scan OCR reads nothing on (the real Tesseract): kept as it was.
    stack.settings.set(config.TESSERACT_PATH, "")
    monkeypatch.undo()
    blank = folder / "Blank page.pdf"
    blank.write_bytes(blank_scan())
    doc = add_file(qtbot, page, monkeypatch, blank)
    assert doc.scanned
    before = snapshot(doc)
    select(page, doc)
    nothing = try_it()
    assert nothing.startswith("OCR found no readable text in “Blank page.pdf”")
    assert not list(Path(doc.pdf_path.parent.parent).glob("**/searchable-*")), "no OCR output left behind"


def test_removing_a_row_during_ocr_stops_it(
    qtbot, make_stack, sandbox_world, demo, tmp_path: Path, monkeypatch
) -> None:
    wiz_window, _stack = documents_page(qtbot, make_stack, sandbox_world, demo)
    page = wiz_window.documents_page
    scan = tmp_path / "Long scan.pdf"
    scan.write_bytes(make_scanned_pdf("Long scan", 4))
    doc = add_file(qtbot, page, monkeypatch, scan)
    select(page, doc)
    page.searchable.click()
    qtbot.waitUntil(lambda: doc.status is DocumentStatus.MAKING_SEARCHABLE)
    assert wiz_window.submission.busy(doc.local_id)
    page.remove_selected()
    qtbot.waitUntil(lambda: not wiz_window.submission.busy(doc.local_id))
    assert page.model.rowCount() == 0


def test_with_the_setting_on_a_scan_is_made_searchable_before_its_first_upload(
    qtbot, make_stack, sandbox_world, demo, tmp_path: Path, monkeypatch
) -> None:
    wiz_window, stack = documents_page(qtbot, make_stack, sandbox_world, demo)
    stack.settings.set(config.OCR_AUTOMATIC, True)
    page = wiz_window.documents_page
    scan = tmp_path / "Signed Declaration.pdf"
    scan.write_bytes(make_scanned_pdf("Signed Declaration", 2))
    statuses: list[DocumentStatus] = []
    page.model.dataChanged.connect(lambda *_: statuses.extend(d.status for d in page.wizard.draft.documents))
    monkeypatch.setattr(QFileDialog, "getOpenFileNames", lambda *_a, **_k: ([str(scan)], ""))
    page.choose_type("DECL")
    assert page.current_type() == "DECL"
    page.computer_action.trigger()
    doc = page.wizard.draft.documents[-1]
    qtbot.waitUntil(lambda: doc.status in (DocumentStatus.READY, DocumentStatus.ERROR), timeout=OCR_TIMEOUT)
    assert doc.status is DocumentStatus.READY, doc.error
    assert not doc.scanned and doc.remote_uploaded and doc.pages == 2
    assert not any("no searchable text" in w for w in doc.warnings)
    searching = statuses.index(DocumentStatus.MAKING_SEARCHABLE)
    assert DocumentStatus.UPLOADING not in statuses[:searching], "OCR before the first upload"
    assert doc.pdf_path is not None
    text = " ".join(p.extract_text() for p in PdfReader(doc.pdf_path).pages)
    assert "SIGNED DECLARATION" in text.upper()

    # When OCR cannot (here: no Tesseract), the scan is uploaded as it is and its row says why.
    stack.settings.set(config.TESSERACT_PATH, str(tmp_path / "nowhere" / "tesseract"))
    other = tmp_path / "Exhibit scan.pdf"
    other.write_bytes(make_scanned_pdf("Exhibit scan", 1))
    later = add_file(qtbot, page, monkeypatch, other)
    assert later.scanned and later.remote_uploaded
    assert later.ocr_problem.startswith("“Exhibit scan.pdf” cannot be made searchable: Tesseract OCR")
    assert page.model.index(row_of(page, later), Column.STATUS).data() == "Ready (see the warning)"
