"""Settings › Clio matter fields: the case-number and court fields are chosen from the firm's matter
custom fields read from the Clio emulator; a field whose type cannot hold the value is refused,
naming the field and the reason, and nothing is saved."""

from __future__ import annotations

from app import config
from app.views.settings_dialog import SettingsDialog
from tests.views.wizard_helpers import connect_clio, main_window, sign_in


def _choose(combo, name: str) -> None:
    index = next(i for i in range(combo.count()) if combo.itemText(i).startswith(name))
    combo.setCurrentIndex(index)


def test_the_fields_come_from_clio_and_a_wrong_type_is_refused(qtbot, stack, sandbox_world, demo) -> None:
    window, clio = main_window(qtbot, stack)
    sign_in(qtbot, window, stack, demo)
    connect_clio(qtbot, clio, sandbox_world)
    dialog = SettingsDialog(stack.settings, window, clio, stack.runner)
    qtbot.addWidget(dialog)
    box = dialog.matter_fields
    assert box is not None
    qtbot.waitUntil(lambda: box.fields is not None, timeout=15_000)
    number = box.combos[config.CLIO_CASE_NUMBER_FIELD.key]
    court = box.combos[config.CLIO_COURT_FIELD.key]
    offered = [number.itemText(i) for i in range(number.count())]
    assert "Court Case Number (text line)" in offered and "Amount in Controversy (currency)" in offered
    assert not number.isEditable()  # chosen, never typed

    _choose(number, "Amount in Controversy")
    error = box.errors[config.CLIO_CASE_NUMBER_FIELD.key]
    assert error.isVisibleTo(dialog)
    assert error.text() == (
        "“Amount in Controversy” is a currency field: it holds an amount of money, not a case number. "
        "Choose a text field."
    )
    _choose(court, "Date Served")
    assert "“Date Served” is a date field" in box.errors[config.CLIO_COURT_FIELD.key].text()
    dialog.accept()
    assert dialog.isVisible() or dialog.result() != dialog.DialogCode.Accepted
    assert "2 highlighted settings" in dialog.summary.text()
    assert stack.settings.get(config.CLIO_CASE_NUMBER_FIELD) == 0  # nothing saved

    _choose(number, "Court Case Number")
    _choose(court, "Court (")
    assert not box.errors[config.CLIO_CASE_NUMBER_FIELD.key].isVisibleTo(dialog)
    dialog.accept()
    assert dialog.result() == dialog.DialogCode.Accepted
    assert stack.settings.get(config.CLIO_CASE_NUMBER_FIELD) == 801
    assert stack.settings.get(config.CLIO_COURT_FIELD) == 802


def test_one_field_cannot_be_both(qtbot, stack, sandbox_world, demo) -> None:
    window, clio = main_window(qtbot, stack)
    sign_in(qtbot, window, stack, demo)
    connect_clio(qtbot, clio, sandbox_world)
    dialog = SettingsDialog(stack.settings, window, clio, stack.runner)
    qtbot.addWidget(dialog)
    box = dialog.matter_fields
    assert box is not None
    qtbot.waitUntil(lambda: box.fields is not None, timeout=15_000)
    _choose(box.combos[config.CLIO_CASE_NUMBER_FIELD.key], "Court Case Number")
    _choose(box.combos[config.CLIO_COURT_FIELD.key], "Court Case Number")
    assert "already the case number field" in box.errors[config.CLIO_COURT_FIELD.key].text()
    dialog.accept()
    assert stack.settings.get(config.CLIO_COURT_FIELD) == 0
