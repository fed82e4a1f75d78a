"""The local SQLite database: orders cache, sync cursor, drafts, returns journal, expense ledger.

One `Store` owns one connection, opened in WAL mode with the schema migrated to the latest version.
Its methods are synchronous and meant to be called directly from coroutines on the GUI thread's
event loop: each is one short transaction (a journal step or a draft about 0.1 ms, saving 500
orders about 15 ms, within the 50 ms the GUI may stall), cheaper than a hop to a worker thread, and
keeping every write on one thread makes "one writer" true by construction (the connection refuses
use from another thread). Nothing secret is ever written: payload values under secret-sounding
keys are replaced, and error texts go through the redactor before they are stored.
"""

from __future__ import annotations

import json
import logging
import re
import secrets
import socket
import sqlite3
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType
from typing import Any

from app.redaction import REDACTED, Redactor
from app.services.calendar.ledger import HearingLedger
from app.services.http import ServiceError
from app.services.store_journal import ExpenseState, ExpenseStep, Journal, ReturnState, ReturnStep
from app.services.store_migrations import LATEST_VERSION, SchemaTooNew, migrate, schema_version

log = logging.getLogger(__name__)

__all__ = [
    "LATEST_VERSION",
    "CachedOrder",
    "Draft",
    "ExpenseState",
    "ExpenseStep",
    "Journal",
    "ReturnState",
    "ReturnStep",
    "SchemaTooNew",
    "Store",
    "StoreUnavailable",
]

_SECRET_KEY = re.compile(r"password|passwd|secret|token|authorization|cookie", re.IGNORECASE)


def to_text(moment: datetime) -> str:
    """An aware datetime as UTC ISO text, so stored times sort as text."""
    if moment.tzinfo is None:
        raise ValueError("times stored locally must be timezone-aware")
    return moment.astimezone(UTC).isoformat()


def from_text(text: str) -> datetime:
    """The inverse of `to_text`."""
    return datetime.fromisoformat(text)


def sanitized(value: Any) -> Any:
    """A JSON-like value with the values of secret-sounding keys replaced, at any depth."""
    if isinstance(value, Mapping):
        return {
            key: REDACTED if isinstance(key, str) and _SECRET_KEY.search(key) else sanitized(item)
            for key, item in value.items()
        }
    if isinstance(value, list | tuple):
        return [sanitized(item) for item in value]
    return value


class StoreUnavailable(ServiceError):
    """The local database could not be read or written (disk full, the file damaged or locked).

    A typed service failure: whoever runs the work shows `user_message`; what was saved before stays."""

    def __init__(self, detail: str) -> None:
        super().__init__(
            "the local database",
            "The app could not save to (or read from) its local database — the disk may be full or "
            "the file damaged. Free some disk space and retry; what was saved before is kept.",
            detail,
        )


def _storage_failure(error: sqlite3.DatabaseError) -> bool:
    """Whether SQLite failed because of the disk or the file (locked, full, read-only, damaged) rather
    than because of a mistake in the app (a bad statement, a closed connection, a constraint)."""
    return isinstance(error, sqlite3.OperationalError) or type(error) is sqlite3.DatabaseError


class GuardedConnection:
    """The store's SQLite connection, with failures of the disk or the file turned into
    `StoreUnavailable` (the app's own mistakes stay what they are)."""

    def __init__(self, db: sqlite3.Connection) -> None:
        self._db = db

    def execute(self, sql: str, parameters: Any = ()) -> sqlite3.Cursor:
        try:
            return self._db.execute(sql, parameters)
        except sqlite3.DatabaseError as error:
            if _storage_failure(error):
                raise StoreUnavailable(f"{type(error).__name__}: {error}") from error
            raise

    def executemany(self, sql: str, rows: Iterable[Any]) -> sqlite3.Cursor:
        try:
            return self._db.executemany(sql, rows)
        except sqlite3.DatabaseError as error:
            if _storage_failure(error):
                raise StoreUnavailable(f"{type(error).__name__}: {error}") from error
            raise

    def close(self) -> None:
        self._db.close()

    @property
    def raw(self) -> sqlite3.Connection:
        """The connection itself (migrations, integrity checks)."""
        return self._db


@dataclass(frozen=True)
class CachedOrder:
    """One row of the orders list as last seen from the Service Provider."""

    id: str
    order_number: str
    status: str
    case_title: str
    court: str
    submitted_at: datetime | None
    updated_at: datetime
    clio_matter: str | None = None
    document_count: int = 0
    payload: Mapping[str, Any] = field(default_factory=dict, compare=False, repr=False)


@dataclass(frozen=True)
class Draft:
    """An autosaved order draft: its id, a title for the list, and the wizard's own data."""

    id: str
    title: str
    payload: Mapping[str, Any]
    created_at: datetime
    updated_at: datetime


