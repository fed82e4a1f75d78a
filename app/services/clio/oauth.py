"""Clio's OAuth 2.0 pieces that hold no state: the app, its URLs, and the token endpoint.

`ClioApp` says where the user signs in and where codes are swapped for tokens (the Service
Provider's broker or Clio itself). `post_grant` sends one grant and maps every answer the token
endpoint can give — tokens, RFC 6749 errors, the broker's own refusals, garbage — to a typed
result. The connection lifecycle that uses them is `auth.ClioAuth`. Nothing here stores or logs a
token.
"""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass, field
from typing import Any, Literal

import httpx

from app.services import http
from app.services.clio.tokens import SERVICE
from app.services.legalconnect.records import Provider

logger = logging.getLogger(__name__)

FORM = "application/x-www-form-urlencoded"


class ClioAuthorizationDenied(http.ServiceError):
    """The user clicked Deny on Clio's consent page: nothing is connected, nothing is wrong."""

    def __init__(self, detail: str = "") -> None:
        super().__init__(
            SERVICE,
            "You chose not to connect Clio. Connect again whenever you are ready.",
            detail or "access_denied",
        )


class ClioAuthorizationFailed(http.ServiceError):
    """Connecting failed: a bad or missing `state`, an error from Clio, no code, or the exchange refused."""

    def __init__(self, user_message: str, detail: str = "", *, error: str = "") -> None:
        super().__init__(SERVICE, user_message, detail)
        #: The OAuth error code when the token endpoint gave one (e.g. "invalid_client").
        self.error = error


@dataclass(frozen=True)
class TokenAnswer:
    """A successful token-endpoint answer; `refresh_token` is empty when Clio left it out."""

    access_token: str = field(repr=False)
    expires_in: float
    refresh_token: str = field(repr=False)


class InvalidGrant(Exception):
    """The token endpoint said `invalid_grant`: the code or refresh token is no longer any good."""

    def __init__(self, description: str) -> None:
        super().__init__(description)
        self.description = description


REGION_ORIGINS: dict[str, str] = {
    "US": "https://app.clio.com",
    "CA": "https://ca.app.clio.com",
    "EU": "https://eu.app.clio.com",
    "AU": "https://au.app.clio.com",
}

CLIO_IDENTITY_ORIGINS: dict[str, str] = {
    "US": "https://account.clio.com",
    "CA": "https://ca.account.clio.com",
    "EU": "https://eu.account.clio.com",
    "AU": "https://au.account.clio.com",
}
"""Clio Identity, Clio's own sign-in host, per region. Clio's example single sign-on app signs in at
account.clio.com, where Clio Manage's sign-in also lives (account.clio.com/login); the other
regions' hosts follow Clio's rule that a region prefixes the name of every Clio host."""


def trim_origin(url: str) -> str:
    """`url` without a trailing slash, so paths can be appended."""
    return url.rstrip("/")


@dataclass(frozen=True)
class ClioApp:
    """One Clio developer app in one region: where to send the user and where to swap codes for tokens."""

    region: str
    origin: str
    client_id: str
    redirect_uri: str
    token_url: str
    mode: Literal["broker", "direct"]

    @classmethod
    def from_provider(cls, provider: Provider, region: str, redirect_override: str = "") -> ClioApp:
        """The Service Provider's app for `region`, exchanging codes through its token broker."""
        if region not in REGION_ORIGINS:
            raise ValueError(f"unknown Clio region {region!r}")
        clio = provider.clio
        client_id = clio.client_ids.get(region, "")
        if not clio.enabled or not client_id or not clio.broker_token_url:
            raise ClioAuthorizationFailed(
                f"{provider.name} does not offer a Clio connection for the {region} region.",
                "no client id or broker for region",
            )
        origin = trim_origin(clio.base_urls.get(region) or REGION_ORIGINS[region])
        redirect = redirect_override or clio.redirect_uri or f"{origin}/oauth/approval"
        return cls(region, origin, client_id, redirect, clio.broker_token_url, "broker")

    @classmethod
    def direct(cls, region: str, client_id: str, redirect_uri: str = "", origin: str = "") -> ClioApp:
        """The firm's own Clio app: codes go straight to Clio's token endpoint with the app secret.

        `origin` overrides the region's host (a self-hosted proxy, or the emulator in tests)."""
        if region not in REGION_ORIGINS:
            raise ValueError(f"unknown Clio region {region!r}")
        if not client_id:
            raise ValueError("direct mode needs the firm's Clio client id")
        base = trim_origin(origin or REGION_ORIGINS[region])
        redirect = redirect_uri or f"{base}/oauth/approval"
        return cls(region, base, client_id, redirect, f"{base}/oauth/token", "direct")

    @property
    def api_url(self) -> str:
        """Clio's REST API root for this region."""
        return f"{self.origin}/api/v4"

    @property
    def sign_in_origins(self) -> tuple[str, ...]:
        """Where Clio's own sign-in pages come from: this app's origin and, when that is Clio's own
        host for the region, the region's Clio Identity host too."""
        identity = CLIO_IDENTITY_ORIGINS.get(self.region)
        if identity and self.origin == REGION_ORIGINS.get(self.region):
            return (self.origin, identity)
        return (self.origin,)


