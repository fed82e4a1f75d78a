"""What each wizard step requires, as per-field messages a page can show beside the field.

Rules are deliberately modest: those the court or the Service Provider would refuse anyway (and
that the reference data lets the app check early), so the user hears about them before paying.

Case — a court; a case category and a case type of that category; for an existing case its number
(≤ 40 characters); a case title within the court's limit.
Parties — a new case needs the party who brings it (a civil case's plaintiff, a family law or
probate case's petitioner: `party_roles`); every party needs a role of its kind of case and a name
(≤ 255 characters) and is a person or an organization.
Documents — at least one; none in error; exactly one lead; each has a document type of the court's
list whose lead-only / attachment-only rule matches its role; a Word copy where the court wants one
(proposed orders in Los Angeles and Orange); each file and the whole order within the court's sizes.
Leaving the Documents step is allowed while files are still being prepared or uploaded; the Review
step needs every document uploaded.
Fees — the Service Provider must be authorised to pay the court fees.

Message keys: the draft field (`court_id`, `case_title`, …), `parties` or `parties.<index>.<field>`
for parties, `documents` for the list as a whole and `documents.<local_id>` for one row.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from app.services.legalconnect.reference import CaseCategory, Court, DocumentType
from app.services.wizard.draft import DocumentStatus, OrderDraft, Role

Problems = dict[str, str]
"""Field key → what to do about it. Empty: nothing to fix."""

CASE_NUMBER_MAX = 40
PARTY_NAME_MAX = 255
PARTY_KINDS = ("person", "organization")


@dataclass(frozen=True)
class PartyRoles:
    """The parties' roles a kind of case has, and the role that brings a new case."""

    roles: tuple[str, ...]
    brings: str


CIVIL_ROLES = PartyRoles(
    ("plaintiff", "defendant", "cross-complainant", "cross-defendant", "real party in interest"), "plaintiff"
)
PETITION_ROLES = PartyRoles(("petitioner", "respondent", "claimant", "real party in interest"), "petitioner")
ANY_ROLES = PartyRoles(
    (
        "plaintiff",
        "petitioner",
        "defendant",
        "respondent",
        "cross-complainant",
        "cross-defendant",
        "claimant",
        "real party in interest",
    ),
    "",
)


def party_roles(case_category_id: str | None) -> PartyRoles:
    """California's party roles by case category: civil cases are brought by a plaintiff against
    defendants; family law and probate cases by a petition (petitioner, respondent). An unknown
    category allows every role."""
    category = (case_category_id or "").lower()
    if category.startswith("civil"):
        return CIVIL_ROLES
    if category.startswith(("family", "probate")):
        return PETITION_ROLES
    return ANY_ROLES


class ReferenceSource(Protocol):
    """Where reference data comes from (`LegalConnectClient`)."""

    async def courts(self) -> tuple[Court, ...]: ...

    async def case_categories(self) -> tuple[CaseCategory, ...]: ...

    async def document_types(self, court_id: str) -> tuple[DocumentType, ...]: ...


@dataclass
class Catalog:
    """The reference data the rules need, loaded once so validation can run synchronously."""

    courts: tuple[Court, ...]
    categories: tuple[CaseCategory, ...]
    document_types: dict[str, tuple[DocumentType, ...]] = field(default_factory=dict)
    """By court id; filled by `load_court` when a court is chosen."""

    @classmethod
    async def load(cls, source: ReferenceSource, court_ids: Iterable[str] = ()) -> Catalog:
        """Courts and case categories, plus the document types of `court_ids`."""
        catalog = cls(await source.courts(), await source.case_categories())
        for court_id in court_ids:
            await catalog.load_court(source, court_id)
        return catalog

    async def load_court(self, source: ReferenceSource, court_id: str) -> tuple[DocumentType, ...]:
        """Make sure the document types of `court_id` are at hand (call when a court is chosen)."""
        if court_id not in self.document_types:
            self.document_types[court_id] = await source.document_types(court_id)
        return self.document_types[court_id]

    def court(self, court_id: str | None) -> Court | None:
        return next((c for c in self.courts if c.id == court_id), None)

    def category(self, category_id: str | None) -> CaseCategory | None:
        return next((c for c in self.categories if c.id == category_id), None)

    def types_for(self, court_id: str | None) -> tuple[DocumentType, ...]:
        return self.document_types.get(court_id or "", ())

    def document_type(self, court_id: str | None, code: str) -> DocumentType | None:
        return next((t for t in self.types_for(court_id) if t.code == code), None)


