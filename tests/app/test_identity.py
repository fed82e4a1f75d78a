"""Who the app is, from one place: the icon set the packages need, the version, the licences."""

from __future__ import annotations

import tomllib

from PIL import Image

from app import __version__, identity
from app.paths import APP_AUTHOR, APP_NAME


def test_the_icon_set_has_every_size_as_png_ico_and_icns() -> None:
    pngs = identity.app_icon_files()
    assert [p.stem for p in pngs] == [str(s) for s in identity.ICON_SIZES]
    for png in pngs:
        with Image.open(png) as image:
            assert image.size == (int(png.stem), int(png.stem)) and image.mode == "RGBA"
            assert image.getpixel((image.width // 2, image.height // 2))[3] == 255  # drawn, not empty
    folder = identity.ROOT / "resources" / "icons"
    with Image.open(folder / "app.ico") as ico:
        assert {(s, s) for s in identity.ICON_SIZES if s <= 256} <= set(ico.info["sizes"])
    with Image.open(folder / "app.icns") as icns:
        assert icns.format == "ICNS" and icns.size[0] >= 256


def test_name_organisation_and_version_come_from_one_place() -> None:
    assert (APP_NAME, APP_AUTHOR) == (identity.APP_NAME, identity.ORGANIZATION)
    assert __version__ == identity.VERSION
    project = tomllib.loads((identity.ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert "version" not in project["project"] and project["project"]["dynamic"] == ["version"]
    assert project["tool"]["setuptools"]["dynamic"]["version"] == {"attr": "app.__version__"}
    assert identity.APP_ID == "com.legalconnect.desktop"


def test_about_names_the_build_what_it_runs_on_and_the_licences() -> None:
    assert identity.build() == "source checkout"
    assert "Python 3." in identity.runtime() and "Qt 6." in identity.runtime()
    text = identity.licences_text()
    assert "Qt 6 (The Qt Company Ltd.) — GNU Lesser General Public License v3 (LGPL-3.0)" in text
    assert "PySide6" in text and "httpx" in text and "truststore" in text
    guide = identity.guide()
    assert guide is not None and guide.name == "README.md"
