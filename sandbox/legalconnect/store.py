"""The LegalConnect emulator's SQLite schema, time format and row -> API model conversions.

Every handler runs on the server's event-loop thread and does its SQL without awaiting in between,
so one connection is enough; multi-statement changes still go through `tx` so a crash (or a test
reading the file) never sees half a change. Times are stored as fixed-width UTC strings, which sort
and compare correctly as text.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sandbox.legalconnect import models as m
from sandbox.legalconnect.reference import COURTS_BY_ID, DOCUMENT_TYPES_BY_CODE

SCHEMA = """
CREATE TABLE IF NOT EXISTS firms (id INTEGER PRIMARY KEY, name TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS users (
    id INTEGER PRIMARY KEY, firm_id INTEGER NOT NULL REFERENCES firms(id),
    name TEXT NOT NULL, email TEXT NOT NULL UNIQUE COLLATE NOCASE, password_sha256 TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS sessions (
    token_sha256 TEXT PRIMARY KEY, user_id INTEGER NOT NULL REFERENCES users(id),
    created_at TEXT NOT NULL, expires_at TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS provider_settings (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS orders (
    id INTEGER PRIMARY KEY AUTOINCREMENT, firm_id INTEGER NOT NULL REFERENCES firms(id),
    created_by INTEGER NOT NULL REFERENCES users(id), order_number TEXT UNIQUE,
    status TEXT NOT NULL, closed INTEGER NOT NULL DEFAULT 0, auto_closed INTEGER NOT NULL DEFAULT 0,
    closed_at TEXT, court_id TEXT, case_category_id TEXT, case_type_id TEXT,
    new_case INTEGER NOT NULL DEFAULT 1, case_number TEXT, case_title TEXT,
    parties_json TEXT NOT NULL DEFAULT '[]', clio_json TEXT, expert_review INTEGER NOT NULL DEFAULT 0,
    notify_json TEXT NOT NULL DEFAULT '[]', created_at TEXT NOT NULL, updated_at TEXT NOT NULL,
    submitted_at TEXT, decided_at TEXT, review_due_at TEXT, clerk_due_at TEXT);
CREATE INDEX IF NOT EXISTS orders_updated ON orders(firm_id, updated_at);
CREATE TABLE IF NOT EXISTS idempotency_keys (
    firm_id INTEGER NOT NULL, key TEXT NOT NULL, target TEXT NOT NULL, target_id INTEGER NOT NULL,
    created_at TEXT NOT NULL, PRIMARY KEY (firm_id, key));
CREATE INDEX IF NOT EXISTS idempotency_target ON idempotency_keys(target, target_id);
CREATE INDEX IF NOT EXISTS orders_clerk ON orders(clerk_due_at);
CREATE TABLE IF NOT EXISTS documents (
    id INTEGER PRIMARY KEY AUTOINCREMENT, order_id INTEGER NOT NULL REFERENCES orders(id) ON DELETE CASCADE,
    kind TEXT NOT NULL, word_copy_of INTEGER, name TEXT NOT NULL, filing_code TEXT NOT NULL,
    role TEXT NOT NULL, sort_order INTEGER NOT NULL, size_bytes INTEGER, page_count INTEGER,
    sha256 TEXT, content_type TEXT, path TEXT, uploaded_at TEXT, review_result TEXT, reject_reason TEXT);
CREATE TABLE IF NOT EXISTS fee_lines (
    id INTEGER PRIMARY KEY AUTOINCREMENT, order_id INTEGER NOT NULL REFERENCES orders(id) ON DELETE CASCADE,
    code TEXT NOT NULL, description TEXT NOT NULL, amount_cents INTEGER NOT NULL, document_id INTEGER,
    filing_code TEXT, clio_category TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS deliverables (
    id INTEGER PRIMARY KEY AUTOINCREMENT, order_id INTEGER NOT NULL REFERENCES orders(id) ON DELETE CASCADE,
    kind TEXT NOT NULL, name TEXT NOT NULL, size_bytes INTEGER NOT NULL, page_count INTEGER NOT NULL,
    sha256 TEXT NOT NULL, document_id INTEGER, received_at TEXT NOT NULL, path TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS clio_records (
    target TEXT NOT NULL, target_id INTEGER NOT NULL, order_id INTEGER NOT NULL, firm_id INTEGER NOT NULL,
    claim_id TEXT NOT NULL UNIQUE, workstation_id TEXT NOT NULL, claimed_by INTEGER NOT NULL,
    lease_expires_at TEXT NOT NULL, status TEXT NOT NULL, clio_id INTEGER, filed_at TEXT,
    PRIMARY KEY (target, target_id));
CREATE TABLE IF NOT EXISTS hearings (
    order_id INTEGER PRIMARY KEY REFERENCES orders(id) ON DELETE CASCADE, document_id INTEGER,
    date TEXT NOT NULL, time TEXT NOT NULL, utc_offset TEXT, department TEXT NOT NULL,
    location TEXT NOT NULL, motion TEXT NOT NULL, set_at TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS outbox (
    id INTEGER PRIMARY KEY AUTOINCREMENT, order_id INTEGER, kind TEXT NOT NULL, to_json TEXT NOT NULL,
    subject TEXT NOT NULL, body TEXT NOT NULL, sent_at TEXT NOT NULL);
"""

_TIME_FORMAT = "%Y-%m-%dT%H:%M:%S.%fZ"


def stamp(when: datetime | None = None) -> str:
    """`when` (default now) as the stored fixed-width UTC text."""
    return (when or datetime.now(UTC)).astimezone(UTC).strftime(_TIME_FORMAT)


def parse_stamp(text: str | None) -> datetime | None:
    return None if text is None else datetime.strptime(text, _TIME_FORMAT).replace(tzinfo=UTC)


def open_db(path: Path) -> sqlite3.Connection:
    from sandbox.common.db import connect

    conn = connect(path)
    conn.executescript(SCHEMA)
    return conn


@contextmanager
def tx(conn: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    """One write transaction (the connection is in autocommit mode otherwise)."""
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield conn
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")


def one(conn: sqlite3.Connection, sql: str, *args: Any) -> sqlite3.Row | None:
    row: sqlite3.Row | None = conn.execute(sql, args).fetchone()
    return row


def document_out(row: sqlite3.Row) -> m.DocumentOut:
    doc_type = DOCUMENT_TYPES_BY_CODE.get(row["filing_code"])
    return m.DocumentOut(
        id=row["id"],
        order_id=row["order_id"],
        kind=row["kind"],
        word_copy_of=row["word_copy_of"],
        name=row["name"],
        filing_code=row["filing_code"],
        filing_code_name=doc_type.name if doc_type else row["filing_code"],
        role=row["role"],
        sort_order=row["sort_order"],
        content_uploaded=row["path"] is not None,
        size_bytes=row["size_bytes"],
        page_count=row["page_count"],
        sha256=row["sha256"],
        content_type=row["content_type"],
        uploaded_at=parse_stamp(row["uploaded_at"]),
        review_result=row["review_result"],
        reject_reason=row["reject_reason"],
    )


def order_documents(conn: sqlite3.Connection, order_id: int) -> list[sqlite3.Row]:
    return conn.execute(
        "SELECT * FROM documents WHERE order_id = ? ORDER BY sort_order, id", (order_id,)
    ).fetchall()


def fee_line_out(row: sqlite3.Row) -> m.FeeLineOut:
    return m.FeeLineOut(
        id=row["id"],
        code=row["code"],
        description=row["description"],
        amount_cents=row["amount_cents"],
        document_id=row["document_id"],
        filing_code=row["filing_code"],
        clio_expense_category=row["clio_category"],
    )


def order_out(conn: sqlite3.Connection, row: sqlite3.Row) -> m.OrderOut:
    from sandbox.legalconnect.hearings import hearing_out  # it reads rows with this module's helpers

    docs = [document_out(d) for d in order_documents(conn, row["id"])]
    fees = conn.execute("SELECT * FROM fee_lines WHERE order_id = ? ORDER BY id", (row["id"],)).fetchall()
    count = conn.execute("SELECT COUNT(*) FROM deliverables WHERE order_id = ?", (row["id"],)).fetchone()[0]
    user = one(conn, "SELECT * FROM users WHERE id = ?", row["created_by"])
    assert user is not None  # foreign key
    court = COURTS_BY_ID.get(row["court_id"] or "")
    clio = json.loads(row["clio_json"]) if row["clio_json"] else None
    return m.OrderOut(
        id=row["id"],
        order_number=row["order_number"],
        status=row["status"],
        closed=bool(row["closed"]),
        auto_closed=bool(row["auto_closed"]),
        closed_at=parse_stamp(row["closed_at"]),
        court_id=row["court_id"],
        court_name=court.name if court else None,
        case_category_id=row["case_category_id"],
        case_type_id=row["case_type_id"],
        new_case=bool(row["new_case"]),
        case_number=row["case_number"],
        case_title=row["case_title"],
        parties=[m.Party(**p) for p in json.loads(row["parties_json"])],
        clio=m.ClioLink(**clio) if clio else None,
        expert_review=bool(row["expert_review"]),
        notify_emails=json.loads(row["notify_json"]),
        documents=docs,
        document_count=sum(1 for d in docs if d.kind == m.DocumentKind.filing),
        fee_lines=[fee_line_out(f) for f in fees],
        deliverable_count=count,
        created_by=m.UserOut(id=user["id"], name=user["name"], email=user["email"]),
        client_key=client_key(conn, "order", row["id"]),
        created_at=parse_stamp(row["created_at"]),
        updated_at=parse_stamp(row["updated_at"]),
        submitted_at=parse_stamp(row["submitted_at"]),
        decided_at=parse_stamp(row["decided_at"]),
        hearing=hearing_out(conn, row["id"]),
    )


def client_key(conn: sqlite3.Connection, target: str, target_id: int) -> str | None:
    """The `Idempotency-Key` an order or document was created with, if any."""
    row = one(conn, "SELECT key FROM idempotency_keys WHERE target = ? AND target_id = ?", target, target_id)
    return None if row is None else str(row["key"])


def created_with_key(conn: sqlite3.Connection, firm_id: int, key: str | None, target: str) -> int | None:
    """The id of what an earlier request with this `Idempotency-Key` created (None: nothing yet).
    A key first used for another kind of request is refused."""
    if not key:
        return None
    row = one(conn, "SELECT * FROM idempotency_keys WHERE firm_id = ? AND key = ?", firm_id, key)
    if row is None:
        return None
    if row["target"] != target:
        from sandbox.legalconnect.errors import ApiError

        raise ApiError(422, "idempotency_key_reused", "This Idempotency-Key was used for another request.")
    return int(row["target_id"])


def remember_key(
    conn: sqlite3.Connection, firm_id: int, key: str | None, target: str, target_id: int
) -> None:
    """Record that `key` created `target_id` (inside the creating transaction; a key whose
    document was deleted since now names the new one)."""
    if key:
        conn.execute(
            "INSERT OR REPLACE INTO idempotency_keys (firm_id, key, target, target_id, created_at)"
            " VALUES (?, ?, ?, ?, ?)",
            (firm_id, key, target, target_id, stamp()),
        )


def record_state(conn: sqlite3.Connection, target: str, target_id: int) -> m.ClioRecordState:
    """Whether a deliverable (or fee line) is unfiled, claimed by a live lease, or filed into Clio."""
    row = one(conn, "SELECT * FROM clio_records WHERE target = ? AND target_id = ?", target, target_id)
    if row is None or (row["status"] == "claimed" and row["lease_expires_at"] <= stamp()):
        return m.ClioRecordState(status="unfiled", clio_id=None, filed_at=None)
    return m.ClioRecordState(
        status=row["status"], clio_id=row["clio_id"], filed_at=parse_stamp(row["filed_at"])
    )


def deliverable_out(conn: sqlite3.Connection, row: sqlite3.Row, order_number: str) -> m.DeliverableOut:
    return m.DeliverableOut(
        id=row["id"],
        order_id=row["order_id"],
        order_number=order_number,
        kind=row["kind"],
        name=row["name"],
        content_type="application/pdf",
        size_bytes=row["size_bytes"],
        page_count=row["page_count"],
        sha256=row["sha256"],
        document_id=row["document_id"],
        received_at=parse_stamp(row["received_at"]),
        clio_filing=record_state(conn, "deliverable", row["id"]),
    )


def add_outbox(
    conn: sqlite3.Connection, order_id: int | None, kind: str, to: list[str], subject: str, body: str
) -> None:
    conn.execute(
        "INSERT INTO outbox (order_id, kind, to_json, subject, body, sent_at) VALUES (?, ?, ?, ?, ?, ?)",
        (order_id, kind, json.dumps(to), subject, body, stamp()),
    )


def order_recipients(conn: sqlite3.Connection, order: sqlite3.Row) -> list[str]:
    """Who the provider emails about an order: its creator plus the order's notify list."""
    user = one(conn, "SELECT email FROM users WHERE id = ?", order["created_by"])
    emails = [user["email"]] if user else []
    return emails + [e for e in json.loads(order["notify_json"]) if e not in emails]
