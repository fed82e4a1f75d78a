"""Signing in to the Service Provider, remembering the user, and restoring them at start.

"Remember me" keeps the email in settings and the password plus the current session token in the
OS keyring (never in settings, SQLite or logs). At start the stored token is tried first; when the
provider has ended that session, the stored password signs in again silently. A wrong password
stores nothing and forgets what was stored.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from app import config
from app.config import Config
from app.services.errors import AuthRequired
from app.services.legalconnect.client import LegalConnectClient
from app.services.legalconnect.records import Provider, Session
from app.services.secrets import SecretKey, SecretKind, TokenStore

log = logging.getLogger(__name__)


class SessionService:
    """The signed-in state of this workstation with its Service Provider."""

    def __init__(
        self,
        client: LegalConnectClient,
        tokens: TokenStore,
        settings: Config,
        add_secret: Callable[[str], None] = lambda _secret: None,
        demo: tuple[str, str] | None = None,
    ) -> None:
        """`add_secret` registers live secrets with the log redactor; `demo` is the sandbox's demo
        sign-in (email, password), used when nothing else is remembered."""
        self.client = client
        self._demo = demo
        self.tokens = tokens
        self.settings = settings
        self._add_secret = add_secret
        self.session: Session | None = None
        self.provider: Provider | None = None

    @property
    def remembered_email(self) -> str:
        return self.settings.get(config.REMEMBERED_EMAIL)

    def _keys(self, email: str) -> tuple[SecretKey, SecretKey]:
        account = email.strip().lower()
        return (
            SecretKey(SecretKind.LEGALCONNECT_PASSWORD, account),
            SecretKey(SecretKind.LEGALCONNECT_SESSION, account),
        )

    async def restore(self) -> Session | None:
        """Sign the remembered user in without asking, if possible. None: show the sign-in dialog.

        Network failures propagate (the caller shows the offline banner and the cached orders)."""
        email = self.remembered_email or (self._demo[0] if self._demo else "")
        if not email:
            return None
        password_key, session_key = self._keys(email)
        token = self.tokens.get(session_key)
        if token:
            self._add_secret(token)
            self.client.use_token(token)
            try:
                self.session = await self.client.current_session()
            except AuthRequired:
                self.client.use_token(None)
                self.tokens.delete(session_key)
            else:
                await self.load_provider()
                return self.session
        password = self.tokens.get(password_key)
        if not password and self._demo is not None and email == self._demo[0]:
            password = self._demo[1]  # the sandbox's demo user: a keyring-less machine forgets it
        if not password:
            return None
        self._add_secret(password)
        try:
            return await self.sign_in(email, password, remember=True)
        except AuthRequired:
            log.info("the remembered password was refused; asking the user")
            self.forget(email)
            return None

    def preset(self, email: str, password: str) -> None:
        """Remember a sign-in without using it yet (the sandbox's demo user on its first run)."""
        password_key, _ = self._keys(email)
        self.tokens.set(password_key, password)
        self.settings.set(config.REMEMBERED_EMAIL, email)

    async def sign_in(self, email: str, password: str, *, remember: bool) -> Session:
        """Sign in; raises AuthRequired (with the provider's message) for a wrong password."""
        self._add_secret(password)
        email = email.strip()
        try:
            session = await self.client.sign_in(email, password)
        except AuthRequired:
            self.forget(email)
            raise
        self._add_secret(session.access_token)
        self.session = session
        password_key, session_key = self._keys(email)
        if remember:
            self.tokens.set(password_key, password)
            self.tokens.set(session_key, session.access_token)
            self.settings.set(config.REMEMBERED_EMAIL, email)
        else:
            self.forget(email)
        await self.load_provider()
        return session

    async def load_provider(self) -> None:
        """Read the Service Provider's public profile (no sign-in needed): its name then appears in
        the sign-in window and in every message about it."""
        self.provider = await self.client.provider()
        self.client.service_name = self.provider.name

    async def sign_out(self) -> None:
        """End the session and forget everything remembered for this user."""
        email = self.session.user_email if self.session else self.remembered_email
        await self.client.sign_out()
        if email:
            self.forget(email)
        self.session = None

    def forget(self, email: str) -> None:
        """Remove the stored password and session token of `email`, and the remembered email."""
        for key in self._keys(email):
            self.tokens.delete(key)
        if self.remembered_email.strip().lower() == email.strip().lower():
            self.settings.reset(config.REMEMBERED_EMAIL)
