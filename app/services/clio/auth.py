"""Connecting to Clio Manage: the authorize URL, the redirect, and tokens that last.

Clio Manage has no PKCE and its token endpoint needs the client secret, so in "broker" mode the code
exchange and every refresh go to the Service Provider's token broker (a standard OAuth token endpoint
that adds the secret server-side, authorised by the LegalConnect session). "Direct" mode talks to
Clio's own `/oauth/token` with the firm's app secret, read from the keyring only when needed.

`state` is random, single-use and compared in constant time. Tokens live in the `TokenStore` (access
and refresh as separate entries, with region and Clio user id); the expiry is `expires_in` minus a
margin. One refresh at a time: the lock covers the refresh decision and the exchange only, never an
API call. `invalid_grant` on refresh means Clio ended the connection: the tokens are forgotten and
`ClioConnectionEnded` asks the user to connect again.
"""

from __future__ import annotations

import asyncio
import hmac
import logging
import secrets
import time
from collections.abc import Callable
from datetime import UTC, datetime
from urllib.parse import parse_qsl, urlencode, urlsplit

import httpx

from app.services import http
from app.services.clio.base import API_VERSION
from app.services.clio.oauth import (
    REGION_ORIGINS,
    AuthorizationRequest,
    ClioApp,
    ClioAuthorizationDenied,
    ClioAuthorizationFailed,
    InvalidGrant,
    TokenAnswer,
    post_grant,
    same_endpoint,
)
from app.services.clio.tokens import ClioConnectionEnded
from app.services.secrets import (
    ClioTokens,
    TokenStore,
    delete_clio_tokens,
    load_clio_tokens,
    save_clio_tokens,
)

__all__ = [
    "REGION_ORIGINS",
    "AuthorizationRequest",
    "ClioApp",
    "ClioAuth",
    "ClioAuthorizationDenied",
    "ClioAuthorizationFailed",
    "ClioConnectionEnded",
]

logger = logging.getLogger(__name__)

EXPIRY_MARGIN_S = 120.0
"""Refresh this long before Clio's stated expiry, so a token never dies mid-request."""
REFRESH_ATTEMPTS = 3
"""Tries at a refresh the token endpoint answered with "busy" (5xx, 429)."""


