"""Start at login, per platform, written where each platform looks and removed cleanly: the XDG
entry checked on disk, the macOS LaunchAgent and the Windows Run value through their writers."""

from __future__ import annotations

import plistlib
from pathlib import Path

import pytest

from app import identity
from app.services import autostart

COMMAND = ["/opt/LegalConnect Desktop/legalconnect-desktop", "--minimized"]


def test_the_xdg_entry_is_written_and_removed_on_disk(tmp_path: Path) -> None:
    entry = autostart.XdgAutostart(tmp_path / "config", COMMAND)
    assert not entry.enabled()
    entry.enable()
    path = tmp_path / "config" / "autostart" / f"{identity.APP_ID}.desktop"
    assert entry.enabled() and path.is_file()
    lines = path.read_text(encoding="utf-8").splitlines()
    assert lines[0] == "[Desktop Entry]"
    assert "Type=Application" in lines and f"Name={identity.APP_NAME}" in lines
    # The space in the path survives, double-quoted as the Desktop Entry Specification asks.
    assert 'Exec="/opt/LegalConnect Desktop/legalconnect-desktop" --minimized' in lines
    # Uninstalled: the desktop ignores the entry instead of failing at every login.
    assert "TryExec=/opt/LegalConnect Desktop/legalconnect-desktop" in lines
    assert "X-GNOME-Autostart-enabled=true" in lines
    entry.enable()  # again: still one entry, nothing half-written beside it
    assert sorted(p.name for p in path.parent.iterdir()) == [path.name]
    entry.disable()
    assert not entry.enabled() and not path.exists()
    entry.disable()  # already gone: fine


@pytest.mark.parametrize(
    ("command", "written"),
    [
        (["/opt/app/run", "--minimized"], "/opt/app/run --minimized"),
        (["/home/o'neil/app"], '"/home/o\'neil/app"'),
        (["/srv/$HOME/100%/app"], '"/srv/\\\\$HOME/100%%/app"'),
        (['/srv/say "hi"/app'], '"/srv/say \\\\"hi\\\\"/app"'),
        (["C:\\odd\\path"], '"C:\\\\\\\\odd\\\\\\\\path"'),
        ([""], '""'),
    ],
)
def test_exec_values_are_quoted_as_the_desktop_entry_specification_says(
    command: list[str], written: str
) -> None:
    """Reserved characters double-quoted; `"`, `$`, `` ` ``, `\\` escaped inside; `%` doubled; then
    the string value's own backslash escaping (so a literal backslash is four)."""
    assert autostart.desktop_exec(command) == written


def test_the_macos_launch_agent_runs_the_app_at_load(tmp_path: Path) -> None:
    entry = autostart.LaunchAgent(tmp_path, COMMAND)
    entry.enable()
    path = tmp_path / "Library" / "LaunchAgents" / f"{identity.APP_ID}.plist"
    data = plistlib.loads(path.read_bytes())
    assert data == {"Label": identity.APP_ID, "ProgramArguments": COMMAND, "RunAtLoad": True}
    entry.disable()
    assert not path.exists() and not entry.enabled()


def test_the_windows_run_value_is_one_quoted_command_line() -> None:
    key: dict[str, str] = {"Other App": "other.exe"}
    entry = autostart.RunKey(key, [r"C:\Program Files\LegalConnect Desktop\LegalConnect.exe", "--minimized"])
    entry.enable()
    assert key[identity.APP_NAME] == '"C:\\Program Files\\LegalConnect Desktop\\LegalConnect.exe" --minimized'
    entry.disable()
    assert key == {"Other App": "other.exe"}  # the other entries are left alone


def test_the_setting_decides_and_the_first_sign_in_sets_it_up_once(tmp_path: Path) -> None:
    entry = autostart.XdgAutostart(tmp_path, COMMAND)
    autostart.after_first_sign_in(entry, start_at_login=False)
    assert not entry.enabled()
    autostart.after_first_sign_in(entry, start_at_login=True)
    assert entry.enabled()
    autostart.follow_setting(entry, start_at_login=False)
    assert not entry.enabled()
    autostart.follow_setting(entry, start_at_login=True)
    assert entry.enabled()


def test_this_computer_gets_the_xdg_entry_under_its_config_home(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path))
    entry = autostart.for_this_computer()
    assert isinstance(entry, autostart.XdgAutostart)
    assert entry.path == tmp_path / "autostart" / f"{identity.APP_ID}.desktop"
    assert autostart.launch_command()[-3:] == ["-m", "app", "--minimized"]
