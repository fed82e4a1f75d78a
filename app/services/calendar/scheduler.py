"""The hearing scheduler: each hearing the court sets goes into Clio's calendar once, on the matter.

A job of the sync engine, after each refresh. An order whose return carries a hearing (`Order.hearing`:
the sandbox clerk sets one when it accepts a motion) and whose hearing is not settled in the local
ledger for its current date, time and place is worked on:

1. the hearing is read: a date or time that cannot be read, or a hearing already in the past, is
   refused (nothing is written to Clio) and the order says why;
2. `entering` is recorded in the ledger before anything is written;
3. the matter's calendar entries are looked up by the external property `lc_hearing` = the order
   number (Clio's list filter, compared exactly): none means create one — summary "Hearing: <motion>
   — <case title>", the court and department as location, the court's date and time, an hour long,
   on the calendar chosen in Settings (else the connected user's own), no email to attendees;
4. the lookup is made again after a create: when two workstations created one at the same time,
   the entry with the lowest id stays and the others are removed, so every workstation converges on
   the same single entry (a crash before this step is mended the same way by the next run);
5. the entry that stays is moved to the hearing's date, time and place when it says otherwise (a
   continuance updates the entry rather than adding one), and `entered` is recorded.

Every Clio request uses the rate limiter's background share. The setting `hearings.to_calendar`
turns it all off. Each hearing entered or refused is told once (`HearingEntered`, `HearingRefused`),
and `hearing_line` says where an order's hearing stands, for the order's page. No Qt here.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from app import config
from app.config import Config
from app.services import errors
from app.services.calendar.ledger import HearingState, HearingStep
from app.services.clio.calendar_records import CalendarEntry, EntryFields
from app.services.clio.connection import ClioConnection
from app.services.clio.tokens import ClioConnectionEnded
from app.services.events import EventHub
from app.services.legalconnect.records import Hearing, HearingUnreadable, Order
from app.services.store import Store

if TYPE_CHECKING:
    from app.services.clio.api import ClioClient

log = logging.getLogger(__name__)

KEY_NAME = "lc_hearing"
"""The external property that finds an order's hearing entry in Clio (value: the order number)."""
LENGTH = dt.timedelta(hours=1)


def key_value(order: Order) -> str:
    return order.order_number or str(order.id)


def when_words(moment: dt.datetime) -> str:
    """ "Tuesday, January 12, 2027 at 8:30 AM" (in the moment's own offset: the court's)."""
    hour = moment.hour % 12 or 12
    clock = f"{hour}:{moment.minute:02d} {'AM' if moment.hour < 12 else 'PM'}"
    return f"{moment:%A}, {moment:%B} {moment.day}, {moment.year} at {clock}"


def entry_fields(order: Order, hearing: Hearing, starts: dt.datetime) -> EntryFields:
    """What the calendar entry says for the order's hearing."""
    what = hearing.motion or "Hearing"
    summary = f"Hearing: {what} — {order.case_title}" if order.case_title else f"Hearing: {what}"
    location = ", ".join(p for p in (hearing.location or order.court_name, hearing.department) if p)
    case = f", case {order.case_number}" if order.case_number else ""
    description = (
        f"{what} set for hearing by the court on the return of eFiling order {key_value(order)}"
        f" ({order.case_title}{case})."
    )
    return EntryFields(summary, starts, starts + LENGTH, location, description)


@dataclass(frozen=True)
class HearingEntered:
    """The order's hearing is in Clio's calendar now (`moved`: an earlier date's entry was moved)."""

    order: Order
    starts_at: dt.datetime
    location: str
    moved: bool


@dataclass(frozen=True)
class HearingRefused:
    """The order's hearing was not put into Clio's calendar, and why (in words)."""

    order: Order
    reason: str


@dataclass(frozen=True)
class HearingsFinished:
    """A run ended; `waiting` hearings could not be entered this time (an error, Clio's limit) and
    are tried again at the next run. Those waiting for a matter or a connection are not counted."""

    waiting: int


HearingEvent = HearingEntered | HearingRefused | HearingsFinished


