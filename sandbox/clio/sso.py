"""Signing in to Clio through the firm's identity provider (single sign-on), both sides of it.

Clio lets a firm sign its people in with its own identity provider over SAML (Okta, Microsoft
Entra ID or another; help.clio.com, "Single Sign-On"). With the `sso_login` knob on, the emulator
does the same: its sign-in page asks only for the email, Clio sends the browser to the provider
with a sign-in request (SAML's redirect binding), the provider asks for the password and posts a
signed answer back to Clio (the POST binding), and Clio signs the user in and carries on with the
authorize request it interrupted: the consent page, then the redirect with a code. The OAuth
endpoints do not change; only the way the user proves who they are does.

The provider is a server of its own on another loopback port, so its pages come from another
origin than Clio's, as a firm's Okta or Entra tenant is another host than Clio's. Messages are JSON
signed with HMAC-SHA256 rather than XML signed with certificates: what a client sees is the path
the browser takes, not the assertion's format.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import hmac
import html
import json
import secrets
import sqlite3
import threading
import time
from collections.abc import Callable
from pathlib import Path
from string import Template
from typing import Any
from urllib.parse import parse_qsl, urlencode

from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from sandbox.clio.store import get_meta
from sandbox.common.settings import ClioSettings
from sandbox.seed import firm

REQUEST_LIFETIME_S = 600
"""How long a sign-in request sent to the provider stays good (and its answer, once given)."""
CONSUME_PATH = "/sso/saml/consume"
"""Clio's assertion consumer: where the provider posts its answer."""
SIGN_IN_PATH = "/saml/sso"
"""The provider's sign-in endpoint."""
HELP_URL = "https://it.harborvale.example/sign-in-help"
"""The firm's own help page, linked from the provider's sign-in page (a host that is neither)."""
_TEMPLATES = Path(__file__).parent / "templates"

SCHEMA = """
CREATE TABLE IF NOT EXISTS oauth_sso_requests (
    request_hash TEXT PRIMARY KEY, expires_at REAL NOT NULL, used_at REAL);
"""


def signing_key(conn: sqlite3.Connection) -> bytes:
    """The key Clio and the provider share (in SAML, the provider's certificate Clio trusts)."""
    secret = bytes.fromhex(get_meta(conn, "secret") or "00")
    return hmac.new(secret, b"sandbox single sign-on", hashlib.sha256).digest()


def _sign(key: bytes, payload: dict[str, Any]) -> str:
    body = base64.urlsafe_b64encode(json.dumps(payload, sort_keys=True).encode()).decode().rstrip("=")
    mac = hmac.new(key, body.encode(), hashlib.sha256).hexdigest()
    return f"{body}.{mac}"


def _verify(key: bytes, token: str, now: float) -> dict[str, Any] | None:
    """The payload of a token signed with `key` and issued less than REQUEST_LIFETIME_S ago."""
    body, _, mac = token.partition(".")
    if not hmac.compare_digest(hmac.new(key, body.encode(), hashlib.sha256).hexdigest(), mac):
        return None
    try:
        payload = json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
    except ValueError:
        return None
    if not isinstance(payload, dict):
        return None
    issued = payload.get("issued_at")
    if not isinstance(issued, int | float) or not now - REQUEST_LIFETIME_S <= issued <= now + 5:
        return None
    return payload


