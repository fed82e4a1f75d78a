"""The system-tray icon and its menu (Open, Place Order, Quit), where the desktop has a tray.

When `available` is False (offscreen, bare X servers, some Linux desktops) the icon is never shown,
notifications go to the window's notification area, and closing the window quits the app.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject, QRect, Qt, Signal
from PySide6.QtGui import QAction, QColor, QFont, QIcon, QPainter, QPixmap
from PySide6.QtWidgets import QApplication, QMenu, QSystemTrayIcon, QWidget

from app.appearance import icon


class Tray(QObject):
    """Owns the tray icon. `available` tells whether the desktop shows it at all."""

    sig_quit_requested = Signal()
    """The user chose Quit from the tray menu."""

    def __init__(
        self,
        window: QWidget,
        tray_icon: QIcon | None = None,
        place_order: Callable[[], None] | None = None,
    ) -> None:
        """`place_order` opens the order wizard; without it the menu has no Place Order."""
        super().__init__(window)
        self.window = window
        self.available = QSystemTrayIcon.isSystemTrayAvailable()
        self._base_icon = tray_icon if tray_icon is not None else icon("app")
        self.icon = QSystemTrayIcon(self._base_icon, self)
        self.name = QApplication.applicationName() or "LegalConnect Desktop"
        self.icon.setToolTip(self.name)
        self.waiting = 0
        self.failed = 0
        self.menu = QMenu()
        self.open_action = QAction("&Open LegalConnect Desktop", self.menu)
        self.open_action.triggered.connect(self.show_window)
        self.quit_action = QAction("&Quit", self.menu)
        self.quit_action.triggered.connect(self.sig_quit_requested.emit)
        self.menu.addAction(self.open_action)
        self.place_order_action: QAction | None = None
        if place_order is not None:
            self.place_order_action = QAction("&Place Order…", self.menu)
            self.place_order_action.triggered.connect(lambda _checked=False: self._place_order(place_order))
            self.menu.addAction(self.place_order_action)
        self.menu.addSeparator()
        self.menu.addAction(self.quit_action)
        self.icon.setContextMenu(self.menu)
        self.icon.activated.connect(self._activated)
        if self.available:
            self.icon.show()

    def _activated(self, reason: QSystemTrayIcon.ActivationReason) -> None:
        if reason in (QSystemTrayIcon.ActivationReason.Trigger, QSystemTrayIcon.ActivationReason.DoubleClick):
            self.show_window()

    def show_window(self) -> None:
        """Bring the main window back from the tray (or from behind other windows)."""
        self.window.showNormal()
        self.window.raise_()
        self.window.activateWindow()

    def _place_order(self, place_order: Callable[[], None]) -> None:
        self.show_window()  # the wizard opens over the main window
        place_order()

    def hide(self) -> None:
        self.icon.hide()

    def set_returns(self, waiting: int, failed: int) -> None:
        """Say on the icon how many returned documents are not in Clio: the tooltip in words, and a
        badge with the count (red when some failed, amber when they only wait)."""
        if (waiting, failed) == (self.waiting, self.failed):
            return
        self.waiting, self.failed = waiting, failed
        parts = []
        if failed:
            parts.append(f"{failed} returned document(s) failed to reach Clio")
        if waiting:
            parts.append(f"{waiting} waiting for Clio")
        self.icon.setToolTip(f"{self.name} — " + "; ".join(parts) if parts else self.name)
        count = waiting + failed
        self.icon.setIcon(self._base_icon if count == 0 else self._badged(count, bool(failed)))

    def _badged(self, count: int, failed: bool) -> QIcon:
        size = 64
        pixmap = self._base_icon.pixmap(size, size)
        if pixmap.isNull():
            pixmap = QPixmap(size, size)
            pixmap.fill(Qt.GlobalColor.transparent)
        painter = QPainter(pixmap)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        badge = QRect(size - 34, 0, 34, 34)
        painter.setBrush(QColor("#c62828" if failed else "#e08a00"))
        painter.setPen(QColor("#ffffff"))
        painter.drawEllipse(badge)
        font = QFont()
        font.setBold(True)
        font.setPixelSize(20 if count < 10 else 15)
        painter.setFont(font)
        painter.drawText(badge, Qt.AlignmentFlag.AlignCenter, str(count) if count < 100 else "99+")
        painter.end()
        return QIcon(pixmap)
