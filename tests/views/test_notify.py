"""Notifications fall back to the window when no tray exists (always so offscreen)."""

from __future__ import annotations

from PySide6.QtGui import QIcon, QPixmap
from PySide6.QtWidgets import QLabel, QSystemTrayIcon

from app.views.notify import Action, Level, NotificationArea, Notifier


def _tray() -> QSystemTrayIcon:
    pixmap = QPixmap(16, 16)
    pixmap.fill()
    tray = QSystemTrayIcon(QIcon(pixmap))
    tray.show()
    return tray


def test_without_a_system_tray_the_notice_shows_in_the_window(qtbot) -> None:
    area = NotificationArea()
    qtbot.addWidget(area)
    tray = _tray()
    notifier = Notifier(area, tray)
    assert not QSystemTrayIcon.isSystemTrayAvailable()  # offscreen has no tray
    assert not notifier.uses_tray
    notice = notifier.notify("Order 1234567 accepted", "3 documents returned.", Level.SUCCESS)
    assert notice is not None
    assert area.isVisibleTo(area.parentWidget() or area)
    assert [n.title for n in area.notices] == ["Order 1234567 accepted"]
    tray.hide()


def test_action_button_runs_and_dismisses(qtbot) -> None:
    area = NotificationArea()
    qtbot.addWidget(area)
    area.show()
    clicked: list[str] = []
    notice = area.show_notice(
        "Offline", "Cannot reach the provider.", Level.ERROR, [Action("Retry", lambda: clicked.append("r"))]
    )
    with qtbot.waitSignal(notice.sig_closed):
        notice.buttons[0].click()
    assert clicked == ["r"]
    assert area.notices == []
    assert not area.isVisible()


def test_info_notices_fade_errors_stay(qtbot) -> None:
    area = NotificationArea()
    qtbot.addWidget(area)
    area.show()
    info = area.show_notice("Saved", "Draft saved.", Level.INFO, timeout_ms=50)
    error = area.show_notice("Failed", "Upload failed.", Level.ERROR)
    qtbot.waitUntil(lambda: info not in area.notices, timeout=2000)
    assert area.notices == [error]


def test_the_strip_keeps_only_the_newest_notices(qtbot) -> None:
    area = NotificationArea()
    qtbot.addWidget(area)
    for i in range(7):
        area.show_notice(f"n{i}", "x", Level.WARNING)
    assert [n.title for n in area.notices] == ["n6", "n5", "n4", "n3"]


def test_message_text_is_not_interpreted_as_markup(qtbot) -> None:
    area = NotificationArea()
    qtbot.addWidget(area)
    notice = area.show_notice("Court said", "<img src=x> & more", Level.INFO)
    label = notice.findChild(QLabel)
    assert "&lt;img src=x&gt; &amp; more" in label.text()
    assert "<img" not in label.text()


def test_a_notice_added_to_a_shown_strip_is_visible_at_once(qtbot) -> None:
    """No event-loop turn between adding a notice and seeing it: callers check it right away."""
    area = NotificationArea()
    qtbot.addWidget(area)
    area.show_notice("Offline.", "Cannot reach the service.", Level.ERROR)
    area.show()
    qtbot.waitExposed(area)
    second = area.show_notice("Order 1234567 accepted", "", Level.SUCCESS)
    assert second.isVisible()
