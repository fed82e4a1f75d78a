"""The emulator's SQLite schema and the small helpers every resource module shares.

Folders and documents share one id sequence (`items`), as Clio's `Item` listing mixes both types.
Each row carries a `version` counter; the ETag is derived from id, version and `updated_at`, so it
changes on every update.
"""

from __future__ import annotations

import hashlib
import sqlite3
from datetime import UTC, datetime
from typing import Any

SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS users (
    id INTEGER PRIMARY KEY, name TEXT NOT NULL, first_name TEXT NOT NULL, last_name TEXT NOT NULL,
    email TEXT NOT NULL UNIQUE, password TEXT NOT NULL, account_owner INTEGER NOT NULL DEFAULT 0,
    subscription_type TEXT NOT NULL DEFAULT 'Attorney',
    time_zone TEXT NOT NULL DEFAULT 'Pacific Time (US & Canada)',
    rate REAL NOT NULL DEFAULT 0, created_at TEXT NOT NULL, updated_at TEXT NOT NULL,
    version INTEGER NOT NULL DEFAULT 1);
CREATE TABLE IF NOT EXISTS contacts (
    id INTEGER PRIMARY KEY, type TEXT NOT NULL, name TEXT NOT NULL, first_name TEXT, last_name TEXT,
    email TEXT, is_client INTEGER NOT NULL DEFAULT 1, folder_id INTEGER,
    created_at TEXT NOT NULL, updated_at TEXT NOT NULL, version INTEGER NOT NULL DEFAULT 1);
CREATE TABLE IF NOT EXISTS matters (
    id INTEGER PRIMARY KEY, client_id INTEGER NOT NULL REFERENCES contacts(id), number INTEGER NOT NULL,
    display_number TEXT NOT NULL, description TEXT NOT NULL, status TEXT NOT NULL,
    practice_area TEXT, open_date TEXT, close_date TEXT, pending_date TEXT, folder_id INTEGER,
    created_at TEXT NOT NULL, updated_at TEXT NOT NULL, version INTEGER NOT NULL DEFAULT 1);
CREATE INDEX IF NOT EXISTS matters_client ON matters(client_id);
CREATE TABLE IF NOT EXISTS items (
    id INTEGER PRIMARY KEY, kind TEXT NOT NULL CHECK (kind IN ('Folder', 'Document')),
    name TEXT NOT NULL, parent_id INTEGER REFERENCES items(id), root INTEGER NOT NULL DEFAULT 0,
    matter_id INTEGER, contact_id INTEGER, content_type TEXT, received_at TEXT,
    created_at TEXT NOT NULL, updated_at TEXT NOT NULL, deleted_at TEXT,
    version INTEGER NOT NULL DEFAULT 1);
CREATE INDEX IF NOT EXISTS items_parent ON items(parent_id, id);
CREATE INDEX IF NOT EXISTS items_matter ON items(matter_id, id);
CREATE TABLE IF NOT EXISTS document_versions (
    id INTEGER PRIMARY KEY, document_id INTEGER NOT NULL REFERENCES items(id), uuid TEXT NOT NULL UNIQUE,
    version_number INTEGER NOT NULL, filename TEXT NOT NULL, content_type TEXT NOT NULL,
    size INTEGER NOT NULL DEFAULT 0, blob TEXT, fully_uploaded INTEGER NOT NULL DEFAULT 0,
    received_at TEXT, created_at TEXT NOT NULL, updated_at TEXT NOT NULL, version INTEGER NOT NULL DEFAULT 1);
CREATE INDEX IF NOT EXISTS versions_document ON document_versions(document_id, id);
CREATE TABLE IF NOT EXISTS external_properties (
    id INTEGER PRIMARY KEY, item_id INTEGER NOT NULL REFERENCES items(id), name TEXT NOT NULL,
    value TEXT NOT NULL, created_at TEXT NOT NULL, updated_at TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS props_item ON external_properties(item_id);
CREATE INDEX IF NOT EXISTS props_name ON external_properties(name, value);
CREATE TABLE IF NOT EXISTS expense_categories (
    id INTEGER PRIMARY KEY, name TEXT NOT NULL, rate INTEGER NOT NULL DEFAULT 0, entry_type TEXT NOT NULL,
    created_at TEXT NOT NULL, updated_at TEXT NOT NULL, version INTEGER NOT NULL DEFAULT 1);
CREATE TABLE IF NOT EXISTS bills (
    id INTEGER PRIMARY KEY, number TEXT NOT NULL, state TEXT NOT NULL, issued_at TEXT,
    created_at TEXT NOT NULL, updated_at TEXT NOT NULL, version INTEGER NOT NULL DEFAULT 1);
CREATE TABLE IF NOT EXISTS activities (
    id INTEGER PRIMARY KEY, type TEXT NOT NULL, date TEXT NOT NULL, quantity REAL NOT NULL DEFAULT 1,
    price REAL NOT NULL DEFAULT 0, note TEXT, matter_id INTEGER REFERENCES matters(id),
    expense_category_id INTEGER REFERENCES expense_categories(id), bill_id INTEGER REFERENCES bills(id),
    user_id INTEGER NOT NULL REFERENCES users(id), reference TEXT, non_billable INTEGER NOT NULL DEFAULT 0,
    no_charge INTEGER NOT NULL DEFAULT 0, tax_setting TEXT NOT NULL DEFAULT 'no_tax',
    created_at TEXT NOT NULL, updated_at TEXT NOT NULL, version INTEGER NOT NULL DEFAULT 1);
CREATE INDEX IF NOT EXISTS activities_matter ON activities(matter_id, id);
"""

MAX_ID = 2**63 - 1


def create_schema(conn: sqlite3.Connection) -> None:
    from sandbox.clio import matter_fields

    conn.executescript(SCHEMA)
    matter_fields.create_schema(conn)


def is_seeded(conn: sqlite3.Connection) -> bool:
    row = conn.execute("SELECT value FROM meta WHERE key = 'seeded'").fetchone()
    return row is not None


def now_iso() -> str:
    """Clio timestamps: ISO-8601 with an offset, second precision."""
    return datetime.now(UTC).replace(microsecond=0).isoformat()


def etag_of(table: str, row: sqlite3.Row | dict[str, Any]) -> str:
    """A quoted, opaque ETag that changes whenever the row's version or `updated_at` changes."""
    digest = hashlib.md5(
        f"{table}:{row['id']}:{row['version']}:{row['updated_at']}".encode(), usedforsecurity=False
    ).hexdigest()
    return f'"{digest}"'


def get_row(conn: sqlite3.Connection, table: str, ident: int) -> sqlite3.Row | None:
    if not 0 < ident <= MAX_ID:
        return None
    row: sqlite3.Row | None = conn.execute(
        f"SELECT * FROM {table} WHERE id = ?",  # noqa: S608 - table names are fixed in code
        (ident,),
    ).fetchone()
    return row


def touch(conn: sqlite3.Connection, table: str, ident: int, **changes: Any) -> None:
    """Apply `changes` to one row, bump its version and `updated_at` (so its ETag changes)."""
    cols = ", ".join(f"{k} = ?" for k in changes)
    sets = f"{cols}, " if cols else ""
    conn.execute(
        f"UPDATE {table} SET {sets}version = version + 1, updated_at = ? WHERE id = ?",  # noqa: S608
        (*changes.values(), now_iso(), ident),
    )


def get_meta(conn: sqlite3.Connection, key: str) -> str | None:
    row = conn.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
    return None if row is None else str(row["value"])


def set_meta(conn: sqlite3.Connection, key: str, value: str) -> None:
    conn.execute("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", (key, value))
