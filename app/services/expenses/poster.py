"""The expense poster: every fee of a decided order recorded once as an expense in its Clio matter.

For each decided order with a Clio matter whose fee lines are not all acknowledged in the local
ledger, it lists the order's fee lines on the Service Provider and posts each one:

1. claim the fee line on the Service Provider with this workstation's id (another workstation's
   live claim or an `already_filed` answer means leave it; a crash here gets the same lease back);
2. look the fee line up in Clio by its marker (`[LC 2417108/F3]` at the end of the note; Clio
   activities have no external properties, and `query` is a wildcard, so the note is compared
   exactly): found means it was posted before the answer was lost;
3. otherwise create the expense (date of the decision, quantity 1, price = the amount, a note a
   bookkeeper reads, the category the firm chose for that kind of fee — by default the one the
   provider suggests —, billed on or at no charge as the firm says) and record its id;
4. acknowledge the claim with the Clio activity id, which is also how the Service Provider keeps
   the fee's billing record.

Each step is recorded in the ledger before the next begins; the lookup in step 2 makes a repeated
step harmless. Every Clio request uses the rate limiter's background share. What cannot be posted
now waits with a reason (no matter, matter closed or gone, a category missing in Clio, waiting for
review, Clio not connected). Posting is on when the settings say so (`fees.posting`: after review,
each order's fees wait until someone approves them; or automatic), for orders decided since
`fees.posting_since` (by default the day it first ran: older fees may have been entered by hand).
No Qt here.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from app import config
from app.config import Config
from app.services import errors
from app.services.clio.connection import ClioConnection
from app.services.clio.tokens import ClioConnectionEnded
from app.services.events import EventHub
from app.services.expenses.status import BLOCKER_TEXT, FeeLineState, FeeState, FeeWait, OrderFees
from app.services.legalconnect.client import LegalConnectClient
from app.services.legalconnect.filing import AlreadyClaimed, AlreadyFiled
from app.services.legalconnect.records import Claim, Order, OrderFeeLine
from app.services.store import Store
from app.services.store_journal import ExpenseStep

if TYPE_CHECKING:
    from app.services.clio.api import ClioClient

log = logging.getLogger(__name__)

LEASE_SECONDS = 300
"""A claim's lease: posting one fee takes a few requests."""


def marker(order: Order, line: OrderFeeLine) -> str:
    """The fee line's key in Clio: the order number and the fee line's id, in the note."""
    return f"[LC {order.order_number or order.id}/F{line.id}]"


def expense_note(order: Order, line: OrderFeeLine) -> str:
    """What the expense says in Clio, for the bookkeeper, ending in the fee line's marker."""
    where = ", ".join(part for part in (order.court_name, order.case_title) if part)
    number = order.order_number or str(order.id)
    about = f"Order {number}, {where}" if where else f"Order {number}"
    return f"{line.description} — {about} {marker(order, line)}"


def decision_date(order: Order) -> dt.date:
    """The expense's date: the day the court decided, in the workstation's time zone."""
    when = order.decided_at or order.updated_at
    return when.astimezone().date()


@dataclass(frozen=True)
class FeesChanged:
    """Something about an order's fees towards Clio changed: re-read its status."""

    order_id: int


@dataclass(frozen=True)
class FeesPosted:
    """`count` fees of `order` (`cents` in all) were just posted into Clio by this workstation."""

    order: Order
    count: int
    cents: int


@dataclass(frozen=True)
class PostingFinished:
    """A posting run ended; `pending` are the orders whose fees are not all in Clio yet."""

    pending: tuple[tuple[Order, OrderFees], ...] = ()


ExpenseEvent = FeesChanged | FeesPosted | PostingFinished


