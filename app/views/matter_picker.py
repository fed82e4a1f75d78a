"""Choose a Clio matter: the small searchable list behind "Change…" (wizard) and "Choose Clio
matter…" (an order's returns). It searches Clio's matters (open and pending, first page) as the
user types.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.services.clio.api import ClioClient
from app.services.clio.records import Matter
from app.services.errors import ServiceError
from app.views.tasks import TaskRunner

SEARCH_DELAY_MS = 300


PICKER_LIMIT = 200
"""Matters listed at most (one page of Clio's): a search narrows it down further."""


async def first_matters(client: ClioClient, query: str) -> list[Matter]:
    """Up to `PICKER_LIMIT` open, then pending, matters matching `query` (a pending matter is
    listed after the open ones, not hidden by them)."""
    found: list[Matter] = []
    async for page in client.matters(query=query):
        found += page
        if len(found) >= PICKER_LIMIT:
            break
    return found[:PICKER_LIMIT]


class MatterPicker(QDialog):
    """Search Clio's matters and choose one."""

    sig_chosen = Signal(object)
    """(Matter) the matter the user chose (it has a client)."""

    def __init__(
        self,
        client: ClioClient,
        runner: TaskRunner,
        parent: QWidget | None = None,
        *,
        title: str = "Choose the Clio matter",
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.resize(640, 460)  # long client and matter names read whole
        self.client, self.runner = client, runner
        self.search = QLineEdit(placeholderText="Search matters", clearButtonEnabled=True)
        self.search.setAccessibleName("Search matters")
        self.list = QListWidget()
        self.list.setAccessibleName("Matters")
        self.problem = QLabel(wordWrap=True)
        self.problem.setObjectName("problem")
        self.problem.setStyleSheet("color: #b00020;")
        self.problem.setVisible(False)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        layout = QVBoxLayout(self)
        layout.addWidget(self.search)
        layout.addWidget(self.list, 1)
        layout.addWidget(self.problem)
        layout.addWidget(buttons)
        self._timer = QTimer(self, singleShot=True, interval=SEARCH_DELAY_MS)
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
        self.problem.setText(error.user_message)
        self.problem.setVisible(True)
        return True

    def _show(self, matters: list[Matter]) -> None:
        self.problem.setVisible(False)
        self.list.clear()
        for matter in matters:
            text = f"{matter.client_name} › {matter.display_number}"
            item = QListWidgetItem(f"{text} — {matter.description}" if matter.description else text)
            item.setData(Qt.ItemDataRole.UserRole, matter)
            self.list.addItem(item)
        if matters:
            self.list.setCurrentRow(0)
            return
        query = self.search.text().strip()
        none = QListWidgetItem(
            f"No open or pending matters match “{query}”." if query else "No open or pending matters."
        )
        none.setFlags(Qt.ItemFlag.NoItemFlags)  # a message, not a choice
        self.list.addItem(none)

    def accept(self) -> None:
        item = self.list.currentItem()
        matter = item.data(Qt.ItemDataRole.UserRole) if item is not None else None
        if isinstance(matter, Matter) and matter.client_id is not None:
            self.sig_chosen.emit(matter)
        super().accept()
