"""Which parts of Qt the packaged app leaves out.

PySide6's PyInstaller hooks collect every QML module and the Qt libraries those modules need (3D,
charts, multimedia, ...). The app uses Qt Widgets and QtWebEngine's widget view and no QML, so the
spec leaves those parts out (about 130 MB of 657 on Linux). QtWebEngineCore does need Qml,
QmlModels, Quick, QuickWidgets, Positioning and WebChannel, which stay, as do QtWebEngine's
locales. `installer/package.sh` checks on Linux that nothing left in the bundle links to a library
left out, and the bundle's smoke test loads a page in QtWebEngine.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import TypeVar

_UNUSED_MODULES = (
    "3d",
    "datavisualization",
    "charts",
    "graphs",
    "labs",
    "location",
    "multimedia",
    "pdf",
    "positioningquick",
    "position_nmea",
    "quick3d",
    "quickcontrols2",
    "quickdialogs2",
    "quickeffects",
    "quicklayouts",
    "quickparticles",
    "quickshapes",
    "quicktemplates2",
    "quicktest",
    "quicktimeline",
    "quickvectorimage",
    "remoteobjects",
    "scxml",
    "sensors",
    "serialport",
    "shadertools",
    "spatialaudio",
    "sql",
    "statemachine",
    "test",
    "texttospeech",
    "virtualkeyboard",
    "waylandcompositor",
    "webchannelquick",
    "webenginequick",
    "websockets",
    "webview",
    "qmlcore",
    "qmldesignsupport",
    "qmllocalstorage",
    "qmlnetwork",
    "qmlxmllistmodel",
)
_UNUSED_PLUGIN_FOLDERS = (
    "qmltooling",
    "sqldrivers",
    "multimedia",
    "texttospeech",
    "sensors",
    "geoservices",
    "canbus",
    "renderers",
    "sceneparsers",
    "assetimporters",
    "geometryloaders",
    "designer",
    "qmllint",
    "scxmldatamodel",
    "webview",
    "virtualkeyboard",
    "renderplugins",
)

UNUSED = re.compile(
    # a Qt module's library, framework or Python binding: libQt6Quick3D.so.6, Qt6Charts.dll,
    # QtPdf.framework/..., PySide6/QtTextToSpeech.abi3.so, a plugin such as libqtvirtualkeyboardplugin
    rf"/(?:lib)?qt6?(?:{'|'.join(_UNUSED_MODULES)})"
    # every QML module, and the plugins only QML or the modules above load
    rf"|/qml/|/plugins/(?:{'|'.join(_UNUSED_PLUGIN_FOLDERS)})/|/(?:lib)?qpdf\."
    # Qt's own translations (the app is in English and loads none)
    r"|/translations/[^/]+\.qm$",
    re.IGNORECASE,
)

Entry = TypeVar("Entry", bound=tuple[str, ...])


def unused(dest: str) -> bool:
    """Whether the bundle entry at `dest` (its path inside the bundle, any OS's separators) is a
    Qt part the app does not use."""
    return UNUSED.search("/" + dest.replace("\\", "/")) is not None


def used(entries: Iterable[Entry]) -> list[Entry]:
    """PyInstaller's (dest, source, kind) entries without the Qt parts the app does not use."""
    return [entry for entry in entries if not unused(entry[0])]
