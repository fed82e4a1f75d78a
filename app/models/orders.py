"""The orders list: a table model over `Order` records and the proxy that filters and sorts it.

`OrdersModel.set_orders` updates rows in place (changed rows emit `dataChanged`, new rows are
inserted, gone rows removed), so a refresh every minute never loses the user's selection or scroll
position. The status column always carries a text label beside its icon and colour.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QDate,
    QLocale,
    QModelIndex,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
    QTimer,
)
from PySide6.QtGui import QColor

from app.appearance import icon
from app.services.legalconnect.records import Order, OrderStatus
from app.services.returns.status import OrderFiling

ModelIndex = QModelIndex | QPersistentModelIndex

ORDER_ROLE = Qt.ItemDataRole.UserRole + 1
"""Data role giving the row's `Order` record (any column)."""
SORT_ROLE = Qt.ItemDataRole.UserRole + 2
"""Data role giving a value that sorts the column naturally (dates as timestamps, counts as ints)."""


class Column(enum.IntEnum):
    NUMBER = 0
    CASE_TITLE = 1
    COURT = 2
    STATUS = 3
    SUBMITTED = 4
    CLIO_MATTER = 5
    DOCUMENTS = 6
    RETURNS = 7


HEADERS = {
    Column.NUMBER: "Order #",
    Column.CASE_TITLE: "Case title",
    Column.COURT: "Court",
    Column.STATUS: "Status",
    Column.SUBMITTED: "Submitted",
    Column.CLIO_MATTER: "Clio matter",
    Column.DOCUMENTS: "Documents",
    Column.RETURNS: "In Clio",
}

STATUS_COLOURS = {
    OrderStatus.DRAFT: "#5f6368",
    OrderStatus.SUBMITTED: "#1a4fa0",
    OrderStatus.UNDER_REVIEW: "#1a4fa0",
    OrderStatus.ACCEPTED: "#1e6b34",
    OrderStatus.REJECTED: "#a50e0e",
    OrderStatus.PARTIALLY_ACCEPTED: "#8a5a00",
    OrderStatus.CANCELLED: "#5f6368",
}
STATUS_ICONS = {
    OrderStatus.DRAFT: "status-draft",
    OrderStatus.SUBMITTED: "status-pending",
    OrderStatus.UNDER_REVIEW: "status-pending",
    OrderStatus.ACCEPTED: "status-accepted",
    OrderStatus.REJECTED: "status-rejected",
    OrderStatus.PARTIALLY_ACCEPTED: "status-partial",
    OrderStatus.CANCELLED: "status-cancelled",
}


_CA_SUPERIOR = "Superior Court of California, County of "


def short_court(name: str) -> str:
    """ "Superior Court of California, County of Orange" -> "Orange Superior Court": in a narrow
    column every row would otherwise show the same truncated prefix."""
    if name.startswith(_CA_SUPERIOR):
        return f"{name[len(_CA_SUPERIOR) :]} Superior Court"
    return name


def status_text(order: Order) -> str:
    """The status as words; an order the provider closed on its own says so."""
    return f"{order.status.label} (closed)" if order.closed else order.status.label


def short_date(moment: dt.datetime | None) -> str:
    """A date in the user's locale and time zone ("" for none)."""
    if moment is None:
        return ""
    local = moment.astimezone()
    return QLocale().toString(QDate(local.year, local.month, local.day), QLocale.FormatType.ShortFormat)


RETURNS_REPAINT_MS = 250


