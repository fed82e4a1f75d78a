"""Settings › Clio matter fields: which of the firm's matter custom fields hold the court's case
number and the court, chosen from the firm's list (never typed). A field whose type cannot hold the
value (a date, an amount, a checkbox…) is refused under its choice, naming the field and the reason.

Nothing is saved here: the Settings dialog saves the choices with its other fields on OK.
"""

from __future__ import annotations

from PySide6.QtWidgets import QComboBox, QFormLayout, QGroupBox, QLabel, QVBoxLayout, QWidget

from app import config
from app.config import Config, Setting
from app.services.clio.matter_details import CustomField, field_refusal
from app.services.errors import ServiceError
from app.views.clio_access import ClioAccess
from app.views.tasks import TaskRunner

CHOICES: tuple[tuple[Setting[int], str, str], ...] = (
    (config.CLIO_CASE_NUMBER_FIELD, "Case number field", "a case number"),
    (config.CLIO_COURT_FIELD, "Court field", "the court"),
)
"""(setting, label, what the field must hold)."""


class MatterFieldsBox(QGroupBox):
    """One choice per setting among the firm's matter custom fields, with its refusal (if any)."""

    def __init__(
        self, settings: Config, clio: ClioAccess, runner: TaskRunner, parent: QWidget | None = None
    ) -> None:
        super().__init__("Clio matter fields (orders started from a matter)", parent)
        self._settings, self._clio, self._runner = settings, clio, runner
        self.fields: list[CustomField] | None = None
        self.combos: dict[str, QComboBox] = {}
        self.errors: dict[str, QLabel] = {}
        form = QFormLayout()
        for setting, label, _holds in CHOICES:
            combo = QComboBox()
            combo.setObjectName(setting.key)
            combo.setAccessibleName(label)
            combo.setToolTip(setting.help)
            combo.currentIndexChanged.connect(lambda _i, key=setting.key: self._check(key))
            error = QLabel()
            error.setObjectName("inlineError")
            error.setWordWrap(True)
            error.setVisible(False)
            self.combos[setting.key], self.errors[setting.key] = combo, error
            column = QVBoxLayout()
            column.addWidget(combo)
            column.addWidget(error)
            form.addRow(f"{label}:", column)
        self.note = QLabel()
        self.note.setObjectName("panelMessage")
        self.note.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.note)
        self._fill(from_defaults=False)
        clio.sig_changed.connect(self.load)
        self.load()

    # -- values ---------------------------------------------------------------------------------

    def _fill(self, *, from_defaults: bool) -> None:
        for setting, _label, _holds in CHOICES:
            combo = self.combos[setting.key]
            wanted = setting.default if from_defaults else self._settings.get(setting)
            combo.blockSignals(True)
            combo.clear()
            combo.addItem("None", 0)
            for field in sorted(self.fields or (), key=lambda f: f.name.casefold()):
                combo.addItem(f"{field.name} ({field.field_type.replace('_', ' ')})", field.id)
            if wanted and combo.findData(wanted) < 0:  # chosen before; the list is not read yet
                combo.addItem(f"Custom field {wanted}", wanted)
            combo.setCurrentIndex(max(0, combo.findData(wanted)))
            combo.blockSignals(False)
            self._check(setting.key)

    def restore(self, *, from_defaults: bool) -> None:
        self._fill(from_defaults=from_defaults)

    def values(self) -> dict[str, int]:
        return {key: int(combo.currentData() or 0) for key, combo in self.combos.items()}

    def problems(self) -> dict[str, str]:
        """Why a choice cannot be saved, by setting key (empty: all can)."""
        found: dict[str, str] = {}
        by_id = {f.id: f for f in self.fields or ()}
        for setting, _label, holds in CHOICES:
            field = by_id.get(self.values()[setting.key])
            refusal = field_refusal(field, holds) if field is not None else None
            if refusal:
                found[setting.key] = refusal
        chosen = [v for v in self.values().values() if v]
        if len(chosen) != len(set(chosen)) and CHOICES[1][0].key not in found:
            name = by_id[chosen[0]].name if chosen[0] in by_id else f"Custom field {chosen[0]}"
            found[CHOICES[1][0].key] = (
                f"“{name}” is already the case number field; choose another for the court."
            )
        return found

    def _check(self, _key: str) -> bool:
        problems = self.problems()
        for key, label in self.errors.items():
            label.setText(problems.get(key, ""))
            label.setVisible(key in problems)
        return not problems

    def save(self) -> None:
        for setting, _label, _holds in CHOICES:
            value = self.values()[setting.key]
            if value != self._settings.get(setting):
                self._settings.set(setting, value)

    # -- Clio -----------------------------------------------------------------------------------

    def load(self) -> None:
        client = self._clio.client if self._clio.connected else None
        if client is None:
            self.note.setText("Connect to Clio to choose from the firm's matter custom fields.")
            return
        self.note.setText("Reading the firm's matter custom fields from Clio…")
        self._runner.run(
            self, client.matter_custom_fields(), on_success=self._got, on_error=self._failed, key="load"
        )

    def _got(self, fields: list[CustomField]) -> None:
        self.fields = fields
        keep = self.values()
        self._fill(from_defaults=False)
        for key, value in keep.items():
            combo = self.combos[key]
            combo.setCurrentIndex(max(0, combo.findData(value)))
        self.note.setText(
            "Choose the text fields where the firm keeps each matter's case number and court."
            if fields
            else "The firm has no matter custom fields in Clio; add text fields for the case number and "
            "court there."
        )

    def _failed(self, error: ServiceError) -> bool:
        self.note.setText(f"Could not read the firm's matter custom fields from Clio: {error.user_message}")
        return True
