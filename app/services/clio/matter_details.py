"""What an order is pre-filled from: a matter's custom field values, its client and related contacts;
the firm's matter custom fields (Settings chooses the case-number and court fields among them); and
writing the court's case number back into the matter.

Clio's matters have no case-number, court or party fields of their own: firms keep those in matter
custom fields and related contacts (relationship descriptions are free text).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from app.services.clio.base import ClioBase
from app.services.clio.ratelimit import Priority
from app.services.clio.records import ProtocolError, _id, _obj, _opt_id, _str

CUSTOM_FIELD_FIELDS = "id,name,field_type"
MATTER_DETAIL_FIELDS = (
    "id,etag,display_number,description,client{id,name,type},practice_area{name},"
    "custom_field_values{id,field_type,value,custom_field}"
)
RELATED_CONTACT_FIELDS = "id,name,type,is_matter_client,relationship{description}"


@dataclass(frozen=True)
class CustomField:
    """One of the firm's matter custom fields."""

    id: int
    name: str
    field_type: str

    @classmethod
    def from_json(cls, raw: Any) -> CustomField:
        raw = _obj(raw, "custom field")
        return cls(_id(raw), _str(raw, "name"), _str(raw, "field_type"))


@dataclass(frozen=True)
class CustomFieldValue:
    """A matter's value of one custom field; `id` is Clio's composite `<field_type>-<n>` string."""

    id: str
    field_id: int | None
    field_type: str
    value: str

    @property
    def number(self) -> int | None:
        """The numeric part of the id (what a PATCH names the value by, as the spec types it)."""
        tail = self.id.rsplit("-", 1)[-1]
        return int(tail) if tail.isdigit() else None

    @classmethod
    def from_json(cls, raw: Any) -> CustomFieldValue:
        raw = _obj(raw, "custom field value")
        if raw.get("id") is None:
            raise ProtocolError("custom field value without an id")
        return cls(
            str(raw["id"]), _opt_id(raw.get("custom_field")), _str(raw, "field_type"), _str(raw, "value")
        )


@dataclass(frozen=True)
class RelatedContact:
    """A contact related to a matter, with Clio's free-text description of the relationship."""

    contact_id: int
    name: str
    type: str
    description: str
    is_matter_client: bool

    @classmethod
    def from_json(cls, raw: Any) -> RelatedContact:
        raw = _obj(raw, "related contact")
        relationship = raw.get("relationship") if isinstance(raw.get("relationship"), dict) else {}
        return cls(
            _id(raw),
            _str(raw, "name"),
            _str(raw, "type", "Person"),
            _str(relationship or {}, "description"),
            raw.get("is_matter_client") is True,
        )


@dataclass(frozen=True)
class MatterDetails:
    """A matter as the pre-fill reads it."""

    id: int
    etag: str
    display_number: str
    description: str
    client_id: int | None
    client_name: str
    client_type: str
    practice_area: str
    values: tuple[CustomFieldValue, ...]
    related: tuple[RelatedContact, ...] = ()

    def value_of(self, field_id: int) -> CustomFieldValue | None:
        return next((v for v in self.values if v.field_id == field_id), None)

    @classmethod
    def from_json(cls, raw: Any) -> MatterDetails:
        raw = _obj(raw, "matter")
        client = raw.get("client") if isinstance(raw.get("client"), dict) else None
        area = raw.get("practice_area") if isinstance(raw.get("practice_area"), dict) else None
        values = raw.get("custom_field_values") or []
        if not isinstance(values, list):
            raise ProtocolError("custom_field_values: expected a list")
        return cls(
            id=_id(raw),
            etag=_str(raw, "etag"),
            display_number=_str(raw, "display_number"),
            description=_str(raw, "description"),
            client_id=_opt_id(client),
            client_name=_str(client or {}, "name"),
            client_type=_str(client or {}, "type", "Person"),
            practice_area=_str(area or {}, "name"),
            values=tuple(CustomFieldValue.from_json(v) for v in values),
        )


class MatterDetailCalls(ClioBase):
    """The calls behind pre-filling an order from a matter (part of `ClioClient`)."""

    async def matter_custom_fields(self, priority: Priority = "interactive") -> list[CustomField]:
        """Every custom field the firm has for matters."""
        return await self._all(
            "custom_fields.json",
            {"parent_type": "matter"},
            CUSTOM_FIELD_FIELDS,
            CustomField.from_json,
            priority,
        )

    async def matter_details(self, matter_id: int, priority: Priority = "interactive") -> MatterDetails:
        """A matter's description, client, practice area and custom field values, with its related
        contacts (every page)."""
        details = await self.data(
            "GET",
            f"matters/{matter_id}.json",
            MatterDetails.from_json,
            params={"fields": MATTER_DETAIL_FIELDS},
            priority=priority,
        )
        related = await self._all(
            f"matters/{matter_id}/related_contacts.json",
            {},
            RELATED_CONTACT_FIELDS,
            RelatedContact.from_json,
            priority,
        )
        return MatterDetails(**{**details.__dict__, "related": tuple(related)})

    async def set_matter_custom_field(
        self, matter_id: int, field_id: int, value: str, existing: CustomFieldValue | None = None
    ) -> MatterDetails:
        """Write `value` into the matter's `field_id` field: a new value, or the `existing` one
        changed. Answers the matter as it is now (without related contacts)."""
        entry: dict[str, Any]
        if existing is not None and existing.number is not None:
            entry = {"id": existing.number, "value": value}
        else:
            entry = {"custom_field": {"id": field_id}, "value": value}
        return await self.data(
            "PATCH",
            f"matters/{matter_id}.json",
            MatterDetails.from_json,
            params={"fields": MATTER_DETAIL_FIELDS},
            json={"data": {"custom_field_values": [entry]}},
        )


TEXT_FIELD_TYPES = ("text_line", "text_area")
"""Custom field types that can hold a case number or a court's name."""
_HOLDS = {
    "checkbox": "only yes or no",
    "contact": "a link to a contact",
    "currency": "an amount of money",
    "date": "a date",
    "time": "a time of day",
    "email": "an email address",
    "matter": "a link to a matter",
    "numeric": "a number only",
    "picklist": "one of a fixed list of options",
    "url": "a web address",
}


def field_refusal(field: CustomField, holds: str) -> str | None:
    """Why `field` cannot hold `holds` ("a case number", "the court"), or None when it can."""
    if field.field_type in TEXT_FIELD_TYPES:
        return None
    kind = field.field_type.replace("_", " ")
    what = _HOLDS.get(field.field_type, f"{kind} values")
    return f"“{field.name}” is a {kind} field: it holds {what}, not {holds}. Choose a text field."


async def write_case_number(client: MatterDetailCalls, matter_id: int, field_id: int, number: str) -> str:
    """Put the court's case number into the matter's case-number field (a new value, or the one
    there changed); says what was done."""
    matter = await client.data(
        "GET", f"matters/{matter_id}.json", MatterDetails.from_json, params={"fields": MATTER_DETAIL_FIELDS}
    )
    existing = matter.value_of(field_id)
    where = matter.display_number or f"matter {matter_id}"
    if existing is not None and existing.value.strip() == number:
        return f"Clio › {where} already has case number {number}."
    await client.set_matter_custom_field(matter_id, field_id, number, existing)
    if existing is not None and existing.value.strip():
        return f"Case number {number} written into Clio › {where} (it was {existing.value.strip()})."
    return f"Case number {number} written into Clio › {where}."
