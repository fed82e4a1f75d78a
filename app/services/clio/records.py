"""Typed records for what the app reads from Clio, built from `{"data": ...}` JSON.

Each `from_json` reads only the fields its call asked for (see the `*_FIELDS` constants in
`api.py`); a missing or malformed required field raises `ProtocolError`, never a bare KeyError.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal


class ProtocolError(ValueError):
    """Clio's answer does not have the shape the client asked for."""


def _obj(raw: Any, what: str) -> dict[str, Any]:
    if not isinstance(raw, dict):
        raise ProtocolError(f"{what}: expected an object, got {type(raw).__name__}")
    return raw


def _id(raw: dict[str, Any], key: str = "id") -> int:
    value = raw.get(key)
    if isinstance(value, bool) or not isinstance(value, int):
        raise ProtocolError(f"{key}: expected an integer id, got {value!r}")
    return value


def _opt_id(raw: Any) -> int | None:
    """The id of a nested `{id, ...}` object, or None when it is absent or null."""
    if not isinstance(raw, dict):
        return None
    value = raw.get("id")
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _str(raw: dict[str, Any], key: str, default: str = "") -> str:
    value = raw.get(key)
    return default if value is None else str(value)


def external_properties_of(raw: dict[str, Any]) -> dict[str, str]:
    """A record's `external_properties` as answered (name → value; unnamed ones left out)."""
    props = raw.get("external_properties") or []
    return {_str(p, "name"): _str(p, "value") for p in props if isinstance(p, dict) and p.get("name")}


def external_properties_json(values: Mapping[str, str]) -> list[dict[str, str]]:
    """`external_properties` as a create or update request writes them."""
    return [{"name": name, "value": value} for name, value in values.items()]


def _opt_str(raw: Any, key: str) -> str | None:
    if not isinstance(raw, dict) or raw.get(key) is None:
        return None
    return str(raw[key])


def _int(raw: dict[str, Any], key: str, default: int = 0) -> int:
    value = raw.get(key)
    return value if isinstance(value, int) and not isinstance(value, bool) else default


def _float(raw: dict[str, Any], key: str, default: float = 0.0) -> float:
    value = raw.get(key)
    if isinstance(value, bool) or not isinstance(value, int | float):
        return default
    return float(value)


@dataclass(frozen=True)
class ClioUser:
    """The signed-in Clio user and their firm (account)."""

    id: int
    name: str
    email: str
    account_id: int | None
    account_name: str

    @classmethod
    def from_json(cls, raw: Any) -> ClioUser:
        raw = _obj(raw, "user")
        account = raw.get("account") or {}
        return cls(
            _id(raw), _str(raw, "name"), _str(raw, "email"), _opt_id(account), _opt_str(account, "name") or ""
        )


@dataclass(frozen=True)
class Contact:
    """A person or company; clients are contacts with `is_client`."""

    id: int
    name: str
    type: str
    is_client: bool

    @classmethod
    def from_json(cls, raw: Any) -> Contact:
        raw = _obj(raw, "contact")
        return cls(_id(raw), _str(raw, "name"), _str(raw, "type"), bool(raw.get("is_client")))


@dataclass(frozen=True)
class Matter:
    """A matter; `folder_id` is its document folder (the top of its tree)."""

    id: int
    display_number: str
    description: str
    status: str
    client_id: int | None
    client_name: str
    folder_id: int | None

    @classmethod
    def from_json(cls, raw: Any) -> Matter:
        raw = _obj(raw, "matter")
        client = raw.get("client")
        return cls(
            id=_id(raw),
            display_number=_str(raw, "display_number"),
            description=_str(raw, "description"),
            status=_str(raw, "status"),
            client_id=_opt_id(client),
            client_name=_opt_str(client, "name") or "",
            folder_id=_opt_id(raw.get("folder")),
        )


@dataclass(frozen=True)
class Folder:
    """A document folder (`external_properties` only when asked for)."""

    id: int
    name: str
    parent_id: int | None
    root: bool = False
    external_properties: dict[str, str] = field(default_factory=dict)

    @classmethod
    def from_json(cls, raw: Any) -> Folder:
        raw = _obj(raw, "folder")
        return cls(
            _id(raw),
            _str(raw, "name"),
            _opt_id(raw.get("parent")),
            bool(raw.get("root")),
            external_properties_of(raw),
        )


ItemType = Literal["Folder", "Document"]


