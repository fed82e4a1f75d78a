"""The headline path, offscreen over the sandbox: Clio and computer documents → submit → decision.

Sign in, connect Clio for real, Place Order, fill the case and parties, pull a PDF, a DOCX and an
RTF from Clio (real intake; LibreOffice converts), one PDF from the computer, one document dragged
from the Clio file list (through the models' mime data), see the encrypted and the fillable PDF
refused on their own rows, set the lead, get the fee quote, authorize, submit, and follow the order
to the clerk's decision in the main window's list.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import httpx
from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtWidgets import QFileDialog

from app import config
from app.models.order_documents import Column
from app.services.legalconnect.records import OrderStatus
from app.services.wizard.draft import DocumentStatus, Role
from app.services.wizard.events import Step
from app.views.clio_browser import ClioBrowser
from sandbox.seed.files import make_pdf
from tests.views.wizard_helpers import (
    by_name,
    choose_files,
    connect_clio,
    file_indexes,
    main_window,
    open_folder,
    open_wizard,
    settled,
    sign_in,
)

ALVAREZ = ("Elena Alvarez", "00001-Alvarez")


def _open_browser(qtbot: Any, page: Any) -> ClioBrowser:
    # Start at the top each time: the window's reopening of the last location is its own test's
    # subject, and here it would race with the test's own navigation.
    page.settings.set(config.CLIO_LAST_LOCATION, "")
    page.clio_action.trigger()
    qtbot.waitUntil(lambda: page.clio_browser is not None)
    browser = page.clio_browser
    assert isinstance(browser, ClioBrowser)
    return browser


def test_place_an_order_from_clio_and_the_computer_to_the_clerks_decision(
    qtbot,
    qtmodeltester,
    make_stack,
    sandbox_world,
    demo,
    tmp_path: Path,
    monkeypatch,
) -> None:
    sandbox_world.legalconnect_faults.update({"clerk_delay_s": 3600})  # the clerk decides when told
    sandbox_world.clio_faults.update({"rate_limit_per_minute": 100_000})
    stack = make_stack()
    window, clio = main_window(qtbot, stack)
    sign_in(qtbot, window, stack, demo)
    connect_clio(qtbot, clio, sandbox_world)

    wiz_window = open_wizard(qtbot, window)
    wizard = wiz_window.wizard
    assert wiz_window.windowTitle() == "Place eFiling Order"

    # Case: Next shows the problems beside the fields, then passes once they are filled.
    assert wiz_window.go_next()
    assert wiz_window.case_page.problems["court_id"].isVisibleTo(wiz_window)
    wiz_window.case_page.choose("OR", "civil_unlimited", "contract_06")
    qtbot.keyClicks(wiz_window.case_page.case_title, "Alvarez v. Brightwater Motors")
    qtbot.waitUntil(lambda: bool(wizard.catalog.types_for("OR")))
    assert wiz_window.go_next() == {}
    assert wizard.current is Step.PARTIES

    # Parties.
    parties = wiz_window.parties_page
    roles = [parties.role.itemText(i) for i in range(parties.role.count())]
    assert roles[:2] == ["Plaintiff", "Defendant"] and "Petitioner" not in roles  # a civil case's
    parties.role.setCurrentText("Plaintiff")
    qtbot.keyClicks(parties.name, "Elena Alvarez")
    parties.is_client.setChecked(True)
    parties.add.click()
    parties.role.setCurrentText("Defendant")
    parties.kind.setCurrentIndex(parties.kind.findData("organization"))
    qtbot.keyClicks(parties.name, "Brightwater Motors, Inc.")
    qtbot.keyClick(parties.name, Qt.Key.Key_Return)  # adds the party; it does not press Next
    assert wizard.current is Step.PARTIES
    assert parties.table.rowCount() == 2
    assert wiz_window.go_next() == {}

    # Documents: the model is watched by the tester from here on, through every upload.
    page = wiz_window.documents_page
    model = page.model
    qtmodeltester.check(model)
    assert page.clio_action.isVisible()
    assert "Complaint (CMPL) — $435.00" in [
        page.type_picker.itemText(i) for i in range(page.type_picker.count())
    ]

    # One PDF from the computer first (it takes the lead for now).
    exhibit = tmp_path / "desktop" / "Declaration of Elena Alvarez.pdf"
    exhibit.parent.mkdir()
    exhibit.write_bytes(make_pdf("Declaration of Elena Alvarez", 2))
    monkeypatch.setattr(QFileDialog, "getOpenFileNames", lambda *_a, **_k: ([str(exhibit)], ""))
    page.choose_type("DECL")
    page.computer_action.trigger()

    # From Clio: the complaint, the motion (DOCX) and the declaration (RTF), and the two bad PDFs.
    browser = _open_browser(qtbot, page)
    open_folder(qtbot, browser, *ALVAREZ, "Pleadings")
    page.choose_type("CMPL")
    choose_files(qtbot, browser, "Complaint for Damages.pdf")
    browser = _open_browser(qtbot, page)
    open_folder(qtbot, browser, *ALVAREZ, "Motions", "Motion to Compel")
    page.choose_type("MPA")
    choose_files(qtbot, browser, "Notice of Motion and Motion to Compel.docx", "Declaration of Counsel.rtf")
    browser = _open_browser(qtbot, page)
    open_folder(qtbot, browser, *ALVAREZ, "Protected")
    page.choose_type("DECL")
    choose_files(qtbot, browser, "Medical Records (password protected).pdf")
    browser = _open_browser(qtbot, page)
    open_folder(qtbot, browser, *ALVAREZ, "Forms")
    choose_files(qtbot, browser, "Judicial Council Form DISC-001 (fillable).pdf")

    # A drag from the Clio file list onto Documents To Be Filed (the Summons, type not chosen yet).
    browser = _open_browser(qtbot, page)
    open_folder(qtbot, browser, *ALVAREZ, "Pleadings")
    page.type_picker.setCurrentIndex(-1)
    mime = browser.files_model.mimeData(file_indexes(qtbot, browser, "Summons.pdf"))
    assert model.canDropMimeData(mime, Qt.DropAction.CopyAction, -1, -1, QModelIndex())
    assert model.dropMimeData(mime, Qt.DropAction.CopyAction, -1, -1, QModelIndex())
    browser.reject()
    docs = wizard.draft.documents
    assert len(docs) == 7
    summons = by_name(docs, "Summons.pdf")
    row = docs.index(summons)
    assert model.index(row, Column.TYPE).data() == "Choose a document type"
    assert model.index(row, Column.SOURCE).data().startswith("Clio: Elena Alvarez")

    # Every row settles: four ready, the Summons checked and waiting for its type, the two bad
    # PDFs refused on their rows with their reasons.
    qtbot.waitUntil(
        lambda: settled([d for d in docs if d is not summons]) and summons.prepared, timeout=90_000
    )
    assert summons.status is DocumentStatus.PENDING
    assert model.index(row, Column.STATUS).data() == "Waiting for a document type"
    encrypted = by_name(docs, "Medical Records (password protected).pdf")
    fillable = by_name(docs, "Judicial Council Form DISC-001 (fillable).pdf")
    for bad, words in ((encrypted, "password"), (fillable, "flatten")):
        assert bad.status is DocumentStatus.ERROR
        assert bad.display_name in bad.error and words in bad.error.lower()
        cell = model.index(docs.index(bad), Column.STATUS)
        assert cell.data() == f"Error: {bad.error}"
        assert cell.data(Qt.ItemDataRole.ToolTipRole) == bad.error
    good = [d for d in docs if d not in (encrypted, fillable, summons)]
    assert all(d.status is DocumentStatus.READY for d in good), [(d.display_name, d.error) for d in good]
    assert by_name(docs, "Notice of Motion and Motion to Compel.docx").pages
    assert not [n for n in wiz_window.notices.notices if n.level.value == "error"]

    # Next is refused while the refused rows and the untyped Summons remain.
    problems = wiz_window.go_next()
    assert f"documents.{summons.local_id}" in problems and wizard.current is Step.DOCUMENTS
    assert "Choose a document type" in model.index(docs.index(summons), Column.STATUS).data()
    page.table.selectRow(docs.index(summons))
    page.choose_type("SUMM")
    page.apply_type.click()
    assert summons.filing_code == "SUMM"
    qtbot.waitUntil(lambda: summons.status is DocumentStatus.READY, timeout=30_000)
    for bad in (encrypted, fillable):
        page.table.selectRow(docs.index(bad))
        page.remove.click()
    assert len(docs) == 5
    assert any("Removed" in n.message for n in page.notices.notices)

    # The lead: the complaint (lead-only) is an attachment so far; tick it in the Lead column.
    complaint = by_name(docs, "Complaint for Damages.pdf")
    assert complaint.role is Role.ATTACHMENT
    lead_cell = model.index(docs.index(complaint), Column.LEAD)
    assert model.setData(lead_cell, Qt.CheckState.Checked.value, Qt.ItemDataRole.CheckStateRole)
    assert [d.display_name for d in docs if d.role is Role.LEAD] == [complaint.display_name]
    page.table.selectRow(docs.index(complaint))
    for _ in range(len(docs)):
        page.up.click()
    assert docs[0] is complaint
    qtbot.waitUntil(lambda: settled(docs), timeout=30_000)
    assert wiz_window.go_next() == {}

    # Fees: the quote, Expert Review, authorisation.
    fees = wiz_window.fees_page
    qtbot.waitUntil(lambda: fees.quote is not None, timeout=15_000)
    assert fees.lines.rowCount() == len(fees.quote.lines) >= 2
    assert "Total: $" in fees.total.text()
    assert wiz_window.go_next()  # not authorized yet
    assert fees.problem.isVisibleTo(wiz_window)
    fees.authorize.click()
    assert wiz_window.go_next() == {}

    # Review: the Clio matter came from the documents; Submit shows the order number.
    review = wiz_window.review_page
    assert "Elena Alvarez › 00001-Alvarez" in review.matter.text()
    assert "Complaint for Damages" in review.summary.text()
    total = f"${fees.quote.total_cents / 100:,.2f}"
    assert f"Fees: {total}</b> in {len(fees.quote.lines)} fee(s)" in review.summary.text()
    review.change_matter.click()  # Change…: another matter, found by Clio's search
    qtbot.waitUntil(lambda: review.matter_picker is not None and review.matter_picker.list.count() > 0)
    picker = review.matter_picker
    assert picker is not None
    assert picker.width() >= 600 and picker.height() >= 400, "long client and matter names read whole"
    picker.search.setText("Zanzibar")
    picker.run_search()
    qtbot.waitUntil(
        lambda: picker.list.count() == 1 and "No open or pending matters" in picker.list.item(0).text()
    )
    assert picker.list.item(0).text() == "No open or pending matters match “Zanzibar”."
    picker.search.setText("Brightline")
    picker.run_search()
    qtbot.waitUntil(lambda: picker.list.count() > 0 and "Brightline" in picker.list.item(0).text())
    picker.accept()
    assert wizard.draft.clio is not None and wizard.draft.clio_chosen_by_user
    assert "Brightline" in review.matter.text()
    wiz_window.submit_button.click()
    qtbot.waitUntil(lambda: wiz_window.order is not None, timeout=30_000)
    order = wiz_window.order
    assert order is not None and re.fullmatch(r"\d{7}", order.order_number)
    assert wiz_window.order_number.text() == f"Order {order.order_number}"
    assert wiz_window.stack.currentWidget() is wiz_window.done_page
    assert wizard.saved(stack.store) == []

    # The main window's list shows it as Submitted, then the clerk's decision after a refresh.
    def listed_status() -> OrderStatus | None:
        mine = [o for o in window.orders_view.visible_orders() if o.id == order.id]
        return mine[0].status if mine else None

    qtbot.waitUntil(lambda: listed_status() is OrderStatus.SUBMITTED, timeout=15_000)
    wiz_window.close_button.click()
    base = sandbox_world.endpoints.legalconnect.base_url
    httpx.post(
        f"{base}/_sandbox/legalconnect/clerk/run", json={"order_id": order.id}, timeout=60
    ).raise_for_status()
    qtbot.waitUntil(lambda: not window.refreshing)
    window.refresh()
    qtbot.waitUntil(lambda: (s := listed_status()) is not None and s.decided, timeout=15_000)
    assert stack.presented == []
