"""Typed records of the LegalConnect API, parsed from its JSON (`/api/v1`, see its OpenAPI document).

Parsing is strict about what the app relies on (a missing id is a `ProtocolError`, not a silent
default) and tolerant of fields it does not know, so the provider can add fields freely.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any


class ProtocolError(ValueError):
    """The service answered with JSON the app cannot understand."""


class OrderStatus(enum.StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    UNDER_REVIEW = "under_review"
    ACCEPTED = "accepted"
    REJECTED = "rejected"
    PARTIALLY_ACCEPTED = "partially_accepted"
    CANCELLED = "cancelled"

    @property
    def label(self) -> str:
        return _STATUS_LABELS[self]

    @property
    def decided(self) -> bool:
        return self in (OrderStatus.ACCEPTED, OrderStatus.REJECTED, OrderStatus.PARTIALLY_ACCEPTED)


_STATUS_LABELS = {
    OrderStatus.DRAFT: "Draft",
    OrderStatus.SUBMITTED: "Submitted",
    OrderStatus.UNDER_REVIEW: "Under Review",
    OrderStatus.ACCEPTED: "Accepted",
    OrderStatus.REJECTED: "Rejected",
    OrderStatus.PARTIALLY_ACCEPTED: "Partially Accepted",
    OrderStatus.CANCELLED: "Cancelled",
}


def _req(raw: dict[str, Any], key: str) -> Any:
    try:
        return raw[key]
    except (KeyError, TypeError) as exc:
        raise ProtocolError(f"missing {key!r} in the service's answer") from exc


def _time(value: Any) -> dt.datetime | None:
    if value is None:
        return None
    try:
        return dt.datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError as exc:
        raise ProtocolError(f"not a timestamp: {value!r}") from exc


def _req_time(raw: dict[str, Any], key: str) -> dt.datetime:
    value = _time(_req(raw, key))
    if value is None:
        raise ProtocolError(f"{key!r} is empty in the service's answer")
    return value


@dataclass(frozen=True)
class Session:
    access_token: str
    expires_at: dt.datetime
    user_name: str
    user_email: str
    firm_name: str

    @classmethod
    def from_json(cls, raw: dict[str, Any]) -> Session:
        user, firm = _req(raw, "user"), _req(raw, "firm")
        return cls(
            str(_req(raw, "access_token")),
            _req_time(raw, "expires_at"),
            str(_req(user, "name")),
            str(_req(user, "email")),
            str(_req(firm, "name")),
        )


@dataclass(frozen=True)
class ClioIntegration:
    enabled: bool
    client_ids: dict[str, str]
    base_urls: dict[str, str]
    redirect_uri: str
    broker_token_url: str


@dataclass(frozen=True)
class Provider:
    name: str
    support_email: str
    support_phone: str
    clio: ClioIntegration

    @classmethod
    def from_json(cls, raw: dict[str, Any]) -> Provider:
        clio, support = _req(raw, "clio"), raw.get("support") or {}
        return cls(
            name=str(_req(raw, "name")),
            support_email=str(support.get("email", "")),
            support_phone=str(support.get("phone", "")),
            clio=ClioIntegration(
                enabled=bool(_req(clio, "enabled")),
                client_ids=dict(clio.get("client_ids") or {}),
                base_urls=dict(clio.get("base_urls") or {}),
                redirect_uri=str(clio.get("redirect_uri", "")),
                broker_token_url=str(clio.get("broker_token_url", "")),
            ),
        )


@dataclass(frozen=True)
class ClioLink:
    client_id: int
    matter_id: int
    matter_display_number: str


@dataclass(frozen=True)
class OrderDocument:
    id: int
    name: str
    filing_code: str
    filing_code_name: str
    role: str  # lead | attachment
    kind: str  # filing | word_copy
    size_bytes: int | None
    page_count: int | None
    review_result: str | None  # pending | accepted | rejected
    reject_reason: str | None
    sort_order: int = 0
    word_copy_of: int | None = None
    content_uploaded: bool = False
    sha256: str | None = None

    @classmethod
    def from_json(cls, raw: dict[str, Any]) -> OrderDocument:
        return cls(
            id=int(_req(raw, "id")),
            name=str(_req(raw, "name")),
            filing_code=str(raw.get("filing_code", "")),
            filing_code_name=str(raw.get("filing_code_name", "")),
            role=str(raw.get("role", "attachment")),
            kind=str(raw.get("kind", "filing")),
            size_bytes=raw.get("size_bytes"),
            page_count=raw.get("page_count"),
            review_result=raw.get("review_result"),
            reject_reason=raw.get("reject_reason"),
            sort_order=int(raw.get("sort_order") or 0),
            word_copy_of=raw.get("word_copy_of"),
            content_uploaded=bool(raw.get("content_uploaded", raw.get("size_bytes") is not None)),
            sha256=raw.get("sha256"),
        )


@dataclass(frozen=True)
class Order:
    id: int
    order_number: str | None
    status: OrderStatus
    closed: bool
    court_name: str
    case_title: str
    case_number: str
    clio: ClioLink | None
    documents: tuple[OrderDocument, ...]
    document_count: int
    deliverable_count: int
    created_at: dt.datetime
    updated_at: dt.datetime
    submitted_at: dt.datetime | None
    decided_at: dt.datetime | None
    raw: Mapping[str, Any] = field(default_factory=dict, compare=False, repr=False)
    """The service's JSON for this order, kept so the local cache can rebuild it offline."""

    @property
    def display_number(self) -> str:
        return self.order_number or "Draft"

    @property
    def client_key(self) -> str:
        """The Idempotency-Key the order was created with ("" when none was sent)."""
        return str(self.raw.get("client_key") or "")

    @property
    def new_case(self) -> bool:
        """Filed as a new case (whose number the court gives when it accepts it)."""
        return bool(self.raw.get("new_case", False))

    @property
    def hearing(self) -> Hearing | None:
        """The hearing the court set when it decided the order (None: none was set)."""
        return Hearing.from_json(self.raw.get("hearing"))

    @property
    def rejected_documents(self) -> tuple[OrderDocument, ...]:
        return tuple(d for d in self.documents if d.review_result == "rejected")

    @classmethod
    def from_json(cls, raw: dict[str, Any]) -> Order:
        try:
            status = OrderStatus(_req(raw, "status"))
        except ValueError as exc:
            raise ProtocolError(f"unknown order status {raw.get('status')!r}") from exc
        clio = raw.get("clio")
        return cls(
            id=int(_req(raw, "id")),
            order_number=raw.get("order_number"),
            status=status,
            closed=bool(raw.get("closed", False)),
            court_name=str(raw.get("court_name") or ""),
            case_title=str(raw.get("case_title") or ""),
            case_number=str(raw.get("case_number") or ""),
            clio=ClioLink(int(clio["client_id"]), int(clio["matter_id"]), str(clio["matter_display_number"]))
            if clio
            else None,
            documents=tuple(OrderDocument.from_json(d) for d in raw.get("documents") or ()),
            document_count=int(raw.get("document_count", len(raw.get("documents") or ()))),
            deliverable_count=int(raw.get("deliverable_count", 0)),
            created_at=_req_time(raw, "created_at"),
            updated_at=_req_time(raw, "updated_at"),
            submitted_at=_time(raw.get("submitted_at")),
            decided_at=_time(raw.get("decided_at")),
            raw=raw,
        )


