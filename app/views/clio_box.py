"""The Clio connection in the Settings dialog: who is connected, and Connect / Disconnect."""

from __future__ import annotations

from PySide6.QtWidgets import QGroupBox, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from app.views.clio_access import ClioAccess


class ClioConnectionBox(QGroupBox):
    """Shows the connected Clio account (user, firm, region) and offers Connect or Disconnect."""

    def __init__(self, clio: ClioAccess, parent: QWidget | None = None) -> None:
        super().__init__("Clio", parent)
        self._clio = clio
        self.account = QLabel()
        self.account.setWordWrap(True)
        self.hint = QLabel(
            "Clio credentials are separate from your Service Provider sign-in. Connecting opens "
            "Clio's own sign-in page."
        )
        self.hint.setWordWrap(True)
        self.hint.setObjectName("description")
        self.connect_button = QPushButton("&Connect to Clio…")
        self.connect_button.clicked.connect(lambda: clio.ensure_connected(self.window(), lambda _c: None))
        self.disconnect_button = QPushButton("&Disconnect")
        self.disconnect_button.setToolTip("Revoke this computer's access to Clio and forget it")
        self.disconnect_button.clicked.connect(clio.disconnect_clio)
        buttons = QHBoxLayout()
        buttons.addWidget(self.connect_button)
        buttons.addWidget(self.disconnect_button)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addWidget(self.account)
        layout.addWidget(self.hint)
        layout.addLayout(buttons)
        clio.sig_changed.connect(self._update)
        self._update()

    def _update(self) -> None:
        clio = self._clio
        self.setVisible(clio.enabled)
        if clio.connected:
            user = clio.user
            who = f"{user.name} ({user.email})" if user is not None else "Connected"
            self.account.setText(f"<b>{who}</b><br>{clio.account_label}")
        else:
            self.account.setText(f"Not connected · region {clio.region}")
        self.connect_button.setVisible(not clio.connected)
        self.disconnect_button.setVisible(clio.connected)
