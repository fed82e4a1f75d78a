"""Settings › Fees into Clio: the expense category each kind of fee goes under, chosen from the
firm's Clio categories, with an offer to create in Clio the ones it does not have yet.

Nothing is saved here: the Settings dialog saves the choices with its other fields on OK. Creating
categories happens at once (it is what the button says) and the lists are read again after.
"""

from __future__ import annotations

import shiboken6
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app import config
from app.config import Config
from app.services.clio.records import ExpenseCategory
from app.services.errors import ServiceError
from app.views.clio_access import ClioAccess
from app.views.tasks import TaskRunner

CATEGORY_ENTRY_TYPES = {"HardCostEntry": "hard_cost", "SoftCostEntry": "soft_cost"}
"""The kind of category to create for the entry type fees are recorded as (else unassociated)."""


class FeeCategoriesBox(QGroupBox):
    """One category choice per kind of fee, and "Create the missing ones in Clio"."""

    def __init__(
        self, settings: Config, clio: ClioAccess, runner: TaskRunner, parent: QWidget | None = None
    ) -> None:
        super().__init__("Expense categories in Clio", parent)
        self._settings = settings
        self._clio = clio
        self._runner = runner
        self.categories: list[ExpenseCategory] | None = None
        self.combos: dict[str, QComboBox] = {}
        form = QFormLayout()
        for code, label, suggested in config.FEE_KINDS:
            combo = QComboBox()
            combo.setEditable(True)  # a category the firm is about to create may be typed in
            combo.setAccessibleName(f"Expense category for {label.lower()}")
            combo.setObjectName(config.FEES_CATEGORY[code].key)
            combo.setToolTip(config.FEES_CATEGORY[code].help)
            editor = combo.lineEdit()
            if editor is not None:
                editor.setPlaceholderText(f"{suggested} (suggested)")
            combo.currentTextChanged.connect(lambda _t: self._update_missing())
            self.combos[code] = combo
            form.addRow(f"{label}:", combo)
        self.note = QLabel()
        self.note.setObjectName("panelMessage")
        self.note.setWordWrap(True)
        self.note.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.create_button = QPushButton("C&reate them in Clio")
        self.create_button.setToolTip("Add the missing expense categories to the firm's Clio account")
        self.create_button.clicked.connect(self.create_missing)
        row = QHBoxLayout()
        row.addWidget(self.note, 1)
        row.addWidget(self.create_button)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addLayout(row)
        self.restore(from_defaults=False)
        clio.sig_changed.connect(self.load)
        self.load()

    # -- values ---------------------------------------------------------------------------------

    def restore(self, *, from_defaults: bool) -> None:
        """Show the saved choices (or the defaults: the suggested categories)."""
        for code, combo in self.combos.items():
            setting = config.FEES_CATEGORY[code]
            combo.setEditText(setting.default if from_defaults else self._settings.get(setting))
        self._update_missing()

    def show_error(self, code: str, message: str) -> None:
        """Say why the choice for one kind of fee cannot be saved."""
        label = next(label for c, label, _s in config.FEE_KINDS if c == code)
        self.note.setText(f"{label}: {message}")
        self.combos[code].setFocus()

    def values(self) -> dict[str, str]:
        """The chosen category name per fee kind ("" = the suggested one)."""
        return {code: combo.currentText().strip() for code, combo in self.combos.items()}

    def wanted(self) -> list[str]:
        """The category names the fees would be recorded under, each once, in order."""
        names: list[str] = []
        for code, _label, suggested in config.FEE_KINDS:
            name = self.values()[code] or suggested
            if name.casefold() not in (n.casefold() for n in names):
                names.append(name)
        return names

    def missing(self) -> list[str]:
        """Wanted categories the firm's Clio does not have (empty until the categories are read)."""
        if self.categories is None:
            return []
        have = {c.name.strip().casefold() for c in self.categories}
        return [name for name in self.wanted() if name.casefold() not in have]

    # -- Clio -----------------------------------------------------------------------------------

    def load(self) -> None:
        """Read the firm's categories (when connected) to offer them and find the missing ones."""
        client = self._clio.client if self._clio.connected else None
        if client is None:
            self.categories = None
            self._update_missing()
            return
        self.note.setText("Reading the firm's expense categories from Clio…")
        self._runner.run(
            self, client.expense_categories(), on_success=self._got, on_error=self._failed, key="load"
        )

    def _got(self, categories: list[ExpenseCategory]) -> None:
        self.categories = categories
        names = sorted((c.name for c in categories), key=str.casefold)
        for combo in self.combos.values():
            text = combo.currentText()
            combo.blockSignals(True)
            combo.clear()
            combo.addItems(names)
            combo.setEditText(text)
            combo.blockSignals(False)
        self._update_missing()

    def _failed(self, error: ServiceError) -> bool:
        self.note.setText(f"Could not read the firm's expense categories from Clio: {error.user_message}")
        self.create_button.setVisible(False)
        return True

    def _update_missing(self) -> None:
        if self.categories is None:
            connected = self._clio.connected
            self.note.setText(
                "" if connected else "Connect to Clio to choose from the firm's expense categories."
            )
            self.create_button.setVisible(False)
            return
        missing = self.missing()
        if missing:
            self.note.setText(
                "Not in the firm's Clio yet: " + ", ".join(missing) + ". Fees wait until they exist."
            )
        else:
            self.note.setText("Every category chosen is in the firm's Clio.")
        self.create_button.setVisible(bool(missing))

    def create_missing(self) -> None:
        """Create the missing categories in Clio now, then read the list again."""
        client = self._clio.client if self._clio.connected else None
        missing = self.missing()
        if client is None or not missing:
            return
        kind = CATEGORY_ENTRY_TYPES.get(self._settings.get(config.FEES_ENTRY_TYPE), "unassociated")

        async def create() -> list[ExpenseCategory]:
            for name in missing:
                await client.create_expense_category(name, kind)
            return await client.expense_categories()

        self.create_button.setEnabled(False)
        self.note.setText(f"Creating {', '.join(missing)} in Clio…")
        task = self._runner.run(
            self, create(), on_success=self._got, on_error=self._create_failed, key="create"
        )
        task.add_done_callback(lambda _t: self._created())

    def _created(self) -> None:
        if shiboken6.isValid(self):
            self.create_button.setEnabled(True)

    def _create_failed(self, error: ServiceError) -> bool:
        said = f"Not every category could be created in Clio: {error.user_message}"
        self.note.setText(said)
        client = self._clio.client if self._clio.connected else None
        if client is not None:  # some may have been made: read the list again, keep the reason

            def got(categories: list[ExpenseCategory]) -> None:
                self._got(categories)
                self.note.setText(f"{said} {self.note.text()}")

            self._runner.run(self, client.expense_categories(), on_success=got, key="load")
        return True