def megabytes(size: int) -> str:
    """35 MB, 41.2 MB: whole numbers without a decimal, the rest with one (as intake writes them),
    so a document just over a limit never reads as the limit itself."""
    value = size / 2**20
    return f"{value:,.0f} MB" if value == int(value) else f"{value:,.1f} MB"


def too_large_in_clio(name: str, size: int, court: Court) -> str:
    """Why a Clio document larger than `court` accepts was refused before it was downloaded."""
    return (
        f"“{name}” is {megabytes(size)}; the {court.name} accepts documents up to "
        f"{megabytes(court.max_document_bytes)}, so it was not downloaded from Clio. Split it into "
        "smaller files and add those."
    )


STAYS_SCANNED = "It stays as it was, without searchable text."
"""How every message about OCR that did not help ends: the document itself did not change."""


def ocr_read_nothing(name: str) -> str:
    """OCR ran on a scan but read no text (faint, blurred, or no text on it)."""
    return f"OCR found no readable text in “{name}” (the scan may be too faint or blurred). {STAYS_SCANNED}"


def ocr_scan_gone(name: str) -> str:
    """The checked PDF of a scan is no longer on this computer (temporary files were cleared)."""
    return (
        f"The checked copy of “{name}” is no longer on this computer, so it cannot be made searchable "
        "here. Remove it and add it again, then use Make Searchable."
    )


def ocr_copy_refused(reason: str) -> str:
    """The searchable copy OCR made was refused when it was checked like any PDF."""
    return f"{reason} That was the searchable copy OCR made; the scan itself stays as it was."


def ocr_changed_pages(name: str, scanned: int, made: int) -> str:
    """The searchable copy does not have the scan's pages (it is not used)."""
    return (
        f"“{name}” could not be made searchable (OCR gave {made} pages instead of {scanned}). {STAYS_SCANNED}"
    )


def case_problems(draft: OrderDraft, catalog: Catalog) -> Problems:
    problems: Problems = {}
    court = catalog.court(draft.court_id)
    if court is None:
        problems["court_id"] = "Choose the court."
    category = catalog.category(draft.case_category_id)
    if category is None:
        problems["case_category_id"] = "Choose the case category."
    elif category.case_type(draft.case_type_id) is None:
        problems["case_type_id"] = f"Choose a case type of {category.name}."
    if not draft.new_case:
        number = draft.case_number.strip()
        if not number:
            problems["case_number"] = "Enter the case number of the existing case."
        elif len(number) > CASE_NUMBER_MAX:
            problems["case_number"] = f"A case number has at most {CASE_NUMBER_MAX} characters."
    limit = court.max_case_title_length if court else 100
    title = draft.case_title.strip()
    if not title:
        problems["case_title"] = f"Enter the case title (at most {limit} characters for this court)."
    elif len(title) > limit:
        problems["case_title"] = (
            f"The case title has {len(title)} characters; this court allows at most {limit}."
        )
    return problems


