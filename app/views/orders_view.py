"""The orders area of the main window: the filter row over the sortable orders table."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QEvent, QItemSelection, QModelIndex, QPoint, QSize, Qt, QTimer, Signal
from PySide6.QtGui import QKeyEvent, QResizeEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMenu,
    QTableView,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from app.appearance import icon
from app.models.orders import Column, OrdersFilterModel, OrdersModel, StatusFilter
from app.services.legalconnect.records import Order, OrderStatus
from app.services.returns.status import OrderFiling

NARROW_COLUMNS = (Column.NUMBER, Column.STATUS, Column.SUBMITTED, Column.DOCUMENTS, Column.RETURNS)
ICON_SIZE = QSize(16, 16)
"""The status icons' size, set on the table (the styles' small-icon size) so the column sizing knows it."""
CELL_PADDING = 14
"""A cell's margins beside its text: the focus frame's (2 x (2 + 1) px in the common styles) and 8 px
of air. A constant, not asked of `QStyle`, whose enums alone cost ~8 ms of start-up to create."""


WIDE_MINIMUM_CHARS = {Column.CASE_TITLE: 16, Column.COURT: 10}
"""The wide columns share what the others leave, but never shrink below this many average
characters: a narrow window scrolls sideways rather than hiding every case title."""


class OrdersTable(QTableView):
    """The orders table; Enter or Return opens the current order like a double-click does."""

    sig_activated = Signal(QModelIndex)
    """Emitted with the proxy index when the user opens a row (double-click, Enter, Return)."""
    sig_resized = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.doubleClicked.connect(self.sig_activated)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self.sig_resized.emit()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and self.currentIndex().isValid():
            self.sig_activated.emit(self.currentIndex())
            return
        super().keyPressEvent(event)


class OrdersView(QWidget):
    """Status filter, search and the orders table, over `OrdersModel` through `OrdersFilterModel`."""

    sig_selected = Signal(object)
    """Emitted with the selected `Order`, or None when the selection becomes empty."""
    sig_delete_draft = Signal(object)
    """Emitted with a draft `Order` the user asked to delete (its row's context menu)."""
    sig_opened = Signal(object)
    """Emitted with the `Order` the user opened (double-click, Enter)."""

    def __init__(
        self, parent: QWidget | None = None, returns: Callable[[Order], OrderFiling] | None = None
    ) -> None:
        """`returns` tells how an order's returned documents stand towards Clio (the In Clio column)."""
        super().__init__(parent)
        self.model = OrdersModel(self, returns)
        self.proxy = OrdersFilterModel(self)
        self.proxy.setSourceModel(self.model)

        self.status_combo = QComboBox()
        self.status_combo.setAccessibleName("Status filter")
        for choice in StatusFilter:
            self.status_combo.addItem(choice.label, choice)
        self.search = QLineEdit()
        self.search.setPlaceholderText("Search order #, case, court, Clio matter  (Ctrl+F)")
        self.search.setAccessibleName("Search orders")
        self.search.setClearButtonEnabled(True)
        self.clear_button = QToolButton()
        self.clear_button.setIcon(icon("clear"))
        self.clear_button.setText("Clear filters")
        self.clear_button.setToolTip("Clear the status filter and the search")
        self.clear_button.setAccessibleName("Clear filters")
        self.count_label = QLabel()
        self.count_label.setObjectName("panelMessage")
        status_label = QLabel("&Show:")
        status_label.setBuddy(self.status_combo)

        filters = QHBoxLayout()
        filters.setContentsMargins(0, 0, 0, 0)
        filters.addWidget(status_label)
        filters.addWidget(self.status_combo)
        filters.addWidget(self.search, 1)
        filters.addWidget(self.clear_button)
        filters.addWidget(self.count_label)

        self.table = OrdersTable()
        self.table.setAccessibleName("Orders")
        self.table.setModel(self.proxy)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSortingEnabled(True)
        self.table.sortByColumn(Column.SUBMITTED, Qt.SortOrder.DescendingOrder)
        self.table.setAlternatingRowColors(True)
        self.table.verticalHeader().setVisible(False)
        self.table.setIconSize(ICON_SIZE)
        self.table.setTabKeyNavigation(False)  # Tab leaves the table, arrows move inside it
        self.table.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.table.customContextMenuRequested.connect(self._context_menu)
        self.context_menu: QMenu | None = None
        """The last context menu shown (tests read its actions)."""
        self.table.setWordWrap(False)  # one line per order; long texts are elided, full text in tooltips
        header = self.table.horizontalHeader()
        for column in NARROW_COLUMNS:
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.Fixed)
        self._sizing_due = False
        self._size_columns()
        for changed in (self.model.rowsInserted, self.model.rowsRemoved, self.model.modelReset):
            changed.connect(self._size_columns_soon)
        self.model.dataChanged.connect(self._data_changed)
        header.setSectionResizeMode(Column.CASE_TITLE, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(Column.COURT, QHeaderView.ResizeMode.Stretch)
        header.resizeSection(Column.CLIO_MATTER, 110)
        header.setStretchLastSection(False)
        if returns is None:
            self.table.setColumnHidden(Column.RETURNS, True)
        self.table.sig_resized.connect(self._fit_wide_columns)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 0)
        layout.addLayout(filters)
        layout.addWidget(self.table, 1)
        self.setTabOrder(self.status_combo, self.search)
        self.setTabOrder(self.search, self.clear_button)
        self.setTabOrder(self.clear_button, self.table)

        self.status_combo.currentIndexChanged.connect(self._status_changed)
        self.search.textChanged.connect(self._search_changed)
        self.clear_button.clicked.connect(self.clear_filters)
        self.table.sig_activated.connect(self._activated)
        self.table.selectionModel().selectionChanged.connect(self._selection_changed)
        self._selected_id: int | None = None
        self._update_count()

    def _size_columns(self) -> None:
        """The narrow columns fit what they show and their header, measured from the texts (not
        cell by cell through the view), when rows come, go or change — never when only the In Clio
        column changed, which is sized for its widest text once: letting Qt measure contents on
        every change (ResizeToContents) cost the whole table per filed document, 100+ ms with a
        few hundred orders."""
        self._sizing_due = False
        self.table.ensurePolished()
        metrics = self.table.fontMetrics()
        header = self.table.horizontalHeader()
        padding = CELL_PADDING
        decoration = ICON_SIZE.width()
        for column in NARROW_COLUMNS:
            texts = self.model.column_texts(column)
            width = max((metrics.horizontalAdvance(text) for text in texts), default=0) + padding
            if column == Column.STATUS:
                width += decoration + 4
            width = max(width, header.sectionSizeFromContents(column).width())
            if header.sectionSize(column) != width:
                header.resizeSection(column, width)
        self._fit_wide_columns()

    def show_returns_column(self, shown: bool) -> None:
        """Show or hide In Clio (shown when the Service Provider offers Clio)."""
        if self.table.isColumnHidden(Column.RETURNS) == shown:
            self.table.setColumnHidden(Column.RETURNS, not shown)
            self._fit_wide_columns()

    def _fit_wide_columns(self) -> None:
        """Case title and court stretch into what the narrow columns leave; when that is less than
        their minimums, they keep their minimums and the table scrolls sideways."""
        header = self.table.horizontalHeader()
        char = self.table.fontMetrics().averageCharWidth()
        minimums = {column: chars * char + CELL_PADDING for column, chars in WIDE_MINIMUM_CHARS.items()}
        others = sum(
            header.sectionSize(column)
            for column in Column
            if column not in minimums and not self.table.isColumnHidden(column)
        )
        squeezed = self.table.viewport().width() - others < sum(minimums.values())
        mode = QHeaderView.ResizeMode.Interactive if squeezed else QHeaderView.ResizeMode.Stretch
        for column, minimum in minimums.items():
            if header.sectionResizeMode(column) != mode:
                header.setSectionResizeMode(column, mode)
            if squeezed and header.sectionSize(column) < minimum:
                header.resizeSection(column, minimum)

    def _size_columns_soon(self) -> None:
        if not self._sizing_due:
            self._sizing_due = True
            QTimer.singleShot(0, self, self._size_columns)

    def _data_changed(self, top_left: QModelIndex, bottom_right: QModelIndex) -> None:
        if not (top_left.column() == bottom_right.column() == Column.RETURNS):
            self._size_columns_soon()

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() in (QEvent.Type.FontChange, QEvent.Type.StyleChange):
            self._size_columns_soon()

    # -- filters --------------------------------------------------------------------------------

    def _status_changed(self, _index: int) -> None:
        choice = self.status_combo.currentData()
        if isinstance(choice, StatusFilter):
            self.proxy.set_status_filter(choice)
        self._update_count()

    def _search_changed(self, text: str) -> None:
        self.proxy.set_search_text(text)
        self._update_count()

    def set_status_filter(self, choice: StatusFilter) -> None:
        self.status_combo.setCurrentIndex(self.status_combo.findData(choice))

    def clear_filters(self) -> None:
        self.set_status_filter(StatusFilter.ALL)
        self.search.clear()

    def focus_search(self) -> None:
        self.search.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.search.selectAll()

    def _update_count(self) -> None:
        shown, total = self.proxy.rowCount(), self.model.rowCount()
        self.count_label.setText(f"{shown} of {total}" if shown != total else f"{total} orders")

    # -- orders and selection -------------------------------------------------------------------

    def set_orders(self, orders: list[Order]) -> None:
        """Show `orders`; the selected order stays selected (and re-announced if it changed)."""
        before = self.selected_order()
        self.model.set_orders(orders)
        self._update_count()
        after = self.selected_order()
        if after is not None and after != before:
            self.sig_selected.emit(after)

    def visible_orders(self) -> list[Order]:
        """The orders the filter lets through, in the table's current order."""
        return [o for row in range(self.proxy.rowCount()) if (o := self.proxy.order_at(row)) is not None]

    def selected_order(self) -> Order | None:
        rows = self.table.selectionModel().selectedRows()
        return self.proxy.order_at(rows[0].row()) if rows else None

    def select_order(self, order_id: int) -> bool:
        """Select and show the row of `order_id` (False when it is filtered out or unknown)."""
        row = self.model.row_of(order_id)
        if row is None:
            return False
        index = self.proxy.mapFromSource(self.model.index(row, 0))
        if not index.isValid():
            return False
        self.table.selectRow(index.row())
        self.table.scrollTo(index)
        return True

    def _selection_changed(self, _selected: QItemSelection, _deselected: QItemSelection) -> None:
        order = self.selected_order()
        order_id = order.id if order else None
        if order_id != self._selected_id:
            self._selected_id = order_id
            self.sig_selected.emit(order)

    def _activated(self, index: QModelIndex) -> None:
        order = self.proxy.order_at(index.row())
        if order is not None:
            self.sig_opened.emit(order)

    def _context_menu(self, at: QPoint) -> None:
        """A draft's row: Open Draft, Delete Draft…; any other row: Open."""
        index = self.table.indexAt(at)
        order = self.proxy.order_at(index.row()) if index.isValid() else None
        if order is None:
            return
        menu = QMenu(self)
        if order.status is OrderStatus.DRAFT:
            menu.addAction("&Open Draft", lambda: self.sig_opened.emit(order))
            menu.addAction("&Delete Draft…", lambda: self.sig_delete_draft.emit(order))
        else:
            menu.addAction("&Open", lambda: self.sig_opened.emit(order))
        self.context_menu = menu
        menu.popup(self.table.viewport().mapToGlobal(at))
