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
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from app.config import Config
from app.paths import TEMP_PREFIX
from app.services import errors
from app.services.clio.connection import ClioConnection
from app.services.clio.ratelimit import RateWait
from app.services.clio.tokens import ClioConnectionEnded
from app.services.events import EventHub
from app.services.legalconnect.client import LegalConnectClient
from app.services.legalconnect.filing import AlreadyClaimed, AlreadyFiled
from app.services.legalconnect.records import Claim, ClioLink, Deliverable, Order
from app.services.returns.folders import DOCUMENT_KEY, OrderKeys, OrderPlace, ReturnFolders
from app.services.returns.naming import Names
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
    # The Clio client loads with the connection, off the GUI thread (not with this module).
    from app.services.clio.api import ClioClient, UploadTarget
    from app.services.clio.records import Document, Matter

log = logging.getLogger(__name__)

LEASE_SECONDS = 600
"""A claim's lease: long enough to file one document even while waiting out Clio's rate limit."""
URL_RESTARTS = 2
"""How many times an upload whose signed link expired starts a new version before giving up."""
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
        self._folders = ReturnFolders(store)
        self.events: EventHub[ReturnsEvent] = EventHub()
        self._blockers: dict[int, Blocker] = {}
        self._filing: set[int] = set()
        self._elsewhere: dict[int, str] = {}
        self._places: dict[int, OrderPlace] = {}
        self._orders: dict[int, Order] = {}
        self._order_errors: dict[int, str] = {}
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
                        await self._file_order_or_note(client, order)
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
        if self._blockers.get(order.id) is not blocker:
            self._blockers[order.id] = blocker
            self.events.emit(FilingChanged(order.id))

    def _unblock(self, order: Order) -> None:
        if self._blockers.pop(order.id, None) is not None:
            self.events.emit(FilingChanged(order.id))

    async def _file_order_or_note(self, client: ClioClient, order: Order) -> None:
        """File an order's returns; a failure that is the order's (its list of returned documents,
        its matter, its folders) is noted on it and tried again next run, and the run goes on."""
        try:
            await self._file_order(client, order)
        except (ClioConnectionEnded, errors.RateLimited):
            raise
        except errors.ServiceError as error:
            log.info("returns of order %s not filed now: %s", order.id, error)
            self._order_errors[order.id] = error.user_message
            self.events.emit(FilingChanged(order.id))
        else:
            if self._order_errors.pop(order.id, None) is not None:
                self.events.emit(FilingChanged(order.id))

    async def _file_order(self, client: ClioClient, order: Order) -> None:
        assert order.clio is not None
        deliverables = await self._lc.deliverables(order.id)
        pending: list[Deliverable] = []
        for deliverable in deliverables:
            state = self._journal.return_state(str(deliverable.id))
            if state is not None and state.step.final:
                continue
            if deliverable.clio_filing.filed and (state is None or state.step is ReturnStep.SEEN):
                # Filed by another workstation before this one even started on it: nothing to do.
                self._journal.record_return_step(
                    str(deliverable.id),
                    str(order.id),
                    ReturnStep.FILED_ELSEWHERE,
                    clio_document_id=deliverable.clio_filing.clio_id,
                )
                self.events.emit(FilingChanged(order.id))
                continue
            pending.append(deliverable)
        if not pending:
            return
        matter = await self._matter(client, order)
        if matter is None:
            return
        names = Names(self._settings, self._provider_name())
        keys = OrderKeys(urlsplit(self._lc.api_url).hostname or "provider")
        place = await self._folders.place(
            client,
            matter,
            keys.order(order.order_number or str(order.id)),
            names.returns_folder(),
            names.order_folder(order),
        )
        self._places[order.id] = place
        filed = 0
        for deliverable in pending:
            if await self._file_one(client, order, deliverable, place, names, keys):
                filed += 1
        if filed:
            self.events.emit(OrderFiled(order, filed, place.path))

    async def _matter(self, client: ClioClient, order: Order) -> Matter | None:
        assert order.clio is not None
        try:
            matter = await client.matter(order.clio.matter_id, priority="background")
        except errors.NotFound:
            self._block(order, Blocker.MATTER_GONE)
            return None
        if matter.status.lower() == "closed":
            self._block(order, Blocker.MATTER_CLOSED)
            return None
        self._unblock(order)
        return matter

    async def _file_one(
        self,
        client: ClioClient,
        order: Order,
        deliverable: Deliverable,
        place: OrderPlace,
        names: Names,
        keys: OrderKeys,
    ) -> bool:
        """File one returned document; True when this call filed it. Failures are journalled."""
        did, oid = str(deliverable.id), str(order.id)
        try:
            claim = await self._lc.claim_deliverable(
                order.id, deliverable.id, self._store.workstation_id(), self._lease
            )
        except AlreadyFiled as filed:
            state = self._journal.return_state(did)
            mine = state is not None and state.clio_document_id == filed.clio_id
            step = ReturnStep.ACKNOWLEDGED if mine else ReturnStep.FILED_ELSEWHERE
            self._journal.record_return_step(did, oid, step, clio_document_id=filed.clio_id)
            self.events.emit(FilingChanged(order.id))
            return False
        except AlreadyClaimed as claimed:
            self._elsewhere[deliverable.id] = str(claimed.details.get("workstation_id") or "another")
            self.events.emit(FilingChanged(order.id))
            return False
        self._elsewhere.pop(deliverable.id, None)
        self._filing.add(deliverable.id)
        self.events.emit(FilingChanged(order.id))
        temp = self._temp_dir / f"{TEMP_PREFIX}return-{deliverable.id}.pdf"
        try:
            state = self._journal.return_state(did)
            # Where it goes (kept with the journal for "Show in Clio"); the step stays where it was.
            self._journal.record_return_step(
                did,
                oid,
                state.step if state else ReturnStep.SEEN,
                matter_id=place.matter_id,
                returns_folder_id=place.returns_folder_id,
                clio_folder_id=place.order_folder_id,
                clio_path=place.path,
            )
            return await self._file_claimed(client, order, deliverable, claim, names, keys, temp, place)
        except (ClioConnectionEnded, errors.RateLimited):
            await self._release(claim)
            raise
        except errors.ServiceError as error:
            log.info("returned document %s not filed now: %s", deliverable.id, error)
            if isinstance(error, errors.NotFound):
                self._folders.forget(place)  # the folder may be gone: look again next time
                self._places.pop(order.id, None)
            self._journal.record_return_error(did, oid, error.user_message)
            await self._release(claim)
            return False
        finally:
            self._filing.discard(deliverable.id)
            temp.unlink(missing_ok=True)
            self.events.emit(FilingChanged(order.id))

    async def _file_claimed(
        self,
        client: ClioClient,
        order: Order,
        deliverable: Deliverable,
        claim: Claim,
        names: Names,
        keys: OrderKeys,
        temp: Path,
        place: OrderPlace,
    ) -> bool:
        did, oid = str(deliverable.id), str(order.id)
        state = self._journal.return_state(did)
        if state is not None and state.step is ReturnStep.MARKED_UPLOADED and state.clio_document_id:
            await self._acknowledge(claim, state.clio_document_id, did, oid, ReturnStep.ACKNOWLEDGED)
            return True
        key = keys.document(deliverable.id)
        found = await client.find_documents_by_key(DOCUMENT_KEY, key, priority="background")
        live = [d for d in found if not d.deleted]
        complete = next((d for d in live if d.fully_uploaded), None)
        if complete is not None:
            await self._acknowledge(claim, complete.id, did, oid, ReturnStep.ACKNOWLEDGED, complete.name)
            return True
        if found and not live:
            # Filed earlier, then deleted by someone in Clio: that decision stands.
            await self._acknowledge(claim, found[0].id, did, oid, ReturnStep.DELETED_IN_CLIO)
            return False
        await self._lc.download_deliverable(deliverable, temp)
        self._journal.record_return_step(did, oid, ReturnStep.DOWNLOADED)
        name = names.document(order, deliverable)
        unfinished: Document | None = live[0] if live else None
        target = await self._upload(client, deliverable, place, name, key, unfinished, temp, did, oid)
        self._journal.record_return_step(did, oid, ReturnStep.BYTES_STORED)
        document = await client.mark_uploaded(target.document_id, target.uuid, priority="background")
        self._journal.record_return_step(
            did, oid, ReturnStep.MARKED_UPLOADED, clio_document_id=document.id, clio_name=name
        )
        await self._acknowledge(claim, document.id, did, oid, ReturnStep.ACKNOWLEDGED, name)
        return True

    async def _upload(
        self,
        client: ClioClient,
        deliverable: Deliverable,
        place: OrderPlace,
        name: str,
        key: str,
        unfinished: Document | None,
        source: Path,
        did: str,
        oid: str,
    ) -> UploadTarget:
        """Create the document (or a new version of the unfinished one) and put its bytes there."""
        from app.services.clio.api import UploadUrlExpired

        document_id = unfinished.id if unfinished is not None else None
        for restart in range(URL_RESTARTS + 1):
            if document_id is not None:
                target = await client.start_upload(name, document_id, "Document", priority="background")
            else:
                target = await client.start_upload(
                    name,
                    place.order_folder_id,
                    "Folder",
                    external_properties={DOCUMENT_KEY: key},
                    received_at=deliverable.received_at.isoformat(),
                    priority="background",
                )
            document_id = target.document_id
            self._journal.record_return_step(
                did, oid, ReturnStep.CLIO_DOCUMENT_CREATED, clio_document_id=target.document_id
            )
            try:
                await client.put_bytes(target, source)
            except UploadUrlExpired:
                if restart == URL_RESTARTS:
                    raise
                continue
            return target
        raise AssertionError("unreachable: the last restart re-raises")  # pragma: no cover

    async def _acknowledge(
        self,
        claim: Claim,
        clio_id: int,
        did: str,
        oid: str,
        step: ReturnStep,
        name: str | None = None,
    ) -> None:
        try:
            await self._lc.acknowledge(claim.claim_id, clio_id)
        except AlreadyFiled as filed:
            if filed.clio_id != clio_id:
                step = ReturnStep.FILED_ELSEWHERE
                clio_id = filed.clio_id or clio_id
        self._journal.record_return_step(did, oid, step, clio_document_id=clio_id, clio_name=name)

    async def _release(self, claim: Claim) -> None:
        with contextlib.suppress(errors.ServiceError):
            await self._lc.release(claim.claim_id)
