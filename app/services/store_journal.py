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
    """Progress of one returned document, in order; the last three are where it ends."""

    SEEN = "seen"
    DOWNLOADED = "downloaded"
    CLIO_DOCUMENT_CREATED = "clio_document_created"
    BYTES_STORED = "bytes_stored"
    MARKED_UPLOADED = "marked_uploaded"
    ACKNOWLEDGED = "acknowledged"
    """Filed into Clio by this workstation, and recorded on the Service Provider."""
    FILED_ELSEWHERE = "filed_elsewhere"
    """Another workstation of the firm filed it (the Service Provider says where)."""
    DELETED_IN_CLIO = "deleted_in_clio"
    """It was filed, and the user deleted it in Clio: it is never filed again."""

    @property
    def final(self) -> bool:
        return self in FINAL_RETURN_STEPS


FINAL_RETURN_STEPS = frozenset(
    {ReturnStep.ACKNOWLEDGED, ReturnStep.FILED_ELSEWHERE, ReturnStep.DELETED_IN_CLIO}
)


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
    """The order's folder in Clio (`Order-#######`)."""
    clio_document_id: int | None
    error: str | None
    attempts: int
    created_at: datetime
    updated_at: datetime
    matter_id: int | None = None
    returns_folder_id: int | None = None
    """The matter's `Returned from <provider>` folder that holds the order's folder."""
    clio_name: str | None = None
    """The document's name in Clio."""
    clio_path: str | None = None
    """Where it is, as the user reads it: "00002-Brightline › Returned from … › Order-2417108"."""


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
        matter_id: int | None = None,
        returns_folder_id: int | None = None,
        clio_name: str | None = None,
        clio_path: str | None = None,
    ) -> ReturnState:
        """Record that a returned document completed `step`; clears its last error.

        Clio ids and names already known are kept unless new ones are given.
        """
        now = self._now()
        self._db.execute(
            "INSERT INTO returns_journal (deliverable_id, order_id, step, clio_folder_id, clio_document_id,"
            " error, attempts, created_at, updated_at, matter_id, returns_folder_id, clio_name, clio_path)"
            " VALUES (?, ?, ?, ?, ?, NULL, 0, ?, ?, ?, ?, ?, ?)"
            " ON CONFLICT (deliverable_id) DO UPDATE SET step = excluded.step, error = NULL,"
            " clio_folder_id = coalesce(excluded.clio_folder_id, clio_folder_id),"
            " clio_document_id = coalesce(excluded.clio_document_id, clio_document_id),"
            " matter_id = coalesce(excluded.matter_id, matter_id),"
            " returns_folder_id = coalesce(excluded.returns_folder_id, returns_folder_id),"
            " clio_name = coalesce(excluded.clio_name, clio_name),"
            " clio_path = coalesce(excluded.clio_path, clio_path),"
            " updated_at = excluded.updated_at",
            (
                deliverable_id,
                order_id,
                ReturnStep(step).value,
                clio_folder_id,
                clio_document_id,
                now,
                now,
                matter_id,
                returns_folder_id,
                clio_name,
                clio_path,
            ),
        )
        return self._return_state(deliverable_id)

    def record_return_error(self, deliverable_id: str, order_id: str, error: str) -> ReturnState:
        """Record a failed attempt at a returned document's next step (its step is unchanged)."""
        now = self._now()
        self._db.execute(
            "INSERT INTO returns_journal (deliverable_id, order_id, step, error, attempts, created_at,"
            " updated_at) VALUES (?, ?, ?, ?, 1, ?, ?)"
            " ON CONFLICT (deliverable_id) DO UPDATE SET error = excluded.error,"
            " attempts = attempts + 1, updated_at = excluded.updated_at",
            (deliverable_id, order_id, ReturnStep.SEEN.value, self._error_text(error), now, now),
        )
        return self._return_state(deliverable_id)

    def clear_return_error(self, deliverable_id: str) -> None:
        """Forget a returned document's last error (the user pressed Retry)."""
        self._db.execute(
            "UPDATE returns_journal SET error = NULL, attempts = 0 WHERE deliverable_id = ?",
            (deliverable_id,),
        )

    def return_state(self, deliverable_id: str) -> ReturnState | None:
        """Where a returned document stands, or None if never seen."""
        row = self._db.execute(
            f"SELECT {_RETURN_COLUMNS} FROM returns_journal WHERE deliverable_id = ?",  # noqa: S608
            (deliverable_id,),
        ).fetchone()
        return None if row is None else _return_row(row)

    def _return_state(self, deliverable_id: str) -> ReturnState:
        state = self.return_state(deliverable_id)
        assert state is not None  # just written on this connection
        return state

    def returns_of_order(self, order_id: str) -> list[ReturnState]:
        """Every returned document of an order seen here, in the order they were first seen."""
        rows = self._db.execute(
            f"SELECT {_RETURN_COLUMNS} FROM returns_journal WHERE order_id = ?"  # noqa: S608
            " ORDER BY created_at, deliverable_id",
            (order_id,),
        ).fetchall()
        return [_return_row(row) for row in rows]

    def finished_returns(self) -> dict[str, int]:
        """Per order id, how many of its returned documents are at a final step (cheap; no network)."""
        finals = tuple(step.value for step in FINAL_RETURN_STEPS)
        rows = self._db.execute(
            "SELECT order_id, count(*) FROM returns_journal WHERE step IN (?, ?, ?) GROUP BY order_id",
            finals,
        ).fetchall()
        return {str(order_id): int(count) for order_id, count in rows}

    def unfinished_returns(self) -> list[ReturnState]:
        """Returned documents not yet at a final step, oldest first: the filer's work list."""
        finals = tuple(step.value for step in FINAL_RETURN_STEPS)
        rows = self._db.execute(
            f"SELECT {_RETURN_COLUMNS} FROM returns_journal WHERE step NOT IN (?, ?, ?)"  # noqa: S608
            " ORDER BY created_at, deliverable_id",
            finals,
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

    def expenses_of_order(self, order_id: str) -> list[ExpenseState]:
        """Every fee line of an order seen here, in the order they were first seen."""
        rows = self._db.execute(
            "SELECT * FROM expense_ledger WHERE order_id = ? ORDER BY created_at, fee_line_id", (order_id,)
        ).fetchall()
        return [_expense_row(row) for row in rows]

    def expense_counts(self) -> dict[str, tuple[int, int]]:
        """Per order id: how many fee lines were seen here, and how many are acknowledged (no network)."""
        rows = self._db.execute(
            "SELECT order_id, count(*), sum(step = ?) FROM expense_ledger GROUP BY order_id",
            (ExpenseStep.ACKNOWLEDGED.value,),
        ).fetchall()
        return {str(order_id): (int(seen), int(done or 0)) for order_id, seen, done in rows}

    def clear_expense_error(self, order_id: str, fee_line_id: str) -> None:
        """Forget a fee line's last error (the user pressed Retry)."""
        self._db.execute(
            "UPDATE expense_ledger SET error = NULL, attempts = 0 WHERE order_id = ? AND fee_line_id = ?",
            (order_id, fee_line_id),
        )

    def approve_fees(self, order_id: str) -> None:
        """Someone reviewed the order's fees: they may go to Clio (fee posting "after review")."""
        self._db.execute("INSERT OR IGNORE INTO fee_approvals VALUES (?, ?)", (order_id, self._now()))

    def fees_approved(self, order_id: str) -> bool:
        row = self._db.execute("SELECT 1 FROM fee_approvals WHERE order_id = ?", (order_id,)).fetchone()
        return row is not None

    def unfinished_expenses(self) -> list[ExpenseState]:
        """Fee lines not yet acknowledged, oldest first."""
        rows = self._db.execute(
            "SELECT * FROM expense_ledger WHERE step != ? ORDER BY created_at, order_id, fee_line_id",
            (ExpenseStep.ACKNOWLEDGED.value,),
        ).fetchall()
        return [_expense_row(row) for row in rows]


_RETURN_COLUMNS = (
    "deliverable_id, order_id, step, clio_folder_id, clio_document_id, error, attempts, created_at,"
    " updated_at, matter_id, returns_folder_id, clio_name, clio_path"
)


def _optional_int(value: Any) -> int | None:
    return None if value is None else int(value)


def _return_row(row: tuple[Any, ...]) -> ReturnState:
    return ReturnState(
        deliverable_id=str(row[0]),
        order_id=str(row[1]),
        step=ReturnStep(row[2]),
        clio_folder_id=_optional_int(row[3]),
        clio_document_id=_optional_int(row[4]),
        error=row[5],
        attempts=int(row[6]),
        created_at=datetime.fromisoformat(str(row[7])),
        updated_at=datetime.fromisoformat(str(row[8])),
        matter_id=_optional_int(row[9]),
        returns_folder_id=_optional_int(row[10]),
        clio_name=row[11],
        clio_path=row[12],
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
