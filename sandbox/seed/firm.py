"""The believable firm both sandbox servers are seeded with, as plain data.

Ids are fixed here so that the LegalConnect seed can point historical orders at Clio matters that
really exist in the Clio seed. Everything is fictional.
"""

from __future__ import annotations

from dataclasses import dataclass, field

FIRM_NAME = "Harbor & Vale LLP"
PROVIDER_NAME = "Pacific Crest Legal Services"
PROVIDER_SLUG = "pacific-crest"


@dataclass(frozen=True)
class DemoUser:
    name: str
    email: str
    password: str


CLIO_DEMO_USER = DemoUser("Dana Whitfield", "dana.whitfield@harborvale.example", "clio-sandbox-1")
CLIO_SECOND_USER = DemoUser("Marcus Oyelaran", "marcus.oyelaran@harborvale.example", "clio-sandbox-2")
LC_DEMO_USER = DemoUser("Dana Whitfield", "dana.whitfield@harborvale.example", "efile-sandbox-1")
LC_SECOND_USER = DemoUser("Priya Raman", "priya.raman@harborvale.example", "efile-sandbox-2")

# The Clio developer application registered for LegalConnect Desktop in the sandbox. The secret is
# known only to the Clio emulator and the LegalConnect token broker, never to the desktop app.
CLIO_APP_NAME = "LegalConnect Desktop"
CLIO_CLIENT_ID = "lcdesk-sandbox-9Qv3TzLw"
CLIO_CLIENT_SECRET = "sandbox-only-secret-4f1c8e2b7d"
CLIO_REGIONS = ("US", "CA", "EU", "AU")
CLIO_API_VERSION = "4.0.13"


@dataclass(frozen=True)
class Client:
    id: int
    type: str  # "Person" | "Company"
    name: str
    first_name: str = ""
    last_name: str = ""
    email: str = ""


@dataclass(frozen=True)
class SeedFile:
    """A file placed in Clio. `kind` names a generator in `sandbox.seed.files`."""

    name: str
    kind: str  # pdf | docx | rtf | odt | txt | png | jpg | encrypted_pdf | owner_locked_pdf
    #            | fillable_pdf | xfa_pdf | large_pdf | scanned_pdf
    pages: int = 3


@dataclass(frozen=True)
class Matter:
    id: int
    client_id: int
    number: int
    description: str
    status: str  # Open | Pending | Closed (Clio's response casing)
    practice_area: str
    court: str = ""
    case_number: str = ""
    folders: dict[str, tuple[SeedFile, ...]] = field(default_factory=dict)
    """Folder path (``/``-separated, below the matter folder) -> files in it. "" is the matter folder."""


CLIENTS: tuple[Client, ...] = (
    Client(1001, "Person", "Elena Alvarez", "Elena", "Alvarez", "elena.alvarez@example.net"),
    Client(1002, "Company", "Brightline Logistics, Inc.", email="legal@brightline-logistics.example"),
    Client(1003, "Person", "Thomas Nguyen", "Thomas", "Nguyen", "tnguyen@example.org"),
    Client(1004, "Company", "Sierra Vista Homeowners Association", email="board@sierravista-hoa.example"),
    Client(1005, "Person", "Margaret O'Connell", "Margaret", "O'Connell", "moconnell@example.com"),
    Client(1006, "Company", "Redwood Dental Group, P.C.", email="office@redwooddental.example"),
    Client(1007, "Person", "Samuel Okafor", "Samuel", "Okafor", "sam.okafor@example.net"),
    Client(1008, "Company", "Coastal Avenue Properties LLC", email="manager@coastalave.example"),
)

_PLEADINGS = (
    SeedFile("Complaint for Damages.pdf", "pdf", 14),
    SeedFile("Summons.pdf", "pdf", 2),
    SeedFile("Civil Case Cover Sheet.pdf", "pdf", 2),
)
_MOTION = (
    SeedFile("Notice of Motion and Motion to Compel.docx", "docx", 6),
    SeedFile("Memorandum of Points and Authorities.docx", "docx", 12),
    SeedFile("Declaration of Counsel.rtf", "rtf", 3),
    SeedFile("Proposed Order.docx", "docx", 2),
)
_CORRESPONDENCE = (
    SeedFile("Letter to Opposing Counsel.pdf", "pdf", 2),
    SeedFile("Meet and Confer Notes.txt", "txt", 1),
)
_EXHIBITS = (
    SeedFile("Exhibit A - Lease Agreement.pdf", "pdf", 9),
    SeedFile("Exhibit B - Site Photo.jpg", "jpg", 1),
    SeedFile("Exhibit C - Invoice Scan.png", "png", 1),
)

