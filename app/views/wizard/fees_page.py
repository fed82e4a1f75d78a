"""The Fees step: the provider's quote line by line, the payment authorisation, Expert Review.

The quote is asked for each time the page is shown and when Expert Review is switched, in the
background; until it arrives the table says so.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QHeaderView,
    QLabel,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.services.expenses.status import money
from app.services.http import ServiceError
from app.services.legalconnect.ordering import FeeQuote
from app.services.wizard.flow import OrderWizard
from app.services.wizard.rules import Problems
from app.services.wizard.submission import OrderSubmission
from app.views.tasks import TaskRunner
from app.views.wizard.fields import ProblemLabel

EXPERT_REVIEW_TEXT = (
    "Add &Expert Review ($35.00): a document specialist checks the filing before it goes to the court"
)


class FeesPage(QWidget):
    """Quote, authorisation and add-ons (see the module docstring)."""

    def __init__(
        self,
        wizard: OrderWizard,
        submission: OrderSubmission,
        runner: TaskRunner,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.wizard, self.submission, self.runner = wizard, submission, runner
        self.quote: FeeQuote | None = None
        self.lines = QTableWidget(0, 2)
        self.lines.setHorizontalHeaderLabels(["Fee", "Amount"])
        self.lines.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.lines.verticalHeader().hide()
        self.lines.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.lines.setAccessibleName("Fees")
        self.total = QLabel()
        self.total.setAlignment(Qt.AlignmentFlag.AlignRight)
        self.status = QLabel()
        self.note = QLabel(wordWrap=True)
        self.authorize = QCheckBox(f"&Authorize {wizard.provider_name} to pay the court fees")
        self.expert_review = QCheckBox(EXPERT_REVIEW_TEXT)
        self.problem = ProblemLabel()
        self.quote_problem = ProblemLabel()
        layout = QVBoxLayout(self)
        layout.addWidget(self.status)
        layout.addWidget(self.lines, 1)
        layout.addWidget(self.total)
        layout.addWidget(self.note)
        layout.addWidget(self.quote_problem)
        layout.addWidget(self.expert_review)
        layout.addWidget(self.authorize)
        layout.addWidget(self.problem)
        self.authorize.setChecked(wizard.draft.authorize_payment)
        self.expert_review.setChecked(wizard.draft.expert_review)
        self.authorize.toggled.connect(self._authorize_toggled)
        self.expert_review.toggled.connect(self._expert_toggled)

    def _authorize_toggled(self, checked: bool) -> None:
        self.wizard.set_authorize_payment(checked)
        if checked:
            self.problem.show_text("")

    def _expert_toggled(self, checked: bool) -> None:
        self.wizard.set_expert_review(checked)
        self.refresh_quote()

    def refresh_quote(self) -> None:
        """Ask the provider for the fees of the order as it is now."""
        self.status.setText("Getting the fees from the Service Provider…")
        self.quote_problem.show_text("")
        self.runner.run(
            self,
            self.submission.quote_fees(),
            on_success=self._show_quote,
            on_error=self._failed,
            key="quote",
        )

    def _failed(self, error: ServiceError) -> bool:
        self.status.setText("")
        self.quote_problem.show_text(f"The fees could not be loaded: {error.user_message}")
        return True

    def _show_quote(self, quote: FeeQuote) -> None:
        self.quote = quote
        self.status.setText("")
        self.lines.setRowCount(len(quote.lines))
        for row, line in enumerate(quote.lines):
            amount = QTableWidgetItem(money(line.amount_cents))
            amount.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            self.lines.setItem(row, 0, QTableWidgetItem(line.description))
            self.lines.setItem(row, 1, amount)
        self.total.setText(f"<b>Total: {money(quote.total_cents)}</b>")
        self.note.setText(quote.note)

    def show_problems(self, problems: Problems) -> None:
        self.problem.show_text(problems.get("authorize_payment", ""))
        self.quote_problem.show_text(problems.get("documents", ""))

    def entered(self) -> None:
        self.refresh_quote()
        self.authorize.setFocus()
