"""The sign-in dialog for the Service Provider.

The dialog's own `accepted` signal means "signed in": by then `SessionService.session` and
`.provider` are set, and, with "Remember me", the password and session are in the keyring.
A refused password stores nothing; the message appears inside the dialog, never in a pop-up.
"""

from __future__ import annotations

import asyncio

import shiboken6
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QProgressBar,
    QVBoxLayout,
    QWidget,
)

from app.services.http import AuthRequired, ServiceError
from app.services.legalconnect.records import Session
from app.services.session import SessionService
from app.views.tasks import TaskRunner


class SignInDialog(QDialog):
    """Email, password and "Remember me"; signs in through `SessionService.sign_in`.

    Open it with `open()` (window-modal, keeps the event loop free for the sign-in request); it
    emits `accepted` once signed in and `rejected` when the user cancels.
    """

    def __init__(
        self,
        session: SessionService,
        runner: TaskRunner,
        provider_name: str,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._session = session
        self._runner = runner
        self._task: asyncio.Task[Session] | None = None
        self.setWindowTitle(f"Sign in to {provider_name}")
        self.setModal(True)

        intro = QLabel(f"Sign in with the email and password of your {provider_name} account.")
        intro.setWordWrap(True)
        self.email = QLineEdit(session.remembered_email)
        self.email.setAccessibleName("Email")
        self.email.setPlaceholderText("name@firm.example")
        self.password = QLineEdit()
        self.password.setAccessibleName("Password")
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.remember = QCheckBox("&Remember me on this computer")
        self.remember.setChecked(bool(session.remembered_email))
        self.remember.setToolTip("Keep the password in the system keyring so the app signs in by itself.")
        self.error = QLabel(textFormat=Qt.TextFormat.PlainText)  # the server's words, never markup
        self.error.setObjectName("inlineError")
        self.error.setWordWrap(True)
        self.error.setVisible(False)
        self.error.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.busy = QProgressBar()
        self.busy.setRange(0, 0)  # indeterminate: the service gives no progress for a sign-in
        self.busy.setTextVisible(False)
        self.busy.setAccessibleName("Signing in")
        self.busy.setVisible(False)

        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.sign_in_button = self.buttons.addButton("&Sign in", QDialogButtonBox.ButtonRole.AcceptRole)
        self.buttons.accepted.connect(self.submit)
        self.buttons.rejected.connect(self.reject)

        form = QFormLayout()
        form.addRow("&Email:", self.email)
        form.addRow("&Password:", self.password)
        form.addRow("", self.remember)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(self.busy)
        layout.addWidget(self.buttons)
        self.sign_in_button.setDefault(True)  # only once inside the dialog, or the dialog resets it
        (self.password if self.email.text() else self.email).setFocus()

    @property
    def running(self) -> bool:
        """True from the start of a sign-in until its outcome has been shown."""
        return self._task is not None

    def submit(self) -> None:
        """Check the fields, then sign in in the background."""
        if self.running:
            return
        email, password = self.email.text().strip(), self.password.text()
        if not email or not password:
            self._show_error("Enter your email and password.")
            (self.email if not email else self.password).setFocus()
            return
        self._set_busy(True)
        self.error.setVisible(False)
        self._task = self._runner.run(
            self,
            self._session.sign_in(email, password, remember=self.remember.isChecked()),
            on_success=self._signed_in,
            on_error=self._failed,
            key="sign-in",
        )
        # Unexpected failures are reported by the runner; the dialog must still become usable.
        self._task.add_done_callback(lambda _task: self._idle())

    def _idle(self) -> None:
        if shiboken6.isValid(self):
            self._task = None
            self._set_busy(False)

    def _signed_in(self, _session: Session) -> None:
        self._set_busy(False)
        self.password.clear()
        self.accept()

    def _failed(self, error: ServiceError) -> bool:
        self._set_busy(False)
        self._show_error(error.user_message)
        if isinstance(error, AuthRequired):
            self.password.clear()
            self.password.setFocus()
        return True

    def _show_error(self, message: str) -> None:
        self.error.setText(message)
        self.error.setVisible(True)

    def _set_busy(self, busy: bool) -> None:
        for widget in (self.email, self.password, self.remember, self.sign_in_button):
            widget.setEnabled(not busy)
        self.busy.setVisible(busy)

    def reject(self) -> None:
        """Cancel: stop a sign-in still under way, then close."""
        if self._task is not None and not self._task.done():
            self._task.cancel()
        super().reject()
