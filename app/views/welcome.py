"""The first run of an installed copy: choose the Service Provider, or try the built-in sandbox.

The address is checked before anything is saved (`app.services.provider_check`, in a worker thread
while the window stays responsive): the provider's name and whether it offers Clio appear, then
Continue saves it and the sign-in follows. Every refusal says which way the address is wrong.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from html import escape

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app import identity
from app.appearance import stylesheet
from app.services.provider_check import ProviderProblem, ProviderProfile, check_provider

log = logging.getLogger(__name__)

Checker = Callable[[str], ProviderProfile]


class WelcomeDialog(QDialog):
    """`exec()` it; then `choice` is "provider" (with `profile`) or "sandbox", or None (closed)."""

    def __init__(self, parent: QWidget | None = None, checker: Checker = check_provider) -> None:
        super().__init__(parent)
        self._checker = checker
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="provider-check")
        self._pending: Future[ProviderProfile] | None = None
        self._poll = QTimer(self, interval=50)
        self._poll.timeout.connect(self._check_done)
        self.choice: str | None = None
        self.profile: ProviderProfile | None = None
        self.setWindowTitle(f"Welcome to {identity.APP_NAME}")
        self.setStyleSheet(stylesheet())  # no main window yet to inherit it from
        self.setMinimumWidth(520)

        intro = QLabel(
            f"<b>Welcome to {identity.APP_NAME}.</b><br>Enter the address of your Service Provider's "
            "LegalConnect service — it is in the welcome email your provider sent your firm."
        )
        intro.setWordWrap(True)
        self.address = QLineEdit()
        self.address.setPlaceholderText("https://efile.your-provider.example/api/v1")
        self.address.setAccessibleName("Service Provider address")
        self.address.textChanged.connect(self._edited)
        self.address.returnPressed.connect(self.check)
        self.check_button = QPushButton("&Check")
        self.check_button.clicked.connect(self.check)
        row = QHBoxLayout()
        row.addWidget(self.address, 1)
        row.addWidget(self.check_button)
        self.busy = QProgressBar(maximum=0, textVisible=False)
        self.busy.setAccessibleName("Checking the address")
        self.busy.setVisible(False)
        self.answer = QLabel(textFormat=Qt.TextFormat.RichText)  # what comes from outside is escaped
        self.answer.setWordWrap(True)
        self.answer.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.sandbox_button = self.buttons.addButton(
            "&Try the Sandbox", QDialogButtonBox.ButtonRole.ActionRole
        )
        self.sandbox_button.setToolTip("A built-in practice world: a fictional firm, provider and Clio")
        self.sandbox_button.clicked.connect(self._try_sandbox)
        self.continue_button = self.buttons.addButton("C&ontinue", QDialogButtonBox.ButtonRole.AcceptRole)
        self.continue_button.setEnabled(False)
        self.buttons.accepted.connect(self._continue)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(row)
        layout.addWidget(self.busy)
        layout.addWidget(self.answer)
        layout.addStretch(1)
        layout.addWidget(self.buttons)
        self.finished.connect(lambda _r: self._pool.shutdown(wait=False, cancel_futures=True))
        self.address.setFocus()

    @property
    def checking(self) -> bool:
        return self._pending is not None

    def check(self) -> None:
        """Check the address in the background; the answer shows below it."""
        if self.checking:
            return
        self.profile = None
        self.continue_button.setEnabled(False)
        self.answer.setText("")
        self.busy.setVisible(True)
        self.check_button.setEnabled(False)
        self._pending = self._pool.submit(self._checker, self.address.text())
        self._poll.start()

    def _check_done(self) -> None:
        pending = self._pending
        if pending is None or not pending.done():
            return
        self._poll.stop()
        self._pending = None
        self.busy.setVisible(False)
        self.check_button.setEnabled(True)
        try:
            profile = pending.result()
        except ProviderProblem as problem:
            self._say(problem.message, error=True)
            self.address.setFocus()
            return
        except Exception:  # a bug, not the address: say so plainly, the details to the log
            log.exception("checking a provider address failed")
            self._say("The address could not be checked. The details are in the log.", error=True)
            return
        self.profile = profile
        clio = "offers Clio Manage" if profile.clio else "does not offer Clio Manage"
        self._say(f"✓ <b>{escape(profile.name)}</b> — {clio}. Continue to sign in.", error=False)
        self.continue_button.setEnabled(True)
        self.continue_button.setDefault(True)
        self.continue_button.setFocus()

    def _say(self, text: str, *, error: bool) -> None:
        self.answer.setObjectName("inlineError" if error else "panelMessage")
        self.answer.style().unpolish(self.answer)  # the new name's style applies now
        self.answer.style().polish(self.answer)
        self.answer.setText(escape(text) if error else text)  # errors quote hosts and issuers

    def _edited(self) -> None:
        if self.profile is not None:  # the answer was for the address before this edit
            self.profile = None
            self.continue_button.setEnabled(False)
            self.answer.setText("")

    def _continue(self) -> None:
        if self.profile is None:
            self.check()
            return
        self.choice = "provider"
        self.accept()

    def _try_sandbox(self) -> None:
        self.choice = "sandbox"
        self.accept()
