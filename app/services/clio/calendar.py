"""Clio's calendar: the calendars a user may write to, and calendar entries found by key, created,
moved and removed. Mixed into `ClioClient`; every call names its `fields`.

Entries carry `external_properties`, which is how the app finds the entry it made for a hearing
again (`find_calendar_entries`). The records are in `calendar_records.py`.
"""

from __future__ import annotations

from typing import Any

from app.services.clio.base import ClioBase
from app.services.clio.calendar_records import Calendar, CalendarEntry, EntryFields
from app.services.clio.ratelimit import Priority
from app.services.clio.records import ProtocolError, external_properties_json

CALENDAR_FIELDS = "id,name,type,permission"
ENTRY_FIELDS = (
    "id,etag,summary,description,location,start_at,end_at,calendar_owner_id,matter{id},"
    "external_properties{name,value}"
)
WRITABLE_PERMISSIONS = ("owner", "editor")


class CalendarCalls(ClioBase):
    """The calendar part of the Clio client (see the module docstring)."""

    async def calendars(self, priority: Priority = "interactive") -> list[Calendar]:
        """The calendars the signed-in user may write to (their own first)."""
        found = await self._all(
            "calendars.json", {"writeable": "true"}, CALENDAR_FIELDS, Calendar.from_json, priority
        )
        writable = [c for c in found if c.permission in WRITABLE_PERMISSIONS or not c.permission]
        return sorted(
            writable, key=lambda c: (c.permission != "owner", c.type != "UserCalendar", c.name.lower())
        )

    async def default_calendar_id(self, priority: Priority = "interactive") -> int:
        """The signed-in user's own calendar (where Clio puts what they add)."""

        def parse(raw: Any) -> int:
            value = raw.get("default_calendar_id") if isinstance(raw, dict) else None
            if isinstance(value, bool) or not isinstance(value, int):
                raise ProtocolError(f"default_calendar_id: expected an integer, got {value!r}")
            return value

        return await self.data(
            "GET",
            "users/who_am_i.json",
            parse,
            params={"fields": "id,default_calendar_id"},
            priority=priority,
        )

    async def find_calendar_entries(
        self, matter_id: int, name: str, value: str, priority: Priority = "interactive"
    ) -> list[CalendarEntry]:
        """The matter's calendar entries carrying external property `name` = `value` exactly, oldest
        (lowest id) first."""
        params = {"matter_id": matter_id, "external_property_name": name, "external_property_value": value}
        found = await self._all(
            "calendar_entries.json", params, ENTRY_FIELDS, CalendarEntry.from_json, priority
        )
        exact = [e for e in found if e.external_properties.get(name) == value]
        return sorted(exact, key=lambda e: int(e.id))

    async def create_calendar_entry(
        self,
        calendar_id: int,
        matter_id: int,
        fields: EntryFields,
        external_properties: dict[str, str],
        priority: Priority = "interactive",
    ) -> CalendarEntry:
        """A new entry on `calendar_id` for the matter, without emailing attendees. Never retried:
        a repeat could add it twice (look it up by its external property first)."""
        data: dict[str, Any] = {
            **fields.json(),
            "calendar_owner": {"id": calendar_id},
            "matter": {"id": matter_id},
            "external_properties": external_properties_json(external_properties),
            "send_email_notification": False,
        }
        return await self.data(
            "POST",
            "calendar_entries.json",
            CalendarEntry.from_json,
            params={"fields": ENTRY_FIELDS},
            json={"data": data},
            priority=priority,
        )

    async def update_calendar_entry(
        self, entry: CalendarEntry, fields: EntryFields, priority: Priority = "interactive"
    ) -> CalendarEntry:
        """Move or reword an entry; guarded by its etag (someone's edit since → Conflict)."""
        headers = {"If-Match": entry.etag} if entry.etag else None
        return await self.data(
            "PATCH",
            f"calendar_entries/{entry.id}.json",
            CalendarEntry.from_json,
            params={"fields": ENTRY_FIELDS},
            json={"data": {**fields.json(), "send_email_notification": False}},
            headers=headers,
            priority=priority,
        )

    async def delete_calendar_entry(self, entry_id: str, priority: Priority = "interactive") -> None:
        """Remove an entry (a second copy of one the app made)."""
        await self.send("DELETE", f"calendar_entries/{entry_id}.json", priority=priority)
