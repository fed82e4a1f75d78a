"""Clio in the main window: offered only when the provider enables it; connect, status, disconnect."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from app.services.clio.tokens import ClioConnectionEnded
from app.views.clio_access import ClioAccess
from app.views.main_window import MainWindow
from app.views.settings_dialog import SettingsDialog
from tests.services.clio.auth_fixtures import revoke_everything, who_am_i_status
from tests.views.conftest import Stack, run
from tests.views.wizard_helpers import connect_clio, main_window, sign_in


def _window(qtbot: Any, stack: Stack) -> tuple[MainWindow, ClioAccess]:
    return main_window(qtbot, stack)


def test_connect_shows_the_account_and_disconnect_revokes(
    qtbot, stack, sandbox_world, demo, tmp_path
) -> None:
    window, clio = _window(qtbot, stack)
    assert not window.connect_clio_action.isVisible()  # nothing about Clio before sign-in
    sign_in(qtbot, window, stack, demo)
    qtbot.waitUntil(lambda: clio.enabled)
    assert window.connect_clio_action.isVisible()
    assert not window.disconnect_clio_action.isVisible()
    assert window.connection.clio.text == "Clio: not connected"

    connect_clio(qtbot, clio, sandbox_world)
    status = window.connection.clio.text
    assert "Dana Whitfield" in status
    assert "Harbor & Vale LLP (US)" in status
    assert window.disconnect_clio_action.isVisible()
    dialog = SettingsDialog(stack.settings, window, clio)
    assert dialog.clio_box is not None
    assert "Harbor & Vale LLP" in dialog.clio_box.account.text()
    assert dialog.clio_box.disconnect_button.isVisibleTo(dialog)
    dialog.reject()

    assert clio.connection.auth is not None
    snapshot = clio.connection.auth.tokens_snapshot
    assert snapshot is not None
    window.disconnect_clio()
    qtbot.waitUntil(lambda: not clio.connected)
    assert who_am_i_status(sandbox_world, snapshot.access_token) == 401
    assert window.connection.clio.text == "Clio: not connected"
    assert not any("ended" in n.title for n in window.notification_area.notices)  # the user chose it


def test_clio_ending_the_connection_asks_to_connect_again(
    qtbot, stack, sandbox_world, demo, tmp_path
) -> None:
    window, clio = _window(qtbot, stack)
    sign_in(qtbot, window, stack, demo)
    qtbot.waitUntil(lambda: clio.enabled)
    connect_clio(qtbot, clio, sandbox_world)
    revoke_everything(sandbox_world, 1)  # the user removed the app inside Clio
    assert clio.client is not None
    with pytest.raises(ClioConnectionEnded):
        run(qtbot, clio.client.who_am_i())
    qtbot.waitUntil(lambda: any("Clio connection ended" in n.title for n in window.notification_area.notices))
    notice = next(n for n in window.notification_area.notices if "Clio connection ended" in n.title)
    assert [b.text() for b in notice.buttons] == ["Connect…"]
    assert window.connect_clio_action.isVisible()
    assert not clio.connected


def test_no_clio_option_when_the_provider_switches_it_off(
    qtbot, stack, sandbox_world, demo, tmp_path
) -> None:
    base = sandbox_world.endpoints.legalconnect.base_url
    httpx.post(f"{base}/_sandbox/legalconnect/provider", json={"clio_enabled": False}).raise_for_status()
    window, clio = _window(qtbot, stack)
    sign_in(qtbot, window, stack, demo)
    assert stack.session.provider is not None
    assert not stack.session.provider.clio.enabled
    assert not clio.enabled
    assert not window.connect_clio_action.isVisible()
    assert not window.disconnect_clio_action.isVisible()
    assert window.connection.clio.isHidden()
    dialog = SettingsDialog(stack.settings, window, clio)
    assert dialog.clio_box is not None
    assert not dialog.clio_box.isVisibleTo(dialog)
    dialog.reject()
