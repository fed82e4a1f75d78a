"""Fill an order from a Clio matter: read the matter, let the user confirm each party's role, apply.

`MatterFill` belongs to a wizard window. `fill(client, matter_id)` reads the matter (custom fields,
client, related contacts), builds the pre-fill, and opens `PrefillDialog`: one row per contact with
Clio's relationship description beside the role it maps to (the kind of case's roles, or "Not a
party"), and what the matter could not give. OK fills the Case and Parties pages and chooses the
matter for returns and fees; what was missing stays on the window as a notice.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app import config
from app.config import Config
from app.services.clio.api import ClioClient
from app.services.clio.matter_details import MatterDetails
from app.services.wizard.draft import Party
from app.services.wizard.flow import OrderWizard
from app.services.wizard.prefill import NOT_A_PARTY, Prefill, apply_prefill, build_prefill
from app.services.wizard.rules import party_roles
from app.views.notify import Level, NotificationArea
from app.views.tasks import TaskRunner


class PrefillDialog(QDialog):
    """Confirm how the matter's contacts become parties (see the module docstring)."""

    def __init__(self, prefill: Prefill, matter_label: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Start the order from a Clio matter")
        self.resize(720, 420)
        self.prefill = prefill
        roles = party_roles(prefill.category_id).roles
        heading = QLabel(f"Parties from {matter_label}: confirm the role of each.")
        heading.setWordWrap(True)
        self.table = QTableWidget(len(prefill.parties), 3)
        self.table.setHorizontalHeaderLabels(["Name", "In Clio", "Role in this case"])
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.roles: list[QComboBox] = []
        for row, party in enumerate(prefill.parties):
            self.table.setItem(row, 0, QTableWidgetItem(party.name))
            self.table.setItem(row, 1, QTableWidgetItem(party.description))
            combo = QComboBox()
            combo.setAccessibleName(f"Role of {party.name}")
            for role in roles:
                combo.addItem(role.capitalize(), role)
            combo.addItem("Not a party", NOT_A_PARTY)
            combo.setCurrentIndex(max(0, combo.findData(party.role)))
            self.roles.append(combo)
            self.table.setCellWidget(row, 2, combo)
        self.missing = QLabel("\n".join(prefill.missing))
        self.missing.setObjectName("panelMessage")
        self.missing.setWordWrap(True)
        self.missing.setVisible(bool(prefill.missing))
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        ok = buttons.button(QDialogButtonBox.StandardButton.Ok)
        ok.setText("&Fill the Order")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(heading)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.missing)
        layout.addWidget(buttons)

    def set_role(self, name: str, role: str) -> None:
        """Choose `role` for the contact `name` (NOT_A_PARTY leaves it out), as the user would."""
        row = next(i for i, p in enumerate(self.prefill.parties) if p.name == name)
        self.roles[row].setCurrentIndex(self.roles[row].findData(role))

    def parties(self) -> list[Party]:
        """The parties as confirmed (contacts marked "Not a party" left out)."""
        chosen: list[Party] = []
        for party, combo in zip(self.prefill.parties, self.roles, strict=True):
            role = str(combo.currentData() or "")
            if role != NOT_A_PARTY:
                chosen.append(Party(role, party.name, party.kind, party.is_client))
        return chosen


class MatterFill(QObject):
    """Reads a matter and fills the window's wizard after the user confirms (module docstring)."""

    def __init__(
        self,
        owner: QWidget,
        wizard: OrderWizard,
        runner: TaskRunner,
        settings: Config,
        notices: NotificationArea,
        applied: Callable[[], None],
    ) -> None:
        """`applied()` runs after the wizard was filled (the window refreshes its pages)."""
        super().__init__(owner)
        self._owner, self.wizard, self._runner = owner, wizard, runner
        self._settings, self._notices, self._applied = settings, notices, applied
        self.dialog: PrefillDialog | None = None
        """The last confirmation shown (tests answer it)."""

    def fill(self, client: ClioClient, matter_id: int) -> None:
        self._runner.run(
            self._owner, client.matter_details(matter_id), on_success=self._confirm, on_error=self._failed
        )

    def _failed(self, error: Exception) -> bool:
        message = getattr(error, "user_message", str(error))
        self._notices.show_notice("The Clio matter could not be read.", message, Level.ERROR)
        return True

    def _confirm(self, details: MatterDetails) -> None:
        prefill = build_prefill(
            details,
            self.wizard.catalog,
            self._settings.get(config.CLIO_CASE_NUMBER_FIELD),
            self._settings.get(config.CLIO_COURT_FIELD),
        )
        label = (
            f"{details.client_name} › {details.display_number}"
            if details.client_name
            else details.display_number
        )
        dialog = PrefillDialog(prefill, label, self._owner)
        dialog.accepted.connect(lambda: self._apply(prefill, dialog.parties(), label))
        self.dialog = dialog
        dialog.open()

    def _apply(self, prefill: Prefill, parties: list[Party], label: str) -> None:
        apply_prefill(self.wizard, prefill, parties)
        self._applied()
        if prefill.missing:
            self._notices.show_notice(
                f"Filled from Clio › {label}; some of it was not in Clio:",
                " ".join(prefill.missing),
                Level.WARNING,
            )
        else:
            self._notices.show_notice(
                f"Filled from Clio › {label}.", "Check the case and its parties, then go on.", Level.SUCCESS
            )