class OrdersModel(QAbstractTableModel):
    """The firm's orders, one row each, in the order they were first given."""

    def __init__(self, parent: Any = None, returns: Callable[[Order], OrderFiling] | None = None) -> None:
        """`returns` tells how an order's returned documents stand towards Clio (the In Clio column)."""
        super().__init__(parent)
        self._orders: list[Order] = []
        self._returns = returns
        self._filings: dict[int, OrderFiling] = {}
        # The filer reports every step; the view hears of them at most every RETURNS_REPAINT_MS,
        # in one signal (each one re-sorts, re-filters and re-measures the whole table).
        self._stale: set[int] = set()  # order ids
        self._repaint = QTimer(self)
        self._repaint.setSingleShot(True)
        self._repaint.setInterval(RETURNS_REPAINT_MS)
        self._repaint.timeout.connect(self._returns_repaint)

    # -- data -----------------------------------------------------------------------------------

    def rowCount(self, parent: ModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._orders)

    def columnCount(self, parent: ModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(Column)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = 0) -> Any:
        horizontal = orientation == Qt.Orientation.Horizontal
        if horizontal and role == Qt.ItemDataRole.DisplayRole and 0 <= section < len(Column):
            return HEADERS[Column(section)]
        return None

    def data(self, index: ModelIndex, role: int = 0) -> Any:
        if not index.isValid() or index.row() >= len(self._orders):
            return None
        order = self._orders[index.row()]
        column = Column(index.column())
        if role == ORDER_ROLE:
            return order
        if column == Column.RETURNS:
            return self._returns_data(order, role)
        if role == Qt.ItemDataRole.DisplayRole:
            return self._display(order, column)
        if role == SORT_ROLE:
            return self._sort_key(order, column)
        if column == Column.STATUS:
            if role == Qt.ItemDataRole.DecorationRole:
                return icon(STATUS_ICONS[order.status])
            if role == Qt.ItemDataRole.ForegroundRole:
                return QColor(STATUS_COLOURS[order.status])
        if role == Qt.ItemDataRole.ToolTipRole and column == Column.CASE_TITLE:
            return order.case_title
        if role == Qt.ItemDataRole.ToolTipRole and column == Column.COURT:
            return order.court_name
        if role == Qt.ItemDataRole.TextAlignmentRole and column == Column.DOCUMENTS:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    def column_texts(self, column: Column) -> list[str]:
        """What `column` shows in every row, for sizing it (In Clio: every shape its text takes,
        since it changes as returns are filed and must not re-measure the table each time)."""
        if column == Column.RETURNS:
            return OrderFiling.widest_texts()
        return [self._display(order, column) for order in self._orders]

    def filing(self, order: Order) -> OrderFiling:
        """How `order`'s returns stand towards Clio (read once, until `refresh_returns`)."""
        filing = self._filings.get(order.id)
        if filing is None:
            filing = self._returns(order) if self._returns else OrderFiling(0, 0, 0, None)
            self._filings[order.id] = filing
        return filing

    def set_returns(self, returns: Callable[[Order], OrderFiling]) -> None:
        """Where the In Clio column reads from, once the returns filer is there."""
        self._returns = returns
        self.refresh_returns()

    def refresh_returns(self, order_id: int | None = None) -> None:
        """An order's returns (None: any order's) changed towards Clio: read them again (at once
        when asked; the view is told shortly, once for however many changed meanwhile)."""
        if order_id is None:
            self._filings.clear()
            self._stale.update(o.id for o in self._orders)
        else:
            self._filings.pop(order_id, None)
            self._stale.add(order_id)
        if not self._repaint.isActive():
            self._repaint.start()

    def _returns_repaint(self) -> None:
        where = {order.id: row for row, order in enumerate(self._orders)}
        rows = [where[order_id] for order_id in self._stale if order_id in where]
        self._stale.clear()
        if rows:
            self.dataChanged.emit(
                self.index(min(rows), Column.RETURNS), self.index(max(rows), Column.RETURNS)
            )

    def _returns_data(self, order: Order, role: int) -> Any:
        filing = self.filing(order)
        if role in (Qt.ItemDataRole.DisplayRole, SORT_ROLE):
            return filing.text
        if role == Qt.ItemDataRole.ForegroundRole and filing.total:
            if filing.filed >= filing.total:
                return QColor(STATUS_COLOURS[OrderStatus.ACCEPTED])
            return QColor(STATUS_COLOURS[OrderStatus.REJECTED] if filing.failed else "#7a5200")
        return None

    @staticmethod
    def _display(order: Order, column: Column) -> str:
        match column:
            case Column.NUMBER:
                return order.display_number
            case Column.CASE_TITLE:
                return order.case_title
            case Column.COURT:
                return short_court(order.court_name)
            case Column.STATUS:
                return status_text(order)
            case Column.SUBMITTED:
                return short_date(order.submitted_at)
            case Column.CLIO_MATTER:
                return order.clio.matter_display_number if order.clio else ""
            case Column.DOCUMENTS:
                return str(order.document_count)
            case Column.RETURNS:
                return ""

    @staticmethod
    def _sort_key(order: Order, column: Column) -> Any:
        if column == Column.SUBMITTED:
            # Drafts have no submission date yet; they sort as the newest (work in progress).
            return order.submitted_at.timestamp() if order.submitted_at else float("inf")
        if column == Column.DOCUMENTS:
            return order.document_count
        if column == Column.NUMBER:
            return order.order_number or "~"  # drafts after every numbered order
        return OrdersModel._display(order, column).casefold()

    # -- updates --------------------------------------------------------------------------------

    def order_at(self, row: int) -> Order:
        return self._orders[row]

    def row_of(self, order_id: int) -> int | None:
        """The row showing order `order_id`, or None."""
        for row, order in enumerate(self._orders):
            if order.id == order_id:
                return row
        return None

    def orders(self) -> list[Order]:
        return list(self._orders)

    def set_orders(self, orders: list[Order]) -> None:
        """Show `orders`, updating rows in place so views keep their selection."""
        wanted = {o.id: o for o in orders}
        for row in range(len(self._orders) - 1, -1, -1):
            if self._orders[row].id not in wanted:
                self.beginRemoveRows(QModelIndex(), row, row)
                del self._orders[row]
                self.endRemoveRows()
        last_column = len(Column) - 1
        for row, old in enumerate(self._orders):
            new = wanted.pop(old.id)
            if new != old:
                self._orders[row] = new
                self._filings.pop(new.id, None)
                self.dataChanged.emit(self.index(row, 0), self.index(row, last_column))
        if wanted:
            first = len(self._orders)
            added = [o for o in orders if o.id in wanted]
            self.beginInsertRows(QModelIndex(), first, first + len(added) - 1)
            self._orders.extend(added)
            self.endInsertRows()


