"""The status bar's indicators: the Service Provider and Clio, each an icon and words, and the
quiet count of returned documents not in Clio yet (or how long Clio's rate limit holds them)."""

from __future__ import annotations

import enum
import time

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QHBoxLayout, QLabel, QStatusBar, QWidget

from app.appearance import icon


class Connection(enum.Enum):
    """How a remote service is reachable right now; the value names the icon."""

    CONNECTED = "connected"
    CONNECTING = "refresh"
    OFFLINE = "offline"
    SIGNED_OUT = "signed-out"
    CLIO = "clio"
    RETURNS = "document"


class StatusIndicator(QWidget):
    """An icon beside a short text; the text is also the accessible name (never the icon alone)."""

    def __init__(self, name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName(name)
        row = QHBoxLayout(self)
        row.setContentsMargins(4, 0, 4, 0)
        row.setSpacing(4)
        self._icon = QLabel()
        self._text = QLabel()
        row.addWidget(self._icon)
        row.addWidget(self._text)
        self.state = Connection.SIGNED_OUT

    @property
    def text(self) -> str:
        return self._text.text()

    def set_state(self, state: Connection, text: str) -> None:
        self.state = state
        self._icon.setPixmap(icon(state.value).pixmap(14, 14))
        self._text.setText(text)
        self.setToolTip(text)
        self.setAccessibleName(text)


class ConnectionStatus:
    """The two indicators, added to a status bar as permanent widgets (right-hand side)."""

    def __init__(self, bar: QStatusBar) -> None:
        self.returns = StatusIndicator("returnsStatus")
        self.provider = StatusIndicator("providerStatus")
        self.clio = StatusIndicator("clioStatus")
        bar.addPermanentWidget(self.returns)
        bar.addPermanentWidget(self.provider)
        bar.addPermanentWidget(self.clio)
        self.returns.setVisible(False)
        self._returns_text = ""  # the quiet count as the last filing run left it
        self._paused_until: float | None = None  # filing waits for Clio's rate limit until then
        self._pause_tick = QTimer(self.returns)
        self._pause_tick.setInterval(1000)
        self._pause_tick.timeout.connect(self._show_pause)
        self.provider.set_state(Connection.SIGNED_OUT, "Signed out")
        self.clio.set_state(Connection.CLIO, "Clio: not connected")

    def connected(self, provider: str, user: str) -> None:
        self.provider.set_state(Connection.CONNECTED, f"Connected to {provider} as {user}")

    def connecting(self, provider: str) -> None:
        self.provider.set_state(Connection.CONNECTING, f"Connecting to {provider}…")

    def offline(self, since: str | None) -> None:
        text = f"Offline — showing orders from {since}" if since else "Offline — no orders saved yet"
        self.provider.set_state(Connection.OFFLINE, text)

    def signed_out(self) -> None:
        self.provider.set_state(Connection.SIGNED_OUT, "Signed out")

    def set_clio(self, text: str) -> None:
        self.clio.set_state(Connection.CLIO, text)

    def set_returns(self, text: str) -> None:
        """What the returns indicator says ("" hides it)."""
        self.returns.set_state(Connection.RETURNS, text)
        self.returns.setVisible(bool(text))

    def returns_not_in_clio(self, waiting: int, failed: int) -> None:
        """The quiet count a filing run leaves: how many returned documents are not in Clio yet."""
        parts = [f"{waiting} waiting"] if waiting else []
        if failed:
            parts.append(f"{failed} failed")
        self._returns_text = f"Returns not in Clio: {', '.join(parts)}" if parts else ""
        if self._paused_until is None:
            self.set_returns(self._returns_text)

    def returns_paused(self, seconds: float) -> None:
        """Clio's rate limit holds the filing for `seconds` (0: it goes on): say so where the quiet
        count is, counting down, and put the count back when it goes on."""
        if seconds > 0:
            self._paused_until = time.monotonic() + seconds
            self._pause_tick.start()
            self._show_pause()
        else:
            self._paused_until = None
            self._pause_tick.stop()
            self.set_returns(self._returns_text)

    def _show_pause(self) -> None:
        if self._paused_until is None:
            return
        left = max(1.0, self._paused_until - time.monotonic())
        self.set_returns(f"Returns: waiting for Clio's rate limit — going on in about {left:.0f} s")
