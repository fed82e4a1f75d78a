"""The settings dialog: generated from the declared settings, validated before anything is saved."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QCheckBox, QComboBox, QDialog, QDialogButtonBox, QLineEdit, QSpinBox

from app import config
from app.config import Config
from app.views.settings_dialog import SHOWN, SettingsDialog


@pytest.fixture
def settings() -> Config:
    return Config.in_memory()


@pytest.fixture
def dialog(qtbot, settings) -> SettingsDialog:
    made = SettingsDialog(settings)
    qtbot.addWidget(made)
    made.show()
    return made


def _ok(dialog: SettingsDialog) -> None:
    dialog.buttons.button(QDialogButtonBox.StandardButton.Ok).click()


def test_every_shown_setting_has_an_editor_with_its_help(dialog) -> None:
    assert list(dialog.fields) == [setting.key for setting, _label in SHOWN]
    for item in dialog.fields.values():
        assert item.editor.toolTip() == item.setting.help
        assert item.description.text() == item.setting.help
        assert item.editor.accessibleName()
    assert isinstance(dialog.fields[config.POLL_INTERVAL.key].editor, QSpinBox)
    assert isinstance(dialog.fields[config.CLOSE_TO_TRAY.key].editor, QCheckBox)
    assert isinstance(dialog.fields[config.CLIO_REGION.key].editor, QComboBox)
    assert isinstance(dialog.fields[config.PROVIDER_URL.key].editor, QLineEdit)
    assert config.WINDOW_GEOMETRY.key not in dialog.fields
    assert config.REMEMBERED_EMAIL.key not in dialog.fields
    # Shown only once something reads them.
    assert config.CLIO_CONNECTION_MODE.key not in dialog.fields
    assert config.CLIO_DIRECT_CLIENT_ID.key not in dialog.fields


def test_invalid_values_are_shown_inline_and_nothing_is_saved(dialog, settings) -> None:
    before = settings.snapshot()
    dialog.fields[config.POLL_INTERVAL.key].set_value(5)
    dialog.fields[config.PROVIDER_URL.key].set_value("http://efile.example.com/api/v1")
    dialog.fields[config.CLIO_REGION.key].set_value("EU")  # valid, but must not be saved alone
    _ok(dialog)
    assert dialog.isVisible()
    assert dialog.result() != QDialog.DialogCode.Accepted
    poll = dialog.fields[config.POLL_INTERVAL.key].error
    assert poll.isVisible() and "5 is outside 15–3600" in poll.text()
    assert "only allowed to this computer" in dialog.fields[config.PROVIDER_URL.key].error.text()
    assert not dialog.fields[config.CLIO_REGION.key].error.isVisible()
    assert "2 highlighted" in dialog.summary.text()
    assert settings.snapshot() == before


def test_valid_values_are_saved(qtbot, dialog, settings) -> None:
    dialog.fields[config.POLL_INTERVAL.key].set_value(120)
    dialog.fields[config.CLIO_REGION.key].set_value("CA")
    dialog.fields[config.CLOSE_TO_TRAY.key].set_value(False)
    dialog.fields[config.PROVIDER_URL.key].set_value("https://efile.example.com/api/v1")
    with qtbot.waitSignal(dialog.accepted):
        _ok(dialog)
    assert settings.get(config.POLL_INTERVAL) == 120
    assert settings.get(config.CLIO_REGION) == "CA"
    assert settings.get(config.CLOSE_TO_TRAY) is False
    assert settings.get(config.PROVIDER_URL) == "https://efile.example.com/api/v1"


def test_a_naming_pattern_with_an_unknown_field_is_refused(dialog, settings) -> None:
    dialog.fields[config.RETURNS_ORDER_FOLDER.key].set_value("Order-{matter}")
    dialog.fields[config.RETURNED_DOCUMENT_NAME.key].set_value("{received_date} {kind} - {document}")
    _ok(dialog)
    assert "Unknown field {matter}" in dialog.fields[config.RETURNS_ORDER_FOLDER.key].error.text()
    assert not dialog.fields[config.RETURNED_DOCUMENT_NAME.key].error.isVisible()
    assert settings.get(config.RETURNS_ORDER_FOLDER) == "Order-{order_number}"


def test_plain_http_to_another_computer_is_refused(dialog, settings) -> None:
    dialog.fields[config.PROVIDER_URL.key].set_value("http://efile.example.com/api/v1")
    _ok(dialog)
    assert "only allowed to this computer" in dialog.fields[config.PROVIDER_URL.key].error.text()
    assert settings.get(config.PROVIDER_URL) == ""


def test_restore_defaults_then_ok(qtbot, settings) -> None:
    settings.set(config.POLL_INTERVAL, 300)
    settings.set(config.LOG_LEVEL, "DEBUG")
    dialog = SettingsDialog(settings)
    qtbot.addWidget(dialog)
    assert dialog.fields[config.POLL_INTERVAL.key].value() == 300
    dialog.buttons.button(QDialogButtonBox.StandardButton.RestoreDefaults).click()
    assert settings.get(config.POLL_INTERVAL) == 300  # nothing saved before OK
    with qtbot.waitSignal(dialog.accepted):
        _ok(dialog)
    assert settings.get(config.POLL_INTERVAL) == config.POLL_INTERVAL.default
    assert settings.get(config.LOG_LEVEL) == config.LOG_LEVEL.default


def test_cancel_changes_nothing(qtbot, dialog, settings) -> None:
    before = settings.snapshot()
    dialog.fields[config.POLL_INTERVAL.key].set_value(900)
    with qtbot.waitSignal(dialog.rejected):
        dialog.buttons.button(QDialogButtonBox.StandardButton.Cancel).click()
    assert settings.snapshot() == before