class StatusFilter(enum.Enum):
    """The choices of the status filter; `statuses` empty means every status."""

    ALL = ("All orders", ())
    DRAFTS = ("Drafts", (OrderStatus.DRAFT,))
    PENDING = ("Pending", (OrderStatus.SUBMITTED, OrderStatus.UNDER_REVIEW))
    ACCEPTED = ("Accepted", (OrderStatus.ACCEPTED,))
    REJECTED = ("Rejected", (OrderStatus.REJECTED,))
    PARTIALLY_ACCEPTED = ("Partially accepted", (OrderStatus.PARTIALLY_ACCEPTED,))
    CANCELLED = ("Cancelled", (OrderStatus.CANCELLED,))

    @property
    def label(self) -> str:
        label: str = self.value[0]
        return label

    @property
    def statuses(self) -> tuple[OrderStatus, ...]:
        statuses: tuple[OrderStatus, ...] = self.value[1]
        return statuses


def search_fields(order: Order) -> tuple[str, ...]:
    """What the search box looks in."""
    matter = order.clio.matter_display_number if order.clio else ""
    return (order.order_number or "", order.case_title, order.case_number, order.court_name, matter)


def matches(order: Order, status: StatusFilter, text: str) -> bool:
    """True when `order` passes the status filter and every word of `text` is found in one of its
    searched fields (case-insensitive), so "brightline orange" narrows as a user expects."""
    if status.statuses and order.status not in status.statuses:
        return False
    haystack = [field.casefold() for field in search_fields(order)]
    return all(any(word in field for field in haystack) for word in text.casefold().split())


class OrdersFilterModel(QSortFilterProxyModel):
    """Filters `OrdersModel` rows by status and search text; sorts by `SORT_ROLE`."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._status = StatusFilter.ALL
        self._text = ""
        self.setSortRole(SORT_ROLE)
        self.setDynamicSortFilter(True)

    @property
    def status_filter(self) -> StatusFilter:
        return self._status

    @property
    def search_text(self) -> str:
        return self._text

    def set_status_filter(self, status: StatusFilter) -> None:
        if status != self._status:
            self.beginFilterChange()
            self._status = status
            self.endFilterChange(QSortFilterProxyModel.Direction.Rows)

    def set_search_text(self, text: str) -> None:
        text = text.strip()
        if text != self._text:
            self.beginFilterChange()
            self._text = text
            self.endFilterChange(QSortFilterProxyModel.Direction.Rows)

    def filterAcceptsRow(self, source_row: int, source_parent: ModelIndex) -> bool:
        source = self.sourceModel()
        if not isinstance(source, OrdersModel) or source_parent.isValid():
            return False
        return matches(source.order_at(source_row), self._status, self._text)

    def order_at(self, row: int) -> Order | None:
        """The order shown in proxy row `row`."""
        value = self.data(self.index(row, 0), ORDER_ROLE)
        return value if isinstance(value, Order) else None