MATTERS: tuple[Matter, ...] = (
    Matter(
        2001,
        1001,
        1,
        "Alvarez v. Brightwater Motors",
        "Open",
        "Personal Injury",
        "Superior Court of California, County of Los Angeles",
        "24STCV10482",
        {
            "": (SeedFile("Engagement Letter.pdf", "pdf", 3),),
            "Pleadings": _PLEADINGS,
            "Motions/Motion to Compel": _MOTION,
            "Correspondence": _CORRESPONDENCE,
            "Exhibits": _EXHIBITS,
            "Protected": (
                SeedFile("Medical Records (password protected).pdf", "encrypted_pdf", 4),
                SeedFile("Billing Summary (owner locked).pdf", "owner_locked_pdf", 2),
            ),
            "Forms": (
                SeedFile("Judicial Council Form DISC-001 (fillable).pdf", "fillable_pdf", 3),
                SeedFile("Interactive Form (XFA).pdf", "xfa_pdf", 1),
            ),
        },
    ),
    Matter(
        2002,
        1002,
        2,
        "Brightline Logistics v. Harmon Freight",
        "Open",
        "Commercial Litigation",
        "Superior Court of California, County of Orange",
        "30-2025-01423987",
        {
            "Pleadings": _PLEADINGS,
            "Motions/Summary Judgment": (
                SeedFile("Motion for Summary Judgment.docx", "docx", 20),
                SeedFile("Separate Statement.odt", "odt", 8),
                SeedFile("Trial Record (large).pdf", "large_pdf", 2000),
            ),
            "Discovery/Requests": (SeedFile("Special Interrogatories Set One.pdf", "pdf", 7),),
            "Discovery/Responses": (SeedFile("Responses to Form Interrogatories.pdf", "scanned_pdf", 5),),
        },
    ),
    Matter(
        2003,
        1003,
        3,
        "Nguyen Dissolution",
        "Open",
        "Family Law",
        "Superior Court of California, County of San Diego",
        "25FL001188N",
        {
            "Filings": (
                SeedFile("Petition for Dissolution.pdf", "pdf", 6),
                SeedFile("Income and Expense Declaration.rtf", "rtf", 4),
            )
        },
    ),
    Matter(
        2004,
        1004,
        4,
        "Sierra Vista HOA v. Delmar",
        "Open",
        "Real Estate",
        "Superior Court of California, County of Riverside",
        "CVRI2501177",
        {"Pleadings": _PLEADINGS, "Exhibits": _EXHIBITS},
    ),
    Matter(
        2005,
        1004,
        5,
        "Sierra Vista HOA - Collections",
        "Pending",
        "Real Estate",
        folders={"": (SeedFile("Assessment Ledger.pdf", "pdf", 4),)},
    ),
    Matter(
        2006,
        1005,
        6,
        "Estate of Patrick O'Connell",
        "Open",
        "Probate",
        "Superior Court of California, County of San Francisco",
        "PES-25-307712",
        {
            "Petitions": (
                SeedFile("Petition for Probate.docx", "docx", 5),
                SeedFile("Notice of Petition to Administer Estate.pdf", "pdf", 2),
            )
        },
    ),
    Matter(
        2007,
        1006,
        7,
        "Redwood Dental v. Apex Imaging Supply",
        "Open",
        "Commercial Litigation",
        "Superior Court of California, County of Alameda",
        "25CV114093",
        {"Pleadings": _PLEADINGS, "Correspondence": _CORRESPONDENCE},
    ),
    Matter(
        2008,
        1006,
        8,
        "Redwood Dental - Lease Review",
        "Closed",
        "Real Estate",
        folders={"": (SeedFile("Lease Redline.docx", "docx", 11),)},
    ),
    Matter(
        2009,
        1007,
        9,
        "Okafor v. Summit Ridge Apartments",
        "Open",
        "Landlord-Tenant",
        "Superior Court of California, County of Los Angeles",
        "25STLC04411",
        {"Pleadings": _PLEADINGS, "Motions": _MOTION},
    ),
    Matter(
        2010,
        1007,
        10,
        "Okafor - Employment Claim",
        "Pending",
        "Employment",
        folders={"Intake": (SeedFile("Intake Questionnaire.pdf", "pdf", 3),)},
    ),
    Matter(
        2011,
        1008,
        11,
        "Coastal Avenue Properties v. Lindqvist",
        "Open",
        "Landlord-Tenant",
        "Superior Court of California, County of Sacramento",
        "25UD000921",
        {
            "Unlawful Detainer": (
                SeedFile("Complaint - Unlawful Detainer.pdf", "pdf", 5),
                SeedFile("Notice to Pay Rent or Quit.pdf", "pdf", 1),
            )
        },
    ),
    Matter(
        2012,
        1008,
        12,
        "Coastal Avenue Properties - General",
        "Open",
        "Real Estate",
        folders={"Correspondence": _CORRESPONDENCE},
    ),
    Matter(
        2013,
        1002,
        13,
        "Brightline Logistics - Collections v. Ortega Trucking",
        "Open",
        "Collections",
        "Superior Court of California, County of Orange",
        "30-2025-01500611",
        {"Pleadings": _PLEADINGS},
    ),
)

EXPENSE_CATEGORIES: tuple[tuple[int, str, str], ...] = (
    (501, "Court Filing Fee", "hard_cost"),
    (502, "eFiling Service Fee", "hard_cost"),
    (503, "Card Convenience Fee", "hard_cost"),
    (504, "Document Review", "hard_cost"),
    (505, "Courier and Messenger", "hard_cost"),
    (506, "Photocopies", "soft_cost"),
    (507, "Postage", "soft_cost"),
)


def matter_display_number(matter: Matter) -> str:
    """Clio's display number, e.g. ``00001-Alvarez`` (number, then the client's last name or name)."""
    client = next(c for c in CLIENTS if c.id == matter.client_id)
    tail = client.last_name or client.name.split()[0].rstrip(",")
    return f"{matter.number:05d}-{tail}"


def client_of(matter: Matter) -> Client:
    return next(c for c in CLIENTS if c.id == matter.client_id)
