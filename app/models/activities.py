"""The Activities page's models: the firm's Clio expenses as a table, and what the page narrows
them to (matter, type, text) with the totals of what is shown."""

from __future__ import annotations

import enum
from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
)

from app.models.orders import SORT_ROLE, ModelIndex
from app.services.expenses.activities import ENTRY_TYPE_NAMES, ExpenseRow
from app.services.expenses.status import money

ROW_ROLE = Qt.ItemDataRole.UserRole + 1
"""Data role giving the row's `ExpenseRow`."""

NO_CATEGORY = "(no category)"


class ExpenseColumn(enum.IntEnum):
    DATE = 0
    MATTER = 1
    ORDER = 2
    DESCRIPTION = 3
    CATEGORY = 4
    AMOUNT = 5
    INVOICE = 6


HEADERS = ("Date", "Matter", "Order", "Description", "Category", "Amount", "Invoice status")


def category_of(row: ExpenseRow) -> str:
    return row.activity.expense_category_name or NO_CATEGORY


class ExpensesModel(QAbstractTableModel):
    """Clio expenses, one per row, appended a page at a time as they arrive."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._rows: list[ExpenseRow] = []
        self._keys: list[tuple[Any, ...]] = []
        """Each row's sort key per column, made once: sorting asks for them thousands of times."""
        self._where: dict[int, int] = {}

    def rowCount(self, parent: ModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: ModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(HEADERS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = 0) -> Any:
        horizontal = orientation == Qt.Orientation.Horizontal
        if horizontal and role == Qt.ItemDataRole.DisplayRole and 0 <= section < len(HEADERS):
            return HEADERS[section]
        if horizontal and role == Qt.ItemDataRole.TextAlignmentRole and section == ExpenseColumn.AMOUNT:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    # -- contents -------------------------------------------------------------------------------

    def clear(self) -> None:
        self.beginResetModel()
        self._rows = []
        self._keys = []
        self._where = {}
        self.endResetModel()

    def append(self, rows: Sequence[ExpenseRow]) -> None:
        """Add a page of expenses (one already shown is replaced, not repeated)."""
        new = []
        for row in rows:
            if row.id in self._where:
                self.replace(row)
            else:
                new.append(row)
        if not new:
            return
        first = len(self._rows)
        self.beginInsertRows(QModelIndex(), first, first + len(new) - 1)
        for offset, row in enumerate(new):
            self._where[row.id] = first + offset
        self._rows.extend(new)
        self._keys.extend(_sort_keys(row) for row in new)
        self.endInsertRows()

    def replace(self, row: ExpenseRow) -> None:
        """Show Clio's newer copy of an expense already listed."""
        at = self._where.get(row.id)
        if at is None:
            return
        self._rows[at] = row
        self._keys[at] = _sort_keys(row)
        self.dataChanged.emit(self.index(at, 0), self.index(at, len(HEADERS) - 1))

    def rows(self) -> list[ExpenseRow]:
        return list(self._rows)

    def row_at(self, row: int) -> ExpenseRow:
        return self._rows[row]

    # -- data -----------------------------------------------------------------------------------

    def data(self, index: ModelIndex, role: int = 0) -> Any:
        at = index.row()
        if not index.isValid() or not 0 <= at < len(self._rows):
            return None
        if role == SORT_ROLE:  # first and cheap: sorting calls this most
            return self._keys[at][index.column()]
        row = self._rows[at]
        column = ExpenseColumn(index.column())
        if role == ROW_ROLE:
            return row
        if role == Qt.ItemDataRole.DisplayRole:
            return _text(row, column)
        if role == Qt.ItemDataRole.TextAlignmentRole and column == ExpenseColumn.AMOUNT:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.ToolTipRole:
            return _tooltip(row, column)
        return None


def _text(row: ExpenseRow, column: ExpenseColumn) -> str:
    activity = row.activity
    match column:
        case ExpenseColumn.DATE:
            return activity.date
        case ExpenseColumn.MATTER:
            return activity.matter_display_number or "(no matter)"
        case ExpenseColumn.ORDER:
            return row.order_number or ""
        case ExpenseColumn.DESCRIPTION:
            return row.description
        case ExpenseColumn.CATEGORY:
            return activity.expense_category_name
        case ExpenseColumn.AMOUNT:
            return money(row.amount_cents)
        case ExpenseColumn.INVOICE:
            return row.invoice_status


def _sort_key(row: ExpenseRow, column: ExpenseColumn) -> Any:
    if column == ExpenseColumn.AMOUNT:
        return row.amount_cents
    if column == ExpenseColumn.ORDER:
        return row.order_number.zfill(12) if row.order_number else ""
    return _text(row, column).casefold()


def _sort_keys(row: ExpenseRow) -> tuple[Any, ...]:
    return tuple(_sort_key(row, column) for column in ExpenseColumn)


def _tooltip(row: ExpenseRow, column: ExpenseColumn) -> str | None:
    if column == ExpenseColumn.ORDER and row.order_number:
        return "Double-click to open the order"
    if column == ExpenseColumn.INVOICE:
        return row.frozen_reason or "Not on an issued bill: its category can be changed"
    if column == ExpenseColumn.DESCRIPTION:
        kind = ENTRY_TYPE_NAMES.get(row.activity.type, row.activity.type)
        return f"{kind} in Clio (activity {row.id}): {row.activity.note}"
    return None


class ExpensesFilter(QSortFilterProxyModel):
    """The expenses of one matter, of one category, matching the search text; sorted by column."""

    def __init__(self, source: ExpensesModel, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.setSourceModel(source)
        self.setSortRole(SORT_ROLE)
        self.setDynamicSortFilter(True)
        self._matter: str | None = None
        self._category: str | None = None
        self._words: list[str] = []

    @property
    def expenses(self) -> ExpensesModel:
        source = self.sourceModel()
        assert isinstance(source, ExpensesModel)
        return source

    def set_matter(self, matter: str | None) -> None:
        """Only this matter's expenses (by display number); None: every matter."""
        self.beginFilterChange()
        self._matter = matter
        self.endFilterChange(QSortFilterProxyModel.Direction.Rows)

    def set_category(self, category: str | None) -> None:
        """Only expenses of this category (`NO_CATEGORY` for those without); None: every one."""
        self.beginFilterChange()
        self._category = category
        self.endFilterChange(QSortFilterProxyModel.Direction.Rows)

    def set_text(self, text: str) -> None:
        """Only expenses whose description, matter, order, category or invoice contain every word."""
        self.beginFilterChange()
        self._words = text.casefold().split()
        self.endFilterChange(QSortFilterProxyModel.Direction.Rows)

    def filterAcceptsRow(self, source_row: int, source_parent: QModelIndex | QPersistentModelIndex) -> bool:
        row = self.expenses.row_at(source_row)
        if self._matter is not None and row.activity.matter_display_number != self._matter:
            return False
        if self._category is not None and category_of(row) != self._category:
            return False
        if self._words:
            haystack = " ".join(_text(row, c) for c in ExpenseColumn).casefold()
            return all(word in haystack for word in self._words)
        return True

    def shown(self) -> list[ExpenseRow]:
        """The expenses shown, in the order shown."""
        model = self.expenses
        return [model.row_at(self.mapToSource(self.index(r, 0)).row()) for r in range(self.rowCount())]

    def total_cents(self) -> int:
        if self._matter is None and self._category is None and not self._words:
            return sum(row.amount_cents for row in self.expenses.rows())  # nothing hidden: no mapping
        return sum(row.amount_cents for row in self.shown())
