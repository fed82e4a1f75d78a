"""The signed-in user's Clio connection as a service: offered or not, connected or not, the client.

The Clio option exists only when the Service Provider enables it (its profile says so). After each
LegalConnect sign-in, `configure` sets up the OAuth lifecycle (`ClioAuth`) and the API client
(`ClioClient`) for the user's region over the app's shared connection pools, so a connection costs
one pool for Clio's host (the token broker uses the Service Provider's). Whatever changes —
enabled, connected, the account, Clio ending the connection — is announced as an event; the window's
adapter (`app.views.clio_access`) turns those into signals and opens Clio's sign-in pop-up, and the
sync engine passes "connection ended" on to the headless command. No Qt here.
"""

from __future__ import annotations

import importlib
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from app import config
from app.config import Config
from app.services.background import Background
from app.services.errors import ServiceError
from app.services.events import EventHub
from app.services.legalconnect.records import Provider
from app.services.secrets import TokenStore

if TYPE_CHECKING:
    # The Clio client loads when the provider turns out to offer Clio (after sign-in), not at start-up.
    from app.services.clio.api import ClioClient
    from app.services.clio.auth import ClioAuth
    from app.services.clio.records import ClioUser
    from app.services.http import Remotes

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ClioChanged:
    """Offered, connected or the connected account changed: whatever shows Clio's state refreshes."""


@dataclass(frozen=True)
class ClioConnectionLost:
    """Clio ended the connection (tokens revoked or expired for good), not the user: connect again."""


ClioEvent = ClioChanged | ClioConnectionLost


class ClioConnection:
    """The Clio connection of the signed-in LegalConnect user (see the module docstring)."""

    def __init__(
        self,
        tokens: TokenStore,
        settings: Config,
        remotes: Remotes,
        *,
        broker_bearer: Callable[[], str | None],
        add_secret: Callable[[str], None] = lambda _s: None,
    ) -> None:
        """`broker_bearer` gives the LegalConnect session token the token broker needs."""
        self._tokens = tokens
        self._settings = settings
        self._remotes = remotes
        self._broker_bearer = broker_bearer
        self._add_secret = add_secret
        self.events: EventHub[ClioEvent] = EventHub()
        self.auth: ClioAuth | None = None
        """The OAuth lifecycle while Clio is offered (the pop-up drives its `begin`/`complete`)."""
        self.client: ClioClient | None = None
        """The API client while Clio is offered (calls fail with ClioConnectionEnded until connected)."""
        self.user: ClioUser | None = None
        """The connected Clio user and firm, once read."""
        self.problem: str | None = None
        """Why Clio is not available although the provider offers it (no app for the region)."""
        self._configured: tuple[Provider, str, str] | None = None
        self._was_connected = False
        self._user_disconnecting = False
        self._generation = 0
        self._background = Background("Clio connection")

    # -- state ----------------------------------------------------------------------------------

    @property
    def enabled(self) -> bool:
        """Whether the Service Provider offers Clio to the signed-in user."""
        return self.auth is not None

    @property
    def connected(self) -> bool:
        return self.auth is not None and self.auth.connected

    @property
    def region(self) -> str:
        return self.auth.app.region if self.auth is not None else self._settings.get(config.CLIO_REGION)

    @property
    def account_label(self) -> str:
        """ "Harbor & Vale LLP (US)" once known, else "Clio (US)"."""
        firm = self.user.account_name if self.user is not None else ""
        return f"{firm} ({self.region})" if firm else f"Clio ({self.region})"

    @property
    def status_text(self) -> str:
        """One line for a status bar: "Clio: Dana Whitfield · Harbor & Vale LLP (US)"."""
        if not self.enabled:
            return f"Clio: {self.problem}" if self.problem else ""
        if not self.connected:
            return "Clio: not connected"
        who = self.user.name if self.user is not None else "connected"
        return f"Clio: {who} · {self.account_label}"

    # -- setting up -----------------------------------------------------------------------------

    @staticmethod
    def preload() -> None:
        """Import the Clio client now (tens of milliseconds): call it off the GUI thread, so setting
        Clio up after sign-in does not stall the window."""
        for module in ("app.services.clio.api", "app.services.clio.auth"):
            importlib.import_module(module)

    def configure(self, provider: Provider | None, account: str) -> None:
        """Set Clio up for `account` (the LegalConnect user) with `provider`'s app in the region
        from the settings, or switch it off (None, or the provider has the integration off).

        Calling it again with the same provider, account and region changes nothing."""
        region = self._settings.get(config.CLIO_REGION)
        wanted = None if provider is None or not provider.clio.enabled else (provider, account, region)
        if wanted == self._configured and (wanted is None or self.auth is not None):
            return
        self._configured = wanted
        self._generation += 1
        self.auth = self.client = None
        self.user = None
        self.problem = None
        if wanted is None:
            self._was_connected = False
            self.events.emit(ClioChanged())
            return
        assert provider is not None
        from app.services.clio.api import ClioClient
        from app.services.clio.auth import ClioAuth
        from app.services.clio.oauth import ClioApp, ClioAuthorizationFailed

        try:
            app = ClioApp.from_provider(provider, region, self._settings.get(config.CLIO_REDIRECT_URI))
        except ClioAuthorizationFailed as problem:
            # Offered, but not for the region chosen in Settings: say so where Clio's state shows.
            log.info("Clio not available: %s", problem)
            self.problem = problem.user_message
            self._was_connected = False
            self.events.emit(ClioChanged())
            return
        self.auth = ClioAuth(
            app,
            self._tokens,
            account,
            broker_bearer=self._broker_bearer,
            on_change=self._auth_changed,
            add_secret=self._add_secret,
            remotes=self._remotes,
        )
        self.client = ClioClient(app.api_url, self.auth, remotes=self._remotes)
        self._was_connected = self.auth.connected
        self.events.emit(ClioChanged())
        if self._was_connected:
            self._load_user()

    def reconfigure(self) -> None:
        """The settings changed (the Clio region, say): set up again for the same user."""
        if self._configured is not None:
            provider, account, _region = self._configured
            self.configure(provider, account)

    def _auth_changed(self) -> None:
        now = self.connected
        if not now:
            self.user = None
        ended = self._was_connected and not now and not self._user_disconnecting
        became_connected = now and not self._was_connected
        self._was_connected = now
        self._user_disconnecting = False
        if ended:
            self.events.emit(ClioConnectionLost())
        self.events.emit(ClioChanged())
        if became_connected:
            self._load_user()

    def _load_user(self) -> None:
        self._background.spawn(self.load_account(), "read the Clio account")

    async def load_account(self) -> ClioUser | None:
        """Read who is connected (user and firm) and announce it; None when not connected or Clio
        can't be reached now (the status line then says "connected" without the names)."""
        client, generation = self.client, self._generation
        if client is None or not self.connected:
            return None
        try:
            user = await client.who_am_i()
        except ServiceError as error:
            log.info("could not read the Clio account: %s", error)
            self.events.emit(ClioChanged())  # the connection may have ended meanwhile: show that
            return None
        if generation != self._generation:
            return None  # signed out or reconfigured while asking: not this connection's user
        self.user = user
        self.events.emit(ClioChanged())
        return user

    # -- ending ---------------------------------------------------------------------------------

    async def disconnect(self) -> None:
        """The user's Disconnect: revoke the access token at Clio (best effort) and forget both tokens."""
        if self.auth is not None:
            self._user_disconnecting = True
            await self.auth.disconnect()

    async def aclose(self) -> None:
        """Stop the account read still running (on quit); the pools close with the app's `Remotes`."""
        await self._background.aclose()
