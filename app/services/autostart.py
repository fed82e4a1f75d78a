"""Start at login, minimised to the tray, so court returns keep being filed after a restart.

One entry per platform, written where that platform looks and removed cleanly:

- Linux (and other XDG desktops): `$XDG_CONFIG_HOME/autostart/<app id>.desktop`;
- Windows: the value "LegalConnect Desktop" under `HKCU\\Software\\Microsoft\\Windows\\CurrentVersion\\Run`;
- macOS: the LaunchAgent `~/Library/LaunchAgents/<app id>.plist` with `RunAtLoad`.

Each writer takes its root (the home or config folder, the registry key) so tests write into a
temporary folder or a stand-in key. No Qt here.
"""

from __future__ import annotations

import os
import plistlib
import subprocess
import sys
from collections.abc import Iterator, MutableMapping, Sequence
from pathlib import Path
from typing import Protocol

from app import identity

MINIMIZED = "--minimized"
"""The argument the login entry starts the app with: straight to the tray."""


def launch_command() -> list[str]:
    """How this copy is started: the packaged executable, or this Python running the app."""
    if getattr(sys, "frozen", False):
        return [sys.executable, MINIMIZED]
    return [sys.executable, "-m", "app", MINIMIZED]


class Autostart(Protocol):
    """One platform's login entry."""

    def enabled(self) -> bool: ...

    def enable(self) -> None: ...

    def disable(self) -> None: ...


_RESERVED = set(" \t\n\"'\\><~|&;$*?#()`")


def _string_value(text: str) -> str:
    """A desktop entry's string value: backslashes (and control characters) escaped."""
    return text.replace("\\", "\\\\").replace("\n", "\\n").replace("\t", "\\t")


def desktop_exec(command: Sequence[str]) -> str:
    """`command` as a desktop entry's Exec value (Desktop Entry Specification, "The Exec key"):
    an argument with a reserved character is double-quoted with `"`, `` ` ``, `$` and `\\`
    escaped; a literal `%` is written `%%`; then the string value's own backslash escaping."""

    def argument(arg: str) -> str:
        if arg and not _RESERVED.intersection(arg):
            return arg.replace("%", "%%")
        inner = "".join("\\" + c if c in '"`$\\' else c for c in arg)
        return '"' + inner.replace("%", "%%") + '"'

    return _string_value(" ".join(argument(a) for a in command))


class XdgAutostart:
    """Linux and other XDG desktops: a .desktop file in the autostart folder."""

    def __init__(self, config_home: Path, command: Sequence[str]) -> None:
        self.path = config_home / "autostart" / f"{identity.APP_ID}.desktop"
        self._command = list(command)

    def enabled(self) -> bool:
        return self.path.is_file()

    def enable(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        text = (
            "[Desktop Entry]\n"
            "Type=Application\n"
            f"Name={identity.APP_NAME}\n"
            "Comment=File court returns and fees into Clio in the background\n"
            f"Exec={desktop_exec(self._command)}\n"
            # Once the program is uninstalled, desktops ignore the entry rather than fail at login.
            f"TryExec={_string_value(self._command[0])}\n"
            f"Icon={identity.APP_ID}\n"
            "Terminal=false\n"
            "X-GNOME-Autostart-enabled=true\n"
        )
        temp = self.path.with_suffix(".part")
        temp.write_text(text, encoding="utf-8")
        temp.replace(self.path)

    def disable(self) -> None:
        self.path.unlink(missing_ok=True)


class LaunchAgent:
    """macOS: a LaunchAgent plist that runs the app at login."""

    def __init__(self, home: Path, command: Sequence[str]) -> None:
        self.path = home / "Library" / "LaunchAgents" / f"{identity.APP_ID}.plist"
        self._command = list(command)

    def enabled(self) -> bool:
        return self.path.is_file()

    def enable(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        data = {"Label": identity.APP_ID, "ProgramArguments": self._command, "RunAtLoad": True}
        temp = self.path.with_suffix(".part")
        temp.write_bytes(plistlib.dumps(data))
        temp.replace(self.path)

    def disable(self) -> None:
        self.path.unlink(missing_ok=True)


class RunKey:
    """Windows: a value under the user's Run key. `key` is the registry key as a mapping (tests
    pass a dict; the app passes `WindowsRunKey`)."""

    def __init__(self, key: MutableMapping[str, str], command: Sequence[str]) -> None:
        self._key = key
        self._command = list(command)

    def enabled(self) -> bool:
        return identity.APP_NAME in self._key

    def enable(self) -> None:
        self._key[identity.APP_NAME] = subprocess.list2cmdline(self._command)

    def disable(self) -> None:
        self._key.pop(identity.APP_NAME, None)


if sys.platform == "win32":
    import winreg

    class WindowsRunKey(MutableMapping[str, str]):
        """HKCU\\...\\Run as a mapping of value names to command lines."""

        PATH = r"Software\Microsoft\Windows\CurrentVersion\Run"

        def __getitem__(self, name: str) -> str:
            with winreg.OpenKey(winreg.HKEY_CURRENT_USER, self.PATH) as key:
                try:
                    return str(winreg.QueryValueEx(key, name)[0])
                except FileNotFoundError:
                    raise KeyError(name) from None

        def __setitem__(self, name: str, value: str) -> None:
            with winreg.CreateKey(winreg.HKEY_CURRENT_USER, self.PATH) as key:
                winreg.SetValueEx(key, name, 0, winreg.REG_SZ, value)

        def __delitem__(self, name: str) -> None:
            with winreg.OpenKey(winreg.HKEY_CURRENT_USER, self.PATH, 0, winreg.KEY_SET_VALUE) as key:
                try:
                    winreg.DeleteValue(key, name)
                except FileNotFoundError:
                    raise KeyError(name) from None

        def __iter__(self) -> Iterator[str]:
            with winreg.OpenKey(winreg.HKEY_CURRENT_USER, self.PATH) as key:
                index = 0
                while True:
                    try:
                        yield winreg.EnumValue(key, index)[0]
                    except OSError:
                        return
                    index += 1

        def __len__(self) -> int:
            return sum(1 for _ in self)


def for_this_computer(command: Sequence[str] | None = None) -> Autostart:
    """The login entry for the platform this runs on."""
    command = list(command or launch_command())
    if sys.platform == "win32":
        return RunKey(WindowsRunKey(), command)
    if sys.platform == "darwin":
        return LaunchAgent(Path.home(), command)
    config_home = Path(os.environ.get("XDG_CONFIG_HOME") or Path.home() / ".config")
    return XdgAutostart(config_home, command)


def after_first_sign_in(entry: Autostart, start_at_login: bool) -> None:
    """An installed copy's first sign-in: set up the login entry when the setting says so (on by
    default). The caller remembers it was done, so it never comes back once turned off."""
    if start_at_login and not entry.enabled():
        entry.enable()


def follow_setting(entry: Autostart, start_at_login: bool) -> None:
    """The user changed the setting: add or remove the login entry to match."""
    if start_at_login and not entry.enabled():
        entry.enable()
    elif not start_at_login and entry.enabled():
        entry.disable()
