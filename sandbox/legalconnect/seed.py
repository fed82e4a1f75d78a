"""The LegalConnect seed: the provider's customers, their users and historical orders in every status.

Orders point at real matters of the Clio seed (`sandbox.seed.firm.MATTERS`), so returned documents
of seeded orders can be filed into Clio. Decided orders carry real deliverables made by the same code
the clerk uses. A second firm exists only to prove that one firm never sees another's orders.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sandbox.legalconnect import fees, outcomes
from sandbox.legalconnect.reference import court_by_name
from sandbox.legalconnect.store import stamp, tx
from sandbox.seed import firm

try:  # the shared seed's pleading-style PDFs when present; our own plain ones otherwise
    from sandbox.seed.pdfkinds import make_pdf as _shared_make_pdf
except ImportError:  # pragma: no cover - depends on the shared seed being installed
    _shared_make_pdf = None

from sandbox.legalconnect import pdfs

FIRM_ID, OTHER_FIRM_ID = 1, 2
OTHER_FIRM_NAME = "Lakeside Law Group"
OTHER_FIRM_USER = firm.DemoUser("Olivia Chen", "olivia.chen@lakeside-law.example", "efile-sandbox-3")
USERS = (
    (1, FIRM_ID, firm.LC_DEMO_USER),
    (2, FIRM_ID, firm.LC_SECOND_USER),
    (3, OTHER_FIRM_ID, OTHER_FIRM_USER),
)


@dataclass(frozen=True)
class SeedDoc:
    name: str
    code: str
    pages: int
    lead: bool = False
    reject: str | None = None


@dataclass(frozen=True)
class SeedOrder:
    number: str | None
    status: str
    matter_id: int | None
    category: str
    case_type: str
    docs: tuple[SeedDoc, ...]
    age_days: float
    user_id: int = 1
    firm_id: int = FIRM_ID
    auto_closed: bool = False
    signed_order_late: bool = False


ORDERS: tuple[SeedOrder, ...] = (
    SeedOrder(
        None,
        "draft",
        2009,
        "civil_limited",
        "ud_residential_32",
        (
            SeedDoc("Notice of Motion and Motion to Compel.pdf", "MCOM", 6, lead=True),
            SeedDoc("Proposed Order.pdf", "PORD", 2),
        ),
        0.2,
    ),
    SeedOrder(
        "2417301",
        "submitted",
        2003,
        "family",
        "dissolution_children",
        (SeedDoc("Petition for Dissolution.pdf", "PETD", 6, lead=True),),
        1,
    ),
    SeedOrder(
        "2417322",
        "under_review",
        2006,
        "probate",
        "decedent_estate",
        (
            SeedDoc("Petition for Probate.pdf", "PPRB", 5, lead=True),
            SeedDoc("Notice of Petition to Administer Estate.pdf", "NPAE", 2),
        ),
        2,
    ),
    SeedOrder(
        "2416954",
        "accepted",
        2001,
        "civil_unlimited",
        "auto_pi_22",
        (
            SeedDoc("Complaint for Damages.pdf", "CMPL", 14, lead=True),
            SeedDoc("Summons.pdf", "SUMM", 2),
            SeedDoc("Civil Case Cover Sheet.pdf", "CCCS", 2),
        ),
        10,
    ),
    SeedOrder(
        "2417015",
        "rejected",
        2004,
        "civil_unlimited",
        "real_property_26",
        (SeedDoc("Request for Entry of Default.pdf", "DFLT", 3, lead=True, reject="Wrong case number."),),
        8,
    ),
    SeedOrder(
        "2417108",
        "partially_accepted",
        2002,
        "civil_unlimited",
        "contract_06",
        (
            SeedDoc("Motion for Summary Judgment.pdf", "MSJ", 20, lead=True),
            SeedDoc("Separate Statement.pdf", "SEPS", 8, reject="Missing required attachment."),
            SeedDoc("Declaration of Counsel.pdf", "DECL", 3),
        ),
        6,
    ),
    SeedOrder(
        "2417233",
        "cancelled",
        2007,
        "civil_unlimited",
        "contract_06",
        (SeedDoc("Case Management Statement.pdf", "CMST", 4, lead=True),),
        4,
    ),
    SeedOrder(
        "2409877",
        "accepted",
        2011,
        "civil_limited",
        "ud_residential_32",
        (
            SeedDoc("Stipulation for Entry of Judgment.pdf", "STIP", 3, lead=True),
            SeedDoc("Notice to Pay Rent or Quit.pdf", "EXHB", 1),
        ),
        45,
        auto_closed=True,
        signed_order_late=True,
    ),
    SeedOrder(
        "2417389",
        "accepted",
        2013,
        "civil_unlimited",
        "collections_09",
        (SeedDoc("Complaint.pdf", "CMPL", 5, lead=True),),
        3,
        user_id=2,
    ),
    SeedOrder(
        "2417400",
        "accepted",
        None,
        "civil_unlimited",
        "contract_06",
        (SeedDoc("Answer.pdf", "ANSW", 4, lead=True),),
        5,
        user_id=3,
        firm_id=OTHER_FIRM_ID,
    ),
)


def _pdf(title: str, pages: int, subtitle: str) -> bytes:
    if _shared_make_pdf is not None:
        return _shared_make_pdf(title, pages, subtitle=subtitle)
    return pdfs.make_pdf(title, pages, subtitle)


def _insert_order(conn: sqlite3.Connection, spec: SeedOrder, files: Path, now: datetime) -> None:
    matter = next((mt for mt in firm.MATTERS if mt.id == spec.matter_id), None)
    court = court_by_name(matter.court) if matter and matter.court else None
    submitted = now - timedelta(days=spec.age_days)
    client = firm.client_of(matter) if matter else None
    title = matter.description if matter else "Hollis v. Lakeside Marina"
    parties = [
        {
            "role": "plaintiff",
            "kind": "organization" if client and client.type == "Company" else "person",
            "name": client.name if client else "Jordan Hollis",
            "is_client": True,
        },
    ]
    clio = (
        {
            "client_id": matter.client_id,
            "matter_id": matter.id,
            "matter_display_number": firm.matter_display_number(matter),
        }
        if matter
        else None
    )
    draft = spec.status == "draft"
    cur = conn.execute(
        "INSERT INTO orders (firm_id, created_by, order_number, status, court_id, case_category_id,"
        " case_type_id, new_case, case_number, case_title, parties_json, clio_json, expert_review,"
        " created_at, updated_at, submitted_at) VALUES (?, ?, ?, ?, ?, ?, ?, 0, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            spec.firm_id,
            spec.user_id,
            spec.number,
            "draft" if draft else "submitted",
            court.id if court else "LA",
            spec.category,
            spec.case_type,
            matter.case_number if matter else "25STCV20931",
            title,
            json.dumps(parties),
            json.dumps(clio) if clio else None,
            int(spec.status == "partially_accepted"),
            stamp(submitted - timedelta(hours=1)),
            stamp(submitted),
            None if draft else stamp(submitted),
        ),
    )
    order_id = int(cur.lastrowid or 0)
    for position, doc in enumerate(spec.docs):
        data = _pdf(doc.name.removesuffix(".pdf"), doc.pages, title)
        cur = conn.execute(
            "INSERT INTO documents (order_id, kind, name, filing_code, role, sort_order, size_bytes,"
            " page_count, sha256, content_type, uploaded_at, review_result)"
            " VALUES (?, 'filing', ?, ?, ?, ?, ?, ?, ?, 'application/pdf', ?, ?)",
            (
                order_id,
                doc.name,
                doc.code,
                "lead" if doc.lead else "attachment",
                position,
                len(data),
                doc.pages,
                hashlib.sha256(data).hexdigest(),
                stamp(submitted - timedelta(minutes=30)),
                None if draft else "pending",
            ),
        )
        doc_id = int(cur.lastrowid or 0)
        (files / "documents" / f"{doc_id}.pdf").write_bytes(data)
        conn.execute("UPDATE documents SET path = ? WHERE id = ?", (f"documents/{doc_id}.pdf", doc_id))
    if spec.status in ("accepted", "rejected", "partially_accepted"):
        _decide(conn, order_id, spec, files, submitted + timedelta(days=min(2, spec.age_days / 2)))
    elif spec.status == "cancelled":
        conn.execute(
            "UPDATE orders SET status = 'cancelled', updated_at = ? WHERE id = ?",
            (stamp(submitted + timedelta(hours=2)), order_id),
        )
    elif spec.status == "under_review":
        conn.execute(
            "UPDATE orders SET status = 'under_review', updated_at = ? WHERE id = ?",
            (stamp(submitted + timedelta(hours=3)), order_id),
        )
    if spec.auto_closed:
        closed = now - timedelta(days=3)
        conn.execute(
            "UPDATE orders SET closed = 1, auto_closed = 1, closed_at = ?, updated_at = ? WHERE id = ?",
            (stamp(closed), stamp(closed), order_id),
        )
    if spec.signed_order_late:
        order = conn.execute("SELECT * FROM orders WHERE id = ?", (order_id,)).fetchone()
        when = now - timedelta(days=1)
        outcomes.commit_late_document(conn, order, outcomes.signed_order_file(files, order, when), when)


def _decide(conn: sqlite3.Connection, order_id: int, spec: SeedOrder, files: Path, when: datetime) -> None:
    order = conn.execute("SELECT * FROM orders WHERE id = ?", (order_id,)).fetchone()
    docs = conn.execute(
        "SELECT * FROM documents WHERE order_id = ? ORDER BY sort_order", (order_id,)
    ).fetchall()
    by_name = {d.name: d for d in spec.docs}
    results = {
        d["id"]: ("rejected", by_name[d["name"]].reject) if by_name[d["name"]].reject else ("accepted", None)
        for d in docs
    }
    decided = outcomes.with_results(docs, results)
    lines = fees.compute(bool(order["expert_review"]), decided, decided=True)
    outcomes.commit(
        conn, order, decided, lines, outcomes.build_files(files, order, decided, lines, when), when
    )


def seed(conn: sqlite3.Connection, files: Path) -> None:
    """Fill an empty database (and the files folder) with the provider's world."""
    now = datetime.now(UTC)
    with tx(conn):
        conn.executemany(
            "INSERT INTO firms (id, name) VALUES (?, ?)",
            [(FIRM_ID, firm.FIRM_NAME), (OTHER_FIRM_ID, OTHER_FIRM_NAME)],
        )
        conn.executemany(
            "INSERT INTO users (id, firm_id, name, email, password_sha256) VALUES (?, ?, ?, ?, ?)",
            [
                (uid, fid, u.name, u.email, hashlib.sha256(u.password.encode()).hexdigest())
                for uid, fid, u in USERS
            ],
        )
        conn.execute("INSERT INTO provider_settings (key, value) VALUES ('clio_enabled', '1')")
        for spec in ORDERS:
            _insert_order(conn, spec, files, now)


