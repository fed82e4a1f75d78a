"""Clio Manage's OAuth 2.0 provider, as documented (reference/clio-api-v4.md section 1).

Authorization-code flow with a sign-in page and a consent page, `/oauth/approval` for embedded
browsers, the token endpoint (authorization_code and refresh_token grants), `/oauth/deauthorize`,
and bearer-token checks for the API. Tokens and codes are random and stored only as SHA-256 hashes.
With the `sso_login` knob on, the sign-in goes through the firm's identity provider (`sso`).
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
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from string import Template
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from sandbox.clio.sso import CONSUME_PATH, ServiceProvider
from sandbox.common.settings import ClioSettings
from sandbox.seed import firm

CODE_LIFETIME_S = 600  # Clio: "The authorization code is valid for 10 minutes."
SESSION_LIFETIME_S = 12 * 3600
SESSION_COOKIE = "_clio_session"
LOOPBACK_REDIRECT_URI = "http://127.0.0.1:53123/callback"
INVALID_TOKEN_DESCRIPTION = (
    "The access token provided is expired, revoked, malformed or invalid for other reasons."
)
_TEMPLATES = Path(__file__).parent / "templates"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS oauth_applications (
    client_id TEXT PRIMARY KEY, secret_hash TEXT NOT NULL, name TEXT NOT NULL,
    redirect_uris TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS oauth_sessions (
    session_hash TEXT PRIMARY KEY, user_id INTEGER NOT NULL, csrf TEXT NOT NULL,
    expires_at REAL NOT NULL);
CREATE TABLE IF NOT EXISTS oauth_codes (
    code_hash TEXT PRIMARY KEY, client_id TEXT NOT NULL, user_id INTEGER NOT NULL,
    redirect_uri TEXT NOT NULL, expires_at REAL NOT NULL, used_at REAL);
CREATE TABLE IF NOT EXISTS oauth_refresh_tokens (
    token_hash TEXT PRIMARY KEY, client_id TEXT NOT NULL, user_id INTEGER NOT NULL,
    code_hash TEXT, created_at REAL NOT NULL, revoked_at REAL);
CREATE TABLE IF NOT EXISTS oauth_access_tokens (
    token_hash TEXT PRIMARY KEY, client_id TEXT NOT NULL, user_id INTEGER NOT NULL,
    code_hash TEXT, refresh_hash TEXT, expires_at REAL NOT NULL, revoked_at REAL);
CREATE INDEX IF NOT EXISTS oauth_access_tokens_user ON oauth_access_tokens (user_id);
CREATE INDEX IF NOT EXISTS oauth_refresh_tokens_user ON oauth_refresh_tokens (user_id);
"""


@dataclass(frozen=True)
class AccessGrant:
    """Who an accepted bearer token speaks for."""

    token: str
    user_id: int
    client_id: str


class OAuthError(Exception):
    """An RFC 6749 error answer from the token endpoint."""

    def __init__(self, error: str, description: str, status: int = 400) -> None:
        super().__init__(error)
        self.error, self.description, self.status = error, description, status


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


@functools.cache
def _template(name: str) -> Template:
    return Template((_TEMPLATES / f"{name}.html").read_text(encoding="utf-8"))


def _page(title: str, body: str, status: int = 200) -> HTMLResponse:
    content = _template("oauth_page").substitute(title=html.escape(title), body=body)
    # The pages carry a CSRF token and are per-user: never cache them.
    return HTMLResponse(content, status_code=status, headers={"Cache-Control": "no-store"})


def _error_page(message: str, status: int = 400) -> HTMLResponse:
    body = f'<h1>Something went wrong</h1><div class="error" id="error">{html.escape(message)}</div>'
    return _page("Error - Clio", body, status)


def _with_query(uri: str, params: Mapping[str, str]) -> str:
    """`uri` with `params` appended, keeping any query the registered URI already has."""
    parts = urlsplit(uri)
    query = parse_qsl(parts.query, keep_blank_values=True) + list(params.items())
    return urlunsplit((parts.scheme, parts.netloc, parts.path, urlencode(query), ""))


