"""The hearing scheduler against the sandbox over real HTTP: a hearing the clerk set on an accepted
motion goes into Clio's calendar on the order's matter once (on the calendar chosen in Settings),
a moved hearing moves that entry, a past or unreadable date is refused on the order, the setting
turns it off, and two workstations at once end with one entry. Qt-free, as `legalconnect sync`."""

from __future__ import annotations

import asyncio
import datetime as dt

from app import config
from app.services.calendar.ledger import HearingStep
from app.services.calendar.scheduler import (
    KEY_NAME,
    HearingEntered,
    HearingRefused,
    HearingScheduler,
    entry_fields,
    when_words,
)
from app.services.clio.calendar_records import CalendarEntry
from app.services.legalconnect.records import Order
from app.services.returns.notices import Announcement, Tone
from tests.services.returns.conftest import Desk, make_desk, run_desk

FIRM_CALENDAR = 50000


async def _hearing_orders(desk: Desk, count: int = 1) -> list[Order]:
    ids = set(await desk.decided_orders(count, 1))  # each an accepted Motion to Compel: a hearing
    orders = [o for o in await desk.orders() if o.id in ids]
    assert all(o.hearing is not None and o.clio is not None for o in orders), orders
    return orders


async def _entries(desk: Desk, order: Order) -> list[CalendarEntry]:
    client = desk.services.clio.client
    assert client is not None and order.clio is not None
    return await client.find_calendar_entries(order.clio.matter_id, KEY_NAME, order.order_number or "")


def _scheduler(desk: Desk) -> tuple[HearingScheduler, list[object]]:
    events: list[object] = []
    desk.services.hearings.events.subscribe(events.append)
    return desk.services.hearings, events


async def _again(desk: Desk, order: Order) -> Order:
    return next(o for o in await desk.orders() if o.id == order.id)


def test_a_hearing_goes_into_the_calendar_once_and_a_rerun_asks_clio_nothing(sandbox_world, tmp_path) -> None:
    async def body(desk: Desk) -> None:
        orders = await _hearing_orders(desk, 2)
        scheduler, events = _scheduler(desk)
        await scheduler.run(orders)
        own = await desk.services.clio.client.default_calendar_id()
        for order in orders:
            hearing = order.hearing
            assert hearing is not None
            [entry] = await _entries(desk, order)
            starts = hearing.starts_at()
            assert entry.summary == f"Hearing: Motion to Compel Discovery — {order.case_title}"
            assert entry.location == f"{hearing.location}, Dept. 34" and hearing.location == order.court_name
            assert entry.start_at == starts and entry.end_at - entry.start_at == dt.timedelta(hours=1)
            assert entry.calendar_id == own and entry.matter_id == order.clio.matter_id
            assert not entry_fields(order, hearing, starts).differs_from(entry)
            state = desk.services.store.hearings.state(str(order.id))
            assert state is not None and state.step is HearingStep.ENTERED and state.entry_id == entry.id
            assert scheduler.hearing_line(order).endswith("— in Clio's calendar")
        entered = [e for e in events if isinstance(e, HearingEntered)]
        assert sorted(e.order.id for e in entered) == sorted(o.id for o in orders)
        notices = [e for e in desk.events if isinstance(e, Announcement) and "calendar" in e.title]
        assert {n.title for n in notices} == {"Hearing added to Clio's calendar"}
        first = orders[0].hearing
        assert first is not None
        assert any(when_words(first.starts_at()) in n.message for n in notices)  # it names the date
        before = len(desk.clio_api_requests())
        await scheduler.run(orders)
        assert len(desk.clio_api_requests()) == before  # settled: Clio is not asked at all

    run_desk(sandbox_world, tmp_path / "ws1", body)


def test_the_calendar_chosen_in_settings_owns_the_entry(sandbox_world, tmp_path) -> None:
    async def body(desk: Desk) -> None:
        calendars = await desk.services.clio.client.calendars()
        firm = next(c for c in calendars if c.type == "AccountCalendar")
        assert firm.id == FIRM_CALENDAR
        desk.services.settings.set(config.HEARINGS_CALENDAR, firm.id)
        [order] = await _hearing_orders(desk)
        await desk.services.hearings.run([order])
        [entry] = await _entries(desk, order)
        assert entry.calendar_id == firm.id

    run_desk(sandbox_world, tmp_path / "ws1", body)


def test_a_moved_hearing_moves_its_entry_rather_than_adding_one(sandbox_world, tmp_path) -> None:
    async def body(desk: Desk) -> None:
        [order] = await _hearing_orders(desk)
        scheduler, events = _scheduler(desk)
        await scheduler.run([order])
        [first] = await _entries(desk, order)
        later = (dt.date.today() + dt.timedelta(days=60)).isoformat()
        await desk.admin("legalconnect", "/hearing", {"order_id": order.id, "date": later, "time": "10:15"})
        moved = await _again(desk, order)
        assert moved.hearing is not None and moved.hearing.date == later
        await scheduler.run([moved])
        [entry] = await _entries(desk, order)
        assert entry.id == first.id
        starts = moved.hearing.starts_at()
        assert entry.start_at == starts and entry.start_at.astimezone(starts.tzinfo).hour == 10
        assert [e.moved for e in events if isinstance(e, HearingEntered)] == [False, True]
        notices = [e.title for e in desk.events if isinstance(e, Announcement) and "calendar" in e.title]
        assert notices[-1] == "Hearing moved in Clio's calendar"
        state = desk.services.store.hearings.state(str(order.id))
        assert state is not None and state.key == moved.hearing.key and state.entry_id == first.id

    run_desk(sandbox_world, tmp_path / "ws1", body)


