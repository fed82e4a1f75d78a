"""The returns filer: every document the court returned, filed into the order's Clio matter once.

A job of the sync engine, run after each refresh (and so at start-up for anything unfinished). For
each decided order whose returned documents are not all final in the local journal (a count per
order, so an unchanged poll costs no request), it lists the returned documents and files each one:

1. claim it on the Service Provider with this workstation's id (another workstation's live claim or
   an `already_filed` answer means leave it; a crash here gets the same lease back);
2. look it up in Clio by its external property, unfinished uploads and the trash included: fully
   uploaded means done, unfinished means finish that document, deleted by the user means respect
   that and never file it again;
3. download it (size and sha256 verified) into a private temporary file;
4. create the document in `Returned from <provider> › Order-#######` → put the bytes with exactly the
   signed headers → mark it uploaded;
5. acknowledge the claim with the Clio document id.

Each step is recorded in the journal before the next begins, so a crash anywhere resumes from the
last recorded step, and the lookup in step 2 makes a repeated step harmless. Every Clio request
uses the rate limiter's background share, so the user's own browsing is never starved. What cannot
be filed now waits with a reason (no matter, Clio not connected, the matter closed) and is filed on
its own once the reason goes away. No Qt here.

This module is the filer's face: its events, what the window reads and asks for, and the run. The
work itself (steps 1-5) is `app.services.returns.work`, loaded with the first run that has any.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from app.config import Config
from app.services import errors
from app.services.clio.connection import ClioConnection
from app.services.clio.tokens import ClioConnectionEnded
from app.services.events import EventHub
from app.services.legalconnect.client import LegalConnectClient
from app.services.legalconnect.records import ClioLink, Deliverable, Order
from app.services.returns.status import (
    BLOCKER_TEXT,
    Blocker,
    ClioPlace,
    DeliverableFiling,
    FilingState,
    OrderFiling,
)
from app.services.store import Store
from app.services.store_journal import ReturnState, ReturnStep

if TYPE_CHECKING:
    from app.services.clio.ratelimit import RateWait  # loads with the Clio client, off the GUI thread
    from app.services.returns.folders import OrderPlace
    from app.services.returns.work import OrderWork

LEASE_SECONDS = 600
"""A claim's lease: long enough to file one document even while waiting out Clio's rate limit."""
PASSES = 3
"""Passes over what is left within one run, while each gets further (network hiccups pass)."""


@dataclass(frozen=True)
class FilingChanged:
    """Something about an order's returns changed (a row's state, a blocker): re-read its status."""

    order_id: int


@dataclass(frozen=True)
class OrderFiled:
    """Documents of `order` were just filed into Clio by this workstation."""

    order: Order
    count: int
    path: str


@dataclass(frozen=True)
class RunFinished:
    """A filing run ended; `pending` are the orders whose returns are not all in Clio yet."""

    pending: tuple[tuple[Order, OrderFiling], ...] = ()

    @property
    def waiting(self) -> int:
        return sum(f.waiting for _o, f in self.pending)

    @property
    def failed(self) -> int:
        return sum(f.failed for _o, f in self.pending)

    @property
    def waiting_for_clio(self) -> int:
        return sum(f.waiting for _o, f in self.pending if f.blocker is Blocker.NOT_CONNECTED)


@dataclass(frozen=True)
class RatePaused:
    """Filing waits about `seconds` for Clio's rate limit (the user's own browsing keeps its share);
    `seconds` 0: it goes on."""

    seconds: float


ReturnsEvent = FilingChanged | OrderFiled | RunFinished | RatePaused


@dataclass
class FilerState:
    """What the filer knows beyond the journal, shared by its face (what the window reads) and its
    work (`app.services.returns.work`, loaded with the first run)."""

    events: EventHub[ReturnsEvent] = field(default_factory=EventHub)
    blockers: dict[int, Blocker] = field(default_factory=dict)
    """Why an order's returns wait (beyond "no matter" and "not connected", which are read live)."""
    filing: set[int] = field(default_factory=set)
    """Returned documents being filed right now."""
    elsewhere: dict[int, str] = field(default_factory=dict)
    """Returned documents another workstation holds a claim on, and which one."""
    places: dict[int, OrderPlace] = field(default_factory=dict)
    order_errors: dict[int, str] = field(default_factory=dict)
    """Orders whose work failed as a whole this time (their list, matter or folders), and why."""

    def block(self, order: Order, blocker: Blocker) -> None:
        if self.blockers.get(order.id) is not blocker:
            self.blockers[order.id] = blocker
            self.events.emit(FilingChanged(order.id))

    def unblock(self, order: Order) -> None:
        if self.blockers.pop(order.id, None) is not None:
            self.events.emit(FilingChanged(order.id))


