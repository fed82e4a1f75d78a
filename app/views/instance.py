"""One instance per profile: a second launch hands its arguments to the running window and ends.

The running app listens on a local socket (a Unix socket, a named pipe on Windows) named after its
profile. A second launch on the same profile finds the profile locked, connects, sends one line of
JSON (`{"args": [...]}`) and waits for "ok"; the running window comes forward. When nobody answers
(the profile is held by `legalconnect sync`, or the window hangs) the second launch says so.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

from PySide6.QtCore import QObject, Signal
from PySide6.QtNetwork import QLocalServer, QLocalSocket

from app.paths import AppPaths

log = logging.getLogger(__name__)

ANSWER_MS = 3000
"""How long a second launch waits for the running one (connect, then the answer)."""
MAX_MESSAGE = 64 * 1024


SOCKET_PATH_MAX = 100
"""Unix socket paths must be short (104 bytes on macOS, 108 on Linux, with the terminating NUL)."""


def instance_name(paths: AppPaths) -> str:
    """The local socket's name for this profile (the same in every process that uses it).

    On Windows a pipe name. Elsewhere a socket path: in the user's runtime directory when there is
    one, else the temporary directory, else /tmp when that path would be too long for a socket."""
    digest = hashlib.sha256(str(paths.data.resolve()).encode()).hexdigest()[:20]
    name = f"legalconnect-desktop-{digest}"
    if sys.platform == "win32":
        return name
    for folder in (os.environ.get("XDG_RUNTIME_DIR", ""), tempfile.gettempdir(), "/tmp"):  # noqa: S108
        if folder and Path(folder).is_dir() and len(str(Path(folder) / name)) <= SOCKET_PATH_MAX:
            return str(Path(folder) / name)
    return name


class InstanceServer(QObject):
    """The running app's end: `sig_activated(args)` when a second launch asks for the window."""

    sig_activated = Signal(list)

    def __init__(self, name: str, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._server = QLocalServer(self)
        self._server.setSocketOptions(QLocalServer.SocketOption.UserAccessOption)
        # The caller holds the profile's lock, so a socket left by a killed process is stale.
        QLocalServer.removeServer(name)
        self.listening = self._server.listen(name)
        if self.listening:
            log.info("a second launch on this profile brings this window forward")
        else:
            log.warning("a second launch cannot reach this window: %s", self._server.errorString())
        self._server.newConnection.connect(self._accept)

    def close(self) -> None:
        self._server.close()

    def _accept(self) -> None:
        while (socket := self._server.nextPendingConnection()) is not None:
            buffer = bytearray()
            socket.readyRead.connect(lambda s=socket, b=buffer: self._read(s, b))
            socket.disconnected.connect(socket.deleteLater)

    def _read(self, socket: QLocalSocket, buffer: bytearray) -> None:
        buffer.extend(bytes(socket.readAll().data()))
        if b"\n" not in buffer:
            if len(buffer) > MAX_MESSAGE:
                socket.abort()
            return
        line = bytes(buffer).split(b"\n", 1)[0]
        try:
            message = json.loads(line)
            args = [str(a) for a in message["args"]]
        except (ValueError, KeyError, TypeError):
            socket.write(b"error\n")
            socket.disconnectFromServer()
            return
        socket.write(b"ok\n")
        socket.flush()
        socket.disconnectFromServer()
        log.info("opened again (arguments: %s): bringing the window forward", args)
        self.sig_activated.emit(args)


def hand_over(name: str, args: Sequence[str], timeout_ms: int = ANSWER_MS) -> bool:
    """The second launch's end: ask the running app to come forward; True once it said so."""
    socket = QLocalSocket()
    socket.connectToServer(name)
    if not socket.waitForConnected(timeout_ms):
        return False
    socket.write(json.dumps({"args": list(args)}).encode() + b"\n")
    socket.flush()
    answer = bytearray()
    while b"\n" not in answer and socket.waitForReadyRead(timeout_ms):
        answer.extend(bytes(socket.readAll().data()))
    socket.abort()
    return bytes(answer).startswith(b"ok\n")
