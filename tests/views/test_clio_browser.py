"""The Clio file-selection window over the Clio emulator: browse, search, choose, drag, reopen, keys."""

from __future__ import annotations

import json
from typing import Any

from PySide6.QtCore import QItemSelectionModel, Qt

from app import config
from app.models.clio_files import ClioFilesModel
from app.models.clio_tree import ClioNode, Status
from app.services.clio.picks import CLIO_PICKS_MIME, ClioPick, decode_picks
from tests.views.test_clio_tree import BRIGHTLINE, Browsing, open_browser, open_path, settle

__all__ = ["open_browser"]  # the fixture, shared with the tree tests

PLEADINGS = ["Complaint for Damages.pdf", "Summons.pdf", "Civil Case Cover Sheet.pdf"]


def names(files: ClioFilesModel) -> list[str]:
    return [files.data(files.index(r, 0)) for r in range(files.rowCount())]


def show_pleadings(qtbot: Any, browsing: Browsing) -> ClioNode:
    node = open_path(qtbot, browsing, BRIGHTLINE, "00002-Brightline", "Pleadings")
    files = browsing.dialog.files_model
    qtbot.waitUntil(lambda: names(files) == PLEADINGS)
    return node


def select_rows(browsing: Browsing, *rows: int) -> None:
    table = browsing.dialog.table
    for row in rows:
        table.selectionModel().select(
            table.model().index(row, 0),
            QItemSelectionModel.SelectionFlag.Select | QItemSelectionModel.SelectionFlag.Rows,
        )


def test_browsing_to_a_folder_shows_its_seeded_files(open_browser, qtbot, qtmodeltester) -> None:
    browsing = open_browser(check=lambda dialog: qtmodeltester.check(dialog.files_model))
    show_pleadings(qtbot, browsing)
    files = browsing.dialog.files_model
    assert files.data(files.index(0, 1)) == "PDF"
    assert files.data(files.index(0, 2)).endswith(("KB", "bytes", "MB"))
    assert browsing.dialog.breadcrumb.text().endswith(
        "› 00002-Brightline Brightline Logistics v. Harmon Freight › Pleadings"
    )
    assert not browsing.dialog.busy.isVisibleTo(browsing.dialog)
    assert browsing.presented == []


def test_files_model_error_row_retry_and_refresh(open_browser, qtbot, qtmodeltester, sandbox_world) -> None:
    browsing = open_browser(check=lambda dialog: qtmodeltester.check(dialog.files_model))
    node = show_pleadings(qtbot, browsing)
    files, tree = browsing.dialog.files_model, browsing.tree
    sandbox_world.clio_faults.update({"error_rate": 1.0})
    tree.refresh(node)
    qtbot.waitUntil(lambda: names(files) == ["Couldn't load — Retry"])
    assert files.data(files.index(0, 0), Qt.ItemDataRole.ToolTipRole)
    sandbox_world.clio_faults.update({"error_rate": 0.0})
    assert files.activate(files.index(0, 0))
    qtbot.waitUntil(lambda: names(files) == PLEADINGS)
    settle(qtbot, browsing)


def test_search_finds_a_seeded_document(open_browser, qtbot) -> None:
    browsing = open_browser()
    open_path(qtbot, browsing, BRIGHTLINE, "00002-Brightline")
    dialog = browsing.dialog
    dialog.search.setText("Interrogatories")
    qtbot.waitUntil(lambda: "Special Interrogatories Set One.pdf" in names(dialog.files_model), timeout=5000)
    pick = dialog.files_model.picks([dialog.files_model.index(0, 0)])[0]
    assert pick.matter_id == 2002 and pick.client_name == BRIGHTLINE
    assert pick.breadcrumb.startswith(f"{BRIGHTLINE} › 00002-Brightline")

    # A search that finds nothing says so, on a row that cannot be chosen or dragged.
    dialog.search.setText("Zanzibar quarterly")
    message = "No documents in this matter match “Zanzibar quarterly”."
    qtbot.waitUntil(lambda: names(dialog.files_model) == [message], timeout=5000)
    assert not dialog.files_model.flags(dialog.files_model.index(0, 0)) & Qt.ItemFlag.ItemIsSelectable
    assert dialog.files_model.picks([dialog.files_model.index(0, 0)]) == []
    dialog.search.setText("Interrogatories")
    qtbot.waitUntil(lambda: "Special Interrogatories Set One.pdf" in names(dialog.files_model), timeout=5000)


