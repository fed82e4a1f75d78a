"""Drafts as people use them: closing with changes asks Keep as Draft / Discard / Cancel; every
saved draft is in File › Resume Unfinished Order; a Draft row of the orders list opens its
wizard on double-click or Enter, and its context menu deletes it (after asking) at the provider
and here. Offscreen over the sandbox, through the main window."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import shiboken6
from PySide6.QtCore import Qt

from app.services import http
from app.services.legalconnect.records import OrderStatus
from app.services.wizard.flow import OrderWizard
from app.views.wizard.window import WizardWindow
from tests.views.conftest import run
from tests.views.wizard_helpers import close_wizard, main_window, open_wizard, sign_in, started_order


def gone(wiz_window: WizardWindow) -> bool:
    return not shiboken6.isValid(wiz_window) or not wiz_window.isVisible()


def _prompt_button(wiz_window: WizardWindow, text: str) -> Any:
    prompt = wiz_window.close_prompt
    assert prompt is not None and prompt.isVisible()
    return next(b for b in prompt.buttons() if b.text() == text)


@pytest.fixture
def signed_in(qtbot: Any, make_stack: Any, sandbox_world: Any, demo: Any) -> Any:
    sandbox_world.legalconnect_faults.update({"clerk_delay_s": 3600})
    stack = make_stack()
    window, _clio = main_window(qtbot, stack)
    sign_in(qtbot, window, stack, demo)
    return stack, window


def test_closing_with_changes_asks_keep_discard_or_cancel(qtbot: Any, signed_in: Any, tmp_path: Path) -> None:
    stack, window = signed_in
    client = stack.services.legalconnect

    # Nothing changed: it closes without asking and saves nothing.
    untouched = open_wizard(qtbot, window)
    untouched.close()
    assert untouched.close_prompt is None
    qtbot.waitUntil(lambda: gone(untouched))
    assert OrderWizard.saved(stack.store) == []

    # Changes: Close asks. Cancel (Esc) stays; Keep as Draft keeps it.
    kept = started_order(qtbot, window, "Alvarez v. Brightwater Motors")
    kept.close()
    assert kept.isVisible()
    assert kept.close_prompt.text() == "Keep “Alvarez v. Brightwater Motors” as a draft?"
    assert {b.text() for b in kept.close_prompt.buttons()} == {"&Keep as Draft", "&Discard", "Cancel"}
    assert kept.close_prompt.defaultButton().text() == "&Keep as Draft"
    qtbot.keyClick(kept.close_prompt, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: not kept.close_prompt.isVisible())
    assert kept.isVisible(), "Cancel keeps the wizard open"
    kept.reject()  # Esc on the wizard asks the same
    _prompt_button(kept, "&Keep as Draft").click()
    qtbot.waitUntil(lambda: gone(kept))
    assert [d.title for d in OrderWizard.saved(stack.store)] == ["Alvarez v. Brightwater Motors"]

    # Discard deletes the draft, its provider order and its working files.
    thrown = started_order(qtbot, window, "Okafor v. Lindqvist", tmp_path / "desktop")
    order_id = thrown.wizard.draft.remote_order_id
    work = thrown.submission.work_dir
    assert order_id is not None and work.exists()
    thrown.close()
    _prompt_button(thrown, "&Discard").click()
    qtbot.waitUntil(lambda: gone(thrown), timeout=15_000)
    assert [d.title for d in OrderWizard.saved(stack.store)] == ["Alvarez v. Brightwater Motors"]
    assert not work.exists()
    with pytest.raises(http.NotFound):
        run(qtbot, client.order(order_id))


def test_every_saved_draft_is_in_the_resume_menu(qtbot: Any, signed_in: Any) -> None:
    _stack, window = signed_in
    for title in ("Alvarez v. Brightwater Motors", "Nguyen Dissolution", "Harbor & Vale v. Quill"):
        close_wizard(qtbot, started_order(qtbot, window, title))
    window.resume_menu.aboutToShow.emit()
    texts = [a.text() for a in window.resume_menu.actions()]
    assert [t.split(" — ")[0] for t in texts] == [
        "Harbor && Vale v. Quill",  # newest first; an ampersand is not a shortcut mark
        "Nguyen Dissolution",
        "Alvarez v. Brightwater Motors",
    ]
    assert all(t.endswith(tuple("0123456789")) and "0 document(s)" in t for t in texts)
    window.resume_menu.actions()[2].trigger()  # the oldest, not only the newest, is reachable
    qtbot.waitUntil(lambda: window.place_order.window is not None, timeout=15_000)
    assert window.place_order.window.wizard.draft.case_title == "Alvarez v. Brightwater Motors"


def test_a_draft_row_opens_its_wizard_and_its_context_menu_deletes_it(
    qtbot: Any, signed_in: Any, tmp_path: Path
) -> None:
    stack, window = signed_in
    client = stack.services.legalconnect
    started = started_order(qtbot, window, "Alvarez v. Brightwater Motors", tmp_path / "desktop")
    draft_id, order_id = started.wizard.draft.id, started.wizard.draft.remote_order_id
    close_wizard(qtbot, started)
    window.refresh()
    view = window.orders_view
    qtbot.waitUntil(lambda: view.select_order(order_id), timeout=15_000)
    assert view.selected_order().status is OrderStatus.DRAFT

    # Enter on the row opens the draft's wizard.
    view.table.setFocus()
    qtbot.keyClick(view.table, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: window.place_order.window is not None, timeout=15_000)
    opened = window.place_order.window
    assert opened.wizard.draft.id == draft_id and opened.wizard.draft.remote_order_id == order_id
    close_wizard(qtbot, opened)

    # Its context menu: Open Draft, Delete Draft…; deleting asks, then removes it everywhere.
    row = view.table.currentIndex()
    view.table.customContextMenuRequested.emit(view.table.visualRect(row).center())
    menu = view.context_menu
    assert [a.text() for a in menu.actions()] == ["&Open Draft", "&Delete Draft…"]
    menu.actions()[1].trigger()
    confirm = window.place_order.confirm
    assert confirm is not None and confirm.isVisible()
    assert confirm.text() == "Delete the draft “Alvarez v. Brightwater Motors”?"
    next(b for b in confirm.buttons() if b.text() == "Delete Draft").click()
    qtbot.waitUntil(lambda: view.model.row_of(order_id) is None, timeout=15_000)
    assert OrderWizard.saved(stack.store) == []
    with pytest.raises(http.NotFound):
        run(qtbot, client.order(order_id))

    # A draft started elsewhere (the firm's seeded one): its files are not here; it says so.
    elsewhere = next(o for o in view.model.orders() if o.status is OrderStatus.DRAFT)
    view.select_order(elsewhere.id)
    qtbot.keyClick(view.table, Qt.Key.Key_Return)
    notice = next(n for n in window.notification_area.notices if "not started on this computer" in n.title)
    assert [b.text() for b in notice.buttons] == ["Delete Draft…"]
    assert window.place_order.window is None


def test_quitting_keeps_the_draft_without_asking(qtbot: Any, signed_in: Any) -> None:
    """The app quitting with a changed order open: the draft is saved and its window closes on
    the way out without a question nobody is there to answer."""
    stack, window = signed_in
    wiz_window = started_order(qtbot, window, "Alvarez v. Brightwater Motors")
    wiz_window.wizard.set_case_title("Alvarez v. Brightwater Motors, Inc.")  # not saved yet
    window.sig_quit_requested.emit()
    wiz_window.reject()  # what the app's shut-down does to every dialog still open
    assert wiz_window.close_prompt is None
    assert [d.title for d in OrderWizard.saved(stack.store)] == ["Alvarez v. Brightwater Motors, Inc."]
