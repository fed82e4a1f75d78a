"""Notifications: the system tray where one exists, an in-window notification area otherwise.

Offscreen, on bare X servers and on some Linux desktops there is no tray, and
`QSystemTrayIcon.showMessage` then does nothing at all. So every notification also lands in the
window's `NotificationArea` unless the tray really showed it; nothing a user must know is lost.
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtCore import QObject, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSystemTrayIcon,
    QVBoxLayout,
    QWidget,
)


class Level(enum.Enum):
    INFO = "info"
    SUCCESS = "success"
    WARNING = "warning"
    ERROR = "error"


_COLOURS = {
    Level.INFO: ("#e8f0fe", "#1a4fa0"),
    Level.SUCCESS: ("#e6f4ea", "#1e6b34"),
    Level.WARNING: ("#fef7e0", "#7a5200"),
    Level.ERROR: ("#fce8e6", "#a50e0e"),
}


@dataclass(frozen=True)
class Action:
    """A button on a notice (Retry, Open order…)."""

    label: str
    run: Callable[[], None]


class Notice(QFrame):
    """One message in the notification area, with optional action buttons and a close button."""

    sig_closed = Signal()
    """Emitted once, when the notice goes away (closed by the user, by an action or by time)."""

    def __init__(self, title: str, message: str, level: Level, actions: list[Action]) -> None:
        super().__init__()
        self.setObjectName("notice")
        self.setProperty("level", level.value)
        self.setFrameShape(QFrame.Shape.StyledPanel)
        background, foreground = _COLOURS[level]
        self.setStyleSheet(
            f"#notice {{ background: {background}; border: 1px solid {foreground}; border-radius: 4px; }}"
            f" QLabel {{ color: {foreground}; }}"
        )
        self.title = title
        self.message = message
        self.level = level
        row = QHBoxLayout(self)
        row.setContentsMargins(10, 6, 6, 6)
        text = QLabel(f"<b>{_escape(title)}</b> {_escape(message)}" if title else _escape(message))
        text.setWordWrap(True)
        text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        row.addWidget(text, 1)
        self.buttons: list[QPushButton] = []
        for action in actions:
            button = QPushButton(action.label)
            button.clicked.connect(action.run)
            button.clicked.connect(self.dismiss)
            row.addWidget(button)
            self.buttons.append(button)
        close = QPushButton("✕")
        close.setToolTip("Dismiss")
        close.setAccessibleName("Dismiss notification")
        close.setFlat(True)
        close.clicked.connect(self.dismiss)
        row.addWidget(close)
        self._closed = False

    def dismiss(self) -> None:
        if self._closed:
            return
        self._closed = True
        self.hide()
        self.sig_closed.emit()
        self.deleteLater()


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


class NotificationArea(QWidget):
    """A strip at the top of the main window holding the current notices, newest first."""

    MAX_NOTICES = 4

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._layout = QVBoxLayout(self)
        self._layout.setContentsMargins(6, 6, 6, 0)
        self._layout.setSpacing(4)
        self.notices: list[Notice] = []
        self.setVisible(False)

    def show_notice(
        self,
        title: str,
        message: str,
        level: Level = Level.INFO,
        actions: list[Action] | None = None,
        timeout_ms: int | None = None,
    ) -> Notice:
        """Add a notice. Errors and notices with actions stay until dismissed; others fade after
        `timeout_ms` (default 12 s) so the strip never fills with stale news."""
        notice = Notice(title, message, level, actions or [])
        notice.sig_closed.connect(lambda: self._forget(notice))
        self._layout.insertWidget(0, notice)
        # A layout shows a widget added to a visible parent only on the next event-loop turn; show
        # it now so the notice is there the moment this returns (and tests need not race it).
        notice.show()
        self.notices.insert(0, notice)
        while len(self.notices) > self.MAX_NOTICES:
            self.notices[-1].dismiss()
        if timeout_ms is None and level in (Level.INFO, Level.SUCCESS) and not actions:
            timeout_ms = 12_000
        if timeout_ms:
            QTimer.singleShot(timeout_ms, notice, notice.dismiss)
        self.setVisible(True)
        return notice

    def clear(self) -> None:
        """Dismiss every notice (what they offered no longer applies)."""
        for notice in list(self.notices):
            notice.dismiss()

    def _forget(self, notice: Notice) -> None:
        if notice in self.notices:
            self.notices.remove(notice)
        self.setVisible(bool(self.notices))


class Notifier(QObject):
    """Sends a notification to the tray balloon when a tray exists, else to the window's area."""

    def __init__(self, area: NotificationArea, tray: QSystemTrayIcon | None = None) -> None:
        super().__init__(area)
        self.area = area
        self.tray = tray

    @property
    def uses_tray(self) -> bool:
        return (
            self.tray is not None
            and self.tray.isVisible()
            and QSystemTrayIcon.isSystemTrayAvailable()
            and QSystemTrayIcon.supportsMessages()
        )

    def notify(
        self,
        title: str,
        message: str,
        level: Level = Level.INFO,
        actions: list[Action] | None = None,
    ) -> Notice | None:
        """Tell the user something happened. Returns the in-window notice when one was shown.

        Notices with actions always go to the window too: a balloon cannot carry buttons.
        """
        if self.uses_tray and self.tray is not None:
            icon = {
                Level.ERROR: QSystemTrayIcon.MessageIcon.Critical,
                Level.WARNING: QSystemTrayIcon.MessageIcon.Warning,
            }.get(level, QSystemTrayIcon.MessageIcon.Information)
            self.tray.showMessage(title, message, icon, 10_000)
            if not actions:
                return None
        return self.area.show_notice(title, message, level, actions)
