"""The system-tray icon and its menu (Open, Place Order, Quit), where the desktop has a tray.

When `available` is False (offscreen, bare X servers, some Linux desktops) the icon is never shown,
notifications go to the window's notification area, and closing the window quits the app.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QAction, QIcon
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
        self.icon = QSystemTrayIcon(tray_icon if tray_icon is not None else icon("app"), self)
        self.icon.setToolTip(QApplication.applicationName() or "LegalConnect Desktop")
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