class HearingUnreadable(ValueError):
    """The court's hearing date or time cannot be read as one moment."""


@dataclass(frozen=True)
class Hearing:
    """A hearing the court set on an order's return, kept as the clerk entered it: the date and
    time are read when they are used, so an unreadable one is refused in words, not dropped."""

    date: str
    time: str
    utc_offset: str
    department: str
    location: str
    motion: str

    @property
    def key(self) -> str:
        """What identifies this version of the hearing (a moved hearing has another key)."""
        return "|".join((self.date, self.time, self.utc_offset, self.department, self.location))

    def starts_at(self) -> dt.datetime:
        """The moment the hearing starts (the court's offset; the workstation's zone when the
        Service Provider sent none). Raises `HearingUnreadable` naming what it could not read."""
        try:
            day = dt.date.fromisoformat(self.date.strip())
        except ValueError:
            raise HearingUnreadable(f"the date “{self.date}” is not a date") from None
        try:
            clock = dt.time.fromisoformat(self.time.strip() or "00:00")
        except ValueError:
            raise HearingUnreadable(f"the time “{self.time}” is not a time of day") from None
        moment = dt.datetime.combine(day, clock)
        if not self.utc_offset:
            return moment.astimezone()
        try:
            offset = dt.datetime.strptime(self.utc_offset.strip(), "%z").utcoffset()
        except ValueError:
            raise HearingUnreadable(f"the court's time offset “{self.utc_offset}” is not one") from None
        assert offset is not None
        return moment.replace(tzinfo=dt.timezone(offset))

    @classmethod
    def from_json(cls, raw: Any) -> Hearing | None:
        if not isinstance(raw, dict):
            return None

        def text(key: str) -> str:
            value = raw.get(key)
            return "" if value is None else str(value)

        return cls(
            text("date"),
            text("time"),
            text("utc_offset"),
            text("department"),
            text("location"),
            text("motion"),
        )


