"""The tray: Open and Quit, hidden where the desktop has no tray (always so offscreen)."""

from __future__ import annotations

from PySide6.QtWidgets import QMainWindow

from app.views.tray import Tray


def test_tray_menu_and_offscreen_fallback(qtbot) -> None:
    window = QMainWindow()
    qtbot.addWidget(window)
    tray = Tray(window)
    assert tray.available is False  # offscreen: notifications go to the window instead
    assert not tray.icon.isVisible()
    labels = [a.text().replace("&", "") for a in tray.menu.actions() if not a.isSeparator()]
    assert labels == ["Open LegalConnect Desktop", "Quit"]  # no Place Order until the wizard exists
    with qtbot.waitSignal(tray.sig_quit_requested):
        tray.quit_action.trigger()
    window.hide()
    tray.open_action.trigger()
    assert window.isVisible()
