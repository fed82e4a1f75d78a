"""The Activities page's list of orders whose fees are not in Clio yet, each with the reason, and
what the user can do about them: Approve and post (posting after review), Retry, Open order."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QPushButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.appearance import icon
from app.services.legalconnect.records import Order

if TYPE_CHECKING:
    from app.services.expenses.poster import ExpensePoster, PostingFinished


class FeesWaiting(QGroupBox):
    """Hidden while nothing waits. Reads the poster for each order's reason (no network)."""

    sig_open_order = Signal(str)
    """(order number) the user wants to see that order."""
    sig_retry = Signal(object)
    """(Order) post that order's fees now."""
    sig_approve = Signal(list)
    """(list of Order) someone reviewed these orders' fees: post them."""

    def __init__(self, expenses: ExpensePoster | None, parent: QWidget | None = None) -> None:
        super().__init__("Waiting to be posted to Clio", parent)
        self._expenses = expenses
        self.tree = QTreeWidget()
        self.tree.setAccessibleName("Fees waiting to be posted to Clio")
        self.tree.setHeaderLabels(["Order", "Case", "Why the fees are not in Clio"])
        self.tree.setRootIsDecorated(False)
        self.tree.setUniformRowHeights(True)
        self.tree.setMaximumHeight(130)
        self.tree.header().setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        self.tree.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.tree.itemDoubleClicked.connect(lambda item, _c: self._open(item))
        self.tree.itemSelectionChanged.connect(self.update_buttons)
        self.approve_button = QPushButton("&Approve and post")
        self.approve_button.setToolTip("The chosen orders' fees are right: post them into Clio")
        self.approve_button.clicked.connect(self._approve)
        self.retry_button = QPushButton(icon("refresh"), "Re&try")
        self.retry_button.setToolTip("Post the chosen order's fees into Clio now")
        self.retry_button.clicked.connect(self._retry)
        self.open_button = QPushButton("Open &order")
        self.open_button.clicked.connect(lambda: self._open(self.tree.currentItem()))
        buttons = QVBoxLayout()
        buttons.addWidget(self.approve_button)
        buttons.addWidget(self.retry_button)
        buttons.addWidget(self.open_button)
        buttons.addStretch(1)
        layout = QHBoxLayout(self)
        layout.addWidget(self.tree, 1)
        layout.addLayout(buttons)
        self.setVisible(False)

    def set_run(self, run: PostingFinished) -> None:
        """List the orders whose fees are not all in Clio (from the poster's last run)."""
        self.tree.clear()
        for order, _fees in run.pending:
            if self._expenses is not None and self._expenses.order_fees(order).all_posted:
                continue  # posted since the run ended
            why = self._expenses.why_waiting(order) if self._expenses is not None else ""
            item = QTreeWidgetItem([order.display_number, order.case_title or "", why])
            item.setData(0, Qt.ItemDataRole.UserRole, order)
            item.setToolTip(2, why)
            self.tree.addTopLevelItem(item)
        first = self.tree.topLevelItem(0)
        if first is not None and not self.tree.selectedItems():
            self.tree.setCurrentItem(first)
        self._count_changed()

    def fees_changed(self, order_id: int) -> None:
        """Something about an order's fees changed: say anew why it waits, or drop it once posted."""
        if self._expenses is None:
            return
        for at in range(self.tree.topLevelItemCount()):
            item = self.tree.topLevelItem(at)
            order = _order_of(item)
            if item is None or order is None or order.id != order_id:
                continue
            if self._expenses.order_fees(order).all_posted:
                self.tree.takeTopLevelItem(at)
                self._count_changed()
            else:
                why = self._expenses.why_waiting(order)
                item.setText(2, why)
                item.setToolTip(2, why)
            return

    def _count_changed(self) -> None:
        count = self.tree.topLevelItemCount()
        self.setVisible(count > 0)
        self.setTitle(f"Waiting to be posted to Clio ({count} order(s))")
        self.update_buttons()

    def _chosen(self) -> list[Order]:
        return [o for o in map(_order_of, self.tree.selectedItems()) if o is not None]

    def update_buttons(self) -> None:
        """Approve only when posting is after review and a chosen order awaits it."""
        expenses = self._expenses
        self.approve_button.setVisible(expenses is not None and expenses.reviewing)
        chosen = self._chosen()
        self.approve_button.setEnabled(
            expenses is not None and any(expenses.awaiting_review(o) for o in chosen)
        )
        self.retry_button.setEnabled(bool(chosen))
        self.open_button.setEnabled(len(chosen) == 1)

    def _approve(self) -> None:
        expenses = self._expenses
        if expenses is None:
            return
        chosen = [o for o in self._chosen() if expenses.awaiting_review(o)]
        if chosen:
            self.sig_approve.emit(chosen)

    def _retry(self) -> None:
        for order in self._chosen():
            self.sig_retry.emit(order)

    def _open(self, item: QTreeWidgetItem | None) -> None:
        order = _order_of(item)
        if order is not None:
            self.sig_open_order.emit(order.order_number or str(order.id))


def _order_of(item: QTreeWidgetItem | None) -> Order | None:
    order = item.data(0, Qt.ItemDataRole.UserRole) if item is not None else None
    return order if isinstance(order, Order) else None
