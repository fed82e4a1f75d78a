"""The order panel: a header about the selected order, its Documents tab and its Deliverables tab.

The panel shows what the orders list already knows at once, then loads the order's current detail
and its returned documents through the task runner under one key, so clicking quickly through the
list cancels the stale loads instead of letting an old answer overwrite a newer one.

With Clio offered, the Deliverables tab also says where each returned document stands in Clio
(Filed with its path, Filing…, Waiting, Failed, Not filed) from the returns filer, and offers
Show in Clio, Retry and Choose Clio matter… for the order.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QItemSelection, Qt, QUrl, Signal
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QProgressBar,
    QPushButton,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from app.appearance import icon, local_time
from app.models.order_detail import (
    DeliverableColumn,
    DeliverablesModel,
    DocumentColumn,
    DocumentsModel,
    FeeColumn,
    FeesModel,
)
from app.models.orders import STATUS_COLOURS, status_text
from app.services.expenses.status import FeeState, money
from app.services.filenames import safe_filename
from app.services.http import ServiceError
from app.services.legalconnect.records import ClioLink, Deliverable, Order, OrderFeeLine
from app.services.orders import OrdersService
from app.services.returns.status import BLOCKER_TEXT, OrderFiling
from app.views.tasks import TaskRunner

if TYPE_CHECKING:
    from collections.abc import Callable

    from app.config import Config
    from app.services.clio.api import ClioClient
    from app.services.clio.records import Matter
    from app.services.expenses.poster import ExpensePoster
    from app.services.returns.filer import ReturnsFiler
    from app.views.clio_access import ClioAccess
    from app.views.clio_browser import ShowInClio


def _table(name: str) -> QTableView:
    table = QTableView()
    table.setAccessibleName(name)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setTabKeyNavigation(False)
    table.setWordWrap(False)
    table.verticalHeader().setVisible(False)
    table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    table.horizontalHeader().setStretchLastSection(True)
    return table


class OrderPanel(QWidget):
    """Header, Documents and Deliverables of one order; `show_order(None)` empties it."""

    sig_message = Signal(str)
    """Emitted with a short confirmation for the status bar (e.g. where a file was saved)."""

    sig_returns_retry = Signal()
    """The user asked to file the order's waiting returns (or post its fees) now: Retry, or a matter
    was chosen."""

    def __init__(
        self,
        orders: OrdersService,
        runner: TaskRunner,
        parent: QWidget | None = None,
        *,
        returns: ReturnsFiler | None = None,
        clio: ClioAccess | None = None,
        settings: Config | None = None,
        expenses: ExpensePoster | None = None,
        hearing_line: Callable[[Order], str] | None = None,
    ) -> None:
        """`returns`, `clio` and `settings` add the Clio side of returned documents; `expenses` the
        Clio side of the fees (the In Clio column of the Fees tab); `hearing_line` the hearing the
        court set and where it stands in Clio's calendar."""
        super().__init__(parent)
        self._orders = orders
        self._runner = runner
        self._returns = returns
        self._expenses = expenses
        self._hearing_line = hearing_line
        self._clio = clio
        self._settings = settings
        self.order: Order | None = None
        self.clio_browser: QWidget | None = None
        self.matter_picker: QWidget | None = None

        self.number = QLabel()
        self.number.setObjectName("orderNumber")
        self.status = QLabel()
        self.status.setObjectName("orderStatus")
        self.case = QLabel()
        self.case.setWordWrap(True)
        self.court = QLabel()
        self.court.setWordWrap(True)
        self.matter = QLabel()
        self.dates = QLabel()
        self.dates.setWordWrap(True)
        self.hearing = QLabel()
        self.hearing.setWordWrap(True)
        for label in (self.number, self.status, self.case, self.court, self.matter, self.dates, self.hearing):
            label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            label.setTextFormat(Qt.TextFormat.PlainText)  # the provider's and Clio's words
        header = QWidget()
        header.setObjectName("orderHeader")
        title_row = QHBoxLayout()
        title_row.addWidget(self.number)
        title_row.addWidget(self.status)
        title_row.addStretch(1)
        form = QFormLayout()
        form.addRow("Case:", self.case)
        form.addRow("Court:", self.court)
        form.addRow("Clio matter:", self.matter)
        form.addRow("Dates:", self.dates)
        form.addRow("Hearing:", self.hearing)
        self._header_form = form
        header_layout = QVBoxLayout(header)
        header_layout.addLayout(title_row)
        header_layout.addLayout(form)

        self.documents_model = DocumentsModel(self)
        self.documents = _table("Documents")
        self.documents.setModel(self.documents_model)
        documents_header = self.documents.horizontalHeader()
        for column in (DocumentColumn.NAME, DocumentColumn.TYPE):
            documents_header.setSectionResizeMode(column, QHeaderView.ResizeMode.Interactive)
            documents_header.resizeSection(column, 170)
        # What the court decided is what people look for: show it right after the name.
        documents_header.moveSection(documents_header.visualIndex(DocumentColumn.RESULT), 1)
        documents_header.moveSection(documents_header.visualIndex(DocumentColumn.REASON), 2)
        documents_header.setSectionResizeMode(DocumentColumn.REASON, QHeaderView.ResizeMode.Interactive)
        documents_header.resizeSection(DocumentColumn.REASON, 220)

        self.deliverables_model = DeliverablesModel(self)
        self.deliverables = _table("Deliverables")
        self.deliverables.setModel(self.deliverables_model)
        deliverables_header = self.deliverables.horizontalHeader()
        # Whether it reached Clio is what people look for: show it right after the name.
        deliverables_header.moveSection(deliverables_header.visualIndex(DeliverableColumn.CLIO), 2)
        deliverables_header.setSectionResizeMode(DeliverableColumn.NAME, QHeaderView.ResizeMode.Interactive)
        deliverables_header.resizeSection(DeliverableColumn.NAME, 230)
        self.deliverables.setColumnHidden(DeliverableColumn.CLIO, returns is None)
        self.deliverables.doubleClicked.connect(lambda _index: self.open_selected())
        self.deliverables.selectionModel().selectionChanged.connect(self._deliverable_selected)
        self.open_button = QPushButton(icon("open"), "&Open")
        self.open_button.setToolTip("Open the returned document with the system viewer")
        self.save_button = QPushButton(icon("save"), "Save &As…")
        self.save_button.setToolTip("Save a copy of the returned document")
        self.open_button.clicked.connect(self.open_selected)
        self.save_button.clicked.connect(self.save_selected)
        self.show_in_clio_button = QPushButton(icon("clio"), "Show in &Clio")
        self.show_in_clio_button.setToolTip("Open the Clio window at the folder that holds this document")
        self.retry_button = QPushButton(icon("refresh"), "&Retry")
        self.retry_button.setToolTip("File the documents that failed into Clio now")
        self.choose_matter_button = QPushButton("C&hoose Clio matter…")
        self.choose_matter_button.setToolTip("Choose the Clio matter this order's returned documents go to")
        self.show_in_clio_button.clicked.connect(self.show_in_clio)
        self.retry_button.clicked.connect(self.retry_returns)
        self.choose_matter_button.clicked.connect(self.choose_matter)
        self.filing_summary = QLabel(textFormat=Qt.TextFormat.PlainText)
        self.filing_summary.setObjectName("panelMessage")
        self.filing_summary.setWordWrap(True)
        self.filing_summary.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.progress = QProgressBar()
        self.progress.setAccessibleName("Download progress")
        self.progress.setVisible(False)
        buttons = QHBoxLayout()
        buttons.addWidget(self.open_button)
        buttons.addWidget(self.save_button)
        buttons.addWidget(self.show_in_clio_button)
        buttons.addWidget(self.progress, 1)
        buttons.addStretch(0)
        clio_row = QHBoxLayout()
        clio_row.addWidget(self.filing_summary, 1)
        clio_row.addWidget(self.retry_button)
        clio_row.addWidget(self.choose_matter_button)
        deliverables_tab = QWidget()
        deliverables_layout = QVBoxLayout(deliverables_tab)
        deliverables_layout.addLayout(clio_row)
        deliverables_layout.addWidget(self.deliverables, 1)
        deliverables_layout.addLayout(buttons)

        self.fees_model = FeesModel(self)
        self.fees = _table("Fees")
        self.fees.setModel(self.fees_model)
        fees_header = self.fees.horizontalHeader()
        fees_header.setSectionResizeMode(FeeColumn.FEE, QHeaderView.ResizeMode.Stretch)
        fees_header.setSectionResizeMode(FeeColumn.AMOUNT, QHeaderView.ResizeMode.ResizeToContents)
        fees_header.setSectionResizeMode(FeeColumn.CLIO, QHeaderView.ResizeMode.ResizeToContents)
        fees_header.setStretchLastSection(False)
        self.fees_summary = QLabel(textFormat=Qt.TextFormat.PlainText)
        self.fees_summary.setObjectName("panelMessage")
        self.fees_summary.setWordWrap(True)
        self.fees_summary.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.fees_retry_button = QPushButton(icon("refresh"), "Re&try")
        self.fees_retry_button.setToolTip("Post the fees that failed into Clio now")
        self.fees_retry_button.clicked.connect(self.retry_fees)
        fees_row = QHBoxLayout()
        fees_row.addWidget(self.fees_summary, 1)
        fees_row.addWidget(self.fees_retry_button)
        fees_tab = QWidget()
        fees_layout = QVBoxLayout(fees_tab)
        fees_layout.addLayout(fees_row)
        fees_layout.addWidget(self.fees, 1)

        self.tabs = QTabWidget()
        self.tabs.addTab(self.documents, "&Documents")
        self.tabs.addTab(deliverables_tab, "De&liverables")
        self.tabs.addTab(fees_tab, "Fe&es")
        self.message = QLabel(textFormat=Qt.TextFormat.PlainText)
        self.message.setObjectName("panelMessage")
        self.message.setWordWrap(True)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 0, 6, 0)
        layout.addWidget(header)
        layout.addWidget(self.message)
        layout.addWidget(self.tabs, 1)
        self.loading = False
        self.show_order(None)

    # -- showing an order -----------------------------------------------------------------------

    def show_order(self, order: Order | None) -> None:
        """Show `order` from what is known now, then load its current detail and deliverables."""
        changed = order is None or self.order is None or order.id != self.order.id
        self.order = order
        self._fill(order)
        if changed:
            self.deliverables_model.set_deliverables([])
            self.fees_model.set_lines([])
            self._update_buttons()
            self._update_fees()
        if order is None:
            self.message.setText("Select an order to see its documents and what the court returned.")
            return
        self.message.setText("")
        self.loading = True
        self._runner.run(
            self,
            self._load(order.id),
            on_success=self._loaded,
            on_error=self._load_failed,
            key="detail",
        )

    async def _load(self, order_id: int) -> tuple[Order, list[Deliverable], list[OrderFeeLine]]:
        """The order's current detail, its returned documents and, once decided, its fees."""
        order = await self._orders.order(order_id)
        deliverables = await self._orders.deliverables(order_id)
        fees = await self._orders.fee_lines(order_id) if order.status.decided else []
        return order, deliverables, fees

    def _loaded(self, result: tuple[Order, list[Deliverable], list[OrderFeeLine]]) -> None:
        order, deliverables, fees = result
        self.loading = False
        if self.order is None or order.id != self.order.id:
            return
        self.order = order
        self._fill(order)
        filing = None
        if self._returns is not None and self._returns.offered:
            returns = self._returns
            filing = lambda item: returns.deliverable_filing(order, item)  # noqa: E731
        self.deliverables_model.set_deliverables(deliverables, filing)
        if not deliverables:
            self.message.setText("The court has returned no documents for this order yet.")
        self._update_buttons()
        state = None
        if self._expenses is not None and self._expenses.offered:
            expenses = self._expenses
            state = lambda line: expenses.line_state(order, line)  # noqa: E731
        self.fees_model.set_lines(fees, state)
        self.fees.setColumnHidden(FeeColumn.CLIO, state is None)
        self._update_fees()

    def refresh_filing(self, order_id: int) -> None:
        """The returns filer says order `order_id`'s returns changed: show their state again."""
        if self.order is not None and self.order.id == order_id:
            self.deliverables_model.refresh_filing()
            self._update_buttons()

    def refresh_hearing(self, order_id: int) -> None:
        """The hearing scheduler says order `order_id`'s hearing changed: show where it stands."""
        if self.order is not None and self.order.id == order_id:
            self._fill_hearing(self.order)

    def _fill_hearing(self, order: Order | None) -> None:
        line = self._hearing_line(order) if order is not None and self._hearing_line is not None else ""
        self.hearing.setText(line)
        self._header_form.setRowVisible(self.hearing, bool(line))

    def refresh_fees(self, order_id: int) -> None:
        """The expense poster says order `order_id`'s fees changed: show their state again."""
        if self.order is not None and self.order.id == order_id:
            self.fees_model.refresh_states()
            self._update_fees()

    def _update_fees(self) -> None:
        order = self.order
        count = self.fees_model.rowCount()
        states = self.fees_model.states()
        failed = sum(1 for s in states if s.state is FeeState.FAILED)
        self.fees_retry_button.setVisible(failed > 0)
        if order is None:
            self.fees_summary.setText("")
        elif not order.status.decided:
            self.fees_summary.setText("The fees are itemised here once the court decides the order.")
        elif count == 0:
            self.fees_summary.setText("" if self.loading else "No fees were charged for this order.")
        else:
            text = f"Total: {money(self.fees_model.total_cents)} in {count} fee(s)"
            if states:
                posted = sum(1 for s in states if s.state is FeeState.POSTED)
                text += f" — {posted} of {count} posted into Clio as expenses"
                if failed:
                    text += f"; {failed} failed"
            self.fees_summary.setText(text)

    def retry_fees(self) -> None:
        """Retry: post the order's failed fees now."""
        if self.order is not None and self._expenses is not None:
            self._expenses.retry(self.order)
            self.sig_returns_retry.emit()

    def _load_failed(self, error: ServiceError) -> bool:
        self.loading = False
        self.message.setText(f"Could not load the latest details: {error.user_message}")
        return True

    def _fill(self, order: Order | None) -> None:
        self._fill_hearing(order)
        if order is None:
            for label in (self.number, self.status, self.case, self.court, self.matter, self.dates):
                label.setText("")
            self.documents_model.set_documents([])
            return
        self.number.setText(f"Order {order.display_number}")
        self.status.setText(status_text(order))
        self.status.setStyleSheet(f"color: {STATUS_COLOURS[order.status]};")
        self.case.setText(
            f"{order.case_title} — {order.case_number}" if order.case_number else order.case_title
        )
        self.court.setText(order.court_name)
        self.matter.setText(order.clio.matter_display_number if order.clio else "Not linked to a Clio matter")
        dates = [f"created {local_time(order.created_at)}"]
        if order.submitted_at:
            dates.append(f"submitted {local_time(order.submitted_at)}")
        if order.decided_at:
            dates.append(f"decided {local_time(order.decided_at)}")
        self.dates.setText(", ".join(dates))
        self.documents_model.set_documents(order.documents)

    # -- deliverables ---------------------------------------------------------------------------

    def selected_deliverable(self) -> Deliverable | None:
        rows = self.deliverables.selectionModel().selectedRows()
        return self.deliverables_model.deliverable_at(rows[0].row()) if rows else None

    def _deliverable_selected(self, _selected: QItemSelection, _deselected: QItemSelection) -> None:
        self._update_buttons()

    def _update_buttons(self) -> None:
        enabled = self.selected_deliverable() is not None and not self.progress.isVisible()
        self.open_button.setEnabled(enabled)
        self.save_button.setEnabled(enabled)
        order, returns = self.order, self._returns
        offered = order is not None and returns is not None and returns.offered
        summary = returns.order_filing(order) if offered and order and returns else None
        rows = self.deliverables.selectionModel().selectedRows()
        place = self.deliverables_model.filing_at(rows[0].row()).place if rows and offered else None
        self.show_in_clio_button.setVisible(offered)
        self.show_in_clio_button.setEnabled(place is not None)
        self.retry_button.setVisible(summary is not None and summary.failed > 0)
        decided = order is not None and order.status.decided
        self.choose_matter_button.setVisible(offered and decided)
        self.choose_matter_button.setText(
            "C&hoose Clio matter…" if order is not None and order.clio is None else "C&hange Clio matter…"
        )
        self.filing_summary.setVisible(summary is not None and summary.total > 0)
        if summary is not None and order is not None:
            self.filing_summary.setText(self._summary_text(order, summary))

    @staticmethod
    def _summary_text(order: Order, summary: OrderFiling) -> str:
        if summary.blocker is not None and summary.waiting:
            return BLOCKER_TEXT[summary.blocker]
        if summary.filed >= summary.total:
            where = order.clio.matter_display_number if order.clio else "Clio"
            return f"All {summary.total} returned documents are in Clio › {where}."
        failed = f", {summary.failed} failed (retried on their own, or press Retry)" if summary.failed else ""
        return f"{summary.filed} of {summary.total} returned documents are in Clio{failed}."

    # -- Clio -----------------------------------------------------------------------------------

    def show_in_clio(self) -> None:
        """Open the Clio window at the folder holding the selected document, with it selected."""
        rows = self.deliverables.selectionModel().selectedRows()
        if not rows or self._clio is None or self._settings is None:
            return
        filing = self.deliverables_model.filing_at(rows[0].row())
        place = filing.place
        if place is None:
            return
        from app.views.clio_browser import ShowInClio  # the Clio window loads when first opened

        path = filing.text.split(" — ", 1)[-1]
        show = ShowInClio(place.client_id, place.matter_id, place.folder_ids, filing.clio_document_id, path)
        self._clio.ensure_connected(self, lambda client: self._open_browser(client, show))

    def _open_browser(self, client: ClioClient, show: ShowInClio) -> None:
        from app.views.clio_browser import ClioBrowser

        assert self._clio is not None
        assert self._settings is not None
        label = self._clio.account_label
        browser = ClioBrowser(client, self._runner, self._settings, label, self, show=show)
        browser.follow_account(self._clio)
        browser.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        browser.finished.connect(lambda _result: setattr(self, "clio_browser", None))
        self.clio_browser = browser
        browser.open()

    def retry_returns(self) -> None:
        """Retry: file the order's failed returns now."""
        if self.order is not None and self._returns is not None:
            self._returns.retry(self.order)
            self.sig_returns_retry.emit()

    def choose_matter(self) -> None:
        """Choose (or change) the Clio matter the order's returns go to; what waits is filed there."""
        if self._clio is not None:
            self._clio.ensure_connected(self, self._open_matter_picker)

    def _open_matter_picker(self, client: ClioClient) -> None:
        from app.views.matter_picker import MatterPicker

        picker = MatterPicker(client, self._runner, self, title="Where should this order's returns go?")
        picker.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        picker.sig_chosen.connect(self._matter_chosen)
        picker.finished.connect(lambda _result: setattr(self, "matter_picker", None))
        self.matter_picker = picker
        picker.open()

    def _matter_chosen(self, matter: Matter) -> None:
        order, returns = self.order, self._returns
        if order is None or returns is None or matter.client_id is None:
            return
        link = ClioLink(matter.client_id, matter.id, matter.display_number)

        def chosen(changed: Order) -> None:
            where = link.matter_display_number
            self.message.setText(f"Returned documents of order {changed.display_number} go to {where}.")
            if self.order is not None and self.order.id == changed.id:
                self.show_order(changed)
            self.sig_returns_retry.emit()

        self._runner.run(self, returns.choose_matter(order, link), on_success=chosen, key="matter")

    def _progress(self, done: int, total: int) -> None:
        self.progress.setMaximum(max(total, 1))
        self.progress.setValue(min(done, max(total, 1)))

    def _start_transfer(self, item: Deliverable) -> None:
        self.progress.setValue(0)
        self.progress.setFormat(f"{item.name}: %p%")
        self.progress.setVisible(True)
        self._update_buttons()

    def _end_transfer(self) -> None:
        self.progress.setVisible(False)
        self._update_buttons()

    def _transfer_failed(self, error: ServiceError) -> bool:
        self._end_transfer()
        self.message.setText(error.user_message)
        return False  # also shown in the notification area: the user asked for this file

    def open_selected(self) -> None:
        """Download a viewing copy of the selected deliverable and open it with the system viewer."""
        item = self.selected_deliverable()
        if item is None or self.progress.isVisible():
            return
        self._start_transfer(item)

        def opened(path: Path) -> None:
            self._end_transfer()
            if not QDesktopServices.openUrl(QUrl.fromLocalFile(str(path))):
                self.message.setText(f"No program is set up to open “{path.name}”. Use Save As… instead.")

        self._runner.run(
            self,
            self._orders.viewing_copy(item, self._progress),
            on_success=opened,
            on_error=self._transfer_failed,
            key="transfer",
        )

    def save_selected(self) -> None:
        """Ask where to save the selected deliverable, then download it there."""
        item = self.selected_deliverable()
        if item is None or self.progress.isVisible():
            return
        # Loaded here, not with the window: each Qt class costs its start-up when first touched.
        from PySide6.QtCore import QStandardPaths
        from PySide6.QtWidgets import QFileDialog

        folder = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
        suggested = str(Path(folder or Path.home()) / safe_filename(item.name))
        chosen, _filter = QFileDialog.getSaveFileName(
            self, "Save returned document", suggested, "PDF documents (*.pdf);;All files (*)"
        )
        if not chosen:
            return
        self._start_transfer(item)

        def saved(path: Path) -> None:
            self._end_transfer()
            self.message.setText(f"Saved “{path.name}” to {path.parent}.")
            self.sig_message.emit(f"Saved {path}")

        self._runner.run(
            self,
            self._orders.save_deliverable(item, Path(chosen), self._progress),
            on_success=saved,
            on_error=self._transfer_failed,
            key="transfer",
        )