class ClioAuth:
    """Connection lifecycle for one Clio app + account key (e.g. the LegalConnect user's email)."""

    def __init__(
        self,
        app: ClioApp,
        tokens: TokenStore,
        account: str,
        *,
        broker_bearer: Callable[[], str | None] = lambda: None,
        client_secret: Callable[[], str | None] = lambda: None,
        transport: httpx.AsyncBaseTransport | None = None,
        clock: Callable[[], float] = time.time,
        on_change: Callable[[], None] = lambda: None,
        add_secret: Callable[[str], None] = lambda s: None,
        margin_s: float = EXPIRY_MARGIN_S,
        timeout: httpx.Timeout | None = None,
        remotes: http.Remotes | None = None,
    ) -> None:
        """`remotes`: the app's shared connection pools (without it, the lifecycle keeps its own and
        closes them in `aclose`)."""
        self.app = app
        self._store = tokens
        self._account = account
        self._broker_bearer = broker_bearer
        self._client_secret = client_secret
        self._clock = clock
        self._on_change = on_change
        self._add_secret = add_secret
        self._margin = margin_s
        # The shared pool per remote: Clio itself (deauthorize, who_am_i, the API client too) and the
        # token endpoint, which in broker mode is the Service Provider's host (the LegalConnect
        # client's pool). `Remotes.client` refuses plain http off loopback.
        self._owns_remotes = remotes is None
        self._remotes = remotes or http.Remotes(transport=transport, timeout=timeout)
        self._clio = self._remotes.client(app.origin)
        self._token_http = self._remotes.client(app.token_url)
        self._pending_state: str | None = None
        self._lock = asyncio.Lock()
        self._loaded = False
        self._tokens: ClioTokens | None = None
        # Bumped by forget(): a refresh that was in flight when the user disconnected must not
        # store its tokens afterwards.
        self._generation = 0

    # -- state ----------------------------------------------------------------------------------

    @property
    def connected(self) -> bool:
        """Whether tokens for this account and region are stored."""
        return self._current() is not None

    @property
    def tokens_snapshot(self) -> ClioTokens | None:
        """The stored grant (tokens hidden from repr), or None when not connected."""
        return self._current()

    def _current(self) -> ClioTokens | None:
        if not self._loaded:
            stored = load_clio_tokens(self._store, self._account)
            # A grant from another region is useless here: Clio tokens are valid in one region only.
            self._tokens = stored if stored is not None and stored.region == self.app.region else None
            self._loaded = True
            if self._tokens is not None:
                self._add_secret(self._tokens.access_token)
                self._add_secret(self._tokens.refresh_token)
        return self._tokens

    def _require(self) -> ClioTokens:
        tokens = self._current()
        if tokens is None:
            raise ClioConnectionEnded("not_connected")
        return tokens

    def _fresh(self, tokens: ClioTokens) -> bool:
        return self._clock() < tokens.expires_at.timestamp()

    def _save(self, answer: TokenAnswer, refresh_token: str, account_id: int) -> ClioTokens:
        tokens = ClioTokens(
            access_token=answer.access_token,
            refresh_token=refresh_token,
            # The margin never eats more than a tenth of a short-lived token's life.
            expires_at=datetime.fromtimestamp(
                self._clock() + answer.expires_in - min(self._margin, answer.expires_in / 10), UTC
            ),
            region=self.app.region,
            account_id=account_id,
        )
        save_clio_tokens(self._store, self._account, tokens)
        self._tokens, self._loaded = tokens, True
        return tokens

    # -- authorize ------------------------------------------------------------------------------

    def begin(self) -> AuthorizationRequest:
        """A fresh authorize URL; its `state` replaces any earlier pending one and works once."""
        state = secrets.token_urlsafe(32)
        self._pending_state = state
        query = urlencode(
            {
                "response_type": "code",
                "client_id": self.app.client_id,
                "redirect_uri": self.app.redirect_uri,
                "state": state,
                # Without it a Deny strands the user on Clio's own error page.
                "redirect_on_decline": "true",
            }
        )
        return AuthorizationRequest(f"{self.app.origin}/oauth/authorize?{query}", state)

    def is_redirect(self, url: str) -> bool:
        """Whether `url` is the registered redirect (scheme, host, port and path; query ignored)."""
        return same_endpoint(url, self.app.redirect_uri)

    async def complete(self, redirect_url: str) -> ClioTokens:
        """Finish the flow from the redirect Clio sent: check `state`, swap the code, store the tokens.

        Raises ClioAuthorizationDenied when the user clicked Deny, ClioAuthorizationFailed for a
        bad or reused state, an error from Clio, a missing code or a refused exchange."""
        if not self.is_redirect(redirect_url):
            raise ClioAuthorizationFailed(
                "Clio sent the sign-in somewhere unexpected. Try again.", "not the redirect"
            )
        params = dict(parse_qsl(urlsplit(redirect_url).query, keep_blank_values=True))
        expected, self._pending_state = self._pending_state, None  # single use, whatever happens next
        state = params.get("state", "")
        if expected is None or not hmac.compare_digest(state.encode(), expected.encode()):
            raise ClioAuthorizationFailed(
                "This Clio sign-in could not be verified. Start connecting again.", "state mismatch"
            )
        error = params.get("error")
        if error == "access_denied":
            raise ClioAuthorizationDenied()
        if error:
            text = params.get("error_description") or error
            raise ClioAuthorizationFailed(f"Clio could not connect: {text}", error, error=error)
        code = params.get("code", "")
        if not code:
            raise ClioAuthorizationFailed("Clio did not finish the sign-in. Try again.", "no code")
        self._add_secret(code)
        form = {"grant_type": "authorization_code", "code": code, "redirect_uri": self.app.redirect_uri}
        try:
            answer = await self._exchange(form)
        except InvalidGrant as exc:
            raise ClioAuthorizationFailed(
                "The Clio sign-in expired before it could be used. Connect again.", "invalid_grant"
            ) from exc
        if not answer.refresh_token:
            raise ClioAuthorizationFailed(
                "Clio sent an answer this app could not read. Try connecting again.", "no refresh_token"
            )
        self._add_secret(answer.refresh_token)
        account_id = await self._who_am_i(answer.access_token)
        tokens = self._save(answer, answer.refresh_token, account_id)
        logger.info("connected to Clio (%s region, user %s)", self.app.region, account_id)
        self._on_change()
        return tokens

    async def _exchange(self, form: dict[str, str]) -> TokenAnswer:
        form = {**form, "client_id": self.app.client_id}
        bearer: str | None = None
        if self.app.mode == "broker":
            form["region"] = self.app.region
            bearer = self._broker_bearer()
        else:
            secret = self._client_secret()
            if not secret:
                raise ClioAuthorizationFailed(
                    "Your firm's Clio app secret is not set. Enter it in Settings, then connect again.",
                    "no client secret",
                )
            form["client_secret"] = secret
        answer = await post_grant(
            self._token_http, self.app.token_url, form, bearer=bearer, direct=self.app.mode == "direct"
        )
        self._add_secret(answer.access_token)
        return answer

    async def _exchange_answered_busy(self, form: dict[str, str]) -> TokenAnswer:
        """A refresh, sent again (briefly) when the token endpoint answered that it is busy (5xx,
        429): such an answer means the grant was not used. A lost answer is never resent, since
        Clio may have rotated the refresh token; the next call refreshes anew."""
        for attempt in range(1, REFRESH_ATTEMPTS + 1):
            try:
                return await self._exchange(form)
            except (http.ServerError, http.RateLimited) as busy:
                if attempt == REFRESH_ATTEMPTS:
                    raise
                wait = busy.retry_after if isinstance(busy, http.RateLimited) else 0.5 * attempt
                await asyncio.sleep(min(wait, 5.0))
        raise AssertionError("unreachable: the last attempt re-raises")  # pragma: no cover

    async def _who_am_i(self, access_token: str) -> int:
        """The Clio user id the grant speaks for; 0 when it cannot be read now (the grant still works)."""
        try:
            response = await self._clio.get(
                f"{self.app.origin}/api/v4/users/who_am_i.json",
                params={"fields": "id"},
                headers={"Authorization": f"Bearer {access_token}", "X-API-VERSION": API_VERSION},
            )
            user_id = response.json()["data"]["id"] if response.status_code == 200 else None
        except (httpx.TransportError, ValueError, KeyError, TypeError) as exc:
            logger.info("Clio user id not read after connecting: %s", type(exc).__name__)
            return 0
        return user_id if isinstance(user_id, int) and not isinstance(user_id, bool) else 0

    # -- tokens ---------------------------------------------------------------------------------

    async def access_token(self) -> str:
        """A valid access token, refreshed first when within the margin of expiry.

        Raises ClioConnectionEnded when not connected or Clio ended the connection."""
        tokens = self._require()
        if self._fresh(tokens):
            return tokens.access_token
        return await self._refresh_unless_changed(tokens.access_token)

    async def refresh_after_unauthorized(self, rejected_token: str) -> str:
        """After Clio answered 401 to `rejected_token`: a newer token if another caller already
        refreshed, else the result of one refresh. Raises ClioConnectionEnded if Clio ended it."""
        return await self._refresh_unless_changed(rejected_token)

    async def _refresh_unless_changed(self, seen: str) -> str:
        # Single-flight: callers queue on the lock; whoever gets it after a refresh sees a new token
        # and takes it instead of refreshing again. The lock covers no API call.
        async with self._lock:
            tokens = self._require()
            if not hmac.compare_digest(tokens.access_token.encode(), seen.encode()):
                return tokens.access_token
            return (await self._refresh(tokens)).access_token

    async def _refresh(self, tokens: ClioTokens) -> ClioTokens:
        form = {"grant_type": "refresh_token", "refresh_token": tokens.refresh_token}
        generation = self._generation
        try:
            answer = await self._exchange_answered_busy(form)
        except InvalidGrant:
            logger.info("Clio refused the refresh token (invalid_grant): connection ended")
            if generation == self._generation:
                self.forget()
            raise ClioConnectionEnded("invalid_grant") from None
        if generation != self._generation:
            raise ClioConnectionEnded("disconnected")
        # Clio returns a refresh token only when it changed; otherwise the old one stays valid.
        refresh = answer.refresh_token or tokens.refresh_token
        self._add_secret(refresh)
        renewed = self._save(answer, refresh, tokens.account_id)
        logger.debug("Clio access token refreshed")
        return renewed

    # -- ending ---------------------------------------------------------------------------------

    async def disconnect(self) -> None:
        """Revoke the access token at Clio (best effort) and forget both tokens here."""
        tokens = self._current()
        if tokens is not None:
            try:
                await self._clio.post(
                    f"{self.app.origin}/oauth/deauthorize",
                    data={"token": tokens.access_token},
                    headers={"Authorization": f"Bearer {tokens.access_token}"},
                )
            except httpx.TransportError as exc:
                # The user asked to disconnect: forgetting locally matters more than telling Clio.
                logger.info(
                    "Clio deauthorize not reached (%s); forgetting the tokens anyway", type(exc).__name__
                )
        self.forget()

    def forget(self) -> None:
        """Drop the tokens locally (Clio is not told)."""
        delete_clio_tokens(self._store, self._account)
        self._tokens, self._loaded = None, True
        self._generation += 1
        self._on_change()

    async def aclose(self) -> None:
        """Close the connection pools when this lifecycle made them (shared ones close with the app)."""
        if self._owns_remotes:
            await self._remotes.aclose()
