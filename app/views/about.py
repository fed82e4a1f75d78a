"""Help › About and Help › User Guide: the version, build and licences; the README."""

from __future__ import annotations

from PySide6.QtCore import Qt, QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QMessageBox, QWidget

from app import identity


def show_about(parent: QWidget, provider_name: str) -> QMessageBox:
    """Version, build, what it runs on, and the licences of what it ships with (Show Details…)."""
    box = QMessageBox(parent)
    box.setObjectName("aboutBox")
    box.setWindowTitle(f"About {identity.APP_NAME}")
    box.setIconPixmap(parent.windowIcon().pixmap(64, 64))
    box.setText(
        f"<b>{identity.APP_NAME}</b> {identity.VERSION}<br>eFile court documents through "
        f"{provider_name}, with Clio Manage."
    )
    box.setInformativeText(f"Build: {identity.build()}<br>{identity.runtime()}")
    box.setDetailedText(identity.licences_text())  # Qt's LGPL notice first
    box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    box.open()
    return box


def open_guide() -> bool:
    """Open the user guide (README) in the system's viewer; False when there is none to open."""
    guide = identity.guide()
    return guide is not None and QDesktopServices.openUrl(QUrl.fromLocalFile(str(guide)))