@dataclass(frozen=True)
class Item:
    """One row of a folder listing: a sub-folder or a document."""

    type: ItemType
    id: int
    name: str
    size: int
    content_type: str
    updated_at: str
    parent_id: int | None

    @property
    def is_folder(self) -> bool:
        return self.type == "Folder"

    @classmethod
    def from_json(cls, raw: Any) -> Item:
        raw = _obj(raw, "item")
        kind = raw.get("type")
        if kind not in ("Folder", "Document"):
            raise ProtocolError(f"item type: expected Folder or Document, got {kind!r}")
        version = raw.get("latest_document_version")
        version = version if isinstance(version, dict) else {}
        return cls(
            type=kind,
            id=_id(raw),
            name=_str(raw, "name"),
            size=_int(version, "size"),
            content_type=_str(version, "content_type"),
            updated_at=_str(raw, "updated_at"),
            parent_id=_opt_id(raw.get("parent")),
        )


@dataclass(frozen=True)
class SearchHit:
    """A document found by a search, with the folder and matter it sits in (when Clio said)."""

    item: Item
    folder_id: int | None
    folder_name: str
    matter_id: int | None
    matter_display_number: str

    @classmethod
    def from_json(cls, raw: Any) -> SearchHit:
        raw = _obj(raw, "document")
        folder, matter = raw.get("parent"), raw.get("matter")
        return cls(
            item=Item.from_json({**raw, "type": "Document"}),
            folder_id=_opt_id(folder),
            folder_name=_opt_str(folder, "name") or "",
            matter_id=_opt_id(matter),
            matter_display_number=_opt_str(matter, "display_number") or "",
        )


@dataclass(frozen=True)
class Document:
    """A document with its latest (fully uploaded) version and its external properties."""

    id: int
    name: str
    parent_id: int | None
    matter_id: int | None
    version_uuid: str
    size: int
    content_type: str
    fully_uploaded: bool
    updated_at: str
    external_properties: dict[str, str]
    deleted_at: str = ""
    """When the user put it in Clio's trash ("" when not deleted, or not asked for)."""

    @property
    def deleted(self) -> bool:
        return bool(self.deleted_at)

    @classmethod
    def from_json(cls, raw: Any) -> Document:
        raw = _obj(raw, "document")
        version = raw.get("latest_document_version")
        version = version if isinstance(version, dict) else {}
        return cls(
            id=_id(raw),
            name=_str(raw, "name"),
            parent_id=_opt_id(raw.get("parent")),
            matter_id=_opt_id(raw.get("matter")),
            version_uuid=_str(version, "uuid"),
            size=_int(version, "size", _int(raw, "size")),
            content_type=_str(version, "content_type", _str(raw, "content_type")),
            fully_uploaded=bool(version.get("fully_uploaded", True)),
            updated_at=_str(raw, "updated_at"),
            external_properties=external_properties_of(raw),
            deleted_at=_str(raw, "deleted_at"),
        )


@dataclass(frozen=True)
class Bill:
    """The bill an activity is on (its `state` says whether it may still change)."""

    id: int
    state: str
    number: str

    @classmethod
    def from_json(cls, raw: Any) -> Bill | None:
        if not isinstance(raw, dict) or _opt_id(raw) is None:
            return None
        return cls(_id(raw), _str(raw, "state"), _str(raw, "number"))


@dataclass(frozen=True)
class Activity:
    """A time or expense entry; the app records court fees as ExpenseEntry activities."""

    id: int
    type: str
    date: str
    quantity: float
    price: float
    total: float
    note: str
    matter_id: int | None
    matter_display_number: str
    expense_category_id: int | None
    expense_category_name: str
    billed: bool
    bill: Bill | None
    etag: str

    @classmethod
    def from_json(cls, raw: Any) -> Activity:
        raw = _obj(raw, "activity")
        matter, category = raw.get("matter"), raw.get("expense_category")
        return cls(
            id=_id(raw),
            type=_str(raw, "type"),
            date=_str(raw, "date"),
            quantity=_float(raw, "quantity"),
            price=_float(raw, "price"),
            total=_float(raw, "total"),
            note=_str(raw, "note"),
            matter_id=_opt_id(matter),
            matter_display_number=_opt_str(matter, "display_number") or "",
            expense_category_id=_opt_id(category),
            expense_category_name=_opt_str(category, "name") or "",
            billed=bool(raw.get("billed")),
            bill=Bill.from_json(raw.get("bill")),
            etag=_str(raw, "etag"),
        )


@dataclass(frozen=True)
class ExpenseCategory:
    """An expense category (court filing fee, e-filing fee, ...)."""

    id: int
    name: str
    rate: float
    entry_type: str

    @classmethod
    def from_json(cls, raw: Any) -> ExpenseCategory:
        raw = _obj(raw, "expense category")
        return cls(_id(raw), _str(raw, "name"), _float(raw, "rate"), _str(raw, "entry_type"))
