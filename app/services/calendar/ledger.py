"""The local record of hearings towards Clio's calendar: one row per order, in the store's database.

A row names the version of the order's hearing it is about (`key`: date, time, offset, department,
court), the step reached with it and the Clio calendar entry. `entering` is recorded before anything
is written to Clio, `entered` once the entry is there (created, or moved to the new date) and checked
to be the only one; `refused` when the hearing cannot go in (in the past, unreadable), with why. A
moved hearing has another key, so its row starts over from `entering` and updates the same entry.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from app.services.store import GuardedConnection

MAX_MESSAGE_CHARS = 500


class HearingStep(StrEnum):
    ENTERING = "entering"
    ENTERED = "entered"
    REFUSED = "refused"


@dataclass(frozen=True)
class HearingState:
    order_id: str
    key: str
    step: HearingStep
    entry_id: str | None
    starts_at: str | None
    """When the hearing starts as written to Clio (ISO-8601), for the order's line."""
    message: str | None
    """Why it was refused, or the last error on the way in (None: none)."""
    attempts: int

    def settled(self, key: str) -> bool:
        """Nothing left to do for this version of the hearing."""
        return self.key == key and self.step in (HearingStep.ENTERED, HearingStep.REFUSED)


class HearingLedger:
    """Reads and writes `hearing_ledger` (migration 6) on the store's connection and thread."""

    def __init__(self, db: GuardedConnection, now: Callable[[], str], scrub: Callable[[str], str]) -> None:
        self._db = db
        self._now = now
        self._scrub = scrub

    def state(self, order_id: str) -> HearingState | None:
        row = self._db.execute(
            "SELECT order_id, hearing_key, step, clio_entry_id, starts_at, message, attempts"
            " FROM hearing_ledger WHERE order_id = ?",
            (order_id,),
        ).fetchone()
        if row is None:
            return None
        return HearingState(
            str(row[0]), str(row[1]), HearingStep(row[2]), row[3], row[4], row[5], int(row[6])
        )

    def record(
        self,
        order_id: str,
        key: str,
        step: HearingStep,
        *,
        entry_id: str | None = None,
        starts_at: str | None = None,
        message: str | None = None,
    ) -> HearingState:
        """Record that the order's hearing `key` reached `step` (a step clears the last error)."""
        now = self._now()
        text = None if message is None else self._scrub(message)[:MAX_MESSAGE_CHARS]
        self._db.execute(
            "INSERT INTO hearing_ledger VALUES (?, ?, ?, ?, ?, ?, 0, ?, ?)"
            " ON CONFLICT (order_id) DO UPDATE SET hearing_key = excluded.hearing_key,"
            " step = excluded.step, clio_entry_id = coalesce(excluded.clio_entry_id, clio_entry_id),"
            " starts_at = coalesce(excluded.starts_at, starts_at), message = excluded.message,"
            " attempts = 0, updated_at = excluded.updated_at",
            (order_id, key, HearingStep(step).value, entry_id, starts_at, text, now, now),
        )
        state = self.state(order_id)
        assert state is not None
        return state

    def record_error(self, order_id: str, error: str) -> None:
        """A failed attempt at the order's hearing (its step stays; tried again next run)."""
        self._db.execute(
            "UPDATE hearing_ledger SET message = ?, attempts = attempts + 1, updated_at = ?"
            " WHERE order_id = ?",
            (self._scrub(error)[:MAX_MESSAGE_CHARS], self._now(), order_id),
        )

    def every(self) -> dict[str, HearingState]:
        rows = self._db.execute("SELECT order_id FROM hearing_ledger").fetchall()
        found = (self.state(str(row[0])) for row in rows)
        return {s.order_id: s for s in found if s is not None}