class ClioOAuth:
    """The OAuth side of the Clio emulator: pages, token endpoint, bearer checks, admin revocation."""

    def __init__(
        self,
        conn: sqlite3.Connection,
        settings: ClioSettings,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.conn = conn
        self.settings = settings
        self.clock = clock
        self._lock = threading.Lock()  # the launcher thread may call admin/test helpers
        conn.executescript(_SCHEMA)
        self.redirect_uris = [f"{settings.base_url}/oauth/approval", LOOPBACK_REDIRECT_URI]
        self.sso = ServiceProvider(conn, settings, self._lock, clock)
        self.register_application(firm.CLIO_CLIENT_ID, firm.CLIO_CLIENT_SECRET, firm.CLIO_APP_NAME)

    def register_application(self, client_id: str, secret: str, name: str) -> None:
        """Register (or update) a developer application with this server's redirect URIs."""
        with self._lock:
            self.conn.execute(
                "INSERT OR REPLACE INTO oauth_applications VALUES (?, ?, ?, ?)",
                (client_id, _hash(secret), name, json.dumps(self.redirect_uris)),
            )

    def routes(self) -> list[BaseRoute]:
        return [
            Route("/oauth/authorize", self.authorize, methods=["GET", "POST"]),
            Route("/oauth/approval", self.approval, methods=["GET"]),
            Route("/oauth/token", self.token, methods=["POST"]),
            Route("/oauth/deauthorize", self.deauthorize, methods=["POST"]),
            Route(CONSUME_PATH, self.sso_consume, methods=["POST"]),
        ]

    # ----- bearer tokens -------------------------------------------------------------------

    def authenticate(self, request: Request) -> AccessGrant | Response:
        """The grant behind `Authorization: Bearer …`, or Clio's 401 `invalid_token` answer."""
        scheme, _, token = request.headers.get("authorization", "").partition(" ")
        token = token.strip()
        if scheme.lower() == "bearer" and token:
            row = self.conn.execute(
                "SELECT user_id, client_id FROM oauth_access_tokens"
                " WHERE token_hash = ? AND revoked_at IS NULL AND expires_at > ?",
                (_hash(token), self.clock()),
            ).fetchone()
            if row is not None:
                return AccessGrant(token, int(row[0]), str(row[1]))
        return self.invalid_token_response()

    @staticmethod
    def invalid_token_response() -> Response:
        return JSONResponse(
            {"error": "invalid_token", "error_description": INVALID_TOKEN_DESCRIPTION},
            status_code=401,
            headers={
                "WWW-Authenticate": f'Bearer realm="Clio", error="invalid_token", '
                f'error_description="{INVALID_TOKEN_DESCRIPTION}"'
            },
        )

    def issue_token_for_tests(self, user_id: int, expires_in: int | None = None) -> str:
        """Mint a valid access token for `user_id` without the browser dance (tests, benchmarks)."""
        return self._issue(firm.CLIO_CLIENT_ID, user_id, None, None, expires_in)[0]

    def revoke_all_for_user(self, user_id: int) -> tuple[int, int]:
        """Revoke every access and refresh token of `user_id`, as when the user removes the app in
        Clio. Returns (access tokens revoked, refresh tokens revoked)."""
        now = self.clock()
        with self._lock:
            access = self.conn.execute(
                "UPDATE oauth_access_tokens SET revoked_at = ? WHERE user_id = ? AND revoked_at IS NULL",
                (now, user_id),
            ).rowcount
            refresh = self.conn.execute(
                "UPDATE oauth_refresh_tokens SET revoked_at = ? WHERE user_id = ? AND revoked_at IS NULL",
                (now, user_id),
            ).rowcount
        return access, refresh

    async def admin_revoke(self, request: Request) -> Response:
        """Sandbox admin: JSON `{"user_id": N}` → revoke that user's whole grant."""
        try:
            payload = json.loads(await request.body() or b"{}")
            user_id = payload["user_id"] if isinstance(payload, dict) else None
            if isinstance(user_id, bool) or not isinstance(user_id, int):
                raise ValueError
        except (ValueError, KeyError):
            return JSONResponse({"error": 'send JSON {"user_id": <integer>}'}, status_code=400)
        access, refresh = self.revoke_all_for_user(user_id)
        return JSONResponse({"user_id": user_id, "access_tokens": access, "refresh_tokens": refresh})

    def _issue(
        self,
        client_id: str,
        user_id: int,
        code_hash: str | None,
        refresh_token: str | None,
        expires_in: int | None = None,
    ) -> tuple[str, int, str]:
        """Store a new access token (and a refresh token unless one is given); return the plain
        access token, its expires_in and the refresh token."""
        # Read the knob at issue time so the run-time admin endpoint changes new tokens at once.
        lifetime = self.settings.faults.access_token_lifetime_s if expires_in is None else expires_in
        access = secrets.token_urlsafe(32)
        now = self.clock()
        with self._lock:
            if refresh_token is None:
                refresh_token = secrets.token_urlsafe(32)
                self.conn.execute(
                    "INSERT INTO oauth_refresh_tokens VALUES (?, ?, ?, ?, ?, NULL)",
                    (_hash(refresh_token), client_id, user_id, code_hash, now),
                )
            self.conn.execute(
                "INSERT INTO oauth_access_tokens VALUES (?, ?, ?, ?, ?, ?, NULL)",
                (_hash(access), client_id, user_id, code_hash, _hash(refresh_token), now + lifetime),
            )
        return access, lifetime, refresh_token

    # ----- authorize: sign-in and consent pages --------------------------------------------

    def _app(self, client_id: str) -> tuple[str, str, list[str]] | None:
        row = self.conn.execute(
            "SELECT name, secret_hash, redirect_uris FROM oauth_applications WHERE client_id = ?",
            (client_id,),
        ).fetchone()
        return None if row is None else (str(row[0]), str(row[1]), json.loads(row[2]))

    @staticmethod
    def _redirect_registered(uri: str, registered: list[str]) -> bool:
        # Clio: exact allow-list; extra query parameters on a registered URI are accepted.
        parts = urlsplit(uri)
        if parts.fragment or not parts.scheme or not parts.netloc:
            return False
        base = urlunsplit((parts.scheme, parts.netloc, parts.path, "", ""))
        query = set(parse_qsl(parts.query, keep_blank_values=True))
        for candidate in registered:
            reg = urlsplit(candidate)
            reg_base = urlunsplit((reg.scheme, reg.netloc, reg.path, "", ""))
            if base == reg_base and set(parse_qsl(reg.query, keep_blank_values=True)) <= query:
                return True
        return False

    def _session(self, request: Request) -> tuple[str, int, str] | None:
        """(session hash, user id, csrf token) of a live sign-in session, if the cookie has one."""
        cookie = request.cookies.get(SESSION_COOKIE)
        if not cookie:
            return None
        row = self.conn.execute(
            "SELECT session_hash, user_id, csrf FROM oauth_sessions"
            " WHERE session_hash = ? AND expires_at > ?",
            (_hash(cookie), self.clock()),
        ).fetchone()
        return None if row is None else (str(row[0]), int(row[1]), str(row[2]))

    async def authorize(self, request: Request) -> Response:
        """GET shows sign-in or consent; POST handles the sign-in form and the Allow/Deny forms."""
        params = request.query_params
        client_id, redirect_uri = params.get("client_id", ""), params.get("redirect_uri", "")
        app = self._app(client_id) if client_id else None
        if app is None:
            return _error_page("The client_id is missing or does not name a registered application.")
        if not redirect_uri or not self._redirect_registered(redirect_uri, app[2]):
            return _error_page("The redirect_uri is not registered for this application.")
        state = params.get("state")
        extra = {"state": state} if state is not None else {}
        if params.get("response_type") != "code":
            # The redirect URI is trusted now, so RFC 6749 §4.1.2.1 sends the error back to it.
            error = {"error": "unsupported_response_type" if "response_type" in params else "invalid_request"}
            return RedirectResponse(_with_query(redirect_uri, {**error, **extra}), status_code=302)
        action = f"/oauth/authorize?{html.escape(request.url.query)}"
        session = self._session(request)
        if request.method == "GET":
            if session is None:
                return self._sign_in_page(action, "", sso=self.sso.enabled)
            return self._consent_page(action, app[0], session)
        form = dict(parse_qsl((await request.body()).decode("utf-8", "replace"), keep_blank_values=True))
        if form.get("step") == "sign_in":
            if self.sso.enabled:
                return self._sso_start(form, action, request.url.query)
            return self._sign_in(request, form, action, app[0])
        if session is None or not hmac.compare_digest(form.get("csrf_token", ""), session[2]):
            return _error_page("Your session expired or the form was tampered with. Start again.", 403)
        if form.get("decision") == "allow":
            code = secrets.token_urlsafe(32)
            with self._lock:
                self.conn.execute(
                    "INSERT INTO oauth_codes VALUES (?, ?, ?, ?, ?, NULL)",
                    (_hash(code), client_id, session[1], redirect_uri, self.clock() + CODE_LIFETIME_S),
                )
            return RedirectResponse(_with_query(redirect_uri, {"code": code, **extra}), status_code=302)
        if params.get("redirect_on_decline") == "true":
            target = _with_query(redirect_uri, {"error": "access_denied", **extra})
            return RedirectResponse(target, status_code=302)
        return _error_page("Access denied: you declined to connect this application.", 400)

    def _sign_in(self, request: Request, form: dict[str, str], action: str, app_name: str) -> Response:
        email, password = form.get("email", "").strip(), form.get("password", "")
        row = self.conn.execute(
            "SELECT id, name, password FROM users WHERE lower(email) = lower(?)", (email,)
        ).fetchone()
        if row is None or not self.password_ok(password, str(row[2])):
            return self._sign_in_page(action, "Invalid email or password.", email)
        cookie, session = self._open_session(int(row[0]))
        response = self._consent_page(action, app_name, session)
        self._set_session_cookie(response, request, cookie)
        return response

    def _sso_start(self, form: dict[str, str], action: str, authorize_query: str) -> Response:
        email = form.get("email", "").strip()
        known = self.conn.execute("SELECT 1 FROM users WHERE lower(email) = lower(?)", (email,)).fetchone()
        if known is None:
            return self._sign_in_page(action, "No Clio account uses this email.", email, sso=True)
        return self.sso.start(email, authorize_query)

    async def sso_consume(self, request: Request) -> Response:
        """The identity provider's answer (SAML's POST binding): sign the user in and carry on
        with the authorize request that sent them there (its query is the RelayState)."""
        form = dict(parse_qsl((await request.body()).decode("utf-8", "replace"), keep_blank_values=True))
        user_id = self.sso.consume(form.get("SAMLResponse", ""))
        if isinstance(user_id, str):
            return _error_page(user_id, 403)
        cookie, _session = self._open_session(user_id)
        # Only ever back to the authorize page: RelayState is a query string, never a place.
        response = RedirectResponse(f"/oauth/authorize?{form.get('RelayState', '')}", status_code=303)
        self._set_session_cookie(response, request, cookie)
        return response

    def _open_session(self, user_id: int) -> tuple[str, tuple[str, int, str]]:
        """A new sign-in session: the cookie value and (session hash, user id, csrf token)."""
        cookie, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(24)
        now = self.clock()
        with self._lock:
            self.conn.execute("DELETE FROM oauth_sessions WHERE expires_at <= ?", (now,))
            self.conn.execute(
                "INSERT INTO oauth_sessions VALUES (?, ?, ?, ?)",
                (_hash(cookie), user_id, csrf, now + SESSION_LIFETIME_S),
            )
        return cookie, (_hash(cookie), user_id, csrf)

    @staticmethod
    def _set_session_cookie(response: Response, request: Request, cookie: str) -> None:
        response.set_cookie(
            SESSION_COOKIE,
            cookie,
            max_age=SESSION_LIFETIME_S,
            path="/",
            httponly=True,
            samesite="lax",
            secure=request.url.scheme == "https",
        )

    @staticmethod
    def password_ok(given: str, stored: str) -> bool:
        # The users table may hold the seed's plain password or a "sha256$<hex>" digest.
        if stored.startswith("sha256$"):
            return hmac.compare_digest(_hash(given), stored.removeprefix("sha256$"))
        return hmac.compare_digest(given.encode("utf-8"), stored.encode("utf-8"))

    @staticmethod
    def _sign_in_page(action: str, error: str, email: str = "", *, sso: bool = False) -> HTMLResponse:
        alert = f'<div class="error" id="error" role="alert">{html.escape(error)}</div>' if error else ""
        body = _template("sign_in_sso" if sso else "sign_in").substitute(
            alert=alert, action=action, email=html.escape(email)
        )
        return _page("Sign in - Clio", body)

    def _consent_page(self, action: str, app_name: str, session: tuple[str, int, str]) -> HTMLResponse:
        row = self.conn.execute("SELECT name FROM users WHERE id = ?", (session[1],)).fetchone()
        body = _template("consent").substitute(
            action=action,
            app_name=html.escape(app_name),
            initial=html.escape(app_name[:1]),
            user_name=html.escape(str(row[0])) if row else "you",
            csrf=html.escape(session[2]),
        )
        return _page(f"Authorize {app_name} - Clio", body)

    async def approval(self, request: Request) -> Response:
        """Where Clio sends embedded browsers: the outcome in the body and the title."""
        params = request.query_params
        if "code" in params:
            text = f"Success code={params['code']}"
        else:
            text = f"Failure error={params.get('error', 'invalid_request')}"
        return _page(text, f'<h1 id="result">{html.escape(text)}</h1>')

    # ----- token endpoint and deauthorization ---------------------------------------------

    async def token(self, request: Request) -> Response:
        """`POST /oauth/token` for the authorization_code and refresh_token grants."""
        try:
            form = await self._token_form(request)
            client_id = self._client(request, form)
            grant_type = form["grant_type"]
            if grant_type == "authorization_code":
                body = self._exchange_code(client_id, form)
            elif grant_type == "refresh_token":
                body = self._refresh(client_id, form)
            else:
                raise OAuthError("unsupported_grant_type", f"The grant type {grant_type!r} is not supported.")
        except OAuthError as exc:
            headers = {"WWW-Authenticate": 'Basic realm="Clio"'} if exc.status == 401 else {}
            return JSONResponse(
                {"error": exc.error, "error_description": exc.description},
                status_code=exc.status,
                headers={**headers, "Cache-Control": "no-store", "Pragma": "no-cache"},
            )
        return JSONResponse(body, headers={"Cache-Control": "no-store", "Pragma": "no-cache"})

    @staticmethod
    async def _token_form(request: Request) -> dict[str, str]:
        content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
        if content_type != "application/x-www-form-urlencoded":
            raise OAuthError("invalid_request", "Send the parameters as application/x-www-form-urlencoded.")
        try:
            pairs = parse_qsl((await request.body()).decode("utf-8"), keep_blank_values=True)
        except UnicodeDecodeError as exc:
            raise OAuthError("invalid_request", "The request body is not valid UTF-8.") from exc
        names = [name for name, _ in pairs]
        repeated = sorted({name for name in names if names.count(name) > 1})
        if repeated:
            raise OAuthError("invalid_request", f"Parameters sent more than once: {', '.join(repeated)}.")
        form = {name: value for name, value in pairs if value != ""}
        if "grant_type" not in form:
            raise OAuthError("invalid_request", "The request is missing the required parameter grant_type.")
        return form

    def _client(self, request: Request, form: dict[str, str]) -> str:
        """Authenticate the client by form fields (Clio's documented way) or HTTP Basic (RFC 6749)."""
        client_id, secret = form.get("client_id"), form.get("client_secret")
        scheme, _, value = request.headers.get("authorization", "").partition(" ")
        if scheme.lower() == "basic" and client_id is None and secret is None:
            try:
                client_id, _, secret = base64.b64decode(value, validate=True).decode().partition(":")
            except ValueError:
                client_id = secret = None
        if not client_id or not secret:
            raise OAuthError(
                "invalid_client", "Client authentication failed: send client_id and client_secret.", 401
            )
        app = self._app(client_id)
        if app is None or not hmac.compare_digest(app[1], _hash(secret)):
            raise OAuthError(
                "invalid_client", "Client authentication failed due to unknown client or wrong secret.", 401
            )
        return client_id

    @staticmethod
    def _require(form: dict[str, str], *names: str) -> None:
        missing = [name for name in names if name not in form]
        if missing:
            raise OAuthError(
                "invalid_request", f"The request is missing the required parameter {missing[0]}."
            )

    def _exchange_code(self, client_id: str, form: dict[str, str]) -> dict[str, object]:
        self._require(form, "code", "redirect_uri")
        code_hash, now = _hash(form["code"]), self.clock()
        invalid = OAuthError(
            "invalid_grant",
            "The provided authorization grant is invalid, expired, revoked, does not match the redirection"
            " URI used in the authorization request, or was issued to another client.",
        )
        with self._lock:
            row = self.conn.execute(
                "SELECT client_id, user_id, redirect_uri, expires_at, used_at"
                " FROM oauth_codes WHERE code_hash = ?",
                (code_hash,),
            ).fetchone()
            if row is None:
                raise invalid
            if row[4] is not None:
                # RFC 6749 §4.1.2: a reused code may be stolen, so revoke what it produced.
                for table in ("oauth_access_tokens", "oauth_refresh_tokens"):
                    self.conn.execute(
                        f"UPDATE {table} SET revoked_at = ? WHERE code_hash = ? AND revoked_at IS NULL",  # noqa: S608
                        (now, code_hash),
                    )
                raise invalid
            if row[0] != client_id or row[2] != form["redirect_uri"] or row[3] <= now:
                raise invalid
            self.conn.execute("UPDATE oauth_codes SET used_at = ? WHERE code_hash = ?", (now, code_hash))
        access, expires_in, refresh = self._issue(client_id, int(row[1]), code_hash, None)
        return {
            "token_type": "bearer",
            "access_token": access,
            "expires_in": expires_in,
            "refresh_token": refresh,
        }

    def _refresh(self, client_id: str, form: dict[str, str]) -> dict[str, object]:
        self._require(form, "refresh_token")
        row = self.conn.execute(
            "SELECT client_id, user_id, code_hash, revoked_at FROM oauth_refresh_tokens WHERE token_hash = ?",
            (_hash(form["refresh_token"]),),
        ).fetchone()
        if row is None or row[3] is not None or row[0] != client_id:
            raise OAuthError(
                "invalid_grant", "The refresh token is invalid, revoked or was issued to another client."
            )
        # Clio Manage refresh tokens are reusable and unchanged, so the answer omits refresh_token.
        access, expires_in, _ = self._issue(client_id, int(row[1]), row[2], form["refresh_token"])
        return {"token_type": "bearer", "access_token": access, "expires_in": expires_in}

    async def deauthorize(self, request: Request) -> Response:
        """`POST /oauth/deauthorize`: revoke the access token named in `token` (only that one)."""
        grant = self.authenticate(request)
        if isinstance(grant, Response):
            return grant
        body = (await request.body()).decode("utf-8", "replace")
        token = dict(parse_qsl(body, keep_blank_values=True)).get("token") or request.query_params.get(
            "token"
        )
        if not token:
            return JSONResponse(
                {
                    "error": "invalid_request",
                    "error_description": "The request is missing the parameter token.",
                },
                status_code=400,
            )
        with self._lock:
            # Only the caller's own tokens; an unknown token is not an error (RFC 7009 §2.2).
            self.conn.execute(
                "UPDATE oauth_access_tokens SET revoked_at = ?"
                " WHERE token_hash = ? AND user_id = ? AND client_id = ? AND revoked_at IS NULL",
                (self.clock(), _hash(token), grant.user_id, grant.client_id),
            )
        return Response(status_code=200)
