"""The Activities page's Edit dialog: choose an expense's category and save it to Clio.

Save sends the category with the etag the expense was loaded with (`If-Match`), so a change made
meanwhile in Clio is never overwritten: Clio answers 412, the dialog reloads the expense, says what
changed and lets the user choose again. An expense on an issued bill is shown but cannot be saved,
and the dialog says which bill holds it. Messages appear in the dialog, never in a pop-up.
"""

from __future__ import annotations

import asyncio

import shiboken6
from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QProgressBar,
    QVBoxLayout,
    QWidget,
)

from app.services.clio.api import ClioClient
from app.services.clio.records import Activity, ExpenseCategory
from app.services.errors import BadRequest, Conflict, NotFound, ServiceError
from app.services.expenses.activities import ExpenseRow, what_changed
from app.services.expenses.status import money
from app.views.tasks import TaskRunner

NO_CATEGORY_TEXT = "(No category)"


class ExpenseEditDialog(QDialog):
    """Edit one expense's category (see the module docstring). `sig_changed(ExpenseRow)` carries
    Clio's newer copy of the expense whenever the dialog learns one (saved, or reloaded)."""

    sig_changed = Signal(object)
    sig_saved = Signal(object)
    """(ExpenseRow) the category was saved in Clio; Clio's copy after the save."""

    def __init__(
        self,
        row: ExpenseRow,
        categories: list[ExpenseCategory],
        client: ClioClient,
        runner: TaskRunner,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._client = client
        self._runner = runner
        self._task: asyncio.Task[Activity] | None = None
        self.row = row
        self.setWindowTitle("Edit expense")
        self.setModal(True)
        self.setMinimumWidth(460)

        self.facts = {name: QLabel() for name in ("date", "matter", "description", "amount", "invoice")}
        for label in self.facts.values():
            label.setWordWrap(True)
            label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.category = QComboBox()
        self.category.setAccessibleName("Expense category")
        self.category.addItem(NO_CATEGORY_TEXT, None)
        for each in sorted(categories, key=lambda c: c.name.casefold()):
            self.category.addItem(each.name, each.id)
        self.message = QLabel()
        self.message.setObjectName("inlineError")
        self.message.setWordWrap(True)
        self.message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.message.setVisible(False)
        self.busy = QProgressBar(maximum=0, textVisible=False)
        self.busy.setAccessibleName("Saving to Clio")
        self.busy.setVisible(False)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.save_button = self.buttons.addButton("&Save", QDialogButtonBox.ButtonRole.AcceptRole)
        self.buttons.accepted.connect(self.save)
        self.buttons.rejected.connect(self.reject)

        form = QFormLayout()
        form.addRow("Date:", self.facts["date"])
        form.addRow("Matter:", self.facts["matter"])
        form.addRow("Description:", self.facts["description"])
        form.addRow("Amount:", self.facts["amount"])
        form.addRow("Invoice:", self.facts["invoice"])
        form.addRow("&Category:", self.category)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.message)
        layout.addWidget(self.busy)
        layout.addWidget(self.buttons)
        self.save_button.setDefault(True)
        self._show(row)
        self.category.setFocus()

    @property
    def saving(self) -> bool:
        return self._task is not None

    def _show(self, row: ExpenseRow) -> None:
        """Fill the dialog from `row` (Clio's copy) and choose its current category."""
        self.row = row
        a = row.activity
        self.facts["date"].setText(a.date)
        self.facts["matter"].setText(a.matter_display_number or "(no matter)")
        named = row.order_number and row.order_number in row.description
        order = f" (order {row.order_number})" if row.order_number and not named else ""
        self.facts["description"].setText(row.description + order)
        self.facts["amount"].setText(money(row.amount_cents))
        self.facts["invoice"].setText(row.invoice_status)
        at = self.category.findData(a.expense_category_id)
        if at < 0 and a.expense_category_id is not None:  # a category made after the list was read
            self.category.addItem(a.expense_category_name, a.expense_category_id)
            at = self.category.count() - 1
        self.category.setCurrentIndex(max(at, 0))
        frozen = row.frozen_reason
        self.category.setEnabled(frozen is None)
        self.save_button.setEnabled(frozen is None)
        if frozen is not None:
            self._say(frozen)

    def _say(self, text: str) -> None:
        self.message.setText(text)
        self.message.setVisible(bool(text))

    def save(self) -> None:
        """Send the chosen category to Clio with the expense's etag; unchanged: just close."""
        if self.saving or self.row.frozen_reason is not None:
            return
        chosen = self.category.currentData()
        if chosen == self.row.activity.expense_category_id:
            self.accept()
            return
        self._busy(True)
        self._say("")
        self._task = self._runner.run(
            self,
            self._client.update_activity_category(self.row.id, chosen, self.row.activity.etag),
            on_success=self._saved,
            on_error=self._refused,
            key="save",
        )
        self._task.add_done_callback(lambda _task: self._idle())

    def _idle(self) -> None:
        if shiboken6.isValid(self):
            self._task = None
            self._busy(False)

    def _busy(self, busy: bool) -> None:
        self.busy.setVisible(busy)
        self.save_button.setEnabled(not busy and self.row.frozen_reason is None)
        self.category.setEnabled(not busy and self.row.frozen_reason is None)

    def _saved(self, activity: Activity) -> None:
        self.row = ExpenseRow.of(activity)
        self.sig_changed.emit(self.row)
        self.sig_saved.emit(self.row)
        self.accept()

    def _refused(self, error: ServiceError) -> bool:
        """Clio said no: reload the expense and say why, keeping the dialog open."""
        if isinstance(error, NotFound):
            self._say("This expense no longer exists in Clio (it was deleted). Nothing was saved.")
            self.save_button.setEnabled(False)
            self.category.setEnabled(False)
            return True
        if isinstance(error, Conflict):
            lead = "Someone changed this expense in Clio while it was open"
        elif isinstance(error, BadRequest):
            lead = f"Clio did not save the category: {error.user_message}"
        else:
            self._say(f"Not saved: {error.user_message}")
            return True
        before = self.row
        self._say(f"{lead}. Reloading it…")
        self._runner.run(
            self,
            self._client.activity(self.row.id),
            on_success=lambda fresh: self._reloaded(lead, before, ExpenseRow.of(fresh)),
            on_error=lambda e: self._reload_failed(lead, e),
            key="reload",
        )
        return True

    def _reload_failed(self, lead: str, error: ServiceError) -> bool:
        self._say(f"{lead}, and it could not be reloaded: {error.user_message}")
        return True

    def _reloaded(self, lead: str, before: ExpenseRow, fresh: ExpenseRow) -> None:
        chosen = self.category.currentData()
        self._show(fresh)
        self.sig_changed.emit(fresh)
        if fresh.frozen_reason is not None:
            self._say(f"{lead}. {fresh.frozen_reason}")
            return
        changes = what_changed(before, fresh)
        said = f" ({'; '.join(changes)})" if changes else ""
        self._say(
            f"{lead}{said}. Nothing was saved yet: the dialog shows Clio's copy now; "
            "Save again to give it the category chosen."
        )
        at = self.category.findData(chosen)
        if at >= 0 and chosen != fresh.activity.expense_category_id:
            self.category.setCurrentIndex(at)  # keep the user's choice ready to save again