@dataclass(frozen=True)
class AuthorizationRequest:
    """Where to send the user (`url`), and the `state` the redirect must bring back."""

    url: str
    state: str


def same_endpoint(a: str, b: str) -> bool:
    """Same scheme, host, port and path; query and fragment ignored."""
    try:
        x, y = httpx.URL(a), httpx.URL(b)
    except (httpx.InvalidURL, TypeError):
        return False
    return bool(x.host) and (x.scheme, x.host, x.port, x.path) == (y.scheme, y.host, y.port, y.path)


_REFUSED = "Clio refused to connect this app. Try again; if it keeps failing, contact your Service Provider."
_MISCONFIGURED = (
    "Clio did not accept this app's keys. Your Service Provider's Clio connection seems to be "
    "misconfigured for this region — please contact them."
)
_MISCONFIGURED_DIRECT = (
    "Clio did not accept the client id or secret. Check your firm's Clio app keys and region in Settings."
)


async def post_grant(
    client: httpx.AsyncClient,
    token_url: str,
    form: dict[str, str],
    *,
    bearer: str | None,
    direct: bool,
) -> TokenAnswer:
    """POST one grant to the token endpoint and read the answer.

    Raises `InvalidGrant` for `invalid_grant` (the caller decides what that means),
    `ClioAuthorizationFailed` for other refusals and unreadable answers, `http.Unreachable` /
    `http.TimedOut` for network trouble, and `http.ServerError` / `http.RateLimited` for 5xx / 429.
    """
    headers = {"Content-Type": FORM, "Accept": "application/json"}
    if bearer:
        headers["Authorization"] = f"Bearer {bearer}"
    try:
        response = await client.post(token_url, data=form, headers=headers)
    except httpx.TransportError as exc:
        raise await http.transport_failure(SERVICE, exc) from exc
    body = _json_object(response)
    if response.status_code == 200:
        return _tokens(body)
    raise _refusal(response, body, direct)


def _json_object(response: httpx.Response) -> dict[str, Any] | None:
    try:
        body = response.json()
    except ValueError:
        return None
    return body if isinstance(body, dict) else None


def _tokens(body: dict[str, Any] | None) -> TokenAnswer:
    unreadable = "Clio sent an answer this app could not read. Try connecting again."
    if body is None:
        raise ClioAuthorizationFailed(unreadable, "token answer is not a JSON object")
    access, refresh, expires_in = body.get("access_token"), body.get("refresh_token"), body.get("expires_in")
    if not isinstance(access, str) or not access:
        raise ClioAuthorizationFailed(unreadable, "token answer has no access_token")
    if refresh is not None and not isinstance(refresh, str):
        raise ClioAuthorizationFailed(unreadable, "token answer has a malformed refresh_token")
    token_type = body.get("token_type", "bearer")
    if not isinstance(token_type, str) or token_type.lower() != "bearer":
        raise ClioAuthorizationFailed(unreadable, "token answer is not a bearer token")
    # Lifetimes have changed over the years, so expiry always comes from the answer, never a guess.
    if isinstance(expires_in, bool) or not isinstance(expires_in, int | float | str):
        raise ClioAuthorizationFailed(unreadable, "token answer has no expires_in")
    try:
        seconds = float(expires_in)
    except ValueError:
        raise ClioAuthorizationFailed(unreadable, "token answer has a malformed expires_in") from None
    if not math.isfinite(seconds) or seconds <= 0:
        raise ClioAuthorizationFailed(unreadable, "token answer has a malformed expires_in")
    return TokenAnswer(access, seconds, refresh or "")


def _refusal(response: httpx.Response, body: dict[str, Any] | None, direct: bool) -> Exception:
    status = response.status_code
    error = body.get("error") if body else None
    if isinstance(error, str):
        # An RFC 6749 answer from Clio (relayed verbatim by the broker).
        description = str(body.get("error_description", "")) if body else ""
        if error == "invalid_grant":
            return InvalidGrant(description)
        if error == "invalid_client":
            message = _MISCONFIGURED_DIRECT if direct else _MISCONFIGURED
            return ClioAuthorizationFailed(message, f"HTTP {status} invalid_client", error=error)
        if status >= 500 or status == 429:
            return http.status_error(SERVICE, response, error, "")
        return ClioAuthorizationFailed(
            _REFUSED,
            f"HTTP {status} {error}",
            error=error,
        )
    if isinstance(error, dict):
        # The broker's own refusal, in the LegalConnect error shape.
        code, message = str(error.get("code", "")), str(error.get("message", ""))
        if status == 401:
            message = "Your session with the Service Provider has ended. Sign in again, then connect Clio."
        if status >= 500 or status == 429:  # Clio (relayed) or the broker is busy: try again later
            return http.status_error(SERVICE, response, code, message)
        return ClioAuthorizationFailed(
            message or "Your Service Provider refused to connect Clio.", f"HTTP {status} {code}", error=code
        )
    if status >= 500 or status == 429:
        return http.status_error(SERVICE, response, "", "")
    if status == 401 and not direct:
        return ClioAuthorizationFailed(
            "Your session with the Service Provider has ended. Sign in again, then connect Clio.",
            f"HTTP {status}",
        )
    return ClioAuthorizationFailed(
        _REFUSED,
        f"HTTP {status}",
    )
