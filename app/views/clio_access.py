"""The window's adapter for the Clio connection: its events as signals, and Clio's sign-in pop-up.

The connection itself is a Qt-free service (`app.services.clio.connection.ClioConnection`, built
by the composition root). This adapter re-emits its events as signals, reads its state for the
widgets that show it, and runs `ensure_connected`: the pop-up first when not connected yet, then
what the user asked for (open the file-selection window, say). QtWebEngine is imported only when
the pop-up opens.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QWidget

from app.services.clio.connection import ClioConnection, ClioConnectionLost, ClioEvent
from app.views.tasks import TaskRunner

if TYPE_CHECKING:
    from app.services.clio.api import ClioClient
    from app.services.clio.records import ClioUser


class ClioAccess(QObject):
    """Clio for the window (see the module docstring)."""

    sig_changed = Signal()
    """Enabled, connected or the connected account changed: refresh whatever shows Clio's state."""
    sig_connection_ended = Signal()
    """Clio ended the connection (tokens revoked or expired for good), not the user: ask them to
    connect again."""

    def __init__(self, connection: ClioConnection, runner: TaskRunner, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.connection = connection
        self._runner = runner
        unsubscribe = connection.events.subscribe(self._on_event)
        self._unsubscribe = unsubscribe
        # A deleted adapter must not be called again (its signals are gone with it).
        self.destroyed.connect(lambda _obj=None: unsubscribe())

    def _on_event(self, event: ClioEvent) -> None:
        if isinstance(event, ClioConnectionLost):
            self.sig_connection_ended.emit()
        else:
            self.sig_changed.emit()

    def detach(self) -> None:
        """Stop listening to the connection (the window is going away)."""
        self._unsubscribe()

    # -- state, read from the connection --------------------------------------------------------

    @property
    def enabled(self) -> bool:
        return self.connection.enabled

    @property
    def connected(self) -> bool:
        return self.connection.connected

    @property
    def client(self) -> ClioClient | None:
        return self.connection.client

    @property
    def user(self) -> ClioUser | None:
        return self.connection.user

    @property
    def region(self) -> str:
        return self.connection.region

    @property
    def account_label(self) -> str:
        return self.connection.account_label

    @property
    def status_text(self) -> str:
        return self.connection.status_text

    # -- what the user asks for -----------------------------------------------------------------

    def ensure_connected(self, parent: QWidget | None, then: Callable[[ClioClient], None]) -> None:
        """Run `then(client)` now when connected; otherwise open the Clio pop-up first and run it once
        the user has allowed the connection (a cancelled or declined pop-up runs nothing)."""
        auth, client = self.connection.auth, self.connection.client
        if auth is None or client is None:
            return
        if auth.connected:
            then(client)
            return
        from app.views.clio_connect import open_clio_connect  # QtWebEngine: only now

        def connected() -> None:
            if self.connection.client is not None:
                then(self.connection.client)

        open_clio_connect(parent, auth, self._runner, connected)

    def disconnect_clio(self) -> None:
        """Revoke the access token at Clio (best effort) and forget both tokens."""
        self._runner.run(self, self.connection.disconnect(), key="disconnect")
