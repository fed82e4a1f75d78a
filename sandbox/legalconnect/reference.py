"""Reference data the provider publishes: courts, case categories and types, document types.

Plain frozen dataclasses so the rest of the server can look things up without the database; the
figures follow `efiling-domain.md` sections 4.3 and 4.4 (size caps, file-name lengths, Word copies of
proposed orders in Los Angeles and Orange). Fees are in cents.
"""

from __future__ import annotations

from dataclasses import dataclass, field

MB = 1024 * 1024


@dataclass(frozen=True)
class Court:
    id: str
    county: str
    efm: str
    max_document_bytes: int
    max_order_bytes: int
    max_file_name_length: int
    max_document_title_length: int
    word_copy_for_proposed_orders: bool = False
    max_case_title_length: int = 100

    @property
    def name(self) -> str:
        return f"Superior Court of California, County of {self.county}"


COURTS: tuple[Court, ...] = (
    Court("LA", "Los Angeles", "LA group", 50 * MB, 100 * MB, 250, 250, word_copy_for_proposed_orders=True),
    Court("OR", "Orange", "Orange", 65 * MB, 120 * MB, 250, 249, word_copy_for_proposed_orders=True),
    Court("SD", "San Diego", "eFileCA", 35 * MB, 60 * MB, 50, 255),
    Court("RIV", "Riverside", "LA group", 25 * MB, 100 * MB, 250, 250),
    Court("SF", "San Francisco", "eFileCA", 25 * MB, 50 * MB, 50, 512),
    Court("ALA", "Alameda", "LA group", 25 * MB, 75 * MB, 250, 250),
    Court("SAC", "Sacramento", "eFileCA", 25 * MB, 50 * MB, 50, 255),
    Court("SB", "San Bernardino", "eFileCA", 25 * MB, 50 * MB, 50, 255),
)
COURTS_BY_ID = {c.id: c for c in COURTS}


def court_by_name(name: str) -> Court | None:
    """The court whose full name is `name` (how the Clio seed records a matter's court)."""
    return next((c for c in COURTS if c.name == name), None)


@dataclass(frozen=True)
class CaseType:
    id: str
    name: str


@dataclass(frozen=True)
class CaseCategory:
    id: str
    name: str
    types: tuple[CaseType, ...] = field(default_factory=tuple)


CASE_CATEGORIES: tuple[CaseCategory, ...] = (
    CaseCategory(
        "civil_unlimited",
        "Civil Unlimited",
        (
            CaseType("contract_06", "Breach of Contract/Warranty (06)"),
            CaseType("auto_pi_22", "Auto (22) - Personal Injury/Property Damage/Wrongful Death"),
            CaseType("other_pi_23", "Other PI/PD/WD (23)"),
            CaseType("business_tort_07", "Business Tort (07)"),
            CaseType("collections_09", "Collections (09)"),
            CaseType("real_property_26", "Other Real Property (26)"),
            CaseType("employment_15", "Other Employment (15)"),
        ),
    ),
    CaseCategory(
        "civil_limited",
        "Civil Limited",
        (
            CaseType("ud_residential_32", "Unlawful Detainer - Residential (32)"),
            CaseType("ud_commercial_31", "Unlawful Detainer - Commercial (31)"),
            CaseType("collections_09_limited", "Collections (09)"),
            CaseType("contract_06_limited", "Breach of Contract/Warranty (06)"),
        ),
    ),
    CaseCategory(
        "family",
        "Family Law",
        (
            CaseType("dissolution_children", "Dissolution with Minor Children"),
            CaseType("dissolution_no_children", "Dissolution without Minor Children"),
            CaseType("legal_separation", "Legal Separation"),
            CaseType("dvro", "Domestic Violence Restraining Order"),
        ),
    ),
    CaseCategory(
        "probate",
        "Probate",
        (
            CaseType("decedent_estate", "Decedent's Estate"),
            CaseType("trust", "Trust"),
            CaseType("guardianship", "Guardianship"),
            CaseType("conservatorship", "Conservatorship"),
        ),
    ),
)
CATEGORIES_BY_ID = {c.id: c for c in CASE_CATEGORIES}


@dataclass(frozen=True)
class DocumentType:
    code: str
    name: str
    fee_cents: int = 0
    can_be_lead: bool = True
    lead_only: bool = False
    proposed_order: bool = False

    @property
    def attachment_only(self) -> bool:
        return not self.can_be_lead

    def word_copy_required(self, court: Court | None) -> bool:
        """LA and Orange want proposed orders as PDF *and* an editable Word file in the same envelope."""
        return self.proposed_order and court is not None and court.word_copy_for_proposed_orders


def _lead(code: str, name: str, fee: int = 0) -> DocumentType:
    return DocumentType(code, name, fee, lead_only=True)


def _either(code: str, name: str, fee: int = 0) -> DocumentType:
    return DocumentType(code, name, fee)


def _attachment(code: str, name: str) -> DocumentType:
    return DocumentType(code, name, 0, can_be_lead=False)


def _proposed(code: str, name: str, fee: int = 0) -> DocumentType:
    return DocumentType(code, name, fee, proposed_order=True)


DOCUMENT_TYPES: tuple[DocumentType, ...] = (
    _lead("CMPL", "Complaint", 43500),
    _lead("CMUD", "Complaint - Unlawful Detainer", 24000),
    _lead("ANSW", "Answer", 43500),
    _lead("GDEN", "General Denial", 43500),
    _lead("DEMR", "Demurrer", 6000),
    _lead("MOTN", "Notice of Motion and Motion", 6000),
    _lead("MSJ", "Motion for Summary Judgment", 50000),
    _lead("MCOM", "Motion to Compel Discovery", 6000),
    _lead("EXPA", "Ex Parte Application", 6000),
    _either("SUMM", "Summons (Issued)"),
    _either("CCCS", "Civil Case Cover Sheet"),
    _either("OPPO", "Opposition"),
    _either("REPL", "Reply"),
    _either("DECL", "Declaration"),
    _either("MPA", "Memorandum of Points and Authorities"),
    _either("POS", "Proof of Service"),
    _either("RJN", "Request for Judicial Notice"),
    _either("SEPS", "Separate Statement"),
    _either("NTRL", "Notice of Ruling"),
    _either("CMST", "Case Management Statement"),
    _either("SUBA", "Substitution of Attorney"),
    _either("DISM", "Request for Dismissal"),
    _either("DFLT", "Request for Entry of Default"),
    _proposed("PORD", "Proposed Order"),
    _proposed("STIP", "Stipulation and Proposed Order", 2000),
    _proposed("PJDG", "Proposed Judgment"),
    _lead("PETD", "Petition for Dissolution of Marriage", 43500),
    _lead("FLRS", "Response - Family Law", 43500),
    _either("IEDC", "Income and Expense Declaration"),
    _lead("PPRB", "Petition for Probate", 43500),
    _either("NPAE", "Notice of Petition to Administer Estate"),
    _attachment("EXHB", "Exhibit"),
    _attachment("ATCH", "Attachment"),
)
DOCUMENT_TYPES_BY_CODE = {t.code: t for t in DOCUMENT_TYPES}

# Fees the provider adds to the court's own (cents); see efiling-domain.md 3.7.
EFM_ENVELOPE_FEE_CENTS = 395
PROVIDER_SERVICE_FEE_CENTS = 1995
EXPERT_REVIEW_FEE_CENTS = 3500
CARD_FEE_MIN_CENTS = 100
CARD_FEE_RATE = 0.0289
