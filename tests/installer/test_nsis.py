"""The Windows installer script compiles, warnings treated as errors, against a placeholder payload
(the real payload is built by PyInstaller on a Windows runner): an installer with the app's version
and name inside, and a clear refusal when the payload is not given."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from app import identity

SCRIPT = identity.ROOT / "installer" / "windows" / "legalconnect.nsi"
MAKENSIS = shutil.which("makensis")
pytestmark = pytest.mark.skipif(MAKENSIS is None, reason="makensis (Debian package nsis) is not installed")


def _compile(*defines: str) -> subprocess.CompletedProcess[str]:
    assert MAKENSIS is not None
    return subprocess.run(
        [MAKENSIS, "-V2", "-WX", *defines, SCRIPT.name],
        cwd=SCRIPT.parent,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_the_installer_script_compiles_against_a_placeholder_payload(tmp_path: Path) -> None:
    payload = tmp_path / "LegalConnect Desktop"
    (payload / "_internal").mkdir(parents=True)
    (payload / "LegalConnect Desktop.exe").write_bytes(b"MZ placeholder")
    (payload / "_internal" / "Qt6WebEngineCore.dll").write_bytes(b"\0" * 4096)
    out = tmp_path / f"LegalConnect-Desktop-{identity.VERSION}-setup.exe"
    done = _compile(f"-DPAYLOAD={payload}", f"-DVERSION={identity.VERSION}", f"-DOUTFILE={out}")
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    data = out.read_bytes()
    assert data[:2] == b"MZ"  # a Windows executable
    assert identity.VERSION.encode("utf-16-le") in data  # its version resource
    assert identity.APP_NAME.encode("utf-16-le") in data


def test_without_a_payload_it_refuses_and_says_what_is_missing() -> None:
    done = _compile(f"-DVERSION={identity.VERSION}")
    assert done.returncode != 0
    assert "PAYLOAD is not set: the folder of the PyInstaller build" in done.stdout + done.stderr
