"""Table models for the order panel: the documents filed and the documents the court returned."""

from __future__ import annotations

import enum
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, Qt
from PySide6.QtGui import QColor

from app.appearance import human_size, icon, local_time
from app.models.orders import SORT_ROLE, ModelIndex
from app.services.expenses.status import FeeLineState, FeeState, money
from app.services.legalconnect.records import Deliverable, OrderDocument, OrderFeeLine
from app.services.returns.status import DeliverableFiling, FilingState

DOCUMENT_ROLE = Qt.ItemDataRole.UserRole + 1
"""Data role giving the row's `OrderDocument`."""
DELIVERABLE_ROLE = Qt.ItemDataRole.UserRole + 1
"""Data role giving the row's `Deliverable`."""


class _Table(QAbstractTableModel):
    """A flat, read-only table over a list of records."""

    HEADERS: tuple[str, ...] = ()

    def rowCount(self, parent: ModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else self._count()

    def columnCount(self, parent: ModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.HEADERS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = 0) -> Any:
        horizontal = orientation == Qt.Orientation.Horizontal
        if horizontal and role == Qt.ItemDataRole.DisplayRole and 0 <= section < len(self.HEADERS):
            return self.HEADERS[section]
        return None

    def _count(self) -> int:
        raise NotImplementedError


class DocumentColumn(enum.IntEnum):
    NAME = 0
    TYPE = 1
    ROLE = 2
    PAGES = 3
    SIZE = 4
    RESULT = 5
    REASON = 6


_RESULTS = {
    "accepted": ("Accepted", "status-accepted", "#1e6b34"),
    "rejected": ("Rejected", "status-rejected", "#a50e0e"),
    "pending": ("Pending review", "status-pending", "#1a4fa0"),
}


class DocumentsModel(_Table):
    """What was filed with an order, with the court's result and reason for each document."""

    HEADERS = ("Document", "Type", "Lead / attachment", "Pages", "Size", "Result", "Reject reason")

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._documents: list[OrderDocument] = []

    def _count(self) -> int:
        return len(self._documents)

    def set_documents(self, documents: list[OrderDocument] | tuple[OrderDocument, ...]) -> None:
        self.beginResetModel()
        self._documents = list(documents)
        self.endResetModel()

    def document_at(self, row: int) -> OrderDocument:
        return self._documents[row]

    def data(self, index: ModelIndex, role: int = 0) -> Any:
        if not index.isValid() or index.row() >= len(self._documents):
            return None
        doc = self._documents[index.row()]
        column = DocumentColumn(index.column())
        result = _RESULTS.get(doc.review_result or "")
        if role == DOCUMENT_ROLE:
            return doc
        if role in (Qt.ItemDataRole.DisplayRole, SORT_ROLE):
            return self._display(doc, column, sort=role == SORT_ROLE)
        if role == Qt.ItemDataRole.ToolTipRole and doc.reject_reason:
            return f"Rejected: {doc.reject_reason}"
        if column == DocumentColumn.RESULT and result is not None:
            if role == Qt.ItemDataRole.DecorationRole:
                return icon(result[1])
            if role == Qt.ItemDataRole.ForegroundRole:
                return QColor(result[2])
        if column == DocumentColumn.REASON and role == Qt.ItemDataRole.ForegroundRole and doc.reject_reason:
            return QColor(_RESULTS["rejected"][2])
        if role == Qt.ItemDataRole.TextAlignmentRole and column in (
            DocumentColumn.PAGES,
            DocumentColumn.SIZE,
        ):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    @staticmethod
    def _display(doc: OrderDocument, column: DocumentColumn, *, sort: bool) -> Any:
        match column:
            case DocumentColumn.NAME:
                return doc.name
            case DocumentColumn.TYPE:
                return doc.filing_code_name or doc.filing_code
            case DocumentColumn.ROLE:
                return "Lead" if doc.role == "lead" else "Attachment"
            case DocumentColumn.PAGES:
                if sort:
                    return doc.page_count or 0
                return "" if doc.page_count is None else str(doc.page_count)
            case DocumentColumn.SIZE:
                return (doc.size_bytes or 0) if sort else human_size(doc.size_bytes)
            case DocumentColumn.RESULT:
                result = _RESULTS.get(doc.review_result or "")
                return result[0] if result else "Not reviewed"
            case DocumentColumn.REASON:
                return doc.reject_reason or ""


class DeliverableColumn(enum.IntEnum):
    KIND = 0
    NAME = 1
    SIZE = 2
    RECEIVED = 3
    CLIO = 4


FILING_COLOURS = {
    FilingState.FILED: "#1e6b34",
    FilingState.FILING: "#1a4fa0",
    FilingState.WAITING: "#7a5200",
    FilingState.FAILED: "#a50e0e",
    FilingState.NOT_FILED: "#5f6368",
}
FILING_WORDS = {
    FilingState.FILED: "Filed",
    FilingState.FILING: "Filing…",
    FilingState.WAITING: "Waiting",
    FilingState.FAILED: "Failed",
    FilingState.NOT_FILED: "Not filed",
    FilingState.NOT_OFFERED: "",
}


class DeliverablesModel(_Table):
    """The documents the court returned for an order (conformed copies, receipts, notices…)."""

    HEADERS = ("Kind", "Document", "Size", "Received", "In Clio")

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._items: list[Deliverable] = []
        self._filing: Callable[[Deliverable], DeliverableFiling] | None = None
        self._states: dict[int, DeliverableFiling] = {}

    def _count(self) -> int:
        return len(self._items)

    def set_deliverables(
        self, items: list[Deliverable], filing: Callable[[Deliverable], DeliverableFiling] | None = None
    ) -> None:
        """Show `items`; `filing` tells each one's state towards Clio (the In Clio column)."""
        self.beginResetModel()
        self._items = list(items)
        self._filing = filing
        self._states = {}
        self.endResetModel()

    def refresh_filing(self) -> None:
        """The rows' states towards Clio may have changed: read them again."""
        self._states = {}
        if self._items:
            column = DeliverableColumn.CLIO
            self.dataChanged.emit(self.index(0, column), self.index(len(self._items) - 1, column))

    def filing_at(self, row: int) -> DeliverableFiling:
        """Row `row`'s state towards Clio."""
        item = self._items[row]
        state = self._states.get(item.id)
        if state is None:
            state = self._filing(item) if self._filing else DeliverableFiling(FilingState.NOT_OFFERED, "")
            self._states[item.id] = state
        return state

    def deliverable_at(self, row: int) -> Deliverable:
        return self._items[row]

    def data(self, index: ModelIndex, role: int = 0) -> Any:
        if not index.isValid() or index.row() >= len(self._items):
            return None
        item = self._items[index.row()]
        column = DeliverableColumn(index.column())
        if role == DELIVERABLE_ROLE:
            return item
        if role == SORT_ROLE:
            if column == DeliverableColumn.SIZE:
                return item.size_bytes
            if column == DeliverableColumn.RECEIVED:
                return item.received_at.timestamp()
        if column == DeliverableColumn.CLIO:
            return self._clio_data(index.row(), role)
        if role in (Qt.ItemDataRole.DisplayRole, SORT_ROLE):
            match column:
                case DeliverableColumn.KIND:
                    return item.kind_label
                case DeliverableColumn.NAME:
                    return item.name
                case DeliverableColumn.SIZE:
                    return human_size(item.size_bytes)
                case DeliverableColumn.RECEIVED:
                    return local_time(item.received_at)
        if role == Qt.ItemDataRole.TextAlignmentRole and column == DeliverableColumn.SIZE:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    def _clio_data(self, row: int, role: int) -> Any:
        filing = self.filing_at(row)
        if role in (Qt.ItemDataRole.DisplayRole, SORT_ROLE):
            return FILING_WORDS[filing.state]
        if role == Qt.ItemDataRole.ToolTipRole:
            return filing.text or None
        if role == Qt.ItemDataRole.ForegroundRole and filing.state in FILING_COLOURS:
            return QColor(FILING_COLOURS[filing.state])
        if role == Qt.ItemDataRole.AccessibleDescriptionRole:
            return filing.text
        return None


class FeeColumn(enum.IntEnum):
    FEE = 0
    AMOUNT = 1
    CLIO = 2


FEE_COLOURS = {
    FeeState.POSTED: "#1e6b34",
    FeeState.POSTING: "#1a4fa0",
    FeeState.WAITING: "#7a5200",
    FeeState.FAILED: "#a50e0e",
    FeeState.NOT_POSTED: "#5f6368",
}
FEE_WORDS = {
    FeeState.POSTED: "Posted",
    FeeState.POSTING: "Posting…",
    FeeState.WAITING: "Pending",
    FeeState.FAILED: "Failed",
    FeeState.NOT_POSTED: "Not posted",
}


class FeesModel(_Table):
    """A decided order's itemised fees and each one's state as a Clio expense."""

    HEADERS = ("Fee", "Amount", "In Clio")

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._lines: list[OrderFeeLine] = []
        self._state: Callable[[OrderFeeLine], FeeLineState] | None = None
        self._states: dict[int, FeeLineState] = {}

    def _count(self) -> int:
        return len(self._lines)

    def set_lines(
        self, lines: list[OrderFeeLine], state: Callable[[OrderFeeLine], FeeLineState] | None = None
    ) -> None:
        """Show `lines`; `state` tells each one's state towards Clio (the In Clio column)."""
        self.beginResetModel()
        self._lines = list(lines)
        self._state = state
        self._states = {}
        self.endResetModel()

    def refresh_states(self) -> None:
        """The lines' states towards Clio may have changed: read them again."""
        self._states = {}
        if self._lines:
            self.dataChanged.emit(
                self.index(0, FeeColumn.CLIO), self.index(len(self._lines) - 1, FeeColumn.CLIO)
            )

    @property
    def total_cents(self) -> int:
        return sum(line.amount_cents for line in self._lines)

    def state_at(self, row: int) -> FeeLineState | None:
        """Row `row`'s state towards Clio (None: Clio is not part of the picture)."""
        if self._state is None:
            return None
        line = self._lines[row]
        state = self._states.get(line.id)
        if state is None:
            state = self._states[line.id] = self._state(line)
        return state

    def states(self) -> list[FeeLineState]:
        return [s for row in range(len(self._lines)) if (s := self.state_at(row)) is not None]

    def data(self, index: ModelIndex, role: int = 0) -> Any:
        if not index.isValid() or index.row() >= len(self._lines):
            return None
        line = self._lines[index.row()]
        column = FeeColumn(index.column())
        if column == FeeColumn.CLIO:
            return self._clio_data(index.row(), role)
        if role == SORT_ROLE:
            return line.amount_cents if column == FeeColumn.AMOUNT else line.description
        if role == Qt.ItemDataRole.DisplayRole:
            return money(line.amount_cents) if column == FeeColumn.AMOUNT else line.description
        if role == Qt.ItemDataRole.ToolTipRole and column == FeeColumn.FEE:
            return line.description
        if role == Qt.ItemDataRole.TextAlignmentRole and column == FeeColumn.AMOUNT:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    def _clio_data(self, row: int, role: int) -> Any:
        state = self.state_at(row)
        if state is None:
            return None
        if role in (Qt.ItemDataRole.DisplayRole, SORT_ROLE):
            return FEE_WORDS[state.state]
        if role in (Qt.ItemDataRole.ToolTipRole, Qt.ItemDataRole.AccessibleDescriptionRole):
            return state.text
        if role == Qt.ItemDataRole.ForegroundRole:
            return QColor(FEE_COLOURS[state.state])
        return None
