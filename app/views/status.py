"""The status bar's connection indicators: the Service Provider and Clio, each an icon and words."""

from __future__ import annotations

import enum

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
        """The quiet count of returned documents not in Clio yet ("" hides it)."""
        self.returns.set_state(Connection.RETURNS, text)
        self.returns.setVisible(bool(text))