def _hash(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


@functools.cache
def _template(name: str) -> Template:
    return Template((_TEMPLATES / f"{name}.html").read_text(encoding="utf-8"))


class ServiceProvider:
    """Clio's side: send a sign-in to the firm's provider, take its answer back."""

    def __init__(
        self,
        conn: sqlite3.Connection,
        settings: ClioSettings,
        lock: threading.Lock,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.conn = conn
        self.settings = settings
        self.clock = clock
        self._lock = lock
        conn.executescript(SCHEMA)

    @functools.cached_property
    def _key(self) -> bytes:
        # Read on first use: the database is seeded (and holds its secret) by then.
        return signing_key(self.conn)

    @property
    def enabled(self) -> bool:
        """Whether sign-ins go through the provider now (the knob is read on every sign-in)."""
        return self.settings.faults.sso_login and bool(self.settings.identity_provider_url)

    def start(self, email: str, authorize_query: str) -> Response:
        """Send the browser to the provider; `authorize_query` is where Clio picks up afterwards."""
        request_id = secrets.token_urlsafe(24)
        now = self.clock()
        with self._lock:
            self.conn.execute("DELETE FROM oauth_sso_requests WHERE expires_at <= ?", (now,))
            self.conn.execute(
                "INSERT INTO oauth_sso_requests VALUES (?, ?, NULL)",
                (_hash(request_id), now + REQUEST_LIFETIME_S),
            )
        saml_request = _sign(
            self._key,
            {"id": request_id, "issuer": self.settings.base_url, "login_hint": email, "issued_at": now},
        )
        query = urlencode({"SAMLRequest": saml_request, "RelayState": authorize_query})
        return RedirectResponse(f"{self.settings.identity_provider_url}{SIGN_IN_PATH}?{query}", 303)

    def consume(self, saml_response: str) -> int | str:
        """The Clio user id the provider's answer vouches for, or why it is refused.

        The answer must be signed with the shared key, be meant for this Clio, answer a request
        Clio sent and has not seen answered, and name a Clio user."""
        now = self.clock()
        payload = _verify(self._key, saml_response, now)
        if payload is None or payload.get("audience") != self.settings.base_url:
            return "The sign-in answer from your identity provider could not be verified."
        request_hash = _hash(str(payload.get("in_response_to", "")))
        with self._lock:
            used = self.conn.execute(
                "UPDATE oauth_sso_requests SET used_at = ?"
                " WHERE request_hash = ? AND used_at IS NULL AND expires_at > ?",
                (now, request_hash, now),
            ).rowcount
        if not used:
            return "This sign-in has expired or was already used. Start again."
        row = self.conn.execute(
            "SELECT id FROM users WHERE lower(email) = lower(?)", (str(payload.get("email", "")),)
        ).fetchone()
        if row is None:
            return "Your identity provider signed in someone who has no Clio account."
        return int(row[0])


class IdentityProvider:
    """The firm's identity provider: a sign-in page on its own origin that answers Clio."""

    def __init__(
        self,
        conn: sqlite3.Connection,
        settings: ClioSettings,
        password_ok: Callable[[str, str], bool],
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.conn = conn
        self.settings = settings
        self.clock = clock
        self._password_ok = password_ok
        self._key = signing_key(conn)

    def routes(self) -> list[BaseRoute]:
        return [Route(SIGN_IN_PATH, self.sign_in, methods=["GET", "POST"])]

    async def sign_in(self, request: Request) -> Response:
        """GET shows the sign-in page for Clio's request; POST checks the password and answers Clio."""
        if request.method == "GET":
            fields = dict(request.query_params)
        else:
            body = (await request.body()).decode("utf-8", "replace")
            fields = dict(parse_qsl(body, keep_blank_values=True))
        saml_request, relay = fields.get("SAMLRequest", ""), fields.get("RelayState", "")
        payload = _verify(self._key, saml_request, self.clock())
        if payload is None or payload.get("issuer") != self.settings.base_url:
            refused = '<div class="error" id="error">This sign-in request is not valid. Start again.</div>'
            return self._page("Sign-in refused", refused, 400)
        if request.method == "GET":
            return self._sign_in_page(saml_request, relay, str(payload.get("login_hint", "")), "")
        email, password = fields.get("email", "").strip(), fields.get("password", "")
        row = self.conn.execute(
            "SELECT password FROM users WHERE lower(email) = lower(?)", (email,)
        ).fetchone()
        if row is None or not self._password_ok(password, str(row[0])):
            return self._sign_in_page(saml_request, relay, email, "The email or password is not right.")
        answer = _sign(
            self._key,
            {
                "in_response_to": payload.get("id"),
                "audience": self.settings.base_url,
                "email": email,
                "issued_at": self.clock(),
            },
        )
        body = _template("idp_post").substitute(
            action=html.escape(f"{self.settings.base_url}{CONSUME_PATH}"),
            saml_response=html.escape(answer),
            relay_state=html.escape(relay),
        )
        return self._page("Signing in", body)

    def _sign_in_page(self, saml_request: str, relay: str, email: str, error: str) -> HTMLResponse:
        alert = f'<div class="error" id="error" role="alert">{html.escape(error)}</div>' if error else ""
        body = _template("idp_sign_in").substitute(
            alert=alert,
            action=SIGN_IN_PATH,
            saml_request=html.escape(saml_request),
            relay_state=html.escape(relay),
            email=html.escape(email),
            help_url=html.escape(HELP_URL),
        )
        return self._page("Sign in", body)

    @staticmethod
    def _page(title: str, body: str, status: int = 200) -> HTMLResponse:
        content = _template("idp_page").substitute(
            title=html.escape(f"{title} - {firm.FIRM_NAME}"), firm=html.escape(firm.FIRM_NAME), body=body
        )
        return HTMLResponse(content, status_code=status, headers={"Cache-Control": "no-store"})
