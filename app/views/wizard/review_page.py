"""The Review & Submit step: everything the order says, and the Clio matter returns go to."""

from __future__ import annotations

from collections.abc import Callable
from html import escape

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.services.clio.api import ClioClient
from app.services.clio.records import Matter
from app.services.expenses.status import money
from app.services.legalconnect.ordering import FeeQuote
from app.services.wizard.draft import ClioMatter, Role
from app.services.wizard.flow import OrderWizard
from app.services.wizard.rules import Problems
from app.views.clio_access import ClioAccess
from app.views.matter_picker import MatterPicker
from app.views.tasks import TaskRunner
from app.views.wizard.fields import ProblemLabel


class ReviewPage(QWidget):
    """A summary of the order, the Clio matter for returns, and the problems left to fix."""

    def __init__(
        self,
        wizard: OrderWizard,
        runner: TaskRunner,
        clio: ClioAccess | None,
        parent: QWidget | None = None,
        *,
        quote: Callable[[], FeeQuote | None] = lambda: None,
    ) -> None:
        """`quote`: the fees as last quoted on the Fees step (None until then)."""
        super().__init__(parent)
        self.wizard, self.runner, self.clio = wizard, runner, clio
        self._quote = quote
        self.summary = QLabel(wordWrap=True, textFormat=Qt.TextFormat.RichText)
        self.summary.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.matter = QLabel(wordWrap=True)
        self.change_matter = QPushButton("C&hange…")
        self.change_matter.setToolTip("Choose the Clio matter where returned documents will be filed")
        self.problem = ProblemLabel()
        matter_row = QHBoxLayout()
        matter_row.addWidget(self.matter, 1)
        matter_row.addWidget(self.change_matter)
        layout = QVBoxLayout(self)
        layout.addWidget(self.summary)
        layout.addLayout(matter_row)
        layout.addWidget(self.problem)
        layout.addStretch(1)
        self.change_matter.clicked.connect(self.pick_matter)
        self.matter_picker: MatterPicker | None = None

    def show_summary(self) -> None:
        draft, catalog = self.wizard.draft, self.wizard.catalog
        court = catalog.court(draft.court_id)
        category = catalog.category(draft.case_category_id)
        case_type = category.case_type(draft.case_type_id) if category else None
        case = "New case" if draft.new_case else f"Existing case {escape(draft.case_number)}"
        parties = "".join(
            f"<li>{escape(p.role.capitalize())}: {escape(p.name)}{client}</li>"
            for p in draft.parties
            for client in [" (our client)" if p.is_client else ""]
        )
        documents = "".join(
            f"<li>{'<b>Lead</b> ' if d.role is Role.LEAD else ''}{escape(d.display_name)} — "
            f"{escape(d.filing_code)}{f', {d.pages} pages' if d.pages else ''}</li>"
            for d in draft.documents
        )
        extras = "Expert Review added." if draft.expert_review else "No Expert Review."
        paying = (
            f"{escape(self.wizard.provider_name)} is authorized to pay the court fees."
            if draft.authorize_payment
            else "Court fees are not authorized yet."
        )
        quote = self._quote()
        fees = (
            f"<p><b>Fees: {money(quote.total_cents)}</b> in {len(quote.lines)} fee(s), as quoted on the "
            "Fees step.</p>"
            if quote is not None
            else "<p>The fees are quoted on the Fees step.</p>"
        )
        self.summary.setText(
            f"<h3>{escape(draft.case_title or 'Untitled case')}</h3>"
            f"<p>{escape(court.name if court else 'No court chosen')}<br>"
            f"{escape(category.name if category else '')} — {escape(case_type.name if case_type else '')}<br>"
            f"{case}</p>{f'<p><b>Parties</b></p><ul>{parties}</ul>' if parties else ''}"
            f"<p><b>Documents</b></p><ul>{documents}</ul>{fees}<p>{paying} {extras}</p>"
        )
        where = draft.clio.label if draft.clio else "none chosen"
        self.matter.setText(f"Returned documents go to Clio matter: {where}")
        offered = self.clio is not None and self.clio.enabled
        self.matter.setVisible(offered or draft.clio is not None)
        self.change_matter.setVisible(offered)

    def pick_matter(self) -> None:
        """Change…: choose another Clio matter (connecting to Clio first when needed)."""
        if self.clio is not None:
            self.clio.ensure_connected(self, self._open_picker)

    def _open_picker(self, client: ClioClient) -> None:
        picker = MatterPicker(client, self.runner, self)
        picker.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        picker.sig_chosen.connect(self._matter_chosen)
        picker.finished.connect(lambda _r: setattr(self, "matter_picker", None))
        self.matter_picker = picker
        picker.open()

    def _matter_chosen(self, matter: Matter) -> None:
        assert matter.client_id is not None  # the picker offers only matters with a client
        self.wizard.set_clio_matter(
            ClioMatter(matter.client_id, matter.client_name, matter.id, matter.display_number)
        )
        self.show_summary()

    def show_problems(self, problems: Problems) -> None:
        self.problem.show_text("\n".join(problems.values()))

    def entered(self) -> None:
        self.problem.show_text("")
        self.show_summary()
