"""The main window's adapter for the sync engine: each engine event re-emitted as a Qt signal.

The engine (`app.services.sync`) announces everything on its `EventHub`, synchronously on the event
loop's thread, which under qasync is the GUI thread. `SyncSignals` subscribes once; `detach()` (or
the adapter's deletion) unsubscribes.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal

from app.services.sync.engine import SyncEngine
from app.services.sync.events import (
    ClioConnectionEnded,
    Connecting,
    Offline,
    Online,
    OrderDecided,
    OrdersChanged,
    RefreshFinished,
    RefreshStarted,
    SecretsUnavailable,
    SessionStarted,
    SignedOut,
    SignInNeeded,
    SyncEvent,
)


class SyncSignals(QObject):
    """The engine's events as signals (see the module docstring)."""

    sig_connecting = Signal()
    """Signing in to the Service Provider silently."""
    sig_session_started = Signal()
    """Signed in (the session service holds the session and the provider's profile)."""
    sig_sign_in_needed = Signal(str)
    """(why, or "") nothing remembered works: ask for the password."""
    sig_signed_out = Signal()
    """The user signed out; everything remembered for them is forgotten."""
    sig_refresh_started = Signal()
    """A refresh of the orders began."""
    sig_refresh_finished = Signal(bool)
    """(succeeded) the refresh ended; its outcome was signalled before this."""
    sig_orders_changed = Signal(list)
    """(list[Order]) the orders as they now are, newest first."""
    sig_order_decided = Signal(object)
    """(Order) the court decided this order since the last refresh."""
    sig_offline = Signal(str, object)
    """(message, last sync ISO time or None) the provider could not be reached."""
    sig_online = Signal()
    """The provider answers again."""
    sig_clio_connection_ended = Signal()
    """Clio ended the connection; the user must connect again."""
    sig_secrets_unavailable = Signal(str)
    """(notice) there is no system keyring: sign-ins last until the app quits."""

    def __init__(self, engine: SyncEngine, parent: QObject | None = None) -> None:
        super().__init__(parent)
        unsubscribe = engine.events.subscribe(self._on_event)
        self._unsubscribe = unsubscribe
        self.destroyed.connect(lambda _obj=None: unsubscribe())

    def detach(self) -> None:
        """Stop listening (the window is closing)."""
        self._unsubscribe()

    def _on_event(self, event: SyncEvent) -> None:
        if isinstance(event, OrdersChanged):
            self.sig_orders_changed.emit(list(event.orders))
        elif isinstance(event, RefreshStarted):
            self.sig_refresh_started.emit()
        elif isinstance(event, RefreshFinished):
            self.sig_refresh_finished.emit(event.ok)
        elif isinstance(event, Connecting):
            self.sig_connecting.emit()
        elif isinstance(event, SessionStarted):
            self.sig_session_started.emit()
        elif isinstance(event, SignInNeeded):
            self.sig_sign_in_needed.emit(event.message)
        elif isinstance(event, SignedOut):
            self.sig_signed_out.emit()
        elif isinstance(event, OrderDecided):
            self.sig_order_decided.emit(event.order)
        elif isinstance(event, Offline):
            self.sig_offline.emit(event.message, event.last_sync)
        elif isinstance(event, Online):
            self.sig_online.emit()
        elif isinstance(event, ClioConnectionEnded):
            self.sig_clio_connection_ended.emit()
        elif isinstance(event, SecretsUnavailable):
            self.sig_secrets_unavailable.emit(event.message)
