"""The Settings dialog, generated from the declared settings (`app.config`).

Each shown setting gets an editor chosen by its type and choices, a label, and its declared help
as tooltip and description. OK checks every value first and changes nothing while any is invalid;
the setting's own error message appears under its field and the dialog stays open.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QScrollArea,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from app import config
from app.config import Config, InvalidSettingValue, Setting
from app.views.clio_access import ClioAccess
from app.views.clio_box import ClioConnectionBox
from app.views.fee_categories import FeeCategoriesBox
from app.views.hearing_calendar import HearingCalendarBox
from app.views.matter_fields_box import MatterFieldsBox
from app.views.tasks import TaskRunner

SHOWN: tuple[tuple[Setting[Any], str], ...] = (
    (config.PROVIDER_URL, "Service Provider address"),
    (config.POLL_INTERVAL, "Check for court decisions every (seconds)"),
    (config.NOTIFY_DECISIONS, "Notify when the court decides an order"),
    (config.NOTIFY_LATE_DOCUMENTS, "Notify about late documents"),
    (config.NOTIFY_SOUND, "Play a sound with notifications"),
    (config.CLIO_REGION, "Clio region"),
    (config.RETURNED_DOCUMENT_NAME, "Returned document name"),
    (config.RETURNS_FOLDER, "Clio folder for returns"),
    (config.RETURNS_ORDER_FOLDER, "Sub-folder per order"),
    (config.FEES_POSTING, "Post the fees into Clio as expenses"),
    (config.FEES_POSTING_SINCE, "Post the fees of orders decided from (YYYY-MM-DD)"),
    (config.FEES_ENTRY_TYPE, "Record each fee in Clio as"),
    (config.FEES_BILLABLE, "Bill the fees on to the client"),
    (config.HEARINGS_TO_CALENDAR, "Hearing dates to Clio's calendar"),
    (config.CLOSE_TO_TRAY, "Keep running in the tray when the window closes"),
    (config.START_AT_LOGIN, "Start at login, minimised to the tray"),
    (config.LOG_LEVEL, "Log detail"),
    (config.LIBREOFFICE_PATH, "LibreOffice program"),
    (config.OCR_AUTOMATIC, "Make scanned PDFs searchable automatically"),
    (config.TESSERACT_PATH, "Tesseract OCR program"),
)
"""The settings a user may change here, with their labels, in the order shown (only settings the app
reads: the firm's own Clio app keys for self-hosting are not offered here)."""

CHOICE_TEXT = {
    "off": "Off",
    "review": "After review (approve each order's fees on the Activities page)",
    "automatic": "Automatically, once the court decides",
    "ExpenseEntry": "Expense",
    "HardCostEntry": "Hard cost",
    "SoftCostEntry": "Soft cost",
}
"""How a choice reads in its list, where its stored value is not words."""


class _Field:
    """One setting's editor, its description and its inline error."""

    def __init__(self, setting: Setting[Any], label: str) -> None:
        self.setting = setting
        self.label = label
        self.editor: QWidget
        default = setting.default
        if setting.choices:
            combo = QComboBox()
            for choice in setting.choices:
                combo.addItem(CHOICE_TEXT.get(str(choice), str(choice)), choice)
            self.editor = combo
        elif isinstance(default, bool):
            self.editor = QCheckBox(label)
        elif isinstance(default, int):
            spin = QSpinBox()
            spin.setRange(0, 1_000_000)  # the setting's own check reports the real bounds
            self.editor = spin
        else:
            self.editor = QLineEdit()
        self.editor.setToolTip(setting.help)
        self.editor.setAccessibleName(label)
        self.editor.setAccessibleDescription(setting.help)
        self.editor.setObjectName(setting.key)
        self.description = QLabel(setting.help)
        self.description.setWordWrap(True)
        self.description.setObjectName("panelMessage")
        self.error = QLabel()
        self.error.setObjectName("inlineError")
        self.error.setWordWrap(True)
        self.error.setVisible(False)

    def value(self) -> Any:
        editor = self.editor
        if isinstance(editor, QComboBox):
            return editor.currentData()
        if isinstance(editor, QCheckBox):
            return editor.isChecked()
        if isinstance(editor, QSpinBox):
            return editor.value()
        assert isinstance(editor, QLineEdit)
        return editor.text().strip()

    def set_value(self, value: Any) -> None:
        editor = self.editor
        if isinstance(editor, QComboBox):
            editor.setCurrentIndex(max(0, editor.findData(value)))
        elif isinstance(editor, QCheckBox):
            editor.setChecked(bool(value))
        elif isinstance(editor, QSpinBox):
            editor.setValue(int(value))
        elif isinstance(editor, QLineEdit):
            editor.setText(str(value))

    def show_error(self, message: str | None) -> None:
        self.error.setText(message or "")
        self.error.setVisible(bool(message))


class SettingsDialog(QDialog):
    """Edit the user-facing settings. `accepted` means the values were checked and saved."""

    def __init__(
        self,
        settings: Config,
        parent: QWidget | None = None,
        clio: ClioAccess | None = None,
        runner: TaskRunner | None = None,
    ) -> None:
        """With `clio` (and the provider offering Clio), the dialog also shows the Clio connection,
        and with `runner` the expense category of each kind of fee and the calendar for hearings."""
        super().__init__(parent)
        self._settings = settings
        self.setWindowTitle("Settings")
        self.fields = {setting.key: _Field(setting, label) for setting, label in SHOWN}

        self.fee_categories: FeeCategoriesBox | None = None
        self.hearing_calendar: HearingCalendarBox | None = None
        if clio is not None and runner is not None and clio.enabled:
            self.fee_categories = FeeCategoriesBox(settings, clio, runner, self)
            self.hearing_calendar = HearingCalendarBox(settings, clio, runner, self)
        self.matter_fields: MatterFieldsBox | None = None
        if clio is not None and runner is not None and clio.enabled:
            self.matter_fields = MatterFieldsBox(settings, clio, runner, self)
        form_widget = QWidget()
        form = QFormLayout(form_widget)
        for item in self.fields.values():
            box = QWidget()
            column = QVBoxLayout(box)
            column.setContentsMargins(0, 0, 0, 6)
            column.setSpacing(2)
            column.addWidget(item.editor)
            column.addWidget(item.description)
            column.addWidget(item.error)
            if isinstance(item.editor, QCheckBox):
                form.addRow(box)
            else:
                label = QLabel(item.label + ":")
                label.setBuddy(item.editor)
                form.addRow(label, box)
            item.set_value(settings.get(item.setting))
            if item.setting is config.FEES_BILLABLE and self.fee_categories is not None:
                form.addRow(self.fee_categories)  # with the other fee settings
            if item.setting is config.CLIO_REGION and self.matter_fields is not None:
                form.addRow(self.matter_fields)
            if item.setting is config.HEARINGS_TO_CALENDAR and self.hearing_calendar is not None:
                form.addRow(self.hearing_calendar)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(form_widget)

        self.summary = QLabel()
        self.summary.setObjectName("inlineError")
        self.summary.setVisible(False)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok
            | QDialogButtonBox.StandardButton.Cancel
            | QDialogButtonBox.StandardButton.RestoreDefaults
        )
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        restore = self.buttons.button(QDialogButtonBox.StandardButton.RestoreDefaults)
        restore.clicked.connect(self.restore_defaults)

        layout = QVBoxLayout(self)
        self.clio_box = ClioConnectionBox(clio, self) if clio is not None else None
        if self.clio_box is not None:
            layout.addWidget(self.clio_box)
        layout.addWidget(scroll, 1)
        layout.addWidget(self.summary)
        layout.addWidget(self.buttons)
        self.resize(760, 680)

    def restore_defaults(self) -> None:
        """Put every field back to its default (saved only on OK)."""
        for item in self.fields.values():
            item.set_value(item.setting.default)
            item.show_error(None)
        if self.fee_categories is not None:
            self.fee_categories.restore(from_defaults=True)
        if self.matter_fields is not None:
            self.matter_fields.restore(from_defaults=True)
        if self.hearing_calendar is not None:
            self.hearing_calendar.restore(from_defaults=True)
        self.summary.setVisible(False)

    def accept(self) -> None:
        """Check every value; save them all only when all are valid, else show why and stay open."""
        problems = 0
        categories = self.fee_categories.values() if self.fee_categories is not None else {}
        for code, name in categories.items():
            try:
                config.FEES_CATEGORY[code].to_json(name)
            except InvalidSettingValue as error:
                assert self.fee_categories is not None
                self.fee_categories.show_error(code, _readable(config.FEES_CATEGORY[code], error))
                problems += 1
        if self.matter_fields is not None:
            problems += len(self.matter_fields.problems())
        for item in self.fields.values():
            try:
                item.setting.to_json(item.value())
            except InvalidSettingValue as error:
                item.show_error(_readable(item.setting, error))
                problems += 1
            else:
                item.show_error(None)
        if problems:
            self.summary.setText(
                "Please correct the highlighted setting."
                if problems == 1
                else f"Please correct the {problems} highlighted settings."
            )
            self.summary.setVisible(True)
            return
        for item in self.fields.values():
            value = item.value()
            if value != self._settings.get(item.setting):
                self._settings.set(item.setting, value)
        for code, name in categories.items():
            if name != self._settings.get(config.FEES_CATEGORY[code]):
                self._settings.set(config.FEES_CATEGORY[code], name)
        if self.matter_fields is not None:
            self.matter_fields.save()
        if self.hearing_calendar is not None:
            calendar_id, calendar_name = self.hearing_calendar.value()
            if calendar_id != self._settings.get(config.HEARINGS_CALENDAR):
                self._settings.set(config.HEARINGS_CALENDAR, calendar_id)
            if calendar_name != self._settings.get(config.HEARINGS_CALENDAR_NAME):
                self._settings.set(config.HEARINGS_CALENDAR_NAME, calendar_name)
        super().accept()


def _readable(setting: Setting[Any], error: InvalidSettingValue) -> str:
    """The error without the setting's internal key, which the user never sees."""
    text = str(error)
    prefix = f"{setting.key}: "
    text = text.removeprefix(prefix)
    return text[:1].upper() + text[1:]