class HearingScheduler:
    """Puts hearings into Clio's calendar (see the module docstring). A `SyncJob` of the engine."""

    name = "putting hearing dates into Clio's calendar"

    def __init__(
        self,
        clio: ClioConnection,
        store: Store,
        settings: Config,
        *,
        now: Callable[[], dt.datetime] = lambda: dt.datetime.now(dt.UTC),
    ) -> None:
        self._clio = clio
        self._ledger = store.hearings
        self._settings = settings
        self._now = now
        self._calendar_id: int | None = None
        self.events: EventHub[HearingEvent] = EventHub()

    @property
    def on(self) -> bool:
        """Whether hearings go to Clio at all (the setting, and the Service Provider offers Clio)."""
        return self._clio.enabled and self._settings.get(config.HEARINGS_TO_CALENDAR)

    def refusal(self, hearing: Hearing) -> str | None:
        """Why this hearing cannot go into the calendar (None: it can)."""
        try:
            starts = hearing.starts_at()
        except HearingUnreadable as unreadable:
            return (
                f"the court's hearing could not be read ({unreadable}); nothing was added to Clio's calendar"
            )
        if starts < self._now():
            when = when_words(starts)
            return f"the hearing date, {when}, is in the past; nothing was added to Clio's calendar"
        return None

    def hearing_line(self, order: Order) -> str:
        """Where the order's hearing stands towards Clio's calendar, in words ("" when it has none)."""
        hearing = order.hearing
        if hearing is None:
            return ""
        state = self._ledger.state(str(order.id))
        try:
            starts = hearing.starts_at()
            when = when_words(starts) + (f", {hearing.department}" if hearing.department else "")
        except HearingUnreadable:
            when = f"“{hearing.date} {hearing.time}”"
        if state is not None and state.settled(hearing.key):
            if state.step is HearingStep.ENTERED:
                return f"{when} — in Clio's calendar"
            return f"{when} — not in Clio's calendar: {state.message}"
        if not self._clio.enabled:
            return when
        if not self._settings.get(config.HEARINGS_TO_CALENDAR):
            return f"{when} — not added to Clio's calendar (off in Settings)"
        reason = self.refusal(hearing)
        if reason is not None:
            return f"{when} — not in Clio's calendar: {reason}"
        if order.clio is None:
            return f"{when} — waiting for the order's Clio matter"
        if not self._clio.connected:
            return f"{when} — waiting for Clio; connect to add it to the calendar"
        if state is not None and state.message:
            return f"{when} — not in Clio's calendar yet ({state.message}); tried again at the next run"
        return f"{when} — being added to Clio's calendar"

    # -- the job ---------------------------------------------------------------------------------

    async def run(self, orders: Sequence[Order]) -> None:
        """Put the hearings the orders carry into Clio's calendar (see the module docstring)."""
        if not self.on:
            return
        work = [order for order in orders if self._unsettled(order)]
        if not work:
            return
        client = self._clio.client if self._clio.connected else None
        waiting = 0
        for order in sorted(work, key=lambda o: o.decided_at or o.updated_at):
            hearing = order.hearing
            assert hearing is not None
            reason = self.refusal(hearing)
            if reason is not None:
                self._ledger.record(str(order.id), hearing.key, HearingStep.REFUSED, message=reason)
                log.info("hearing of order %s refused: %s", order.id, reason)
                self.events.emit(HearingRefused(order, reason))
                continue
            if client is None or order.clio is None:
                continue  # waits for a person: a matter chosen, Clio connected (its line says so)
            try:
                await self._enter(client, order, hearing)
            except (ClioConnectionEnded, errors.RateLimited) as stop:
                log.info("hearings wait: %s", stop)
                waiting += 1
                break
            except errors.ServiceError as error:
                log.info("hearing of order %s not entered now: %s", order.id, error)
                self._ledger.record_error(str(order.id), self._error_text(error))
                waiting += 1
        self.events.emit(HearingsFinished(waiting))

    def _unsettled(self, order: Order) -> bool:
        hearing = order.hearing
        if hearing is None:
            return False
        state = self._ledger.state(str(order.id))
        return state is None or not state.settled(hearing.key)

    def _error_text(self, error: errors.ServiceError) -> str:
        if isinstance(error, errors.NotFound):
            chosen = self._settings.get(config.HEARINGS_CALENDAR_NAME) or "the chosen calendar"
            self._calendar_id = None
            return (
                f"Clio has no {chosen} or no such matter any more; choose another in Settings › "
                "Calendar for hearing dates"
            )
        return error.user_message

    async def _calendar(self, client: ClioClient) -> int:
        chosen = self._settings.get(config.HEARINGS_CALENDAR)
        if chosen:
            return chosen
        if self._calendar_id is None:
            self._calendar_id = await client.default_calendar_id(priority="background")
        return self._calendar_id

    async def _enter(self, client: ClioClient, order: Order, hearing: Hearing) -> None:
        assert order.clio is not None
        oid, matter, value = str(order.id), order.clio.matter_id, key_value(order)
        starts = hearing.starts_at()
        fields = entry_fields(order, hearing, starts)
        before = self._ledger.state(oid)
        self._ledger.record(oid, hearing.key, HearingStep.ENTERING, starts_at=starts.isoformat())
        found = await client.find_calendar_entries(matter, KEY_NAME, value, priority="background")
        if not found:
            calendar = await self._calendar(client)
            made = await client.create_calendar_entry(
                calendar, matter, fields, {KEY_NAME: value}, priority="background"
            )
            self._ledger.record(oid, hearing.key, HearingStep.ENTERING, entry_id=made.id)
            # Another workstation may have added one at the same moment: look again.
            found = await client.find_calendar_entries(matter, KEY_NAME, value, priority="background")
            found = found or [made]
        keep = await self._one_entry(client, found)
        if fields.differs_from(keep):
            keep = await client.update_calendar_entry(keep, fields, priority="background")
        self._ledger.record(
            oid, hearing.key, HearingStep.ENTERED, entry_id=keep.id, starts_at=starts.isoformat()
        )
        moved = _was_entered(before) and before is not None and before.key != hearing.key
        self.events.emit(HearingEntered(order, starts, fields.location, moved))

    async def _one_entry(self, client: ClioClient, found: list[CalendarEntry]) -> CalendarEntry:
        """The entry with the lowest id stays; any other copy (two workstations at once) goes."""
        keep, *copies = sorted(found, key=lambda e: int(e.id))
        for copy in copies:
            with contextlib.suppress(errors.NotFound):  # the other workstation removed it first
                await client.delete_calendar_entry(copy.id, priority="background")
        return keep


def _was_entered(state: HearingState | None) -> bool:
    return state is not None and (state.step is HearingStep.ENTERED or state.entry_id is not None)
