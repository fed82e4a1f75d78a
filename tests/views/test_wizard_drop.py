"""Drag-and-drop onto Documents To Be Filed as a user does it: from the Clio window, which stays
open beside the wizard without blocking it, and several files at once from the file manager.
The drops are real Qt drag events delivered to the list, carrying the Clio window's own drag
data (what its file list puts in a drag) and a file manager's `text/uri-list`."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import QMimeData, QPointF, Qt, QUrl
from PySide6.QtGui import QDragEnterEvent, QDragMoveEvent, QDropEvent
from PySide6.QtWidgets import QApplication, QWidget

from app import config
from app.services.wizard.draft import ClioSource, ComputerSource
from app.views.clio_browser import ClioBrowser
from sandbox.seed.files import make_pdf
from tests.views.wizard_helpers import (
    connect_clio,
    file_indexes,
    main_window,
    open_folder,
    open_wizard,
    sign_in,
)

ALVAREZ = ("Elena Alvarez", "00001-Alvarez")


def drop(target: QWidget, mime: QMimeData, action: Qt.DropAction = Qt.DropAction.CopyAction) -> bool:
    """Enter, move over and drop `mime` on `target` as a drag does; True when the drop was taken."""
    at = QPointF(target.width() / 2, target.height() / 2)
    buttons, keys = Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier
    enter = QDragEnterEvent(at, action, mime, buttons, keys)
    QApplication.sendEvent(target, enter)
    if not enter.isAccepted():
        return False
    move = QDragMoveEvent(at, action, mime, buttons, keys)
    QApplication.sendEvent(target, move)
    if not move.isAccepted():
        return False
    dropped = QDropEvent(at, action, mime, buttons, keys)
    QApplication.sendEvent(target, dropped)
    return dropped.isAccepted()


def test_documents_dragged_from_the_open_clio_window_and_the_file_manager_are_added(
    qtbot: Any, make_stack: Any, sandbox_world: Any, demo: Any, tmp_path: Path
) -> None:
    sandbox_world.legalconnect_faults.update({"clerk_delay_s": 3600})
    sandbox_world.clio_faults.update({"rate_limit_per_minute": 100_000})
    stack = make_stack()
    window, clio = main_window(qtbot, stack)
    sign_in(qtbot, window, stack, demo)
    connect_clio(qtbot, clio, sandbox_world)
    wiz_window = open_wizard(qtbot, window)
    wiz_window.case_page.choose("LA", "civil_unlimited", "contract_06")
    wiz_window.wizard.set_case_title("Alvarez v. Brightwater Motors")
    qtbot.waitUntil(lambda: bool(wiz_window.wizard.catalog.types_for("LA")))
    wiz_window.wizard.goto(wiz_window.wizard.current)  # stays; the Documents page is reachable
    page = wiz_window.documents_page
    page.settings.set(config.CLIO_LAST_LOCATION, "")
    page.clio_action.trigger()
    qtbot.waitUntil(lambda: page.clio_browser is not None)
    browser = page.clio_browser
    assert isinstance(browser, ClioBrowser)

    # The Clio window is beside the wizard, not over it, and blocks nothing.
    assert browser.isVisible() and not browser.isModal()
    assert browser.windowModality() is Qt.WindowModality.NonModal
    assert QApplication.activeModalWidget() is None
    # The firm's name on the tree's root from this first open (not "Clio (US)").
    qtbot.waitUntil(lambda: browser.tree_model.cabinet.name == "Harbor & Vale LLP (US)")
    # Opening it again brings the same window forward.
    page.clio_action.trigger()
    assert page.clio_browser is browser

    # Two documents selected in the Clio window and dragged onto the list: its own drag data.
    open_folder(qtbot, browser, *ALVAREZ, "Pleadings")
    rows = file_indexes(qtbot, browser, "Complaint for Damages.pdf", "Summons.pdf")
    selection = browser.table.selectionModel()
    for index in rows:
        selection.select(index, selection.SelectionFlag.Select | selection.SelectionFlag.Rows)
    dragged = browser.files_model.mimeData(browser.table.selectionModel().selectedIndexes())
    assert browser.table.dragEnabled()
    page.choose_type("CMPL")
    assert drop(page.table.viewport(), dragged)
    docs = wiz_window.wizard.draft.documents
    assert [d.display_name for d in docs] == ["Complaint for Damages.pdf", "Summons.pdf"]
    assert all(isinstance(d.source, ClioSource) for d in docs)
    assert browser.isVisible(), "the Clio window stays open for the next drag"
    assert page.selected_ids() == [d.local_id for d in docs]  # the dropped rows are selected

    # Three files at once from the desktop's file manager.
    files = []
    for name in ("Declaration of Elena Alvarez.pdf", "Exhibit A.pdf", "Exhibit B.pdf"):
        path = tmp_path / "desktop" / name
        path.parent.mkdir(exist_ok=True)
        path.write_bytes(make_pdf(path.stem, 1))
        files.append(path)
    from_file_manager = QMimeData()
    from_file_manager.setUrls([QUrl.fromLocalFile(str(p)) for p in files])
    assert drop(page.table.viewport(), from_file_manager)
    assert [d.display_name for d in docs[2:]] == [p.name for p in files]
    assert all(isinstance(d.source, ComputerSource) for d in docs[2:])

    # Something that is neither is refused on entry and adds nothing.
    text = QMimeData()
    text.setText("Alvarez v. Brightwater Motors")
    assert not drop(page.table.viewport(), text)
    assert len(docs) == 5
    browser.reject()
