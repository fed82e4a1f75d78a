"""Calendar records read from Clio (and what the app writes into an entry), apart from the calls in
`calendar.py` so the hearing scheduler can use them without loading the HTTP client.

A calendar entry's id is a string in Clio's answers and an integer in its paths; `CalendarEntry.id`
keeps the string (always digits, checked when read).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from app.services.clio.records import ProtocolError, external_properties_of


@dataclass(frozen=True)
class Calendar:
    """A calendar the signed-in user can see: their own, a colleague's, the firm's."""

    id: int
    name: str
    type: str
    permission: str

    @classmethod
    def from_json(cls, raw: Any) -> Calendar:
        if not isinstance(raw, dict) or isinstance(raw.get("id"), bool) or not isinstance(raw.get("id"), int):
            raise ProtocolError(f"calendar: expected an object with an integer id, got {raw!r}")
        return cls(
            raw["id"],
            str(raw.get("name") or ""),
            str(raw.get("type") or ""),
            str(raw.get("permission") or ""),
        )


def _moment(raw: dict[str, Any], key: str) -> dt.datetime:
    try:
        moment = dt.datetime.fromisoformat(str(raw.get(key)).replace("Z", "+00:00"))
    except ValueError:
        raise ProtocolError(f"{key}: not a timestamp: {raw.get(key)!r}") from None
    if moment.tzinfo is None:
        raise ProtocolError(f"{key}: no time zone: {raw.get(key)!r}")
    return moment


@dataclass(frozen=True)
class CalendarEntry:
    """One calendar entry as `ENTRY_FIELDS` reads it."""

    id: str
    etag: str
    summary: str
    location: str
    description: str
    start_at: dt.datetime
    end_at: dt.datetime
    calendar_id: int | None
    matter_id: int | None
    external_properties: dict[str, str] = field(default_factory=dict)

    @classmethod
    def from_json(cls, raw: Any) -> CalendarEntry:
        if not isinstance(raw, dict):
            raise ProtocolError(f"calendar entry: expected an object, got {type(raw).__name__}")
        ident = str(raw.get("id"))
        if not ident.isdigit():
            raise ProtocolError(f"calendar entry id: expected digits, got {raw.get('id')!r}")
        matter = raw.get("matter")
        owner = raw.get("calendar_owner_id")
        return cls(
            ident,
            str(raw.get("etag") or ""),
            str(raw.get("summary") or ""),
            str(raw.get("location") or ""),
            str(raw.get("description") or ""),
            _moment(raw, "start_at"),
            _moment(raw, "end_at"),
            owner if isinstance(owner, int) and not isinstance(owner, bool) else None,
            matter.get("id") if isinstance(matter, dict) and isinstance(matter.get("id"), int) else None,
            external_properties_of(raw),
        )


@dataclass(frozen=True)
class EntryFields:
    """What a calendar entry says: the writable fields the app sets."""

    summary: str
    start_at: dt.datetime
    end_at: dt.datetime
    location: str
    description: str

    def differs_from(self, entry: CalendarEntry) -> bool:
        return (self.summary, self.start_at, self.end_at, self.location, self.description) != (
            entry.summary,
            entry.start_at,
            entry.end_at,
            entry.location,
            entry.description,
        )

    def json(self) -> dict[str, Any]:
        return {
            "summary": self.summary,
            "start_at": self.start_at.isoformat(),
            "end_at": self.end_at.isoformat(),
            "location": self.location,
            "description": self.description,
        }
