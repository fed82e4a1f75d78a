"""The Activities page's data: the firm's Clio expenses (by default those that came from eFiling
orders), a page at a time, and the one edit the page makes — an expense's category.

Clio's `type` filter takes one value, so the expenses are listed once per expense type (expense,
hard cost, soft cost): ⌈N/200⌉ requests per type. Expenses from eFiling orders are found by the
fee-line marker the poster puts at the end of the note (`[LC 2417108/F3]`); `query` narrows the
listing to notes containing "[LC " and each note is then checked exactly. No Qt here.
"""

from __future__ import annotations

import csv
import datetime as dt
import os
import re
import tempfile
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from app.services.clio.records import Activity, Bill
from app.services.expenses.status import money

if TYPE_CHECKING:
    from app.services.clio.api import ClioClient

ENTRY_TYPES = ("ExpenseEntry", "HardCostEntry", "SoftCostEntry")
"""The kinds of activity that are expenses (a firm using hard and soft costs has all three)."""

MARKER_QUERY = "[LC "
"""What every eFiling expense's note contains (the start of its marker)."""

_MARKER = re.compile(r"\s*\[LC (?P<order>[^\s/\]]+)/F(?P<line>\d+)\]\s*$")

BILL_STATES = {
    "draft": "Draft",
    "awaiting_approval": "Awaiting approval",
    "awaiting_payment": "Awaiting payment",
    "paid": "Paid",
    "void": "Void",
    "deleted": "Deleted",
}
ISSUED_STATES = ("awaiting_payment", "paid")
"""An expense on a bill in these states is frozen in Clio until the bill is deleted or voided."""

ENTRY_TYPE_NAMES = {"ExpenseEntry": "Expense", "HardCostEntry": "Hard cost", "SoftCostEntry": "Soft cost"}


def invoice_status(bill: Bill | None) -> str:
    """ "Unbilled", or the bill's number and state: "Bill 1002 · Awaiting payment"."""
    if bill is None:
        return "Unbilled"
    state = BILL_STATES.get(bill.state, bill.state.replace("_", " ").capitalize())
    return f"Bill {bill.number or bill.id} · {state}"


@dataclass(frozen=True)
class ExpenseRow:
    """One Clio expense as the page shows it."""

    activity: Activity
    order_number: str | None
    """The eFiling order it came from (from the note's marker); None for other expenses."""
    fee_line_id: int | None

    @classmethod
    def of(cls, activity: Activity) -> ExpenseRow:
        found = _MARKER.search(activity.note)
        if found is None:
            return cls(activity, None, None)
        return cls(activity, found["order"], int(found["line"]))

    @property
    def id(self) -> int:
        return self.activity.id

    @property
    def from_efiling(self) -> bool:
        return self.order_number is not None

    @property
    def description(self) -> str:
        """The note without the marker."""
        return _MARKER.sub("", self.activity.note).strip()

    @property
    def amount_cents(self) -> int:
        return round(self.activity.total * 100)

    @property
    def invoice_status(self) -> str:
        return invoice_status(self.activity.bill)

    @property
    def frozen_reason(self) -> str | None:
        """Why Clio will not let this expense change (it is on an issued bill); None when it may."""
        bill = self.activity.bill
        if bill is not None and bill.state in ISSUED_STATES:
            state = BILL_STATES[bill.state].lower()
            return (
                f"This expense is on bill {bill.number or bill.id} ({state}). Clio keeps billed expenses "
                "as they are: to change it, delete or void that bill in Clio first."
            )
        return None


@dataclass(frozen=True)
class ExpenseFilter:
    """What to ask Clio for. Matter, type and text are narrowed on the page, without requests."""

    efiling_only: bool = True
    start: dt.date | None = None
    end: dt.date | None = None


async def load_expenses(client: ClioClient, wanted: ExpenseFilter) -> AsyncIterator[list[ExpenseRow]]:
    """The expenses `wanted` asks for, a page at a time, per expense type (never an empty page
    from the app's side: pages whose expenses all fail the exact marker check are skipped)."""
    query = MARKER_QUERY if wanted.efiling_only else None
    for entry_type in ENTRY_TYPES:
        async for page in client.activities(
            type=entry_type, start_date=wanted.start, end_date=wanted.end, query=query
        ):
            rows = [ExpenseRow.of(a) for a in page]
            if wanted.efiling_only:
                rows = [r for r in rows if r.from_efiling]
            if rows:
                yield rows


def what_changed(before: ExpenseRow, after: ExpenseRow) -> list[str]:
    """What someone else changed in Clio between two copies of an expense, in words."""
    a, b = before.activity, after.activity
    changes = []
    if a.expense_category_name != b.expense_category_name:
        changes.append(
            f"category {a.expense_category_name or '(none)'} → {b.expense_category_name or '(none)'}"
        )
    if before.amount_cents != after.amount_cents:
        changes.append(f"amount {money(before.amount_cents)} → {money(after.amount_cents)}")
    if a.date != b.date:
        changes.append(f"date {a.date} → {b.date}")
    if before.description != after.description:
        changes.append("description")
    if a.matter_id != b.matter_id:
        changes.append(f"matter {a.matter_display_number} → {b.matter_display_number}")
    if before.invoice_status != after.invoice_status:
        changes.append(f"invoice {before.invoice_status} → {after.invoice_status}")
    return changes


CSV_HEADER = (
    "Date",
    "Matter",
    "Order",
    "Description",
    "Category",
    "Amount",
    "Invoice status",
    "Type",
    "Clio activity id",
)


def csv_fields(row: ExpenseRow) -> tuple[str, ...]:
    """One expense as a line of the bookkeeper's CSV (amounts as plain numbers: 1234.50)."""
    a = row.activity
    return (
        a.date,
        a.matter_display_number,
        row.order_number or "",
        row.description,
        a.expense_category_name,
        f"{row.amount_cents / 100:.2f}",
        row.invoice_status,
        ENTRY_TYPE_NAMES.get(a.type, a.type),
        str(a.id),
    )


def write_csv(rows: Sequence[ExpenseRow], path: Path) -> None:
    """Write the expenses to `path` as CSV (UTF-8 with a byte-order mark, so spreadsheet programs
    read accents and dashes right), whole or not at all: an existing file is only replaced once
    the new one is complete."""
    handle, temp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=path.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8-sig", newline="") as out:
            writer = csv.writer(out)
            writer.writerow(CSV_HEADER)
            writer.writerows(csv_fields(row) for row in rows)
        Path(temp).replace(path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise
