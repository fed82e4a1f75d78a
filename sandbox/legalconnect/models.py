"""Pydantic models of every request and response body of the LegalConnect API (`/api/v1`).

Money is in integer cents (`amount_cents`, currency USD). Times are ISO 8601 in UTC. Request models
forbid unknown fields, so a misspelt field is a 422 rather than silently ignored.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field


class Request(BaseModel):
    model_config = ConfigDict(extra="forbid")


# ---- session and provider -------------------------------------------------------------------------


class SignIn(Request):
    email: Annotated[str, Field(min_length=3, max_length=254)]
    password: Annotated[str, Field(min_length=1, max_length=200)]


class UserOut(BaseModel):
    id: int
    name: str
    email: str


class FirmOut(BaseModel):
    id: int
    name: str


class SessionOut(BaseModel):
    """A bearer token for `Authorization: Bearer <access_token>` on every other call."""

    access_token: str | None = Field(description="Only in the answer to sign-in.")
    token_type: str = "Bearer"
    expires_at: datetime
    expires_in: int = Field(description="Seconds until the token expires.")
    user: UserOut
    firm: FirmOut


class SupportContact(BaseModel):
    email: str
    phone: str
    hours: str


class ClioRegion(StrEnum):
    US = "US"
    CA = "CA"
    EU = "EU"
    AU = "AU"


class ClioIntegration(BaseModel):
    enabled: bool = Field(description="False when the provider has switched the Clio integration off.")
    client_ids: dict[ClioRegion, str] = Field(description="The provider's Clio app id per Clio region.")
    base_urls: dict[ClioRegion, str] = Field(description="Clio's origin per region (OAuth pages and API).")
    redirect_uri: str = Field(description="The redirect URI registered with Clio for the desktop app.")
    broker_token_url: str = Field(description="The token broker: a standard OAuth 2 token endpoint.")


class ProviderOut(BaseModel):
    """The Service Provider running this LegalConnect portal."""

    name: str
    slug: str
    support: SupportContact
    clio: ClioIntegration


# ---- reference data -------------------------------------------------------------------------------


class CourtOut(BaseModel):
    id: str
    name: str
    county: str
    efm: str = Field(description="The court's e-filing manager group (name-length rules follow it).")
    max_document_bytes: int
    max_order_bytes: int
    max_file_name_length: int
    max_document_title_length: int
    max_case_title_length: int
    word_copy_for_proposed_orders: bool


class CaseTypeOut(BaseModel):
    id: str
    name: str


class CaseCategoryOut(BaseModel):
    id: str
    name: str
    case_types: list[CaseTypeOut]


class DocumentTypeOut(BaseModel):
    code: str = Field(description="The filing code sent with each document.")
    name: str
    court_fee_cents: int
    can_be_lead: bool
    lead_only: bool
    attachment_only: bool
    proposed_order: bool
    word_copy_required: bool = Field(
        description="With `court_id`: this court wants an editable Word copy beside the PDF."
    )
    word_copy_required_courts: list[str]


class CourtList(BaseModel):
    data: list[CourtOut]


class CaseCategoryList(BaseModel):
    data: list[CaseCategoryOut]


class DocumentTypeList(BaseModel):
    data: list[DocumentTypeOut]


# ---- orders ---------------------------------------------------------------------------------------


class OrderStatus(StrEnum):
    draft = "draft"
    submitted = "submitted"
    under_review = "under_review"
    accepted = "accepted"
    rejected = "rejected"
    partially_accepted = "partially_accepted"
    cancelled = "cancelled"


class Party(BaseModel):
    model_config = ConfigDict(extra="forbid")
    role: Annotated[str, Field(min_length=1, max_length=40, examples=["plaintiff", "defendant"])]
    kind: Annotated[str, Field(pattern="^(person|organization)$")] = "person"
    name: Annotated[str, Field(min_length=1, max_length=255)]
    is_client: bool = False


class ClioLink(BaseModel):
    """Where returned documents and fee expenses go in Clio."""

    model_config = ConfigDict(extra="forbid")
    client_id: Annotated[int, Field(gt=0)]
    matter_id: Annotated[int, Field(gt=0)]
    matter_display_number: Annotated[str, Field(min_length=1, max_length=100)]


class OrderWrite(Request):
    """Fields of a draft. All optional; `PATCH` changes only the fields sent (null clears)."""

    court_id: str | None = None
    case_category_id: str | None = None
    case_type_id: str | None = None
    new_case: bool | None = None
    case_number: Annotated[str, Field(max_length=40)] | None = None
    case_title: Annotated[str, Field(max_length=100)] | None = None
    parties: Annotated[list[Party], Field(max_length=50)] | None = None
    clio: ClioLink | None = None
    expert_review: bool | None = None
    notify_emails: Annotated[list[Annotated[str, Field(max_length=254)]], Field(max_length=20)] | None = None


class DocumentKind(StrEnum):
    filing = "filing"
    word_copy = "word_copy"


class DocumentRole(StrEnum):
    lead = "lead"
    attachment = "attachment"


class ReviewResult(StrEnum):
    pending = "pending"
    accepted = "accepted"
    rejected = "rejected"


class DocumentOut(BaseModel):
    id: int
    order_id: int
    kind: DocumentKind
    word_copy_of: int | None = Field(description="For a Word copy: the PDF document it belongs to.")
    name: str
    filing_code: str
    filing_code_name: str
    role: DocumentRole
    sort_order: int
    content_uploaded: bool
    size_bytes: int | None
    page_count: int | None
    sha256: str | None
    content_type: str | None
    uploaded_at: datetime | None
    review_result: ReviewResult | None = Field(description="null until submitted.")
    reject_reason: str | None


class DocumentCreate(Request):
    name: Annotated[str, Field(min_length=1, max_length=255)]
    filing_code: Annotated[str, Field(min_length=1, max_length=20)]
    role: DocumentRole = DocumentRole.attachment
    kind: DocumentKind = DocumentKind.filing
    word_copy_of: int | None = None
    sort_order: int | None = Field(default=None, ge=0, le=10_000)


class DocumentPatch(Request):
    name: Annotated[str, Field(min_length=1, max_length=255)] | None = None
    filing_code: Annotated[str, Field(min_length=1, max_length=20)] | None = None
    role: DocumentRole | None = None
    sort_order: int | None = Field(default=None, ge=0, le=10_000)


class DocumentReorder(Request):
    document_ids: Annotated[list[int], Field(min_length=1, max_length=500)]


class FeeLineOut(BaseModel):
    id: int | None = Field(description="null in a quote; stable once the order is decided.")
    code: str = Field(
        description="court_filing_fee | efm_envelope_fee | card_convenience_fee | provider_service_fee"
        " | expert_review"
    )
    description: str
    amount_cents: int
    document_id: int | None
    filing_code: str | None
    clio_expense_category: str = Field(description="Suggested Clio expense category name.")


class FeeQuote(BaseModel):
    order_id: int
    currency: str = "USD"
    lines: list[FeeLineOut]
    total_cents: int
    note: str


class HearingOut(BaseModel):
    """A hearing the court set on the order's return (also printed on the motion's conformed copy)."""

    date: str = Field(description="The hearing's day as the clerk entered it, normally YYYY-MM-DD.")
    time: str = Field(description="Local time at the court, HH:MM (24-hour).")
    utc_offset: str | None = Field(description="The court's UTC offset on that day, e.g. -08:00.")
    department: str = Field(description="The courtroom, e.g. Dept. 34.")
    location: str = Field(description="The court.")
    motion: str = Field(description="What is heard: the accepted motion's document type.")


class OrderOut(BaseModel):
    id: int
    order_number: str | None = Field(description="7 digits, assigned at submit.")
    status: OrderStatus
    closed: bool
    auto_closed: bool
    closed_at: datetime | None
    court_id: str | None
    court_name: str | None
    case_category_id: str | None
    case_type_id: str | None
    new_case: bool
    case_number: str | None
    case_title: str | None
    parties: list[Party]
    clio: ClioLink | None
    expert_review: bool
    notify_emails: list[str]
    documents: list[DocumentOut]
    document_count: int
    fee_lines: list[FeeLineOut]
    deliverable_count: int
    created_by: UserOut
    client_key: str | None = Field(
        None, description="The `Idempotency-Key` the order was created with (null: none was sent)."
    )
    created_at: datetime
    updated_at: datetime
    submitted_at: datetime | None
    decided_at: datetime | None
    hearing: HearingOut | None = Field(
        None, description="The hearing the court set when it decided the order (null: none)."
    )


class Paging(BaseModel):
    limit: int
    offset: int
    total: int
    next_offset: int | None


class OrderList(BaseModel):
    data: list[OrderOut]
    paging: Paging
    server_time: datetime = Field(description="Use as the next `updated_since` (avoids clock skew).")


class SubmitRequest(Request):
    authorize_payment: bool = Field(description="Authorize the provider to pay the court fees; must be true.")


# ---- deliverables and Clio filing records ---------------------------------------------------------


class DeliverableKind(StrEnum):
    conformed_copy = "conformed_copy"
    receipt = "receipt"
    notice = "notice"
    signed_order = "signed_order"


class ClioRecordState(BaseModel):
    status: str = Field(description="unfiled | claimed | filed")
    clio_id: int | None
    filed_at: datetime | None


class DeliverableOut(BaseModel):
    id: int
    order_id: int
    order_number: str
    kind: DeliverableKind
    name: str
    content_type: str
    size_bytes: int
    page_count: int
    sha256: str
    document_id: int | None = Field(description="For a conformed copy: the filed document it stamps.")
    received_at: datetime
    clio_filing: ClioRecordState


class DeliverableList(BaseModel):
    data: list[DeliverableOut]


class FeeLineList(BaseModel):
    data: list[FeeLineOut]
    clio_expenses: dict[int, ClioRecordState] = Field(description="Fee line id -> its Clio expense record.")


class ClaimRequest(Request):
    workstation_id: Annotated[str, Field(min_length=1, max_length=100)]
    lease_seconds: int = Field(default=300, ge=10, le=3600)


class ClaimOut(BaseModel):
    """A lease on filing one deliverable (or posting one fee line) into Clio."""

    claim_id: str
    target: str = Field(description="deliverable | fee_line")
    target_id: int
    order_id: int
    workstation_id: str
    status: str = Field(description="claimed | filed")
    lease_expires_at: datetime
    clio_id: int | None
    filed_at: datetime | None


class AcknowledgeRequest(Request):
    clio_id: int = Field(gt=0, description="The Clio document id (or activity id for a fee line).")
