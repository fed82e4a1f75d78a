"""The "Place eFiling Order" window: step indicator, the five pages, Back / Next / Submit.

A non-modal window over one `OrderWizard` and its `OrderSubmission`. It only moves between pages
and shows what `next()` and `submit()` say; the pages apply the user's input into the wizard.
Closing it keeps the draft (it is autosaved) and stops the work under way, which starts again when
the draft is resumed.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtGui import QCloseEvent, QFont
from PySide6.QtWidgets import (
    QDialog,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from app.config import Config
from app.services.clio.api import ClioClient
from app.services.http import ServiceError
from app.services.legalconnect.client import LegalConnectClient
from app.services.legalconnect.records import Order
from app.services.wizard.events import Step
from app.services.wizard.flow import STEPS, OrderWizard
from app.services.wizard.rules import Problems
from app.services.wizard.submission import OrderIncomplete, OrderSubmission
from app.views.clio_access import ClioAccess
from app.views.notify import Level, NotificationArea
from app.views.tasks import TaskRunner
from app.views.wizard.case_page import CasePage
from app.views.wizard.documents_page import DocumentsPage
from app.views.wizard.fees_page import FeesPage
from app.views.wizard.from_matter import MatterFill
from app.views.wizard.parties_page import PartiesPage
from app.views.wizard.review_page import ReviewPage
from app.views.wizard.signals import WizardSignals


class WizardWindow(QDialog):
    """Place eFiling Order (see the module docstring). `on_submitted(order)` runs after submitting."""

    def __init__(
        self,
        wizard: OrderWizard,
        submission: OrderSubmission,
        *,
        client: LegalConnectClient,
        runner: TaskRunner,
        settings: Config,
        clio: ClioAccess | None,
        on_submitted: Callable[[Order], None] = lambda _order: None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Place eFiling Order")
        self.setModal(False)
        self.resize(980, 640)
        self.wizard, self.submission, self.runner, self.client = wizard, submission, runner, client
        self._on_submitted = on_submitted
        self.order: Order | None = None
        self.signals = WizardSignals(wizard, self)
        self.notices = NotificationArea()
        self._changed = False
        """Something was changed in this window (closing then asks Keep as Draft / Discard)."""
        self._close_answered = False
        self.close_prompt: QMessageBox | None = None

        self.clio = clio
        self.case_page = CasePage(
            wizard,
            self.load_court_types,
            on_from_matter=self.choose_matter_to_fill if clio is not None and clio.enabled else None,
        )
        self.matter_fill = MatterFill(self, wizard, runner, settings, self.notices, self._filled_from_matter)
        self.parties_page = PartiesPage(wizard)
        self.documents_page = DocumentsPage(wizard, self.signals, submission, runner, settings, clio)
        self.documents_page.on_matter_order = self.fill_from_matter
        self.fees_page = FeesPage(wizard, submission, runner)
        self.review_page = ReviewPage(wizard, runner, clio, quote=lambda: self.fees_page.quote)
        self.pages: dict[Step, CasePage | PartiesPage | DocumentsPage | FeesPage | ReviewPage] = {
            Step.CASE: self.case_page,
            Step.PARTIES: self.parties_page,
            Step.DOCUMENTS: self.documents_page,
            Step.FEES: self.fees_page,
            Step.REVIEW: self.review_page,
        }
        self.stack = QStackedWidget()
        for page in self.pages.values():
            self.stack.addWidget(page)
        self.done_page, self.order_number = self._build_done_page()
        self.stack.addWidget(self.done_page)

        self.steps = QHBoxLayout()
        self.step_labels = {step: QLabel(f"{i}. {step.label}") for i, step in enumerate(STEPS, 1)}
        for label in self.step_labels.values():
            self.steps.addWidget(label)
        self.steps.addStretch(1)
        self.back_button = QPushButton("&Back")
        self.next_button = QPushButton("&Next")
        self.next_button.setDefault(True)
        self.submit_button = QPushButton("&Submit Order")
        self.close_button = QPushButton("Close")
        self.close_button.setToolTip("Close; the order is saved as a draft and can be resumed")
        buttons = QHBoxLayout()
        buttons.addWidget(self.close_button)
        buttons.addStretch(1)
        for button in (self.back_button, self.next_button, self.submit_button):
            buttons.addWidget(button)
        layout = QVBoxLayout(self)
        layout.addLayout(self.steps)
        layout.addWidget(self.notices)
        layout.addWidget(self.stack, 1)
        layout.addLayout(buttons)

        self.back_button.clicked.connect(self.go_back)
        self.next_button.clicked.connect(self.go_next)
        self.submit_button.clicked.connect(self.submit)
        self.close_button.clicked.connect(self.close)
        self.signals.sig_step_changed.connect(self._show_step)
        for changed in (
            self.signals.sig_draft_changed,
            self.signals.sig_document_added,
            self.signals.sig_document_removed,
            self.signals.sig_documents_reordered,
        ):
            changed.connect(self._note_change)
        self.signals.sig_service_problem.connect(
            lambda message: self.notices.show_notice("", message, Level.ERROR)
        )
        if wizard.draft.court_id:
            self.load_court_types(wizard.draft.court_id)
        self._show_step(wizard.current)

    def _build_done_page(self) -> tuple[QWidget, QLabel]:
        page = QWidget()
        title = QLabel("Order submitted")
        number = QLabel()
        font = QFont(number.font())
        font.setPointSize(font.pointSize() * 2)
        font.setBold(True)
        number.setFont(font)
        number.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        note = QLabel("You will find it in the orders list; the court's decision appears there too.")
        layout = QVBoxLayout(page)
        layout.addStretch(1)
        for widget in (title, number, note):
            widget.setAlignment(Qt.AlignmentFlag.AlignCenter)
            layout.addWidget(widget)
        layout.addStretch(1)
        return page, number

    # -- moving between steps -------------------------------------------------------------------

    @property
    def page(self) -> CasePage | PartiesPage | DocumentsPage | FeesPage | ReviewPage:
        return self.pages[self.wizard.current]

    def _show_step(self, step: Step) -> None:
        for each, label in self.step_labels.items():
            label.setText(
                f"<b>{STEPS.index(each) + 1}. {each.label}</b>"
                if each is step
                else f"{STEPS.index(each) + 1}. {each.label}"
            )
            label.setEnabled(each is step or each in self.wizard.visited)
        page = self.pages[step]
        self.stack.setCurrentWidget(page)
        page.show_problems({})
        page.entered()
        last = step is Step.REVIEW
        self.back_button.setEnabled(self.wizard.can_go_back)
        self.next_button.setVisible(not last)
        self.submit_button.setVisible(last)
        (self.submit_button if last else self.next_button).setDefault(True)

    def go_next(self) -> Problems:
        """Next (Alt+N, Enter): accept this step or show what stops it, beside the fields."""
        problems = self.wizard.next()
        if problems:
            self.page.show_problems(problems)
        return problems

    def go_back(self) -> None:
        """Back (Alt+B)."""
        if self.wizard.can_go_back:
            self.wizard.back()

    def load_court_types(self, court_id: str) -> None:
        """Fetch the court's document types in the background, then refresh the type picker."""
        self.runner.run(
            self,
            self.wizard.catalog.load_court(self.client, court_id),
            on_success=lambda _types: self.documents_page.refresh_types(),
            key="court",
        )

    # -- from a Clio matter ----------------------------------------------------------------------

    def choose_matter_to_fill(self) -> None:
        """From Clio matter…: pick a matter (connecting to Clio first if needed), then fill."""
        if self.clio is None:
            return

        def pick(client: ClioClient) -> None:
            from app.views.matter_picker import MatterPicker

            picker = MatterPicker(client, self.runner, self, title="Start the order from a Clio matter")
            picker.sig_chosen.connect(lambda matter: self.matter_fill.fill(client, matter.id))
            self.matter_picker = picker
            picker.open()

        self.clio.ensure_connected(self, pick)

    def fill_from_matter(self, matter_id: int) -> None:
        """Fill this order from the Clio matter `matter_id` (after the user confirms the roles)."""
        if self.clio is not None:
            self.clio.ensure_connected(self, lambda client: self.matter_fill.fill(client, matter_id))

    def _filled_from_matter(self) -> None:
        """Show what was filled: back on the Case page, the parties listed, the court's types read."""
        self.case_page.reload()
        self.parties_page.show_roles()
        self.parties_page.show_parties()
        if self.wizard.draft.court_id:
            self.load_court_types(self.wizard.draft.court_id)
        if self.wizard.current is not Step.CASE:
            self.wizard.goto(Step.CASE)

    # -- submitting -----------------------------------------------------------------------------

    def submit(self) -> None:
        """Submit the order; the problems (if any) show on the Review page."""
        self.submit_button.setEnabled(False)
        self.runner.run(
            self, self._submit(), on_success=self._submitted, on_error=self._submit_failed, key="submit"
        )

    async def _submit(self) -> Order | Problems:
        """The submitted order, or what must be fixed first (nothing was sent then)."""
        try:
            return await self.submission.submit()
        except OrderIncomplete as incomplete:
            return incomplete.problems

    def _submitted(self, result: Order | Problems) -> None:
        self.submit_button.setEnabled(True)
        if isinstance(result, dict):
            self.review_page.show_problems(result)
            return
        self.show_submitted(result)

    def show_submitted(self, result: Order) -> None:
        """The submitted page with the order's number (after Submit, or on resuming a draft the
        provider had already taken)."""
        self.order = result
        self.documents_page.notices.clear()  # nothing can be put back into a submitted order
        self.order_number.setText(f"Order {result.order_number}")
        self.stack.setCurrentWidget(self.done_page)
        for button in (self.back_button, self.next_button, self.submit_button):
            button.setVisible(False)
        self.close_button.setDefault(True)
        self.close_button.setFocus()
        self._on_submitted(result)

    def _submit_failed(self, error: ServiceError) -> bool:
        self.submit_button.setEnabled(True)
        self.review_page.show_problems({"submit": f"The order was not submitted: {error.user_message}"})
        return True

    # -- closing --------------------------------------------------------------------------------

    def done(self, result: int) -> None:
        """Esc or Close: with changes made in this window, ask first (Keep as Draft / Discard /
        Cancel); the draft is autosaved, so keeping it is the default; work under way stops."""
        if not self._may_close():
            return
        self._shut()
        super().done(result)

    def closeEvent(self, event: QCloseEvent) -> None:
        if not self._may_close():
            event.ignore()
            return
        self._shut()
        super().closeEvent(event)

    def keep_as_draft(self) -> None:
        """Save the draft now; closing from here on keeps it without asking (the app is quitting)."""
        self.wizard.flush()
        self._close_answered = True

    def _note_change(self, *_args: object) -> None:
        self._changed = True

    def _may_close(self) -> bool:
        if self._close_answered or self.order is not None or not self._changed:
            return True
        if self.close_prompt is None or not self.close_prompt.isVisible():
            self._ask_before_closing()
        return False

    def _ask_before_closing(self) -> None:
        title = self.wizard.draft.case_title.strip() or "this order"
        box = QMessageBox(
            QMessageBox.Icon.Question, "Close order", "", QMessageBox.StandardButton.Cancel, self
        )
        box.setTextFormat(Qt.TextFormat.PlainText)
        box.setText(f"Keep “{title}” as a draft?" if title != "this order" else "Keep this order as a draft?")
        box.setInformativeText(
            "A draft can be finished later (File › Resume Unfinished Order). Discard deletes it, "
            "with the documents uploaded for it; the files on this computer and in Clio stay."
        )
        keep = box.addButton("&Keep as Draft", QMessageBox.ButtonRole.AcceptRole)
        discard = box.addButton("&Discard", QMessageBox.ButtonRole.DestructiveRole)
        box.setDefaultButton(keep)
        box.setEscapeButton(QMessageBox.StandardButton.Cancel)

        def answered(_result: int) -> None:
            clicked = box.clickedButton()
            if clicked is keep:
                self._close_answered = True
                self.close()
            elif clicked is discard:
                self._close_answered = True
                self.runner.run(self, self.submission.discard(), on_success=self._close_now)

        box.finished.connect(answered)
        self.close_prompt = box
        box.open()

    def _close_now(self, _result: None = None) -> None:
        self.close()

    def _shut(self) -> None:
        if self.order is None:
            self.wizard.flush()  # nothing once discarded: the autosave has stopped
        self.submission.close()
        self.signals.detach()
