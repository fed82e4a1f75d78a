"""Documents To Be Filed without the network: the model under qtmodeltester, drops, lead, undo, keys.

The page is built over a wizard with no event loop running, so the submission service schedules
nothing: rows stay as added, which is what these tests look at.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QByteArray, QMimeData, QModelIndex, Qt, QUrl

from app.config import Config
from app.models.order_documents import CHOOSE_TYPE, ERROR_COLOUR, Column, OrderDocumentsModel
from app.services.clio.picks import CLIO_PICKS_MIME, ClioPick, encode_picks
from app.services.legalconnect.reference import CaseCategory, CaseType, Court, DocumentType
from app.services.wizard.draft import ClioSource, ComputerSource, DocumentStatus, Role
from app.services.wizard.events import Step
from app.services.wizard.flow import OrderWizard
from app.services.wizard.rules import Catalog
from app.services.wizard.submission import OrderSubmission
from app.views.tasks import TaskRunner
from app.views.wizard.documents_page import DocumentsPage
from app.views.wizard.signals import WizardSignals

MB = 2**20
TYPES = (
    DocumentType("MOTN", "Notice of Motion and Motion", 6000, True, True, False, False),
    DocumentType("DECL", "Declaration", 0, True, False, False, False),
    DocumentType("EXHB", "Exhibit", 0, False, False, True, False),
)


@pytest.fixture
def wizard() -> OrderWizard:
    court = Court("LA", "Superior Court of California, County of Los Angeles", "Los Angeles", 50 * MB,
                  100 * MB, 250, 250, 100, True)  # fmt: skip
    category = CaseCategory("civil_unlimited", "Civil Unlimited", (CaseType("contract_06", "Contract (06)"),))
    wizard = OrderWizard(Catalog((court,), (category,), {"LA": TYPES}))
    wizard.set_court("LA")
    return wizard


@pytest.fixture
def page(qtbot: Any, wizard: OrderWizard) -> DocumentsPage:
    submission = OrderSubmission(wizard, None, preparer=None, work_dir=Path("unused"))  # type: ignore[arg-type]
    runner = TaskRunner(lambda _owner, _message: None)
    signals = WizardSignals(wizard)
    page = DocumentsPage(wizard, signals, submission, runner, Config.in_memory(), None)
    page._keep = signals  # type: ignore[attr-defined]
    qtbot.addWidget(page)
    return page


def uri_list(*paths: Path) -> QMimeData:
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(p)) for p in paths])
    return mime


def test_drops_of_files_and_clio_documents_become_rows(qtmodeltester, page, wizard, tmp_path) -> None:
    model: OrderDocumentsModel = page.model
    qtmodeltester.check(model)
    assert set(model.mimeTypes()) == {"text/uri-list", CLIO_PICKS_MIME}
    a, b = tmp_path / "Motion.pdf", tmp_path / "Exhibit A.pdf"
    for path in (a, b):
        path.write_bytes(b"%PDF-1.7\n")

    # Files from the desktop's file manager, with no type chosen: the rows say to choose one.
    drop = uri_list(a, b)
    assert model.canDropMimeData(drop, Qt.DropAction.CopyAction, -1, -1, QModelIndex())
    assert model.dropMimeData(drop, Qt.DropAction.CopyAction, -1, -1, QModelIndex())
    assert model.rowCount() == 2
    assert model.index(0, Column.TYPE).data() == CHOOSE_TYPE
    assert model.index(0, Column.TYPE).data(Qt.ItemDataRole.ForegroundRole) == ERROR_COLOUR
    assert model.index(0, Column.SOURCE).data() == str(a)
    assert model.index(0, Column.LEAD).data(Qt.ItemDataRole.CheckStateRole) == Qt.CheckState.Checked
    assert [d.filing_code for d in wizard.draft.documents] == ["", ""]
    problems = wizard.validate(Step.DOCUMENTS)
    assert all(
        "Choose a document type" in problems[f"documents.{d.local_id}"] for d in wizard.draft.documents
    )

    # A Clio document dragged from the Clio window takes the picker's type and its matter.
    page.choose_type("EXHB")
    pick = ClioPick(77, "Photos.pdf", 10, "application/pdf", "Elena Alvarez › 00001-Alvarez › Exhibits",
                    1001, "Elena Alvarez", 2001, "00001-Alvarez")  # fmt: skip
    clio_drop = QMimeData()
    clio_drop.setData(CLIO_PICKS_MIME, QByteArray(encode_picks([pick])))
    assert model.dropMimeData(clio_drop, Qt.DropAction.CopyAction, -1, -1, QModelIndex())
    photos = wizard.draft.documents[2]
    assert isinstance(photos.source, ClioSource) and photos.filing_code == "EXHB"
    assert photos.source.size == 10, "the size Clio listed travels with the row"
    assert wizard.draft.clio is not None and wizard.draft.clio.matter_id == 2001
    assert model.index(2, Column.SOURCE).data() == "Clio: Elena Alvarez › 00001-Alvarez › Exhibits"

    # What is not ours is refused without touching the list.
    junk = QMimeData()
    junk.setText("just text")
    assert not model.canDropMimeData(junk, Qt.DropAction.CopyAction, -1, -1, QModelIndex())
    broken = QMimeData()
    broken.setData(CLIO_PICKS_MIME, QByteArray(b"not json"))
    assert not model.dropMimeData(broken, Qt.DropAction.CopyAction, -1, -1, QModelIndex())
    assert model.rowCount() == 3

    # An exhibit cannot lead: the refusal shows on its row, the lead stays where it was.
    assert not model.setData(
        model.index(2, Column.LEAD), Qt.CheckState.Checked.value, Qt.ItemDataRole.CheckStateRole
    )
    assert "only be an attachment" in model.index(2, Column.STATUS).data()
    assert model.index(2, Column.STATUS).data(Qt.ItemDataRole.ForegroundRole) == ERROR_COLOUR
    assert [d.role for d in wizard.draft.documents] == [Role.LEAD, Role.ATTACHMENT, Role.ATTACHMENT]
    assert model.setData(
        model.index(1, Column.LEAD), Qt.CheckState.Checked.value, Qt.ItemDataRole.CheckStateRole
    )
    assert [d.role for d in wizard.draft.documents] == [Role.ATTACHMENT, Role.LEAD, Role.ATTACHMENT]

    # Rename in place.
    assert model.setData(model.index(0, Column.NAME), "Motion to Compel.pdf")
    assert wizard.draft.documents[0].display_name == "Motion to Compel.pdf"


def test_remove_undo_reorder_and_keys(qtmodeltester, qtbot, page, wizard, tmp_path) -> None:
    model = page.model
    qtmodeltester.check(model)
    page.show()
    names = ["One.pdf", "Two.pdf", "Three.pdf"]
    for name in names:
        wizard.add_document(ComputerSource(tmp_path / name), "DECL")
    assert [model.index(r, Column.NAME).data() for r in range(3)] == names

    page.table.setFocus()
    page.table.selectRow(2)
    qtbot.keyClick(page.table, Qt.Key.Key_Up, Qt.KeyboardModifier.ControlModifier)
    assert [d.display_name for d in wizard.draft.documents] == ["One.pdf", "Three.pdf", "Two.pdf"]
    assert page.selected_ids() == [wizard.draft.documents[1].local_id]  # the selection follows the row
    persistent = model.index(0, 0)
    page.down.click()
    assert [model.index(r, Column.NAME).data() for r in range(3)] == ["One.pdf", "Two.pdf", "Three.pdf"]
    assert persistent.row() == 0

    page.table.clearSelection()
    page.table.selectRow(0)
    assert page.selected_ids() == [wizard.draft.documents[0].local_id]
    qtbot.keyClick(page.table, Qt.Key.Key_Delete)
    assert [d.display_name for d in wizard.draft.documents] == ["Two.pdf", "Three.pdf"]
    notice = page.notices.notices[0]
    assert notice.message == "Removed “One.pdf”." and [b.text() for b in notice.buttons] == ["Undo"]
    notice.buttons[0].click()
    assert [model.index(r, Column.NAME).data() for r in range(3)] == names
    assert wizard.draft.documents[0].role is Role.LEAD  # it comes back as it was

    # The list's own problem shows under it; rows' problems on the rows.
    wizard.set_document_type(wizard.draft.documents[2].local_id, "")
    page.show_problems(wizard.validate(Step.DOCUMENTS))
    assert CHOOSE_TYPE in model.index(2, Column.TYPE).data()
    assert (
        model.index(2, Column.STATUS).data(Qt.ItemDataRole.ToolTipRole).startswith("Choose a document type")
    )


def test_next_says_what_blocks_it_selects_the_row_and_follows_the_list(qtbot, page, wizard, tmp_path) -> None:
    """A refused Next names the document and the reason under the list, selects and scrolls to
    its row and shows the full message on the detail line; the message follows the list until
    the step passes, so nothing stale stays on screen. Nothing scrolls sideways."""
    model: OrderDocumentsModel = page.model
    page.resize(940, 420)  # the Documents page at the wizard's default size
    page.show()
    problems = wizard.validate(Step.DOCUMENTS)
    page.show_problems(problems)
    assert page.problem.text() == "Add at least one document."
    wizard.add_document(ComputerSource(tmp_path / "Declaration of Counsel.pdf"), "DECL")
    assert page.problem.text() != "Add at least one document.", "a message that no longer holds went"

    for n in range(1, 15):
        wizard.add_document(ComputerSource(tmp_path / f"Exhibit {n}.pdf"), "EXHB")
    motion = wizard.add_document(ComputerSource(tmp_path / "Notice of Motion and Motion.pdf"), "MOTN")
    broken = wizard.draft.documents[7]
    broken.status = DocumentStatus.ERROR
    broken.error = (
        f"“{broken.display_name}” is damaged: 2 of its 3 pages are lost (the file is cut off or broken). "
        "Open it to check it, save or print it to PDF again, and add the new file."
    )
    wizard.notify_document(broken.local_id)
    page.table.clearSelection()
    page.table.scrollToTop()

    problems = wizard.validate(Step.DOCUMENTS)
    page.show_problems(problems)
    # The first document in the list that stops Next: the broken exhibit, with the rest counted.
    assert page.problem.text() == f"{broken.error} (1 more document needs attention.)"
    assert page.selected_ids() == [broken.local_id]
    assert not page.detail.isVisible(), "the message says it all; no second copy"
    page.table.setCurrentIndex(model.index(15, Column.NAME))  # another row: its problem in full
    assert page.detail.isVisible() and "must be the lead document" in page.detail.text()
    page.show_problems(problems)
    rect = page.table.visualRect(model.index(7, Column.NAME))
    assert page.table.viewport().rect().contains(rect.center()), "scrolled to the row"
    assert page.table.horizontalScrollBar().maximum() == 0, "the list fits the window's width"

    page.table.selectRow(7)
    page.remove.click()
    # What stops it now is the motion: it must lead (its row is chosen again on the next Next).
    assert page.problem.text().startswith(
        "A Notice of Motion and Motion must be the lead document; make “Notice"
    )
    page.show_problems(wizard.validate(Step.DOCUMENTS))
    assert page.selected_ids() == [motion]
    row = next(r for r in range(model.rowCount()) if model.document(r).local_id == motion)
    assert page.table.viewport().rect().contains(page.table.visualRect(model.index(row, 0)).center())
    assert model.setData(
        model.index(row, Column.LEAD), Qt.CheckState.Checked.value, Qt.ItemDataRole.CheckStateRole
    )
    assert not page.problem.isVisible() or page.problem.text() in (
        "",
        "Wait until every document is uploaded (15 documents are still being prepared).",
    )
    assert "Notice of Motion" not in page.problem.text()


def test_undo_belongs_to_the_documents_page_and_ends_with_the_submission(
    qtbot, page, wizard, tmp_path
) -> None:
    page.show()
    wizard.add_document(ComputerSource(tmp_path / "Declaration.pdf"), "DECL")
    wizard.add_document(ComputerSource(tmp_path / "Exhibit A.pdf"), "EXHB")
    page.table.selectRow(1)
    page.remove.click()
    notice = page.notices.notices[0]
    assert notice.parent() is not None and page.isAncestorOf(notice), "the page's own notice"
    wizard.draft.order_number = "4821267"  # submitted meanwhile
    notice.buttons[0].click()
    assert [d.display_name for d in wizard.draft.documents] == ["Declaration.pdf"]
    assert page.problem.text() == "The order is submitted: nothing can be put back into it."


def test_review_shows_parties_only_when_there_are_some_and_the_fee_total(qtbot, wizard) -> None:
    from app.services.legalconnect.ordering import FeeLine, FeeQuote
    from app.services.wizard.draft import Party
    from app.views.wizard.review_page import ReviewPage

    quote = FeeQuote(
        (
            FeeLine("court_filing_fee", "Motion filing fee", 6000, None, "MOTN", "Court Filing Fee"),
            FeeLine("efsp_fee", "eFiling fee", 1995, None, None, "eFiling Service Fee"),
        ),
        7995,
    )
    review = ReviewPage(wizard, TaskRunner(lambda _owner, _message: None), None, quote=lambda: quote)
    qtbot.addWidget(review)
    wizard.set_new_case(False)
    wizard.set_case_number("24STCV01234")
    review.entered()
    assert "Parties" not in review.summary.text(), "no empty heading for an existing case's parties"
    assert "<b>Fees: $79.95</b> in 2 fee(s)" in review.summary.text()
    wizard.add_party(Party("plaintiff", "Elena Alvarez", is_client=True))
    review.entered()
    assert (
        "<p><b>Parties</b></p><ul><li>Plaintiff: Elena Alvarez (our client)</li></ul>"
        in review.summary.text()
    )


def test_the_detail_line_follows_the_rows_just_added(qtbot, page, wizard, tmp_path) -> None:
    """Rows added (here dropped) are selected; the first one's warning reads on the detail line
    without clicking it first."""
    page.show()
    scan = tmp_path / "Declaration (scanned).pdf"
    scan.write_bytes(b"%PDF-1.7\n")
    assert page.model.dropMimeData(uri_list(scan), Qt.DropAction.CopyAction, -1, -1, QModelIndex())
    doc = wizard.draft.documents[0]
    assert page.selected_ids() == [doc.local_id]
    doc.status = DocumentStatus.READY
    doc.warnings = ("“Declaration (scanned).pdf” has 2 scanned pages without text.",)
    wizard.notify_document(doc.local_id)
    assert page.detail.isVisible()
    assert page.detail.text() == "“Declaration (scanned).pdf” has 2 scanned pages without text."