def test_a_past_or_unreadable_hearing_date_creates_nothing_and_says_so(sandbox_world, tmp_path) -> None:
    async def body(desk: Desk) -> None:
        typo, past = await _hearing_orders(desk, 2)
        await desk.admin("legalconnect", "/hearing", {"order_id": typo.id, "date": "2027-02-30"})
        await desk.admin("legalconnect", "/hearing", {"order_id": past.id, "date": "2020-03-02"})
        typo, past = await _again(desk, typo), await _again(desk, past)
        scheduler, events = _scheduler(desk)
        await scheduler.run([typo, past])
        assert await _entries(desk, typo) == [] and await _entries(desk, past) == []
        refused = {e.order.id: e.reason for e in events if isinstance(e, HearingRefused)}
        assert "the date “2027-02-30” is not a date" in refused[typo.id]
        assert "Monday, March 2, 2020 at 8:30 AM, is in the past" in refused[past.id]
        for order in (typo, past):
            assert "nothing was added to Clio's calendar" in refused[order.id]
            state = desk.services.store.hearings.state(str(order.id))
            assert state is not None and state.step is HearingStep.REFUSED and state.entry_id is None
            assert refused[order.id] in scheduler.hearing_line(order)  # on the order's page
        warnings = [e for e in desk.events if isinstance(e, Announcement) and e.tone is Tone.WARNING]
        assert {w.order_id for w in warnings} >= {typo.id, past.id}
        assert any(f"Order {typo.order_number}" in w.message and "2027-02-30" in w.message for w in warnings)
        before = len(desk.clio_api_requests())
        await scheduler.run([typo, past])
        assert len(desk.clio_api_requests()) == before
        assert len([e for e in events if isinstance(e, HearingRefused)]) == 2  # refused once, not again

    run_desk(sandbox_world, tmp_path / "ws1", body)


def test_with_the_setting_off_nothing_goes_to_the_calendar(sandbox_world, tmp_path) -> None:
    async def body(desk: Desk) -> None:
        desk.services.settings.set(config.HEARINGS_TO_CALENDAR, False)
        [order] = await _hearing_orders(desk)
        before = len(desk.clio_api_requests())
        await desk.services.hearings.run([order])
        assert len(desk.clio_api_requests()) == before
        assert await _entries(desk, order) == []
        assert "off in Settings" in desk.services.hearings.hearing_line(order)
        desk.services.settings.set(config.HEARINGS_TO_CALENDAR, True)
        await desk.services.hearings.run([order])
        assert len(await _entries(desk, order)) == 1

    run_desk(sandbox_world, tmp_path / "ws1", body)


def test_an_entry_made_before_the_answer_was_lost_is_not_made_again(sandbox_world, tmp_path) -> None:
    async def body(desk: Desk) -> None:
        [order] = await _hearing_orders(desk)
        hearing = order.hearing
        assert hearing is not None and order.clio is not None
        client = desk.services.clio.client
        own = await client.default_calendar_id()
        fields = entry_fields(order, hearing, hearing.starts_at())
        key = {KEY_NAME: order.order_number or ""}
        made = await client.create_calendar_entry(own, order.clio.matter_id, fields, key)
        await desk.services.hearings.run([order])
        assert [e.id for e in await _entries(desk, order)] == [made.id]

    run_desk(sandbox_world, tmp_path / "ws1", body)


def test_two_workstations_at_once_end_with_one_entry(sandbox_world, tmp_path) -> None:
    async def body(desk: Desk) -> None:
        orders = await _hearing_orders(desk, 3)
        other = make_desk(desk.world, tmp_path / "ws2")
        try:
            assert await other.services.session.restore() is not None
            other.services.clio.configure(
                other.services.session.provider, other.services.session.session.user_email
            )
            await other.connect_clio()
            posts_before = _posts(desk) + _posts(other)
            await asyncio.gather(desk.services.hearings.run(orders), other.services.hearings.run(orders))
            created = _posts(desk) + _posts(other) - posts_before
            assert created > len(orders)  # both created some: the race happened
            for order in orders:
                [entry] = await _entries(desk, order)
                for workstation in (desk, other):
                    state = workstation.services.store.hearings.state(str(order.id))
                    assert state is not None and state.step is HearingStep.ENTERED
                    assert state.entry_id == entry.id
        finally:
            await other.services.aclose()

    run_desk(sandbox_world, tmp_path / "ws1", body)


def _posts(desk: Desk) -> int:
    return sum(
        1 for method, url in desk.clio_api_requests() if method == "POST" and "calendar_entries" in url.path
    )
