"""Render the application icon (`resources/icons/app.svg`) into every size the packages need:
PNGs in `resources/icons/app/`, `app.ico` (Windows) and `app.icns` (macOS). Run it after changing
the SVG: `python resources/make_icons.py`."""

from __future__ import annotations

import io
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main() -> None:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PIL import Image
    from PySide6.QtCore import QBuffer, QByteArray, QIODevice, Qt
    from PySide6.QtGui import QGuiApplication, QImage, QPainter
    from PySide6.QtSvg import QSvgRenderer

    from app.identity import ICON_SIZES

    _app = QGuiApplication([])
    renderer = QSvgRenderer(str(ROOT / "resources" / "icons" / "app.svg"))
    out = ROOT / "resources" / "icons" / "app"
    out.mkdir(exist_ok=True)
    images: dict[int, Image.Image] = {}
    for size in ICON_SIZES:
        image = QImage(size, size, QImage.Format.Format_ARGB32)
        image.fill(Qt.GlobalColor.transparent)
        painter = QPainter(image)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        renderer.render(painter)
        painter.end()
        data = QByteArray()
        buffer = QBuffer(data)
        buffer.open(QIODevice.OpenModeFlag.WriteOnly)
        image.save(buffer, "PNG")
        png = bytes(data.data())
        (out / f"{size}.png").write_bytes(png)
        images[size] = Image.open(io.BytesIO(png)).convert("RGBA")
    biggest = images[max(ICON_SIZES)]
    biggest.save(out.parent / "app.ico", sizes=[(s, s) for s in ICON_SIZES if s <= 256])
    biggest.save(out.parent / "app.icns")
    print(f"wrote {len(ICON_SIZES)} PNGs, app.ico and app.icns under {out.parent}")


if __name__ == "__main__":
    main()
