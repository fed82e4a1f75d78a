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
    assert labels == ["Open LegalConnect Desktop", "Quit"]  # Place Order only when one is given
    with qtbot.waitSignal(tray.sig_quit_requested):
        tray.quit_action.trigger()
    window.hide()
    tray.open_action.trigger()
    assert window.isVisible()


def test_tray_place_order_brings_the_window_and_opens_the_wizard(qtbot) -> None:
    window = QMainWindow()
    qtbot.addWidget(window)
    opened: list[bool] = []
    tray = Tray(window, place_order=lambda: opened.append(True))
    labels = [a.text().replace("&", "") for a in tray.menu.actions() if not a.isSeparator()]
    assert labels == ["Open LegalConnect Desktop", "Place Order…", "Quit"]
    assert tray.place_order_action is not None
    tray.place_order_action.trigger()
    assert opened == [True] and window.isVisible()
