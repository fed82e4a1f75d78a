"""Start at login in the window: an installed copy sets the entry up after its first sign-in (on by
default), never again once the user turned it off, and Settings adds or removes it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from app import config
from app.services.autostart import XdgAutostart
from app.views.main_window import Live, MainWindow
from app.views.settings_dialog import SettingsDialog
from tests.views.conftest import Stack


def _window(qtbot: Any, stack: Stack, entry: XdgAutostart, installed: bool) -> MainWindow:
    s = stack.services
    window = MainWindow(
        settings=stack.settings,
        runner=stack.runner,
        diagnostics=lambda: "",
        live=Live(s.engine, s.desk, None, s.returns, s.notices, s.expenses, login=entry, installed=installed),
    )
    qtbot.addWidget(window)
    return window


def _sign_in(qtbot: Any, window: MainWindow, stack: Stack, demo: Any) -> None:
    stack.session.preset(demo.email, demo.password)
    window.start()
    qtbot.waitUntil(
        lambda: stack.session.provider is not None and not window.refreshing and window.engine.polling,
        timeout=15_000,
    )


def test_an_installed_copy_starts_at_login_after_its_first_sign_in(
    qtbot, make_stack, demo, tmp_path: Path
) -> None:
    entry = XdgAutostart(tmp_path / "config", ["legalconnect-desktop", "--minimized"])
    stack = make_stack()
    window = _window(qtbot, stack, entry, installed=True)
    _sign_in(qtbot, window, stack, demo)
    assert entry.enabled()
    assert stack.settings.get(config.START_AT_LOGIN_APPLIED)

    # Turned off in Settings: the entry goes, and the next start's sign-in does not bring it back.
    window.show_settings()
    dialog = window.findChild(SettingsDialog)
    assert dialog is not None
    dialog.fields[config.START_AT_LOGIN.key].set_value(False)
    dialog.accept()
    assert not entry.enabled()
    again = make_stack()  # the next start of the app
    later = _window(qtbot, again, entry, installed=True)
    _sign_in(qtbot, later, again, demo)
    assert not entry.enabled()


def test_a_source_checkout_leaves_the_login_alone_until_asked(qtbot, stack, demo, tmp_path: Path) -> None:
    entry = XdgAutostart(tmp_path / "config", ["python", "-m", "app", "--minimized"])
    window = _window(qtbot, stack, entry, installed=False)
    _sign_in(qtbot, window, stack, demo)
    assert not entry.enabled() and not stack.settings.get(config.START_AT_LOGIN_APPLIED)
    window.show_settings()
    dialog = window.findChild(SettingsDialog)
    assert dialog is not None
    dialog.accept()  # saved without touching it: the login is still left alone
    assert not entry.enabled()
    stack.settings.set(config.START_AT_LOGIN, False)
    window.show_settings()
    dialog = [d for d in window.findChildren(SettingsDialog) if d.isVisible()][-1]
    dialog.fields[config.START_AT_LOGIN.key].set_value(True)
    dialog.accept()  # ticked: asked for explicitly
    assert entry.enabled()
