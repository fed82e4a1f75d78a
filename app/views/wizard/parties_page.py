"""The Parties step: the parties to the case, added one at a time and listed in a table."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QColor, QKeyEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLineEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.services.wizard.draft import Party
from app.services.wizard.flow import OrderWizard
from app.services.wizard.rules import Problems, party_roles
from app.views.wizard.fields import ProblemLabel

KINDS = (("person", "Person"), ("organization", "Organization"))


class PartiesPage(QWidget):
    """Role, person or organisation, name and "our client" for each party."""

    def __init__(self, wizard: OrderWizard, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.wizard = wizard
        self.role = QComboBox()
        self.role.setAccessibleName("Role")
        self.kind = QComboBox()
        for value, label in KINDS:
            self.kind.addItem(label, value)
        self.kind.setAccessibleName("Person or organization")
        self.name = QLineEdit(placeholderText="Name of the party")
        self.name.setAccessibleName("Name")
        self.is_client = QCheckBox("Our &client")
        self.add = QPushButton("&Add Party")
        self.table = QTableWidget(0, 4)
        self.table.setHorizontalHeaderLabels(["Role", "Person / Organization", "Name", "Client"])
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.verticalHeader().hide()
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        self.remove = QPushButton("&Remove Party")
        self.problem = ProblemLabel()

        entry = QHBoxLayout()
        entry.addWidget(self.role)
        entry.addWidget(self.kind)
        entry.addWidget(self.name, 1)
        entry.addWidget(self.is_client)
        entry.addWidget(self.add)
        layout = QVBoxLayout(self)
        layout.addLayout(entry)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.problem)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.remove)
        layout.addLayout(buttons)

        self.add.clicked.connect(self.add_party)
        self.name.installEventFilter(self)
        self.remove.clicked.connect(self.remove_selected)
        delete = QShortcut(QKeySequence(QKeySequence.StandardKey.Delete), self.table, self.remove_selected)
        delete.setContext(Qt.ShortcutContext.WidgetShortcut)
        self.show_roles()
        self.show_parties()

    def show_roles(self) -> None:
        """The roles of the chosen kind of case (civil: plaintiff, defendant…; family law and
        probate: petitioner, respondent…), the one that brings the case first."""
        roles = party_roles(self.wizard.draft.case_category_id).roles
        chosen = self.role.currentData()
        self.role.clear()
        for role in roles:
            self.role.addItem(role.capitalize(), role)
        index = self.role.findData(chosen)
        self.role.setCurrentIndex(max(index, 0))

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        """Enter in the name field adds the party (and must not also press Next)."""
        if watched is self.name and event.type() == QEvent.Type.KeyPress:
            assert isinstance(event, QKeyEvent)
            if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
                self.add_party()
                return True
        return super().eventFilter(watched, event)

    def add_party(self) -> None:
        """Add the party typed in the entry row (an empty name is caught by validation)."""
        role = str(self.role.currentData() or "")
        if not self.name.text().strip():
            self.problem.show_text("Enter the party's name, then Add Party.")
            return
        self.wizard.add_party(
            Party(role, self.name.text().strip(), str(self.kind.currentData()), self.is_client.isChecked())
        )
        self.name.clear()
        self.is_client.setChecked(False)
        self.problem.show_text("")
        self.show_parties()

    def remove_selected(self) -> None:
        for row in sorted({i.row() for i in self.table.selectedIndexes()}, reverse=True):
            self.wizard.remove_party(row)
        self.show_parties()

    def show_parties(self, problems: Problems | None = None) -> None:
        """Show the draft's parties; rows with problems in red, their messages as tooltips."""
        problems = problems or {}
        parties = self.wizard.draft.parties
        self.table.setRowCount(len(parties))
        for row, party in enumerate(parties):
            kind = dict(KINDS).get(party.kind, party.kind)
            texts = (party.role.capitalize(), kind, party.name, "Yes" if party.is_client else "")
            messages = [text for key, text in problems.items() if key.startswith(f"parties.{row}.")]
            for column, text in enumerate(texts):
                item = QTableWidgetItem(text)
                if messages:
                    item.setForeground(QColor("#b00020"))
                    item.setToolTip("\n".join(messages))
                self.table.setItem(row, column, item)

    def show_problems(self, problems: Problems) -> None:
        self.show_parties(problems)
        rows = [text for key, text in problems.items() if key.startswith("parties.")]
        general = problems.get("parties", "")
        self.problem.show_text("\n".join([general, *rows]).strip())

    def entered(self) -> None:
        self.show_roles()
        self.show_parties()
        self.name.setFocus()
