"""The main window on the sandbox: orders in every status, filter and search against the server's
own answers, documents with reject reasons, deliverables opened and saved, the offline banner."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from PySide6.QtCore import QUrl
from PySide6.QtGui import QAction, QDesktopServices, QKeySequence
from PySide6.QtWidgets import QApplication, QFileDialog, QMenu, QToolBar

from app import config
from app.models.order_detail import DocumentColumn
from app.models.orders import StatusFilter
from app.services.legalconnect.records import OrderStatus
from app.services.secrets import NO_KEYRING_NOTICE
from app.views.notify import Level
from tests.views.conftest import run


@pytest.fixture
def window(qtbot, stack, make_window, demo):
    """A started window, signed in (remembered) and showing the refreshed orders."""
    run(qtbot, stack.session.sign_in(demo.email, demo.password, remember=True))
    win = make_window(stack)
    win.show()
    qtbot.waitExposed(win)
    win.start()
    qtbot.waitUntil(lambda: win.orders_view.model.rowCount() > 0 and not win.refreshing, timeout=15_000)
    return win


def _api_orders(qtbot, stack, **kwargs):
    return list(run(qtbot, stack.client.orders_page(limit=200, **kwargs)).orders)


def test_orders_in_every_status_from_the_sandbox(qtbot, window, stack) -> None:
    api = _api_orders(qtbot, stack)
    shown = window.orders_view.model.orders()
    assert {o.id for o in shown} == {o.id for o in api}
    assert {o.status for o in shown} == set(OrderStatus)
    assert any(o.closed for o in shown)  # the auto-closed order
    assert window.connection.provider.text == (
        f"Connected to {stack.session.provider.name} as {stack.session.session.user_name}"
    )
    assert window.engine.polling
    assert window.engine.next_delay() == stack.settings.get(config.POLL_INTERVAL)


@pytest.mark.parametrize("choice", list(StatusFilter))
def test_status_filter_matches_the_server(qtbot, window, stack, choice) -> None:
    expected = _api_orders(qtbot, stack, statuses=choice.statuses)
    window.orders_view.set_status_filter(choice)
    assert {o.id for o in window.orders_view.visible_orders()} == {o.id for o in expected}


def test_search_matches_the_server(qtbot, window, stack) -> None:
    view = window.orders_view
    for text in ("Brightline", "2417108", "25STLC"):
        expected = _api_orders(qtbot, stack, query=text)
        assert expected
        view.search.clear()
        qtbot.keyClicks(view.search, text)
        assert {o.id for o in view.visible_orders()} == {o.id for o in expected}, text
    # The court is searched too (the server's `q` does not look there): count from its full list.
    everything = _api_orders(qtbot, stack)
    view.search.setText("county of orange")
    assert len(view.visible_orders()) == sum("county of orange" in o.court_name.lower() for o in everything)
    view.set_status_filter(StatusFilter.ACCEPTED)
    assert {o.id for o in view.visible_orders()} == {
        o.id
        for o in everything
        if "county of orange" in o.court_name.lower() and o.status == OrderStatus.ACCEPTED
    }
    view.clear_button.click()
    assert len(view.visible_orders()) == len(everything)
    assert view.search.text() == ""


def test_ctrl_f_focuses_the_search(qtbot, window) -> None:
    window.activateWindow()
    window.orders_view.table.setFocus()
    assert window.find_action.shortcut() == QKeySequence("Ctrl+F")
    window.find_action.trigger()
    qtbot.waitUntil(window.orders_view.search.hasFocus)


def _select(qtbot, window, status: OrderStatus):
    target = next(o for o in window.orders_view.model.orders() if o.status == status)
    assert window.orders_view.select_order(target.id)
    panel = window.order_panel
    qtbot.waitUntil(
        lambda: panel.order is not None and panel.order.id == target.id and not panel.loading, timeout=15_000
    )
    return target


@pytest.mark.parametrize("status", [OrderStatus.PARTIALLY_ACCEPTED, OrderStatus.REJECTED])
def test_documents_show_the_rejected_documents_reason(qtbot, window, stack, status) -> None:
    target = _select(qtbot, window, status)
    detail = run(qtbot, stack.client.order(target.id))
    rejected = [d for d in detail.documents if d.review_result == "rejected"]
    assert rejected and all(d.reject_reason for d in rejected)
    panel = window.order_panel
    model = panel.documents_model
    assert model.rowCount() == len(detail.documents)
    shown = {
        model.data(model.index(r, DocumentColumn.NAME)): (
            model.data(model.index(r, DocumentColumn.RESULT)),
            model.data(model.index(r, DocumentColumn.REASON)),
        )
        for r in range(model.rowCount())
    }
    for doc in rejected:
        assert shown[doc.name] == ("Rejected", doc.reject_reason)
    assert target.display_number in panel.number.text()
    assert panel.status.text() == target.status.label
    assert panel.court.text() == target.court_name


def _pick_deliverable(qtbot, window, stack):
    target = _select(qtbot, window, OrderStatus.PARTIALLY_ACCEPTED)
    expected = run(qtbot, stack.client.deliverables(target.id))
    panel = window.order_panel
    assert panel.deliverables_model.rowCount() == len(expected) > 0
    panel.tabs.setCurrentIndex(1)
    panel.deliverables.selectRow(0)
    assert panel.open_button.isEnabled()
    return panel, panel.deliverables_model.deliverable_at(0)


def test_open_downloads_a_viewing_copy_and_opens_it(qtbot, window, stack, monkeypatch) -> None:
    opened: list[QUrl] = []
    monkeypatch.setattr(QDesktopServices, "openUrl", lambda url: opened.append(url) or True)
    panel, item = _pick_deliverable(qtbot, window, stack)
    panel.open_button.click()
    assert panel.progress.isVisible()
    qtbot.waitUntil(lambda: bool(opened), timeout=15_000)
    path = Path(opened[0].toLocalFile())
    assert hashlib.sha256(path.read_bytes()).hexdigest() == item.sha256
    assert not panel.progress.isVisible()
    assert panel.open_button.isEnabled()


def test_save_as_writes_the_verified_file(qtbot, window, stack, monkeypatch, tmp_path) -> None:
    destination = tmp_path / "chosen" / "copy.pdf"
    asked: list[str] = []

    def fake_dialog(_parent, _title, suggested, _filter):
        asked.append(suggested)
        return str(destination), "PDF documents (*.pdf)"

    monkeypatch.setattr(QFileDialog, "getSaveFileName", fake_dialog)
    panel, item = _pick_deliverable(qtbot, window, stack)
    panel.save_button.click()
    qtbot.waitUntil(lambda: not panel.progress.isVisible(), timeout=15_000)
    assert Path(asked[0]).name == item.name
    assert hashlib.sha256(destination.read_bytes()).hexdigest() == item.sha256
    assert "Saved" in panel.message.text()


def _error_notices(window):
    return [n for n in window.notification_area.notices if n.level is Level.ERROR]


def test_offline_banner_with_retry_keeps_the_cached_orders(qtbot, window, sandbox_world) -> None:
    count = window.orders_view.model.rowCount()
    sandbox_world.legalconnect_faults.update({"error_rate": 1.0})
    window.refresh_action.trigger()
    qtbot.waitUntil(lambda: window.offline_notice is not None, timeout=15_000)
    notice = window.offline_notice
    assert _error_notices(window) == [notice]
    assert notice.isVisible()
    retry = next(b for b in notice.buttons if b.text() == "Retry")
    assert retry.isVisible()
    assert window.orders_view.model.rowCount() == count
    assert window.connection.provider.text.startswith("Offline — showing orders from ")

    sandbox_world.legalconnect_faults.update({"error_rate": 0.0})
    retry.click()
    qtbot.waitUntil(lambda: window.offline_notice is None and not window.refreshing, timeout=15_000)
    assert _error_notices(window) == []
    assert window.connection.provider.text.startswith("Connected to")
    assert window.orders_view.model.rowCount() == count


def test_start_while_the_provider_is_down_shows_cached_orders(
    qtbot, window, make_stack, make_window, sandbox_world
) -> None:
    cached = window.orders_view.model.rowCount()
    sandbox_world.legalconnect_faults.update({"drop_rate": 1.0})
    later = make_window(make_stack())
    later.show()
    later.start()
    assert later.orders_view.model.rowCount() == cached  # from the local cache, before any answer
    qtbot.waitUntil(lambda: later.offline_notice is not None, timeout=15_000)
    assert "Cannot reach" in later.offline_notice.message
    assert later.orders_view.model.rowCount() == cached
    sandbox_world.legalconnect_faults.update({"drop_rate": 0.0})
    later.offline_notice.buttons[0].click()
    qtbot.waitUntil(lambda: later.connection.provider.text.startswith("Connected to"), timeout=15_000)
    qtbot.waitUntil(lambda: later.offline_notice is None, timeout=15_000)


def test_first_start_asks_to_sign_in(qtbot, stack, make_window, demo) -> None:
    window = make_window(stack)
    window.show()
    window.start()
    qtbot.waitUntil(lambda: window.sign_in_dialog is not None, timeout=15_000)
    dialog = window.sign_in_dialog
    assert window.sign_in_action.isVisible() and not window.sign_out_action.isVisible()
    dialog.email.setText(demo.email)
    dialog.password.setText(demo.password)
    dialog.submit()
    qtbot.waitUntil(lambda: window.orders_view.model.rowCount() > 0, timeout=15_000)
    assert window.sign_in_dialog is None
    assert window.sign_out_action.isVisible()


def test_sign_out_forgets_everything_and_asks_again(qtbot, window, stack, memory_keyring) -> None:
    assert memory_keyring.entries
    window.sign_out_action.trigger()
    qtbot.waitUntil(lambda: window.sign_in_dialog is not None, timeout=15_000)
    assert memory_keyring.entries == {}
    assert window.orders_view.model.rowCount() == 0
    assert stack.orders.cached() == []
    assert window.connection.provider.text == "Signed out"
    assert not window.engine.polling


def test_refresh_asked_twice_while_one_runs_refreshes_once_more(qtbot, window) -> None:
    before = window.engine.refresh_count
    window.refresh_action.trigger()
    assert window.refreshing
    assert window.refresh_progress.isVisible()
    window.refresh_action.trigger()
    qtbot.waitUntil(lambda: not window.refreshing, timeout=15_000)
    assert window.engine.refresh_count - before in (1, 2)  # the second F5 may find the first one done
    assert not window.refresh_progress.isVisible()
    assert window.statusBar().currentMessage() == "Orders up to date."


def test_keyring_notice_is_shown_once(qtbot, stack, make_window) -> None:
    window = make_window(stack)
    window.sync.sig_secrets_unavailable.emit(NO_KEYRING_NOTICE)
    warnings = [n for n in window.notification_area.notices if n.level is Level.WARNING]
    assert [n.message for n in warnings] == [NO_KEYRING_NOTICE]


def test_geometry_round_trip(qtbot, stack, make_window) -> None:
    first = make_window(stack)
    first.show()
    qtbot.waitExposed(first)
    first.resize(703, 457)
    with qtbot.waitSignal(first.sig_quit_requested):
        first.close()
    assert stack.settings.get(config.WINDOW_GEOMETRY)
    second = make_window(stack)
    assert (second.width(), second.height()) == (703, 457)


def test_close_keeps_running_in_the_tray_when_asked(qtbot, stack, make_window) -> None:
    window = make_window(stack)
    window.show()
    window.tray.available = True
    stack.settings.set(config.CLOSE_TO_TRAY, True)
    with qtbot.assertNotEmitted(window.sig_quit_requested):
        window.close()
    assert not window.isVisible()
    window.tray.available = False
    window.show()
    with qtbot.waitSignal(window.sig_quit_requested):
        window.close()


def _all_actions(window) -> list[QAction]:
    actions = list(window.findChildren(QAction))
    for menu in window.findChildren(QMenu):
        actions.extend(menu.actions())
    return actions


def test_place_order_action_in_the_file_menu_and_toolbar(window) -> None:
    texts = [a.text().replace("&", "").lower() for a in _all_actions(window)]
    assert "refresh" in texts
    assert "place order…" in texts
    assert window.place_order_action.shortcut() == QKeySequence("Ctrl+N")
    assert window.place_order_action.isEnabled()  # signed in
    toolbar = window.findChild(QToolBar, "mainToolbar")
    assert window.place_order_action in toolbar.actions()


def test_menus_and_shortcuts(window) -> None:
    assert window.refresh_action.shortcut() == QKeySequence("F5")
    assert window.quit_action.shortcut() == QKeySequence("Ctrl+Q")
    menus = {
        m.title().replace("&", ""): [a.text().replace("&", "") for a in m.actions()]
        for m in window.menuBar().findChildren(QMenu)
    }
    assert {"Sign Out", "Settings…", "Quit"} <= set(menus["File"])
    assert "Refresh" in menus["View"]
    assert {"Copy Diagnostics", "About LegalConnect Desktop"} <= set(menus["Help"])
    with pytest.MonkeyPatch.context():
        window.diagnostics_action.trigger()
    assert QApplication.clipboard().text() == "diagnostics text"


def test_clio_status_text(window) -> None:
    window.show_clio_status("Clio: not connected")
    assert window.connection.clio.text == "Clio: not connected"


def test_settings_dialog_applies_the_poll_interval(qtbot, window) -> None:
    from app.views.settings_dialog import SettingsDialog

    window.settings_action.trigger()
    dialog = window.findChild(SettingsDialog)
    assert dialog is not None and dialog.isVisible()
    dialog.fields[config.POLL_INTERVAL.key].set_value(90)
    with qtbot.waitSignal(dialog.accepted):
        dialog.accept()
    assert window.engine.next_delay() == 90


def test_the_cached_orders_show_first_and_the_running_half_follows(qtbot, stack, make_stack, demo) -> None:
    """As the app starts: the orders as last seen at once, with what needs the services off; the
    graph composed once they are painted; then signing in, the order panel and Place Order work,
    and an order chosen meanwhile is shown in the panel."""
    from app.services.orders import cached_orders
    from app.views.main_window import Live, MainWindow

    run(qtbot, stack.session.sign_in(demo.email, demo.password, remember=True))
    run(qtbot, stack.orders.refresh())  # the cache a previous start left
    later = make_stack()
    composed: list[object] = []

    def live() -> Live:
        composed.append(later.services)
        s = later.services
        return Live(s.engine, s.desk, later.clio(), s.returns, s.notices)

    window = MainWindow(
        settings=later.settings,
        runner=later.runner,
        diagnostics=lambda: "",
        live=live,
        cached=lambda: cached_orders(later.store),
    )
    qtbot.addWidget(window)
    window.show()
    window.start()
    cached = len(cached_orders(later.store))
    assert cached >= 9 and window.orders_view.model.rowCount() == cached  # before any event turn
    assert not window.live and not composed
    assert not window.place_order_action.isEnabled() and not window.refresh_action.isEnabled()
    window.orders_view.select_order(window.orders_view.model.orders()[0].id)
    chosen = window.orders_view.selected_order()
    qtbot.waitUntil(lambda: window.live, timeout=5_000)
    assert composed == [later.services]
    assert window.order_panel.order is not None and window.order_panel.order.id == chosen.id
    qtbot.waitUntil(lambda: window.place_order_action.isEnabled() and not window.refreshing, timeout=15_000)
    assert later.session.session is not None and window.refresh_action.isEnabled()
    assert window.connection.provider.text.startswith("Connected to")
    assert window.orders_view.model.rowCount() == cached


def test_about_shows_the_version_build_and_licences(qtbot, window) -> None:
    from PySide6.QtWidgets import QMessageBox

    from app import identity

    window.about_action.trigger()
    box = window.findChild(QMessageBox, "aboutBox")
    assert box is not None
    assert f"{identity.APP_NAME}</b> {identity.VERSION}" in box.text()
    assert "Build: source checkout" in box.informativeText() and "Qt 6." in box.informativeText()
    assert "LGPL-3.0" in box.detailedText()
    assert window.guide_action.text() == "User &Guide"
    box.close()
