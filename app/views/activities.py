"""The Activities page: the firm's Clio expenses that came from eFiling orders (or all of them),
to review, categorise and hand to the bookkeeper.

It loads from Clio a page at a time in the background and shows each page as it arrives, so the
first rows come at once and the window never waits. The date range is asked of Clio (it can hold
years of expenses); matter, type and the search box narrow what is loaded, with no request. Above
the table, the orders whose fees are not in Clio yet, each with the reason and Retry. Edit opens
`ExpenseEditDialog`; Export CSV writes what is shown, in the order shown.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import shiboken6
from PySide6.QtCore import QDate, QModelIndex, Qt, QTimer, Signal
from PySide6.QtGui import QKeySequence, QShortcut, QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDateEdit,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from app.appearance import icon
from app.models.activities import NO_CATEGORY, ExpenseColumn, ExpensesFilter, ExpensesModel, category_of
from app.services.clio.records import ExpenseCategory
from app.services.errors import ServiceError
from app.services.expenses.activities import ExpenseFilter, ExpenseRow, load_expenses, write_csv
from app.services.expenses.status import money
from app.views.fees_waiting import FeesWaiting
from app.views.tasks import TaskRunner

if TYPE_CHECKING:
    from app.services.expenses.poster import ExpensePoster, PostingFinished
    from app.views.clio_access import ClioAccess
    from app.views.expense_edit import ExpenseEditDialog

RANGES = ("Any date", "This month", "Last month", "Last 90 days", "This year", "Custom range")
DEFAULT_RANGE = "Any date"
ROWS_PER_TURN = 50
"""Rows shown per turn of the event loop: a sorted table inserts each one where it belongs, and a
page of 200 at once would hold the window up for tens of milliseconds."""
RELOAD_AFTER_POSTING_MS = 1500
"""After fees are posted, the page (when shown) reloads once things settle."""


def date_range(name: str, today: dt.date) -> tuple[dt.date | None, dt.date | None]:
    """The dates a preset covers (None: open-ended)."""
    if name == "This month":
        return today.replace(day=1), today
    if name == "Last month":
        end = today.replace(day=1) - dt.timedelta(days=1)
        return end.replace(day=1), end
    if name == "Last 90 days":
        return today - dt.timedelta(days=89), today
    if name == "This year":
        return today.replace(month=1, day=1), today
    return None, None


def _day(date: QDate) -> dt.date:
    return dt.date(date.year(), date.month(), date.day())


def _buddy(text: str, widget: QWidget) -> QLabel:
    """A label whose mnemonic (Alt+letter) focuses `widget`."""
    label = QLabel(text)
    label.setBuddy(widget)
    return label


class ActivitiesPage(QWidget):
    """The Activities page (see the module docstring)."""

    sig_open_order = Signal(str)
    """(order number) the user wants to see that order."""
    sig_retry = Signal(object)
    """(Order) post that order's fees now."""
    sig_approve = Signal(list)
    """(list of Order) someone reviewed these orders' fees: post them."""
    sig_message = Signal(str)
    """A short confirmation for the status bar."""
    sig_loaded = Signal()
    """A load from Clio ended (all rows shown, or the reason it stopped is in the totals line)."""
    sig_settings = Signal()
    """The user wants the fee-posting settings."""

    def __init__(
        self,
        clio: ClioAccess | None,
        runner: TaskRunner,
        expenses: ExpensePoster | None = None,
        parent: QWidget | None = None,
        *,
        today: Callable[[], dt.date] = dt.date.today,
    ) -> None:
        super().__init__(parent)
        self._clio = clio
        self._runner = runner
        self._expenses = expenses
        self._today = today
        self._categories: list[ExpenseCategory] | None = None
        self._loaded_filter: ExpenseFilter | None = None
        self._stale = True
        self.loading = False
        self.load_error = ""
        self.timings: dict[str, float] = {}
        """perf_counter() moments of the last load: started, first_rows, finished."""
        self.edit_dialog: ExpenseEditDialog | None = None

        self.model = ExpensesModel(self)
        self.proxy = ExpensesFilter(self.model, self)
        self._build()
        self._reload_timer = QTimer(self, singleShot=True, interval=RELOAD_AFTER_POSTING_MS)
        self._reload_timer.timeout.connect(self._reload_if_shown)
        if clio is not None:
            clio.sig_changed.connect(self._clio_changed)
        self._clio_changed()

    # -- building -------------------------------------------------------------------------------

    def _build(self) -> None:
        title = QLabel("Expenses in Clio")
        title.setObjectName("pageTitle")
        self.efiling_only = QCheckBox("Only &eFiling orders")
        self.efiling_only.setChecked(True)
        self.efiling_only.setToolTip("Untick to see every expense of the firm in Clio")
        self.efiling_only.toggled.connect(lambda _on: self.reload())
        self.range = QComboBox()
        self.range.setAccessibleName("Date range")
        self.range.addItems(RANGES)
        self.range.setCurrentText(DEFAULT_RANGE)
        self.range.currentTextChanged.connect(self._range_changed)
        self.start = QDateEdit()
        self.end = QDateEdit()
        for edit, name in ((self.start, "From date"), (self.end, "To date")):
            edit.setCalendarPopup(True)
            edit.setAccessibleName(name)
            edit.setDisplayFormat("yyyy-MM-dd")
            edit.setDate(QDate.currentDate())
            edit.setEnabled(False)
            edit.dateChanged.connect(lambda _d: self._custom_dates_changed())
        self.matter = QComboBox()
        self.matter.setAccessibleName("Matter")
        self.matter.setMinimumContentsLength(14)
        self.matter.currentIndexChanged.connect(lambda _i: self._narrow())
        self.kind = QComboBox()
        self.kind.setAccessibleName("Type (expense category)")
        self.kind.setMinimumContentsLength(14)
        self.kind.currentIndexChanged.connect(lambda _i: self._narrow())
        self.search = QLineEdit()
        self.search.setPlaceholderText("Search descriptions, matters, orders…")
        self.search.setAccessibleName("Search expenses")
        self.search.setClearButtonEnabled(True)
        self.search.textChanged.connect(self._search_changed)
        self._fill_combo(self.matter, "All matters", [])
        self._fill_combo(self.kind, "All types", [])

        filters = QHBoxLayout()
        filters.addWidget(title)
        filters.addSpacing(12)
        filters.addWidget(self.efiling_only)
        filters.addWidget(_buddy("&Dates:", self.range))
        filters.addWidget(self.range)
        filters.addWidget(self.start)
        filters.addWidget(QLabel("–"))
        filters.addWidget(self.end)
        filters.addWidget(_buddy("&Matter:", self.matter))
        filters.addWidget(self.matter)
        filters.addWidget(_buddy("&Type:", self.kind))
        filters.addWidget(self.kind)
        filters.addWidget(self.search, 1)

        self.clio_notice = QLabel()
        self.clio_notice.setObjectName("panelMessage")
        self.clio_notice.setWordWrap(True)
        self.connect_button = QPushButton("Connect to &Clio…")
        self.connect_button.clicked.connect(self._connect)
        self.posting_button = QPushButton("Turn &on…")
        self.posting_button.setToolTip("Settings › Post the fees into Clio as expenses")
        self.posting_button.clicked.connect(self.sig_settings.emit)
        notice_row = QHBoxLayout()
        notice_row.addWidget(self.clio_notice, 1)
        notice_row.addWidget(self.connect_button)
        notice_row.addWidget(self.posting_button)

        self.waiting_box = FeesWaiting(self._expenses, self)
        self.waiting_box.sig_open_order.connect(self.sig_open_order)
        self.waiting_box.sig_retry.connect(self.sig_retry)
        self.waiting_box.sig_approve.connect(self.sig_approve)
        self.waiting = self.waiting_box.tree
        self.approve_button = self.waiting_box.approve_button

        self.table = QTableView()
        self.table.setAccessibleName("Expenses")
        self.table.setModel(self.proxy)
        self.table.setSortingEnabled(True)
        self.table.sortByColumn(ExpenseColumn.DATE, Qt.SortOrder.DescendingOrder)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setAlternatingRowColors(True)
        self.table.setWordWrap(False)
        self.table.verticalHeader().setVisible(False)
        self.table.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 10)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(ExpenseColumn.DESCRIPTION, QHeaderView.ResizeMode.Stretch)
        widths = {
            ExpenseColumn.DATE: 11,
            ExpenseColumn.MATTER: 18,
            ExpenseColumn.ORDER: 10,
            ExpenseColumn.CATEGORY: 22,
            ExpenseColumn.AMOUNT: 11,
            ExpenseColumn.INVOICE: 30,
        }
        for column, chars in widths.items():
            self.table.setColumnWidth(column, self.fontMetrics().averageCharWidth() * chars + 16)
        self.table.doubleClicked.connect(self._double_clicked)
        self.table.selectionModel().currentRowChanged.connect(lambda _c, _p: self._update_buttons())
        QShortcut(
            QKeySequence(Qt.Key.Key_Return),
            self.table,
            self.edit_current,
            context=Qt.ShortcutContext.WidgetShortcut,
        )

        self.edit_button = QPushButton(icon("document"), "&Edit…")
        self.edit_button.setToolTip("Choose the chosen expense's category (Enter)")
        self.edit_button.clicked.connect(self.edit_current)
        self.export_button = QPushButton("Export &CSV…")
        self.export_button.setToolTip("Save the expenses shown as a CSV file for the bookkeeper")
        self.export_button.clicked.connect(self.ask_export)
        self.reload_button = QPushButton(icon("refresh"), "Re&load")
        self.reload_button.setToolTip("Read the expenses from Clio again")
        self.reload_button.clicked.connect(self.reload)
        self.totals = QLabel()
        self.totals.setAccessibleName("Totals of the expenses shown")
        self.totals.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.progress = QProgressBar(maximum=0, textVisible=False)
        self.progress.setMaximumWidth(90)
        self.progress.setAccessibleName("Loading the expenses")
        self.progress.setVisible(False)
        footer = QHBoxLayout()
        footer.addWidget(self.totals, 1)
        footer.addWidget(self.progress)
        footer.addWidget(self.reload_button)
        footer.addWidget(self.export_button)
        footer.addWidget(self.edit_button)

        layout = QVBoxLayout(self)
        layout.addLayout(filters)
        layout.addLayout(notice_row)
        layout.addWidget(self.waiting_box)
        layout.addWidget(self.table, 1)
        layout.addLayout(footer)
        # The totals follow the rows shown, once per turn of the event loop however many rows
        # a page inserts (a sorted view inserts them one range at a time).
        self._totals_timer = QTimer(self, singleShot=True, interval=0)
        self._totals_timer.timeout.connect(self._update_totals)
        for changed in (
            self.proxy.rowsInserted,
            self.proxy.rowsRemoved,
            self.proxy.modelReset,
            self.proxy.layoutChanged,
            self.proxy.dataChanged,
        ):
            changed.connect(lambda *_a: self._totals_timer.start())
        self._update_totals()

    @staticmethod
    def _fill_combo(combo: QComboBox, everything: str, values: list[str]) -> None:
        """`everything` (data None) then `values`, keeping the current choice when it is still there."""
        current = combo.currentData()
        combo.blockSignals(True)
        combo.clear()
        combo.addItem(everything, None)
        for value in values:
            combo.addItem(value, value)
        at = combo.findData(current) if current is not None else 0
        combo.setCurrentIndex(max(at, 0))
        combo.blockSignals(False)

    # -- state ----------------------------------------------------------------------------------

    @property
    def connected(self) -> bool:
        return self._clio is not None and self._clio.connected and self._clio.client is not None

    def _clio_changed(self) -> None:
        offered = self._clio is not None and self._clio.enabled
        posting_off = offered and self._expenses is not None and not self._expenses.posting
        if not offered:
            text = "Your Service Provider does not offer Clio, so there are no expenses to show."
        elif not self.connected:
            text = "Connect to Clio to see the expenses your eFiling orders posted there."
        elif posting_off:
            text = "Posting the orders' fees into Clio is off: new fees are not recorded there."
        else:
            text = ""
        self.clio_notice.setText(text)
        self.clio_notice.setVisible(bool(text))
        self.connect_button.setVisible(offered and not self.connected)
        self.posting_button.setVisible(posting_off and self.connected)
        if not self.connected:
            self.model.clear()
            self._loaded_filter = None
            self._stale = True
        elif self._stale and self.isVisible():
            self.reload()
        self._update_buttons()

    def settings_changed(self) -> None:
        """The settings were saved: posting may be on or off now."""
        self._clio_changed()
        self.waiting_box.update_buttons()

    def _connect(self) -> None:
        if self._clio is not None:
            self._clio.ensure_connected(self, lambda _client: self.reload())

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if self._stale and self.connected and not self.loading:
            QTimer.singleShot(0, self, self.reload)  # after the page is on screen

    def fees_posted(self) -> None:
        """New expenses are in Clio: show them (when the page is shown, once posting settles)."""
        self._stale = True
        self._reload_timer.start()

    def _reload_if_shown(self) -> None:
        if self.isVisible() and self._stale and self.connected:
            self.reload()

    # -- loading --------------------------------------------------------------------------------

    def current_filter(self) -> ExpenseFilter:
        start, end = date_range(self.range.currentText(), self._today())
        if self.range.currentText() == "Custom range":
            first, last = _day(self.start.date()), _day(self.end.date())
            start, end = min(first, last), max(first, last)
        return ExpenseFilter(efiling_only=self.efiling_only.isChecked(), start=start, end=end)

    def reload(self) -> None:
        """Read the expenses from Clio again, for the current date range and toggle."""
        client = self._clio.client if self._clio is not None and self.connected else None
        if client is None:
            return
        wanted = self.current_filter()
        self.model.clear()
        self._loaded_filter = wanted
        self._stale = False
        self.loading = True
        self.load_error = ""
        self.timings = {"started": time.perf_counter()}
        self.progress.setVisible(True)
        self._update_totals()

        async def load() -> int:
            count = 0
            async for rows in load_expenses(client, wanted):
                for first in range(0, len(rows), ROWS_PER_TURN):
                    self.model.append(rows[first : first + ROWS_PER_TURN])
                    if "first_rows" not in self.timings:
                        self.timings["first_rows"] = time.perf_counter()
                    await asyncio.sleep(0)  # let the window paint and answer between slices
                count += len(rows)
                self._refresh_choices()
            return count

        task = self._runner.run(self, load(), on_success=self._loaded, on_error=self._load_failed, key="load")
        task.add_done_callback(lambda _t: self._load_ended())

    def _loaded(self, _count: int) -> None:
        self.timings["finished"] = time.perf_counter()

    def _load_failed(self, error: ServiceError) -> bool:
        self.load_error = f"Could not load every expense from Clio: {error.user_message}"
        self._stale = True
        return True

    def _load_ended(self) -> None:
        if not shiboken6.isValid(self):
            return
        self.loading = False
        self.progress.setVisible(False)
        self._update_totals()
        self.sig_loaded.emit()

    def _refresh_choices(self) -> None:
        rows = self.model.rows()
        matters = sorted({r.activity.matter_display_number for r in rows if r.activity.matter_display_number})
        kinds = sorted({category_of(r) for r in rows} - {NO_CATEGORY}, key=str.casefold)
        if any(category_of(r) == NO_CATEGORY for r in rows):
            kinds.append(NO_CATEGORY)
        if matters != [self.matter.itemData(i) for i in range(1, self.matter.count())]:
            self._fill_combo(self.matter, "All matters", matters)
        if kinds != [self.kind.itemData(i) for i in range(1, self.kind.count())]:
            self._fill_combo(self.kind, "All types", kinds)

    def _range_changed(self, name: str) -> None:
        custom = name == "Custom range"
        self.start.setEnabled(custom)
        self.end.setEnabled(custom)
        if custom:
            self.start.setFocus()
        self.reload()

    def _custom_dates_changed(self) -> None:
        if self.range.currentText() == "Custom range":
            self.reload()

    # -- narrowing, totals ------------------------------------------------------------------------

    def _narrow(self) -> None:
        self.proxy.set_matter(self.matter.currentData())
        self.proxy.set_category(self.kind.currentData())
        self._update_totals()

    def _search_changed(self, text: str) -> None:
        self.proxy.set_text(text)
        self._update_totals()

    def focus_search(self) -> None:
        self.search.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.search.selectAll()

    def _update_totals(self) -> None:
        shown, loaded = self.proxy.rowCount(), self.model.rowCount()
        if self.loading:
            text = f"Loading from Clio… {loaded} so far"
        elif self.load_error:
            text = self.load_error
        elif loaded == 0 and self.connected and self._loaded_filter is not None:
            text = (
                "No expenses from eFiling orders in Clio for these dates."
                if self._loaded_filter.efiling_only
                else "No expenses in Clio for these dates."
            )
        else:
            text = ""
        if shown:
            of = f" of {loaded}" if shown != loaded else ""
            noun = "expense" if loaded == 1 else "expenses"
            total = f"{shown}{of} {noun} shown — total {money(self.proxy.total_cents())}"
            text = f"{total}   ·   {text}" if text else total
        self.totals.setText(text)
        self._update_buttons()

    # -- the chosen expense ---------------------------------------------------------------------

    def current_row(self) -> ExpenseRow | None:
        index = self.table.currentIndex()
        if not index.isValid():
            return None
        return self.model.row_at(self.proxy.mapToSource(index).row())

    def select_expense(self, activity_id: int) -> bool:
        for row in range(self.proxy.rowCount()):
            index = self.proxy.index(row, 0)
            if self.model.row_at(self.proxy.mapToSource(index).row()).id == activity_id:
                self.table.setCurrentIndex(index)
                self.table.scrollTo(index)
                return True
        return False

    def _update_buttons(self) -> None:
        row = self.current_row()
        self.edit_button.setEnabled(row is not None and self.connected)
        if row is not None and row.frozen_reason:
            self.edit_button.setToolTip(row.frozen_reason)
        else:
            self.edit_button.setToolTip("Choose the chosen expense's category (Enter)")
        self.export_button.setEnabled(self.proxy.rowCount() > 0)

    def _double_clicked(self, index: QModelIndex) -> None:
        row = self.model.row_at(self.proxy.mapToSource(index).row())
        if index.column() == ExpenseColumn.ORDER and row.order_number:
            self.sig_open_order.emit(row.order_number)
        else:
            self.edit_current()

    def edit_current(self) -> None:
        """Open the Edit dialog for the chosen expense (the firm's categories are read once)."""
        row = self.current_row()
        client = self._clio.client if self._clio is not None and self.connected else None
        if row is None or client is None:
            return
        if self._categories is not None:
            self._open_editor(row, self._categories)
            return

        def got(categories: list[ExpenseCategory]) -> None:
            self._categories = categories
            self._open_editor(row, categories)

        self._runner.run(self, client.expense_categories(), on_success=got, key="categories")

    def _open_editor(self, row: ExpenseRow, categories: list[ExpenseCategory]) -> None:
        from app.views.expense_edit import ExpenseEditDialog

        client = self._clio.client if self._clio is not None else None
        if client is None:
            return
        dialog = ExpenseEditDialog(row, categories, client, self._runner, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.sig_changed.connect(self._expense_changed)
        dialog.sig_saved.connect(self._expense_saved)
        dialog.finished.connect(lambda _r: setattr(self, "edit_dialog", None))
        self.edit_dialog = dialog
        dialog.open()

    def _expense_changed(self, row: ExpenseRow) -> None:
        self.model.replace(row)
        self._update_buttons()

    def _expense_saved(self, row: ExpenseRow) -> None:
        category = row.activity.expense_category_name or "no category"
        self.sig_message.emit(f"Saved in Clio: {row.description[:60]} — {category}.")

    # -- export ---------------------------------------------------------------------------------

    def ask_export(self) -> None:
        stamp = self._today().isoformat()
        path, _kind = QFileDialog.getSaveFileName(
            self,
            "Export the expenses shown",
            str(Path.home() / f"eFiling expenses {stamp}.csv"),
            "CSV files (*.csv)",
        )
        if path:
            self.export_csv(Path(path))

    def export_csv(self, path: Path) -> bool:
        """Write the expenses shown, in the order shown, to `path`; say how it went."""
        rows = self.proxy.shown()
        try:
            write_csv(rows, path)
        except OSError as exc:
            self.sig_message.emit(f"Could not save {path.name}: {exc.strerror or exc}.")
            return False
        noun = "expense" if len(rows) == 1 else "expenses"
        self.sig_message.emit(f"Saved {len(rows)} {noun} to {path.name}.")
        return True

    # -- fees waiting ---------------------------------------------------------------------------

    def set_waiting(self, run: PostingFinished) -> None:
        """List the orders whose fees are not all in Clio (from the poster's last run)."""
        self.waiting_box.set_run(run)

    def fees_changed(self, order_id: int) -> None:
        """Something about an order's fees changed: the waiting list says anew why it waits."""
        self.waiting_box.fees_changed(order_id)
