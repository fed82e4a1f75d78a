"""Icons and the stylesheet shipped in `resources/`, loaded once and shared.

Icons are small SVG files; a name that has no file gives an empty icon rather than an error, so a
missing resource never stops the window from opening.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from PySide6.QtGui import QIcon

RESOURCES = Path(__file__).resolve().parents[2] / "resources"
"""The resources folder (beside `app/` in a checkout; bundled beside it by the installer)."""


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
