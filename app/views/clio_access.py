"""The app's one door to Clio: is it offered, is it connected, and the client to use.

The Clio option exists only when the Service Provider enables it (its profile says so). After the
LegalConnect sign-in, `configure` builds the OAuth lifecycle and the API client for the user's
region; `ensure_connected` runs the pop-up first when needed and then continues with what the user
asked for (open the file-selection window, say). QtWebEngine is imported only when the pop-up opens.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QWidget

from app import config
from app.config import Config
from app.services.clio.api import ClioClient
from app.services.clio.auth import ClioAuth
from app.services.clio.authflow import ClioApp
from app.services.clio.records import ClioUser
from app.services.http import ServiceError
from app.services.legalconnect.client import LegalConnectClient
from app.services.legalconnect.records import Provider
from app.services.secrets import TokenStore
from app.views.tasks import TaskRunner

log = logging.getLogger(__name__)


class ClioAccess(QObject):
    """Owns the Clio connection of the signed-in user (see the module docstring)."""

    sig_changed = Signal()
    """Enabled, connected or the connected account changed: refresh whatever shows Clio's state."""
    sig_connection_ended = Signal()
    """Clio ended the connection (tokens revoked or expired for good), not the user: ask them to
    connect again."""

    def __init__(
        self,
        tokens: TokenStore,
        settings: Config,
        runner: TaskRunner,
        legalconnect: LegalConnectClient,
        add_secret: Callable[[str], None] = lambda _s: None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._tokens = tokens
        self._settings = settings
        self._runner = runner
        self._legalconnect = legalconnect
        self._add_secret = add_secret
        self.auth: ClioAuth | None = None
        self.client: ClioClient | None = None
        self.user: ClioUser | None = None
        # Clients replaced by a new sign-in or region stay open until quit: closing them at once
        # would cut off work still running on them (a Disconnect's revoke at sign-out, say). A
        # session has few sign-ins, so this stays small.
        self._retired: list[ClioAuth | ClioClient] = []
        self._was_connected = False
        self._user_disconnecting = False

    @property
    def enabled(self) -> bool:
        return self.auth is not None

    @property
    def connected(self) -> bool:
        return self.auth is not None and self.auth.connected

    @property
    def region(self) -> str:
        return self.auth.app.region if self.auth is not None else self._settings.get(config.CLIO_REGION)

    @property
    def account_label(self) -> str:
        """ "Harbor & Vale LLP (US)" once known, else the region."""
        firm = self.user.account_name if self.user is not None else ""
        return f"{firm} ({self.region})" if firm else f"Clio ({self.region})"

    @property
    def status_text(self) -> str:
        if not self.enabled:
            return ""
        if not self.connected:
            return "Clio: not connected"
        who = self.user.name if self.user is not None else "connected"
        return f"Clio: {who} · {self.account_label}"

    def configure(self, provider: Provider | None, account: str) -> None:
        """Set up Clio for `account` (the LegalConnect user) with `provider`'s app, or switch it off
        (None, or the provider has the integration disabled)."""
        self._retire()
        if provider is None or not provider.clio.enabled:
            self.sig_changed.emit()
            return
        region = self._settings.get(config.CLIO_REGION)
        app = ClioApp.from_provider(provider, region, self._settings.get(config.CLIO_REDIRECT_URI))
        self.auth = ClioAuth(
            app,
            self._tokens,
            account,
            broker_bearer=lambda: self._legalconnect.token,
            on_change=self._auth_changed,
            add_secret=self._add_secret,
        )
        self.client = ClioClient(app.api_url, self.auth)
        self._was_connected = self.auth.connected
        self.sig_changed.emit()
        if self.auth.connected:
            self._load_user()

    def _retire(self) -> None:
        for old in (self.auth, self.client):
            if old is not None:
                self._retired.append(old)
        self.auth = self.client = None
        self.user = None

    def _auth_changed(self) -> None:
        now = self.connected
        if not now:
            self.user = None
        if self._was_connected and not now and not self._user_disconnecting:
            self.sig_connection_ended.emit()
        became_connected = now and not self._was_connected
        self._was_connected = now
        self._user_disconnecting = False
        self.sig_changed.emit()
        if became_connected:
            self._load_user()

    def _load_user(self) -> None:
        if self.client is None:
            return

        def loaded(user: ClioUser) -> None:
            self.user = user
            self.sig_changed.emit()

        def failed(error: ServiceError) -> bool:
            log.info("could not read the Clio account: %s", error)
            self.sig_changed.emit()  # the connection may have ended: show that
            return True  # the status bar says it; no notice needed

        self._runner.run(self, self.client.who_am_i(), on_success=loaded, on_error=failed, key="who")

    def ensure_connected(self, parent: QWidget | None, then: Callable[[ClioClient], None]) -> None:
        """Run `then(client)` now when connected; otherwise open the Clio pop-up first and run it once
        the user has allowed the connection (a cancelled or declined pop-up runs nothing)."""
        if self.auth is None or self.client is None:
            return
        if self.auth.connected:
            then(self.client)
            return
        from app.views.clio_connect import open_clio_connect  # QtWebEngine: only now

        def connected() -> None:
            if self.client is not None:
                then(self.client)

        open_clio_connect(parent, self.auth, self._runner, connected)

    def disconnect_clio(self) -> None:
        """Revoke the access token at Clio (best effort) and forget both tokens."""
        if self.auth is not None:
            self._user_disconnecting = True
            self._runner.run(self, self.auth.disconnect(), key="disconnect")

    async def aclose(self) -> None:
        """Close every HTTP client this object created (on quit)."""
        self._retire()
        for old in self._retired:
            await old.aclose()
        self._retired.clear()