@dataclass(frozen=True)
class ClioRecord:
    """What the Service Provider knows of an item's way into Clio (any workstation of the firm)."""

    status: str  # unfiled | claimed | filed
    clio_id: int | None = None

    @property
    def filed(self) -> bool:
        return self.status == "filed" and self.clio_id is not None

    @classmethod
    def from_json(cls, raw: Any) -> ClioRecord:
        if not isinstance(raw, dict):
            return cls("unfiled")
        clio_id = raw.get("clio_id")
        return cls(str(raw.get("status") or "unfiled"), clio_id if isinstance(clio_id, int) else None)


@dataclass(frozen=True)
class OrderFeeLine:
    """One itemised fee of a decided order, and whether it is in Clio as an expense yet."""

    id: int
    order_id: int
    code: str
    """court_filing_fee | efm_envelope_fee | card_convenience_fee | provider_service_fee | expert_review"""
    description: str
    amount_cents: int
    clio_expense_category: str
    """The expense category the Service Provider suggests, by name."""
    clio: ClioRecord = ClioRecord("unfiled")

    @classmethod
    def list_from_json(cls, order_id: int, raw: Any) -> list[OrderFeeLine]:
        records = raw.get("clio_expenses") or {}
        lines = []
        for line in raw["data"]:
            ident = int(line["id"])
            lines.append(
                cls(
                    id=ident,
                    order_id=order_id,
                    code=str(line["code"]),
                    description=str(line["description"]),
                    amount_cents=int(line["amount_cents"]),
                    clio_expense_category=str(line.get("clio_expense_category") or ""),
                    clio=ClioRecord.from_json(records.get(str(ident), records.get(ident))),
                )
            )
        return lines


@dataclass(frozen=True)
class Deliverable:
    id: int
    order_id: int
    order_number: str
    kind: str  # conformed_copy | receipt | notice | signed_order
    name: str
    content_type: str
    size_bytes: int
    sha256: str
    received_at: dt.datetime
    document_id: int | None = None
    """For a conformed copy: the filed document it stamps."""
    clio_filing: ClioRecord = ClioRecord("unfiled")

    @property
    def kind_label(self) -> str:
        return self.kind.replace("_", " ").capitalize()

    @classmethod
    def from_json(cls, raw: dict[str, Any]) -> Deliverable:
        document_id = raw.get("document_id")
        return cls(
            id=int(_req(raw, "id")),
            order_id=int(_req(raw, "order_id")),
            order_number=str(raw.get("order_number") or ""),
            kind=str(_req(raw, "kind")),
            name=str(_req(raw, "name")),
            content_type=str(raw.get("content_type", "application/pdf")),
            size_bytes=int(_req(raw, "size_bytes")),
            sha256=str(_req(raw, "sha256")),
            received_at=_req_time(raw, "received_at"),
            document_id=document_id if isinstance(document_id, int) else None,
            clio_filing=ClioRecord.from_json(raw.get("clio_filing")),
        )


@dataclass(frozen=True)
class Claim:
    """A lease on writing one deliverable (or fee line) into Clio, held by one workstation."""

    claim_id: str
    target: str  # deliverable | fee_line
    target_id: int
    order_id: int
    workstation_id: str
    status: str  # claimed | filed
    lease_expires_at: dt.datetime
    clio_id: int | None

    @classmethod
    def from_json(cls, raw: dict[str, Any]) -> Claim:
        clio_id = raw.get("clio_id")
        return cls(
            claim_id=str(_req(raw, "claim_id")),
            target=str(_req(raw, "target")),
            target_id=int(_req(raw, "target_id")),
            order_id=int(_req(raw, "order_id")),
            workstation_id=str(_req(raw, "workstation_id")),
            status=str(_req(raw, "status")),
            lease_expires_at=_req_time(raw, "lease_expires_at"),
            clio_id=clio_id if isinstance(clio_id, int) else None,
        )


@dataclass(frozen=True)
class OrderPage:
    orders: tuple[Order, ...]
    next_offset: int | None
    server_time: dt.datetime
