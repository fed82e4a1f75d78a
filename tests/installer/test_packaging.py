"""What the packages are built from, checked where they can be here: the Qt parts the bundle leaves
out (against the Qt libraries QtWebEngine really links to on this machine), the macOS entitlements,
and the workflow that builds the Windows and macOS payloads on their own runners."""

from __future__ import annotations

import plistlib
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from app import identity
from installer.qt_parts import unused, used

ROOT = identity.ROOT
INSTALLER = ROOT / "installer"
WORKFLOW = ROOT / ".github" / "workflows" / "package.yml"

# What the app needs, as PyInstaller names it in the bundle on each OS.
NEEDED = [
    "PySide6/Qt/lib/libQt6WebEngineCore.so.6",
    "PySide6/Qt/lib/libQt6Quick.so.6",
    "PySide6/Qt/lib/libQt6QuickWidgets.so.6",
    "PySide6/Qt/lib/libQt6Qml.so.6",
    "PySide6/Qt/lib/libQt6Positioning.so.6",
    "PySide6/Qt/libexec/QtWebEngineProcess",
    "PySide6/Qt/translations/qtwebengine_locales/en-US.pak",
    "PySide6/Qt/resources/qtwebengine_resources.pak",
    "PySide6/Qt/plugins/platforms/libqxcb.so",
    "PySide6/Qt/plugins/tls/libqopensslbackend.so",
    "PySide6/QtWebEngineWidgets.abi3.so",
    r"PySide6\Qt6WebEngineCore.dll",
    r"PySide6\QtWebEngineProcess.exe",
    r"PySide6\plugins\platforms\qwindows.dll",
    "PySide6/Qt/lib/QtWebEngineCore.framework/Helpers/QtWebEngineProcess.app/Contents/MacOS/QtWebEngineProcess",
    "PySide6/Qt/lib/QtQuick.framework/Versions/A/QtQuick",
    "app/_build.txt",
    "resources/icons/app/256.png",
    "sandbox/clio/templates/authorize.html",
]
LEFT_OUT = [
    "PySide6/Qt/lib/libQt6Quick3DRuntimeRender.so.6",
    "PySide6/Qt/lib/libQt6Charts.so.6",
    "PySide6/Qt/lib/libQt63DRender.so.6",
    "PySide6/Qt/lib/libQt6Multimedia.so.6",
    "PySide6/Qt/lib/libQt6Pdf.so.6",
    "PySide6/Qt/qml/QtQuick/Controls/qmldir",
    "PySide6/Qt/plugins/qmltooling/libqmldbg_debugger.so",
    "PySide6/Qt/plugins/position/libqtposition_nmea.so",
    "PySide6/Qt/plugins/imageformats/libqpdf.so",
    "PySide6/Qt/plugins/platforminputcontexts/libqtvirtualkeyboardplugin.so",
    "PySide6/Qt/translations/qt_de.qm",
    r"PySide6\Qt6TextToSpeech.dll",
    r"PySide6\qml\QtCharts\qmldir",
    "PySide6/Qt/lib/QtGraphs.framework/Versions/A/QtGraphs",
    "PySide6/QtQuick3D.abi3.so",
]


def test_the_bundle_keeps_what_qtwebengine_needs_and_leaves_out_the_rest() -> None:
    assert [dest for dest in NEEDED if unused(dest)] == []
    assert [dest for dest in LEFT_OUT if not unused(dest)] == []
    entries = [(dest, "/src/" + dest, "BINARY") for dest in NEEDED + LEFT_OUT]
    assert [e[0] for e in used(entries)] == NEEDED


LDD = shutil.which("ldd")


@pytest.mark.skipif(not sys.platform.startswith("linux") or LDD is None, reason="ldd (Linux)")
def test_no_qt_library_that_qtwebengine_links_to_is_left_out() -> None:
    """The Qt libraries the app's own modules, QtWebEngine's helper and the platform plugins link
    to on this machine (their whole closure, by ldd) are all kept."""
    import PySide6

    base = Path(PySide6.__file__).parent
    qt_lib = base / "Qt" / "lib"
    roots = [
        *(base / f"{m}.abi3.so" for m in ("QtCore", "QtGui", "QtWidgets", "QtNetwork", "QtWebEngineWidgets")),
        base / "Qt" / "libexec" / "QtWebEngineProcess",
        *sorted((base / "Qt" / "plugins" / "platforms").glob("*.so")),
        *sorted((base / "Qt" / "plugins" / "tls").glob("*.so")),
    ]
    seen: set[str] = set()
    todo = [p for p in roots if p.exists()]
    assert len(todo) >= 7
    while todo:
        out = subprocess.run(
            [str(LDD), str(todo.pop())],
            capture_output=True,
            text=True,
            check=False,
            env={"LD_LIBRARY_PATH": str(qt_lib)},
        ).stdout
        for name in re.findall(r"(libQt6\w+\.so\.6) =>", out):
            if name not in seen:
                seen.add(name)
                todo.append(qt_lib / name)
    assert {"libQt6WebEngineCore.so.6", "libQt6Quick.so.6", "libQt6Qml.so.6"} <= seen
    assert sorted(n for n in seen if unused(f"PySide6/Qt/lib/{n}")) == []


def test_macos_entitlements_give_qtwebengines_helper_what_it_needs_and_the_app_nothing() -> None:
    helper = plistlib.loads((INSTALLER / "macos" / "webengine-helper.entitlements").read_bytes())
    assert helper == {"com.apple.security.cs.disable-executable-page-protection": True}
    assert plistlib.loads((INSTALLER / "macos" / "app.entitlements").read_bytes()) == {}
    sign = (INSTALLER / "macos" / "sign.sh").read_text()
    assert '--entitlements "$here/webengine-helper.entitlements" "$helper"' in sign
    assert "--options runtime" in sign


def test_the_native_runners_build_and_smoke_test_every_package() -> None:
    workflow = yaml.safe_load(WORKFLOW.read_text())
    job = workflow["jobs"]["package"]
    matrix = job["strategy"]["matrix"]["include"]
    systems = {entry["os"].split("-")[0] for entry in matrix}
    assert systems == {"windows", "macos", "ubuntu"}
    artifacts = "\n".join(entry["artifacts"] for entry in matrix)
    package_sh = (INSTALLER / "package.sh").read_text()
    # Each artifact pattern names a file package.sh makes.
    for suffix, made_by in [
        ("-setup.exe", "windows-x64-setup.exe"),
        (".dmg", '.dmg"'),
        (".deb", '.deb"'),
        (".tar.gz", '.tar.gz"'),
    ]:
        assert f"dist/*{suffix}" in artifacts
        assert made_by in package_sh
    runs = "\n".join(step.get("run", "") for step in job["steps"])
    assert "installer/package.sh python --smoke" in runs  # Windows and macOS: built and smoke-tested
    assert "./dev package" in runs and "installer/smoke.sh" in runs  # Linux: the installed .deb
    named = re.findall(r"(?:installer|\.github)/[\w./-]+\.(?:sh|nsi|yml)", WORKFLOW.read_text() + package_sh)
    assert len(named) >= 4
    for path in named:
        assert (ROOT / path).is_file(), path