def _set_aside(path: Path) -> Path:
    """Move a damaged database (and its write-ahead files) beside it, stamped, never deleting it."""
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    aside = path.with_name(f"{path.name}.damaged-{stamp}")
    count = 1
    while aside.exists():  # never over an earlier kept copy
        count += 1
        aside = path.with_name(f"{path.name}.damaged-{stamp}-{count}")
    path.replace(aside)
    for suffix in ("-wal", "-shm"):
        extra = path.with_name(path.name + suffix)
        if extra.exists():
            extra.replace(aside.with_name(aside.name + suffix))
    return aside


class Store:
    """The app's local database. Open with `Store.open(path)` (or ":memory:" in tests); `close()`.

    `journal` holds the returned-documents journal and the expense ledger; `hearings` the hearing
    ledger.
    """

    def __init__(
        self,
        connection: sqlite3.Connection,
        *,
        scrub: Callable[[str], str] | None = None,
        clock: Callable[[], datetime] | None = None,
    ) -> None:
        self._db = GuardedConnection(connection)
        self._scrub = scrub or Redactor().scrub
        self._clock = clock or (lambda: datetime.now(UTC))
        self.journal = Journal(self._db, self._now, self._scrub)
        self.hearings = HearingLedger(self._db, self._now, self._scrub)
        self.set_aside: Path | None = None
        """Where a damaged database was moved when this one was started afresh (None: it was not)."""

    @classmethod
    def open(
        cls,
        path: Path | str,
        *,
        scrub: Callable[[str], str] | None = None,
        clock: Callable[[], datetime] | None = None,
    ) -> Store:
        """Open (creating if needed) the database at `path`, in WAL mode, migrated to the latest schema.

        `scrub` cleans error texts before they are stored (pass the app's `Redactor.scrub` so live
        secrets are caught too). Raises `SchemaTooNew` for a database from a newer app version.
        """
        try:
            return cls._open(path, scrub, clock)
        except sqlite3.DatabaseError as error:
            # Damaged (not a database, a malformed image): keep it for the user and start afresh.
            # Locked, unreadable or full (OperationalError) is not damage: that is raised.
            if isinstance(error, sqlite3.OperationalError) or not isinstance(path, Path):
                raise
            aside = _set_aside(path)
            log.warning("local database damaged (%s): kept as %s, starting afresh", error, aside.name)
            store = cls._open(path, scrub, clock)
            store.set_aside = aside
            return store

    @classmethod
    def _open(
        cls,
        path: Path | str,
        scrub: Callable[[str], str] | None,
        clock: Callable[[], datetime] | None,
    ) -> Store:
        if isinstance(path, Path):
            path.parent.mkdir(parents=True, exist_ok=True)
            path.touch(mode=0o600, exist_ok=True)
        connection = sqlite3.connect(str(path), isolation_level=None, timeout=5.0)
        try:
            connection.execute("PRAGMA journal_mode = WAL")
            # NORMAL is durable across application crashes in WAL mode; only power loss may drop
            # the very last transactions, which the journal's resumable steps tolerate.
            connection.execute("PRAGMA synchronous = NORMAL")
            connection.execute("PRAGMA foreign_keys = ON")
            migrate(connection)
        except BaseException:
            connection.close()
            raise
        return cls(connection, scrub=scrub, clock=clock)

    @property
    def schema_version(self) -> int:
        """The open database's schema version (LATEST_VERSION once opened)."""
        return schema_version(self._db.raw)

    def close(self) -> None:
        """Fold the write-ahead log back into the database and close the connection."""
        try:
            self._db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        finally:
            self._db.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self.close()

    @contextmanager
    def _transaction(self) -> Iterator[GuardedConnection]:
        self._db.execute("BEGIN IMMEDIATE")
        try:
            yield self._db
        except BaseException:
            self._db.execute("ROLLBACK")
            raise
        self._db.execute("COMMIT")

    def _now(self) -> str:
        return to_text(self._clock())

    # Orders cache ---------------------------------------------------------------------------

    def save_orders(self, orders: Iterable[CachedOrder]) -> None:
        """Insert or update these orders (one transaction); others already cached are kept."""
        rows = [
            (
                order.id,
                order.order_number,
                order.status,
                order.case_title,
                order.court,
                to_text(order.submitted_at) if order.submitted_at else None,
                to_text(order.updated_at),
                order.clio_matter,
                order.document_count,
                json.dumps(sanitized(order.payload), separators=(",", ":")),
            )
            for order in orders
        ]
        with self._transaction() as db:
            db.executemany(
                "INSERT INTO orders VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET"
                " order_number = excluded.order_number, status = excluded.status,"
                " case_title = excluded.case_title, court = excluded.court,"
                " submitted_at = excluded.submitted_at, updated_at = excluded.updated_at,"
                " clio_matter = excluded.clio_matter, document_count = excluded.document_count,"
                " payload = excluded.payload",
                rows,
            )

    def forget_orders(self, ids: Iterable[int]) -> None:
        """Drop these orders from the cache (deleted at the Service Provider)."""
        with self._transaction() as db:
            db.executemany("DELETE FROM orders WHERE id = ?", [(i,) for i in ids])

    def cached_orders(self) -> list[CachedOrder]:
        """Every cached order, most recently submitted (or, for drafts, updated) first."""
        rows = self._db.execute(
            "SELECT * FROM orders ORDER BY coalesce(submitted_at, updated_at) DESC, order_number DESC"
        ).fetchall()
        return [
            CachedOrder(
                id=row[0],
                order_number=row[1],
                status=row[2],
                case_title=row[3],
                court=row[4],
                submitted_at=from_text(row[5]) if row[5] else None,
                updated_at=from_text(row[6]),
                clio_matter=row[7],
                document_count=row[8],
                payload=json.loads(row[9]),
            )
            for row in rows
        ]

    def clear_cache(self) -> None:
        """Forget cached orders and sync cursors (sign-out, or another account signing in)."""
        with self._transaction() as db:
            db.execute("DELETE FROM orders")
            db.execute("DELETE FROM sync_cursor")

    def get_sync_cursor(self, scope: str = "orders") -> str | None:
        """The last `updated_since` value seen for `scope`, or None before the first full sync."""
        row = self._db.execute("SELECT value FROM sync_cursor WHERE scope = ?", (scope,)).fetchone()
        return None if row is None else str(row[0])

    def set_sync_cursor(self, value: str, scope: str = "orders") -> None:
        """Remember where the next incremental sync of `scope` starts."""
        self._db.execute(
            "INSERT INTO sync_cursor VALUES (?, ?, ?)"
            " ON CONFLICT (scope) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at",
            (scope, value, self._now()),
        )

    # Drafts ---------------------------------------------------------------------------------

    def save_draft(self, draft_id: str, payload: Mapping[str, Any], *, title: str = "") -> None:
        """Create or overwrite a draft (autosave)."""
        now = self._now()
        self._db.execute(
            "INSERT INTO drafts VALUES (?, ?, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET"
            " title = excluded.title, payload = excluded.payload, updated_at = excluded.updated_at",
            (draft_id, title, json.dumps(sanitized(payload), separators=(",", ":")), now, now),
        )

    def load_drafts(self) -> list[Draft]:
        """Every saved draft, most recently changed first."""
        rows = self._db.execute("SELECT * FROM drafts ORDER BY updated_at DESC, id").fetchall()
        return [
            Draft(
                id=row[0],
                title=row[1],
                payload=json.loads(row[2]),
                created_at=from_text(row[3]),
                updated_at=from_text(row[4]),
            )
            for row in rows
        ]

    def delete_draft(self, draft_id: str) -> None:
        """Remove a draft (submitted or discarded); removing a missing one is fine."""
        self._db.execute("DELETE FROM drafts WHERE id = ?", (draft_id,))

    # Clio folders found or made once -----------------------------------------------------------

    def clio_folder(self, matter_id: int, role: str, name: str) -> int | None:
        """The Clio folder remembered for (`matter_id`, `role`, `name`), e.g. the matter's returns
        folder ("returns", "Returned from …") or an order's folder ("order", "Order-2417108")."""
        row = self._db.execute(
            "SELECT folder_id FROM clio_folders WHERE matter_id = ? AND role = ? AND name = ?",
            (matter_id, role, name),
        ).fetchone()
        return None if row is None else int(row[0])

    def remember_clio_folder(self, matter_id: int, role: str, name: str, folder_id: int) -> None:
        """Remember a Clio folder found or made (replacing what was remembered for it)."""
        self._db.execute(
            "INSERT INTO clio_folders VALUES (?, ?, ?, ?, ?) ON CONFLICT (matter_id, role, name)"
            " DO UPDATE SET folder_id = excluded.folder_id, created_at = excluded.created_at",
            (matter_id, role, name, folder_id, self._now()),
        )

    def forget_clio_folder(self, folder_id: int) -> None:
        """Forget a remembered folder (it was deleted or moved in Clio)."""
        self._db.execute("DELETE FROM clio_folders WHERE folder_id = ?", (folder_id,))

    # Facts about this workstation ---------------------------------------------------------------

    def workstation_id(self) -> str:
        """This profile's id towards the Service Provider's claims ("host-1a2b3c4d"), made once.

        Not secret: it tells the firm's other workstations who is filing an item right now."""
        row = self._db.execute("SELECT value FROM meta WHERE key = 'workstation_id'").fetchone()
        if row is not None:
            return str(row[0])
        host = re.sub(r"[^A-Za-z0-9._-]", "-", socket.gethostname())[:40] or "workstation"
        value = f"{host}-{secrets.token_hex(4)}"
        self._db.execute("INSERT OR IGNORE INTO meta VALUES ('workstation_id', ?)", (value,))
        row = self._db.execute("SELECT value FROM meta WHERE key = 'workstation_id'").fetchone()
        return str(row[0])

    def integrity_ok(self) -> bool:
        """SQLite's own check of the database file (`PRAGMA integrity_check`)."""
        row = self._db.execute("PRAGMA integrity_check").fetchone()
        return row is not None and row[0] == "ok"
