"""Exactly-once bookkeeping in the local database: the returned-documents journal and the expense
ledger. Reached as `Store.journal`.

Each returned document (by deliverable id) and each fee line (by order and fee line id) has one row
holding the last step it completed, the Clio ids learned on the way, the last error and how many
attempts failed. After a crash the filer resumes from the recorded step; deciding which step comes
next, and checking Clio for a document created just before the crash, is the filer's logic.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from app.services.store import GuardedConnection

#: Longest error text kept; the full story is in the log.
MAX_ERROR_CHARS = 2000


class ReturnStep(StrEnum):
    """Progress of one returned document, in order."""

    SEEN = "seen"
    DOWNLOADED = "downloaded"
    CLIO_DOCUMENT_CREATED = "clio_document_created"
    BYTES_STORED = "bytes_stored"
    MARKED_UPLOADED = "marked_uploaded"
    ACKNOWLEDGED = "acknowledged"


class ExpenseStep(StrEnum):
    """Progress of one fee line becoming a Clio expense, in order."""

    SEEN = "seen"
    CLIO_ACTIVITY_CREATED = "clio_activity_created"
    ACKNOWLEDGED = "acknowledged"


@dataclass(frozen=True)
class ReturnState:
    """Where one returned document stands."""

    deliverable_id: str
    order_id: str
    step: ReturnStep
    clio_folder_id: int | None
    clio_document_id: int | None
    error: str | None
    attempts: int
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True)
class ExpenseState:
    """Where one fee line stands."""

    order_id: str
    fee_line_id: str
    step: ExpenseStep
    clio_activity_id: int | None
    error: str | None
    attempts: int
    created_at: datetime
    updated_at: datetime


class Journal:
    """Record steps and failures; read states back. Shares the store's connection and thread."""

    def __init__(self, db: GuardedConnection, now: Callable[[], str], scrub: Callable[[str], str]) -> None:
        self._db = db
        self._now = now
        self._scrub = scrub

    def _error_text(self, error: str) -> str:
        return self._scrub(error)[:MAX_ERROR_CHARS]

    def record_return_step(
        self,
        deliverable_id: str,
        order_id: str,
        step: ReturnStep,
        *,
        clio_folder_id: int | None = None,
        clio_document_id: int | None = None,
    ) -> ReturnState:
        """Record that a returned document completed `step`; clears its last error.

        Clio ids already known are kept unless new ones are given.
        """
        now = self._now()
        self._db.execute(
            "INSERT INTO returns_journal VALUES (?, ?, ?, ?, ?, NULL, 0, ?, ?)"
            " ON CONFLICT (deliverable_id) DO UPDATE SET step = excluded.step, error = NULL,"
            " clio_folder_id = coalesce(excluded.clio_folder_id, clio_folder_id),"
            " clio_document_id = coalesce(excluded.clio_document_id, clio_document_id),"
            " updated_at = excluded.updated_at",
            (deliverable_id, order_id, ReturnStep(step).value, clio_folder_id, clio_document_id, now, now),
        )
        return self._return_state(deliverable_id)

    def record_return_error(self, deliverable_id: str, order_id: str, error: str) -> ReturnState:
        """Record a failed attempt at a returned document's next step (its step is unchanged)."""
        now = self._now()
        self._db.execute(
            "INSERT INTO returns_journal VALUES (?, ?, ?, NULL, NULL, ?, 1, ?, ?)"
            " ON CONFLICT (deliverable_id) DO UPDATE SET error = excluded.error,"
            " attempts = attempts + 1, updated_at = excluded.updated_at",
            (deliverable_id, order_id, ReturnStep.SEEN.value, self._error_text(error), now, now),
        )
        return self._return_state(deliverable_id)

    def return_state(self, deliverable_id: str) -> ReturnState | None:
        """Where a returned document stands, or None if never seen."""
        row = self._db.execute(
            "SELECT * FROM returns_journal WHERE deliverable_id = ?", (deliverable_id,)
        ).fetchone()
        return None if row is None else _return_row(row)

    def _return_state(self, deliverable_id: str) -> ReturnState:
        state = self.return_state(deliverable_id)
        assert state is not None  # just written on this connection
        return state

    def unfinished_returns(self) -> list[ReturnState]:
        """Returned documents not yet acknowledged, oldest first: the filer's work list."""
        rows = self._db.execute(
            "SELECT * FROM returns_journal WHERE step != ? ORDER BY created_at, deliverable_id",
            (ReturnStep.ACKNOWLEDGED.value,),
        ).fetchall()
        return [_return_row(row) for row in rows]

    def record_expense_step(
        self, order_id: str, fee_line_id: str, step: ExpenseStep, *, clio_activity_id: int | None = None
    ) -> ExpenseState:
        """Record that a fee line completed `step`; clears its last error."""
        now = self._now()
        self._db.execute(
            "INSERT INTO expense_ledger VALUES (?, ?, ?, ?, NULL, 0, ?, ?)"
            " ON CONFLICT (order_id, fee_line_id) DO UPDATE SET step = excluded.step, error = NULL,"
            " clio_activity_id = coalesce(excluded.clio_activity_id, clio_activity_id),"
            " updated_at = excluded.updated_at",
            (order_id, fee_line_id, ExpenseStep(step).value, clio_activity_id, now, now),
        )
        return self._expense_state(order_id, fee_line_id)

    def record_expense_error(self, order_id: str, fee_line_id: str, error: str) -> ExpenseState:
        """Record a failed attempt at a fee line's next step (its step is unchanged)."""
        now = self._now()
        self._db.execute(
            "INSERT INTO expense_ledger VALUES (?, ?, ?, NULL, ?, 1, ?, ?)"
            " ON CONFLICT (order_id, fee_line_id) DO UPDATE SET error = excluded.error,"
            " attempts = attempts + 1, updated_at = excluded.updated_at",
            (order_id, fee_line_id, ExpenseStep.SEEN.value, self._error_text(error), now, now),
        )
        return self._expense_state(order_id, fee_line_id)

    def expense_state(self, order_id: str, fee_line_id: str) -> ExpenseState | None:
        """Where a fee line stands, or None if never seen."""
        row = self._db.execute(
            "SELECT * FROM expense_ledger WHERE order_id = ? AND fee_line_id = ?", (order_id, fee_line_id)
        ).fetchone()
        return None if row is None else _expense_row(row)

    def _expense_state(self, order_id: str, fee_line_id: str) -> ExpenseState:
        state = self.expense_state(order_id, fee_line_id)
        assert state is not None  # just written on this connection
        return state

    def unfinished_expenses(self) -> list[ExpenseState]:
        """Fee lines not yet acknowledged, oldest first."""
        rows = self._db.execute(
            "SELECT * FROM expense_ledger WHERE step != ? ORDER BY created_at, order_id, fee_line_id",
            (ExpenseStep.ACKNOWLEDGED.value,),
        ).fetchall()
        return [_expense_row(row) for row in rows]


def _return_row(row: tuple[Any, ...]) -> ReturnState:
    return ReturnState(
        deliverable_id=str(row[0]),
        order_id=str(row[1]),
        step=ReturnStep(row[2]),
        clio_folder_id=None if row[3] is None else int(row[3]),
        clio_document_id=None if row[4] is None else int(row[4]),
        error=row[5],
        attempts=int(row[6]),
        created_at=datetime.fromisoformat(str(row[7])),
        updated_at=datetime.fromisoformat(str(row[8])),
    )


def _expense_row(row: tuple[Any, ...]) -> ExpenseState:
    return ExpenseState(
        order_id=str(row[0]),
        fee_line_id=str(row[1]),
        step=ExpenseStep(row[2]),
        clio_activity_id=None if row[3] is None else int(row[3]),
        error=row[4],
        attempts=int(row[5]),
        created_at=datetime.fromisoformat(str(row[6])),
        updated_at=datetime.fromisoformat(str(row[7])),
    )
