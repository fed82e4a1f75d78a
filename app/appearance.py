"""How things look in every window, shared by the item models and the views (neither owns it).

Icons and the stylesheet shipped in `resources/`, loaded once; sizes and times as the user reads
them. Icons are small SVG files; a name that has no file gives an empty icon rather than an error,
so a missing resource never stops the window from opening.
"""

from __future__ import annotations

import datetime as dt
from functools import cache

from PySide6.QtCore import QDateTime, QLocale
from PySide6.QtGui import QIcon

from app import identity

RESOURCES = identity.RESOURCES


@cache
def icon(name: str) -> QIcon:
    """The icon `resources/icons/<name>.svg` (cached; needs a QGuiApplication)."""
    path = RESOURCES / "icons" / f"{name}.svg"
    return QIcon(str(path)) if path.is_file() else QIcon()


def stylesheet() -> str:
    """The app's stylesheet, or "" when the file is missing (the platform style then applies)."""
    try:
        return (RESOURCES / "style.qss").read_text(encoding="utf-8")
    except OSError:
        return ""


def human_size(size: int | None) -> str:
    """1536 → "1.5 KB"; None → ""."""
    if size is None:
        return ""
    value = float(size)
    for unit in ("bytes", "KB", "MB", "GB"):
        if value < 1024 or unit == "GB":
            return f"{int(value)} bytes" if unit == "bytes" else f"{value:.1f} {unit}"
        value /= 1024
    return ""  # pragma: no cover - the loop always returns


def display_locale(system: QLocale) -> QLocale:
    """The locale dates and numbers are shown in: the system's, or US English where none is chosen
    (LANG unset or C, as on a bare Linux machine), whose short dates read "27 11 2026"."""
    if system.language() == QLocale.Language.C:
        return QLocale(QLocale.Language.English, QLocale.Country.UnitedStates)
    return system


def local_time(moment: dt.datetime) -> str:
    """Date and time in the user's locale and time zone."""
    stamp = QDateTime.fromSecsSinceEpoch(int(moment.timestamp()))
    return QLocale().toString(stamp, QLocale.FormatType.ShortFormat)
