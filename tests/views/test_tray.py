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


def test_the_tray_says_how_many_returns_are_not_in_clio(qtbot) -> None:
    from PySide6.QtWidgets import QWidget

    from app.views.tray import Tray

    window = QWidget()
    qtbot.addWidget(window)
    tray = Tray(window)
    plain = tray.icon.icon().pixmap(64, 64).toImage()
    tray.set_returns(3, 1)
    assert tray.icon.toolTip() == (
        f"{tray.name} — 1 returned document(s) failed to reach Clio; 3 waiting for Clio"
    )
    badged = tray.icon.icon().pixmap(64, 64).toImage()
    assert badged != plain
    assert badged.pixelColor(37, 9).name() == "#c62828"  # red: some failed
    tray.set_returns(2, 0)
    assert tray.icon.icon().pixmap(64, 64).toImage().pixelColor(37, 9).name() == "#e08a00"
    tray.set_returns(0, 0)
    assert tray.icon.toolTip() == tray.name
    assert tray.icon.icon().pixmap(64, 64).toImage() == plain
