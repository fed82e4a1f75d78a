"""Who the app is, in one place: its name, organisation, id and version, for Qt, platformdirs, the
About box, the packages and the installers (`pyproject.toml` reads the version from here)."""

from __future__ import annotations

import platform
import sys
from pathlib import Path

from app import __version__

APP_NAME = "LegalConnect Desktop"
ORGANIZATION = "LegalConnect"
APP_ID = "com.legalconnect.desktop"
"""Reverse-DNS id: the Linux desktop file's name, the macOS bundle id, the Windows AppUserModelID."""
VERSION = __version__

ROOT = Path(__file__).resolve().parent.parent
RESOURCES = ROOT / "resources"
"""Icons, the stylesheet, the licences (beside `app/` in a checkout and in the packaged build)."""
ICON_SIZES = (16, 24, 32, 48, 64, 128, 256, 512)
"""The application icon's PNG sizes in `resources/icons/app/` (also packed into .ico and .icns)."""


def guide() -> Path | None:
    """The user guide (README.md) of this copy: beside the app in a checkout or a package."""
    for candidate in (ROOT / "README.md", RESOURCES / "README.md"):
        if candidate.is_file():
            return candidate
    return None


def app_icon_files() -> list[Path]:
    """The application icon's PNGs, smallest first (for the window and the tray)."""
    folder = RESOURCES / "icons" / "app"
    return [folder / f"{size}.png" for size in ICON_SIZES if (folder / f"{size}.png").is_file()]


def build() -> str:
    """Which build this is: the packaged build's stamp (`app/_build.txt`, written when packaging),
    or "source checkout"."""
    stamp = Path(__file__).with_name("_build.txt")
    try:
        return stamp.read_text(encoding="utf-8").strip() or "source checkout"
    except OSError:
        return "source checkout"


def runtime() -> str:
    """Python and Qt versions and the operating system, for About and diagnostics."""
    from PySide6 import __version__ as pyside
    from PySide6.QtCore import qVersion

    return (
        f"Python {platform.python_version()}, Qt {qVersion()} (PySide6 {pyside}), "
        f"{platform.system()} {platform.release()} ({sys.platform})"
    )


def licences_text() -> str:
    """The licences of the components the app ships with (`resources/LICENSES.txt`)."""
    try:
        return (RESOURCES / "LICENSES.txt").read_text(encoding="utf-8")
    except OSError:
        return "The licence notices are missing from this copy."
