"""The client's calendar calls against the emulator: the calendars a user may write to, an entry
created with its key, found by it exactly, moved (guarded by its etag) and removed; every request
they send checked against Clio's official spec here (and again with all others at the end)."""

from __future__ import annotations

import asyncio
import datetime as dt

import pytest

from app.services import errors
from app.services.clio.calendar_records import EntryFields
from tests.helpers.clio_spec import check_request
from tests.services.clio.helpers import RECORDER

BRIGHTLINE_MATTER = 2002
PACIFIC = dt.timezone(dt.timedelta(hours=-8))


def _fields(day: int, hour: int = 8) -> EntryFields:
    starts = dt.datetime(2027, 1, day, hour, 30, tzinfo=PACIFIC)
    return EntryFields(
        "Hearing: Motion for Summary Judgment — Brightline Logistics v. Harmon Freight",
        starts,
        starts + dt.timedelta(hours=1),
        "Superior Court of California, County of Los Angeles, Dept. 34",
        "Motion for Summary Judgment set for hearing by the court on the return of eFiling order 2417108.",
    )


def test_calendar_calls_round_trip_and_conform(clio_client, request: pytest.FixtureRequest) -> None:
    async def body() -> None:
        async with clio_client() as client:
            calendars = await client.calendars()
            own = await client.default_calendar_id()
            assert calendars[0].id == own and calendars[0].permission == "owner"
            assert any(c.type == "AccountCalendar" for c in calendars)
            made = await client.create_calendar_entry(
                own, BRIGHTLINE_MATTER, _fields(12), {"lc_hearing": "7654321"}
            )
            assert made.id.isdigit() and made.calendar_id == own and made.matter_id == BRIGHTLINE_MATTER
            assert made.start_at == dt.datetime(2027, 1, 12, 8, 30, tzinfo=PACIFIC)
            assert not _fields(12).differs_from(made)
            await client.create_calendar_entry(
                own, BRIGHTLINE_MATTER, _fields(13), {"lc_hearing": "76543210"}
            )
            found = await client.find_calendar_entries(BRIGHTLINE_MATTER, "lc_hearing", "7654321")
            assert [e.id for e in found] == [made.id]  # exactly the key, not a longer one
            moved = await client.update_calendar_entry(made, _fields(26, 9))
            assert moved.start_at == dt.datetime(2027, 1, 26, 9, 30, tzinfo=PACIFIC)
            assert moved.etag != made.etag
            with pytest.raises(errors.Conflict):
                await client.update_calendar_entry(made, _fields(27))  # the old etag: someone moved it
            await client.delete_calendar_entry(made.id)
            assert await client.find_calendar_entries(BRIGHTLINE_MATTER, "lc_hearing", "7654321") == []
            with pytest.raises(errors.NotFound):
                await client.delete_calendar_entry(made.id)

    asyncio.run(body())
    mine = [r for r in RECORDER.requests if r.test == request.node.nodeid]
    calendar_paths = [r for r in mine if "/calendar" in r.url or "who_am_i" in r.url]
    assert len(calendar_paths) >= 9
    problems = [
        f"{p}: {r.method} {r.url}"
        for r in calendar_paths
        for p in check_request(r.method, r.url, json_body=r.json_body, headers=r.headers)
    ]
    assert not problems, "\n".join(problems)
