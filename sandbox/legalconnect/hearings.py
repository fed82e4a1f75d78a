"""Hearing dates the court sets when it decides an order, as the clerk records them.

Rule: when the court accepts a motion (a filed lead document whose type is a motion or demurrer), it
sets the hearing four weeks after the decision (moved to the Monday after when that is a weekend) at
8:30 a.m. in Dept. 34 of the same court. The hearing is printed on that motion's conformed copy and
kept in the `hearings` table (`store.SCHEMA`); the order's JSON carries it as `hearing` (null when
none was set).

The date and time are stored as the clerk entered them: the sandbox's admin route can change them to
anything (a continuance, or a typing error the client must refuse), so the API documents them as text.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sandbox.legalconnect import models as m
from sandbox.legalconnect.reference import COURTS_BY_ID, DOCUMENT_TYPES_BY_CODE
from sandbox.legalconnect.store import one, stamp

HEARING_CODES = frozenset({"MOTN", "MSJ", "MCOM", "DEMR"})
DEPARTMENT = "Dept. 34"
HEARING_TIME = "08:30"
WEEKS_AHEAD = 4


@dataclass(frozen=True)
class Hearing:
    document_id: int
    date: str
    time: str
    utc_offset: str
    department: str
    location: str
    motion: str

    @property
    def printed(self) -> str:
        """How the clerk prints it: "HEARING 01/12/2027 8:30 AM, Dept. 34"."""
        day = date.fromisoformat(self.date)
        clock = datetime.strptime(self.time, "%H:%M").strftime("%I:%M %p").lstrip("0")
        return f"HEARING {day.strftime('%m/%d/%Y')} {clock}, {self.department}"


def _pacific_offset(day: date) -> str:
    """California's UTC offset on `day`: daylight time from the second Sunday of March to the first
    Sunday of November (written out, so the sandbox needs no time-zone database)."""
    march = date(day.year, 3, 8)
    start = march + timedelta(days=(6 - march.weekday()) % 7)
    november = date(day.year, 11, 1)
    end = november + timedelta(days=(6 - november.weekday()) % 7)
    return "-07:00" if start <= day < end else "-08:00"


def _is_motion(doc: Mapping[str, Any]) -> bool:
    return bool(
        doc["kind"] == "filing" and doc["review_result"] == "accepted" and doc["filing_code"] in HEARING_CODES
    )


def hearing_for(
    order: Mapping[str, Any], docs: Sequence[Mapping[str, Any]], when: datetime
) -> Hearing | None:
    """The hearing the court sets for an order decided at `when` (see the module docstring)."""
    motion = next((d for d in docs if _is_motion(d)), None)
    court = COURTS_BY_ID.get(order["court_id"] or "")
    if motion is None or court is None:
        return None
    day = (when.astimezone(UTC) - timedelta(hours=8)).date() + timedelta(weeks=WEEKS_AHEAD)
    if day.weekday() >= 5:
        day += timedelta(days=7 - day.weekday())
    return Hearing(
        motion["id"],
        day.isoformat(),
        HEARING_TIME,
        _pacific_offset(day),
        DEPARTMENT,
        court.name,
        DOCUMENT_TYPES_BY_CODE[motion["filing_code"]].name,
    )


def store(conn: sqlite3.Connection, order_id: int, hearing: Hearing, when: datetime) -> None:
    conn.execute(
        "INSERT OR REPLACE INTO hearings (order_id, document_id, date, time, utc_offset, department,"
        " location, motion, set_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            order_id,
            hearing.document_id,
            hearing.date,
            hearing.time,
            hearing.utc_offset,
            hearing.department,
            hearing.location,
            hearing.motion,
            stamp(when),
        ),
    )


def hearing_out(conn: sqlite3.Connection, order_id: int) -> m.HearingOut | None:
    row = one(conn, "SELECT * FROM hearings WHERE order_id = ?", order_id)
    if row is None:
        return None
    return m.HearingOut(
        date=row["date"],
        time=row["time"],
        utc_offset=row["utc_offset"],
        department=row["department"],
        location=row["location"],
        motion=row["motion"],
    )


def change(conn: sqlite3.Connection, order_id: int, day: str, time: str | None) -> m.HearingOut:
    """Sandbox admin: the court moved the hearing (or the clerk mistyped it). `day` is stored as
    given; the offset follows it when it is a date. The order's `updated_at` moves."""
    row = one(conn, "SELECT * FROM hearings WHERE order_id = ?", order_id)
    if row is None:
        raise ValueError(f"order {order_id} has no hearing")
    try:
        offset: str | None = _pacific_offset(date.fromisoformat(day))
    except ValueError:
        offset = row["utc_offset"]
    conn.execute(
        "UPDATE hearings SET date = ?, time = ?, utc_offset = ?, set_at = ? WHERE order_id = ?",
        (day, time or row["time"], offset, stamp(), order_id),
    )
    conn.execute("UPDATE orders SET updated_at = ? WHERE id = ?", (stamp(), order_id))
    out = hearing_out(conn, order_id)
    assert out is not None
    return out
