"""The Case step: court, case category and type, new or existing case, case title.

Each change goes into the wizard at once (and so into the autosaved draft); the problems `next()`
finds are shown under their fields.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QFormLayout,
    QLineEdit,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from app.services.wizard.flow import OrderWizard
from app.services.wizard.rules import Problems
from app.views.wizard.fields import ProblemLabel


class CasePage(QWidget):
    """Court, case category and type, new case or existing case number, case title."""

    def __init__(
        self,
        wizard: OrderWizard,
        on_court: Callable[[str], None],
        parent: QWidget | None = None,
        *,
        on_from_matter: Callable[[], None] | None = None,
    ) -> None:
        """With `on_from_matter`, a "From Clio matter…" button offers to fill the order from one."""
        super().__init__(parent)
        self.wizard = wizard
        self._on_court = on_court
        self.from_matter = QPushButton("From Clio &matter…")
        self.from_matter.setToolTip(
            "Fill the court, case number, title and parties from a Clio matter, and file returns there"
        )
        self.from_matter.setVisible(on_from_matter is not None)
        if on_from_matter is not None:
            self.from_matter.clicked.connect(on_from_matter)
        catalog = wizard.catalog
        self.court = QComboBox()
        self.court.setAccessibleName("Court")
        self.court.addItem("Choose the court…", None)
        for court in catalog.courts:
            self.court.addItem(court.name, court.id)
        self.category = QComboBox()
        self.category.setAccessibleName("Case category")
        self.category.addItem("Choose the case category…", None)
        for category in catalog.categories:
            self.category.addItem(category.name, category.id)
        self.case_type = QComboBox()
        self.case_type.setAccessibleName("Case type")
        self.new_case = QRadioButton("Ne&w case")
        self.existing_case = QRadioButton("E&xisting case")
        group = QButtonGroup(self)
        group.addButton(self.new_case)
        group.addButton(self.existing_case)
        self.case_number = QLineEdit(placeholderText="Case number, e.g. 24STCV01234")
        self.case_number.setAccessibleName("Case number")
        self.case_title = QLineEdit(placeholderText="e.g. Alvarez v. Brightwater Motors")
        self.case_title.setAccessibleName("Case title")
        self.problems = {
            key: ProblemLabel()
            for key in ("court_id", "case_category_id", "case_type_id", "case_number", "case_title")
        }

        form = QFormLayout()
        form.addRow("&Court:", self.court)
        form.addRow("", self.problems["court_id"])
        form.addRow("Case c&ategory:", self.category)
        form.addRow("", self.problems["case_category_id"])
        form.addRow("Case &type:", self.case_type)
        form.addRow("", self.problems["case_type_id"])
        form.addRow("", self.new_case)
        form.addRow("", self.existing_case)
        form.addRow("Case n&umber:", self.case_number)
        form.addRow("", self.problems["case_number"])
        form.addRow("Case t&itle:", self.case_title)
        form.addRow("", self.problems["case_title"])
        layout = QVBoxLayout(self)
        layout.addWidget(self.from_matter, 0, Qt.AlignmentFlag.AlignRight)
        layout.addLayout(form)
        layout.addStretch(1)

        self.reload()

        self.court.currentIndexChanged.connect(self._court_chosen)
        self.category.currentIndexChanged.connect(self._category_chosen)
        self.case_type.currentIndexChanged.connect(
            lambda _i: self.wizard.set_case_type(self.case_type.currentData())
        )
        self.new_case.toggled.connect(self._new_case_toggled)
        self.case_number.textEdited.connect(self.wizard.set_case_number)
        self.case_title.textEdited.connect(self.wizard.set_case_title)

    def reload(self) -> None:
        """Show the draft's case as it is now (after it was filled from a Clio matter)."""
        draft = self.wizard.draft
        widgets = (self.court, self.category, self.new_case, self.existing_case)
        for widget in widgets:
            widget.blockSignals(True)
        self.court.setCurrentIndex(max(0, self.court.findData(draft.court_id)))
        self.category.setCurrentIndex(max(0, self.category.findData(draft.case_category_id)))
        self._fill_types()
        (self.new_case if draft.new_case else self.existing_case).setChecked(True)
        for widget in widgets:
            widget.blockSignals(False)
        self.case_number.setText(draft.case_number)
        self.case_number.setEnabled(not draft.new_case)
        self.case_title.setText(draft.case_title)

    def _court_chosen(self, _index: int) -> None:
        court_id = self.court.currentData()
        self.wizard.set_court(court_id)
        if court_id:
            self._on_court(str(court_id))

    def _category_chosen(self, _index: int) -> None:
        self.wizard.set_case_category(self.category.currentData())
        self._fill_types()

    def _fill_types(self) -> None:
        category = self.wizard.catalog.category(self.wizard.draft.case_category_id)
        self.case_type.blockSignals(True)
        self.case_type.clear()
        self.case_type.addItem("Choose the case type…", None)
        for case_type in category.case_types if category else ():
            self.case_type.addItem(case_type.name, case_type.id)
        self.case_type.setCurrentIndex(max(0, self.case_type.findData(self.wizard.draft.case_type_id)))
        self.case_type.setEnabled(category is not None)
        self.case_type.blockSignals(False)

    def _new_case_toggled(self, new_case: bool) -> None:
        self.wizard.set_new_case(new_case)
        self.case_number.setEnabled(not new_case)

    def choose(self, court_id: str, category_id: str, type_id: str) -> None:
        """Pick court, category and type as the user would (keyboard or mouse)."""
        self.court.setCurrentIndex(self.court.findData(court_id))
        self.category.setCurrentIndex(self.category.findData(category_id))
        self.case_type.setCurrentIndex(self.case_type.findData(type_id))

    def show_problems(self, problems: Problems) -> None:
        for key, label in self.problems.items():
            label.show_text(problems.get(key, ""))

    def entered(self) -> None:
        self.court.setFocus()