def party_problems(draft: OrderDraft, catalog: Catalog | None = None) -> Problems:
    problems: Problems = {}
    allowed = party_roles(draft.case_category_id)
    category = catalog.category(draft.case_category_id) if catalog is not None else None
    kind_of_case = f"A {category.name} case" if category else "This kind of case"
    for index, party in enumerate(draft.parties):
        key = f"parties.{index}"
        role = party.role.strip().lower()
        if not role:
            problems[f"{key}.role"] = "Choose the party's role."
        elif role not in allowed.roles:
            listed = ", ".join(r.capitalize() for r in allowed.roles)
            problems[f"{key}.role"] = f"{kind_of_case} has no {role}; its parties are: {listed}."
        if not party.name.strip():
            problems[f"{key}.name"] = "Enter the party's name."
        elif len(party.name.strip()) > PARTY_NAME_MAX:
            problems[f"{key}.name"] = f"A party's name has at most {PARTY_NAME_MAX} characters."
        if party.kind not in PARTY_KINDS:
            problems[f"{key}.kind"] = "Choose person or organization."
    brings = allowed.brings
    bringing = (brings,) if brings else ("plaintiff", "petitioner")
    if draft.new_case and not any(p.role.strip().lower() in bringing for p in draft.parties):
        who = f"the {brings}" if brings else "the plaintiff or petitioner"
        problems["parties"] = f"Add {who}: a new case needs at least one party who brings it."
    return problems


def document_problems(draft: OrderDraft, catalog: Catalog, *, require_ready: bool = False) -> Problems:
    problems: Problems = {}
    docs = draft.documents
    if not docs:
        return {"documents": "Add at least one document."}
    court = catalog.court(draft.court_id)
    for doc in docs:
        message = _row_problem(draft, catalog, court, doc.local_id)
        if message:
            problems[f"documents.{doc.local_id}"] = message
    leads = [d for d in docs if d.role is Role.LEAD]
    if not leads:
        problems["documents"] = "Mark one document as the lead document."
    elif len(leads) > 1:
        problems["documents"] = f"Only one document can be the lead; {len(leads)} are marked."
    elif court is not None:
        total = sum(d.size or 0 for d in docs) + sum(_word_copy_size(d.word_copy_path) for d in docs)
        if total > court.max_order_bytes:
            problems["documents"] = (
                f"The documents together are {megabytes(total)}; the {court.name} accepts at most "
                f"{megabytes(court.max_order_bytes)} per order. File them in two orders."
            )
    working = [d for d in docs if d.status.working]
    if require_ready and working and "documents" not in problems:
        count = "1 document is" if len(working) == 1 else f"{len(working)} documents are"
        problems["documents"] = f"Wait until every document is uploaded ({count} still being prepared)."
    return problems


def _word_copy_size(path: Path | None) -> int:
    # The Word copy travels in the same envelope, so it counts toward the order's size.
    return path.stat().st_size if path is not None and path.exists() else 0


def _row_problem(draft: OrderDraft, catalog: Catalog, court: Court | None, local_id: str) -> str:
    doc = draft.document(local_id)
    name = f"“{doc.display_name}”"
    if doc.status is DocumentStatus.ERROR:
        return doc.error or f"{name} could not be prepared. Retry or remove it."
    if not doc.filing_code:
        return f"Choose a document type for {name}."
    doc_type = catalog.document_type(draft.court_id, doc.filing_code)
    if doc_type is None:
        return f"Choose a document type of this court's list for {name}."
    if doc.role is Role.LEAD and doc_type.attachment_only:
        return f"A {doc_type.name} can only be an attachment; make another document the lead."
    if doc.role is Role.ATTACHMENT and doc_type.lead_only:
        return (
            f"A {doc_type.name} must be the lead document; make {name} the lead or file it in its own order."
        )
    if doc_type.word_copy_required and doc.word_copy_path is None:
        where = court.name if court else "This court"
        return f"{where} wants an editable Word copy of {name} ({doc_type.name}); add one."
    if court is not None and doc.size is not None and doc.size > court.max_document_bytes:
        return (
            f"{name} is {megabytes(doc.size)}; the {court.name} accepts at most "
            f"{megabytes(court.max_document_bytes)} per document. Split it."
        )
    if court is not None and len(doc.display_name) > court.max_file_name_length:
        return (
            f"The name {name} is longer than the {court.max_file_name_length} characters this court allows."
        )
    return ""


def fee_problems(draft: OrderDraft, provider_name: str) -> Problems:
    if not draft.authorize_payment:
        return {"authorize_payment": f"Authorize {provider_name} to pay the court fees to continue."}
    return {}
