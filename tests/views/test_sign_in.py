"""The sign-in dialog against the sandbox's LegalConnect server."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog

from app import config
from app.views.sign_in import SignInDialog
from tests.views.conftest import run


def _dialog(qtbot, stack) -> SignInDialog:
    run(qtbot, stack.session.load_provider())  # public; the engine reads it before asking to sign in
    dialog = SignInDialog(stack.session, stack.runner, stack.client.service_name)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    return dialog


def _fill(qtbot, dialog: SignInDialog, email: str, password: str, *, remember: bool) -> None:
    dialog.email.clear()
    qtbot.keyClicks(dialog.email, email)
    qtbot.keyClicks(dialog.password, password)
    dialog.remember.setChecked(remember)


def test_title_names_the_provider_and_password_is_hidden(qtbot, stack, sandbox_world) -> None:
    dialog = _dialog(qtbot, stack)
    assert sandbox_world.endpoints.legalconnect.provider_name in dialog.windowTitle()
    assert dialog.password.echoMode() == dialog.password.EchoMode.Password
    assert dialog.sign_in_button.isDefault()


def test_sign_in_success_remembers_in_the_keyring(qtbot, stack, demo, memory_keyring) -> None:
    dialog = _dialog(qtbot, stack)
    _fill(qtbot, dialog, demo.email, demo.password, remember=True)
    with qtbot.waitSignal(dialog.accepted, timeout=15_000):
        qtbot.mouseClick(dialog.sign_in_button, Qt.MouseButton.LeftButton)
        assert dialog.busy.isVisible()
        assert not dialog.email.isEnabled()
        assert not dialog.password.isEnabled()
    assert dialog.result() == QDialog.DialogCode.Accepted
    assert stack.session.session is not None
    assert stack.session.session.user_email == demo.email
    assert stack.session.provider is not None
    assert stack.settings.get(config.REMEMBERED_EMAIL) == demo.email
    assert demo.password in memory_keyring.entries.values()
    assert dialog.password.text() == ""


def test_wrong_password_says_so_and_stores_nothing(qtbot, stack, demo, memory_keyring) -> None:
    before = stack.settings.snapshot()
    dialog = _dialog(qtbot, stack)
    _fill(qtbot, dialog, demo.email, "not-the-password", remember=True)
    qtbot.keyClick(dialog.password, Qt.Key.Key_Return)  # Return presses the default button
    qtbot.waitUntil(lambda: dialog.error.isVisible() and not dialog.running, timeout=15_000)
    assert dialog.error.text() == "The email or password is wrong."
    assert dialog.password.text() == ""
    assert dialog.password.isEnabled()
    assert dialog.focusWidget() is dialog.password
    assert dialog.isVisible()
    assert dialog.result() != QDialog.DialogCode.Accepted
    assert memory_keyring.entries == {}
    assert stack.settings.snapshot() == before
    assert stack.session.session is None
    assert stack.presented == []


def test_empty_fields_are_refused_without_a_request(qtbot, stack) -> None:
    dialog = _dialog(qtbot, stack)
    dialog.email.clear()
    qtbot.mouseClick(dialog.sign_in_button, Qt.MouseButton.LeftButton)
    assert dialog.error.isVisible()
    assert not dialog.running


def test_unreachable_provider_shows_the_message_inline(
    qtbot, stack, demo, sandbox_world, memory_keyring
) -> None:
    dialog = _dialog(qtbot, stack)
    sandbox_world.legalconnect_faults.update({"drop_rate": 1.0})
    _fill(qtbot, dialog, demo.email, demo.password, remember=True)
    qtbot.mouseClick(dialog.sign_in_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.error.isVisible() and not dialog.running, timeout=15_000)
    assert "Cannot reach" in dialog.error.text()
    assert dialog.password.text() == demo.password  # a network failure keeps what was typed
    assert dialog.email.isEnabled()
    assert memory_keyring.entries == {}


def test_remember_me_signs_in_at_next_start_without_the_dialog(qtbot, make_stack, make_window, demo) -> None:
    first = make_stack()
    dialog = _dialog(qtbot, first)
    _fill(qtbot, dialog, demo.email, demo.password, remember=True)
    with qtbot.waitSignal(dialog.accepted, timeout=15_000):
        qtbot.mouseClick(dialog.sign_in_button, Qt.MouseButton.LeftButton)

    second = make_stack()
    window = make_window(second)
    window.start()
    qtbot.waitUntil(lambda: window.connection.provider.text.startswith("Connected to"), timeout=15_000)
    assert window.sign_in_dialog is None
    assert demo.name in window.connection.provider.text
    qtbot.waitUntil(lambda: window.orders_view.model.rowCount() > 0, timeout=15_000)


def test_without_remember_me_the_next_start_asks(
    qtbot, make_stack, make_window, demo, memory_keyring
) -> None:
    first = make_stack()
    dialog = _dialog(qtbot, first)
    _fill(qtbot, dialog, demo.email, demo.password, remember=False)
    with qtbot.waitSignal(dialog.accepted, timeout=15_000):
        qtbot.mouseClick(dialog.sign_in_button, Qt.MouseButton.LeftButton)
    assert memory_keyring.entries == {}

    window = make_window(make_stack())
    window.start()
    qtbot.waitUntil(lambda: window.sign_in_dialog is not None, timeout=15_000)
    assert window.connection.provider.text == "Signed out"
