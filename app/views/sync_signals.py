"""The main window's adapter for the sync engine and its jobs: each event re-emitted as a Qt signal.

The engine (`app.services.sync`), the returns filer and the decision notices announce everything
on their `EventHub`s, synchronously on the event loop's thread, which under qasync is the GUI
thread. `SyncSignals` subscribes once to each; `detach()` (or the adapter's deletion) unsubscribes.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal

from app.services.calendar.scheduler import HearingEntered, HearingEvent, HearingRefused, HearingScheduler
from app.services.expenses.poster import ExpenseEvent, ExpensePoster, FeesChanged, FeesPosted, PostingFinished
from app.services.returns.filer import (
    FilingChanged,
    OrderFiled,
    RatePaused,
    ReturnsEvent,
    ReturnsFiler,
    RunFinished,
)
from app.services.returns.notices import DecisionNotices
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

    sig_filing_changed = Signal(int)
    """(order id) something about that order's returns towards Clio changed."""
    sig_filing_run_finished = Signal(object)
    """(RunFinished) a filing run ended; it lists the orders whose returns are not all in Clio."""
    sig_filing_paused = Signal(float)
    """(seconds) filing waits about that long for Clio's rate limit; 0: it goes on."""
    sig_fees_changed = Signal(int)
    """(order id) something about that order's fees towards Clio changed."""
    sig_fees_posted = Signal(object)
    """(FeesPosted) fees of an order were just posted into Clio by this workstation."""
    sig_fees_run_finished = Signal(object)
    """(PostingFinished) a posting run ended; it lists the orders whose fees are not all in Clio."""
    sig_hearing_changed = Signal(int)
    """(order id) that order's hearing went into Clio's calendar, or was refused."""
    sig_announcement = Signal(object)
    """(Announcement) tell the user: the court decided, documents were filed or wait for Clio."""

    def __init__(
        self,
        engine: SyncEngine,
        parent: QObject | None = None,
        *,
        returns: ReturnsFiler | None = None,
        notices: DecisionNotices | None = None,
        expenses: ExpensePoster | None = None,
        hearings: HearingScheduler | None = None,
    ) -> None:
        super().__init__(parent)
        unsubscribers = [engine.events.subscribe(self._on_event)]
        if returns is not None:
            unsubscribers.append(returns.events.subscribe(self._on_filing))
        if expenses is not None:
            unsubscribers.append(expenses.events.subscribe(self._on_fees))
        if hearings is not None:
            unsubscribers.append(hearings.events.subscribe(self._on_hearing))
        if notices is not None:
            unsubscribers.append(notices.events.subscribe(self.sig_announcement.emit))

        def unsubscribe() -> None:
            for each in unsubscribers:
                each()

        self._unsubscribe = unsubscribe
        self.destroyed.connect(lambda _obj=None: unsubscribe())

    def detach(self) -> None:
        """Stop listening (the window is closing)."""
        self._unsubscribe()

    def _on_filing(self, event: ReturnsEvent) -> None:
        if isinstance(event, FilingChanged):
            self.sig_filing_changed.emit(event.order_id)
        elif isinstance(event, OrderFiled):
            self.sig_filing_changed.emit(event.order.id)
        elif isinstance(event, RunFinished):
            self.sig_filing_run_finished.emit(event)
        elif isinstance(event, RatePaused):
            self.sig_filing_paused.emit(event.seconds)

    def _on_hearing(self, event: HearingEvent) -> None:
        if isinstance(event, HearingEntered | HearingRefused):
            self.sig_hearing_changed.emit(event.order.id)

    def _on_fees(self, event: ExpenseEvent) -> None:
        if isinstance(event, FeesChanged):
            self.sig_fees_changed.emit(event.order_id)
        elif isinstance(event, FeesPosted):
            self.sig_fees_changed.emit(event.order.id)
            self.sig_fees_posted.emit(event)
        elif isinstance(event, PostingFinished):
            self.sig_fees_run_finished.emit(event)

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