@dataclass
class _Known:
    """What the poster knows beyond the ledger, for this process."""

    blockers: dict[int, FeeWait] = field(default_factory=dict)
    order_errors: dict[int, str] = field(default_factory=dict)
    posting: set[int] = field(default_factory=set)
    """Fee lines being posted right now."""
    without_fees: set[int] = field(default_factory=set)
    """Decided orders that have no fee lines (asked once per process)."""
    categories: dict[str, int] | None = None
    """The firm's expense categories by lower-case name (read once, and again when one is missing)."""
    missing: dict[int, str] = field(default_factory=dict)
    """The expense category an order's fees wait for, by name."""


class ExpensePoster:
    """Posts fee lines into Clio as expenses (see the module docstring). A `SyncJob` of the engine."""

    name = "posting fees into Clio as expenses"

    def __init__(
        self,
        legalconnect: LegalConnectClient,
        clio: ClioConnection,
        store: Store,
        settings: Config,
        *,
        lease_seconds: int = LEASE_SECONDS,
        today: Callable[[], dt.date] = dt.date.today,
    ) -> None:
        self._lc = legalconnect
        self._clio = clio
        self._store = store
        self._ledger = store.journal
        self._settings = settings
        self._today = today
        self._lease = lease_seconds
        self._known = _Known()
        self.events: EventHub[ExpenseEvent] = EventHub()

    # -- what the faces read ----------------------------------------------------------------------

    @property
    def offered(self) -> bool:
        """Whether fees can go to Clio at all (the Service Provider offers Clio)."""
        return self._clio.enabled

    @property
    def posting(self) -> bool:
        """Whether fees go to Clio at all (the setting, and the Service Provider offers Clio)."""
        return self._clio.enabled and self._settings.get(config.FEES_POSTING) in ("review", "automatic")

    @property
    def reviewing(self) -> bool:
        """Whether each order's fees wait for someone's approval before they go to Clio."""
        return self._settings.get(config.FEES_POSTING) == "review"

    def awaiting_review(self, order: Order) -> bool:
        """Whether the order's fees wait for approval (posting after review, not approved yet)."""
        return self.reviewing and not self._ledger.fees_approved(str(order.id))

    def category_for(self, line: OrderFeeLine) -> str:
        """The expense category a fee line is recorded under: the firm's choice for its kind,
        else the Service Provider's suggestion ("" for none)."""
        chosen = config.FEES_CATEGORY.get(line.code)
        name = self._settings.get(chosen) if chosen is not None else ""
        fallback = next((suggested for code, _l, suggested in config.FEE_KINDS if code == line.code), "")
        return (name or line.clio_expense_category or fallback).strip()

    @property
    def _entry_type(self) -> str:
        return self._settings.get(config.FEES_ENTRY_TYPE)

    def _since(self) -> dt.date:
        """Orders decided before this day are left alone: their fees may be in Clio by hand."""
        since = self._settings.get(config.FEES_POSTING_SINCE)
        if not since:
            since = self._today().isoformat()
            self._settings.set(config.FEES_POSTING_SINCE, since)  # from the day posting first ran
        return dt.date.fromisoformat(since)

    def order_fees(self, order: Order) -> OrderFees:
        """The order's fees towards Clio (the ledger, and what this process knows)."""
        states = self._ledger.expenses_of_order(str(order.id))
        posted = sum(1 for s in states if s.step is ExpenseStep.ACKNOWLEDGED)
        failed = sum(1 for s in states if s.step is not ExpenseStep.ACKNOWLEDGED and s.error)
        if order.id in self._known.order_errors and self._blocker(order) is None:
            failed = len(states) - posted
        return OrderFees(len(states), posted, failed, self._blocker(order))

    def line_state(self, order: Order, line: OrderFeeLine) -> FeeLineState:
        """One fee line's state towards Clio, in words (no network)."""
        state = self._ledger.expense_state(str(order.id), str(line.id))
        if state is not None and state.step is ExpenseStep.ACKNOWLEDGED:
            return FeeLineState(FeeState.POSTED, "Posted to Clio as an expense", state.clio_activity_id)
        if line.clio.filed:
            return FeeLineState(FeeState.POSTED, "Posted to Clio by another workstation", line.clio.clio_id)
        if not self.posting:
            return FeeLineState(FeeState.NOT_POSTED, "Not posted: fee posting into Clio is off")
        since = self._settings.get(config.FEES_POSTING_SINCE)
        if since and decision_date(order).isoformat() < since:
            return FeeLineState(
                FeeState.NOT_POSTED, f"Not posted: decided before fee posting began ({since})"
            )
        if line.id in self._known.posting:
            return FeeLineState(FeeState.POSTING, "Posting to Clio…")
        blocker = self._blocker(order)
        if blocker is not None:
            return FeeLineState(FeeState.WAITING, self._wait_text(order, blocker))
        if order.id in self._known.order_errors:
            return FeeLineState(FeeState.FAILED, f"Not posted yet: {self._known.order_errors[order.id]}")
        if state is not None and state.error:
            return FeeLineState(FeeState.FAILED, f"Not posted yet: {state.error}")
        return FeeLineState(FeeState.WAITING, "Waiting to be posted to Clio")

    def why_waiting(self, order: Order) -> str:
        """Why the order's fees are not all in Clio, in words (no network)."""
        fees = self.order_fees(order)
        if fees.blocker is not None:
            return self._wait_text(order, fees.blocker)
        error = self._known.order_errors.get(order.id)
        if error is None:
            states = self._ledger.expenses_of_order(str(order.id))
            unacknowledged = (s for s in states if s.step is not ExpenseStep.ACKNOWLEDGED)
            error = next((s.error for s in unacknowledged if s.error), None)
        if error is not None:
            return f"Not posted yet: {error}"
        if fees.lines == 0:
            return "Waiting to be posted to Clio"
        return f"{fees.waiting} of {fees.lines} fee(s) waiting to be posted to Clio"

    def _wait_text(self, order: Order, blocker: FeeWait) -> str:
        missing = self._known.missing.get(order.id)
        if blocker is FeeWait.CATEGORY_MISSING and missing:
            return (
                f"Waiting — Clio has no expense category “{missing}”; create it, or choose another, "
                "in Settings › Fees into Clio"
            )
        return BLOCKER_TEXT[blocker]

    def _blocker(self, order: Order) -> FeeWait | None:
        if order.clio is None:
            return FeeWait.NO_MATTER
        if self.awaiting_review(order):
            return FeeWait.AWAITING_REVIEW
        if not self._clio.connected:
            return FeeWait.NOT_CONNECTED
        return self._known.blockers.get(order.id)

    # -- what the faces ask for ---------------------------------------------------------------------

    def approve(self, order: Order) -> None:
        """Someone reviewed the order's fees: post them (at the next run)."""
        self._ledger.approve_fees(str(order.id))
        if self._known.blockers.get(order.id) is FeeWait.AWAITING_REVIEW:
            del self._known.blockers[order.id]
        self.events.emit(FeesChanged(order.id))

    def retry(self, order: Order) -> None:
        """Forget the order's failures and blockers; the next run posts its fees again."""
        for state in self._ledger.expenses_of_order(str(order.id)):
            if state.error:
                self._ledger.clear_expense_error(state.order_id, state.fee_line_id)
        self._known.blockers.pop(order.id, None)
        self._known.order_errors.pop(order.id, None)
        self.events.emit(FeesChanged(order.id))

    # -- the job --------------------------------------------------------------------------------

    async def run(self, orders: Sequence[Order]) -> None:
        """Post the fees the decided orders call for (see the module docstring)."""
        if not self.posting:
            return
        work = self._unfinished(orders)
        client = self._clio.client if self._clio.connected else None
        if client is not None:
            self._forget_passing_blockers()
        try:
            for order in sorted(work, key=lambda o: o.decided_at or o.updated_at):
                if order.clio is None:
                    self._block(order, FeeWait.NO_MATTER)
                elif self.awaiting_review(order):
                    self._block(order, FeeWait.AWAITING_REVIEW)
                elif client is None:
                    self._block(order, FeeWait.NOT_CONNECTED)
                else:
                    await self._post_order_or_note(client, order)
        except ClioConnectionEnded:
            for order in work:
                self._block(order, FeeWait.NOT_CONNECTED)
        except errors.RateLimited:
            for order in work:
                if order.id not in self._known.blockers:
                    self._block(order, FeeWait.RATE_LIMITED)
        summaries = ((order, self.order_fees(order)) for order in work)
        waiting = tuple((o, f) for o, f in summaries if f.lines == 0 or f.posted < f.lines)
        self.events.emit(PostingFinished(waiting))

    def _forget_passing_blockers(self) -> None:
        """Connected again, or a new window of Clio's limit: what waited for that is tried again
        (and shown as such) rather than still saying "connect to Clio"."""
        passed = [
            o for o, b in self._known.blockers.items() if b in (FeeWait.NOT_CONNECTED, FeeWait.RATE_LIMITED)
        ]
        if any(b is FeeWait.CATEGORY_MISSING for b in self._known.blockers.values()):
            self._known.categories = None  # created in Clio since? read them again
        for order_id in passed:
            del self._known.blockers[order_id]
        for order_id in passed:
            self.events.emit(FeesChanged(order_id))

    def _unfinished(self, orders: Sequence[Order]) -> list[Order]:
        counts = self._ledger.expense_counts()
        since = self._since()
        work = []
        for order in orders:
            if not order.status.decided or order.id in self._known.without_fees:
                continue
            if decision_date(order) < since:
                continue
            seen, done = counts.get(str(order.id), (0, 0))
            if seen == 0 or done < seen:
                work.append(order)
        return work

    def _block(self, order: Order, blocker: FeeWait) -> None:
        if self._known.blockers.get(order.id) is not blocker:
            self._known.blockers[order.id] = blocker
            self.events.emit(FeesChanged(order.id))

    async def _post_order_or_note(self, client: ClioClient, order: Order) -> None:
        """Post an order's fees; a failure that is the order's (its fee list, its matter) is noted
        on it and tried again next run, and the run goes on."""
        try:
            await self._post_order(client, order)
        except (ClioConnectionEnded, errors.RateLimited):
            raise
        except errors.ServiceError as error:
            log.info("fees of order %s not posted now: %s", order.id, error)
            self._known.order_errors[order.id] = error.user_message
            self.events.emit(FeesChanged(order.id))
        else:
            if self._known.order_errors.pop(order.id, None) is not None:
                self.events.emit(FeesChanged(order.id))

    async def _post_order(self, client: ClioClient, order: Order) -> None:
        assert order.clio is not None
        lines = await self._lc.fee_lines(order.id)
        if not lines:
            self._known.without_fees.add(order.id)
            return
        oid = str(order.id)
        pending: list[OrderFeeLine] = []
        for line in lines:
            state = self._ledger.expense_state(oid, str(line.id))
            if state is None:  # every line is in the ledger from now on: the order's count is known
                state = self._ledger.record_expense_step(oid, str(line.id), ExpenseStep.SEEN)
            if state.step is not ExpenseStep.ACKNOWLEDGED:
                pending.append(line)
        if not pending:
            return
        if not await self._matter_open(client, order):
            return
        categories = await self._categories(client)
        wanted = {line.id: self.category_for(line) for line in pending}
        missing = next((name for name in wanted.values() if name and name.lower() not in categories), None)
        if missing is not None:
            self._known.missing[order.id] = missing
            self._block(order, FeeWait.CATEGORY_MISSING)
            return
        posted, cents = 0, 0
        for line in pending:
            category = categories.get(wanted[line.id].lower()) if wanted[line.id] else None
            if await self._post_one(client, order, line, category):
                posted, cents = posted + 1, cents + line.amount_cents
        if posted:
            self.events.emit(FeesPosted(order, posted, cents))

    async def _matter_open(self, client: ClioClient, order: Order) -> bool:
        assert order.clio is not None
        try:
            matter = await client.matter(order.clio.matter_id, priority="background")
        except errors.NotFound:
            self._block(order, FeeWait.MATTER_GONE)
            return False
        if matter.status.lower() == "closed":
            self._block(order, FeeWait.MATTER_CLOSED)
            return False
        if self._known.blockers.pop(order.id, None) is not None:
            self.events.emit(FeesChanged(order.id))
        return True

    async def _categories(self, client: ClioClient) -> dict[str, int]:
        if self._known.categories is None:
            found = await client.expense_categories(priority="background")
            self._known.categories = {c.name.strip().lower(): c.id for c in found}
        return self._known.categories

    async def _post_one(
        self, client: ClioClient, order: Order, line: OrderFeeLine, category_id: int | None
    ) -> bool:
        """Post one fee line; True when this call put it into Clio. Failures are recorded."""
        assert order.clio is not None
        oid, lid = str(order.id), str(line.id)
        state = self._ledger.expense_state(oid, lid)
        if line.clio.filed and (state is None or state.step is ExpenseStep.SEEN):
            # Posted by another workstation before this one started on it.
            self._ledger.record_expense_step(
                oid, lid, ExpenseStep.ACKNOWLEDGED, clio_activity_id=line.clio.clio_id
            )
            self.events.emit(FeesChanged(order.id))
            return False
        try:
            claim = await self._lc.claim_fee_line(
                order.id, line.id, self._store.workstation_id(), self._lease
            )
        except AlreadyFiled as filed:
            self._ledger.record_expense_step(
                oid, lid, ExpenseStep.ACKNOWLEDGED, clio_activity_id=filed.clio_id
            )
            self.events.emit(FeesChanged(order.id))
            return False
        except AlreadyClaimed:
            return False  # another workstation is posting it now
        self._known.posting.add(line.id)
        self.events.emit(FeesChanged(order.id))
        try:
            activity_id = state.clio_activity_id if state is not None else None
            if activity_id is None:
                key = marker(order, line)
                found = await client.find_expenses_by_marker(
                    order.clio.matter_id, key, self._entry_type, priority="background"
                )
                activity_id = min((a.id for a in found), default=None)
            if activity_id is None:
                made = await client.create_expense(
                    order.clio.matter_id,
                    decision_date(order),
                    line.amount_cents / 100,
                    expense_note(order, line),
                    category_id,
                    quantity=1,
                    entry_type=self._entry_type,
                    no_charge=not self._settings.get(config.FEES_BILLABLE),
                    priority="background",
                )
                activity_id = made.id
            self._ledger.record_expense_step(
                oid, lid, ExpenseStep.CLIO_ACTIVITY_CREATED, clio_activity_id=activity_id
            )
            await self._acknowledge(claim, activity_id, oid, lid)
            return True
        except (ClioConnectionEnded, errors.RateLimited):
            await self._release(claim)
            raise
        except errors.ServiceError as error:
            if isinstance(error, errors.NotFound):
                self._known.categories = None  # a category deleted in Clio since it was read?
            log.info("fee line %s of order %s not posted now: %s", line.id, order.id, error)
            self._ledger.record_expense_error(oid, lid, error.user_message)
            await self._release(claim)
            return False
        finally:
            self._known.posting.discard(line.id)
            self.events.emit(FeesChanged(order.id))

    async def _acknowledge(self, claim: Claim, activity_id: int, oid: str, lid: str) -> None:
        try:
            await self._lc.acknowledge(claim.claim_id, activity_id)
        except AlreadyFiled as filed:
            if filed.clio_id != activity_id:
                log.warning("fee line %s was posted by another workstation as %s", lid, filed.clio_id)
                activity_id = filed.clio_id or activity_id
        self._ledger.record_expense_step(oid, lid, ExpenseStep.ACKNOWLEDGED, clio_activity_id=activity_id)

    async def _release(self, claim: Claim) -> None:
        with contextlib.suppress(errors.ServiceError):
            await self._lc.release(claim.claim_id)