def is_seeded(conn: sqlite3.Connection) -> bool:
    return conn.execute("SELECT COUNT(*) FROM firms").fetchone()[0] > 0


def add_decided_orders(
    conn: sqlite3.Connection, files: Path, count: int, documents: int, *, with_matter: bool = True
) -> list[int]:
    """Sandbox control (tests, demos, benchmarks): `count` more accepted orders of the demo firm, each
    with `documents` filed documents, so each has `documents` conformed copies and a receipt to file.
    With `with_matter` they point at the seeded Clio matters in turn. Returns the new order ids."""
    matters = [m for m in firm.MATTERS if m.court]
    start = int(conn.execute("SELECT COUNT(*) FROM orders").fetchone()[0])
    now = datetime.now(UTC)
    made: list[int] = []
    with tx(conn):
        for n in range(count):
            matter = matters[(start + n) % len(matters)]
            number = f"27{start + n:05d}"
            docs = tuple(
                SeedDoc(f"Exhibit {chr(65 + i)}.pdf" if i else "Motion to Compel.pdf", "MCOM", 1, lead=i == 0)
                for i in range(documents)
            )
            spec = SeedOrder(
                number,
                "accepted",
                matter.id if with_matter else None,
                "civil_unlimited",
                "contract_06",
                docs,
                0.01,
            )
            _insert_order(conn, spec, files, now)
            made.append(
                int(conn.execute("SELECT id FROM orders WHERE order_number = ?", (number,)).fetchone()[0])
            )
        # Changed now, as far as any client's `updated_since` is concerned.
        conn.executemany("UPDATE orders SET updated_at = ? WHERE id = ?", [(stamp(now), i) for i in made])
    return made