class ReturnsFiler:
    """Files returned documents into Clio (see the module docstring). A `SyncJob` of the engine."""

    name = "filing returned documents into Clio"

    def __init__(
        self,
        legalconnect: LegalConnectClient,
        clio: ClioConnection,
        store: Store,
        settings: Config,
        *,
        temp_dir: Path,
        provider_name: Callable[[], str],
        lease_seconds: int = LEASE_SECONDS,
    ) -> None:
        self._lc = legalconnect
        self._clio = clio
        self._store = store
        self._journal = store.journal
        self._settings = settings
        self._temp_dir = temp_dir
        self._provider_name = provider_name
        self._lease = lease_seconds
        self._state = FilerState()
        self.events = self._state.events
        self._blockers = self._state.blockers
        self._filing = self._state.filing
        self._elsewhere = self._state.elsewhere
        self._places = self._state.places
        self._order_errors = self._state.order_errors
        self._work: OrderWork | None = None  # loaded with the first run that has work
        self._orders: dict[int, Order] = {}
        self._run_ids: set[int] = set()  # the orders this run works on
        self._paused_until: float | None = None  # waiting for Clio's rate limit (monotonic time)

    # -- what the faces read ----------------------------------------------------------------------

    @property
    def offered(self) -> bool:
        """Whether returns go to Clio at all (the Service Provider offers Clio)."""
        return self._clio.enabled

    def order_filing(self, order: Order) -> OrderFiling:
        """The order's returns at a glance (no network; the journal and what this run knows)."""
        total = order.deliverable_count
        if total == 0 or not self.offered:
            return OrderFiling(0, 0, 0, None)
        states = self._journal.returns_of_order(str(order.id))
        filed = min(sum(1 for s in states if s.step.final), total)
        failed = sum(1 for s in states if not s.step.final and s.error)
        if order.id in self._order_errors and self._blocker(order) is None:
            failed = total - filed  # the whole order could not be worked on this time
        return OrderFiling(total, filed, failed, self._blocker(order))

    def deliverable_filing(self, order: Order, deliverable: Deliverable) -> DeliverableFiling:
        """One returned document's state towards Clio, in words."""
        if not self.offered:
            return DeliverableFiling(FilingState.NOT_OFFERED, "")
        state = self._journal.return_state(str(deliverable.id))
        if state is not None and state.step.final:
            return self._final(order, state)
        if deliverable.clio_filing.filed:
            return DeliverableFiling(
                FilingState.FILED, "Filed into Clio by another workstation", deliverable.clio_filing.clio_id
            )
        if deliverable.id in self._filing:
            return DeliverableFiling(FilingState.FILING, self._filing_text())
        blocker = self._blocker(order)
        if blocker is not None:
            return DeliverableFiling(FilingState.WAITING, BLOCKER_TEXT[blocker])
        if order.id in self._order_errors:
            return DeliverableFiling(FilingState.FAILED, f"Not filed yet: {self._order_errors[order.id]}")
        if deliverable.id in self._elsewhere:
            who = self._elsewhere[deliverable.id]
            return DeliverableFiling(FilingState.WAITING, f"Being filed by another workstation ({who})")
        if state is not None and state.error:
            return DeliverableFiling(FilingState.FAILED, f"Not filed yet: {state.error}")
        return DeliverableFiling(FilingState.WAITING, "Waiting to be filed into Clio")

    def _final(self, order: Order, state: ReturnState) -> DeliverableFiling:
        place = None
        if order.clio is not None and state.matter_id is not None and state.clio_folder_id is not None:
            folders = tuple(f for f in (state.returns_folder_id, state.clio_folder_id) if f is not None)
            place = ClioPlace(order.clio.client_id, state.matter_id, folders)
        if state.step is ReturnStep.DELETED_IN_CLIO:
            return DeliverableFiling(
                FilingState.NOT_FILED, "Not filed again: it was deleted in Clio", state.clio_document_id
            )
        where = f" — {state.clio_path}" if state.clio_path else ""
        who = " by another workstation" if state.step is ReturnStep.FILED_ELSEWHERE else ""
        return DeliverableFiling(FilingState.FILED, f"Filed{who}{where}", state.clio_document_id, place)

    def _blocker(self, order: Order) -> Blocker | None:
        if order.clio is None:
            return Blocker.NO_MATTER
        if not self._clio.connected:
            return Blocker.NOT_CONNECTED
        blocker = self._blockers.get(order.id)
        if blocker is None and self._paused_until is not None and order.id in self._run_ids:
            return Blocker.RATE_LIMITED
        return blocker

    def _filing_text(self) -> str:
        if self._paused_until is not None:
            left = max(1.0, self._paused_until - time.monotonic())
            return f"Waiting for Clio (rate limit) — goes on in about {left:.0f} s"
        return "Filing into Clio…"

    def _rate_wait(self, wait: RateWait) -> None:
        """Clio's rate limit holds this run's requests (or lets them go): say so on its orders."""
        if wait.priority != "background":
            return
        was = self._paused_until
        self._paused_until = time.monotonic() + wait.seconds if wait.seconds > 0 else None
        if was is None and self._paused_until is None:
            return
        self.events.emit(RatePaused(wait.seconds))
        for order_id in self._run_ids:
            self.events.emit(FilingChanged(order_id))

    # -- what the faces ask for ---------------------------------------------------------------------

    def retry(self, order: Order) -> None:
        """Retry: forget the order's failures and blockers; the next run (ask the engine to refresh)
        files its returns again."""
        for state in self._journal.returns_of_order(str(order.id)):
            if state.error:
                self._journal.clear_return_error(state.deliverable_id)
        self._blockers.pop(order.id, None)
        self._order_errors.pop(order.id, None)
        self.events.emit(FilingChanged(order.id))

    async def choose_matter(self, order: Order, link: ClioLink) -> Order:
        """Set the Clio matter of `order` on the Service Provider (returns and fees go there); the next
        run files what waits."""
        changed = await self._lc.set_clio_matter(order.id, link)
        self._blockers.pop(order.id, None)
        self._places.pop(order.id, None)
        self.events.emit(FilingChanged(order.id))
        return changed

    # -- the job --------------------------------------------------------------------------------

    async def run(self, orders: Sequence[Order]) -> None:
        """File what the current orders call for (see the module docstring).

        Documents that fail for a passing reason (a network hiccup, a lost answer) are tried again
        in the same run, up to `PASSES` times while each pass gets further."""
        self._orders = {o.id: o for o in orders}
        work = self._unfinished(orders) if self.offered else []
        first = work
        client = self._clio.client if self._clio.connected else None
        if client is not None:
            self._forget_passing_blockers()
        self._run_ids = {o.id for o in work if o.clio is not None}
        stop_listening = client.limiter.waits.subscribe(self._rate_wait) if client is not None else None
        stopped = False
        try:
            for _attempt in range(PASSES):
                done_before = sum(self._journal.finished_returns().values())
                for order in sorted(work, key=lambda o: o.decided_at or o.updated_at):
                    if order.clio is None:
                        self._block(order, Blocker.NO_MATTER)
                    elif client is None:
                        self._block(order, Blocker.NOT_CONNECTED)
                    else:
                        await self._worker().file_order_or_note(client, order)
                progressed = sum(self._journal.finished_returns().values()) > done_before
                work = [o for o in self._unfinished(work) if self._blocker(o) is None]
                if not work or not progressed:
                    break
        except ClioConnectionEnded:
            for order in first:
                self._block(order, Blocker.NOT_CONNECTED)
        except errors.RateLimited:
            for order in first:
                if order.id not in self._blockers:
                    self._block(order, Blocker.RATE_LIMITED)
        except asyncio.CancelledError:
            stopped = True  # quitting or signing out: not a finished run; the journal resumes it
            raise
        finally:
            if stop_listening is not None:
                stop_listening()
            self._run_ids = set()
            if self._paused_until is not None:
                self._paused_until = None
                self.events.emit(RatePaused(0.0))
            if not stopped:
                self._finish_run(first)

    def _forget_passing_blockers(self) -> None:
        """Connected again, or a new window of Clio's limit: what waited for that is tried again
        (and shown as such), rather than still saying "connect to Clio" meanwhile."""
        passed = [o for o, b in self._blockers.items() if b in (Blocker.NOT_CONNECTED, Blocker.RATE_LIMITED)]
        for order_id in passed:
            del self._blockers[order_id]
        for order_id in passed:  # told once all are gone, so nobody reads a half-updated picture
            self.events.emit(FilingChanged(order_id))

    def _unfinished(self, orders: Sequence[Order]) -> list[Order]:
        finished = self._journal.finished_returns()
        return [o for o in orders if o.deliverable_count > finished.get(str(o.id), 0)]

    def _finish_run(self, work: Sequence[Order]) -> None:
        summaries = ((order, self.order_filing(order)) for order in work)
        self.events.emit(RunFinished(tuple((o, f) for o, f in summaries if f.waiting or f.failed)))

    def _block(self, order: Order, blocker: Blocker) -> None:
        self._state.block(order, blocker)

    def _worker(self) -> OrderWork:
        if self._work is None:
            from app.services.returns.work import OrderWork

            self._work = OrderWork(
                self._state,
                self._lc,
                self._store,
                self._settings,
                temp_dir=self._temp_dir,
                provider_name=self._provider_name,
                lease_seconds=self._lease,
            )
        return self._work