def test_multi_select_upload_and_drag_give_the_same_picks(open_browser, qtbot) -> None:
    browsing = open_browser()
    show_pleadings(qtbot, browsing)
    dialog = browsing.dialog
    assert not dialog.upload.isEnabled()
    select_rows(browsing, 0, 2)
    assert dialog.upload.isEnabled()
    selected = dialog.table.selectionModel().selectedIndexes()
    dragged = decode_picks(bytes(dialog.files_model.mimeData(selected).data(CLIO_PICKS_MIME).data()))
    with qtbot.waitSignal(dialog.sig_documents_chosen) as chosen:
        qtbot.mouseClick(dialog.upload, Qt.MouseButton.LeftButton)
    picks: list[ClioPick] = chosen.args[0]
    assert [p.name for p in picks] == [PLEADINGS[0], PLEADINGS[2]]
    assert dragged == picks
    crumb = f"{BRIGHTLINE} › 00002-Brightline Brightline Logistics v. Harmon Freight › Pleadings"
    assert all(p.breadcrumb == crumb and p.matter_display_number == "00002-Brightline" for p in picks)
    assert all(p.client_id == 1002 and p.size > 0 and p.content_type == "application/pdf" for p in picks)
    assert dialog.result() == dialog.DialogCode.Accepted


def test_last_location_is_restored_on_reopen(open_browser, qtbot, settings) -> None:
    first = open_browser()
    node = show_pleadings(qtbot, first)
    first.dialog.reject()
    saved = json.loads(settings.get(config.CLIO_LAST_LOCATION))
    assert saved == {"client": 1002, "matter": 2002, "folders": [node.id]}
    again = open_browser()
    qtbot.waitUntil(lambda: names(again.dialog.files_model) == PLEADINGS, timeout=10_000)
    current = again.tree.node(again.dialog.tree.currentIndex())
    assert current.id == node.id and current.status == Status.LOADED


def test_keyboard_enter_chooses_and_escape_cancels(open_browser, qtbot) -> None:
    browsing = open_browser()
    show_pleadings(qtbot, browsing)
    dialog = browsing.dialog
    dialog.show()
    qtbot.waitExposed(dialog)
    dialog.activateWindow()
    qtbot.keyClick(dialog.tree, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: dialog.focusWidget() is dialog.search)
    dialog.table.setFocus()
    dialog.table.setCurrentIndex(dialog.files_model.index(1, 0))
    with qtbot.waitSignal(dialog.sig_documents_chosen) as chosen:
        qtbot.keyClick(dialog.table, Qt.Key.Key_Return)
    assert [p.name for p in chosen.args[0]] == [PLEADINGS[1]]
    other = open_browser()
    other.dialog.show()
    qtbot.keyClick(other.dialog, Qt.Key.Key_Escape)
    assert other.dialog.result() == other.dialog.DialogCode.Rejected and not other.dialog.isVisible()


def test_moving_away_during_the_reopen_keeps_the_users_choice(open_browser, qtbot, sandbox_world) -> None:
    first = open_browser()
    show_pleadings(qtbot, first)
    first.dialog.reject()
    sandbox_world.clio_faults.update({"latency_ms": 150})  # the reopen is still on its way…
    again = open_browser()
    tree, view = again.tree, again.dialog.tree
    alvarez = open_path(qtbot, again, "Elena Alvarez", select=False)
    view.setCurrentIndex(tree.index_of(alvarez))  # …when the user picks another client
    # Proving a jump does NOT happen needs time to pass: the rest of the remembered path is about
    # three requests of 150 ms each, so 1.5 s is ample.
    qtbot.wait(1500)
    assert tree.node(view.currentIndex()) is alvarez
