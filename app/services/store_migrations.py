"""The local database's schema, as an append-only list of migration steps.

Step N (1-based) moves a database from `PRAGMA user_version` N-1 to N inside one transaction, so a
crash mid-step leaves the previous version intact. Never edit a released step: add a new one.
"""

from __future__ import annotations

import sqlite3

MIGRATIONS: tuple[str, ...] = (
    # 1: the orders list cache, so it shows at once at start and offline; and the sync cursor.
    """
    CREATE TABLE orders (
        id             TEXT PRIMARY KEY,
        order_number   TEXT NOT NULL,
        status         TEXT NOT NULL,
        case_title     TEXT NOT NULL DEFAULT '',
        court          TEXT NOT NULL DEFAULT '',
        submitted_at   TEXT,
        updated_at     TEXT NOT NULL,
        clio_matter    TEXT,
        document_count INTEGER NOT NULL DEFAULT 0,
        payload        TEXT NOT NULL DEFAULT '{}'
    );
    CREATE INDEX orders_by_date ON orders (coalesce(submitted_at, updated_at));
    CREATE TABLE sync_cursor (
        scope      TEXT PRIMARY KEY,
        value      TEXT NOT NULL,
        updated_at TEXT NOT NULL
    );
    """,
    # 2: autosaved order drafts.
    """
    CREATE TABLE drafts (
        id         TEXT PRIMARY KEY,
        title      TEXT NOT NULL DEFAULT '',
        payload    TEXT NOT NULL,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL
    );
    """,
    # 3: exactly-once bookkeeping: the returned-documents journal and the expense ledger.
    """
    CREATE TABLE returns_journal (
        deliverable_id   TEXT PRIMARY KEY,
        order_id         TEXT NOT NULL,
        step             TEXT NOT NULL,
        clio_folder_id   INTEGER,
        clio_document_id INTEGER,
        error            TEXT,
        attempts         INTEGER NOT NULL DEFAULT 0,
        created_at       TEXT NOT NULL,
        updated_at       TEXT NOT NULL
    );
    CREATE INDEX returns_by_order ON returns_journal (order_id);
    CREATE TABLE expense_ledger (
        order_id         TEXT NOT NULL,
        fee_line_id      TEXT NOT NULL,
        step             TEXT NOT NULL,
        clio_activity_id INTEGER,
        error            TEXT,
        attempts         INTEGER NOT NULL DEFAULT 0,
        created_at       TEXT NOT NULL,
        updated_at       TEXT NOT NULL,
        PRIMARY KEY (order_id, fee_line_id)
    );
    """,
    # 4: where each returned document went in Clio (for "Show in Clio" and its path), the Clio
    # folders found or made once (remembered per matter), and small facts such as this
    # workstation's id.
    """
    ALTER TABLE returns_journal ADD COLUMN matter_id INTEGER;
    ALTER TABLE returns_journal ADD COLUMN returns_folder_id INTEGER;
    ALTER TABLE returns_journal ADD COLUMN clio_name TEXT;
    ALTER TABLE returns_journal ADD COLUMN clio_path TEXT;
    CREATE TABLE clio_folders (
        matter_id  INTEGER NOT NULL,
        role       TEXT NOT NULL,
        name       TEXT NOT NULL,
        folder_id  INTEGER NOT NULL,
        created_at TEXT NOT NULL,
        PRIMARY KEY (matter_id, role, name)
    );
    CREATE TABLE meta (
        key   TEXT PRIMARY KEY,
        value TEXT NOT NULL
    );
    """,
    # 5: orders whose fees someone approved for Clio (fee posting "after review").
    """
    CREATE TABLE fee_approvals (
        order_id    TEXT PRIMARY KEY,
        approved_at TEXT NOT NULL
    );
    """,
    # 6: hearings the court set, towards Clio's calendar (app.services.calendar.ledger).
    """
    CREATE TABLE hearing_ledger (
        order_id      TEXT PRIMARY KEY,
        hearing_key   TEXT NOT NULL,
        step          TEXT NOT NULL,
        clio_entry_id TEXT,
        starts_at     TEXT,
        message       TEXT,
        attempts      INTEGER NOT NULL DEFAULT 0,
        created_at    TEXT NOT NULL,
        updated_at    TEXT NOT NULL
    );
    """,
)

LATEST_VERSION = len(MIGRATIONS)


class SchemaTooNew(Exception):
    """The database was written by a newer version of the app; this one must not touch it."""


def schema_version(connection: sqlite3.Connection) -> int:
    """The database's current schema version (0 for a new, empty database)."""
    version = connection.execute("PRAGMA user_version").fetchone()[0]
    return int(version)


def migrate(connection: sqlite3.Connection, target: int = LATEST_VERSION) -> int:
    """Apply every step after the current version up to `target`; returns the resulting version.

    The connection must be in autocommit mode (isolation_level=None): each step brings its own
    BEGIN/COMMIT so that the schema change and the version bump commit together.
    """
    current = schema_version(connection)
    if current > LATEST_VERSION:
        raise SchemaTooNew(
            f"the local database has schema version {current}; this app knows up to {LATEST_VERSION}"
        )
    for version in range(current + 1, target + 1):
        try:
            connection.executescript(
                f"BEGIN IMMEDIATE;\n{MIGRATIONS[version - 1]}\nPRAGMA user_version = {version};\nCOMMIT;"
            )
        except sqlite3.Error:
            if connection.in_transaction:
                connection.execute("ROLLBACK")
            raise
    return schema_version(connection)
