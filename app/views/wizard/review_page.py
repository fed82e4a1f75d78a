"""The Review & Submit step: everything the order says, and the Clio matter returns go to.

`MatterPicker` is the small searchable list behind "Change…" (Clio's matter search, first page).
"""

from __future__ import annotations

from html import escape

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.services.clio.api import ClioClient
from app.services.clio.records import Matter
from app.services.http import ServiceError
from app.services.wizard.draft import ClioMatter, Role
from app.services.wizard.flow import OrderWizard
from app.services.wizard.rules import Problems
from app.views.clio_access import ClioAccess
from app.views.tasks import TaskRunner
from app.views.wizard.fields import ProblemLabel


async def first_matters(client: ClioClient, query: str) -> list[Matter]:
    """The first page of open and pending matters matching `query` (a picker needs no more)."""
    async for page in client.matters(query=query):
        if page:
            return page
    return []


class MatterPicker(QDialog):
    """Search Clio's matters and choose one."""

    sig_chosen = Signal(object)
    """(ClioMatter) the matter the user chose."""

    def __init__(self, client: ClioClient, runner: TaskRunner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Choose the Clio matter")
        self.client, self.runner = client, runner
        self.search = QLineEdit(placeholderText="Search matters", clearButtonEnabled=True)
        self.list = QListWidget()
        self.problem = ProblemLabel()
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        layout = QVBoxLayout(self)
        layout.addWidget(self.search)
        layout.addWidget(self.list, 1)
        layout.addWidget(self.problem)
        layout.addWidget(buttons)
        self._timer = QTimer(self, singleShot=True, interval=300)
        self._timer.timeout.connect(self.run_search)
        self.search.textChanged.connect(lambda _t: self._timer.start())
        self.list.itemActivated.connect(lambda _item: self.accept())
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        self.run_search()

    def run_search(self) -> None:
        self._timer.stop()
        self.runner.run(
            self,
            first_matters(self.client, self.search.text().strip()),
            on_success=self._show,
            on_error=self._failed,
            key="search",
        )

    def _failed(self, error: ServiceError) -> bool:
        self.problem.show_text(error.user_message)
        return True

    def _show(self, matters: list[Matter]) -> None:
        self.list.clear()
        for matter in matters:
            text = f"{matter.client_name} › {matter.display_number}"
            item = QListWidgetItem(f"{text} — {matter.description}" if matter.description else text)
            item.setData(Qt.ItemDataRole.UserRole, matter)
            self.list.addItem(item)
        if matters:
            self.list.setCurrentRow(0)

    def accept(self) -> None:
        item = self.list.currentItem()
        matter = item.data(Qt.ItemDataRole.UserRole) if item is not None else None
        if isinstance(matter, Matter) and matter.client_id is not None:
            self.sig_chosen.emit(
                ClioMatter(matter.client_id, matter.client_name, matter.id, matter.display_number)
            )
        super().accept()


class ReviewPage(QWidget):
    """A summary of the order, the Clio matter for returns, and the problems left to fix."""

    def __init__(
        self, wizard: OrderWizard, runner: TaskRunner, clio: ClioAccess | None, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.wizard, self.runner, self.clio = wizard, runner, clio
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
        self.summary.setText(
            f"<h3>{escape(draft.case_title or 'Untitled case')}</h3>"
            f"<p>{escape(court.name if court else 'No court chosen')}<br>"
            f"{escape(category.name if category else '')} — {escape(case_type.name if case_type else '')}<br>"
            f"{case}</p><p><b>Parties</b></p><ul>{parties}</ul>"
            f"<p><b>Documents</b></p><ul>{documents}</ul><p>{paying} {extras}</p>"
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

    def _matter_chosen(self, matter: ClioMatter) -> None:
        self.wizard.set_clio_matter(matter)
        self.show_summary()

    def show_problems(self, problems: Problems) -> None:
        self.problem.show_text("\n".join(problems.values()))

    def entered(self) -> None:
        self.problem.show_text("")
        self.show_summary()
