"""Reference data the Service Provider publishes: courts, case categories and types, document types.

The records are typed and frozen; `ReferenceCalls` is the part of `LegalConnectClient` that fetches
them. The lists change only when the provider edits its catalogue, so each is fetched once per
session and kept in memory (`forget_reference` drops them, e.g. after signing in as someone else).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from app.services.legalconnect.records import ProtocolError


def _req(raw: Any, key: str) -> Any:
    try:
        return raw[key]
    except (KeyError, TypeError) as exc:
        raise ProtocolError(f"missing {key!r} in the service's answer") from exc


@dataclass(frozen=True)
class Court:
    """A court the provider files into, with the limits the app checks before submitting."""

    id: str
    name: str
    county: str
    max_document_bytes: int
    max_order_bytes: int
    max_file_name_length: int
    max_document_title_length: int
    max_case_title_length: int
    word_copy_for_proposed_orders: bool

    @classmethod
    def from_json(cls, raw: Any) -> Court:
        return cls(
            id=str(_req(raw, "id")),
            name=str(_req(raw, "name")),
            county=str(raw.get("county", "")),
            max_document_bytes=int(_req(raw, "max_document_bytes")),
            max_order_bytes=int(_req(raw, "max_order_bytes")),
            max_file_name_length=int(_req(raw, "max_file_name_length")),
            max_document_title_length=int(raw.get("max_document_title_length", 250)),
            max_case_title_length=int(raw.get("max_case_title_length", 100)),
            word_copy_for_proposed_orders=bool(raw.get("word_copy_for_proposed_orders", False)),
        )


@dataclass(frozen=True)
class CaseType:
    id: str
    name: str


@dataclass(frozen=True)
class CaseCategory:
    """A case category and the case types that belong to it."""

    id: str
    name: str
    case_types: tuple[CaseType, ...]

    def case_type(self, type_id: str | None) -> CaseType | None:
        return next((t for t in self.case_types if t.id == type_id), None)

    @classmethod
    def from_json(cls, raw: Any) -> CaseCategory:
        types = tuple(CaseType(str(_req(t, "id")), str(_req(t, "name"))) for t in raw.get("case_types") or ())
        return cls(str(_req(raw, "id")), str(_req(raw, "name")), types)


@dataclass(frozen=True)
class DocumentType:
    """A filing code. `word_copy_required` is for the court the list was asked for."""

    code: str
    name: str
    court_fee_cents: int
    can_be_lead: bool
    lead_only: bool
    attachment_only: bool
    word_copy_required: bool
    proposed_order: bool = False

    @property
    def label(self) -> str:
        """How a picker shows it: name, code and the court fee when there is one."""
        fee = f" — ${self.court_fee_cents / 100:,.2f}" if self.court_fee_cents else ""
        return f"{self.name} ({self.code}){fee}"

    @classmethod
    def from_json(cls, raw: Any) -> DocumentType:
        return cls(
            code=str(_req(raw, "code")),
            name=str(_req(raw, "name")),
            court_fee_cents=int(raw.get("court_fee_cents", 0)),
            can_be_lead=bool(raw.get("can_be_lead", True)),
            lead_only=bool(raw.get("lead_only", False)),
            attachment_only=bool(raw.get("attachment_only", False)),
            word_copy_required=bool(raw.get("word_copy_required", False)),
            proposed_order=bool(raw.get("proposed_order", False)),
        )


def _data(parse: Callable[[Any], Any]) -> Callable[[Any], tuple[Any, ...]]:
    return lambda body: tuple(parse(item) for item in _req(body, "data"))


class ReferenceCalls:
    """Reference-data calls of `LegalConnectClient`, cached in memory for the session."""

    _reference_cache: dict[str, tuple[Any, ...]] | None = None

    async def _get(self, path: str, **kwargs: Any) -> Any:
        raise NotImplementedError  # provided by LegalConnectClient

    def _parse(self, parse: Callable[[Any], Any], raw: Any) -> Any:
        raise NotImplementedError  # provided by LegalConnectClient

    async def _cached(
        self, key: str, path: str, parse: Callable[[Any], Any], **kwargs: Any
    ) -> tuple[Any, ...]:
        if self._reference_cache is None:
            self._reference_cache = {}
        if key not in self._reference_cache:
            raw = await self._get(path, **kwargs)
            self._reference_cache[key] = self._parse(_data(parse), raw)
        return self._reference_cache[key]

    def forget_reference(self) -> None:
        """Drop the cached reference data (the next call fetches it again)."""
        self._reference_cache = None

    async def courts(self) -> tuple[Court, ...]:
        """The courts this provider files into (cached)."""
        return await self._cached("courts", "reference/courts", Court.from_json)

    async def case_categories(self) -> tuple[CaseCategory, ...]:
        """Case categories with their case types (cached)."""
        return await self._cached("categories", "reference/case-categories", CaseCategory.from_json)

    async def document_types(self, court_id: str) -> tuple[DocumentType, ...]:
        """The filing codes, with `word_copy_required` answered for `court_id` (cached per court)."""
        return await self._cached(
            f"types:{court_id}",
            "reference/document-types",
            DocumentType.from_json,
            params={"court_id": court_id},
        )
